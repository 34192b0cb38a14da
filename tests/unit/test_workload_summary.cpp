// Workload predictions, the workload summary export writes and the drift check that re-derives
// it: synthetic runs of known figures on a bundled entry.
#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/model/resource_model.hpp"
#include "hwcal/model/roofline.hpp"
#include "summary/summary.hpp"
#include "summary/workload_roofline.hpp"
#include "summary/workload_summary.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

// The i7-12700K: fp32 1497.6 GFLOPS, 76.8 GB/s, uncalibrated in the bundled database.
HardwareSpec cpu_entry() {
  return Database::load(test::bundled_database()).get("intel_core_i7_12700k").spec;
}

// Two layers: one compute-bound (1 GFLOP, 1 MB), one memory-bound (1 MFLOP, 100 MB).
WorkloadRecord record_of(double median_s, double best_s, long long batch = 4) {
  WorkloadRecord record;
  record.workload = "tiny";
  record.device = "cpu";
  record.backend = "onednn";
  record.precision = Precision::fp32;
  record.batch = batch;
  record.samples_s = {best_s, median_s, median_s * 1.1};
  record.stats_s = TrialStats::from(compute_stats(record.samples_s));
  record.flops = 1e9 + 1e6;
  record.bytes = 1e6 + 1e8;
  for (auto [name, flops, bytes] : {std::tuple{"conv", 1e9, 1e6}, std::tuple{"add", 1e6, 1e8}}) {
    LayerRecord layer;
    layer.name = name;
    layer.kind = name;
    layer.flops = flops;
    layer.bytes = bytes;
    layer.samples_s = {median_s / 2};
    layer.stats_s = TrialStats::from(compute_stats(layer.samples_s));
    record.layers.push_back(layer);
  }
  return record;
}

CalibrationProfile profile_with(std::vector<WorkloadRecord> records, const std::string& started) {
  CalibrationProfile profile;
  profile.tool.name = "calibrate";
  profile.tool.version = "0.1.0";
  profile.hardware_id = "intel_core_i7_12700k";
  profile.power_mode = "default";
  profile.started_at = started;
  BackendInfo onednn;
  onednn.name = "onednn";
  onednn.version = "2.6.3";
  profile.backends.push_back(onednn);
  profile.workloads = std::move(records);
  return profile;
}

TEST(WorkloadRoofline, NetworkIsTheSumOfItsLayers) {
  const HardwareSpec spec = cpu_entry();
  const ResourceModelStorage storage = build_resource_model(spec);
  WorkloadRecord record = record_of(0.02, 0.018);
  add_predictions(record, storage.model(), "default", "none");
  ASSERT_TRUE(record.roofline && record.roofline->calibrated && record.roofline->theoretical);
  const RooflineEstimate conv =
      estimate(storage.model(), 1e9, 1e6, Precision::fp32, "default", Roof::calibrated);
  const RooflineEstimate add =
      estimate(storage.model(), 1e6, 1e8, Precision::fp32, "default", Roof::calibrated);
  EXPECT_EQ(conv.bound, Bound::compute);
  EXPECT_EQ(add.bound, Bound::memory);
  const RooflineRecord& network = *record.roofline->calibrated;
  EXPECT_DOUBLE_EQ(network.seconds, conv.seconds + add.seconds);
  // 1e8 bytes at 76.8 GB/s outweigh 1 GFLOP at 1497.6 GFLOPS: memory binds the larger part.
  EXPECT_EQ(network.bound, "memory");
  EXPECT_DOUBLE_EQ(*network.stack_efficiency, network.seconds / 0.02);
  EXPECT_FALSE(network.compute_calibrated);  // the entry has no calibration yet
  EXPECT_DOUBLE_EQ(record.roofline->theoretical->seconds, network.seconds);
  EXPECT_EQ(record.roofline->calibration, "none");
  ASSERT_TRUE(record.layers[0].roofline && record.layers[0].roofline->calibrated);
  EXPECT_EQ(record.layers[0].roofline->calibrated->bound, "compute");
  EXPECT_DOUBLE_EQ(*record.layers[0].roofline->calibrated->stack_efficiency, conv.seconds / 0.01);
}

