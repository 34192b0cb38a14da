// The run: each planned call goes through the same phases, each a function below that decides
// one thing, in the manner of google/benchmark's BenchmarkRunner and nvbench's measure_cold:
//   size_call          how long one call is (FMA iterations, bandwidth passes)
//   GemmBudget::fit    whether a GEMM size fits its share of the budget (shrink, skip)
//   time_trials        warm-ups, then trials until the StoppingCriterion says enough
//   record_throughput  GFLOP/s or GB/s from the samples
//   record_failure     what an exception means for the record
// and after the run plateau_warnings and add_fractions_of_ceiling look across the records.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <new>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/stats.hpp"
#include "detect/clock.hpp"
#include "measure/runner.hpp"

namespace hwcal {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The progress line's name of a call: "cpu_gemm_fp32_openblas n=2048", "cpu_stream_triad 64 KiB".
std::string describe(const KernelDescriptor& kernel, const KernelShape& shape) {
  if (const auto* gemm = std::get_if<GemmShape>(&shape)) {
    return fmt::format("{} n={}", kernel.id, gemm->n);
  }
  if (const auto* bandwidth = std::get_if<BandwidthShape>(&shape)) {
    return fmt::format("{} {} KiB", kernel.id, bandwidth->array_bytes >> 10);
  }
  return kernel.id;
}

MeasurementRecord base_record(const KernelDescriptor& kernel, const KernelEnv& env) {
  MeasurementRecord record;
  record.kernel = kernel.id;
  record.kernel_class = kernel.kind;
  record.device = kernel.device == "cpu" ? "cpu" : fmt::format("{}:{}", kernel.device, env.gpu);
  record.backend = kernel.backend;
  record.precision = kernel.precision;
  record.emulated = kernel.emulated;
  return record;
}

// The stored form of a shape (profile.hpp: MeasurementShape).
MeasurementShape shape_record(const KernelShape& shape) {
  MeasurementShape out;
  if (const auto* gemm = std::get_if<GemmShape>(&shape)) {
    out.m = gemm->m;
    out.n = gemm->n;
    out.k = gemm->k;
  } else if (const auto* bandwidth = std::get_if<BandwidthShape>(&shape)) {
    out.array_bytes = bandwidth->array_bytes;
    out.extra = Json::object({{"repeats", bandwidth->repeats}});
  } else if (const auto* peak = std::get_if<PeakShape>(&shape)) {
    out.extra = Json::object({{"iterations", peak->iterations}});
  }
  return out;
}

// The shape, flops and bytes of a call, as recorded.
void record_shape(MeasurementRecord& record, const KernelDescriptor& kernel,
                  const KernelShape& shape, const KernelEnv& env) {
  record.shape = shape_record(shape);
  record.flops = kernel.flops(shape, env);
  record.bytes = kernel.bytes(shape, env);
}

// ---- Sizing the call ------------------------------------------------------------------------

// The FMA loop runs long enough to time (the plan's call length): scaled from a short run.
// A GPU's probe starts small and grows until it lasts a millisecond.
long long choose_iterations(const KernelDescriptor& kernel, const KernelEnv& env, double call_s) {
  const bool gpu = kernel.device != "cpu";
  PeakShape probe{gpu ? tuning::kGpuPeakProbeIterations : tuning::kCpuPeakProbeIterations};
  double best = 1e30;
  while (true) {
    auto prepared = kernel.prepare(probe, env);
    prepared->run();
    best = 1e30;
    for (int i = 0; i < tuning::kPeakProbeRuns; ++i) best = std::min(best, prepared->timed_run());
    if (!gpu || best >= tuning::kGpuPeakProbeMinS ||
        probe.iterations >= tuning::kMaxPeakProbeIterations) {
      break;
    }
    probe.iterations *= tuning::kGpuPeakProbeGrowth;
  }
  double scaled =
      static_cast<double>(probe.iterations) * call_s / std::max(best, tuning::kMinProbeS);
  return std::max<long long>(probe.iterations, static_cast<long long>(scaled));
}

// Passes per call so a cache-resident size lasts long enough to time; DRAM sizes need one.
long long choose_repeats(double bytes_per_pass, std::optional<Residency> residency,
                         std::size_t threads, double call_s) {
  double per_thread_gbps = tuning::kCpuOtherGbpsPerThread;
  if (residency == Residency::l1) per_thread_gbps = tuning::kCpuL1GbpsPerThread;
  if (residency == Residency::l2) per_thread_gbps = tuning::kCpuL2GbpsPerThread;
  if (residency == Residency::dram) return 1;
  double seconds_per_pass = bytes_per_pass / (per_thread_gbps * 1e9 * static_cast<double>(threads));
  return std::max<long long>(1, static_cast<long long>(std::ceil(call_s / seconds_per_pass)));
}

// The same for a GPU's copies: passes per call from the device's own peak bandwidth (its bus
// width and memory clock; a guess where those are unknown) and a launch's few microseconds.
long long choose_gpu_repeats(double bytes_per_pass, KernelClass kind,
                             std::optional<Residency> residency, const GpuFacts& gpu,
                             double call_s) {
  double dram_gbps = gpu.peak_memory_gbps > 0 ? gpu.peak_memory_gbps : tuning::kGpuDramGbpsGuess;
  double gbps = dram_gbps;
  if (kind == KernelClass::transfer) gbps = gpu.integrated ? dram_gbps / 2 : tuning::kGpuPcieGbps;
  if (residency == Residency::l2 || residency == Residency::l1) {
    gbps = tuning::kGpuCacheOverDram * dram_gbps;
  }
  double seconds_per_pass = std::max(bytes_per_pass / (gbps * 1e9), tuning::kGpuLaunchS);
  return std::max<long long>(1, static_cast<long long>(std::ceil(call_s / seconds_per_pass)));
}

// Decides how long one call is: the FMA loop's iterations, a bandwidth call's passes. GEMM
// sizes are the plan's.
void size_call(const KernelDescriptor& kernel, const PlannedCall& call, const KernelEnv& env,
               const PlanDefaults& defaults, KernelShape& shape) {
  if (auto* peak = std::get_if<PeakShape>(&shape)) {
    peak->iterations = choose_iterations(kernel, env, defaults.peak_call_s);
  }
  if (auto* bandwidth = std::get_if<BandwidthShape>(&shape)) {
    const BandwidthShape one{bandwidth->array_bytes, 1};
    const double bytes_per_pass = kernel.bytes(one, env);
    bandwidth->repeats =
        kernel.device == "cpu"
            ? choose_repeats(bytes_per_pass, call.residency, env.threads(), defaults.memory_call_s)
            : choose_gpu_repeats(bytes_per_pass, kernel.kind, call.residency, env.gpu_facts,
                                 defaults.memory_call_s);
  }
}

// ---- Fitting a GEMM size to the budget ------------------------------------------------------

// Decides whether a GEMM size runs: skips a size whose calls would not fit in this kernel's
// share of the budget, predicted from the kernel's previous size or, for its first size, from
// a small probe (which underestimates large sizes, so it only catches calls far over the share:
// an emulated type a hundred times slower than the native ones). The first size of a kernel
// shrinks until it fits, so every kernel gets a number; later sizes of a sweep are skipped.
class GemmBudget {
 public:
  explicit GemmBudget(const PlanDefaults& defaults) : defaults_(defaults) {}

