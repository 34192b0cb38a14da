// Calibration summaries (docs/schema.md): calibration runs of one entry in one power
// mode become a ModeSummary, and every calibrated mode becomes the entry's calibration_summary
// and calibration_profiles. export_calibration writes what these functions return and
// `summarize_database --check` re-derives it from the linked profiles, so both use this code
// and nothing else computes a summary.
//
// Per run: the measured peak of a precision is its best passed GEMM over sizes (library or
// hand-written, emulated paths excluded), the arithmetic ceiling its best peak-FMA kernel, the
// bandwidth the best DRAM-resident STREAM kernel (a device-local copy where the run has no
// STREAM). Over runs: the median of the runs' figures, with [min, max] in
// measured_peaks_range. Efficiencies divide by the database's peaks for the power mode
// (spec.peak_for_mode, bandwidth_for_mode), never by a profile's copy of them.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "hwcal/database/spec.hpp"
#include "hwcal/json/diagnostics.hpp"
#include "profile/profile.hpp"

namespace hwcal {

// A run below the median of its mode's runs by more than this is reported by name.
inline constexpr double kOutlierRunFraction = 0.10;

// One profile with the path it is (or will be) stored under: POSIX, relative to the database
// root's parent, e.g. profiles/nvidia/jetson_orin_nano_gpu/25W/20251116T100426Z.json.
struct CalibrationRun {
  CalibrationProfile profile;
  std::string path;
};

// What one run measured, before aggregation and rounding.
struct RunPeaks {
  PeakTable measured;                    // best GEMM per precision
  PeakTable ceiling;                     // best peak-FMA kernel per precision
  std::optional<double> bandwidth_gbps;  // best DRAM-resident STREAM, else device-local copy
  std::string framework;                 // "cublas-12.6.1", "openblas-0.3.26+native-gcc-13.2"
  // The spread behind those figures: the same record's median rate (the figures are its best),
  // and which record set each figure (an index into the profile's measurements), so a reader
  // can name the kernel and library and find its trials without searching again.
  PeakTable measured_median;
  std::map<Precision, std::size_t> measured_record;
  std::optional<std::size_t> bandwidth_record;
  std::optional<double> bandwidth_median_gbps;
};
RunPeaks run_peaks(const CalibrationProfile& profile);

struct ModeSummaryResult {
  ModeSummary summary;
  // For people, not for the file: runs more than 10% below the median (named), measured
  // precisions the database has no peak for.
  std::vector<std::string> notes;
};

// How good the runs are, for the summary's `quality` (docs/schema.md): noisy runs, the largest
// cv, the median of the runs' median cvs, the largest other-process share and drift, and each
// noisy run's problems by date. Null when no run recorded its conditions (profiles from before
// calibrate did), so older summaries re-derive as they were.
Json runs_quality(const std::vector<CalibrationRun>& runs);

// Summarizes the runs of `spec` in power mode `mode` ("default" for an entry without modes).
// DataError when `runs` is empty or no run measured a GEMM or a DRAM bandwidth.
ModeSummaryResult summarize_mode(const HardwareSpec& spec, const std::string& mode,
                                 std::vector<CalibrationRun> runs);

// The mode the summary's top-level fields describe: the entry's default_power_mode when it is
// calibrated, else the highest-clocked calibrated mode (by the mode's clock of the entry's own
// device type, then its other clocks; never by name: "7W" sorts above "25W" as a string).
std::string headline_mode(const HardwareSpec& spec, const std::vector<std::string>& calibrated);

// The entry's calibration_summary and calibration_profiles from every calibrated mode's summary
// and the runs behind it. Unknown fields of the entry's current summary and links are kept.
struct EntryCalibration {
  CalibrationSummary summary;
  CalibrationProfiles profiles;
};
EntryCalibration build_entry_calibration(
    const HardwareSpec& spec, const std::map<std::string, ModeSummary>& by_mode,
    const std::map<std::string, std::vector<std::string>>& paths_by_mode);

// The drift check: re-derives the entry's calibration_summary from the profiles that
// calibration_profiles links and reports, as errors against `file`, every field that differs,
// every linked profile that is missing or unreadable, and a summary without links. Nothing for
// an entry that was never calibrated.
Diagnostics check_calibration(const HardwareSpec& spec, const std::string& file,
                              const std::filesystem::path& base);

// Every difference between a stored summary object and a re-derived one, as errors against
// `file` at the field's pointer (numbers equal within a billionth are equal). The drift checks
// of calibration and workload summaries share it.
void compare_derived_json(const Json& stored, const Json& derived, const std::string& pointer,
                          const std::string& file, Diagnostics& diagnostics);

// The rounding summaries use, so that what is written validates and re-derives identically:
// rates to 0.1 (0.001 below 10), efficiencies to 4 decimals where validation's tolerance
// allows it.
double round_rate(double value);
double round_efficiency(double value);

}  // namespace hwcal
