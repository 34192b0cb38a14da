#include "hwcal/workload_summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "hwcal/error.hpp"
#include "hwcal/json_reader.hpp"
#include "hwcal/legacy_profile.hpp"
#include "hwcal/resource_model.hpp"
#include "hwcal/stats.hpp"
#include "hwcal/validate.hpp"
#include "hwcal/workload_roofline.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

// Latencies span microseconds to seconds: four significant digits, not a fixed decimal.
double round_significant(double value, int digits = 4) {
  if (value == 0 || !std::isfinite(value)) return value;
  const double magnitude = std::floor(std::log10(std::fabs(value)));
  const double scale = std::pow(10.0, digits - 1 - magnitude);
  return std::round(value * scale) / scale;
}

RoofPair parse_roof_pair(FieldReader& parent, const char* key) {
  RoofPair pair;
  const Json* object = parent.object(key);
  if (object == nullptr) return pair;
  FieldReader reader(*object, parent.file(), parent.pointer_of(key), parent.diagnostics());
  pair.calibrated = reader.number("calibrated");
  pair.theoretical = reader.number("theoretical");
  return pair;
}

Json roof_pair_to_json(const RoofPair& pair) {
  Json out = Json::object();
  put_optional(out, "calibrated", pair.calibrated);
  put_optional(out, "theoretical", pair.theoretical);
  return out;
}

WorkloadResult parse_result(FieldReader& reader) {
  WorkloadResult result;
  result.workload = reader.string("workload", true).value_or("");
  result.device = reader.string("device", true).value_or("");
  if (auto precision = reader.string("precision", true)) {
    if (auto parsed = parse_precision(*precision)) {
      result.precision = *parsed;
    } else {
      reader.error("precision", fmt::format("unknown precision '{}' (expected one of {})",
                                            *precision, precision_names()));
    }
  }
  result.batch = reader.integer("batch", true).value_or(1);
  if (result.batch < 1) reader.error("batch", "a batch is at least 1");
  result.backend = reader.string("backend").value_or("");
  result.latency_ms = reader.number("latency_ms", true).value_or(0);
  result.best_latency_ms = reader.number("best_latency_ms", true).value_or(0);
  result.images_per_s = reader.number("images_per_s", true).value_or(0);
  for (auto [key, value] : {std::pair{"latency_ms", result.latency_ms},
                            std::pair{"best_latency_ms", result.best_latency_ms},
                            std::pair{"images_per_s", result.images_per_s}}) {
    if (reader.has(key) && !(value > 0)) reader.error(key, "must be a positive number");
  }
  result.predicted_ms = parse_roof_pair(reader, "predicted_ms");
  result.stack_efficiency = parse_roof_pair(reader, "stack_efficiency");
  result.bound = reader.string("bound");
  if (result.bound && *result.bound != "compute" && *result.bound != "memory") {
    reader.error("bound",
                 fmt::format("unknown bound '{}' (expected compute or memory)", *result.bound));
  }
  result.energy_j_per_image = reader.number("energy_j_per_image");
  result.runs = reader.integer("runs").value_or(0);
  result.calibration_date = reader.string("calibration_date").value_or("");
  result.extra = reader.unknown_fields();
  return result;
}

std::string backend_label(const CalibrationProfile& profile, const std::string& name) {
  const BackendInfo* backend = profile.find_backend(name);
  if (backend != nullptr && backend->version) return name + "-" + *backend->version;
  return name;
}

using ResultKey = std::tuple<std::string, Precision, long long, std::string>;

Json comparable(WorkloadModeSummary summary) {
  summary.extra = Json();
  for (WorkloadResult& result : summary.results) result.extra = Json();
  Json out = Json::object();
  out["profiles"] = summary.profiles;
  Json results = Json::array();
  for (const WorkloadResult& result : summary.results) {
    results.push_back(workload_result_to_json(result));
  }
  out["results"] = results;
  return out;
}

bool is_posix_relative(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string::npos) return false;
  for (const auto& part : fs::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

}  // namespace