  // false: the record says skipped (and why). true: run `shape`, perhaps shrunk (the record's
  // message then says so).
  bool fit(const KernelDescriptor& kernel, const PlannedCall& call, const KernelEnv& env,
           double share_s, double budget_s, GemmShape& shape, MeasurementRecord& record) {
    double slack = tuning::kGemmSlack;
    if (rates_.count(kernel.id) == 0 && shape.n > tuning::kGemmProbeN) {
      const GemmShape probe{tuning::kGemmProbeN, tuning::kGemmProbeN, tuning::kGemmProbeN};
      auto prepared_probe = kernel.prepare(probe, env);
      // Warmed and timed like a trial (best of a few): a probe slowed by the previous kernel's
      // threads would shrink a size that fits.
      const auto warmup_start = Clock::now();
      for (int w = 0; w < 1 || (seconds_since(warmup_start) < tuning::kMinWarmupS &&
                                w < tuning::kMaxWarmupCalls);
           ++w) {
        prepared_probe->run();
      }
      double fastest = 1e30;
      for (int i = 0; i < tuning::kGemmProbeRuns; ++i) {
        fastest = std::min(fastest, prepared_probe->timed_run());
      }
      rates_[kernel.id] = kernel.flops(probe, env) / fastest;
      slack = tuning::kGemmProbeSlack;
    }
    auto rate = rates_.find(kernel.id);
    if (rate == rates_.end() || rate->second <= 0) return true;
    const int calls = defaults_.warmups + defaults_.min_trials;
    const double limit_s = std::max(slack * share_s, tuning::kGemmBudgetFraction * budget_s);
    auto needed_s = [&](long long n) {
      return kernel.flops(GemmShape{n, n, n}, env) / rate->second * calls;
    };
    if (needed_s(shape.n) <= limit_s) return true;
    long long n = shape.n;
    const std::vector<long long>& sizes =
        kernel.device == "cpu" ? defaults_.gemm_sizes : defaults_.cuda_gemm_sizes;
    const bool first_size = shape_as<GemmShape>(call.shape).n == sizes.front();
    while (first_size && n > tuning::kGemmMinShrinkN && needed_s(n) > limit_s) n /= 2;
    if (!first_size || needed_s(n) > limit_s) {
      record.status = MeasurementStatus::skipped;
      record.message = fmt::format(
          "predicted {:.2f} s per call ({} calls) exceeds this size's share of the time "
          "budget ({:.1f} s); a larger --time-budget or the full plan runs it",
          needed_s(shape.n) / calls, calls, limit_s);
      return false;
    }
    record.message = fmt::format("n reduced from {} to {} to fit the time budget", shape.n, n);
    shape = GemmShape{n, n, n};
    return true;
  }

