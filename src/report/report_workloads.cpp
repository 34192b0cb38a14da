#include "report/report_workloads.hpp"

#include <fmt/format.h>

#include "hwcal/json/json_reader.hpp"
#include "report/report_text.hpp"
#include "summary/workload_summary.hpp"

namespace hwcal {
namespace {

using report_text::csv_field;

std::string ms_text(const std::optional<double>& value) {
  return value ? fmt::format("{:.4g}", *value) : std::string("-");
}

std::string percent_text(const std::optional<double>& fraction) {
  return fraction ? format_percent(*fraction) : std::string("-");
}

Json roof_pair(const RoofPair& pair) {
  return Json::object({{"calibrated", value_or_null(pair.calibrated)},
                       {"theoretical", value_or_null(pair.theoretical)}});
}

// What the roofline said of a whole network or of one layer: the same three fields in both.
template <typename Row>
void put_roofline_fields(Json& item, const Row& row) {
  item["predicted_ms"] = roof_pair(row.predicted_ms);
  item["stack_efficiency"] = roof_pair(row.stack_efficiency);
  item["bound"] = value_or_null(row.bound);
}

}  // namespace

std::vector<WorkloadRow> workload_rows(const HardwareSpec& spec) {
  std::vector<WorkloadRow> rows;
  if (!spec.workload_summary) return rows;
  for (const auto& [mode, summary] : spec.workload_summary->by_power_mode) {
    for (const WorkloadResult& result : summary.results) rows.push_back({mode, result, {}});
  }
  return rows;
}

void add_workload_layers(EntryReport& entry, const HardwareSpec& spec,
                         const std::filesystem::path& base) {
  for (WorkloadRow& row : entry.workloads) {
    std::optional<WorkloadRecord> record = workload_layers(spec, row.power_mode, row.result, base);
    if (!record) continue;
    for (const LayerRecord& layer : record->layers) {
      WorkloadLayerRow out;
      out.name = layer.name;
      out.kind = layer.kind;
      out.flops = layer.flops;
      out.bytes = layer.bytes;
      if (layer.stats_s) {
        out.best_ms = layer.stats_s->min * 1e3;
        if (layer.stats_s->median) out.median_ms = *layer.stats_s->median * 1e3;
      }
      if (layer.roofline) {
        for (auto [roof, target_ms, target_efficiency] :
             {std::tuple{&layer.roofline->calibrated, &out.predicted_ms.calibrated,
                         &out.stack_efficiency.calibrated},
              std::tuple{&layer.roofline->theoretical, &out.predicted_ms.theoretical,
                         &out.stack_efficiency.theoretical}}) {
          if (!*roof) continue;
          *target_ms = (*roof)->seconds * 1e3;
          *target_efficiency = (*roof)->stack_efficiency;
        }
        if (layer.roofline->calibrated) out.bound = layer.roofline->calibrated->bound;
      }
      out.implementation = layer.implementation;
      row.layers.push_back(out);
    }
  }
}

std::string console_workloads(const EntryReport& entry) {
  std::string out;
  std::string mode;
  for (const WorkloadRow& row : entry.workloads) {
    const WorkloadResult& result = row.result;
    if (out.empty() || row.power_mode != mode) {
      mode = row.power_mode;
      out += fmt::format("  {:<26} {:>5} {:>10} {:>9} {:>10} {:>9} {:<7}\n",
                         fmt::format("workloads, mode {}", mode), "batch", "latency ms", "images/s",
                         "predicted", "stack eff", "bound");
    }
    out += fmt::format("    {:<24} {:>5} {:>10} {:>9} {:>10} {:>9} {:<7} {}\n",
                       fmt::format("{} {}", result.workload, to_string(result.precision)),
                       result.batch, ms_text(result.latency_ms), format_rate(result.images_per_s),
                       ms_text(result.predicted_ms.calibrated),
                       percent_text(result.stack_efficiency.calibrated), result.bound.value_or("-"),
                       result.backend);
  }
  return out;
}

std::string markdown_workloads(const EntryReport& entry) {
  if (entry.workloads.empty()) return "";
  std::string out =
      "\n| workload | precision | batch | mode | latency ms | images/s | predicted ms | stack "
      "efficiency | bound | backend |\n"
      "| --- | --- | ---: | --- | ---: | ---: | ---: | ---: | --- | --- |\n";
  for (const WorkloadRow& row : entry.workloads) {
    const WorkloadResult& result = row.result;
    out += fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", result.workload,
                       to_string(result.precision), result.batch, row.power_mode,
                       ms_text(result.latency_ms), format_rate(result.images_per_s),
                       ms_text(result.predicted_ms.calibrated),
                       percent_text(result.stack_efficiency.calibrated), result.bound.value_or("-"),
                       result.backend);
  }
  return out;
}

