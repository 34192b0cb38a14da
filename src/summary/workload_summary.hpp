// Workload summaries: the `workload_summary` export_calibration writes into an entry, and the
// drift check that `summarize_database --check` runs on it, both from this code.
//
// Per power mode, the runs' passed workload records become one result per workload, device,
// precision and batch: the latency is the median over runs of each run's median pass, the best
// latency the fastest pass of any run, images/s the batch over the latency. The prediction is
// the sum of the layers' roofline times (workload_roofline.hpp) on the entry's own resource
// model, with the entry's calibration_summary as it stands after the export, and the stack
// efficiency is predicted / measured; so a changed peak or a new calibration re-derives it, and
// nothing is taken from the profile's own copy of a prediction (the predecessor's fault).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "hwcal/database/spec.hpp"
#include "hwcal/json/diagnostics.hpp"
#include "profile/profile.hpp"
#include "summary/summary.hpp"

namespace hwcal {

// True when the profile has a workload record (whatever its status).
bool has_workloads(const CalibrationProfile& profile);

// The mode's summary from `runs` (their paths become `profiles`, sorted). DataError when no
// run has a passed workload record.
WorkloadModeSummary summarize_workloads(const HardwareSpec& spec, const std::string& mode,
                                        const std::vector<CalibrationRun>& runs);

// Loads the runs a mode's summary links (paths relative to `base`, the database's parent).
// DataError naming the path when one is missing or unreadable.
std::vector<CalibrationRun> load_workload_runs(const WorkloadModeSummary& summary,
                                               const std::filesystem::path& base);

// The drift check: re-derives every mode's results from the profiles it links, with the entry's
// resource model, and reports each difference (and each missing or unreadable profile) as an
// error against `file`. Nothing for an entry without a workload summary.
Diagnostics check_workload_summary(const HardwareSpec& spec, const std::string& file,
                                   const std::filesystem::path& base);

// The per-layer detail of one result, for reports: the newest linked run's record of it, with
// the predictions re-derived on the entry's resource model. nullopt when it cannot be loaded.
std::optional<WorkloadRecord> workload_layers(const HardwareSpec& spec, const std::string& mode,
                                              const WorkloadResult& result,
                                              const std::filesystem::path& base);

}  // namespace hwcal
