// End-to-end: the built add_hardware on fixture machines and temporary databases, the legacy
// import on a copy of the predecessor's files, and the wizard driven through a pseudo-terminal.
#include <gtest/gtest.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <map>

#include "hwcal/database/database.hpp"
#include "hwcal/json/json_io.hpp"
#include "identify/match.hpp"
#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::kSummarize;
using test::run_program;

const std::string& kProgram = test::kAddHardware;

std::string machine(const std::string& name) {
  return (test::fixtures_dir() / "machines" / name).string();
}

// A fresh, empty database folder.
struct EmptyDatabase {
  test::TempDir dir;
  fs::path root = dir / "hardware_database";
  EmptyDatabase() { fs::create_directories(root); }
};

test::ProgramResult check_database(const fs::path& root) {
  return run_program(kSummarize, {"--database", root.string(), "--check"});
}

TEST(AddHardwareCli, DetectShowsDetectionAndMatchesForEachFixture) {
  struct Case {
    std::string machine;
    std::string cpu_line;
  };
  for (const Case& c : std::vector<Case>{
           {"x86_workstation", "cpu: intel_core_i7_12700k (score 50), power mode default"},
           {"jetson_orin_nano_7w", "cpu: jetson_orin_nano_cpu (score 115), power mode 7W"},
           {"jetson_orin_nano_25w", "cpu: jetson_orin_nano_cpu (score 115), power mode 25W"},
           {"aarch64_server", "cpu: ampere_altra_max_m128_30 (score 50), power mode default"},
           {"container", "cpu: amd_epyc_7763 (score 30), power mode default"},
       }) {
    auto result = run_program(kProgram, {"--detect", "--sysroot", machine(c.machine), "--database",
                                         test::bundled_database().string()});
    EXPECT_EQ(result.exit_code, 0) << c.machine << result.err;
    EXPECT_NE(result.out.find(c.cpu_line), std::string::npos) << c.machine << "\n" << result.out;
  }
}

std::string fake_nvidia_smi() {
  return (test::fixtures_dir() / "nvidia_smi/fake_nvidia_smi.sh").string();
}

