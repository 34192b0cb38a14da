// Calibration history: the profiles folder of an entry (profiles/<vendor>/<id>/<mode>/) holds
// every run, immutable and timestamped. This module reads it per power mode, finds runs that
// regressed against the median of the earlier ones (the CI gate), and compares two profiles
// kernel by kernel with a Mann-Whitney U test on their samples (as google/benchmark's
// compare.py does). Models first, then console and JSON renderers; summarize_database prints
// them (--history, --fail-on-regression, --compare).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/stats.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/json/diagnostics.hpp"
#include "profile/profile.hpp"
#include "summary/summary.hpp"

namespace hwcal {

struct HistoryRun {
  std::string path;                   // POSIX, relative to the database root's parent
  std::string date;                   // the run's started_at
  RunPeaks peaks;                     // the run's own figures, unrounded
  bool in_summary = false;            // linked by the entry's calibration_profiles
  std::string host;                   // the host name it recorded ("" before profiles kept one)
  std::vector<std::string> problems;  // why it was noisy (quality.hpp); empty: it was not
  std::vector<std::string> warnings;  // the profile's own warnings
  // The whole run, for the regression gate's test on its trials.
  std::shared_ptr<const CalibrationProfile> profile;
};

struct ModeHistory {
  std::string mode;
  bool is_default = false;
  std::vector<HistoryRun> runs;  // oldest first
};

struct EntryHistory {
  std::string id;
  std::string model;
  std::string folder;              // profiles/<vendor>/<id>
  std::vector<ModeHistory> modes;  // the entry's mode order, then folders it no longer defines
  Diagnostics problems;            // profiles in the folder that cannot be read
};

// Every stored run of `spec` under `base`/profiles/<vendor>/<id>/. An entry never calibrated has
// no modes.
EntryHistory load_history(const HardwareSpec& spec, const std::filesystem::path& base);

std::string render_history_console(const EntryHistory& history);
std::string render_history_json(const EntryHistory& history);

struct Regression {
  std::string id;
  std::string mode;
  std::string what;  // a precision name, or "bandwidth"
  std::string unit;
  std::string latest_path;
  std::string latest_date;
  double latest = 0;
  double earlier_median = 0;
  std::size_t earlier_runs = 0;
  std::vector<std::string> compared;  // the earlier runs' paths
  std::string record;  // the record behind the figure: "cpu_gemm_fp32_openblas n=2048"
  // The test on the trials' throughputs (latest against the earlier runs' pooled trials of the
  // same kernel and size); absent where either side kept no samples.
  std::optional<MannWhitneyResult> test;
  double noise = 0;                          // the larger cv of the two sides' throughputs
  std::vector<std::string> latest_problems;  // the latest run was noisy: why
};

// Runs whose latest figure is more than `fraction` below the median of that mode's earlier runs
// (a mode needs at least one earlier run) and, where both sides kept their trials, whose trials
// are significantly slower than the earlier runs' trials of the same kernel and size by more than
// their noise (the test --compare uses). Without trials the fraction alone decides, and the
// regression says it was not tested.
std::vector<Regression> find_regressions(const EntryHistory& history, double fraction);
std::string describe(const Regression& regression);

// Every run that was a regression when it was the latest: find_regressions over each mode's
// runs up to and including each run in turn. The HTML report marks them on its history charts.
std::vector<Regression> find_regressions_over_time(const EntryHistory& history, double fraction);

// One kernel measured in both profiles: same kernel, device, precision and size (GEMM m, n, k;
// a bandwidth kernel's array size). How long one call was (FMA iterations, passes over the
// arrays) is not part of the pairing: each trial is compared as a throughput, its work over its
// seconds, so runs that sized their calls differently still compare.
struct KernelComparison {
  std::string label;  // "cuda_gemm_fp32_cublas m=n=k=4096"
  std::string unit;   // GFLOPS, GIOPS or GB/s
  double old_best = 0;
  double new_best = 0;
  std::optional<double> old_median;  // the median trial's throughput
  std::optional<double> new_median;
  std::optional<MannWhitneyResult> test;  // on the trials' throughputs; absent without samples
  double noise = 0;                       // the larger cv of the two runs' trial throughputs
  // The median throughput's change, new over old, minus one (0 without medians).
  double change() const;
  // Significant (p < kSignificanceLevel) and larger than the noise of the two runs.
  bool significant() const;
  // "faster", "slower", "within noise" (significant but not beyond the noise), "no change"
  // (not significant), "untested" (no samples on a side).
  std::string verdict() const;
};

inline constexpr double kSignificanceLevel = 0.05;  // compare.py's default alpha

struct ProfileComparison {
  std::string old_label;
  std::string new_label;
  std::vector<KernelComparison> kernels;  // in the old profile's order
  std::vector<std::string> only_old;
  std::vector<std::string> only_new;
  // Kernels measured in both at different sizes only: "cpu_gemm_fp32_openblas: old n=2048, new
  // n=512".
  std::vector<std::string> sizes_differ;
};

ProfileComparison compare_profiles(const CalibrationProfile& old_profile,
                                   const CalibrationProfile& new_profile,
                                   const std::string& old_label, const std::string& new_label);

// A record's trials as throughputs (GFLOP/s or GB/s): the work of one call over each trial's
// seconds. Empty without samples or without the work per call.
std::vector<double> trial_throughputs(const MeasurementRecord& record);

std::string render_comparison_console(const ProfileComparison& comparison);
std::string render_comparison_json(const ProfileComparison& comparison);

}  // namespace hwcal
