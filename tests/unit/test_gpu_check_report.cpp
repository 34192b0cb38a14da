#include <gtest/gtest.h>

#include "base/stats.hpp"
#include "gpu_check_report.hpp"
#include "test_support.hpp"
#include "workloads/workload_calibration.hpp"

namespace hwcal::bench {
namespace {

namespace fs = std::filesystem;

fs::path fixture(const std::string& name) { return test::fixtures_dir() / "gpu_check" / name; }

GpuCheckInputs h100_inputs() {
  GpuCheckInputs inputs;
  const fs::path profile = fixture("h100_standard_profile.json");
  inputs.profile = profile_from_json(load_json_file(profile), profile.string());
  inputs.reference = load_json_file(fixture("h100_reference.json"));
  inputs.smi_sm_clocks_mhz = parse_smi_clock_log(test::read_file(fixture("h100_smi.log")));
  inputs.plan_seconds = 52.4;
  inputs.total_seconds = 231;
  return inputs;
}

const GpuCheckRow& row(const GpuCheckReport& report, const std::string& kernel, int nth = 0) {
  for (const GpuCheckRow& candidate : report.rows) {
    if (candidate.kernel == kernel && nth-- == 0) return candidate;
  }
  throw std::runtime_error("no row " + kernel);
}

TEST(GpuCheckReport, TheTableMatchesItsGoldenFile) {
  GpuCheckReport report = make_gpu_check_report(h100_inputs());
  EXPECT_EQ(test::compare_golden("gpu_check_table.txt", render_gpu_check_report(report)), "");
}

TEST(GpuCheckReport, EachTargetIsJudgedAsTheIssueStatesIt) {
  GpuCheckReport report = make_gpu_check_report(h100_inputs());
  EXPECT_EQ(report.device, "NVIDIA H100 80GB HBM3");
  // 64.0 of 65.8 TFLOPS: 0.973x passes; tf32's 395 of 408 (0.968x) does not.
  EXPECT_EQ(row(report, "cuda_gemm_fp64_cublas").result, "PASS");
  EXPECT_DOUBLE_EQ(*row(report, "cuda_gemm_fp64_cublas").calibrate, 64000);  // best over sizes
  EXPECT_EQ(row(report, "cuda_gemm_tf32_cublas").result, "MISS");
  // int8 against the better of the two direct calls, and against 1250 TOPS.
  EXPECT_DOUBLE_EQ(*row(report, "cuda_gemm_int8_cublaslt").reference, 1328000);
  EXPECT_EQ(row(report, "cuda_gemm_int8_cublaslt", 1).result, "PASS");
  // The FMA ceiling uses the clock NVML sampled during the FMA run, not the nvidia-smi log.
  const GpuCheckRow& fma = row(report, "cuda_fma_fp32");
  EXPECT_EQ(fma.result, "PASS");
  EXPECT_NE(fma.note.find("132 SM x 128 x 2 x 1920 MHz (NVML during the run)"), std::string::npos)
      << fma.note;
  const GpuCheckRow& half = row(report, "cuda_fma_fp16");
  EXPECT_EQ(half.result, "MISS");
  EXPECT_NE(half.note.find("result check failed"), std::string::npos) << half.note;
  // The L2-resident 5.1 TB/s copy does not count; the 1 GiB one does.
  EXPECT_DOUBLE_EQ(*row(report, "cuda_memcpy_d2d").calibrate, 2900);
  EXPECT_EQ(row(report, "cuda_memcpy_d2d").result, "PASS");
  // Transfers at their largest size; pageable ones are reported, not judged.
  EXPECT_DOUBLE_EQ(*row(report, "cuda_memcpy_h2d_pinned").calibrate, 53.5);
  EXPECT_EQ(row(report, "cuda_memcpy_h2d_pageable").result, "INFO");
  EXPECT_EQ(row(report, "cuda_gemm_fp32_hand").result, "PASS");
  EXPECT_NE(row(report, "cuda_gemm_fp32_hand").note.find("70% of cuBLAS fp32"), std::string::npos);
  EXPECT_EQ(report.misses, 2);
  EXPECT_EQ(report.unjudged, 0);
}

TEST(GpuCheckReport, WithoutNvmlTheFmaClockComesFromNvidiaSmi) {
  GpuCheckInputs inputs = h100_inputs();
  for (MeasurementRecord& record : inputs.profile.measurements) record.extra = nullptr;
  GpuCheckReport report = make_gpu_check_report(inputs);
  const GpuCheckRow& fma = row(report, "cuda_fma_fp32");
  EXPECT_NE(fma.note.find("1980 MHz (highest nvidia-smi sample)"), std::string::npos) << fma.note;
  EXPECT_EQ(parse_smi_clock_log("1980, 71.52, 33\n[N/A], [N/A], 40\n"), std::vector<double>{1980});
}

TEST(GpuCheckReport, AnotherGpuHasNoH100Targets) {
  GpuCheckInputs inputs = h100_inputs();
  inputs.profile.devices[0].compute_capability = "8.9";
  GpuCheckReport report = make_gpu_check_report(inputs);
  EXPECT_EQ(row(report, "cuda_gemm_int8_cublaslt", 1).result, "n/a");
  EXPECT_EQ(row(report, "cuda_fma_fp32").result, "n/a");
  EXPECT_GT(report.unjudged, 0);
  EXPECT_NE(render_gpu_check_report(report).find("could not be judged"), std::string::npos);
}

// A GPU profile keeps its device facts and per-record power and clocks through a read and a write.
TEST(GpuProfile, DeviceFactsPowerAndClocksRoundTrip) {
  const fs::path path = fixture("h100_standard_profile.json");
  const Json document = load_json_file(path);
  CalibrationProfile profile = profile_from_json(document, path.string());
  ASSERT_EQ(profile.devices.size(), 1u);
  EXPECT_EQ(profile.devices[0].extra["nvml"]["power_limit_watts"], 700.0);
  EXPECT_EQ(profile.recorded_model(), "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(profile.measurements[2].extra["power"]["source"], "nvml");
  EXPECT_EQ(profile_to_json(profile), document);
}

}  // namespace
}  // namespace hwcal::bench

namespace hwcal::bench {
namespace {

WorkloadRecord gpu_record(const std::string& workload, Precision precision, long long batch,
                          double layer_s, std::optional<double> graph_s) {
  WorkloadRecord record;
  record.workload = workload;
  record.device = "cuda:0";
  record.backend = "cuda";
  record.precision = precision;
  record.batch = batch;
  record.samples_s = {layer_s};
  record.stats_s = TrialStats::from(compute_stats(record.samples_s));
  if (graph_s) {
    WorkloadRecord graph = record;
    graph.backend = "cuda-graph";
    graph.samples_s = {*graph_s};
    graph.stats_s = TrialStats::from(compute_stats(graph.samples_s));
    attach_graph_timing(record, graph);
  }
  return record;
}

CalibrationProfile h100_workloads() {
  CalibrationProfile profile;
  DeviceInfo device;
  device.id = "cuda:0";
  device.name = "NVIDIA H100 80GB HBM3";
  profile.devices = {device};
  // Eager: 1.19 ms at batch 1, 1.61 at batch 32, 1.41 at batch 8.
  profile.workloads = {gpu_record("resnet18", Precision::fp32, 1, 1.0e-3, 0.5e-3),
                       gpu_record("resnet18", Precision::fp32, 8, 2.0e-3, 1.9e-3),
                       gpu_record("resnet18", Precision::fp32, 32, 2.0e-3, 1.7e-3),
                       gpu_record("mobilenetv2", Precision::fp16, 1, 1.0e-3, std::nullopt)};
  return profile;
}

TEST(WorkloadCheckReport, JudgesTheGraphAgainstEagerAsTheIssueStatesIt) {
  const WorkloadCheckReport report = make_workload_check_report(h100_workloads());
  ASSERT_EQ(report.rows.size(), 4u);
  // Batch 1: 0.5 ms against eager's 1.19 / 2 = 0.595: PASS; the share is 1 - 0.5 / 1.0.
  EXPECT_EQ(report.rows[0].result, "PASS");
  EXPECT_NEAR(*report.rows[0].launch_overhead_share, 0.5, 1e-12);
  EXPECT_NEAR(*report.rows[0].eager_ms, 1.19, 1e-12);
  EXPECT_EQ(report.rows[1].result, "INFO");  // batch 8 has no target
  // Batch 32: 1.7 ms against eager's 1.61: MISS.
  EXPECT_EQ(report.rows[2].result, "MISS");
  // No graph figure where a target applies: not judged, and counted.
  EXPECT_EQ(report.rows[3].result, "MISS");
  EXPECT_FALSE(report.rows[3].launch_overhead_share);
  EXPECT_EQ(report.misses, 1);
  EXPECT_EQ(report.unjudged, 1);
  const std::string text = render_workload_check_report(report);
  EXPECT_NE(text.find("resnet18     fp32      1      1.000     0.500     50.0%     1.190"),
            std::string::npos)
      << text;
}

TEST(WorkloadCheckReport, OtherGpusAreShownNotJudged) {
  CalibrationProfile profile = h100_workloads();
  profile.devices.front().name = "Orin";
  const WorkloadCheckReport report = make_workload_check_report(profile);
  for (const WorkloadCheckRow& row : report.rows) EXPECT_EQ(row.result, "INFO") << row.workload;
  EXPECT_EQ(report.misses + report.unjudged, 0);
}

TEST(WorkloadCheckReport, EagerFiguresAreTheIssues) {
  EXPECT_EQ(pytorch_eager_h100_ms("mobilenetv2", "fp16", 8), 5.66);
  EXPECT_EQ(pytorch_eager_h100_ms("resnet18", "fp16", 32), 2.87);
  EXPECT_FALSE(pytorch_eager_h100_ms("resnet18", "bf16", 1));
  EXPECT_FALSE(pytorch_eager_h100_ms("resnet18", "fp32", 2));
}

}  // namespace
}  // namespace hwcal::bench
