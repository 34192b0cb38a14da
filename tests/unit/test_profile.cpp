// The calibration profile: reading with diagnostics, writing with unknown fields kept, and the
// same structural rules as its JSON Schema (tests/schema/profile_faults.json drives both sides).
#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "profile/profile.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

Json fixture(const std::string& name) {
  return load_json_file(test::fixtures_dir() / "profiles" / name);
}

// Order-insensitive: std::map members (clocks) are written sorted.
nlohmann::json unordered(const Json& document) { return nlohmann::json::parse(document.dump()); }

TEST(Profile, ReadsEveryFieldOfTheGpuFixture) {
  Diagnostics diagnostics;
  CalibrationProfile profile =
      parse_profile(fixture("jetson_orin_nano_gpu_25W.json"), "gpu.json", diagnostics);
  ASSERT_TRUE(diagnostics.empty()) << format_diagnostic(diagnostics.items().front());
  EXPECT_EQ(profile.tool.name, "calibrate");
  EXPECT_EQ(profile.hardware_id, "jetson_orin_nano_gpu");
  EXPECT_EQ(profile.device_type, DeviceType::gpu);
  EXPECT_EQ(profile.power_mode, "25W");
  EXPECT_EQ(profile.started_at, "2025-11-16T10:04:26Z");
  EXPECT_EQ(profile.host.caches.size(), 3u);
  EXPECT_EQ(profile.host.board.value_or(""),
            "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super");
  ASSERT_EQ(profile.devices.size(), 1u);
  EXPECT_EQ(profile.devices[0].clocks_mhz.at("sm"), 918);
  EXPECT_EQ(profile.recorded_model(), "Orin");
  ASSERT_NE(profile.find_backend("cublas"), nullptr);
  EXPECT_EQ(profile.find_backend("cublas")->version.value_or(""), "12.6.1");
  EXPECT_EQ(profile.settings.trials.value_or(0), 10);

  const MeasurementRecord& gemm = profile.measurements.at(4);
  EXPECT_EQ(gemm.kernel, "cuda_gemm_fp32_cublas");
  EXPECT_EQ(gemm.precision, Precision::fp32);
  EXPECT_EQ(gemm.shape.n.value_or(0), 4096);
  EXPECT_EQ(gemm.samples_s.size(), 10u);
  ASSERT_TRUE(gemm.stats_s && gemm.gflops);
  EXPECT_NEAR(gemm.gflops->best, 2.0 * 4096 * 4096 * 4096 / gemm.stats_s->min / 1e9, 1e-6);
  EXPECT_NEAR(gemm.gflops->best, 1214.17, 0.01);  // the predecessor's min latency
  EXPECT_EQ(profile.measurements.at(6).status, MeasurementStatus::unsupported);
  EXPECT_FALSE(profile.measurements.at(6).message.empty());
  EXPECT_EQ(profile.measurements.at(8).residency, Residency::dram);
  EXPECT_EQ(profile.extra.size(), 1u);  // fixture_note, an unknown field
}

TEST(Profile, WritingKeepsEveryFieldIncludingUnknownOnes) {
  for (const char* name : {"jetson_orin_nano_gpu_25W.json", "intel_core_i7_12700k_default.json"}) {
    Json original = fixture(name);
    Json written = profile_to_json(profile_from_json(original, name));
    EXPECT_EQ(unordered(written), unordered(original)) << name;
    EXPECT_EQ(dump_json(profile_to_json(profile_from_json(written, name))), dump_json(written));
  }
}

TEST(Profile, UnknownFieldsInNestedObjectsSurvive) {
  Json document = fixture("jetson_orin_nano_gpu_25W.json");
  document["host"]["numa_nodes"] = 1;
  document["measurements"][0]["verified"] = true;
  document["devices"][0]["uuid"] = "GPU-1234";
  Json written = profile_to_json(profile_from_json(document, "x.json"));
  EXPECT_EQ(written["host"]["numa_nodes"], 1);
  EXPECT_EQ(written["measurements"][0]["verified"], true);
  EXPECT_EQ(written["devices"][0]["uuid"], "GPU-1234");
}

TEST(Profile, ErrorsNameFileAndPointer) {
  Json document = fixture("jetson_orin_nano_gpu_25W.json");
  document["measurements"][3]["status"] = "fine";
  try {
    profile_from_json(document, "run.json");
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_EQ(error.file(), "run.json");
    EXPECT_EQ(error.pointer(), "/measurements/3/status");
    EXPECT_NE(std::string(error.what()).find("expected passed, unsupported, skipped or error"),
              std::string::npos);
  }
}

