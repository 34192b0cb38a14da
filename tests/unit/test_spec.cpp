#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/json/json_io.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

fs::path minimal_db() { return test::fixtures_dir() / "databases/minimal"; }

HardwareSpec load_fixture(const std::string& relative) {
  fs::path path = minimal_db() / relative;
  return spec_from_json(load_json_file(path), path.string());
}

std::vector<fs::path> json_files_under(const fs::path& root) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        entry.path().parent_path().filename() != "schema") {
      files.push_back(entry.path());
    }
  }
  return files;
}

TEST(Spec, ReadsEveryFieldOfTheGpuFixture) {
  HardwareSpec spec = load_fixture("gpu/nvidia/jetson_orin_nano_gpu.json");
  EXPECT_EQ(spec.id, "jetson_orin_nano_gpu");
  EXPECT_EQ(spec.device_type, DeviceType::gpu);
  EXPECT_EQ(spec.vendor_slug(), "nvidia");
  EXPECT_DOUBLE_EQ(spec.theoretical_peaks.at(Precision::fp32), 2088.96);
  ASSERT_EQ(spec.power_modes.size(), 3u);
  EXPECT_EQ(spec.power_modes[0].name, "15W");  // file order, not sorted
  EXPECT_EQ(spec.default_mode_name(), "MAXN_SUPER");
  EXPECT_DOUBLE_EQ(spec.peak_for_mode(Precision::fp32, "25W").value(), 1880.064);
  // MAXN_SUPER gives no peaks of its own: the device's apply.
  EXPECT_DOUBLE_EQ(spec.peak_for_mode(Precision::fp32, "MAXN_SUPER").value(), 2088.96);
  EXPECT_DOUBLE_EQ(spec.peak_for_mode(Precision::int8, "25W").value(), 33423.36);
  EXPECT_DOUBLE_EQ(spec.peak_derivation.at(Precision::fp32).derived_gflops(), 2088.96);
  ASSERT_TRUE(spec.calibration_summary.has_value());
  EXPECT_EQ(spec.calibration_summary->by_power_mode.size(), 2u);
  EXPECT_DOUBLE_EQ(
      spec.calibration_summary->by_power_mode.at("25W").measured_peaks.at(Precision::fp16), 7964.7);
  ASSERT_TRUE(spec.calibration_profiles.has_value());
  EXPECT_EQ(spec.calibration_profiles->power_modes.at("15W").size(), 1u);
  ASSERT_TRUE(spec.mapper.has_value());
  EXPECT_EQ(spec.mapper->class_name, "GPUMapper");
  EXPECT_EQ(spec.compute->extra.at("compute_capability"), "8.7");  // a kept, untyped key
}

TEST(Spec, HybridDerivationSumsItsTerms) {
  HardwareSpec spec = load_fixture("cpu/intel/intel_core_i7_12700k.json");
  const PeakDerivation& derivation = spec.peak_derivation.at(Precision::fp32);
  ASSERT_EQ(derivation.terms.size(), 2u);
  EXPECT_NEAR(derivation.derived_gflops(), 8 * 32 * 4.9 + 4 * 16 * 3.8, 1e-9);
}

TEST(Spec, EveryBundledEntryAndFixtureRoundTripsByteIdentically) {
  std::vector<fs::path> files = json_files_under(test::bundled_database());
  auto fixtures = json_files_under(test::fixtures_dir() / "databases/minimal");
  files.insert(files.end(), fixtures.begin(), fixtures.end());
  ASSERT_GE(files.size(), 2u);
  for (const fs::path& path : files) {
    std::string text = test::read_file(path);
    Json document = parse_json(text, path.string());
    HardwareSpec spec = spec_from_json(document, path.string());
    EXPECT_EQ(dump_json(spec_to_json(spec, document)), text) << path;
  }
}