  // The rate a kernel reached at its last size, to predict its next size's call time.
  void remember(const std::string& kernel, double flops_per_s) { rates_[kernel] = flops_per_s; }

 private:
  const PlanDefaults& defaults_;
  std::map<std::string, double> rates_;
};

// ---- Trials ---------------------------------------------------------------------------------

// Decides when to stop timing (nvbench's rule): at max_trials; once min_trials samples vary
// less than target_cv; or once the call's share of the budget is spent (after one sample at
// least: a few trials of a slow kernel beat none).
class StoppingCriterion {
 public:
  StoppingCriterion(const PlanDefaults& defaults, double share_s)
      : min_trials_(defaults.min_trials),
        max_trials_(defaults.max_trials),
        target_cv_(defaults.target_cv),
        share_s_(share_s) {}

  bool done(const std::vector<double>& samples, double elapsed_s) const {
    const int n = static_cast<int>(samples.size());
    if (n >= max_trials_) return true;
    if (elapsed_s >= share_s_ && n >= 1) return true;
    return n >= min_trials_ && compute_stats(samples).cv <= target_cv_;
  }

 private:
  int min_trials_;
  int max_trials_;
  double target_cv_;
  double share_s_;
};

// Throws Interrupted between trials once `stop` is set (Ctrl-C).
void check_stop(const std::atomic<bool>* stop) {
  if (stop != nullptr && stop->load()) throw Interrupted("interrupted: nothing was written");
}

// Warm-ups, then timed trials until the criterion is met; the observer watches the timed ones
// (and hears of their end also when one throws).
std::vector<double> time_trials(PreparedKernel& prepared, int warmups,
                                const StoppingCriterion& criterion, Clock::time_point call_start,
                                const std::atomic<bool>* stop, TrialObserver* observer,
                                MeasurementRecord& record, const std::function<void()>& between) {
  // Warm-ups by count and by time: short calls need many to get past what the previous kernel
  // left behind (OpenBLAS's workers spin for a while after a call, oneDNN's OpenMP team starts,
  // clocks settle), long ones need the count only.
  const auto warmup_start = Clock::now();
  for (int w = 0; w < warmups || (seconds_since(warmup_start) < tuning::kMinWarmupS &&
                                  w < tuning::kMaxWarmupCalls);
       ++w) {
    check_stop(stop);
    prepared.timed_run();
  }
  std::vector<double> samples;
  if (observer != nullptr) observer->begin();
  try {
    do {
      check_stop(stop);
      samples.push_back(prepared.timed_run());
      if (between) between();
    } while (!criterion.done(samples, seconds_since(call_start)));
  } catch (...) {
    if (observer != nullptr) observer->end(record);
    throw;
  }
  record.samples_s = samples;
  if (observer != nullptr) observer->end(record);
  return samples;
}

// Bandwidth kernels are judged in GB/s, the rest in GFLOP/s: best from the fastest sample,
// typical from the median. Returns the best rate in flop/s (0 for bandwidth kernels).
double record_throughput(MeasurementRecord& record, KernelClass kind, const SampleStats& stats) {
  record.stats_s = TrialStats::from(stats);
  if (is_bandwidth(kind)) {
    record.gbps = Throughput{*record.bytes / stats.min / 1e9, *record.bytes / stats.median / 1e9};
    return 0;
  }
  record.gflops = Throughput{*record.flops / stats.min / 1e9, *record.flops / stats.median / 1e9};
  return *record.flops / stats.min;
}

// A wrong result is an error; fewer trials than the plan's minimum is noted in the message.
void record_verdict(MeasurementRecord& record, const std::string& wrong, int min_trials) {
  if (!wrong.empty()) {
    record.status = MeasurementStatus::error;
    record.message = "result check failed: " + wrong;
  } else if (record.samples_s.size() < static_cast<std::size_t>(min_trials)) {
    if (!record.message.empty()) record.message += "; ";
    record.message += fmt::format("{} trials (fewer than the plan's {}: time budget spent)",
                                  record.samples_s.size(), min_trials);
  }
}

// What a failed call records: unsupported where the kernel said it cannot run here, else an
// error with the reason. Interrupted is not a failure: it ends the run (rethrown by the caller).
void record_failure(MeasurementRecord& record, std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const KernelUnsupported& error) {
    record.status = MeasurementStatus::unsupported;
    record.message = error.what();
  } catch (const std::bad_alloc&) {
    record.status = MeasurementStatus::error;
    record.message = "out of memory for this size";
  } catch (const std::exception& error) {
    record.status = MeasurementStatus::error;
    record.message = error.what();
  }
}

