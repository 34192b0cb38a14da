#include "summary/summary.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "base/stats.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/validate.hpp"
#include "profile/legacy_profile.hpp"
#include "profile/profile_store.hpp"
#include "profile/quality.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

bool usable(const MeasurementRecord& record) {
  return record.status == MeasurementStatus::passed && !record.emulated;
}

void keep_best(PeakTable& table, Precision precision, double value) {
  auto [it, inserted] = table.emplace(precision, value);
  if (!inserted) it->second = std::max(it->second, value);
}

std::string backend_label(const CalibrationProfile& profile, const std::string& name) {
  const BackendInfo* backend = profile.find_backend(name);
  if (backend != nullptr && backend->version) return name + "-" + *backend->version;
  return name;
}

double rounded(double value, int decimals) {
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

// Numbers equal within a billionth: the same rounding gives the same double, but a file may
// spell 640 as 640.0.
bool same_number(double a, double b) {
  return std::fabs(a - b) <= 1e-9 * std::max({1.0, std::fabs(a), std::fabs(b)});
}

std::string rate_text(double value) { return fmt::format("{:.1f}", value); }

std::string show(const Json& value) {
  if (value.is_null()) return "nothing";
  if (value.is_string()) return "'" + value.get<std::string>() + "'";
  return value.dump();
}

// Every difference between a stored and a re-derived summary object, as errors.
void compare_json(const Json& stored, const Json& derived, const std::string& pointer,
                  const std::string& file, Diagnostics& diagnostics) {
  if (stored.is_number() && derived.is_number()) {
    if (!same_number(stored.get<double>(), derived.get<double>())) {
      diagnostics.error(
          file, pointer,
          fmt::format("stored {} but the linked profiles give {}", show(stored), show(derived)));
    }
    return;
  }
  if (stored.is_object() && derived.is_object()) {
    std::set<std::string> keys;
    for (const auto& [key, value] : stored.items()) {
      (void)value;
      keys.insert(key);
    }
    for (const auto& [key, value] : derived.items()) {
      (void)value;
      keys.insert(key);
    }
    for (const std::string& key : keys) {
      auto a = stored.find(key);
      auto b = derived.find(key);
      const Json missing;
      compare_json(a == stored.end() ? missing : *a, b == derived.end() ? missing : *b,
                   pointer_append(pointer, key), file, diagnostics);
    }
    return;
  }
  if (stored.is_array() && derived.is_array() && stored.size() == derived.size()) {
    for (std::size_t i = 0; i < stored.size(); ++i) {
      compare_json(stored[i], derived[i], pointer_append(pointer, i), file, diagnostics);
    }
    return;
  }
  if (stored != derived) {
    diagnostics.error(
        file, pointer,
        fmt::format("stored {} but the linked profiles give {}", show(stored), show(derived)));
  }
}

Json comparable(const ModeSummary& summary) {
  ModeSummary copy = summary;
  copy.extra = Json();  // unknown fields are the user's; they are kept, not derived
  return mode_summary_to_json(copy);
}

// The clocks a mode is ranked by: its clock of the entry's device type, then the sum of all.
std::tuple<double, double> mode_rank(const HardwareSpec& spec, const std::string& name) {
  const PowerMode* mode = spec.find_power_mode(name);
  if (mode == nullptr) return {0.0, 0.0};
  double own = 0;
  double total = 0;
  const std::string key(to_string(spec.device_type));
  for (const auto& [clock, mhz] : mode->clocks_mhz) {
    total += mhz;
    if (clock == key) own = mhz;
  }
  return {own, total};
}

}  // namespace

void compare_derived_json(const Json& stored, const Json& derived, const std::string& pointer,
                          const std::string& file, Diagnostics& diagnostics) {
  compare_json(stored, derived, pointer, file, diagnostics);
}

double round_rate(double value) { return rounded(value, std::fabs(value) >= 10 ? 1 : 3); }

