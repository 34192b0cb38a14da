// add_hardware's library side: --set assignments, and run_add_hardware on in-memory streams.
#include <gtest/gtest.h>

#include <sstream>

#include "hwcal/base/error.hpp"
#include "test_support.hpp"
#include "tools/add_hardware.hpp"

namespace hwcal {
namespace {

TEST(Assignment, DottedKeysTypesAndRemoval) {
  Json document = Json::parse(R"({"id": "x", "sources": [{"title": "a"}]})");
  apply_assignment(document, "theoretical_peaks.fp32=100");
  apply_assignment(document, "vendor=AMD");
  apply_assignment(document, "compute.compute_capability=8.7");
  apply_assignment(document, "detection_patterns=[\"^X$\"]");
  apply_assignment(document, "sources.0.url=https://example.com/a=b");
  apply_assignment(document, "sources.1={\"title\": \"b\", \"covers\": []}");
  apply_assignment(document, "notes=true");
  EXPECT_EQ(document["theoretical_peaks"]["fp32"], 100);
  EXPECT_EQ(document["vendor"], "AMD");
  EXPECT_EQ(document["compute"]["compute_capability"], "8.7") << "a string field stays a string";
  EXPECT_EQ(document["detection_patterns"][0], "^X$");
  EXPECT_EQ(document["sources"][0]["url"], "https://example.com/a=b");
  EXPECT_EQ(document["sources"][1]["title"], "b");
  EXPECT_EQ(document["notes"], "true");
  apply_assignment(document, "vendor=null");
  EXPECT_FALSE(document.contains("vendor"));
}

TEST(Assignment, MalformedAssignmentsAreUsageErrors) {
  Json document = Json::parse(R"({"id": "x", "sources": []})");
  EXPECT_THROW(apply_assignment(document, "no_equals_sign"), UsageError);
  EXPECT_THROW(apply_assignment(document, "=5"), UsageError);
  EXPECT_THROW(apply_assignment(document, "id.inner=5"), UsageError);
  EXPECT_THROW(apply_assignment(document, "sources.3.title=x"), UsageError);
  EXPECT_THROW(apply_assignment(document, "a..b=1"), UsageError);
}

struct RunResult {
  int code = 0;
  std::string out;
  std::string err;
};

RunResult run(const AddHardwareOptions& options) {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in;
  Io io{out, err, in};
  RunResult result;
  result.code = run_add_hardware(options, io);
  result.out = out.str();
  result.err = err.str();
  return result;
}

TEST(RunAddHardware, DetectJsonOnAFixture) {
  AddHardwareOptions options;
  options.mode = AddHardwareMode::detect;
  options.format = AddHardwareFormat::json;
  options.database = test::bundled_database();
  options.sysroot = test::fixtures_dir() / "machines/jetson_orin_nano_25w";
  RunResult result = run(options);
  ASSERT_EQ(result.code, 0) << result.err;
  Json json = parse_json(result.out, "stdout");
  EXPECT_EQ(json["matches"]["cpu"]["entry_id"], "jetson_orin_nano_cpu");
  EXPECT_EQ(json["matches"]["gpus"][0]["entry_id"], "jetson_orin_nano_gpu");
  EXPECT_EQ(json["matches"]["power_mode"], "25W");
  EXPECT_EQ(json["detection"]["cpu"]["model"], "Cortex-A78AE");
  EXPECT_EQ(json["detection"]["board"]["power_mode"]["name"], "25W");
}

TEST(RunAddHardware, WizardNeedsATerminal) {
  AddHardwareOptions options;
  options.database = test::bundled_database();
  EXPECT_THROW(run(options), UsageError);
}

TEST(RunAddHardware, MeasuringAnotherMachineIsAUsageError) {
  AddHardwareOptions options;
  options.mode = AddHardwareMode::detect;
  options.measure_clock = true;
  options.database = test::bundled_database();
  options.sysroot = test::fixtures_dir() / "machines/container";
  EXPECT_THROW(run(options), UsageError);
}

// A dry run of --from-detection on a fixture tree, as JSON, against an empty database (the
// bundled one has some of the fixtures' machines).
Json draft_of(const std::string& machine, std::vector<std::string> sets) {
  test::TempDir dir;
  AddHardwareOptions options;
  options.mode = AddHardwareMode::from_detection;
  options.format = AddHardwareFormat::json;
  options.dry_run = true;
  options.database = dir.path();
  options.sysroot = test::fixtures_dir() / "machines" / machine;
  options.sets = std::move(sets);
  RunResult result = run(options);
  EXPECT_EQ(result.code, 0) << result.out << result.err;
  return parse_json(result.out, "stdout");
}

bool lists(const Json& items, const std::string& text) {
  for (const Json& item : items) {
    if (item.get<std::string>().find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(RunAddHardware, GivenFmaUnitsDeriveThePeaksAndSayUser) {
  // Part 0xfff is not in the table and a fixture tree cannot be measured: no vector peaks...
  Json unknown = draft_of("arm_unknown_part", {});
  EXPECT_FALSE(unknown["entry"].contains("theoretical_peaks") &&
               unknown["entry"]["theoretical_peaks"].contains("fp32"));
  EXPECT_TRUE(lists(unknown["to_fill"], "FMA units per core unknown"));
  // ... until a person gives the units: 4 cores x 3 units x 4 fp32 lanes x 2 x 2.0 GHz = 192.
  Json given = draft_of("arm_unknown_part", {"compute.fma_units_per_core=3"});
  EXPECT_EQ(given["entry"]["theoretical_peaks"]["fp32"], 192);
  EXPECT_EQ(given["entry"]["peak_derivation"]["fp32"]["origin"], "user");
  EXPECT_EQ(given["entry"]["compute"]["fma_units_per_core"], 3);

  // A core the table knows (Neoverse N1, 2 units): the given count replaces the table's.
  Json table = draft_of("aarch64_server", {});
  EXPECT_EQ(table["entry"]["theoretical_peaks"]["fp32"], 6144);
  EXPECT_EQ(table["entry"]["peak_derivation"]["fp32"]["origin"], "core_table");
  Json doubled = draft_of("aarch64_server", {"compute.fma_units_per_core=4"});
  EXPECT_EQ(doubled["entry"]["theoretical_peaks"]["fp32"], 12288);
  EXPECT_EQ(doubled["entry"]["peak_derivation"]["fp32"]["origin"], "user");
}

TEST(RunAddHardware, BadGivenFmaUnitsAreUsageErrors) {
  AddHardwareOptions options;
  options.mode = AddHardwareMode::from_detection;
  options.dry_run = true;
  options.database = test::bundled_database();
  options.sysroot = test::fixtures_dir() / "machines/arm_unknown_part";
  for (std::string set : {"compute.fma_units_per_core=two", "compute.fma_units_per_core=0",
                          "compute.fma_width_bits=100"}) {
    options.sets = {set};
    EXPECT_THROW(run(options), UsageError) << set;
  }
  options.sysroot = test::fixtures_dir() / "machines/x86_workstation";
  options.sets = {"compute.fma_units_per_core=2"};
  EXPECT_THROW(run(options), UsageError) << "a hybrid's units are given per core type";
  options.sets = {"compute.core_types.2.fma_units_per_core=1"};
  EXPECT_THROW(run(options), UsageError) << "the i7 has two core types";
  Json hybrid = draft_of("x86_workstation", {"compute.core_types.1.fma_units_per_core=1"});
  EXPECT_EQ(hybrid["entry"]["peak_derivation"]["fp32"]["origin"], "user");
  EXPECT_EQ(hybrid["entry"]["compute"]["core_types"][1]["fma_units_per_core"], 1);
}

TEST(RunAddHardware, AGivenBandwidthReplacesTheDraftedUnknown) {
  Json unknown = draft_of("aarch64_server", {});
  EXPECT_FALSE(unknown["entry"].contains("peak_bandwidth_gbps"));
  EXPECT_NE(unknown["entry"]["peak_bandwidth_unknown"].get<std::string>().find("SMBIOS"),
            std::string::npos);
  Json given = draft_of("aarch64_server", {"peak_bandwidth_gbps=204.8"});
  EXPECT_EQ(given["entry"]["peak_bandwidth_gbps"], 204.8);
  EXPECT_FALSE(given["entry"].contains("peak_bandwidth_unknown"));
}

}  // namespace
}  // namespace hwcal