// ---- After the run --------------------------------------------------------------------------

// The sweep should flatten out at the DRAM sizes: says so where the two largest sizes beyond any
// cache differ by more than the plateau change.
std::vector<std::string> plateau_warnings(const std::vector<MeasurementRecord>& records) {
  std::map<std::string, std::vector<const MeasurementRecord*>> dram_like;
  for (const MeasurementRecord& record : records) {
    if (record.status == MeasurementStatus::passed && record.gbps && record.shape.array_bytes &&
        *record.shape.array_bytes >= tuning::kPlateauMinBytes &&
        kernel_class_of(record) != KernelClass::transfer) {
      dram_like[record.kernel].push_back(&record);
    }
  }
  std::vector<std::string> warnings;
  for (const auto& [kernel, sizes] : dram_like) {
    if (sizes.size() < 2) continue;
    const MeasurementRecord& largest = *sizes.back();
    const MeasurementRecord& before = *sizes[sizes.size() - 2];
    double change = largest.gbps->best / before.gbps->best - 1.0;
    if (std::fabs(change) > tuning::kPlateauChange) {
      warnings.push_back(fmt::format(
          "{}: bandwidth changed by {:+.0f}% from {} MiB to {} MiB arrays: the DRAM plateau may "
          "not be reached",
          kernel, change * 100, *before.shape.array_bytes >> 20, *largest.shape.array_bytes >> 20));
    }
  }
  return warnings;
}