double round_efficiency(double value) {
  // Validation accepts |stored - measured/peak| <= kEfficiencyTolerance * max(value, 0.01); a
  // quarter of that keeps the stored figure safely inside.
  const double allowed = 0.25 * kEfficiencyTolerance * std::max(std::fabs(value), 0.01);
  for (int decimals = 4; decimals <= 8; ++decimals) {
    const double candidate = rounded(value, decimals);
    if (std::fabs(candidate - value) <= allowed) return candidate;
  }
  return value;
}

RunPeaks run_peaks(const CalibrationProfile& profile) {
  RunPeaks peaks;
  std::map<Precision, std::string> gemm_backend;
  std::optional<double> stream;
  std::optional<double> copy;
  std::optional<double> stream_median;
  std::optional<double> copy_median;
  std::string bandwidth_backend;
  std::string stream_backend;
  std::optional<std::size_t> stream_record;
  std::optional<std::size_t> copy_record;
  for (std::size_t index = 0; index < profile.measurements.size(); ++index) {
    const MeasurementRecord& record = profile.measurements[index];
    if (!usable(record)) continue;
    const KernelClass kind = kernel_class_of(record);
    if (kind == KernelClass::gemm && record.precision && record.gflops) {
      auto current = peaks.measured.find(*record.precision);
      if (current == peaks.measured.end() || record.gflops->best > current->second) {
        peaks.measured[*record.precision] = record.gflops->best;
        peaks.measured_median[*record.precision] =
            record.gflops->median.value_or(record.gflops->best);
        peaks.measured_record[*record.precision] = index;
        gemm_backend[*record.precision] = record.backend;
      }
    } else if (kind == KernelClass::peak_fma && record.precision && record.gflops) {
      keep_best(peaks.ceiling, *record.precision, record.gflops->best);
    } else if ((kind == KernelClass::stream || kind == KernelClass::copy) && record.gbps &&
               record.residency == Residency::dram) {
      std::optional<double>& best = kind == KernelClass::stream ? stream : copy;
      if (!best || record.gbps->best > *best) {
        best = record.gbps->best;
        (kind == KernelClass::stream ? stream_median : copy_median) =
            record.gbps->median.value_or(record.gbps->best);
        (kind == KernelClass::stream ? stream_record : copy_record) = index;
        (kind == KernelClass::stream ? stream_backend : bandwidth_backend) = record.backend;
      }
    }
  }
  peaks.bandwidth_gbps = stream ? stream : copy;
  peaks.bandwidth_median_gbps = stream ? stream_median : copy_median;
  peaks.bandwidth_record = stream ? stream_record : copy_record;
  if (stream) bandwidth_backend = stream_backend;

  std::vector<std::string> labels;
  auto add_label = [&](const std::string& backend) {
    std::string label = backend_label(profile, backend);
    if (std::find(labels.begin(), labels.end(), label) == labels.end()) labels.push_back(label);
  };
  for (const auto& [precision, backend] : gemm_backend) add_label(backend);
  if (labels.empty() && peaks.bandwidth_gbps) add_label(bandwidth_backend);
  for (const std::string& label : labels) {
    peaks.framework += (peaks.framework.empty() ? "" : "+") + label;
  }
  return peaks;
}

Json runs_quality(const std::vector<CalibrationRun>& runs) {
  bool any_conditions = false;
  for (const CalibrationRun& run : runs) {
    any_conditions = any_conditions ||
                     (run.profile.extra.is_object() && run.profile.extra.contains("conditions"));
  }
  if (!any_conditions) return Json();
  long long noisy = 0;
  double max_cv = 0;
  std::vector<double> median_cvs;
  std::optional<double> other;
  std::optional<double> drift;
  std::optional<double> memory_drift;
  Json warnings = Json::array();
  for (const CalibrationRun& run : runs) {
    const ProfileQuality quality = assess_profile(run.profile);
    if (quality.noisy()) ++noisy;
    max_cv = std::max(max_cv, quality.max_cv);
    if (quality.passed > 0) median_cvs.push_back(quality.median_cv);
    const RunConditions& c = quality.conditions;
    if (c.other_cpu_share) other = std::max(other.value_or(0), *c.other_cpu_share);
    if (c.drift) drift = std::max(drift.value_or(0), *c.drift);
    if (c.memory_drift) memory_drift = std::max(memory_drift.value_or(0), *c.memory_drift);
    for (const std::string& problem : quality.problems) {
      warnings.push_back(fmt::format("{}: {}", run.profile.started_at, problem));
    }
  }
  auto rounded = [](double value) { return std::round(value * 1000) / 1000; };
  Json block = Json::object({{"noisy_runs", noisy},
                             {"max_cv", rounded(max_cv)},
                             {"median_cv", median_cvs.empty() ? 0.0 : rounded(median(median_cvs))},
                             {"other_cpu_share", other ? Json(rounded(*other)) : Json()},
                             {"drift", drift ? Json(rounded(*drift)) : Json()}});
  // Only where a run measured it, so the summaries of older runs re-derive unchanged.
  if (memory_drift) block["memory_drift"] = rounded(*memory_drift);
  block["warnings"] = warnings;
  return block;
}

