// Summaries: per-run peaks, multi-run aggregation, efficiencies against the database's peaks,
// the headline mode, and the drift check that re-derives a stored summary.
#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/validate.hpp"
#include "summary/summary.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

CalibrationProfile fixture(const std::string& name) {
  return profile_from_json(load_json_file(test::fixtures_dir() / "profiles" / name), name);
}

const HardwareSpec& bundled(const std::string& id) {
  static const Database database = Database::load(test::bundled_database());
  return database.get(id).spec;
}

// The same run with every GEMM and bandwidth figure scaled, as a second or third run would be.
CalibrationProfile scaled(CalibrationProfile profile, double factor, const std::string& started) {
  profile.started_at = started;
  for (MeasurementRecord& record : profile.measurements) {
    if (record.gflops) record.gflops->best *= factor;
    if (record.gbps) record.gbps->best *= factor;
  }
  return profile;
}

TEST(Summary, RunPeaksOfTheGpuFixture) {
  RunPeaks peaks = run_peaks(fixture("jetson_orin_nano_gpu_25W.json"));
  EXPECT_NEAR(peaks.measured.at(Precision::fp32), 1214.17, 0.01);
  EXPECT_NEAR(peaks.measured.at(Precision::fp16), 7964.67, 0.01);
  EXPECT_EQ(peaks.measured.count(Precision::int8), 0u);  // unsupported
  EXPECT_NEAR(peaks.ceiling.at(Precision::fp32), 1850.3, 0.01);
  EXPECT_NEAR(*peaks.bandwidth_gbps, 59.86, 0.01);  // device-local copy: no STREAM in this run
  EXPECT_EQ(peaks.framework, "cublas-12.6.1");
}

TEST(Summary, BandwidthIsTheBestDramResidentStream) {
  RunPeaks peaks = run_peaks(fixture("intel_core_i7_12700k_default.json"));
  // 16 MiB copies reach 83 GB/s out of the 25 MiB L3: not memory bandwidth.
  EXPECT_NEAR(*peaks.bandwidth_gbps, 53.09, 0.01);
  EXPECT_NEAR(peaks.measured.at(Precision::fp32), 828.78, 0.01);
  EXPECT_EQ(peaks.framework, "openblas-0.3.26");
}

TEST(Summary, EmulatedFailedAndCacheResidentRecordsDoNotCount) {
  CalibrationProfile profile = fixture("jetson_orin_nano_gpu_25W.json");
  for (MeasurementRecord& record : profile.measurements) {
    if (record.kernel == "cuda_gemm_fp16_cublas") record.emulated = true;
    if (record.kernel == "cuda_gemm_fp32_cublas" && record.shape.n == 4096) {
      record.status = MeasurementStatus::error;
    }
    if (record.kernel == "cuda_memcpy_d2d" && record.shape.array_bytes == 134217728) {
      record.residency = Residency::l2;
    }
  }
  RunPeaks peaks = run_peaks(profile);
  EXPECT_EQ(peaks.measured.count(Precision::fp16), 0u);
  EXPECT_NEAR(peaks.measured.at(Precision::fp32), 1189.63, 0.01);  // the 2048 run
  EXPECT_NEAR(*peaks.bandwidth_gbps, 57.52, 0.01);                 // 512 MiB
}

