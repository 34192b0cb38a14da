// How good a profile's numbers are, read from the profile alone so that calibrate, export, the
// summary, the report and the regression gate judge it the same way (docs/calibrate.md, Quality):
// each record's trials and spread (n, cv, fewer trials than the plan, a size shrunk to fit the
// budget, other processes busy during its trials) and the run's conditions (other processes'
// share of the CPUs and the hypervisor's steal during the trials, the reference kernel's drift
// between the start and the end). A profile is *noisy* when its conditions say the machine was
// not the machine's own: export then refuses it unless told --accept-noisy.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hwcal/json/json_io.hpp"
#include "profile/profile.hpp"

namespace hwcal {

// Where a run's conditions make it noisy, and where a record's spread earns a caveat.
inline constexpr double kNoisyOtherCpuShare = 0.10;  // other processes, during the trials
inline constexpr double kNoisyStealShare = 0.05;     // stolen by the hypervisor
inline constexpr double kNoisyDrift = 0.05;          // reference kernel, start to end
inline constexpr double kNoisyMemoryDrift = 0.10;    // memory reference (DRAM triad)
// Between this run and the previous run of the same host, device and power mode: when a
// reference moved more than this, the two runs' figures are not comparable as they stand, and
// the profile says so (a warning, not noise: either run may be the odd one).
inline constexpr double kMovedComputeReference = 0.05;
inline constexpr double kMovedMemoryReference = 0.10;
inline constexpr double kNoisyRecordCv = 0.05;  // a record's samples
// A run whose passed records have a median cv above this is noisy as well.
inline constexpr double kNoisyMedianCv = 0.05;

// The profile's `conditions` block as numbers (calibrate writes it; older profiles have none,
// and every field is then empty).
struct RunConditions {
  std::optional<std::string> host_name;
  std::optional<bool> virtual_machine;
  std::optional<double> other_cpu_share_before;  // the 0.25 s before the run
  std::optional<double> other_cpu_share;         // over every trial window
  std::optional<double> other_cpu_share_max;     // the largest of one kernel's window
  std::optional<double> steal_share;
  std::optional<double> drift;  // reference kernel: (max - min) / max
  std::optional<std::string> reference_kernel;
  std::optional<double> memory_drift;  // memory reference: (max - min) / max
  std::optional<std::string> memory_reference_kernel;
  std::optional<double> compute_reference;  // median of the points: GFLOPS
  std::optional<double> memory_reference;   // median of the points: GB/s
};
RunConditions conditions_of(const CalibrationProfile& profile);

struct RecordQuality {
  std::size_t trials = 0;
  double cv = 0;
  bool below_min_trials = false;
  std::optional<long long> planned_n;  // the size the plan asked for, where it had to shrink
  std::optional<double> other_cpu_share;
  std::vector<std::string> caveats;  // "cv 12%", "2 of 5 trials", "n shrunk from 4096", "busy 35%"
};
// Of a passed record; a record without samples has no caveats and 0 trials.
RecordQuality record_quality(const MeasurementRecord& record, const CalibrationProfile& profile);

struct ProfileQuality {
  std::size_t passed = 0;
  std::size_t below_min_trials = 0;
  std::size_t shrunk = 0;
  std::size_t spread = 0;  // passed records with cv above kNoisyRecordCv
  double max_cv = 0;
  std::string max_cv_record;  // "cpu_stream_triad 1 MiB"
  double median_cv = 0;
  RunConditions conditions;
  std::vector<std::string> problems;  // why it is noisy; empty: it is not
  bool noisy() const { return !problems.empty(); }
};
ProfileQuality assess_profile(const CalibrationProfile& profile);

// "20 kernels passed; 3 below the plan's trials; largest cv 4.1% (cpu_stream_triad 1 MiB);
// other processes 2% of the CPUs during the trials; reference drift 1.2%"
std::string quality_line(const ProfileQuality& quality);
// The fields the summary and the JSON views carry: {"noisy", "problems", "passed", "max_cv",
// "median_cv", "below_min_trials", "shrunk", "other_cpu_share", "steal_share", "drift"}.
Json quality_to_json(const ProfileQuality& quality);

// How the references of `now` moved against `before` (an earlier run of the same host, device
// and power mode): {"profile": before_name, "started_at", "compute_change", "memory_change"}
// (changes as fractions, now / before - 1; a reference either run lacks is null); null when the
// two share no reference.
Json reference_change(const CalibrationProfile& now, const CalibrationProfile& before,
                      const std::string& before_name);
// The warnings such a change earns: "the memory reference reads 27% below the previous run's
// (FILE, DATE): ...". Empty when both moved less than kMoved*Reference.
std::vector<std::string> reference_change_warnings(const Json& change);

// "n=2048", "64 KiB", "-": a record's size as the views print it.
std::string record_size_text(const MeasurementRecord& record);

}  // namespace hwcal
