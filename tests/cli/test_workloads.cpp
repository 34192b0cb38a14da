// End-to-end: calibrate --workloads on this machine with a tiny fixture network, export into a
// temporary copy of the bundled database, and the reports and the drift check that follow.
#include <gtest/gtest.h>

#include "hwcal/json/json_io.hpp"
#include "measure/gpu.hpp"
#include "profile/profile.hpp"
#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::kCalibrate;
using test::kExport;
using test::kSummarize;
using test::run_program;

std::string workstation() { return (test::fixtures_dir() / "machines/x86_workstation").string(); }
std::string tiny() { return (test::fixtures_dir() / "workloads/tiny.json").string(); }

// The fixture sysroot is a 12700K, which the bundled database knows (fp32 and int8 peaks).
std::vector<std::string> workload_run(const fs::path& database, const fs::path& output,
                                      const std::string& kernels) {
  return {"--plan",    "quick", "--sysroot",     workstation(), "--database",  database.string(),
          "--kernels", kernels, "--time-budget", "3",           "--workloads", tiny(),
          "--batch",   "1,2",   "--precisions",  "fp32,bf16",   "--output",    output.string()};
}

TEST(WorkloadsCli, CalibrateExportAndSummarize) {
  test::TempDir checkout;
  const fs::path database = test::copy_bundled_database(checkout.path());
  const fs::path run = checkout / "run.json";
  auto calibrated = run_program(
      kCalibrate, workload_run(database, run, "cpu_gemm_fp32_openblas,cpu_stream_triad"));
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.err;
  EXPECT_NE(calibrated.out.find("stack eff"), std::string::npos) << calibrated.out;

  const CalibrationProfile profile = profile_from_json(load_json_file(run), run.string());
  EXPECT_EQ(profile.hardware_id, "intel_core_i7_12700k");
  ASSERT_EQ(profile.workloads.size(), 4u);  // fp32 b1, b2, then bf16 b1, b2
  const WorkloadRecord& fp32 = profile.workloads[1];
  EXPECT_EQ(fp32.workload, "tiny");
  EXPECT_EQ(fp32.precision, Precision::fp32);
  EXPECT_EQ(fp32.batch, 2);
  ASSERT_EQ(fp32.status, MeasurementStatus::passed) << fp32.message;
  ASSERT_EQ(fp32.layers.size(), 7u);
  ASSERT_TRUE(fp32.roofline && fp32.roofline->calibrated) << fp32.roofline->message;
  // The run measured fp32 GEMM and STREAM: its own efficiencies make the calibrated roof.
  EXPECT_EQ(fp32.roofline->calibration, "this run");
  EXPECT_TRUE(fp32.roofline->calibrated->compute_calibrated);
  EXPECT_TRUE(fp32.roofline->calibrated->bandwidth_calibrated);
  EXPECT_LT(fp32.roofline->calibrated->peak_gflops, fp32.roofline->theoretical->peak_gflops);
  EXPECT_GT(*fp32.roofline->calibrated->stack_efficiency, 0);
  for (const LayerRecord& layer : fp32.layers) {
    ASSERT_TRUE(layer.roofline && layer.roofline->calibrated) << layer.name;
    EXPECT_GT(*layer.roofline->calibrated->stack_efficiency, 0) << layer.name;
  }
  ASSERT_TRUE(fp32.energy);
  EXPECT_TRUE(fp32.energy->joules_per_image || !fp32.energy->message.empty());
  // The entry has no bf16 peak: measured (or unsupported), never predicted.
  const WorkloadRecord& bf16 = profile.workloads[2];
  if (bf16.status == MeasurementStatus::passed) {
    ASSERT_TRUE(bf16.roofline);
    EXPECT_FALSE(bf16.roofline->calibrated);
    EXPECT_NE(bf16.roofline->message.find("bf16"), std::string::npos);
  }

  auto exported =
      // A run beside the other tests may be noisy: quality is tested in test_quality.
      run_program(kExport, {"--database", database.string(), "--calibration", run.string(),
                            "--accept-noisy"});
  ASSERT_EQ(exported.exit_code, 0) << exported.out << exported.err;
  EXPECT_NE(exported.out.find("tiny fp32 batch 2"), std::string::npos) << exported.out;
  auto check = run_program(kSummarize, {"--database", database.string(), "--check", "--strict"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  const Json entry = load_json_file(database / "cpu/intel/intel_core_i7_12700k.json");
  const Json& results = entry["workload_summary"]["by_power_mode"]["default"]["results"];
  ASSERT_GE(results.size(), 2u);
  EXPECT_EQ(results[0]["workload"], "tiny");
  EXPECT_EQ(results[0]["device"], "cpu");
  EXPECT_TRUE(results[0]["stack_efficiency"].contains("calibrated"));

  auto console =
      run_program(kSummarize, {"--database", database.string(), "--id", "intel_core_i7_12700k"});
  ASSERT_EQ(console.exit_code, 0) << console.err;
  EXPECT_NE(console.out.find("workloads, mode default"), std::string::npos) << console.out;
  EXPECT_NE(console.out.find("tiny fp32"), std::string::npos) << console.out;
  auto json = run_program(kSummarize, {"--database", database.string(), "--id",
                                       "intel_core_i7_12700k", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json report = parse_json(json.out, "stdout");
  const Json& rows = report["entries"][0]["workloads"];
  ASSERT_GE(rows.size(), 2u);
  ASSERT_EQ(rows[0]["layers"].size(), 7u);  // per-layer detail from the linked profile
  EXPECT_EQ(rows[0]["layers"][4]["kind"], "depthwise");
  EXPECT_TRUE(rows[0]["layers"][0]["stack_efficiency"]["calibrated"].is_number());
  auto csv = run_program(kSummarize, {"--database", database.string(), "--id",
                                      "intel_core_i7_12700k", "--format", "csv"});
  EXPECT_NE(csv.out.find("workload:tiny:fp32:b1,images/s"), std::string::npos) << csv.out;
  // The HTML report: the results' table and per-layer bars, predicted against measured.
  auto html = run_program(kSummarize, {"--database", database.string(), "--id",
                                       "intel_core_i7_12700k", "--format", "html"});
  ASSERT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("id=\"intel_core_i7_12700k-workloads\""), std::string::npos);
  EXPECT_NE(html.out.find("<summary>Per layer: tiny fp32 batch 1"), std::string::npos);
  const std::size_t charts = test::count_occurrences(html.out, "<figure class=\"layer-bars\">");
  EXPECT_EQ(charts, rows.size());  // every result whose run is linked gets its chart
  // A measured bar per layer in each chart, each with its figures on hover, and a predicted one
  // beside it where the roofline has a peak: the fp32 results (the entry has no bf16 peak).
  // (Counted inside the layer charts only: the roofline's bands are titled rects too.)
  std::string bars;
  for (std::size_t at = html.out.find("<figure class=\"layer-bars\">"); at != std::string::npos;
       at = html.out.find("<figure class=\"layer-bars\">", at + 1)) {
    bars += html.out.substr(at, html.out.find("</figure>", at) - at);
  }
  EXPECT_EQ(test::count_occurrences(bars, "</title></rect>"), 7u * charts + 7u * 2);
  EXPECT_EQ(test::count_occurrences(html.out, " predicted (calibrated roof, "), 7u * 2);
  EXPECT_NE(html.out.find("no roofline prediction at bf16"), std::string::npos);

  // A result edited by hand no longer re-derives.
  Json edited = entry;
  edited["workload_summary"]["by_power_mode"]["default"]["results"][0]["latency_ms"] = 123.0;
  test::write_file(database / "cpu/intel/intel_core_i7_12700k.json", dump_json(edited));
  auto drift = run_program(kSummarize, {"--database", database.string(), "--check"});
  EXPECT_EQ(drift.exit_code, 1);
  EXPECT_NE(drift.out.find("/workload_summary/by_power_mode/default/results/0/latency_ms"),
            std::string::npos)
      << drift.out;
  test::write_file(database / "cpu/intel/intel_core_i7_12700k.json", dump_json(entry));

  // A run of workloads only leaves the calibration summary as it was.
  const fs::path second = checkout / "second.json";
  std::vector<std::string> args = workload_run(database, second, "none");
  args.insert(args.end(), {"--power-mode", "default"});
  auto workloads_only = run_program(kCalibrate, args);
  ASSERT_EQ(workloads_only.exit_code, 0) << workloads_only.err;
  const CalibrationProfile only = profile_from_json(load_json_file(second), second.string());
  EXPECT_TRUE(only.measurements.empty());
  EXPECT_EQ(only.workloads[0].roofline->calibration, "database");
  auto second_export = run_program(kExport, {"--database", database.string(), "--calibration",
                                             second.string(), "--accept-noisy"});
  ASSERT_EQ(second_export.exit_code, 0) << second_export.out << second_export.err;
  const Json after = load_json_file(database / "cpu/intel/intel_core_i7_12700k.json");
  EXPECT_EQ(after["calibration_summary"], entry["calibration_summary"]);
  EXPECT_EQ(after["workload_summary"]["by_power_mode"]["default"]["profiles"].size(), 1u);
  auto recheck = run_program(kSummarize, {"--database", database.string(), "--check"});
  EXPECT_EQ(recheck.exit_code, 0) << recheck.out << recheck.err;
}

// A machine the database does not know still gets a roofline: the peaks derived from detecting
// it (the fixture's 12700K from hwcal's core table) and this run's measurements.
TEST(WorkloadsCli, WithoutAnEntryTheRooflineStandsOnDerivedPeaks) {
  test::TempDir checkout;
  const fs::path database = test::copy_bundled_database(checkout.path());
  fs::remove(database / "cpu/intel/intel_core_i7_12700k.json");
  const fs::path run = checkout / "run.json";
  auto calibrated = run_program(
      kCalibrate, workload_run(database, run, "cpu_gemm_fp32_openblas,cpu_stream_triad"));
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.err;
  EXPECT_NE(calibrated.out.find("% derived"), std::string::npos) << calibrated.out;
  EXPECT_NE(calibrated.out.find("core_table"), std::string::npos) << calibrated.out;
  EXPECT_NE(calibrated.err.find("the workloads' roofline stands on the peaks derived"),
            std::string::npos)
      << calibrated.err;

  const CalibrationProfile profile = profile_from_json(load_json_file(run), run.string());
  EXPECT_EQ(profile.hardware_id, "");
  ASSERT_EQ(profile.workloads.size(), 4u);
  const WorkloadRecord& fp32 = profile.workloads[0];
  ASSERT_EQ(fp32.status, MeasurementStatus::passed) << fp32.message;
  ASSERT_TRUE(fp32.roofline && fp32.roofline->calibrated) << fp32.roofline->message;
  EXPECT_EQ(fp32.roofline->calibration, "this run");
  ASSERT_TRUE(fp32.roofline->calibrated->stack_efficiency);
  EXPECT_GT(*fp32.roofline->calibrated->stack_efficiency, 0);
}

TEST(WorkloadsCli, UsageErrors) {
  const std::string database = test::bundled_database().string();
  const std::vector<std::vector<std::string>> cases = {
      {"--kernels", "none"},
      {"--workloads", "resnet50"},
      {"--workloads", "resnet18", "--batch", "0"},
      {"--batch", "8"},
      {"--workloads", "resnet18", "--workload-backend", "tensorrt"},
      {"--workloads", "resnet18", "--precisions", "fp64"},
      {"--workloads", "resnet18", "--device", "cpu", "--workload-backend", "cuda"},
  };
  for (std::vector<std::string> args : cases) {
    args.insert(args.end(), {"--database", database, "--sysroot", workstation()});
    auto result = run_program(kCalibrate, args);
    EXPECT_EQ(result.exit_code, 2) << args[0] << " " << args[1] << ": " << result.err;
  }
}

// --device cuda --workloads: without CUDA a usage error; in a CUDA build on a machine without a
// GPU (this one) every configuration is recorded as unsupported, with the runtime's reason.
// tests/gpu/test_workload_cuda.cpp measures them where a GPU is present.
TEST(WorkloadsCli, OnTheGpu) {
  test::TempDir checkout;
  const fs::path run = checkout / "gpu.json";
  const std::vector<std::string> args = {
      "--device",    "cuda",        "--kernels",  "none",
      "--workloads", tiny(),        "--batch",    "1",
      "--sysroot",   workstation(), "--database", test::bundled_database().string(),
      "--output",    run.string()};
  auto result = run_program(kCalibrate, args);
  if (!cuda_built()) {
    EXPECT_EQ(result.exit_code, 2) << result.err;
    EXPECT_NE(result.err.find("no CUDA"), std::string::npos) << result.err;
    return;
  }
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const CalibrationProfile profile = profile_from_json(load_json_file(run), run.string());
  EXPECT_EQ(profile.device_type, DeviceType::gpu);
  ASSERT_EQ(profile.workloads.size(), 2u);  // fp32 and fp16, the GPU's default precisions
  EXPECT_EQ(profile.workloads[0].precision, Precision::fp32);
  EXPECT_EQ(profile.workloads[1].precision, Precision::fp16);
  std::string problem;
  for (const WorkloadRecord& record : profile.workloads) {
    EXPECT_EQ(record.device, "cuda:0");
    EXPECT_EQ(record.backend, "cuda");
    if (cuda_device_count(problem) == 0) {
      EXPECT_EQ(record.status, MeasurementStatus::unsupported);
      EXPECT_EQ(record.message, problem);
      ASSERT_TRUE(record.extra.is_object());
      EXPECT_EQ(record.extra["graph"]["backend"], "cuda-graph");
    } else {
      EXPECT_EQ(record.status, MeasurementStatus::passed) << record.message;
    }
  }
  const Json settings = load_json_file(run)["settings"]["workloads"];
  EXPECT_EQ(settings["backend"], "cuda");
  EXPECT_EQ(settings["graph_backend"], "cuda-graph");
}

TEST(WorkloadsCli, ListWorkloads) {
  auto result = run_program(kCalibrate, {"--list-workloads"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("resnet18"), std::string::npos);
  EXPECT_NE(result.out.find("1.814 G multiply-adds"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("mobilenetv2"), std::string::npos);
}

}  // namespace
}  // namespace hwcal