// ---- The clock inside an FMA kernel's trial window ------------------------------------------

// The vector load a CPU FMA kernel runs, from its id's ISA word; nullopt for other kernels.
std::optional<ClockLoad> window_clock_load(const KernelDescriptor& kernel) {
  if (kernel.device != "cpu" || kernel.kind != KernelClass::peak_fma) return std::nullopt;
  // The ISA word of the id: avx512, avx512bf16, avx512vnni, amx (AVX-512 load); avx2, avxvnni
  // (256-bit); neon, sve.
  std::optional<ClockLoad> load;
  for (const std::string& word : id_words(kernel.id)) {
    if (word.rfind("avx512", 0) == 0 || word == "amx") {
      load = ClockLoad::avx512;
    } else if (word.rfind("avx", 0) == 0) {
      load = ClockLoad::avx2;
    } else if (word == "neon" || word == "sve") {
      load = ClockLoad::neon;
    }
  }
  if (load && !clock_load_available(*load)) return std::nullopt;
  return load;
}

// Measures the core clock between an FMA kernel's trials (never inside a timed one), on the
// kernel's own cores under its vector load, and writes what it saw into the record
// (extra.clock_mhz): the clock the kernel's throughput is to be judged against.
class WindowClock {
 public:
  WindowClock(ClockLoad load, const std::vector<int>& cpus) {
    options_.load = load;
    options_.cpus = cpus;
    options_.runs = tuning::kWindowClockRuns;
    options_.warmup_s = tuning::kWindowClockWarmupS;
  }
  void sample() { samples_.push_back(measure_core_clock(options_).mhz); }
  void write(MeasurementRecord& record) const {
    if (samples_.empty()) return;
    const SampleStats stats = compute_stats(samples_);
    if (!record.extra.is_object()) record.extra = Json::object();
    record.extra["clock_mhz"] = Json::object({{"load", std::string(to_string(options_.load))},
                                              {"median", std::round(stats.median)},
                                              {"min", std::round(stats.min)},
                                              {"max", std::round(stats.max)},
                                              {"samples", samples_.size()},
                                              {"when", "between the timed trials"}});
  }

 private:
  ClockOptions options_;
  std::vector<double> samples_;
};

// ---- The machine's own drift ----------------------------------------------------------------

// Reference kernels timed at fixed points of the run: if the machine slows down (a neighbour
// starts, the clock drops, the hypervisor steals, another tenant saturates the memory), their
// rates move, whatever the kernels in between measure. Two references: the device's fp32 FMA loop
// (compute) and the plan's own DRAM-resident STREAM triad (memory; prepared afresh at each point
// and freed after, so its arrays never sit beside the run's).
class ReferenceProbe {
 public:
  ReferenceProbe(const PlannedRun& planned, const CalibrationPlan& plan, const KernelEnv& env)
      : env_(env) {
    for (const KernelDescriptor& kernel : builtin_kernels()) {
      if (kernel.device != plan.device || kernel.kind != KernelClass::peak_fma ||
          kernel.precision != Precision::fp32 || kernel.emulated) {
        continue;
      }
      try {
        const long long iterations = choose_iterations(kernel, env, tuning::kReferenceCallS);
        shape_ = PeakShape{iterations};
        prepared_ = kernel.prepare(shape_, env);
        kernel_ = &kernel;
        break;
      } catch (const std::exception& error) {
        spdlog::debug("reference kernel {} cannot run here: {}", kernel.id, error.what());
      }
    }
    for (const PlannedCall& call : planned.calls) {
      if (call.kernel->kind == KernelClass::stream && call.residency == Residency::dram &&
          call.unavailable.empty() && call.skipped.empty() &&
          call.kernel->id.find("triad") != std::string::npos &&
          std::holds_alternative<BandwidthShape>(call.shape)) {
        memory_kernel_ = call.kernel;
        memory_shape_ = std::get<BandwidthShape>(call.shape);
        memory_shape_.repeats = 1;
        break;
      }
    }
  }