TEST(AddHardwareCli, DetectRunsTheNvidiaSmiItIsGiven) {
  auto result =
      run_program(kProgram, {"--detect", "--sysroot", machine("h100_server"), "--nvidia-smi",
                             fake_nvidia_smi(), "--database", test::bundled_database().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("cuda:0 (from nvidia-smi)"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("cuda:0: nvidia_h100_sxm5_80gb (score 60)"), std::string::npos)
      << result.out;
  auto none =
      run_program(kProgram, {"--detect", "--sysroot", machine("h100_server"), "--nvidia-smi",
                             "none", "--database", test::bundled_database().string()});
  EXPECT_NE(none.out.find("cuda:0 (from /proc/driver/nvidia)"), std::string::npos) << none.out;
}

TEST(AddHardwareCli, FromDetectionOfAGpuDerivesPeaksOnceTheSmCountIsGiven) {
  EmptyDatabase db;
  auto result = run_program(
      kProgram, {"--from-detection", "--device", "cuda:0", "--sysroot", machine("h100_server"),
                 "--nvidia-smi", fake_nvidia_smi(), "--database", db.root.string(), "--set",
                 "compute.units=132", "--set", "peak_bandwidth_gbps=3350", "--id", "h100_test"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  Json entry = load_json_file(db.root / "gpu/nvidia/h100_test.json");
  EXPECT_EQ(entry["architecture"], "Hopper");
  EXPECT_EQ(entry["compute"]["compute_capability"], "9.0");
  // fp16: 132 SMs x 4096 x 1980 MHz; the datasheet's 989 TFLOPS is at 1830 MHz, which the
  // output asks a person to check.
  EXPECT_NEAR(entry["theoretical_peaks"]["fp16"].get<double>(), 132 * 4096 * 1.98, 0.1);
  EXPECT_NE(result.out.find("tensor-core peaks use the SM clock"), std::string::npos) << result.out;
  EXPECT_EQ(check_database(db.root).exit_code, 0);

  auto without = run_program(
      kProgram, {"--from-detection", "--device", "cuda:0", "--sysroot", machine("h100_server"),
                 "--nvidia-smi", fake_nvidia_smi(), "--database", db.root.string(), "--dry-run"});
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_NE(without.out.find("not derived, unknown: the SM count"), std::string::npos)
      << without.out;
  auto missing = run_program(kProgram, {"--from-detection", "--device", "cuda:3", "--sysroot",
                                        machine("h100_server"), "--database", db.root.string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no GPU cuda:3 detected (found: cuda:0)"), std::string::npos)
      << missing.err;
}

TEST(AddHardwareCli, DetectJsonForScripts) {
  auto result = run_program(
      kProgram, {"--detect", "--format", "json", "--sysroot", machine("x86_workstation"),
                 "--database", test::bundled_database().string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json json = parse_json(result.out, "stdout");
  EXPECT_EQ(json["matches"]["cpu"]["entry_id"], "intel_core_i7_12700k");
  EXPECT_EQ(json["matches"]["gpus"][0]["entry_id"], "nvidia_geforce_rtx_4090");
  EXPECT_EQ(json["detection"]["cpu"]["physical_cores"], 12);
  bool reported = false;
  for (const Json& item : json["detection"]["unreadable"]) {
    if (item["field"] == "gpus[0].multiprocessors") reported = true;
  }
  EXPECT_TRUE(reported) << "unknown values are listed with the path tried";
}

TEST(AddHardwareCli, DetectGoldenForTheJetsonIn7W) {
  auto result =
      run_program(kProgram, {"--detect", "--sysroot", machine("jetson_orin_nano_7w"), "--database",
                             test::bundled_database().string(), "--top", "2"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string text = result.out;
  std::string root = machine("jetson_orin_nano_7w");
  for (std::size_t at = text.find(root); at != std::string::npos; at = text.find(root)) {
    text.replace(at, root.size(), "<fixture>");
  }
  EXPECT_EQ(test::compare_golden("detect_jetson_orin_nano_7w.txt", text), "");
}

TEST(AddHardwareCli, FromDetectionWritesAValidEntry) {
  EmptyDatabase db;
  auto result =
      run_program(kProgram, {"--from-detection", "--sysroot", machine("jetson_orin_nano_7w"),
                             "--database", db.root.string(), "--id", "orin_nano_test_cpu", "--set",
                             "peak_bandwidth_gbps=102.4"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  fs::path written = db.root / "cpu/nvidia/orin_nano_test_cpu.json";
  ASSERT_TRUE(fs::exists(written)) << result.out;
  EXPECT_NE(result.out.find("wrote hardware_database/cpu/nvidia/orin_nano_test_cpu.json"),
            std::string::npos);
  EXPECT_NE(result.out.find("Still to fill in or check:"), std::string::npos);
  Json entry = load_json_file(written);
  EXPECT_EQ(entry["theoretical_peaks"]["fp32"], 165.9);
  EXPECT_EQ(entry["compute"]["units"], 6) << "integral numbers stay integers";
  EXPECT_EQ(entry["power_modes"]["7W"]["theoretical_peaks"]["fp32"], 61.4);
  auto check = check_database(db.root);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("0 errors"), std::string::npos) << check.out;

  // A second time: the id exists.
  auto again =
      run_program(kProgram, {"--from-detection", "--sysroot", machine("jetson_orin_nano_7w"),
                             "--database", db.root.string(), "--id", "orin_nano_test_cpu", "--set",
                             "peak_bandwidth_gbps=102.4"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("id 'orin_nano_test_cpu' exists"), std::string::npos) << again.err;
  auto forced =
      run_program(kProgram, {"--from-detection", "--sysroot", machine("jetson_orin_nano_7w"),
                             "--database", db.root.string(), "--id", "orin_nano_test_cpu", "--set",
                             "peak_bandwidth_gbps=68.3", "--force"});
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(load_json_file(written)["peak_bandwidth_gbps"], 68.3);
}

TEST(AddHardwareCli, FromDetectionWithoutBandwidthSaysWhyItIsUnknown) {
  // No SMBIOS in the tree: the entry leaves its bandwidth unknown, says why, and validates.
  EmptyDatabase db;
  auto result = run_program(kProgram, {"--from-detection", "--sysroot", machine("x86_workstation"),
                                       "--database", db.root.string(), "--id", "i7_test"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("peak_bandwidth_gbps: unknown (no SMBIOS memory records"),
            std::string::npos)
      << result.out;
  Json entry = load_json_file(db.root / "cpu/intel/i7_test.json");
  EXPECT_FALSE(entry.contains("peak_bandwidth_gbps"));
  EXPECT_NE(entry["peak_bandwidth_unknown"].get<std::string>().find("no SMBIOS memory records"),
            std::string::npos);
  EXPECT_EQ(entry["peak_derivation"]["fp32"]["origin"], "core_table");
  auto check = check_database(db.root);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("0 errors"), std::string::npos) << check.out;
}

TEST(AddHardwareCli, FromDetectionRefusesADeviceTheDatabaseHas) {
  test::TempDir dir;
  test::copy_bundled_database(dir.path());
  auto result = run_program(kProgram, {"--from-detection", "--sysroot", machine("x86_workstation"),
                                       "--database", (dir / "hardware_database").string(), "--set",
                                       "peak_bandwidth_gbps=76.8", "--dry-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("already in the database as intel_core_i7_12700k"), std::string::npos)
      << result.err;
  EXPECT_NE(result.out.find("this machine already matches intel_core_i7_12700k"),
            std::string::npos);
}

TEST(AddHardwareCli, DryRunWritesNothing) {
  EmptyDatabase db;
  auto before = test::snapshot_tree(db.root);
  auto result = run_program(
      kProgram, {"--from-detection", "--sysroot", machine("aarch64_server"), "--database",
                 db.root.string(), "--set", "peak_bandwidth_gbps=204.8", "--dry-run"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("dry run: would write"), std::string::npos);
  EXPECT_NE(result.out.find("\"fp32\": 6144"), std::string::npos) << result.out;
  EXPECT_EQ(test::snapshot_tree(db.root), before);
}

TEST(AddHardwareCli, FromFileWithSetOverrides) {
  EmptyDatabase db;
  Json entry = load_json_file(test::bundled_database() / "gpu/nvidia/nvidia_l4.json");
  fs::path file = db.dir / "l4.json";
  save_json_atomic(file, entry);
  auto result = run_program(kProgram, {"--from-file", file.string(), "--database", db.root.string(),
                                       "--set", "notes=edited", "--id", "nvidia_l4_copy"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json written = load_json_file(db.root / "gpu/nvidia/nvidia_l4_copy.json");
  EXPECT_EQ(written["notes"], "edited");
  EXPECT_EQ(written["theoretical_peaks"], entry["theoretical_peaks"]);

  auto bad =
      run_program(kProgram, {"--from-file", file.string(), "--database", db.root.string(), "--id",
                             "nvidia_l4_bad", "--set", "detection_patterns=[\"(\"]"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("hardware_database/gpu/nvidia/nvidia_l4_bad.json: /detection_patterns/0"),
            std::string::npos)
      << bad.err;
  EXPECT_FALSE(fs::exists(db.root / "gpu/nvidia/nvidia_l4_bad.json"));

  auto covers =
      run_program(kProgram, {"--from-file", file.string(), "--database", db.root.string(), "--id",
                             "nvidia_l4_covers", "--set", "sources.0.covers=[\"/no_such_field\"]"});
  EXPECT_EQ(covers.exit_code, 1);
  EXPECT_NE(covers.err.find("'/no_such_field' names no field"), std::string::npos) << covers.err;
}

TEST(AddHardwareCli, SetAloneBuildsAnEntry) {
  EmptyDatabase db;
  auto result = run_program(
      kProgram,
      {"--database", db.root.string(), "--set", "id=tiny_cpu", "--set", "vendor=Example", "--set",
       "model=Tiny CPU", "--set", "architecture=Tiny", "--set", "device_type=cpu", "--set",
       "platform=x86_64", "--set", "theoretical_peaks.fp32=10", "--set", "peak_bandwidth_gbps=5"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::exists(db.root / "cpu/example/tiny_cpu.json"));
}

TEST(AddHardwareCli, ImportLegacyReportsEachFile) {
  EmptyDatabase db;
  test::TempDir legacy;
  test::copy_tree(test::fixtures_dir() / "legacy/hardware_database", legacy.path());
  auto result = run_program(
      kProgram, {"--import-legacy", legacy.path().string(), "--database", db.root.string()});
  EXPECT_EQ(result.exit_code, 1) << "two files cannot be imported";
  const std::string& out = result.out;
  EXPECT_NE(out.find("11 files: 8 imported, 2 not imported, 1 skipped"), std::string::npos) << out;
  EXPECT_NE(out.find("amd_ryzen_7_2700x_eight_core_processor.json (flat layout): not imported"),
            std::string::npos);
  EXPECT_NE(out.find("the same device as hardware_database/cpu/amd/"
                     "amd_amd_ryzen_7_2700x_eight_core_processor.json (duplicate entry)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("nvidia_geforce_gtx_1070.json (nested layout): not imported"),
            std::string::npos);
  EXPECT_NE(out.find("theoretical_peaks.fp8"), std::string::npos);
  EXPECT_NE(out.find("schema.json: skipped"), std::string::npos);

  Json i7 = load_json_file(db.root / "cpu/intel/intel_12th_gen_intelr_coretm_i7_12700k.json");
  bool matches = false;
  for (const Json& pattern : i7["detection_patterns"]) {
    matches = matches || pattern_matches(pattern, "12th Gen Intel(R) Core(TM) i7-12700K");
  }
  EXPECT_TRUE(matches) << i7["detection_patterns"].dump();
  auto check = check_database(db.root);
  EXPECT_EQ(check.exit_code, 0) << check.out;

  // Again: every id exists now, and nothing changes.
  auto before = test::snapshot_tree(db.root);
  auto again = run_program(
      kProgram, {"--import-legacy", legacy.path().string(), "--database", db.root.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("0 imported"), std::string::npos) << again.out;
  EXPECT_EQ(test::snapshot_tree(db.root), before);
}

TEST(AddHardwareCli, ImportLegacyIntoTheBundledDatabaseFindsItsDuplicates) {
  test::TempDir dir;
  test::copy_bundled_database(dir.path());
  auto result =
      run_program(kProgram, {"--import-legacy",
                             (test::fixtures_dir() / "legacy/hardware_database/cpu/intel").string(),
                             "--database", (dir / "hardware_database").string(), "--dry-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("already in the database as intel_core_i7_12700k"), std::string::npos)
      << result.out;
  // Both Ryzen files: one by its model, the other because its pattern matches what the bundled
  // entry's pattern spells.
  auto amd =
      run_program(kProgram, {"--import-legacy",
                             (test::fixtures_dir() / "legacy/hardware_database/cpu/amd").string(),
                             "--database", (dir / "hardware_database").string(), "--dry-run"});
  EXPECT_NE(amd.out.find("2 files: 0 would be imported, 2 not imported"), std::string::npos)
      << amd.out;
  EXPECT_NE(amd.out.find("detection could not tell the two apart"), std::string::npos) << amd.out;
}

TEST(AddHardwareCli, ADraftOfAKnownBoardIsRefused) {
  test::TempDir dir;
  test::copy_bundled_database(dir.path());
  auto result =
      run_program(kProgram, {"--from-detection", "--sysroot", machine("jetson_orin_nano_25w"),
                             "--database", (dir / "hardware_database").string(), "--set",
                             "peak_bandwidth_gbps=102.4", "--dry-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("already in the database as jetson_orin_nano_cpu"), std::string::npos)
      << result.err;
}

// The registry sample rows, by file.
std::map<std::string, Json> rows_by_file(const Json& report) {
  std::map<std::string, Json> rows;
  for (const Json& row : report["files"]) rows[row["file"].get<std::string>()] = row;
  return rows;
}

bool has_flag(const Json& row, const std::string& start, const std::string& part) {
  for (const Json& flag : row["flags"]) {
    const std::string text = flag.get<std::string>();
    if (text.rfind(start, 0) == 0 && text.find(part) != std::string::npos) return true;
  }
  return false;
}

// The must-show of the registry import: the predecessor's samples (tests/fixtures/registry,
// copied verbatim from ../shared/legacy/registry) into a copy of the bundled database. Every file
// gets a row, imported or refused with a reason; the H100's sparse fp16 and the Hailo-8's
// derivation that does not give its own total are flagged; the Orin NX CPU's calibration becomes
// a stored profile and its entry's summary; the database checks clean afterwards.
TEST(AddHardwareCli, ImportRegistrySamples) {
  test::TempDir dir;
  const fs::path database = test::copy_bundled_database(dir.path());
  const fs::path registry = test::fixtures_dir() / "registry";

  // --dry-run: the same rows, nothing written.
  const auto before = test::snapshot_tree(dir.path());
  auto dry = run_program(kProgram, {"--import-registry", registry.string(), "--database",
                                    database.string(), "--dry-run"});
  EXPECT_EQ(dry.exit_code, 1) << "some files are refused" << dry.err;
  EXPECT_EQ(test::snapshot_tree(dir.path()), before) << "a dry run writes nothing";
  EXPECT_NE(dry.out.find("FILE"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("(dry run: nothing written)"), std::string::npos) << dry.out;

  auto result = run_program(kProgram, {"--import-registry", registry.string(), "--database",
                                       database.string(), "--format", "json"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const Json report = parse_json(result.out, "stdout");
  std::map<std::string, Json> rows = rows_by_file(report);

  // Every file of the tree has exactly one row: imported, or refused with its reason.
  std::size_t files = 0;
  for (fs::recursive_directory_iterator it(registry), end; it != end; ++it) {
    if (!it->is_regular_file()) continue;
    ++files;
    const std::string file = it->path().lexically_relative(registry).generic_string();
    ASSERT_EQ(rows.count(file), 1u) << file << " has no row";
    const Json& row = rows[file];
    const std::string outcome = row["outcome"];
    EXPECT_TRUE(outcome == "imported" || outcome == "refused") << file << ": " << outcome;
    if (outcome == "refused") {
      EXPECT_FALSE(row["reason"].get<std::string>().empty()) << file;
      EXPECT_EQ(row["reason"].get<std::string>().find('\n'), std::string::npos) << file;
    } else {
      EXPECT_FALSE(row["target"].get<std::string>().empty()) << file;
    }
  }
  EXPECT_EQ(report["files"].size(), files);
  EXPECT_EQ(report["imported"].get<std::size_t>() + report["refused"].get<std::size_t>(), files);

  // The H100: NVIDIA's sparse fp16 (and bf16, tf32, int8) figure, twice the sourced dense one.
  const Json& h100 = rows["gpu/h100_sxm5/spec.json"];
  EXPECT_TRUE(has_flag(h100, "fp16:", "is 2 x the dense")) << h100.dump(2);
  EXPECT_TRUE(has_flag(h100, "fp16:", "sparse")) << h100.dump(2);
  EXPECT_TRUE(has_flag(h100, "bf16:", "is 2 x the dense")) << h100.dump(2);
  EXPECT_TRUE(h100["flagged"].get<bool>());

  // The Hailo-8: 32 units x 500 ops/clock x 1600 MHz is not the 26 TOPS it states.
  const Json& hailo = rows["accelerator/hailo8/spec.json"];
  EXPECT_TRUE(has_flag(hailo, "int8:", "does not give its own total")) << hailo.dump(2);
  EXPECT_TRUE(has_flag(hailo, "int8:", "25,600")) << hailo.dump(2);

  // The DLA's layer runs all failed; efficiency curves have no place; the README is no data.
  EXPECT_NE(
      rows["accelerator/nvidia_dla_orin/calibrations/dla0_int8_mode_50w_20260131T164724Z.json"]
          ["reason"]
              .get<std::string>()
              .find("succeeded (\"Engine build failed\"): nothing was measured"),
      std::string::npos);
  EXPECT_EQ(rows["cpu/i7_12700K/fp32/efficiency_curves.json"]["outcome"], "refused");
  EXPECT_EQ(rows["README.md"]["outcome"], "refused");

  // The Orin NX CPU is in the database already (refused as such, its differing figures
  // flagged); its calibration becomes a profile of that entry, mode and time from its name.
  const Json& orin = rows["cpu/jetson_orin_nx_16gb_cpu/spec.json"];
  EXPECT_EQ(orin["outcome"], "refused");
  EXPECT_NE(orin["reason"].get<std::string>().find("exists"), std::string::npos) << orin.dump(2);
  const Json& run = rows
      ["cpu/jetson_orin_nx_16gb_cpu/calibrations/"
       "25W_1152MHz_numpy_20260128T205744Z.json"];
  ASSERT_EQ(run["outcome"], "imported") << run.dump(2);
  EXPECT_TRUE(has_flag(run, "the predecessor's preflight failed", "System Load")) << run.dump(2);
  const std::string stored = "profiles/nvidia/jetson_orin_nx_16gb_cpu/25W/20260128T205744Z.json";
  EXPECT_EQ(run["target"], stored);
  ASSERT_TRUE(fs::exists(dir / stored));
  const Json profile = load_json_file(dir / stored);
  EXPECT_EQ(profile["power_mode"], "25W");
  EXPECT_EQ(profile["started_at"], "2026-01-28T20:57:44Z");
  const Json entry = load_json_file(database / "cpu/nvidia/jetson_orin_nx_16gb_cpu.json");
  EXPECT_EQ(entry["calibration_profiles"]["power_modes"]["25W"][0], stored);
  EXPECT_GT(entry["calibration_summary"]["by_power_mode"]["25W"]["measured_peaks"]["fp32"], 0);

  // The DLA says it sits in the Orin SoC: an accelerator entry attached on the SoC. The board
  // names it as a part, but its modes (10W) are not the DLA's: refused by the board rules.
  const Json& dla = rows["accelerator/nvidia_dla_orin/spec.json"];
  ASSERT_EQ(dla["outcome"], "imported") << dla.dump(2);
  EXPECT_EQ(load_json_file(database / "accelerator/nvidia/nvidia_dla_orin.json")["attachment"],
            "soc");
  const Json& board = rows["boards/jetson_orin_nx/spec.json"];
  EXPECT_EQ(board["kind"], "board");
  EXPECT_NE(board["reason"].get<std::string>().find("10W"), std::string::npos) << board.dump(2);

  // The Xeon agrees with itself everywhere, but its 16 fp32 ops per core per cycle are a quarter
  // of what the sourced Sapphire Rapids entry derives: nothing of it is carried.
  const Json& xeon = rows["cpu/intel_xeon_platinum_8490h/spec.json"];
  EXPECT_TRUE(has_flag(xeon, "fp32:", "is 16 per core per cycle")) << xeon.dump(2);
  EXPECT_EQ(xeon["outcome"], "refused");
  EXPECT_FALSE(fs::exists(database / "cpu/intel/intel_xeon_platinum_8490h.json"));
  auto check = check_database(database);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  // Again: what was imported is there now, and nothing changes.
  const auto after = test::snapshot_tree(dir.path());
  auto again = run_program(
      kProgram, {"--import-registry", registry.string(), "--database", database.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(test::snapshot_tree(dir.path()), after) << again.out;
}

// Bad input: each broken file is refused on one line naming the file and the field; the good
// file beside them is still imported.
TEST(AddHardwareCli, ImportRegistryRefusesBadFilesAndGoesOn) {
  EmptyDatabase db;
  test::TempDir registry;
  const std::string good = R"({"id": "tiny_cpu", "vendor": "Example", "model": "Tiny CPU",
    "device_type": "cpu", "architecture": "Tiny", "platform": "x86_64",
    "peak_bandwidth_gbps": 10, "ops_per_clock": {"fp32": 64},
    "theoretical_peaks": {"fp32": 128.0}, "compute_units": 4, "boost_clock_mhz": 2000})";
  auto spec = [&](const std::string& id, const std::string& text) {
    test::write_file(registry / "cpu" / id / "spec.json", text);
  };
  spec("tiny_cpu", good);
  spec("broken", R"({"id": "broken", "vendor": )");
  spec("no_vendor", R"({"id": "no_vendor", "model": "X", "device_type": "cpu"})");
  spec("negative", R"({"id": "negative", "vendor": "V", "model": "Negative", "device_type": "cpu",
    "platform": "x86_64", "peak_bandwidth_gbps": 10, "theoretical_peaks": {"fp32": -1}})");
  spec("huge", R"({"id": "huge", "vendor": "V", "model": "Huge", "device_type": "cpu",
    "platform": "x86_64", "peak_bandwidth_gbps": 1e300, "theoretical_peaks": {"fp32": 1}})");
  spec("nan", R"({"id": "nan", "vendor": "V", "model": "NaN", "device_type": "cpu",
    "platform": "x86_64", "peak_bandwidth_gbps": 10, "theoretical_peaks": {"fp32": NaN}})");
  spec("text", R"({"id": "text", "vendor": "V", "model": "Text", "device_type": "cpu",
    "platform": "x86_64", "peak_bandwidth_gbps": 10, "theoretical_peaks": {"fp32": "NaN"}})");
  test::write_file(registry / "cpu/tiny_cpu/calibrations/whenever.json",
                   R"({"metadata": {"hardware_name": "Tiny"}, "operation_profiles": {}})");
  auto result = run_program(
      kProgram, {"--import-registry", registry.path().string(), "--database", db.root.string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  const std::string& out = result.out;
  auto line_of = [&](const std::string& file) {
    const std::size_t at = out.find(file + " ");
    if (at == std::string::npos) return std::string();
    return out.substr(at, out.find('\n', at) - at);
  };
  EXPECT_NE(line_of("cpu/tiny_cpu/spec.json").find("imported"), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(db.root / "cpu/example/tiny_cpu.json"));
  EXPECT_NE(line_of("cpu/broken/spec.json").find("refused"), std::string::npos) << out;
  EXPECT_NE(line_of("cpu/no_vendor/spec.json").find("/vendor: missing"), std::string::npos) << out;
  EXPECT_NE(line_of("cpu/negative/spec.json").find("/theoretical_peaks/fp32: -1 is negative"),
            std::string::npos)
      << out;
  EXPECT_NE(line_of("cpu/huge/spec.json")
                .find("/peak_bandwidth_gbps: 1e+300 is beyond any "
                      "device"),
            std::string::npos)
      << out;
  EXPECT_NE(line_of("cpu/nan/spec.json").find("refused"), std::string::npos) << out;
  EXPECT_NE(line_of("cpu/text/spec.json").find("/theoretical_peaks/fp32: expected a number"),
            std::string::npos)
      << out;
  EXPECT_NE(line_of("cpu/tiny_cpu/calibrations/whenever.json").find("does not say <MODE>"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("8 files: 1 imported, 7 refused"), std::string::npos) << out;
  auto check = check_database(db.root);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST(AddHardwareCli, UsageErrors) {
  auto two_modes = run_program(kProgram, {"--detect", "--from-detection"});
  EXPECT_EQ(two_modes.exit_code, 2);
  auto no_terminal = run_program(kProgram, {"--database", test::bundled_database().string()});
  EXPECT_EQ(no_terminal.exit_code, 2);
  EXPECT_NE(no_terminal.err.find("needs a terminal"), std::string::npos) << no_terminal.err;
  auto measure =
      run_program(kProgram, {"--detect", "--measure-clock", "--sysroot", machine("container")});
  EXPECT_EQ(measure.exit_code, 2);
  auto bad_set =
      run_program(kProgram, {"--set", "nonsense", "--database", test::bundled_database().string()});
  EXPECT_EQ(bad_set.exit_code, 2);
  auto format = run_program(kProgram, {"--detect", "--format", "xml"});
  EXPECT_EQ(format.exit_code, 2);
  auto sysroot = run_program(kProgram, {"--detect", "--sysroot", "/no/such/folder"});
  EXPECT_EQ(sysroot.exit_code, 2);
  EXPECT_NE(sysroot.err.find("--sysroot /no/such/folder: no such folder"), std::string::npos);
}

// ---- the wizard, through a pseudo-terminal ------------------------------------------------------

class Terminal {
 public:
  Terminal(const std::string& program, const std::vector<std::string>& args) {
    winsize size{40, 200, 0, 0};
    pid_ = forkpty(&master_, nullptr, nullptr, &size);
    if (pid_ == 0) {
      std::vector<std::string> strings{program};
      strings.insert(strings.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (std::string& s : strings) argv.push_back(s.data());
      argv.push_back(nullptr);
      execv(program.c_str(), argv.data());
      _exit(127);
    }
  }
  ~Terminal() {
    if (pid_ > 0 && !waited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (master_ >= 0) close(master_);
  }

  // Reads until `text` appears after what earlier calls consumed; false at end or after 20 s
  // (a guard against a hang, not a timing assertion).
  bool expect(const std::string& text) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    for (;;) {
      std::size_t at = transcript_.find(text, consumed_);
      if (at != std::string::npos) {
        consumed_ = at + text.size();
        return true;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) return false;
      pollfd fd{master_, POLLIN, 0};
      if (poll(&fd, 1, static_cast<int>(left)) <= 0) return false;
      char buffer[4096];
      ssize_t got = read(master_, buffer, sizeof buffer);
      if (got <= 0) return false;
      transcript_.append(buffer, static_cast<std::size_t>(got));
    }
  }
  void send(const std::string& line) {
    std::string data = line + "\n";
    ASSERT_EQ(write(master_, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  }
  void send_end_of_input() {
    char eot = 4;  // Ctrl-D at the start of a line
    ASSERT_EQ(write(master_, &eot, 1), 1);
  }
  int wait() {
    expect("\x01never\x01");  // drain until the program closes the terminal
    int status = 0;
    waitpid(pid_, &status, 0);
    waited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
  const std::string& transcript() const { return transcript_; }

 private:
  pid_t pid_ = -1;
  int master_ = -1;
  bool waited_ = false;
  std::string transcript_;
  std::size_t consumed_ = 0;
};

TEST(AddHardwareWizard, CreatesAValidEntryAndAsksAgainOnBadValues) {
  EmptyDatabase db;
  Terminal term(kProgram,
                {"--database", db.root.string(), "--sysroot", machine("x86_workstation")});
  ASSERT_TRUE(term.expect("device_type [cpu]: ")) << term.transcript();
  term.send("");
  ASSERT_TRUE(term.expect("vendor")) << term.transcript();
  ASSERT_TRUE(term.expect("[Intel]: "));
  term.send("");
  ASSERT_TRUE(term.expect("model (the product name) [12th Gen Intel(R) Core(TM) i7-12700K]: "));
  term.send("Intel Core i7-12700K");
  ASSERT_TRUE(term.expect("architecture (e.g. Zen 4, Hopper) [Golden Cove + Gracemont]: "));
  term.send("Alder Lake");
  ASSERT_TRUE(term.expect("platform [x86_64]: "));
  term.send("sparc");
  ASSERT_TRUE(term.expect("platform must be one of x86_64, aarch64; try again"))
      << term.transcript();
  ASSERT_TRUE(term.expect("platform [x86_64]: "));
  term.send("x86_64");
  ASSERT_TRUE(term.expect("id [intel_core_i7_12700k]: ")) << term.transcript();
  term.send("Not An Id");
  ASSERT_TRUE(term.expect("an id has only lower-case letters, digits and '_'; try again"));
  term.send("wizard_i7");
  ASSERT_TRUE(term.expect("detection pattern"));
  ASSERT_TRUE(term.expect("[^12th Gen Intel\\(R\\) Core\\(TM\\) i7-12700K$]: "))
      << term.transcript();
  term.send("");
  // Thirteen precisions: the derived ones are defaults, the others are skipped with Enter.
  ASSERT_TRUE(term.expect("theoretical_peaks.fp64 (GFLOPS, dense; Enter skips) [748.8]: "))
      << term.transcript();
  term.send("");
  ASSERT_TRUE(term.expect("theoretical_peaks.fp32 (GFLOPS, dense; Enter skips) [1497.6]: "));
  term.send("-1");
  ASSERT_TRUE(term.expect("expected a number >= 0; try again"));
  term.send("");
  for (const char* name : {"tf32", "fp16", "bf16", "fp8_e4m3", "fp8_e5m2", "fp4", "int64", "int32",
                           "int16", "int8", "int4"}) {
    ASSERT_TRUE(term.expect(std::string("theoretical_peaks.") + name)) << term.transcript();
    term.send("");
  }
  ASSERT_TRUE(term.expect("peak_bandwidth_gbps (DRAM GB/s from the datasheet): "));
  term.send("fast");
  ASSERT_TRUE(term.expect("expected a positive number of GB/s; try again"));
  term.send("76.8");
  ASSERT_TRUE(term.expect("source of the peaks and bandwidth"));
  term.send("https://www.intel.com/content/www/us/en/products/sku/134594/specifications.html");
  ASSERT_TRUE(term.expect("Preview of hardware_database/cpu/intel/wizard_i7.json:"));
  ASSERT_TRUE(term.expect("Write hardware_database/cpu/intel/wizard_i7.json? (y/N): "))
      << term.transcript();
  term.send("y");
  ASSERT_TRUE(term.expect("wrote hardware_database/cpu/intel/wizard_i7.json")) << term.transcript();
  EXPECT_EQ(term.wait(), 0) << term.transcript();

  Json entry = load_json_file(db.root / "cpu/intel/wizard_i7.json");
  EXPECT_EQ(entry["model"], "Intel Core i7-12700K");
  EXPECT_EQ(entry["theoretical_peaks"]["fp32"], 1497.6);
  EXPECT_EQ(entry["theoretical_peaks"]["int8"], 5990.4);
  EXPECT_EQ(entry["peak_bandwidth_gbps"], 76.8);
  auto check = check_database(db.root);
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_NE(check.out.find("0 errors, 0 warnings"), std::string::npos) << check.out;
}

TEST(AddHardwareWizard, EndOfInputWritesNothing) {
  EmptyDatabase db;
  auto before = test::snapshot_tree(db.root);
  Terminal term(kProgram, {"--database", db.root.string(), "--sysroot", machine("container")});
  ASSERT_TRUE(term.expect("device_type [cpu]: ")) << term.transcript();
  term.send_end_of_input();
  EXPECT_EQ(term.wait(), 1) << term.transcript();
  EXPECT_NE(term.transcript().find("nothing written"), std::string::npos) << term.transcript();
  EXPECT_EQ(test::snapshot_tree(db.root), before);
}

}  // namespace
}  // namespace hwcal
