// The calibration run: which kernels at which sizes (the plan), warm-up, then trials until the
// spread of the samples settles or the kernel's share of the time budget is spent (nvbench's
// rule), and one MeasurementRecord per kernel, precision and size. Planning is a pure function
// of the plan, the machine's features and its caches, so it is tested without running anything.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwcal/base/error.hpp"
#include "measure/kernels.hpp"
#include "measure/tuning.hpp"
#include "profile/profile.hpp"

namespace hwcal {

// What each plan does by default (tuning.hpp: plan_preset, the kernels' part): the trials, the
// whole run's time budget (first touch of the arrays included) and the sizes.
struct PlanDefaults : TrialPreset, PlanSizes {};
PlanDefaults plan_defaults(Plan plan);

struct CalibrationPlan {
  Plan plan = Plan::standard;
  std::string device = "cpu";
  std::vector<std::string> kernels;   // ids; empty: every kernel of the device
  std::vector<Precision> precisions;  // empty: every precision
  double time_budget_s = 0;           // 0: the plan's default
};

// What planning needs to know of the machine's memory.
struct MemoryTopology {
  std::vector<CacheLevel> caches;  // as detected; may be empty (virtual machines)
  long long available_bytes = 0;   // MemAvailable; 0 when unknown
};

// One kernel at one size, or a kernel that cannot run here (with the reason).
struct PlannedCall {
  const KernelDescriptor* kernel = nullptr;
  KernelShape shape;  // the kernel class's alternative; repeats and iterations chosen at run time
  std::optional<Residency> residency;  // bandwidth kernels
  std::string unavailable;             // non-empty: record as unsupported, do not run
  std::string skipped;                 // non-empty: record as skipped (does not fit), do not run
};

struct PlannedRun {
  std::vector<PlannedCall> calls;
  std::vector<std::string> warnings;  // e.g. no cache sizes known, not enough free memory
};

// UsageError for an unknown kernel id, or a kernel of another device. For device "cuda" the
// sizes come from env.gpu_facts (free memory, L2) and `memory` is the host's (for the host
// buffers of transfers).
PlannedRun plan_run(const CalibrationPlan& plan, const KernelEnv& env,
                    const MemoryTopology& memory);

// The kernels plan_run plans: the plan's ids (UsageError, with a "did you mean", for an unknown
// one or one of another device) or every kernel of the device, less those of other precisions
// (bandwidth kernels have none to filter). May be empty when the two filters exclude each other.
std::vector<const KernelDescriptor*> select_kernels(const CalibrationPlan& plan);

// Where the arrays of a bandwidth call live, from the per-thread footprint and the caches.
std::optional<Residency> residency_of(long long array_bytes, int arrays, std::size_t threads,
                                      const std::vector<CacheLevel>& caches);

struct RunProgress {
  std::size_t done = 0;
  std::size_t total = 0;
  std::string current;  // "cpu_gemm_fp32_openblas n=2048"
  double elapsed_s = 0;
  double remaining_s = 0;  // estimate from the calls timed so far, not from the budget
};

// Thrown between trials when `stop` was set (Ctrl-C): nothing of the run is kept.
class Interrupted : public Error {
 public:
  using Error::Error;
};

struct RunResult {
  std::vector<MeasurementRecord> measurements;
  std::vector<std::string> warnings;
  // The reference kernel timed at the start, the middle and the end of the run: how much the
  // machine itself moved while it measured (profile `conditions.reference`; null when no
  // reference kernel runs on this device).
  Json reference;
};

// Watches the timed trials of each call: begin() just before the first, end() just after the
// last (also when a trial failed); end() adds what it saw to the record's extra fields.
// calibrate's power and clock monitor (power.hpp) is one.
class TrialObserver {
 public:
  virtual ~TrialObserver() = default;
  virtual void begin() = 0;
  virtual void end(MeasurementRecord& record) = 0;
};

// Runs every planned call in order and records each, whatever its outcome: a failed or
// unsupported kernel is recorded with its reason and the run goes on.
RunResult run_plan(const PlannedRun& planned, const CalibrationPlan& plan, const KernelEnv& env,
                   const std::function<void(const RunProgress&)>& progress,
                   const std::atomic<bool>* stop = nullptr, TrialObserver* observer = nullptr);

// fraction_of_ceiling of every passed GEMM record: its best rate over the best FMA kernel of
// the same precision measured in the same run.
void add_fractions_of_ceiling(std::vector<MeasurementRecord>& records);

}  // namespace hwcal