ModeSummaryResult summarize_mode(const HardwareSpec& spec, const std::string& mode,
                                 std::vector<CalibrationRun> runs) {
  if (runs.empty()) throw DataError(spec.id, "", "no calibration runs to summarize");
  std::sort(runs.begin(), runs.end(), [](const CalibrationRun& a, const CalibrationRun& b) {
    return std::tie(a.profile.started_at, a.path) < std::tie(b.profile.started_at, b.path);
  });
  std::vector<RunPeaks> peaks;
  for (const CalibrationRun& run : runs) peaks.push_back(run_peaks(run.profile));

  ModeSummaryResult result;
  ModeSummary& summary = result.summary;
  auto flag_outliers = [&](const std::string& what, const std::vector<std::size_t>& which,
                           const std::vector<double>& values, double middle,
                           std::string_view unit) {
    if (values.size() < 2) return;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (values[i] < middle * (1 - kOutlierRunFraction)) {
        result.notes.push_back(fmt::format(
            "run {} ({}): {} {} {} is {:.1f}% below the median {} of {} runs", runs[which[i]].path,
            runs[which[i]].profile.started_at, what, rate_text(values[i]), unit,
            (1 - values[i] / middle) * 100, rate_text(middle), values.size()));
      }
    }
  };

  auto aggregate = [&](PeakTable RunPeaks::*table, PeakTable& into, bool ranges) {
    std::set<Precision> precisions;
    for (const RunPeaks& run : peaks) {
      for (const auto& [precision, value] : run.*table) {
        (void)value;
        precisions.insert(precision);
      }
    }
    for (Precision precision : precisions) {
      std::vector<double> values;
      std::vector<std::size_t> which;
      for (std::size_t i = 0; i < peaks.size(); ++i) {
        auto found = (peaks[i].*table).find(precision);
        if (found != (peaks[i].*table).end()) {
          values.push_back(found->second);
          which.push_back(i);
        }
      }
      const double middle = round_rate(median(values));
      into[precision] = middle;
      if (ranges) {
        const auto [low, high] = std::minmax_element(values.begin(), values.end());
        summary.measured_peaks_range[precision] = {round_rate(*low), round_rate(*high)};
        flag_outliers(std::string(to_string(precision)), which, values, middle,
                      throughput_unit(precision));
      }
    }
  };
  aggregate(&RunPeaks::measured, summary.measured_peaks, true);
  aggregate(&RunPeaks::ceiling, summary.arithmetic_ceiling, false);

  std::vector<double> bandwidths;
  std::vector<std::size_t> which;
  for (std::size_t i = 0; i < peaks.size(); ++i) {
    if (peaks[i].bandwidth_gbps) {
      bandwidths.push_back(*peaks[i].bandwidth_gbps);
      which.push_back(i);
    }
  }
  if (!bandwidths.empty()) {
    summary.measured_bandwidth_gbps = round_rate(median(bandwidths));
    flag_outliers("bandwidth", which, bandwidths, *summary.measured_bandwidth_gbps, "GB/s");
  }
  if (summary.measured_peaks.empty() && !summary.measured_bandwidth_gbps) {
    throw DataError(runs.back().path, "/measurements",
                    "no passed GEMM and no DRAM-resident bandwidth measurement: nothing to "
                    "summarize");
  }

  std::vector<double> efficiencies;
  for (const auto& [precision, measured] : summary.measured_peaks) {
    auto peak = spec.peak_for_mode(precision, mode);
    if (!peak || *peak <= 0) {
      result.notes.push_back(fmt::format(
          "{} was measured ({} {}) but the entry has no theoretical {} peak: no efficiency",
          to_string(precision), rate_text(measured), throughput_unit(precision),
          to_string(precision)));
      continue;
    }
    summary.efficiency[precision] = round_efficiency(measured / *peak);
    efficiencies.push_back(summary.efficiency[precision]);
  }
  if (summary.measured_bandwidth_gbps) {
    const double peak = spec.bandwidth_for_mode(mode);
    if (peak > 0) {
      summary.bandwidth_efficiency = round_efficiency(*summary.measured_bandwidth_gbps / peak);
    }
  }
  if (!efficiencies.empty()) {
    double total = 0;
    for (double value : efficiencies) total += value;
    summary.avg_efficiency = round_efficiency(total / static_cast<double>(efficiencies.size()));
  }
  summary.quality = runs_quality(runs);
  const CalibrationRun& newest = runs.back();
  summary.calibration_date = newest.profile.started_at;
  summary.power_mode = mode;
  summary.framework = peaks.back().framework;
  summary.profile_path = newest.path;
  summary.runs = static_cast<long long>(runs.size());
  return result;
}

