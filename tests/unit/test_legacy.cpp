// The predecessor's entries: both layouts convert, patterns are escaped to match their own model
// string, bandwidth is found wherever it was stored, and what cannot be carried is reported.
#include <gtest/gtest.h>

#include "identify/legacy_entry.hpp"
#include "identify/match.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

LegacyConversion convert(const std::string& relative) {
  auto path = test::fixtures_dir() / "legacy/hardware_database" / relative;
  return convert_legacy_entry(load_json_file(path), path.filename().string());
}

bool mentions(const std::vector<std::string>& items, const std::string& text) {
  for (const std::string& item : items) {
    if (item.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Legacy, I7PatternsAreEscapedToMatchTheirOwnModelString) {
  LegacyConversion result = convert("cpu/intel/intel_12th_gen_intelr_coretm_i7_12700k.json");
  ASSERT_TRUE(result.entry) << result.failure;
  EXPECT_EQ(result.layout, "nested");
  const Json& entry = *result.entry;
  ASSERT_EQ(entry["detection_patterns"].size(), 1u);
  std::string pattern = entry["detection_patterns"][0];
  EXPECT_EQ(pattern, "12th Gen Intel\\(R\\) Core\\(TM\\) i7-12700K");
  EXPECT_TRUE(pattern_matches(pattern, "12th Gen Intel(R) Core(TM) i7-12700K"));
  EXPECT_TRUE(mentions(result.changes, "escaped"));
  // Bandwidth from memory_subsystem, memory from its channels.
  EXPECT_EQ(entry["peak_bandwidth_gbps"], 89.6);
  EXPECT_EQ(entry["memory"]["type"], "DDR5");
  EXPECT_EQ(entry["memory"]["bus_width_bits"], 128);
  // Only fp32 was non-zero; fp8 is not a canonical name.
  EXPECT_EQ(entry["theoretical_peaks"], Json::parse(R"({"fp32": 173.0})"));
  EXPECT_TRUE(mentions(result.not_carried, "theoretical_peaks.fp8"));
  EXPECT_TRUE(mentions(result.not_carried, "zero"));
  EXPECT_TRUE(mentions(result.not_carried, "cache figures"));
  EXPECT_EQ(entry["compute"]["units"], 12);
  EXPECT_EQ(entry["compute"]["max_clock_mhz"], 5000);
}

TEST(Legacy, FlatLayoutBandwidthAtTheTop) {
  LegacyConversion result = convert("cpu/ampere_computing/ampere_altra_max.json");
  ASSERT_TRUE(result.entry) << result.failure;
  EXPECT_EQ(result.layout, "flat");
  const Json& entry = *result.entry;
  EXPECT_EQ(entry["peak_bandwidth_gbps"], 204.8);
  EXPECT_EQ(entry["memory"]["type"], "DDR5");
  EXPECT_EQ(entry["architecture"], "unknown");
  EXPECT_TRUE(mentions(result.to_fill, "architecture"));
  // Patterns that match the model string "Ampere-Altra-Max-128" survive; the one that needs
  // "Ampere Computing" in front does not.
  for (const Json& pattern : entry["detection_patterns"]) {
    EXPECT_TRUE(pattern_matches(pattern.get<std::string>(), "Ampere-Altra-Max-128")) << pattern;
  }
  EXPECT_TRUE(mentions(result.not_carried, "Ampere Computing.*"));
}

TEST(Legacy, BroadPatternThatMissesItsModelIsReplaced) {
  LegacyConversion result = convert("cpu/amd/amd_ryzen_7_2700x_eight_core_processor.json");
  ASSERT_TRUE(result.entry);
  EXPECT_EQ((*result.entry)["detection_patterns"],
            Json::parse(R"(["Ryzen 7 2700X Eight-Core Processor"])"));
  EXPECT_TRUE(pattern_matches("Ryzen 7 2700X Eight-Core Processor",
                              "AMD Ryzen 7 2700X Eight-Core Processor"))
      << "unanchored: matches what Linux reports too";
  EXPECT_EQ((*result.entry)["memory"]["type"], "DDR4");
  EXPECT_EQ((*result.entry)["memory"]["data_rate_mts"], 2933.0);
}

TEST(Legacy, ZeroBandwidthCannotBeCarried) {
  LegacyConversion result = convert("gpu/nvidia/nvidia_geforce_gtx_1070.json");
  EXPECT_FALSE(result.entry);
  EXPECT_NE(result.failure.find("peak_bandwidth_gbps is 0"), std::string::npos) << result.failure;
  EXPECT_TRUE(mentions(result.not_carried, "all 11 peaks are zero"));
}

TEST(Legacy, JetsonEntriesNeedBoardSignals) {
  LegacyConversion result = convert("gpu/nvidia/jetson_orin_nano_gpu.json");
  ASSERT_TRUE(result.entry);
  EXPECT_EQ((*result.entry)["compute"]["units"], 8);
  EXPECT_EQ((*result.entry)["compute"]["cores_per_unit"], 128);
  EXPECT_EQ((*result.entry)["compute"]["compute_capability"], "8.7");
  EXPECT_TRUE(mentions(result.to_fill, "board_signals"));
}

// The predecessor wrote numbers there; a null or a string is a broken file, named as one (it used
// to escape as nlohmann's type_error).
TEST(Legacy, ChannelFigureThatIsNotANumberIsADataErrorAtItsPointer) {
  auto path = test::fixtures_dir() /
              "legacy/hardware_database/cpu/intel/intel_12th_gen_intelr_coretm_i7_12700k.json";
  for (const Json& bad : {Json(nullptr), Json("44.8")}) {
    Json legacy = load_json_file(path);
    legacy["memory_subsystem"]["memory_channels"][1]["bandwidth_gbps"] = bad;
    try {
      convert_legacy_entry(legacy, "i7.json");
      ADD_FAILURE() << "no DataError for bandwidth_gbps = " << bad.dump();
    } catch (const DataError& error) {
      EXPECT_EQ(error.file(), "i7.json");
      EXPECT_EQ(error.pointer(), "/memory_subsystem/memory_channels/1/bandwidth_gbps");
      EXPECT_NE(error.detail().find("expected a number"), std::string::npos) << error.what();
    }
  }
  Json legacy = load_json_file(path);
  legacy["memory_subsystem"]["memory_channels"][0] = "Channel 0";
  try {
    convert_legacy_entry(legacy, "i7.json");
    ADD_FAILURE() << "no DataError for a channel that is a string";
  } catch (const DataError& error) {
    EXPECT_EQ(error.pointer(), "/memory_subsystem/memory_channels/0");
  }
}

// A count beyond long long (found by fuzzing: the cast was undefined) is left out like a missing
// one.
TEST(Legacy, CountsBeyondAnyMachineAreNotCarried) {
  Json legacy = load_json_file(test::fixtures_dir() /
                               "legacy/hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json");
  legacy["core_info"]["total_sms"] = 1e300;
  LegacyConversion result = convert_legacy_entry(legacy, "orin.json");
  ASSERT_TRUE(result.entry) << result.failure;
  EXPECT_FALSE((*result.entry)["compute"].contains("units"));
  EXPECT_TRUE(mentions(result.to_fill, "compute.units"));
}

TEST(Legacy, SchemaFileIsRecognised) {
  EXPECT_TRUE(is_legacy_schema(
      load_json_file(test::fixtures_dir() / "legacy/hardware_database/schema.json")));
  EXPECT_FALSE(is_legacy_schema(Json::parse(R"({"id": "x"})")));
}

}  // namespace
}  // namespace hwcal