WorkloadSummary parse_workload_summary(const Json& object, const std::string& file,
                                       const std::string& pointer, Diagnostics& diagnostics) {
  WorkloadSummary summary;
  FieldReader reader(object, file, pointer, diagnostics);
  if (const Json* modes = reader.object("by_power_mode", true)) {
    for (const auto& [mode, value] : modes->items()) {
      const std::string mode_pointer = pointer_append(reader.pointer_of("by_power_mode"), mode);
      FieldReader mode_reader(value, file, mode_pointer, diagnostics);
      if (!mode_reader.valid()) continue;
      WorkloadModeSummary parsed;
      parsed.profiles =
          mode_reader.string_array("profiles", true).value_or(std::vector<std::string>{});
      if (const Json* results = mode_reader.array("results", true)) {
        for (std::size_t i = 0; i < results->size(); ++i) {
          FieldReader result_reader((*results)[i], file,
                                    pointer_append(mode_reader.pointer_of("results"), i),
                                    diagnostics);
          if (result_reader.valid()) parsed.results.push_back(parse_result(result_reader));
        }
      }
      parsed.extra = mode_reader.unknown_fields();
      summary.by_power_mode[mode] = parsed;
    }
  }
  summary.extra = reader.unknown_fields();
  return summary;
}

Json workload_result_to_json(const WorkloadResult& result) {
  Json out = Json::object();
  out["workload"] = result.workload;
  out["device"] = result.device;
  out["precision"] = std::string(to_string(result.precision));
  out["batch"] = result.batch;
  out["backend"] = result.backend;
  out["latency_ms"] = result.latency_ms;
  out["best_latency_ms"] = result.best_latency_ms;
  out["images_per_s"] = result.images_per_s;
  if (result.predicted_ms.calibrated || result.predicted_ms.theoretical) {
    out["predicted_ms"] = roof_pair_to_json(result.predicted_ms);
  }
  if (result.stack_efficiency.calibrated || result.stack_efficiency.theoretical) {
    out["stack_efficiency"] = roof_pair_to_json(result.stack_efficiency);
  }
  put_optional(out, "bound", result.bound);
  put_optional(out, "energy_j_per_image", result.energy_j_per_image);
  out["runs"] = result.runs;
  out["calibration_date"] = result.calibration_date;
  append_extra(out, result.extra);
  return out;
}

Json workload_summary_to_json(const WorkloadSummary& summary) {
  Json out = Json::object();
  Json modes = Json::object();
  for (const auto& [mode, mode_summary] : summary.by_power_mode) {
    Json item = Json::object();
    item["profiles"] = mode_summary.profiles;
    Json results = Json::array();
    for (const WorkloadResult& result : mode_summary.results) {
      results.push_back(workload_result_to_json(result));
    }
    item["results"] = results;
    append_extra(item, mode_summary.extra);
    modes[mode] = item;
  }
  out["by_power_mode"] = modes;
  append_extra(out, summary.extra);
  return out;
}

bool has_workloads(const CalibrationProfile& profile) { return !profile.workloads.empty(); }