std::string headline_mode(const HardwareSpec& spec, const std::vector<std::string>& calibrated) {
  if (calibrated.empty()) return "";
  if (spec.default_power_mode && std::find(calibrated.begin(), calibrated.end(),
                                           *spec.default_power_mode) != calibrated.end()) {
    return *spec.default_power_mode;
  }
  std::string best = calibrated.front();
  for (const std::string& mode : calibrated) {
    const auto rank = mode_rank(spec, mode);
    const auto best_rank = mode_rank(spec, best);
    if (rank > best_rank || (rank == best_rank && mode < best)) best = mode;
  }
  return best;
}

EntryCalibration build_entry_calibration(
    const HardwareSpec& spec, const std::map<std::string, ModeSummary>& by_mode,
    const std::map<std::string, std::vector<std::string>>& paths_by_mode) {
  EntryCalibration result;
  std::vector<std::string> calibrated;
  for (const auto& [mode, summary] : by_mode) {
    (void)summary;
    calibrated.push_back(mode);
  }
  const std::string headline = headline_mode(spec, calibrated);
  Json top_extra;
  std::map<std::string, Json> mode_extra;
  if (spec.calibration_summary) {
    top_extra = spec.calibration_summary->extra;
    for (const auto& [mode, summary] : spec.calibration_summary->by_power_mode) {
      mode_extra[mode] = summary.extra;
    }
  }
  if (!headline.empty()) static_cast<ModeSummary&>(result.summary) = by_mode.at(headline);
  result.summary.extra = top_extra;
  for (const auto& [mode, summary] : by_mode) {
    ModeSummary copy = summary;
    copy.extra = mode_extra.count(mode) ? mode_extra[mode] : Json();
    result.summary.by_power_mode[mode] = copy;
  }
  result.profiles.default_profile = result.summary.profile_path;
  result.profiles.power_modes = paths_by_mode;
  if (spec.calibration_profiles) result.profiles.extra = spec.calibration_profiles->extra;
  return result;
}