Json json_workloads(const EntryReport& entry) {
  Json rows = Json::array();
  for (const WorkloadRow& row : entry.workloads) {
    const WorkloadResult& result = row.result;
    Json item = Json::object();
    item["power_mode"] = row.power_mode;
    item["workload"] = result.workload;
    item["device"] = result.device;
    item["precision"] = std::string(to_string(result.precision));
    item["batch"] = result.batch;
    item["backend"] = result.backend;
    item["latency_ms"] = result.latency_ms;
    item["best_latency_ms"] = result.best_latency_ms;
    item["images_per_s"] = result.images_per_s;
    put_roofline_fields(item, result);
    item["energy_j_per_image"] = value_or_null(result.energy_j_per_image);
    item["runs"] = result.runs;
    item["calibration_date"] = result.calibration_date;
    if (!row.layers.empty()) {
      Json layers = Json::array();
      for (const WorkloadLayerRow& layer : row.layers) {
        Json layer_item = Json::object();
        layer_item["name"] = layer.name;
        layer_item["kind"] = layer.kind;
        layer_item["flops"] = layer.flops;
        layer_item["bytes"] = layer.bytes;
        layer_item["best_ms"] = value_or_null(layer.best_ms);
        layer_item["median_ms"] = value_or_null(layer.median_ms);
        put_roofline_fields(layer_item, layer);
        layer_item["implementation"] = value_or_null(layer.implementation);
        layers.push_back(layer_item);
      }
      item["layers"] = layers;
    }
    rows.push_back(item);
  }
  return rows;
}

std::string csv_workloads(const EntryReport& entry, const std::string& identity) {
  std::string out;
  auto number = [](const std::optional<double>& value) {
    return value ? fmt::format("{}", *value) : std::string();
  };
  for (const WorkloadRow& row : entry.workloads) {
    const WorkloadResult& result = row.result;
    const bool is_default = row.power_mode == entry.default_mode;
    const std::string prefix =
        fmt::format("{},{},{}", identity, csv_field(row.power_mode), is_default ? "true" : "false");
    const std::string metric = fmt::format("workload:{}:{}:b{}", result.workload,
                                           to_string(result.precision), result.batch);
    std::optional<double> predicted_images;
    if (result.predicted_ms.calibrated && *result.predicted_ms.calibrated > 0) {
      predicted_images = static_cast<double>(result.batch) * 1e3 / *result.predicted_ms.calibrated;
    }
    // The "theoretical" column of a workload is the calibrated roofline's prediction.
    out += fmt::format("{},{},ms,{},{},{},{},calibrated_roofline\n", prefix, metric,
                       number(result.predicted_ms.calibrated), result.latency_ms,
                       number(result.stack_efficiency.calibrated), result.calibration_date);
    out += fmt::format("{},{},images/s,{},{},{},{},calibrated_roofline\n", prefix, metric,
                       number(predicted_images), result.images_per_s,
                       number(result.stack_efficiency.calibrated), result.calibration_date);
  }
  return out;
}

}  // namespace hwcal
