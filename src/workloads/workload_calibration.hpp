// What `calibrate --workloads` adds to a calibration run: the plan (workloads, precisions,
// batches, backend, trials), running every configuration into the profile's `workloads`, the
// roofline predictions from the entry's resource model, and the tables calibrate prints.
//
// Predictions use the entry's resource model (build_resource_model) in the profile's power mode.
// Its calibrated roof takes the efficiencies of this run's own micro-benchmarks when the run has
// them (the run summarized as export_calibration would, on a copy of the entry), else those of
// the entry's stored calibration_summary; the record says which. Without an entry there is no
// prediction, and the record says so.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "hwcal/database/spec.hpp"
#include "hwcal/database/workload.hpp"
#include "measure/runner.hpp"
#include "profile/profile.hpp"
#include "workloads/workload_runner.hpp"

namespace hwcal {

// Batches when --batch is not given.
std::vector<long long> default_workload_batches();

struct WorkloadPlan {
  std::vector<Workload> workloads;
  std::vector<Precision> precisions;  // canonical order
  std::vector<long long> batches;
  std::shared_ptr<const WorkloadBackend> backend;
  // GPU: "cuda-graph", measured beside each configuration of `backend` ("cuda"); its end-to-end
  // time goes into the record's `graph`, with `launch_overhead_share` (see attach_graph_timing).
  std::shared_ptr<const WorkloadBackend> graph_backend;
  WorkloadSettings settings;
  std::size_t configurations() const {
    return workloads.size() * precisions.size() * batches.size();
  }
};

// UsageError for an unknown workload or backend, a batch below 1, or precisions of which no
// workload runs any (workloads run fp32, fp16, bf16, int8; an empty list means all four).
WorkloadPlan plan_workloads(const std::vector<std::string>& names,
                            const std::vector<long long>& batches,
                            const std::vector<Precision>& precisions, const std::string& backend,
                            Plan plan);

// The GPU's plan for CUDA device `gpu`: backend "auto" measures "cuda" and, beside it,
// "cuda-graph"; "cuda" or "cuda-graph" measures that one alone. Precisions default to fp32 and fp16
// (what the GPU backends compute); others asked for are recorded as unsupported. UsageError as
// above, and for a backend other than auto, cuda or cuda-graph (or any in a build without CUDA).
WorkloadPlan plan_gpu_workloads(const std::vector<std::string>& names,
                                const std::vector<long long>& batches,
                                const std::vector<Precision>& precisions,
                                const std::string& backend, Plan plan, int gpu);

// Adds the graph-captured measurement of the same configuration to a layer-by-layer record, in
// its extra fields: `graph` {backend, status, message, samples_s, best_s, median_s} and, when
// both passed, `launch_overhead_share` = 1 - graph median / layer-by-layer median (the share of
// the layer-by-layer time that launching costs; negative when the graph is slower).
void attach_graph_timing(WorkloadRecord& record, const WorkloadRecord& graph);

// The plan as the profile's settings record it: names, precisions, batches, backend, trials.
Json workload_settings_json(const WorkloadPlan& plan);

// Every configuration in order (workload, then precision, then batch), each recorded whatever
// its outcome. Energy is read from the package counter under `sysroot` where it can be.
// Interrupted when `stop` is set.
std::vector<WorkloadRecord> run_workloads(const WorkloadPlan& plan, const NetworkConfig& base,
                                          const std::filesystem::path& sysroot,
                                          const std::function<void(const RunProgress&)>& progress,
                                          const std::atomic<bool>* stop = nullptr);

// Adds the roofline predictions to the profile's workload records (see above). `profile_path`
// is where the profile will be stored, for the summary made from this run.
void predict_workloads(CalibrationProfile& profile, const HardwareSpec* spec,
                       const std::string& profile_path);

// One line per configuration: latency best and median, images/s, the prediction on the
// calibrated roof, the bound and the stack efficiency, the status.
std::string render_workload_table(const CalibrationProfile& profile);
// One line per layer of one configuration.
std::string render_workload_layers(const WorkloadRecord& record);

}  // namespace hwcal
