// The predecessor's newer registry: derivations in words, and one spec.json converted, flagged or
// refused (identify/registry_entry.hpp). The program over the whole sample tree is in
// tests/cli/test_add_hardware.cpp.
#include <gtest/gtest.h>

#include "hwcal/database/spec.hpp"
#include "hwcal/json/json_io.hpp"
#include "identify/registry_entry.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

Json sample(const std::string& relative) {
  return load_json_file(test::fixtures_dir() / "registry" / relative);
}

bool any_contains(const std::vector<std::string>& items, const std::string& part) {
  for (const std::string& item : items) {
    if (item.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string joined(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += item + "\n";
  return text;
}

TEST(RegistryDerivation, ReadsTheFactorsAndTheStatedResult) {
  auto h100 =
      parse_word_derivation("132 SMs x 128 CUDA cores/SM x 2 (FMA) = 33,792 FP32 ops/clock");
  ASSERT_TRUE(h100);
  EXPECT_EQ(h100->factors, (std::vector<double>{132, 128, 2}));
  EXPECT_EQ(h100->stated, 33792);
  EXPECT_EQ(h100->product(), 33792);

  auto dla = parse_word_derivation("Single DLA core: 64x64 MAC array = 4,096 INT8 ops/clock");
  ASSERT_TRUE(dla);
  EXPECT_EQ(dla->factors, (std::vector<double>{64, 64}));
  EXPECT_EQ(dla->stated, 4096);

  // A word with digits ("FP32", "AVX-512") is no factor; "1,081,344" is one number.
  auto xeon = parse_word_derivation("60 cores x 16 FP32/cycle (AVX-512) = 960 FP32 ops/clock");
  ASSERT_TRUE(xeon);
  EXPECT_EQ(xeon->factors, (std::vector<double>{60, 16}));
  auto tensor = parse_word_derivation(
      "132 SMs x 4 Tensor Cores/SM x 512 ops/TC/clock x 4 = 1,081,344 FP16 ops/clock");
  ASSERT_TRUE(tensor);
  EXPECT_EQ(tensor->stated, 1081344);
  EXPECT_EQ(tensor->product(), 1081344);

  auto coral =
      parse_word_derivation("64x64 systolic array x 2 (MAC) = 8,192 INT8 ops/clock (estimated)");
  ASSERT_TRUE(coral);
  EXPECT_EQ(coral->product(), 8192);

  EXPECT_FALSE(parse_word_derivation("Edge TPU ONLY supports INT8."));
  EXPECT_FALSE(parse_word_derivation("x = 5"));
}

TEST(RegistrySpec, TheHailo8DerivationDoesNotGiveItsTotal) {
  RegistryKinds kinds;
  kinds.accelerators = true;
  RegistryConversion result = convert_registry_spec(
      sample("accelerator/hailo8/spec.json"), "hailo8/spec.json", "hailo8", std::nullopt, kinds);
  // 32 units x 500 ops = 16,000 ops/clock; x 1600 MHz = 25,600 GOPS, not the 26,000 it states.
  ASSERT_TRUE(any_contains(result.flags, "int8: the derivation")) << joined(result.flags);
  EXPECT_TRUE(any_contains(result.flags, "= 25,600 GOPS, but theoretical_peaks.int8 says 26,000"))
      << joined(result.flags);
  EXPECT_TRUE(any_contains(result.flags, "int4: the derivation")) << joined(result.flags);
  // Nothing survives, and the platform names no host ISA: refused, not carried silently.
  EXPECT_FALSE(result.entry);
  EXPECT_FALSE(result.failure.empty());
}

TEST(RegistrySpec, AKindTheDatabaseLacksIsRefusedButStillChecked) {
  RegistryConversion result =
      convert_registry_spec(sample("accelerator/hailo8/spec.json"), "hailo8/spec.json", "hailo8",
                            std::nullopt, RegistryKinds{false, false});
  EXPECT_FALSE(result.entry);
  EXPECT_EQ(result.failure, "/device_type: kind accelerator: not supported by this database yet");
  EXPECT_TRUE(any_contains(result.flags, "int8: the derivation")) << joined(result.flags);

  RegistryConversion board =
      convert_registry_spec(sample("boards/jetson_orin_nx/spec.json"), "boards/spec.json",
                            "jetson_orin_nx", std::nullopt, RegistryKinds{false, false});
  EXPECT_EQ(board.failure, "/device_type: kind board: not supported by this database yet");

  // "tpu" is an accelerator here.
  RegistryConversion coral = convert_registry_spec(
      sample("accelerator/google_coral_edge_tpu/spec.json"), "coral/spec.json",
      "google_coral_edge_tpu", std::nullopt, RegistryKinds{false, false});
  EXPECT_EQ(coral.failure, "/device_type: kind accelerator: not supported by this database yet");
  EXPECT_TRUE(any_contains(coral.flags,
                           "ops_per_clock.int8 says 8,000 ops/clock, the derivation "
                           "8,192"))
      << joined(coral.flags);
}

TEST(RegistrySpec, ASparseFigureIsFlaggedAgainstTheSourcedDenseOne) {
  HardwareSpec dense;
  dense.id = "nvidia_h100_sxm5_80gb";
  dense.device_type = DeviceType::gpu;
  dense.theoretical_peaks = {{Precision::fp32, 66900}, {Precision::fp16, 989400}};
  RegistryReference reference{&dense, "hardware_database/gpu/nvidia/nvidia_h100_sxm5_80gb.json"};
  RegistryConversion result =
      convert_registry_spec(sample("gpu/h100_sxm5/spec.json"), "h100_sxm5/spec.json", "h100_sxm5",
                            reference, RegistryKinds{});
  EXPECT_TRUE(any_contains(result.flags,
                           "fp16: 1,979,000 GFLOPS is 2 x the dense 989,400 of "
                           "nvidia_h100_sxm5_80gb"))
      << joined(result.flags);
  ASSERT_TRUE(result.entry) << result.failure;
  const Json& peaks = (*result.entry)["theoretical_peaks"];
  EXPECT_FALSE(peaks.contains("fp16")) << "a sparse figure is never carried";
  EXPECT_FALSE(peaks.contains("fp64")) << "its derivation says 16,896 ops/clock, not 17,172";
  EXPECT_EQ(peaks["fp32"], 67000.0) << "agrees with itself and with the sourced 66,900";
  // The carried figure keeps its derivation, which agrees with it.
  const Json& derivation = (*result.entry)["peak_derivation"]["fp32"];
  EXPECT_EQ(derivation["clock_mhz"], 1980.0);
  EXPECT_NEAR(derivation["units"].get<double>() *
                  derivation["ops_per_cycle_per_unit"].get<double>() * 1980 / 1000,
              67000, 670);
  EXPECT_TRUE(any_contains(result.not_carried, "fp8")) << joined(result.not_carried);
}

TEST(RegistrySpec, AConsistentCpuSpecBecomesAnEntryWithModes) {
  RegistryConversion result =
      convert_registry_spec(sample("cpu/jetson_orin_nx_16gb_cpu/spec.json"), "orin/spec.json",
                            "jetson_orin_nx_16gb_cpu", std::nullopt, RegistryKinds{});
  ASSERT_TRUE(result.entry) << result.failure;
  EXPECT_TRUE(result.flags.empty()) << joined(result.flags);
  const Json& entry = *result.entry;
  EXPECT_EQ(entry["theoretical_peaks"]["fp32"], 243.2);
  EXPECT_EQ(entry["compute"]["units"], 8);
  EXPECT_EQ(entry["power_modes"]["15W"]["clocks_mhz"]["cpu"], 1190.0);
  // 128 ops/clock x 1190 MHz
  EXPECT_EQ(entry["power_modes"]["15W"]["theoretical_peaks"]["fp32"], 152.3);
  Diagnostics diagnostics;
  HardwareSpec spec = parse_spec(entry, "orin.json", diagnostics);
  EXPECT_FALSE(diagnostics.has_errors());
  EXPECT_EQ(spec.peak_derivation.at(Precision::fp32).terms.at(0).ops_per_cycle_per_unit, 16);
}

// A minimal valid spec, then one hostile value at a time: the file is refused, naming the field.
TEST(RegistrySpec, HostileValuesRefuseTheFileNamingTheField) {
  const Json good = Json::parse(R"({
    "id": "tiny_cpu", "vendor": "Example", "model": "Tiny CPU", "device_type": "cpu",
    "architecture": "Tiny", "platform": "x86_64", "peak_bandwidth_gbps": 10,
    "ops_per_clock": {"fp32": 64}, "theoretical_peaks": {"fp32": 128.0},
    "compute_units": 4, "boost_clock_mhz": 2000})");
  ASSERT_TRUE(convert_registry_spec(good, "tiny.json", "tiny_cpu", std::nullopt, {}).entry);
  struct Case {
    std::string pointer;
    Json value;
    std::string failure;
  };
  for (const Case& c : std::vector<Case>{
           {"/theoretical_peaks/fp32", -5, "/theoretical_peaks/fp32: -5 is negative"},
           {"/theoretical_peaks/fp32", "NaN",
            "/theoretical_peaks/fp32: expected a number, got a "
            "string"},
           {"/theoretical_peaks/fp32", 1e300,
            "/theoretical_peaks/fp32: 1e+300 is beyond any "
            "device"},
           {"/ops_per_clock", Json::array({1, 2}),
            "/ops_per_clock: expected an object, got an array"},
           {"/boost_clock_mhz", -1, "/boost_clock_mhz: -1 is negative"},
           {"/peak_bandwidth_gbps", 1e12, "/peak_bandwidth_gbps: 1e+12 is beyond any device"},
           {"/vendor", nullptr, "/vendor: missing"},
           {"/model", 42, "/model: expected a string, got a number"},
           {"/device_type", "quantum", "/device_type: 'quantum' has no counterpart"},
           {"/platform", "embedded", "/platform: 'embedded' names no host instruction set"},
       }) {
    Json bad = good;
    bad[Json::json_pointer(c.pointer)] = c.value;
    RegistryConversion result =
        convert_registry_spec(bad, "tiny.json", "tiny_cpu", std::nullopt, {});
    EXPECT_FALSE(result.entry) << c.pointer;
    EXPECT_EQ(result.failure.rfind(c.failure, 0), 0u) << c.pointer << ": " << result.failure;
    EXPECT_EQ(result.failure.find('\n'), std::string::npos) << "one line";
  }
  EXPECT_EQ(convert_registry_spec(Json::array(), "tiny.json", "", std::nullopt, {}).failure,
            "/: expected a spec object, got an array");
}

}  // namespace
}  // namespace hwcal