// The arithmetic ceiling of a precision is its best peak kernel, wherever it stands in the run:
// the AMX tile kernel over the vector dot product where the matrix unit is faster, and the
// other way round where it is slower; the best of the summarized runs' ceilings aggregates by
// the median.
TEST(Summary, CeilingIsTheBestPeakKernelOfEachPrecision) {
  auto peak = [](const char* kernel, Precision precision, double gflops) {
    MeasurementRecord r;
    r.kernel = kernel;
    r.kernel_class = KernelClass::peak_fma;
    r.device = "cpu";
    r.precision = precision;
    r.gflops = Throughput{gflops, gflops};
    return r;
  };
  CalibrationProfile profile = fixture("intel_core_i7_12700k_default.json");
  for (auto& [first, second] :
       {std::pair{peak("cpu_fma_bf16_avx512bf16", Precision::bf16, 1200.0),
                  peak("cpu_fma_bf16_amx", Precision::bf16, 4100.0)},
        std::pair{peak("cpu_fma_int8_amx", Precision::int8, 9000.0),
                  peak("cpu_fma_int8_avx512vnni", Precision::int8, 2500.0)}}) {
    profile.measurements.push_back(first);
    profile.measurements.push_back(second);
  }
  // A failed or emulated run of a faster kernel does not count.
  MeasurementRecord failed = peak("cpu_fma_fp16_avx512fp16", Precision::fp16, 99999);
  failed.status = MeasurementStatus::unsupported;
  profile.measurements.push_back(failed);
  RunPeaks peaks = run_peaks(profile);
  EXPECT_DOUBLE_EQ(peaks.ceiling.at(Precision::bf16), 4100.0);
  EXPECT_DOUBLE_EQ(peaks.ceiling.at(Precision::int8), 9000.0);
  EXPECT_EQ(peaks.ceiling.count(Precision::fp16), 0u);

  const HardwareSpec& spec = bundled("intel_core_i7_12700k");
  ModeSummaryResult result = summarize_mode(spec, "default", {{profile, "a.json"}});
  EXPECT_DOUBLE_EQ(result.summary.arithmetic_ceiling.at(Precision::bf16), 4100.0);
  EXPECT_DOUBLE_EQ(result.summary.arithmetic_ceiling.at(Precision::int8), 9000.0);
}

TEST(Summary, OneRunAgainstTheDatabasesPeaks) {
  const HardwareSpec& spec = bundled("jetson_orin_nano_gpu");
  ModeSummaryResult result = summarize_mode(
      spec, "25W", {{fixture("jetson_orin_nano_gpu_25W.json"), "profiles/a/25W/x.json"}});
  const ModeSummary& summary = result.summary;
  EXPECT_DOUBLE_EQ(summary.measured_peaks.at(Precision::fp32), 1214.2);
  EXPECT_DOUBLE_EQ(summary.measured_peaks.at(Precision::fp16), 7964.7);
  EXPECT_EQ(summary.measured_peaks_range.at(Precision::fp32), std::make_pair(1214.2, 1214.2));
  EXPECT_DOUBLE_EQ(summary.arithmetic_ceiling.at(Precision::fp32), 1850.3);
  // Against the 25W mode's peaks (1880.1, 15040.5, 102.4), not the device's (2089, ...).
  EXPECT_DOUBLE_EQ(summary.efficiency.at(Precision::fp32), 0.6458);
  EXPECT_DOUBLE_EQ(summary.efficiency.at(Precision::fp16), 0.5296);
  EXPECT_DOUBLE_EQ(*summary.measured_bandwidth_gbps, 59.9);
  EXPECT_DOUBLE_EQ(*summary.bandwidth_efficiency, 0.585);
  EXPECT_DOUBLE_EQ(*summary.avg_efficiency, 0.5877);
  EXPECT_EQ(summary.calibration_date, "2025-11-16T10:04:26Z");
  EXPECT_EQ(summary.power_mode, "25W");
  EXPECT_EQ(summary.framework, "cublas-12.6.1");
  EXPECT_EQ(summary.profile_path, "profiles/a/25W/x.json");
  EXPECT_EQ(summary.runs, 1);
  EXPECT_TRUE(result.notes.empty());

  HardwareSpec calibrated = spec;
  calibrated.calibration_summary =
      build_entry_calibration(spec, {{"25W", summary}}, {{"25W", {summary.profile_path}}}).summary;
  Diagnostics diagnostics = validate_spec(calibrated, "x", "");
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    EXPECT_EQ(diagnostic.pointer.rfind("/calibration_summary", 0), std::string::npos)
        << format_diagnostic(diagnostic);
  }
}