TEST(WorkloadRoofline, NoPeakOfThePrecisionIsSaidNotGuessed) {
  const ResourceModelStorage storage = build_resource_model(cpu_entry());
  WorkloadRecord record = record_of(0.02, 0.018);
  record.precision = Precision::bf16;  // the 12700K entry has no bf16 peak
  add_predictions(record, storage.model(), "default", "none");
  ASSERT_TRUE(record.roofline);
  EXPECT_FALSE(record.roofline->calibrated);
  EXPECT_NE(record.roofline->message.find("no bf16 rate"), std::string::npos)
      << record.roofline->message;
  EXPECT_FALSE(record.layers[0].roofline);
}

TEST(WorkloadSummary, MedianOverRunsAndPredictionFromTheEntry) {
  const HardwareSpec spec = cpu_entry();
  std::vector<CalibrationRun> runs = {
      {profile_with({record_of(0.030, 0.025)}, "2026-01-02T00:00:00Z"), "profiles/b.json"},
      {profile_with({record_of(0.020, 0.019)}, "2026-01-01T00:00:00Z"), "profiles/a.json"},
      {profile_with({record_of(0.040, 0.022)}, "2026-01-03T00:00:00Z"), "profiles/c.json"}};
  const WorkloadModeSummary summary = summarize_workloads(spec, "default", runs);
  EXPECT_EQ(summary.profiles,
            (std::vector<std::string>{"profiles/a.json", "profiles/b.json", "profiles/c.json"}));
  ASSERT_EQ(summary.results.size(), 1u);
  const WorkloadResult& result = summary.results[0];
  EXPECT_EQ(result.workload, "tiny");
  EXPECT_EQ(result.backend, "onednn-2.6.3");
  EXPECT_DOUBLE_EQ(result.latency_ms, 30.0);       // the median of 20, 30 and 40 ms
  EXPECT_DOUBLE_EQ(result.best_latency_ms, 19.0);  // the fastest pass of any run
  EXPECT_DOUBLE_EQ(result.images_per_s, 133.3);    // 4 / 0.030, four significant digits
  EXPECT_EQ(result.runs, 3);
  EXPECT_EQ(result.calibration_date, "2026-01-03T00:00:00Z");
  const ResourceModelStorage storage = build_resource_model(spec);
  const NetworkEstimate network =
      estimate_network(storage.model(), recorded_work(runs[2].profile.workloads[0]),
                       Precision::fp32, "default", Roof::calibrated);
  EXPECT_NEAR(*result.predicted_ms.calibrated, network.seconds * 1e3, 1e-3 * network.seconds * 1e3);
  EXPECT_DOUBLE_EQ(*result.stack_efficiency.calibrated, round_efficiency(network.seconds / 0.030));
  EXPECT_EQ(result.bound, "memory");

  // Nothing passed: nothing to summarize.
  WorkloadRecord failed = record_of(0.02, 0.02);
  failed.status = MeasurementStatus::unsupported;
  EXPECT_THROW(
      summarize_workloads(spec, "default",
                          {{profile_with({failed}, "2026-01-01T00:00:00Z"), "profiles/x.json"}}),
      DataError);
}

