// Matching: every fixture machine against the bundled database, evidence included.
#include <gtest/gtest.h>
#include <algorithm>

#include "detect/detect.hpp"
#include "identify/match.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

const Database& bundled() {
  static const Database database = Database::load(test::bundled_database());
  return database;
}

SystemInfo detect_root(const fs::path& root) { return detect_system(detect_options_for(root)); }

SystemInfo detect_fixture(const std::string& machine) {
  return detect_root(test::fixtures_dir() / "machines" / machine);
}

bool has_evidence(const EntryScore& score, const std::string& signal, int points) {
  for (const Evidence& evidence : score.evidence) {
    if (evidence.signal == signal && evidence.points == points) return true;
  }
  return false;
}

TEST(Patterns, EscapedModelStringMatchesItself) {
  const std::string model = "12th Gen Intel(R) Core(TM) i7-12700K";
  EXPECT_FALSE(pattern_matches(model, model)) << "(R) is a group: the predecessor's fault";
  EXPECT_TRUE(pattern_matches(regex_escape(model), model));
  EXPECT_TRUE(pattern_matches("^" + regex_escape(model) + "$", model));
  EXPECT_EQ(regex_escape("a.b*c"), "a\\.b\\*c");
  EXPECT_TRUE(pattern_matches("cortex-a78ae", "Cortex-A78AE")) << "case-insensitive";
  EXPECT_FALSE(pattern_matches("(", "(")) << "an invalid pattern matches nothing";
}

TEST(MatchFixture, X86WorkstationIsTheI7AndTheRtx4090) {
  MachineMatch match = match_machine(bundled(), detect_fixture("x86_workstation"));
  ASSERT_TRUE(match.cpu.entry_id);
  EXPECT_EQ(*match.cpu.entry_id, "intel_core_i7_12700k");
  EXPECT_TRUE(has_evidence(*match.cpu.best(), "detection_pattern", kPatternWeight));
  EXPECT_TRUE(has_evidence(*match.cpu.best(), "units", kCountWeight)) << "12 cores";
  EXPECT_EQ(match.power_mode, "default");
  ASSERT_EQ(match.gpus.size(), 1u);
  ASSERT_TRUE(match.gpus[0].entry_id);
  EXPECT_EQ(*match.gpus[0].entry_id, "nvidia_geforce_rtx_4090");
}

TEST(MatchFixture, OrinNanoIn7W) {
  MachineMatch match = match_machine(bundled(), detect_fixture("jetson_orin_nano_7w"));
  ASSERT_TRUE(match.cpu.entry_id);
  EXPECT_EQ(*match.cpu.entry_id, "jetson_orin_nano_cpu");
  EXPECT_EQ(match.cpu.power_mode, "7W");
  const EntryScore& best = *match.cpu.best();
  EXPECT_TRUE(has_evidence(best, "detection_pattern", kPatternWeight));
  EXPECT_TRUE(has_evidence(best, "device_tree_model", kDeviceTreeWeight));
  EXPECT_TRUE(has_evidence(best, "compatible", kCompatibleWeight));
  EXPECT_TRUE(has_evidence(best, "cpu_cores", kCountWeight)) << "6 present, 4 online in 7W";
  EXPECT_TRUE(has_evidence(best, "compute_capability", 0)) << "not checked without CUDA";
  // The AGX Orin reports the same core: the board signals tell them apart.
  auto agx_it = std::find_if(match.cpu.ranking.begin(), match.cpu.ranking.end(),
                             [](const EntryScore& s) { return s.id == "jetson_agx_orin_cpu"; });
  ASSERT_NE(agx_it, match.cpu.ranking.end());
  const EntryScore& agx = *agx_it;
  EXPECT_TRUE(has_evidence(agx, "detection_pattern", kPatternWeight));
  EXPECT_TRUE(has_evidence(agx, "device_tree_model", -kDeviceTreeWeight));
  EXPECT_LT(agx.score, best.score);
  ASSERT_EQ(match.gpus.size(), 1u);
  ASSERT_TRUE(match.gpus[0].entry_id);
  EXPECT_EQ(*match.gpus[0].entry_id, "jetson_orin_nano_gpu");
  EXPECT_EQ(match.gpus[0].power_mode, "7W");
  EXPECT_TRUE(match.cpu.notes.empty()) << match.cpu.notes.front();
}

TEST(MatchFixture, OrinNanoIn25W) {
  MachineMatch match = match_machine(bundled(), detect_fixture("jetson_orin_nano_25w"));
  EXPECT_EQ(*match.cpu.entry_id, "jetson_orin_nano_cpu");
  EXPECT_EQ(match.power_mode, "25W");
  EXPECT_NE(match.power_mode_how.find("pmode 1"), std::string::npos) << match.power_mode_how;
}