TEST(Summary, SeveralRunsGiveTheMedianTheRangeAndNameTheSlowRun) {
  const HardwareSpec& spec = bundled("jetson_orin_nano_gpu");
  CalibrationProfile base = fixture("jetson_orin_nano_gpu_25W.json");
  std::vector<CalibrationRun> runs{
      {scaled(base, 1.00, "2025-11-16T10:04:26Z"), "p/25W/20251116T100426Z.json"},
      {scaled(base, 0.80, "2025-11-18T09:00:00Z"), "p/25W/20251118T090000Z.json"},
      {scaled(base, 1.02, "2025-11-17T09:00:00Z"), "p/25W/20251117T090000Z.json"}};
  ModeSummaryResult result = summarize_mode(spec, "25W", runs);
  EXPECT_DOUBLE_EQ(result.summary.measured_peaks.at(Precision::fp32), 1214.2);  // the median
  EXPECT_EQ(result.summary.measured_peaks_range.at(Precision::fp32), std::make_pair(971.3, 1238.5));
  EXPECT_EQ(result.summary.runs, 3);
  EXPECT_EQ(result.summary.profile_path, "p/25W/20251118T090000Z.json");  // the newest
  EXPECT_EQ(result.summary.calibration_date, "2025-11-18T09:00:00Z");
  bool named = false;
  for (const std::string& note : result.notes) {
    if (note.find("p/25W/20251118T090000Z.json") != std::string::npos &&
        note.find("fp32") != std::string::npos && note.find("20.0% below") != std::string::npos) {
      named = true;
    }
    EXPECT_EQ(note.find("20251117T"), std::string::npos) << note;  // within 10%: not named
  }
  EXPECT_TRUE(named);
}

TEST(Summary, NothingToSummarizeIsAnError) {
  CalibrationProfile profile = fixture("jetson_orin_nano_gpu_25W.json");
  for (MeasurementRecord& record : profile.measurements) record.status = MeasurementStatus::skipped;
  EXPECT_THROW(summarize_mode(bundled("jetson_orin_nano_gpu"), "25W", {{profile, "x.json"}}),
               DataError);
  EXPECT_THROW(summarize_mode(bundled("jetson_orin_nano_gpu"), "25W", {}), DataError);
}

TEST(Summary, HeadlineModeIsTheDefaultElseTheHighestClocked) {
  HardwareSpec spec = bundled("jetson_orin_nano_gpu");  // default 25W
  EXPECT_EQ(headline_mode(spec, {"15W", "25W"}), "25W");
  EXPECT_EQ(headline_mode(spec, {"7W", "15W"}), "15W");  // 612 MHz above 408 MHz
  spec.default_power_mode.reset();
  EXPECT_EQ(headline_mode(spec, {"7W", "25W"}), "25W");  // as strings "7W" > "25W"
  EXPECT_EQ(headline_mode(spec, {"25W", "MAXN_SUPER"}), "MAXN_SUPER");
  EXPECT_EQ(headline_mode(spec, {}), "");
  EXPECT_EQ(headline_mode(bundled("intel_core_i7_12700k"), {"default"}), "default");
}

TEST(Summary, Rounding) {
  EXPECT_DOUBLE_EQ(round_rate(1214.1719), 1214.2);
  EXPECT_DOUBLE_EQ(round_rate(0.93011), 0.93);
  EXPECT_DOUBLE_EQ(round_rate(9.87654), 9.877);
  EXPECT_DOUBLE_EQ(round_efficiency(0.645815), 0.6458);
  EXPECT_DOUBLE_EQ(round_efficiency(0.0018023), 0.0018);
  // Below 1% validation allows 0.00005 absolute: 4 decimals could use all of it, 5 do not.
  EXPECT_DOUBLE_EQ(round_efficiency(0.00184), 0.00184);
}