  void time(const char* when) {
    if (prepared_ != nullptr) {
      try {
        double best = 1e30;
        for (int i = 0; i < tuning::kReferenceRuns; ++i)
          best = std::min(best, prepared_->timed_run());
        const double gflops = kernel_->flops(shape_, env_) / best / 1e9;
        points_.push_back({when, gflops});
        spdlog::info("reference {} at the {}: {:.1f} GFLOPS", kernel_->id, when, gflops);
      } catch (const std::exception& error) {
        spdlog::warn("reference kernel {} failed at the {}: {}", kernel_->id, when, error.what());
      }
    }
    if (memory_kernel_ != nullptr) {
      try {
        const auto started = Clock::now();
        std::unique_ptr<PreparedKernel> prepared = memory_kernel_->prepare(memory_shape_, env_);
        prepared->run();  // warm-up: the first pass after first touch
        double best = 1e30;
        for (int i = 0; i < tuning::kReferenceMemoryRuns; ++i)
          best = std::min(best, prepared->timed_run());
        const double gbps = memory_kernel_->bytes(memory_shape_, env_) / best / 1e9;
        memory_points_.push_back({when, gbps});
        spdlog::info("memory reference {} {} MiB at the {}: {:.1f} GB/s ({:.2f} s)",
                     memory_kernel_->id, memory_shape_.array_bytes >> 20, when, gbps,
                     seconds_since(started));
      } catch (const std::exception& error) {
        spdlog::warn("memory reference {} failed at the {}: {}", memory_kernel_->id, when,
                     error.what());
        memory_kernel_ = nullptr;  // not enough memory now: not later either
      }
    }
  }

  // {"kernel", "at": [...], "gflops": [...], "drift": (max - min) / max, "memory": {"kernel",
  // "array_bytes", "at", "gbps", "drift"}}; null without a kernel.
  Json result() const {
    if (kernel_ == nullptr || points_.empty()) return Json();
    Json out = series(points_, "gflops");
    out["kernel"] = kernel_->id;
    if (memory_kernel_ != nullptr && !memory_points_.empty()) {
      Json memory = series(memory_points_, "gbps");
      memory["kernel"] = memory_kernel_->id;
      memory["array_bytes"] = memory_shape_.array_bytes;
      out["memory"] = std::move(memory);
    }
    return out;
  }

 private:
  using Points = std::vector<std::pair<std::string, double>>;
  static Json series(const Points& points, const char* unit) {
    Json at = Json::array();
    Json rates = Json::array();
    double low = 1e300;
    double high = 0;
    for (const auto& [when, rate] : points) {
      at.push_back(when);
      rates.push_back(std::round(rate * 10) / 10);
      low = std::min(low, rate);
      high = std::max(high, rate);
    }
    return Json::object(
        {{"at", at},
         {unit, rates},
         {"drift", high > 0 ? std::round((high - low) / high * 1000) / 1000 : 0.0}});
  }

  const KernelEnv& env_;
  const KernelDescriptor* kernel_ = nullptr;
  PeakShape shape_;
  std::unique_ptr<PreparedKernel> prepared_;
  Points points_;
  const KernelDescriptor* memory_kernel_ = nullptr;
  BandwidthShape memory_shape_;
  Points memory_points_;
};

