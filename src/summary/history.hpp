// Calibration history: the profiles folder of an entry (profiles/<vendor>/<id>/<mode>/) holds
// every run, immutable and timestamped. This module reads it per power mode, finds runs that
// regressed against the median of the earlier ones (the CI gate), and compares two profiles
// kernel by kernel with a Mann-Whitney U test on their samples (as google/benchmark's
// compare.py does). Models first, then console and JSON renderers; summarize_database prints
// them (--history, --fail-on-regression, --compare).
#pragma once

#include <filesystem>
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
  std::string path;         // POSIX, relative to the database root's parent
  std::string date;         // the run's started_at
  RunPeaks peaks;           // the run's own figures, unrounded
  bool in_summary = false;  // linked by the entry's calibration_profiles
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
};

// Runs whose latest figure is more than `fraction` below the median of that mode's earlier runs
// (a mode needs at least one earlier run).
std::vector<Regression> find_regressions(const EntryHistory& history, double fraction);
std::string describe(const Regression& regression);

// Every run that was a regression when it was the latest: find_regressions over each mode's
// runs up to and including each run in turn. The HTML report marks them on its history charts.
std::vector<Regression> find_regressions_over_time(const EntryHistory& history, double fraction);

// One kernel measured in both profiles (same kernel, device, precision and shape).
struct KernelComparison {
  std::string label;  // "cuda_gemm_fp32_cublas m=n=k=4096"
  std::string unit;   // GFLOPS, GIOPS or GB/s
  double old_best = 0;
  double new_best = 0;
  std::optional<double> old_median;
  std::optional<double> new_median;
  std::optional<MannWhitneyResult> test;  // on the trials' seconds; absent without samples
  double old_time_median = 0;             // seconds, when tested
  double new_time_median = 0;
  bool significant() const;  // p < kSignificanceLevel
};

inline constexpr double kSignificanceLevel = 0.05;  // compare.py's default alpha

struct ProfileComparison {
  std::string old_label;
  std::string new_label;
  std::vector<KernelComparison> kernels;  // in the old profile's order
  std::vector<std::string> only_old;
  std::vector<std::string> only_new;
};

ProfileComparison compare_profiles(const CalibrationProfile& old_profile,
                                   const CalibrationProfile& new_profile,
                                   const std::string& old_label, const std::string& new_label);
std::string render_comparison_console(const ProfileComparison& comparison);
std::string render_comparison_json(const ProfileComparison& comparison);

}  // namespace hwcal