// A database in a temp folder with the GPU fixture linked as the 25W run.
class CheckCalibration : public ::testing::Test {
 protected:
  void SetUp() override {
    test::copy_tree(test::bundled_database(), dir_.path() / "hardware_database");
    path_ = "profiles/nvidia/jetson_orin_nano_gpu/25W/20251116T100426Z.json";
    fs::create_directories((dir_.path() / path_).parent_path());
    fs::copy_file(test::fixtures_dir() / "profiles/jetson_orin_nano_gpu_25W.json",
                  dir_.path() / path_);
    spec_ = Database::load(dir_.path() / "hardware_database").get("jetson_orin_nano_gpu").spec;
    ModeSummary summary =
        summarize_mode(spec_, "25W", {{fixture("jetson_orin_nano_gpu_25W.json"), path_}}).summary;
    EntryCalibration calibration =
        build_entry_calibration(spec_, {{"25W", summary}}, {{"25W", {path_}}});
    spec_.calibration_summary = calibration.summary;
    spec_.calibration_profiles = calibration.profiles;
  }
  Diagnostics check() { return check_calibration(spec_, "gpu.json", dir_.path()); }
  static std::string all(const Diagnostics& diagnostics) {
    std::string text;
    for (const Diagnostic& diagnostic : diagnostics.items()) {
      text += format_diagnostic(diagnostic) + "\n";
    }
    return text;
  }

  test::TempDir dir_;
  std::string path_;
  HardwareSpec spec_;
};

TEST_F(CheckCalibration, AConsistentSummaryIsClean) {
  EXPECT_TRUE(check().empty()) << all(check());
  EXPECT_EQ(calibration_base(dir_.path() / "hardware_database/"), dir_.path());
}

TEST_F(CheckCalibration, AnEditedFigureIsReportedWithBothNumbers) {
  spec_.calibration_summary->by_power_mode["25W"].measured_peaks[Precision::fp32] = 1300;
  spec_.calibration_summary->measured_bandwidth_gbps = 61.0;
  std::string text = all(check());
  EXPECT_NE(text.find("/calibration_summary/by_power_mode/25W/measured_peaks/fp32: stored 1300.0 "
                      "but the linked profiles give 1214.2"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("/calibration_summary/measured_bandwidth_gbps: stored 61.0"),
            std::string::npos)
      << text;
}

TEST_F(CheckCalibration, AMissingProfileIsReported) {
  fs::remove(dir_.path() / path_);
  Diagnostics diagnostics = check();
  EXPECT_TRUE(diagnostics.has_errors());
  EXPECT_NE(
      all(diagnostics)
          .find("/calibration_profiles/power_modes/25W/0: linked profile " + path_ + " is missing"),
      std::string::npos)
      << all(diagnostics);
}

TEST_F(CheckCalibration, AProfileOfAnotherEntryOrModeIsReported) {
  spec_.id = "jetson_agx_orin_gpu";
  EXPECT_NE(all(check()).find("belongs to 'jetson_orin_nano_gpu'"), std::string::npos);
  spec_.id = "jetson_orin_nano_gpu";
  spec_.calibration_profiles->power_modes["15W"] = {path_};
  EXPECT_NE(all(check()).find("measured in power mode 25W, not 15W"), std::string::npos);
}

TEST_F(CheckCalibration, ASummaryWithoutLinksIsReported) {
  spec_.calibration_profiles.reset();
  EXPECT_NE(all(check()).find("cannot be re-derived"), std::string::npos);
}

TEST_F(CheckCalibration, AWrongDefaultLinkIsReported) {
  spec_.calibration_profiles->default_profile = "profiles/elsewhere.json";
  EXPECT_NE(all(check()).find("/calibration_profiles/default"), std::string::npos);
}

}  // namespace
}  // namespace hwcal
