// The `workload_summary` of an entry as a file holds it: reading, writing and the semantic rules
// validate_spec applies. Deriving the results from profiles is the summary layer's job
// (src/summary/workload_summary.cpp).
#include <cmath>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "hwcal/database/spec.hpp"
#include "hwcal/database/tolerances.hpp"
#include "hwcal/json/json_reader.hpp"

namespace hwcal {
namespace {

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

using ResultKey = std::tuple<std::string, Precision, long long, std::string>;

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

}  // namespace hwcal
