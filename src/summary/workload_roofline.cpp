#include "summary/workload_roofline.hpp"

#include "hwcal/base/error.hpp"

namespace hwcal {
namespace {

RooflineRecord roof_record(double seconds, Bound bound, const NetworkEstimate& network,
                           const std::optional<TrialStats>& measured) {
  RooflineRecord record;
  record.seconds = seconds;
  record.bound = std::string(to_string(bound));
  record.peak_gflops = network.peak_gflops;
  record.bandwidth_gbps = network.bandwidth_gbps;
  record.compute_calibrated = network.compute_calibrated;
  record.bandwidth_calibrated = network.bandwidth_calibrated;
  if (measured && measured->median && *measured->median > 0) {
    record.stack_efficiency = seconds / *measured->median;
  }
  return record;
}

}  // namespace

NetworkEstimate estimate_network(const ResourceModel& model, const std::vector<Work>& layers,
                                 Precision precision, std::string_view mode, Roof roof) {
  NetworkEstimate network;
  // The roofs themselves, also for a network without layers: errors surface here.
  const RoofLimits limits = roof_limits(model, precision, mode, roof);
  network.peak_gflops = limits.peak_gflops;
  network.bandwidth_gbps = limits.bandwidth_gbps;
  network.compute_calibrated = limits.compute_calibrated;
  network.bandwidth_calibrated = limits.bandwidth_calibrated;
  for (const Work& work : layers) {
    RooflineEstimate layer = estimate(model, work.flops, work.bytes, precision, mode, roof);
    network.seconds += layer.seconds;
    (layer.bound == Bound::compute ? network.compute_bound_seconds
                                   : network.memory_bound_seconds) += layer.seconds;
    network.layers.push_back(layer);
  }
  network.bound =
      network.memory_bound_seconds > network.compute_bound_seconds ? Bound::memory : Bound::compute;
  return network;
}

std::vector<Work> recorded_work(const WorkloadRecord& record) {
  std::vector<Work> work;
  work.reserve(record.layers.size());
  for (const LayerRecord& layer : record.layers) work.push_back({layer.flops, layer.bytes});
  return work;
}

void add_predictions(WorkloadRecord& record, const ResourceModel& model, std::string_view mode,
                     const std::string& calibration) {
  if (record.status != MeasurementStatus::passed) return;
  WorkloadPrediction prediction;
  prediction.calibration = calibration;
  std::vector<NetworkEstimate> roofs;
  try {
    for (Roof roof : {Roof::calibrated, Roof::theoretical}) {
      roofs.push_back(estimate_network(model, recorded_work(record), record.precision, mode, roof));
    }
  } catch (const DataError& error) {
    prediction.calibration.clear();
    prediction.message = error.what();
    record.roofline = prediction;
    return;
  }
  prediction.calibrated = roof_record(roofs[0].seconds, roofs[0].bound, roofs[0], record.stats_s);
  prediction.theoretical = roof_record(roofs[1].seconds, roofs[1].bound, roofs[1], record.stats_s);
  record.roofline = prediction;
  for (std::size_t i = 0; i < record.layers.size(); ++i) {
    LayerRecord& layer = record.layers[i];
    WorkloadPrediction layer_prediction;
    layer_prediction.calibrated =
        roof_record(roofs[0].layers[i].seconds, roofs[0].layers[i].bound, roofs[0], layer.stats_s);
    layer_prediction.theoretical =
        roof_record(roofs[1].layers[i].seconds, roofs[1].layers[i].bound, roofs[1], layer.stats_s);
    layer.roofline = layer_prediction;
  }
}

}  // namespace hwcal