// ---- The ETA --------------------------------------------------------------------------------

// Remaining time from the calls timed so far: each kernel class's mean time per call times its
// calls still to run (classes not seen yet take the mean over every class). The budget is only
// the fallback before the first call ends: it says how long the run should take, not how long it
// does (first touches of 1 GiB arrays, slow emulated types).
class Eta {
 public:
  Eta(const PlannedRun& planned, double budget_s) : budget_s_(budget_s) {
    for (const PlannedCall& call : planned.calls) {
      if (call.unavailable.empty() && call.skipped.empty()) ++left_[call.kernel->kind];
    }
  }
  void done(KernelClass kind, double seconds) {
    auto& [sum, count] = spent_[kind];
    sum += seconds;
    ++count;
    total_s_ += seconds;
    ++total_calls_;
    if (left_[kind] > 0) --left_[kind];
  }
  double remaining_s(double elapsed_s) const {
    if (total_calls_ == 0) return std::max(0.0, budget_s_ - elapsed_s);
    const double overall = total_s_ / static_cast<double>(total_calls_);
    double remaining = 0;
    for (const auto& [kind, calls] : left_) {
      auto spent = spent_.find(kind);
      const double per_call = spent != spent_.end() && spent->second.second > 0
                                  ? spent->second.first / spent->second.second
                                  : overall;
      remaining += per_call * static_cast<double>(calls);
    }
    return remaining;
  }

 private:
  double budget_s_;
  std::map<KernelClass, int> left_;
  std::map<KernelClass, std::pair<double, int>> spent_;
  double total_s_ = 0;
  int total_calls_ = 0;
};

}  // namespace

