// Drafting entries from detection: derived peaks must equal the bundled entries' datasheet-based
// figures for the same machines, and what cannot be known is listed, not invented.
#include <gtest/gtest.h>

#include "detect/detect.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/validate.hpp"
#include "identify/derive.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

SystemInfo detect_fixture(const std::string& machine) {
  return detect_system(detect_options_for(test::fixtures_dir() / "machines" / machine));
}

const HardwareSpec& bundled(const std::string& id) {
  static const Database database = Database::load(test::bundled_database());
  return database.get(id).spec;
}

bool mentions(const std::vector<std::string>& items, const std::string& text) {
  for (const std::string& item : items) {
    if (item.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(DraftCpu, HybridAlderLakeEqualsTheDatasheetEntry) {
  Draft draft = draft_cpu_entry(detect_fixture("x86_workstation"), nullptr);
  const HardwareSpec& reference = bundled("intel_core_i7_12700k");
  for (Precision precision : {Precision::fp64, Precision::fp32, Precision::int8}) {
    ASSERT_TRUE(draft.spec.theoretical_peaks.count(precision)) << to_string(precision);
    EXPECT_NEAR(draft.spec.theoretical_peaks.at(precision),
                reference.theoretical_peaks.at(precision), 0.05)
        << to_string(precision);
  }
  const PeakDerivation& fp32 = draft.spec.peak_derivation.at(Precision::fp32);
  ASSERT_EQ(fp32.terms.size(), 2u);
  EXPECT_EQ(fp32.terms[0].unit, "P-core");
  EXPECT_EQ(fp32.terms[0].clock_mhz, 4900.0);
  EXPECT_EQ(fp32.terms[1].unit, "E-core");
  EXPECT_EQ(fp32.clock_source, "sysfs");
  EXPECT_EQ(draft.spec.detection_patterns->front(),
            "^12th Gen Intel\\(R\\) Core\\(TM\\) i7-12700K$");
  EXPECT_EQ(draft.spec.id, "intel_12th_gen_core_i7_12700k");
  EXPECT_TRUE(mentions(draft.to_fill, "peak_bandwidth_gbps"));
  EXPECT_TRUE(mentions(draft.to_fill, "sources"));
}

TEST(DraftCpu, JetsonPeaksAndPowerModesEqualTheBundledEntry) {
  Draft draft = draft_cpu_entry(detect_fixture("jetson_orin_nano_7w"), nullptr);
  const HardwareSpec& reference = bundled("jetson_orin_nano_cpu");
  EXPECT_EQ(draft.spec.vendor, "NVIDIA");
  EXPECT_EQ(*draft.spec.compute->units, 6) << "offline cores still count for the device";
  for (const auto& [precision, value] : reference.theoretical_peaks) {
    EXPECT_NEAR(draft.spec.theoretical_peaks.at(precision), value, 0.05) << to_string(precision);
  }
  ASSERT_EQ(draft.spec.power_modes.size(), 4u);
  for (const PowerMode& mode : reference.power_modes) {
    const PowerMode* drafted = draft.spec.find_power_mode(mode.name);
    ASSERT_NE(drafted, nullptr) << mode.name;
    EXPECT_EQ(drafted->nvpmodel_id, mode.nvpmodel_id) << mode.name;
    EXPECT_EQ(drafted->online_cpus, mode.online_cpus) << mode.name;
    for (const auto& [precision, value] : mode.theoretical_peaks) {
      EXPECT_NEAR(drafted->theoretical_peaks.at(precision), value, 0.05)
          << mode.name << " " << to_string(precision);
    }
  }
  EXPECT_EQ(draft.spec.default_power_mode, "25W");
  ASSERT_TRUE(draft.spec.board_signals);
  EXPECT_EQ(draft.spec.board_signals->cpu_cores, 6);
  EXPECT_EQ(draft.spec.board_signals->compatible.front(), "nvidia,p3768-0000+p3767-0005-super");
}

TEST(DraftCpu, AltraEqualsTheBundledEntry) {
  Draft draft = draft_cpu_entry(detect_fixture("aarch64_server"), nullptr);
  const HardwareSpec& reference = bundled("ampere_altra_max_m128_30");
  for (const auto& [precision, value] : reference.theoretical_peaks) {
    EXPECT_NEAR(draft.spec.theoretical_peaks.at(precision), value, 0.05) << to_string(precision);
  }
  EXPECT_TRUE(mentions(draft.to_fill, "model: 'Neoverse-N1' names the core"));
}

TEST(DraftCpu, MeasuredClockStandsInWhereNoneIsReadable) {
  std::vector<std::vector<int>> asked;
  ClockMeasurer fake = [&](const std::vector<int>& cpus, std::string& note) {
    asked.push_back(cpus);
    note = "fake";
    return std::optional<double>(cpus.size() == 1 ? 3000.0 : 2900.0);
  };
  Draft draft = draft_cpu_entry(detect_fixture("container"), fake);
  ASSERT_EQ(asked.size(), 2u) << "one core, then all cores";
  const PeakDerivation& fp64 = draft.spec.peak_derivation.at(Precision::fp64);
  EXPECT_EQ(fp64.clock_source, "measured");
  EXPECT_EQ(fp64.terms.at(0).clock_mhz, 3000.0) << "the higher of the two";
  // Zen 3: 2 x 256-bit FMA = 16 fp64 flops per cycle, 4 cores.
  EXPECT_NEAR(draft.spec.theoretical_peaks.at(Precision::fp64), 4 * 16 * 3.0, 0.05);
  EXPECT_TRUE(mentions(draft.to_fill, "virtual machine"));
  EXPECT_TRUE(mentions(draft.to_fill, "measured under vector load"));
}

TEST(DraftCpu, NoClockNoMeasurementMeansNoPeaks) {
  Draft draft = draft_cpu_entry(detect_fixture("container"), nullptr);
  EXPECT_TRUE(draft.spec.theoretical_peaks.empty());
  EXPECT_TRUE(mentions(draft.to_fill, "no maximum clock readable"));
}

TEST(DraftCpu, DraftsValidateOnceBandwidthIsGiven) {
  for (std::string machine :
       {"x86_workstation", "jetson_orin_nano_7w", "jetson_orin_nano_25w", "aarch64_server"}) {
    Draft draft = draft_cpu_entry(detect_fixture(machine), nullptr);
    draft.spec.peak_bandwidth_gbps = 100;
    Diagnostics diagnostics = validate_spec(draft.spec, machine, "");
    EXPECT_FALSE(diagnostics.has_errors())
        << machine << ": " << format_diagnostic(diagnostics.items().front());
  }
}

TEST(GpuPeaks, EqualTheDatasheetEntries) {
  struct Case {
    std::string id;
    std::string name;
    std::string capability;
    long long sms;
    Precision precision;
    double clock_mhz;
  };
  for (const Case& c : std::vector<Case>{
           {"nvidia_h100_sxm5_80gb", "NVIDIA H100 80GB HBM3", "9.0", 132, Precision::fp16, 1830},
           {"nvidia_h100_sxm5_80gb", "NVIDIA H100 80GB HBM3", "9.0", 132, Precision::fp64, 1980},
           {"nvidia_a100_sxm4_80gb", "NVIDIA A100-SXM4-80GB", "8.0", 108, Precision::fp64, 1410},
           {"nvidia_a100_sxm4_80gb", "NVIDIA A100-SXM4-80GB", "8.0", 108, Precision::int8, 1410},
           {"nvidia_geforce_rtx_4090", "NVIDIA GeForce RTX 4090", "8.9", 128, Precision::fp16,
            2520},
           {"nvidia_geforce_rtx_4090", "NVIDIA GeForce RTX 4090", "8.9", 128, Precision::int8,
            2520},
           {"nvidia_l4", "NVIDIA L4", "8.9", 58, Precision::fp16, 2040},
           {"jetson_orin_nano_gpu", "Orin", "8.7", 8, Precision::int8, 1020},
       }) {
    PeakTable peaks;
    DerivationTable derivations;
    std::string reason;
    ASSERT_TRUE(derive_gpu_peaks(c.name, c.capability, c.sms, c.clock_mhz, "datasheet", peaks,
                                 derivations, reason))
        << reason;
    EXPECT_NEAR(peaks.at(c.precision), bundled(c.id).theoretical_peaks.at(c.precision),
                bundled(c.id).theoretical_peaks.at(c.precision) * 0.001)
        << c.id << " " << to_string(c.precision);
  }
  PeakTable peaks;
  DerivationTable derivations;
  std::string reason;
  EXPECT_FALSE(
      derive_gpu_peaks("Future GPU", "13.0", 100, 2000, "driver", peaks, derivations, reason));
  EXPECT_NE(reason.find("13.0"), std::string::npos);
}

TEST(DraftGpu, JetsonWithoutCudaListsWhatIsMissing) {
  SystemInfo system = detect_fixture("jetson_orin_nano_25w");
  Draft draft = draft_gpu_entry(system, system.gpus.at(0));
  EXPECT_TRUE(draft.spec.theoretical_peaks.empty());
  EXPECT_TRUE(mentions(draft.to_fill, "the SM count"));
  EXPECT_EQ(*draft.spec.compute->max_clock_mhz, 1020.0);
  EXPECT_EQ(draft.spec.model,
            "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super (GPU)");
}

TEST(SuggestId, ReadableIds) {
  EXPECT_EQ(suggest_id("Intel", "12th Gen Intel(R) Core(TM) i7-12700K"),
            "intel_12th_gen_core_i7_12700k");
  EXPECT_EQ(suggest_id("AMD", "AMD Ryzen 7 2700X Eight-Core Processor"), "amd_ryzen_7_2700x");
  EXPECT_EQ(suggest_id("AMD", "AMD EPYC 7763 64-Core Processor"), "amd_epyc_7763");
  EXPECT_EQ(suggest_id("Intel", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"),
            "intel_xeon_e5_2680_v4");
  EXPECT_EQ(suggest_id("NVIDIA", "NVIDIA H100 80GB HBM3"), "nvidia_h100_80gb_hbm3");
}

}  // namespace
}  // namespace hwcal