TEST(Profile, OneReadReportsEveryProblem) {
  Json document = fixture("jetson_orin_nano_gpu_25W.json");
  document["started_at"] = "yesterday";
  document["measurements"][0]["precision"] = "fp33";
  document["measurements"][1].erase("kernel");
  Diagnostics diagnostics;
  parse_profile(document, "run.json", diagnostics);
  EXPECT_EQ(diagnostics.error_count(), 3u);
}

TEST(Profile, Timestamps) {
  EXPECT_TRUE(is_utc_timestamp("2025-11-16T10:04:26Z"));
  EXPECT_TRUE(is_utc_timestamp("2025-11-16T10:04:26.125Z"));
  EXPECT_FALSE(is_utc_timestamp("2025-11-16T10:04:26"));
  EXPECT_FALSE(is_utc_timestamp("2025-11-16T10:04:26+01:00"));
  EXPECT_FALSE(is_utc_timestamp("2025-11-16T10:04:26.Z"));
  EXPECT_EQ(timestamp_stem("2025-11-16T10:04:26.9Z"), "20251116T100426Z");
  EXPECT_THROW(timestamp_stem("16.11.2025"), DataError);
  EXPECT_TRUE(is_utc_timestamp(utc_now()));
}

TEST(Profile, KernelClassesFollowTheIdConventions) {
  EXPECT_EQ(classify_kernel("cpu_gemm_fp32_openblas"), KernelClass::gemm);
  EXPECT_EQ(classify_kernel("cuda_gemm_fp16_cublas"), KernelClass::gemm);
  EXPECT_EQ(classify_kernel("cpu_matmul_fp32_numpy"), KernelClass::gemm);
  EXPECT_EQ(classify_kernel("cpu_peak_fma_fp32"), KernelClass::peak_fma);
  EXPECT_EQ(classify_kernel("cpu_stream_triad"), KernelClass::stream);
  EXPECT_EQ(classify_kernel("cpu_stream_copy"), KernelClass::stream);
  EXPECT_EQ(classify_kernel("cuda_memcpy_d2d"), KernelClass::copy);
  EXPECT_EQ(classify_kernel("cpu_copy_numpy"), KernelClass::copy);
  EXPECT_EQ(classify_kernel("cuda_memcpy_h2d_pinned"), KernelClass::transfer);
  EXPECT_EQ(classify_kernel("cuda_memcpy_d2h"), KernelClass::transfer);
  EXPECT_EQ(classify_kernel("cpu_blas2_gemv_fp32_numpy"), KernelClass::other);
  EXPECT_EQ(classify_kernel("cpu_gemmlike"), KernelClass::other);
}

// The C++ half of tests/schema/check_profile_schema.py: every fault is an error here too.
TEST(ProfileSchema, FaultsAreRejected) {
  Json faults = load_json_file(test::source_dir() / "tests/schema/profile_faults.json");
  Json base = load_json_file(test::fixtures_dir() / faults["fixture"].get<std::string>());
  ASSERT_GT(faults["faults"].size(), 20u);
  for (const Json& fault : faults["faults"]) {
    Json document = base;
    Json* target = &document;
    const Json& path = fault["path"];
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
      target = path[i].is_string() ? &(*target)[path[i].get<std::string>()]
                                   : &(*target)[path[i].get<std::size_t>()];
    }
    const Json& last = path.back();
    if (fault.value("delete", false)) {
      if (last.is_string()) {
        target->erase(last.get<std::string>());
      } else {
        target->erase(last.get<std::size_t>());
      }
    } else if (last.is_string()) {
      (*target)[last.get<std::string>()] = fault["value"];
    } else {
      (*target)[last.get<std::size_t>()] = fault["value"];
    }
    Diagnostics diagnostics;
    parse_profile(document, "fault.json", diagnostics);
    EXPECT_TRUE(diagnostics.has_errors()) << "the C++ reader accepts: " << fault["name"];
  }
}

TEST(ProfileSchema, ValidFixturesHaveNoDiagnostics) {
  for (const auto& item : fs::directory_iterator(test::fixtures_dir() / "profiles")) {
    Diagnostics diagnostics;
    parse_profile(load_json_file(item.path()), item.path().string(), diagnostics);
    EXPECT_TRUE(diagnostics.empty()) << item.path();
  }
}

}  // namespace
}  // namespace hwcal