Diagnostics check_calibration(const HardwareSpec& spec, const std::string& file,
                              const fs::path& base) {
  Diagnostics diagnostics;
  if (!spec.calibration_summary && !spec.calibration_profiles) return diagnostics;
  if (!spec.calibration_profiles) {
    diagnostics.error(file, "/calibration_summary",
                      "the summary links no profiles (calibration_profiles is missing), so it "
                      "cannot be re-derived; export_calibration writes both");
    return diagnostics;
  }
  if (!spec.calibration_summary) {
    diagnostics.error(file, "/calibration_profiles",
                      "profiles are linked but there is no calibration_summary");
    return diagnostics;
  }
  const CalibrationSummary& stored = *spec.calibration_summary;
  const LegacyReadOptions legacy = legacy_options_for(spec);

  std::map<std::string, ModeSummary> derived = stored.by_power_mode;
  for (const auto& [mode, paths] : spec.calibration_profiles->power_modes) {
    const std::string modes_pointer = pointer_append("/calibration_profiles/power_modes", mode);
    std::vector<CalibrationRun> runs;
    bool complete = !paths.empty();
    if (paths.empty()) {
      diagnostics.error(file, modes_pointer, "no profile is linked for this power mode");
    }
    for (std::size_t i = 0; i < paths.size(); ++i) {
      const std::string pointer = pointer_append(modes_pointer, i);
      const std::string& path = paths[i];
      const LinkedRun linked = locate_linked_run(path, base);
      if (linked.problem == LinkedRunProblem::not_posix_relative) {
        diagnostics.error(file, pointer,
                          fmt::format("'{}' must be a POSIX path relative to the folder that "
                                      "holds the database (profiles/...)",
                                      path));
        complete = false;
        continue;
      }
      if (linked.problem == LinkedRunProblem::missing) {
        diagnostics.error(
            file, pointer,
            fmt::format("linked profile {} is missing (looked in {})", path, base.string()));
        complete = false;
        continue;
      }
      try {
        CalibrationRun run{load_profile_file(linked.file, path, legacy).profile, path};
        const CalibrationProfile& profile = run.profile;
        if (!profile.hardware_id.empty() && profile.hardware_id != spec.id) {
          diagnostics.error(file, pointer,
                            fmt::format("linked profile {} belongs to '{}', not to this entry",
                                        path, profile.hardware_id));
        }
        if (!profile.power_mode.empty() && profile.power_mode != mode) {
          diagnostics.error(file, pointer,
                            fmt::format("linked profile {} was measured in power mode {}, not {}",
                                        path, profile.power_mode, mode));
        }
        if (profile.device_type != spec.device_type) {
          diagnostics.error(
              file, pointer,
              fmt::format("linked profile {} is a {} profile but the entry is a {}", path,
                          to_string(profile.device_type), to_string(spec.device_type)));
        }
        runs.push_back(std::move(run));
      } catch (const Error& error) {
        diagnostics.error(file, pointer,
                          fmt::format("linked profile {} cannot be read: {}", path, error.what()));
        complete = false;
      }
    }
    auto stored_mode = stored.by_power_mode.find(mode);
    if (stored_mode == stored.by_power_mode.end()) {
      diagnostics.error(file, "/calibration_summary/by_power_mode",
                        fmt::format("power mode {} links profiles but has no summary", mode));
    }
    if (!complete) continue;
    try {
      ModeSummary summary = summarize_mode(spec, mode, std::move(runs)).summary;
      if (stored_mode != stored.by_power_mode.end()) {
        compare_json(comparable(stored_mode->second), comparable(summary),
                     pointer_append("/calibration_summary/by_power_mode", mode), file, diagnostics);
      }
      derived[mode] = summary;
    } catch (const DataError& error) {
      diagnostics.error(file, modes_pointer,
                        fmt::format("the linked profiles cannot be summarized: {}", error.what()));
    }
  }
  for (const auto& [mode, summary] : stored.by_power_mode) {
    (void)summary;
    if (spec.calibration_profiles->power_modes.count(mode) == 0) {
      diagnostics.error(
          file, pointer_append("/calibration_summary/by_power_mode", mode),
          "no profiles are linked for this power mode (calibration_profiles/power_modes)");
    }
  }

  // The top level describes the headline mode, and `default` links its newest run.
  EntryCalibration expected =
      build_entry_calibration(spec, derived, spec.calibration_profiles->power_modes);
  compare_json(comparable(stored), comparable(expected.summary), "/calibration_summary", file,
               diagnostics);
  if (spec.calibration_profiles->default_profile != expected.profiles.default_profile) {
    diagnostics.error(file, "/calibration_profiles/default",
                      fmt::format("stored '{}' but the summary's newest run of power mode {} is "
                                  "'{}'",
                                  spec.calibration_profiles->default_profile,
                                  expected.summary.power_mode, expected.profiles.default_profile));
  }
  return diagnostics;
}

}  // namespace hwcal