RunResult run_plan(const PlannedRun& planned, const CalibrationPlan& plan, const KernelEnv& env,
                   const std::function<void(const RunProgress&)>& progress,
                   const std::atomic<bool>* stop, TrialObserver* observer) {
  const PlanDefaults defaults = plan_defaults(plan.plan);
  const double budget_s = plan.time_budget_s > 0 ? plan.time_budget_s : defaults.time_budget_s;
  const auto start = Clock::now();
  RunResult result;
  result.warnings = planned.warnings;

  std::size_t runnable_left = 0;
  for (const PlannedCall& call : planned.calls) {
    runnable_left += call.unavailable.empty() && call.skipped.empty() ? 1 : 0;
  }
  GemmBudget gemm_budget(defaults);
  Eta eta(planned, budget_s);
  std::optional<ReferenceProbe> reference;
  if (runnable_left > 0) {
    reference.emplace(planned, plan, env);
    reference->time("start");
  }
  const std::size_t middle = planned.calls.size() / 2;

  for (std::size_t i = 0; i < planned.calls.size(); ++i) {
    check_stop(stop);
    if (reference && i == middle && i > 0) reference->time("middle");
    const PlannedCall& call = planned.calls[i];
    const KernelDescriptor& kernel = *call.kernel;
    MeasurementRecord record = base_record(kernel, env);
    const double elapsed = seconds_since(start);
    if (progress) {
      progress({i, planned.calls.size(), describe(kernel, call.shape), elapsed,
                eta.remaining_s(elapsed)});
    }
    if (!call.unavailable.empty()) {
      record.status = MeasurementStatus::unsupported;
      record.message = call.unavailable;
      spdlog::info("{}: unsupported: {}", kernel.id, call.unavailable);
      result.measurements.push_back(record);
      continue;
    }
    if (!call.skipped.empty()) {
      record.shape = shape_record(call.shape);
      record.status = MeasurementStatus::skipped;
      record.message = call.skipped;
      spdlog::info("{}: skipped: {}", describe(kernel, call.shape), call.skipped);
      result.measurements.push_back(record);
      continue;
    }
    // This call's share of what is left of the budget.
    const double share_s =
        std::max(tuning::kMinShareS, (budget_s - elapsed) / static_cast<double>(runnable_left));
    --runnable_left;
    KernelShape shape = call.shape;
    record.residency = call.residency;
    const auto started = Clock::now();
    try {
      size_call(kernel, call, env, defaults, shape);
      record_shape(record, kernel, shape, env);
      if (auto* gemm = std::get_if<GemmShape>(&shape)) {
        const long long planned_n = gemm->n;
        if (!gemm_budget.fit(kernel, call, env, share_s, budget_s, *gemm, record)) {
          spdlog::info("{}: skipped: {}", describe(kernel, shape), record.message);
          eta.done(kernel.kind, seconds_since(started));
          result.measurements.push_back(record);
          continue;
        }
        if (gemm->n != planned_n) {
          record_shape(record, kernel, shape, env);
          record.shape.extra = Json::object({{"planned_n", planned_n}});
          spdlog::info("{}: {}", kernel.id, record.message);
        }
      }
      spdlog::debug("{}: share of the budget {:.2f} s, {}", kernel.id, share_s,
                    describe(kernel, shape));

      // Preparing (allocation, first touch, oneDNN's primitive creation, JIT) stays out of the
      // samples, and so do the warm-ups: the same kernel and size then reads the same run to run.
      std::unique_ptr<PreparedKernel> prepared = kernel.prepare(shape, env);
      const auto call_start = Clock::now();
      record.threads = static_cast<long long>(prepared->threads_used());
      std::optional<WindowClock> window_clock;
      if (auto load = window_clock_load(kernel)) window_clock.emplace(*load, env.cpus);
      std::function<void()> between;
      if (window_clock) between = [&] { window_clock->sample(); };
      const std::vector<double> samples =
          time_trials(*prepared, defaults.warmups, StoppingCriterion(defaults, share_s), call_start,
                      stop, observer, record, between);
      if (window_clock) window_clock->write(record);
      const SampleStats stats = compute_stats(samples);
      const double rate = record_throughput(record, kernel.kind, stats);
      if (!is_bandwidth(kernel.kind)) gemm_budget.remember(kernel.id, rate);
      record_verdict(record, prepared->verify(), defaults.min_trials);
      spdlog::info("{}: {} trials, cv {:.1f}%, {:.2f} s{}", describe(kernel, shape), samples.size(),
                   stats.cv * 100, seconds_since(started),
                   record.message.empty() ? "" : "; " + record.message);
    } catch (const Interrupted&) {
      throw;
    } catch (...) {
      record_failure(record, std::current_exception());
      spdlog::info("{}: {}: {}", kernel.id, to_string(record.status), record.message);
    }
    eta.done(kernel.kind, seconds_since(started));
    result.measurements.push_back(record);
  }
  if (reference) {
    reference->time("end");
    result.reference = reference->result();
  }
  if (progress) {
    double elapsed = seconds_since(start);
    progress({planned.calls.size(), planned.calls.size(), "", elapsed, 0});
  }

  for (std::string& warning : plateau_warnings(result.measurements)) {
    result.warnings.push_back(std::move(warning));
  }
  add_fractions_of_ceiling(result.measurements);
  return result;
}

void add_fractions_of_ceiling(std::vector<MeasurementRecord>& records) {
  std::map<Precision, double> ceiling;
  for (const MeasurementRecord& record : records) {
    if (record.status == MeasurementStatus::passed && record.gflops && record.precision &&
        kernel_class_of(record) == KernelClass::peak_fma) {
      double& best = ceiling[*record.precision];
      best = std::max(best, record.gflops->best);
    }
  }
  for (MeasurementRecord& record : records) {
    if (record.status != MeasurementStatus::passed || !record.gflops || !record.precision ||
        kernel_class_of(record) != KernelClass::gemm) {
      continue;
    }
    auto found = ceiling.find(*record.precision);
    if (found != ceiling.end() && found->second > 0) {
      record.fraction_of_ceiling = record.gflops->best / found->second;
    }
  }
}

}  // namespace hwcal
