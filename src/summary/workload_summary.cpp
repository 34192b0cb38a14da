#include "summary/workload_summary.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "base/stats.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/json/json_reader.hpp"
#include "hwcal/model/resource_model.hpp"
#include "profile/legacy_profile.hpp"
#include "profile/profile_store.hpp"
#include "summary/workload_roofline.hpp"

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

std::string backend_label(const CalibrationProfile& profile, const std::string& name) {
  const BackendInfo* backend = profile.find_backend(name);
  if (backend != nullptr && backend->version) return name + "-" + *backend->version;
  return name;
}

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

}  // namespace

bool has_workloads(const CalibrationProfile& profile) { return !profile.workloads.empty(); }

WorkloadModeSummary summarize_workloads(const HardwareSpec& spec, const std::string& mode,
                                        const std::vector<CalibrationRun>& given) {
  std::vector<const CalibrationRun*> runs;
  for (const CalibrationRun& run : given) runs.push_back(&run);
  std::sort(runs.begin(), runs.end(), [](const CalibrationRun* a, const CalibrationRun* b) {
    return std::tie(a->profile.started_at, a->path) < std::tie(b->profile.started_at, b->path);
  });
  // Every passed record per key, oldest run first.
  std::map<WorkloadResultKey, std::vector<std::pair<const CalibrationRun*, const WorkloadRecord*>>>
      found;
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
    const LinkedRun linked = locate_linked_run(path, base);
    if (linked.problem == LinkedRunProblem::not_posix_relative) {
      throw DataError(path, "",
                      "a linked profile must be a POSIX path relative to the folder "
                      "that holds the database (profiles/...)");
    }
    if (linked.problem == LinkedRunProblem::missing) {
      throw DataError(path, "",
                      fmt::format("linked profile is missing (looked in {})", base.string()));
    }
    runs.push_back({load_profile_file(linked.file, path).profile, path});
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