TEST(MatchFixture, AgxOrinBoardMatchesTheAgxEntries) {
  test::TempDir dir;
  test::copy_tree(test::fixtures_dir() / "machines/jetson_orin_nano_25w", dir.path());
  test::write_file(dir / "proc/device-tree/model",
                   std::string("NVIDIA Jetson AGX Orin Developer Kit") + '\0');
  test::write_file(dir / "proc/device-tree/compatible",
                   std::string("nvidia,p3737-0000+p3701-0005") + '\0' + "nvidia,p3701-0005" + '\0' +
                       "nvidia,tegra234" + '\0');
  MachineMatch match = match_machine(bundled(), detect_root(dir.path()));
  EXPECT_EQ(*match.cpu.entry_id, "jetson_agx_orin_cpu");
  EXPECT_EQ(*match.gpus.at(0).entry_id, "jetson_agx_orin_gpu");
  // nvpmodel says 25W, which the AGX Orin does not have: said, not hidden.
  ASSERT_FALSE(match.cpu.notes.empty());
  EXPECT_NE(match.cpu.notes.front().find("25W is not one of"), std::string::npos);
}

TEST(MatchFixture, Aarch64ServerIsTheAltraMax) {
  MachineMatch match = match_machine(bundled(), detect_fixture("aarch64_server"));
  ASSERT_TRUE(match.cpu.entry_id);
  EXPECT_EQ(*match.cpu.entry_id, "ampere_altra_max_m128_30");
  EXPECT_TRUE(has_evidence(*match.cpu.best(), "cpu_cores", kCountWeight));
  EXPECT_TRUE(match.gpus.empty());
}

TEST(MatchFixture, H100ServerWithNvidiaSmi) {
  DetectOptions options = detect_options_for(test::fixtures_dir() / "machines/h100_server");
  options.nvidia_smi = (test::fixtures_dir() / "nvidia_smi/fake_nvidia_smi.sh").string();
  MachineMatch match = match_machine(bundled(), detect_system(options));
  EXPECT_FALSE(match.cpu.entry_id) << "no entry for a Xeon whose SKU the VM hides";
  ASSERT_EQ(match.gpus.size(), 1u);
  ASSERT_TRUE(match.gpus[0].entry_id);
  EXPECT_EQ(*match.gpus[0].entry_id, "nvidia_h100_sxm5_80gb");
  EXPECT_TRUE(has_evidence(*match.gpus[0].best(), "compute_capability", kCapabilityWeight));
  // The PCIe H100 has the same capability but another name.
  for (const EntryScore& score : match.gpus[0].ranking) {
    if (score.id == "nvidia_h100_pcie_80gb") {
      EXPECT_FALSE(score.identified);
    }
  }
}

// A container on an EPYC 7763 host: the model string names the chip, so the bundled entry is
// identified; the 4 cores it sees against the socket's 64 cost points, not the match.
TEST(MatchFixture, ContainerIsIdentifiedByItsHostsCpuModel) {
  MachineMatch match = match_machine(bundled(), detect_fixture("container"));
  ASSERT_TRUE(match.cpu.entry_id);
  EXPECT_EQ(*match.cpu.entry_id, "amd_epyc_7763");
  EXPECT_TRUE(has_evidence(*match.cpu.best(), "units", -kCountWeight));
  for (const EntryScore& score : match.cpu.ranking) {
    if (score.id != "amd_epyc_7763") {
      EXPECT_FALSE(score.identified) << score.id;
    }
  }
}

TEST(MatchMachine, TwoEntriesWithTheSameScoreAreAmbiguous) {
  test::TempDir dir;
  test::copy_tree(test::bundled_database(), dir.path());
  Json copy = load_json_file(dir / "cpu/intel/intel_core_i7_12700k.json");
  copy["id"] = "intel_core_i7_12700k_copy";
  copy["model"] = "Intel Core i7-12700K (copy)";
  save_json_atomic(dir / "cpu/intel/intel_core_i7_12700k_copy.json", copy);
  MachineMatch match = match_machine(Database::load(dir.path()), detect_fixture("x86_workstation"));
  EXPECT_FALSE(match.cpu.entry_id);
  ASSERT_FALSE(match.cpu.notes.empty());
  EXPECT_NE(match.cpu.notes.front().find("ambiguous"), std::string::npos);
}

TEST(MatchMachine, JsonCarriesChoiceAndEvidence) {
  MachineMatch match = match_machine(bundled(), detect_fixture("jetson_orin_nano_7w"));
  Json json = machine_match_to_json(match, 2);
  EXPECT_EQ(json["power_mode"], "7W");
  EXPECT_EQ(json["cpu"]["entry_id"], "jetson_orin_nano_cpu");
  EXPECT_EQ(json["cpu"]["ranking"].size(), 2u);
  EXPECT_FALSE(json["cpu"]["ranking"][0]["evidence"].empty());
  EXPECT_EQ(json["gpus"][0]["device"], "cuda:0");
  std::string text = render_machine_match(match, 1);
  EXPECT_NE(text.find("cpu: jetson_orin_nano_cpu"), std::string::npos) << text;
  EXPECT_NE(text.find("+30  compatible string \"nvidia,p3768-0000+p3767-0005-super\" is listed"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace hwcal