TEST(Spec, UnknownFieldsSurviveAnEdit) {
  fs::path path = minimal_db() / "cpu/intel/intel_core_i7_12700k.json";
  std::string text = test::read_file(path);
  Json document = parse_json(text, "x");
  HardwareSpec spec = spec_from_json(document, "x");
  EXPECT_TRUE(spec.extra.contains("local_comment"));
  spec.theoretical_peaks[Precision::fp64] = 700.5;
  std::string written = dump_json(spec_to_json(spec, document));
  EXPECT_NE(written.find("\"local_comment\": \"an unknown field: kept on every rewrite\""),
            std::string::npos);
  // Only the edited line changes.
  std::string expected = text;
  expected.replace(expected.find("\"fp64\": 748.8"), 13, "\"fp64\": 700.5");
  EXPECT_EQ(written, expected);
}

TEST(Spec, NewEntryIsWrittenInCanonicalOrder) {
  HardwareSpec spec;
  spec.id = "acme_x1";
  spec.vendor = "ACME Corp";
  spec.model = "X1";
  spec.architecture = "Test";
  spec.device_type = DeviceType::cpu;
  spec.platform = "x86_64";
  spec.theoretical_peaks = {{Precision::fp32, 100.0}, {Precision::fp64, 50.0}};
  spec.peak_bandwidth_gbps = 25.6;
  EXPECT_EQ(spec.vendor_slug(), "acme");
  EXPECT_EQ(spec_to_json(spec).dump(),
            R"({"schema_version":1,"id":"acme_x1","vendor":"ACME Corp","model":"X1",)"
            R"("architecture":"Test","device_type":"cpu","platform":"x86_64",)"
            R"("theoretical_peaks":{"fp64":50.0,"fp32":100.0},"peak_bandwidth_gbps":25.6})");
}

TEST(Spec, WrongTypesAndUnknownNamesBecomeDiagnosticsWithPointers) {
  Json document = parse_json(R"({
    "schema_version": 1, "id": "x", "vendor": "V", "model": 7, "architecture": "A",
    "device_type": "tpu", "platform": "x86_64",
    "theoretical_peaks": {"fp32": "fast", "fp33": 1, "fp64": -1},
    "power_modes": {"7W": {"clocks_mhz": {"gpu": "high"}}}
  })",
                             "x.json");
  Diagnostics diagnostics;
  parse_spec(document, "x.json", diagnostics);
  std::vector<std::string> lines;
  for (const Diagnostic& d : diagnostics.items()) lines.push_back(format_diagnostic(d));
  auto has = [&](const std::string& needle) {
    for (const std::string& line : lines) {
      if (line.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("x.json: /model: expected a string, got a number"));
  EXPECT_TRUE(has("/device_type: unknown device type 'tpu'"));
  EXPECT_TRUE(has("/theoretical_peaks/fp32: expected a number, got a string"));
  EXPECT_TRUE(has("/theoretical_peaks/fp33: unknown precision 'fp33'"));
  EXPECT_TRUE(has("/theoretical_peaks/fp64: expected a non-negative number"));
  EXPECT_TRUE(
      has("/peak_bandwidth_gbps: missing: give the DRAM bandwidth in GB/s, or "
          "peak_bandwidth_unknown with the reason"));
  EXPECT_TRUE(has("/power_modes/7W/clocks_mhz/gpu: expected a number"));
  EXPECT_THROW(spec_from_json(document, "x.json"), DataError);
}

TEST(Spec, NewerSchemaVersionIsRefused) {
  Json document = load_json_file(minimal_db() / "cpu/intel/intel_core_i7_12700k.json");
  document["schema_version"] = 2;
  try {
    spec_from_json(document, "x.json");
    FAIL();
  } catch (const DataError& error) {
    EXPECT_EQ(error.pointer(), "/schema_version");
  }
}

TEST(Spec, VendorSlugIsTheFirstWordLowercased) {
  EXPECT_EQ(vendor_slug("Ampere Computing"), "ampere");
  EXPECT_EQ(vendor_slug("NVIDIA"), "nvidia");
  EXPECT_EQ(vendor_slug("  AMD "), "amd");
}

}  // namespace
}  // namespace hwcal
