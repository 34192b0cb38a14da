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
#include "json/json_fields.hpp"

namespace hwcal {
namespace {

const JsonFields<RoofPair> kRoofPairFields{
    field("calibrated", &RoofPair::calibrated),
    field("theoretical", &RoofPair::theoretical),
};

// latency_ms, best_latency_ms and images_per_s.
JsonField<WorkloadResult> positive(const char* key, double WorkloadResult::*member) {
  return field(key, member, Presence::required)
      .checked_if_present([key, member](FieldReader& reader, const WorkloadResult& result) {
        if (!(result.*member > 0)) reader.error(key, "must be a positive number");
      });
}

const EnumCodec<Precision> kPrecisionCodec{parse_precision, to_string, "precision",
                                           [] { return "one of " + precision_names(); }};

const JsonFields<WorkloadResult> kResultFields{
    &WorkloadResult::extra,
    {
        field("workload", &WorkloadResult::workload, Presence::required),
        field("device", &WorkloadResult::device, Presence::required),
        field("precision", &WorkloadResult::precision, Presence::required, kPrecisionCodec),
        field("batch", &WorkloadResult::batch, Presence::required)
            .checked([](FieldReader& reader, const WorkloadResult& result) {
              if (result.batch < 1) reader.error("batch", "a batch is at least 1");
            }),
        field("backend", &WorkloadResult::backend, Presence::always),
        positive("latency_ms", &WorkloadResult::latency_ms),
        positive("best_latency_ms", &WorkloadResult::best_latency_ms),
        positive("images_per_s", &WorkloadResult::images_per_s),
        field("predicted_ms", &WorkloadResult::predicted_ms, Presence::optional, kRoofPairFields),
        field("stack_efficiency", &WorkloadResult::stack_efficiency, Presence::optional,
              kRoofPairFields),
        field("bound", &WorkloadResult::bound)
            .checked([](FieldReader& reader, const WorkloadResult& result) {
              if (*result.bound != "compute" && *result.bound != "memory") {
                reader.error("bound",
                             unknown_name_message("bound", *result.bound, "compute or memory"));
              }
            }),
        field("energy_j_per_image", &WorkloadResult::energy_j_per_image),
        field("runs", &WorkloadResult::runs, Presence::always),
        field("calibration_date", &WorkloadResult::calibration_date, Presence::always),
    }};

const JsonFields<WorkloadModeSummary> kModeFields{
    &WorkloadModeSummary::extra,
    {
        field("profiles", &WorkloadModeSummary::profiles, Presence::required),
        field("results", &WorkloadModeSummary::results, Presence::required, kResultFields),
    }};

const JsonFields<WorkloadSummary> kSummaryFields{
    &WorkloadSummary::extra,
    {
        field("by_power_mode", &WorkloadSummary::by_power_mode, Presence::required,
              ObjectMapCodec<WorkloadModeSummary>{kModeFields}),
    }};

}  // namespace

WorkloadSummary parse_workload_summary(const Json& object, const std::string& file,
                                       const std::string& pointer, Diagnostics& diagnostics) {
  WorkloadSummary summary;
  FieldReader reader(object, file, pointer, diagnostics);
  kSummaryFields.read(reader, summary);
  return summary;
}

Json workload_result_to_json(const WorkloadResult& result) { return kResultFields.write(result); }

Json workload_summary_to_json(const WorkloadSummary& summary) {
  return kSummaryFields.write(summary);
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
    std::set<WorkloadResultKey> keys;
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