WorkloadModeSummary summarize_workloads(const HardwareSpec& spec, const std::string& mode,
                                        const std::vector<CalibrationRun>& given) {
  std::vector<const CalibrationRun*> runs;
  for (const CalibrationRun& run : given) runs.push_back(&run);
  std::sort(runs.begin(), runs.end(), [](const CalibrationRun* a, const CalibrationRun* b) {
    return std::tie(a->profile.started_at, a->path) < std::tie(b->profile.started_at, b->path);
  });
  // Every passed record per key, oldest run first.
  std::map<ResultKey, std::vector<std::pair<const CalibrationRun*, const WorkloadRecord*>>> found;
  for (const CalibrationRun* run : runs) {
    for (const WorkloadRecord& record : run->profile.workloads) {
      if (record.status != MeasurementStatus::passed || !record.stats_s ||
          !record.stats_s->median || *record.stats_s->median <= 0) {
        continue;
      }
      found[{record.workload, record.precision, record.batch, record.device}].push_back(
          {run, &record});
    }
  }
  if (found.empty()) {
    throw DataError(runs.empty() ? spec.id : runs.back()->path, "/workloads",
                    "no passed workload record: no workload summary to derive");
  }
  const ResourceModelStorage storage = build_resource_model(spec);
  WorkloadModeSummary summary;
  for (const CalibrationRun* run : runs) summary.profiles.push_back(run->path);
  std::sort(summary.profiles.begin(), summary.profiles.end());
  for (const auto& [key, records] : found) {
    const auto& [run, newest] = records.back();
    std::vector<double> medians;
    std::vector<double> energies;
    double best = newest->stats_s->min;
    for (const auto& [unused, record] : records) {
      (void)unused;
      medians.push_back(*record->stats_s->median);
      best = std::min(best, record->stats_s->min);
      if (record->energy && record->energy->joules_per_image) {
        energies.push_back(*record->energy->joules_per_image);
      }
    }
    const double latency_s = median(medians);
    WorkloadResult result;
    result.workload = newest->workload;
    result.device = newest->device;
    result.precision = newest->precision;
    result.batch = newest->batch;
    result.backend = backend_label(run->profile, newest->backend);
    result.latency_ms = round_significant(latency_s * 1e3);
    result.best_latency_ms = round_significant(best * 1e3);
    result.images_per_s = round_significant(static_cast<double>(result.batch) / latency_s);
    try {
      const std::vector<Work> work = recorded_work(*newest);
      const NetworkEstimate calibrated =
          estimate_network(storage.model(), work, result.precision, mode, Roof::calibrated);
      const NetworkEstimate theoretical =
          estimate_network(storage.model(), work, result.precision, mode, Roof::theoretical);
      result.predicted_ms.calibrated = round_significant(calibrated.seconds * 1e3);
      result.predicted_ms.theoretical = round_significant(theoretical.seconds * 1e3);
      result.stack_efficiency.calibrated = round_efficiency(calibrated.seconds / latency_s);
      result.stack_efficiency.theoretical = round_efficiency(theoretical.seconds / latency_s);
      result.bound = std::string(to_string(calibrated.bound));
    } catch (const DataError&) {
      // No peak for this precision in the entry: measured figures only.
    }
    if (!energies.empty()) result.energy_j_per_image = round_significant(median(energies));
    result.runs = static_cast<long long>(records.size());
    result.calibration_date = run->profile.started_at;
    summary.results.push_back(result);
  }
  return summary;
}

std::vector<CalibrationRun> load_workload_runs(const WorkloadModeSummary& summary,
                                               const fs::path& base) {
  std::vector<CalibrationRun> runs;
  for (const std::string& path : summary.profiles) {
    if (!is_posix_relative(path)) {
      throw DataError(path, "",
                      "a linked profile must be a POSIX path relative to the folder "
                      "that holds the database (profiles/...)");
    }
    const fs::path full = base / path;
    std::error_code ec;
    if (!fs::is_regular_file(full, ec)) {
      throw DataError(path, "",
                      fmt::format("linked profile is missing (looked in {})", base.string()));
    }
    runs.push_back({load_profile_file(full, path).profile, path});
  }
  return runs;
}

Diagnostics check_workload_summary(const HardwareSpec& spec, const std::string& file,
                                   const fs::path& base) {
  Diagnostics diagnostics;
  if (!spec.workload_summary) return diagnostics;
  for (const auto& [mode, stored] : spec.workload_summary->by_power_mode) {
    const std::string pointer = pointer_append("/workload_summary/by_power_mode", mode);
    if (stored.profiles.empty()) {
      diagnostics.error(file, pointer_append(pointer, "profiles"),
                        "no profile is linked: the results cannot be re-derived");
      continue;
    }
    std::vector<CalibrationRun> runs;
    try {
      runs = load_workload_runs(stored, base);
    } catch (const Error& error) {
      diagnostics.error(file, pointer_append(pointer, "profiles"),
                        fmt::format("cannot re-derive the workload results: {}", error.what()));
      continue;
    }
    for (const CalibrationRun& run : runs) {
      if (!run.profile.hardware_id.empty() && run.profile.hardware_id != spec.id) {
        diagnostics.error(file, pointer_append(pointer, "profiles"),
                          fmt::format("linked profile {} belongs to '{}', not to this entry",
                                      run.path, run.profile.hardware_id));
      }
      if (!run.profile.power_mode.empty() && run.profile.power_mode != mode) {
        diagnostics.error(file, pointer_append(pointer, "profiles"),
                          fmt::format("linked profile {} was measured in power mode {}, not {}",
                                      run.path, run.profile.power_mode, mode));
      }
    }
    try {
      const WorkloadModeSummary derived = summarize_workloads(spec, mode, runs);
      compare_derived_json(comparable(stored), comparable(derived), pointer, file, diagnostics);
    } catch (const DataError& error) {
      diagnostics.error(file, pointer,
                        fmt::format("the linked profiles cannot be summarized: {}", error.what()));
    }
  }
  return diagnostics;
}

