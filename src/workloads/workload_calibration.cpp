#include "workloads/workload_calibration.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "base/text.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/model/resource_model.hpp"
#include "measure/telemetry/energy.hpp"
#include "summary/summary.hpp"
#include "summary/workload_roofline.hpp"

namespace hwcal {
namespace {

std::string milliseconds(double seconds) { return fmt::format("{:.3f}", seconds * 1e3); }

std::string efficiency_text(const std::optional<RooflineRecord>& roof) {
  if (!roof || !roof->stack_efficiency) return "-";
  return format_percent(*roof->stack_efficiency);
}

}  // namespace

std::vector<long long> default_workload_batches() { return {1, 8, 32}; }

namespace {

// Workloads, batches and precisions (out of `offered`) of a plan, checked.
WorkloadPlan plan_configurations(const std::vector<std::string>& names,
                                 const std::vector<long long>& batches,
                                 const std::vector<Precision>& precisions,
                                 const std::vector<Precision>& offered, Plan plan) {
  WorkloadPlan result;
  for (const std::string& name : names) {
    Workload workload = resolve_workload(name);  // UsageError for an unknown name
    const bool seen =
        std::any_of(result.workloads.begin(), result.workloads.end(),
                    [&](const Workload& other) { return other.name == workload.name; });
    if (!seen) result.workloads.push_back(std::move(workload));
  }
  result.batches = batches.empty() ? default_workload_batches() : batches;
  for (long long batch : result.batches) {
    if (batch < 1) throw UsageError(fmt::format("--batch {}: a batch is at least 1", batch));
  }
  for (Precision precision : workload_precisions()) {
    const bool default_one = std::find(offered.begin(), offered.end(), precision) != offered.end();
    if ((precisions.empty() && default_one) ||
        (!precisions.empty() &&
         std::find(precisions.begin(), precisions.end(), precision) != precisions.end())) {
      result.precisions.push_back(precision);
    }
  }
  if (result.precisions.empty()) {
    throw UsageError(
        "--workloads run in fp32, fp16, bf16 or int8, and --precisions names none of them");
  }
  result.settings = workload_settings(plan);
  return result;
}

}  // namespace

WorkloadPlan plan_workloads(const std::vector<std::string>& names,
                            const std::vector<long long>& batches,
                            const std::vector<Precision>& precisions, const std::string& backend,
                            Plan plan) {
  WorkloadPlan result =
      plan_configurations(names, batches, precisions, workload_precisions(), plan);
  result.backend = make_cpu_workload_backend(backend);
  return result;
}

WorkloadPlan plan_gpu_workloads(const std::vector<std::string>& names,
                                const std::vector<long long>& batches,
                                const std::vector<Precision>& precisions,
                                const std::string& backend, Plan plan, int gpu) {
  WorkloadPlan result =
      plan_configurations(names, batches, precisions, {Precision::fp32, Precision::fp16}, plan);
  if (backend == "auto") {
    result.backend = make_gpu_workload_backend("cuda", gpu);
    result.graph_backend = make_gpu_workload_backend("cuda-graph", gpu);
  } else {
    result.backend = make_gpu_workload_backend(backend, gpu);
  }
  return result;
}

void attach_graph_timing(WorkloadRecord& record, const WorkloadRecord& graph) {
  Json timing = Json::object();
  timing["backend"] = graph.backend;
  timing["status"] = std::string(to_string(graph.status));
  if (!graph.message.empty()) timing["message"] = graph.message;
  timing["samples_s"] = graph.samples_s;
  if (graph.stats_s) {
    timing["best_s"] = graph.stats_s->min;
    if (graph.stats_s->median) timing["median_s"] = *graph.stats_s->median;
  }
  if (!record.extra.is_object()) record.extra = Json::object();
  record.extra["graph"] = timing;
  if (record.status == MeasurementStatus::passed && graph.status == MeasurementStatus::passed &&
      record.stats_s && record.stats_s->median && graph.stats_s && graph.stats_s->median &&
      *record.stats_s->median > 0) {
    record.extra["launch_overhead_share"] = 1.0 - *graph.stats_s->median / *record.stats_s->median;
  }
}

Json workload_settings_json(const WorkloadPlan& plan) {
  std::vector<std::string> names;
  for (const Workload& workload : plan.workloads) names.push_back(workload.name);
  std::vector<std::string> precisions;
  for (Precision precision : plan.precisions) precisions.emplace_back(to_string(precision));
  const WorkloadSettings& trials = plan.settings;
  Json settings = Json::object({{"names", names},
                                {"precisions", precisions},
                                {"batches", plan.batches},
                                {"backend", plan.backend->name()}});
  if (plan.graph_backend) settings["graph_backend"] = plan.graph_backend->name();
  settings["warmup_runs"] = trials.warmups;
  settings["min_trials"] = trials.min_trials;
  settings["max_trials"] = trials.max_trials;
  settings["target_cv"] = trials.target_cv;
  settings["time_budget_s"] = trials.time_budget_s;
  return settings;
}

std::vector<WorkloadRecord> run_workloads(const WorkloadPlan& plan, const NetworkConfig& base,
                                          const std::filesystem::path& sysroot,
                                          const std::function<void(const RunProgress&)>& progress,
                                          const std::atomic<bool>* stop) {
  std::string unreadable =
      "energy per image is read from the CPU package's counter only; the GPU's is not read yet";
  std::optional<EnergyCounter> energy;
  if (plan.backend->device() == "cpu") energy = EnergyCounter::open(sysroot, unreadable);
  std::vector<WorkloadRecord> records;
  RunProgress state;
  state.total = plan.configurations();
  for (const Workload& workload : plan.workloads) {
    for (Precision precision : plan.precisions) {
      for (long long batch : plan.batches) {
        state.current = fmt::format("{} {} batch {}", workload.name, to_string(precision), batch);
        if (progress) progress(state);
        NetworkConfig config = base;
        config.precision = precision;
        config.batch = batch;
        records.push_back(measure_workload(*plan.backend, workload, config, plan.settings,
                                           energy ? &*energy : nullptr, unreadable, stop));
        if (plan.graph_backend) {
          attach_graph_timing(records.back(),
                              measure_workload(*plan.graph_backend, workload, config, plan.settings,
                                               nullptr, unreadable, stop));
        }
        ++state.done;
      }
    }
  }
  state.current.clear();
  if (progress) progress(state);
  return records;
}

void predict_workloads(CalibrationProfile& profile, const HardwareSpec* spec,
                       const std::string& profile_path) {
  if (profile.workloads.empty()) return;
  if (spec == nullptr) {
    for (WorkloadRecord& record : profile.workloads) {
      if (record.status != MeasurementStatus::passed) continue;
      WorkloadPrediction none;
      none.message =
          "no database entry for this machine, so no resource model: no roofline prediction "
          "(add_hardware --from-detection adds one)";
      record.roofline = none;
    }
    return;
  }
  const std::string& mode = profile.power_mode;
  HardwareSpec model_spec = *spec;
  std::string calibration = find_mode_summary(*spec, mode) != nullptr ? "database" : "none";
  // This run's micro-benchmarks, summarized as export_calibration would: the freshest roofs.
  try {
    ModeSummaryResult summary = summarize_mode(*spec, mode, {{profile, profile_path}});
    std::map<std::string, ModeSummary> by_mode;
    std::map<std::string, std::vector<std::string>> paths;
    if (spec->calibration_summary) by_mode = spec->calibration_summary->by_power_mode;
    if (spec->calibration_profiles) paths = spec->calibration_profiles->power_modes;
    by_mode[mode] = summary.summary;
    paths[mode] = {profile_path};
    model_spec.calibration_summary = build_entry_calibration(*spec, by_mode, paths).summary;
    calibration = "this run";
  } catch (const DataError&) {
    // No GEMM and no DRAM bandwidth in this run (--kernels none): the stored calibration.
  }
  const ResourceModelStorage storage = build_resource_model(model_spec);
  for (WorkloadRecord& record : profile.workloads) {
    add_predictions(record, storage.model(), mode, calibration);
    // Faster than the calibrated roof: the roof is too low, not the stack too good. It scales
    // the datasheet peak by the micro-benchmark GEMM's efficiency, and the workload's backend
    // (oneDNN's own kernels) can beat that GEMM's library.
    if (record.status != MeasurementStatus::passed || !record.roofline ||
        !record.roofline->calibrated || !record.roofline->calibrated->stack_efficiency ||
        *record.roofline->calibrated->stack_efficiency <= 1.05) {
      continue;
    }
    const RooflineRecord& roof = *record.roofline->calibrated;
    std::string theoretical;
    if (record.roofline->theoretical && record.roofline->theoretical->stack_efficiency) {
      theoretical = fmt::format(" (on the theoretical roof: {})",
                                format_percent(*record.roofline->theoretical->stack_efficiency));
    }
    profile.warnings.push_back(fmt::format(
        "{} {} batch {} ran at {} of the calibrated roofline{}: the roof ({} {} GFLOPS, "
        "calibration from {}) is below what the {} backend reaches, so the micro-benchmark GEMM "
        "of this precision understates the machine",
        record.workload, to_string(record.precision), record.batch,
        format_percent(*roof.stack_efficiency), theoretical, format_rate(roof.peak_gflops),
        to_string(record.precision), record.roofline->calibration, record.backend));
  }
}

std::string render_workload_table(const CalibrationProfile& profile) {
  std::string out =
      fmt::format("{:<12} {:<9} {:>5} {:<8} {:>10} {:>10} {:>9} {:>12} {:<7} {:>9} {:>9}  {}\n",
                  "workload", "precision", "batch", "backend", "best ms", "median ms", "images/s",
                  "predicted ms", "bound", "stack eff", "theor eff", "status");
  for (const WorkloadRecord& record : profile.workloads) {
    std::string best = "-";
    std::string median = "-";
    std::string images = "-";
    std::string predicted = "-";
    std::string bound = "-";
    if (record.stats_s) {
      best = milliseconds(record.stats_s->min);
      median = record.stats_s->median ? milliseconds(*record.stats_s->median) : "-";
    }
    if (record.images_per_s && record.images_per_s->median) {
      images = format_rate(*record.images_per_s->median);
    }
    std::optional<RooflineRecord> calibrated;
    std::optional<RooflineRecord> theoretical;
    if (record.roofline) {
      calibrated = record.roofline->calibrated;
      theoretical = record.roofline->theoretical;
    }
    if (calibrated) {
      predicted = milliseconds(calibrated->seconds);
      bound = calibrated->bound;
    }
    std::string status(to_string(record.status));
    if (record.status != MeasurementStatus::passed && !record.message.empty()) {
      status += ": " + record.message;
    }
    out +=
        fmt::format("{:<12} {:<9} {:>5} {:<8} {:>10} {:>10} {:>9} {:>12} {:<7} {:>9} {:>9}  {}\n",
                    record.workload, to_string(record.precision), record.batch, record.backend,
                    best, median, images, predicted, bound, efficiency_text(calibrated),
                    efficiency_text(theoretical), status);
  }
  std::vector<std::string> notes;
  for (const WorkloadRecord& record : profile.workloads) {
    if (record.roofline && !record.roofline->message.empty()) {
      const std::string note = fmt::format("no prediction for {} {}: {}", record.workload,
                                           to_string(record.precision), record.roofline->message);
      if (std::find(notes.begin(), notes.end(), note) == notes.end()) notes.push_back(note);
    }
  }
  for (const WorkloadRecord& record : profile.workloads) {
    if (record.roofline && !record.roofline->calibration.empty()) {
      notes.push_back(fmt::format(
          "stack eff = predicted / median on the calibrated roof (efficiencies from {}); theor "
          "eff on the theoretical roof (datasheet or derived peaks)",
          record.roofline->calibration == "this run"   ? "this run's GEMM and STREAM results"
          : record.roofline->calibration == "database" ? "the entry's calibration_summary"
                                                       : "nowhere: uncalibrated, equal to theor"));
      break;
    }
  }
  for (const WorkloadRecord& record : profile.workloads) {
    if (record.energy && !record.energy->joules_per_image && !record.energy->message.empty()) {
      notes.push_back("energy per image: not recorded: " + record.energy->message);
      break;
    }
  }
  for (const WorkloadRecord& record : profile.workloads) {
    if (!record.extra.is_object() || !record.extra.contains("graph")) continue;
    const Json& graph = record.extra["graph"];
    const std::string backend = graph.value("backend", std::string("graph"));
    if (record.extra.contains("launch_overhead_share") && graph.contains("median_s") &&
        record.stats_s && record.stats_s->median) {
      notes.push_back(fmt::format(
          "{} {} batch {}: {} median {} ms against {} ms layer by layer: launch overhead {} of "
          "the layer-by-layer time",
          record.workload, to_string(record.precision), record.batch, backend,
          milliseconds(graph["median_s"].get<double>()), milliseconds(*record.stats_s->median),
          format_percent(record.extra["launch_overhead_share"].get<double>())));
    } else if (graph.contains("message") && graph["message"].get<std::string>() != record.message) {
      notes.push_back(fmt::format(
          "{} {} batch {}: {} {}: {}", record.workload, to_string(record.precision), record.batch,
          backend, graph.value("status", std::string()), graph["message"].get<std::string>()));
    }
  }
  for (const std::string& note : notes) out += note + "\n";
  return out;
}

std::string render_workload_layers(const WorkloadRecord& record) {
  std::string out = fmt::format("{} {} batch {} ({}), per layer:\n", record.workload,
                                to_string(record.precision), record.batch, record.backend);
  out += fmt::format("  {:<22} {:<15} {:>9} {:>9} {:>10} {:>10} {:>12} {:<7} {:>9}  {}\n", "layer",
                     "kind", "GFLOP", "MB", "best ms", "median ms", "predicted ms", "bound",
                     "stack eff", "implementation");
  for (const LayerRecord& layer : record.layers) {
    std::optional<RooflineRecord> calibrated;
    if (layer.roofline) calibrated = layer.roofline->calibrated;
    out += fmt::format(
        "  {:<22} {:<15} {:>9.4f} {:>9.3f} {:>10} {:>10} {:>12} {:<7} {:>9}  {}\n", layer.name,
        layer.kind, layer.flops / 1e9, layer.bytes / 1e6,
        layer.stats_s ? milliseconds(layer.stats_s->min) : "-",
        layer.stats_s && layer.stats_s->median ? milliseconds(*layer.stats_s->median) : "-",
        calibrated ? milliseconds(calibrated->seconds) : "-", calibrated ? calibrated->bound : "-",
        efficiency_text(calibrated), layer.implementation.value_or(""));
  }
  return out;
}

}  // namespace hwcal