TEST(WorkloadSummary, SpecRoundTripAndValidation) {
  HardwareSpec spec = cpu_entry();
  const std::vector<CalibrationRun> runs = {
      {profile_with({record_of(0.020, 0.019)}, "2026-01-01T00:00:00Z"), "profiles/a.json"}};
  WorkloadSummary summary;
  summary.by_power_mode["default"] = summarize_workloads(spec, "default", runs);
  spec.workload_summary = summary;
  const Json written = spec_to_json(spec);
  ASSERT_TRUE(written.contains("workload_summary"));
  const HardwareSpec read = spec_from_json(written, "entry.json");
  EXPECT_EQ(spec_to_json(read), written);
  EXPECT_FALSE(validate_spec(read, "entry.json", "").has_errors());

  HardwareSpec wrong = read;
  wrong.workload_summary->by_power_mode["default"].results[0].images_per_s *= 1.5;
  wrong.workload_summary->by_power_mode["25W"] = wrong.workload_summary->by_power_mode["default"];
  const Diagnostics diagnostics = validate_spec(wrong, "entry.json", "");
  std::vector<std::string> pointers;
  for (const Diagnostic& diagnostic : diagnostics.items()) pointers.push_back(diagnostic.pointer);
  EXPECT_NE(std::find(pointers.begin(), pointers.end(),
                      "/workload_summary/by_power_mode/default/results/0/images_per_s"),
            pointers.end());
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/workload_summary/by_power_mode/25W"),
            pointers.end());

  Diagnostics structural;
  Json bad = written;
  bad["workload_summary"]["by_power_mode"]["default"]["results"][0]["precision"] = "fp33";
  parse_spec(bad, "entry.json", structural);
  EXPECT_TRUE(structural.has_errors());
}

TEST(WorkloadSummary, DriftCheckReDerivesFromTheLinkedProfiles) {
  test::TempDir base;
  HardwareSpec spec = cpu_entry();
  const CalibrationProfile profile =
      profile_with({record_of(0.020, 0.019)}, "2026-01-01T00:00:00Z");
  const std::string path = "profiles/intel/intel_core_i7_12700k/default/20260101T000000Z.json";
  test::write_file(base / path, dump_json(profile_to_json(profile)));
  WorkloadSummary summary;
  summary.by_power_mode["default"] = summarize_workloads(spec, "default", {{profile, path}});
  spec.workload_summary = summary;
  EXPECT_TRUE(check_workload_summary(spec, "entry.json", base.path()).empty());

  HardwareSpec edited = spec;
  edited.workload_summary->by_power_mode["default"].results[0].latency_ms = 10;
  Diagnostics drift = check_workload_summary(edited, "entry.json", base.path());
  ASSERT_TRUE(drift.has_errors());
  EXPECT_EQ(drift.items()[0].pointer,
            "/workload_summary/by_power_mode/default/results/0/latency_ms");

  // A new calibration changes the calibrated roof, so the stored stack efficiency is stale.
  HardwareSpec recalibrated = spec;
  CalibrationSummary calibration;
  calibration.measured_peaks[Precision::fp32] = 748.8;
  calibration.efficiency[Precision::fp32] = 0.5;
  calibration.power_mode = "default";
  recalibrated.calibration_summary = calibration;
  EXPECT_TRUE(check_workload_summary(recalibrated, "entry.json", base.path()).has_errors());

  fs::remove(base / path);
  Diagnostics missing = check_workload_summary(spec, "entry.json", base.path());
  ASSERT_TRUE(missing.has_errors());
  EXPECT_NE(missing.items()[0].message.find("missing"), std::string::npos);
}

TEST(WorkloadSummary, ProfileRoundTripKeepsWorkloads) {
  CalibrationProfile profile = profile_with({record_of(0.020, 0.019)}, "2026-01-01T00:00:00Z");
  const ResourceModelStorage storage = build_resource_model(cpu_entry());
  add_predictions(profile.workloads[0], storage.model(), "default", "database");
  EnergyRecord energy;
  energy.message = "unreadable";
  profile.workloads[0].energy = energy;
  profile.workloads[0].layers[0].implementation = "brgconv:avx512_core";
  const Json written = profile_to_json(profile);
  Diagnostics diagnostics;
  const CalibrationProfile read = parse_profile(written, "run.json", diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(profile_to_json(read), written);
  ASSERT_EQ(read.workloads.size(), 1u);
  EXPECT_EQ(read.workloads[0].layers[0].implementation, "brgconv:avx512_core");

  Json bad = written;
  bad["workloads"][0]["roofline"]["calibrated"]["bound"] = "latency";
  bad["workloads"][0]["batch"] = 0;
  Diagnostics faults;
  parse_profile(bad, "run.json", faults);
  EXPECT_EQ(faults.error_count(), 2u);
}

}  // namespace
}  // namespace hwcal