void validate_workload_summary(const HardwareSpec& spec, const std::string& file,
                               Diagnostics& diagnostics) {
  if (!spec.workload_summary) return;
  for (const auto& [mode, summary] : spec.workload_summary->by_power_mode) {
    const std::string pointer = pointer_append("/workload_summary/by_power_mode", mode);
    if (!spec.power_modes.empty() && spec.find_power_mode(mode) == nullptr) {
      diagnostics.error(file, pointer,
                        fmt::format("power mode '{}' is not one of the entry's power modes", mode));
    } else if (spec.power_modes.empty() && mode != "default") {
      diagnostics.error(file, pointer,
                        fmt::format("the entry has no power modes: its runs are 'default', not "
                                    "'{}'",
                                    mode));
    }
    std::set<ResultKey> keys;
    for (std::size_t i = 0; i < summary.results.size(); ++i) {
      const WorkloadResult& result = summary.results[i];
      const std::string item = pointer_append(pointer_append(pointer, "results"), i);
      if (!keys.insert({result.workload, result.precision, result.batch, result.device}).second) {
        diagnostics.error(file, item,
                          fmt::format("{} {} batch {} on {} appears twice", result.workload,
                                      to_string(result.precision), result.batch, result.device));
      }
      if (result.latency_ms > 0) {
        const double expected = static_cast<double>(result.batch) * 1e3 / result.latency_ms;
        if (std::fabs(result.images_per_s - expected) > kDerivationTolerance * expected) {
          diagnostics.error(
              file, pointer_append(item, "images_per_s"),
              fmt::format("{} images/s disagrees with batch / latency = {} / {} ms "
                          "= {:.4g}",
                          result.images_per_s, result.batch, result.latency_ms, expected));
        }
        for (auto [roof, predicted, efficiency] :
             {std::tuple{"calibrated", result.predicted_ms.calibrated,
                         result.stack_efficiency.calibrated},
              std::tuple{"theoretical", result.predicted_ms.theoretical,
                         result.stack_efficiency.theoretical}}) {
          if (!predicted || !efficiency) continue;
          const double ratio = *predicted / result.latency_ms;
          if (std::fabs(*efficiency - ratio) > kDerivationTolerance * std::max(ratio, 0.01)) {
            diagnostics.error(
                file, pointer_append(pointer_append(item, "stack_efficiency"), roof),
                fmt::format("{:.4f} disagrees with predicted / latency = {} / {} ms = {:.4f}",
                            *efficiency, *predicted, result.latency_ms, ratio));
          }
        }
      }
    }
  }
}

std::optional<WorkloadRecord> workload_layers(const HardwareSpec& spec, const std::string& mode,
                                              const WorkloadResult& result, const fs::path& base) {
  if (!spec.workload_summary) return std::nullopt;
  auto found = spec.workload_summary->by_power_mode.find(mode);
  if (found == spec.workload_summary->by_power_mode.end()) return std::nullopt;
  std::vector<CalibrationRun> runs;
  try {
    runs = load_workload_runs(found->second, base);
  } catch (const Error&) {
    return std::nullopt;
  }
  std::sort(runs.begin(), runs.end(), [](const CalibrationRun& a, const CalibrationRun& b) {
    return std::tie(a.profile.started_at, a.path) < std::tie(b.profile.started_at, b.path);
  });
  for (auto run = runs.rbegin(); run != runs.rend(); ++run) {
    for (const WorkloadRecord& record : run->profile.workloads) {
      if (record.status == MeasurementStatus::passed && record.workload == result.workload &&
          record.precision == result.precision && record.batch == result.batch &&
          record.device == result.device) {
        WorkloadRecord copy = record;
        const ResourceModelStorage storage = build_resource_model(spec);
        add_predictions(copy, storage.model(), mode,
                        find_mode_summary(spec, mode) != nullptr ? "database" : "none");
        return copy;
      }
    }
  }
  return std::nullopt;
}

}  // namespace hwcal
