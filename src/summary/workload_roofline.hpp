// Roofline predictions of workloads: each layer's work (workload.hpp's counts, as the profile
// records them) goes through roofline.hpp's estimate on an entry's resource model; a network's
// prediction is the sum of its layers' (each layer bound by its own limit), and the stack
// efficiency is predicted seconds / measured median seconds (1.0: the stack reaches the roof).
// calibrate records these in the profile; export_calibration and the drift check re-derive the
// network figures of the workload summary with the same function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "hwcal/database/workload.hpp"
#include "hwcal/model/resource_model.hpp"
#include "hwcal/model/roofline.hpp"
#include "profile/profile.hpp"

namespace hwcal {

struct NetworkEstimate {
  double seconds = 0;                // the sum of the layers' estimates
  double compute_bound_seconds = 0;  // the part of it from compute-bound layers
  double memory_bound_seconds = 0;
  Bound bound = Bound::compute;  // the limit that binds the larger part
  double peak_gflops = 0;        // the roofs used (the same for every layer)
  double bandwidth_gbps = 0;
  bool compute_calibrated = false;
  bool bandwidth_calibrated = false;
  std::vector<RooflineEstimate> layers;
};

// DataError (roofline.hpp's) when the mode is unknown or has no rate for the precision.
NetworkEstimate estimate_network(const ResourceModel& model, const std::vector<Work>& layers,
                                 Precision precision, std::string_view mode, Roof roof);

// The work of a recorded workload's layers, as the profile holds it.
std::vector<Work> recorded_work(const WorkloadRecord& record);

// Fills the roofline of a passed record and of each of its layers with both roofs of `model` in
// `mode`, and the stack efficiencies against the measured medians. `calibration` says where the
// model's efficiencies came from ("this run", "database", "none"). When the model cannot predict
// the precision (no peak), the record's roofline says why instead.
void add_predictions(WorkloadRecord& record, const ResourceModel& model, std::string_view mode,
                     const std::string& calibration);

}  // namespace hwcal
