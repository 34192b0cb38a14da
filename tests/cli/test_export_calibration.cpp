// End-to-end: the built export_calibration on temporary copies of the bundled database, with
// the predecessor's real Orin Nano profiles and hand-written native ones; every bad input of
// the issue, a write that fails half-way, and two exports racing each other.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <functional>

#include <gtest/gtest.h>

#include "hwcal/json/json_io.hpp"
#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::kExport;
using test::kSummarize;
using test::run_program;

fs::path legacy(const std::string& relative) {
  return test::fixtures_dir() / "legacy_profiles" / relative;
}
const fs::path kOrinNano = legacy("nvidia/jetson_orin_nano");
const fs::path kGpu25W = kOrinNano / "25W/nvidia_jetson_orin_nano_gpu_pytorch.json";
const fs::path kGpu15W = kOrinNano / "15W/nvidia_jetson_orin_nano_gpu_pytorch.json";
const fs::path kCpu25W = kOrinNano / "25W/nvidia_jetson_orin_nano_cpu_numpy.json";
const std::string kGpuEntry = "hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json";

// A measurement made `factor` times faster: its throughput up and every time down alike, since
// export refuses a throughput that its samples do not give.
void speed_up(Json& record, double factor) {
  for (const char* rate : {"gflops", "gbps"}) {
    if (!record.contains(rate)) continue;
    for (const char* field : {"best", "median"}) {
      if (record[rate].contains(field) && record[rate][field].is_number()) {
        record[rate][field] = record[rate][field].get<double>() * factor;
      }
    }
  }
  for (Json& sample : record["samples_s"]) sample = sample.get<double>() / factor;
  if (record.contains("stats_s")) {
    for (const char* field : {"min", "median", "mean", "max", "stddev"}) {
      if (record["stats_s"].contains(field)) {
        record["stats_s"][field] = record["stats_s"][field].get<double>() / factor;
      }
    }
  }
}

// A checkout-like folder: hardware_database/ (a copy of the bundled one, never calibrated: the
// calibration fields are removed) and room for profiles/.
class ExportCli : public ::testing::Test {
 protected:
  void SetUp() override { uncalibrated_copy(); }

  void uncalibrated_copy() const {
    test::copy_tree(test::bundled_database(), database());
    for (const auto& item : fs::recursive_directory_iterator(database())) {
      if (item.path().extension() != ".json" || item.path().parent_path().filename() == "schema") {
        continue;
      }
      Json document = load_json_file(item.path());
      if (document.erase("calibration_summary") + document.erase("calibration_profiles") > 0) {
        test::write_file(item.path(), dump_json(document));
      }
    }
  }

  fs::path database() const { return dir_ / "hardware_database"; }
  test::ProgramResult exporter(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database", database().string()});
    return run_program(kExport, args);
  }
  test::ProgramResult summarize(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database", database().string()});
    return run_program(kSummarize, args);
  }
  std::string entry_text() const { return test::read_file(dir_ / kGpuEntry); }
  // The stored profile of the run that started at `stamp` in `folder` (profiles/<vendor>/<id>/
  // <mode>): named stamp_host_hash (profile_stem), so found by its stamp.
  std::string stored(const std::string& folder, const std::string& stamp) const {
    std::error_code ec;
    for (const auto& item : fs::directory_iterator(dir_ / folder, ec)) {
      const std::string name = item.path().filename().string();
      if (name.rfind(stamp + "_", 0) == 0) return folder + "/" + name;
    }
    return folder + "/" + stamp + " (not stored)";
  }
  // A native profile: the GPU fixture with changes, written into the temp folder.
  fs::path native(const std::string& name, const std::function<void(Json&)>& change) const {
    Json document = load_json_file(test::fixtures_dir() / "profiles/jetson_orin_nano_gpu_25W.json");
    change(document);
    fs::path path = dir_ / "runs" / name;
    fs::create_directories(path.parent_path());
    test::write_file(path, dump_json(document));
    return path;
  }

  test::TempDir dir_;
};

TEST_F(ExportCli, ExportsTheOrinNanoLegacyProfilesIntoTheDatabase) {
  auto result = exporter({"--calibration-dir", kOrinNano.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out,
                       "jetson_orin_nano_gpu 25W: fp32 1214.2 GFLOPS (64.6% of 1880.1), fp16 "
                       "7964.7 GFLOPS (53.0% of 15040.5), bandwidth 59.9 GB/s (58.5% of 102.4); "
                       "1 run"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "jetson_orin_nano_gpu 15W: fp32 813.9 GFLOPS (64.9% of 1253.4)"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "jetson_orin_nano_cpu 25W: fp64 44.8 GFLOPS")) << result.out;
  EXPECT_TRUE(contains(result.out, "wrote 2 entries and 3 profiles")) << result.out;
  for (const auto& [folder, stamp] : std::vector<std::pair<std::string, std::string>>{
           {"profiles/nvidia/jetson_orin_nano_gpu/25W", "20251116T100426Z"},
           {"profiles/nvidia/jetson_orin_nano_gpu/15W", "20251116T105550Z"},
           {"profiles/nvidia/jetson_orin_nano_cpu/25W", "20251116T102641Z"}}) {
    EXPECT_TRUE(fs::is_regular_file(dir_ / stored(folder, stamp))) << folder << " " << stamp;
  }
  Json entry = load_json_file(dir_ / kGpuEntry);
  EXPECT_EQ(entry["calibration_summary"]["power_mode"], "25W");  // the default mode
  EXPECT_EQ(entry["calibration_summary"]["by_power_mode"].size(), 2u);
  EXPECT_EQ(entry["calibration_profiles"]["default"],
            stored("profiles/nvidia/jetson_orin_nano_gpu/25W", "20251116T100426Z"));

  auto check = summarize({"--check", "--strict"});
  EXPECT_EQ(check.exit_code, 0) << check.out;
  auto summary = summarize({"--id", "jetson_orin_nano_gpu"});
  EXPECT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_TRUE(contains(summary.out, "calibrated: 15W, 25W")) << summary.out;
  EXPECT_TRUE(contains(summary.out, "6091.1 GFLOPS")) << summary.out;
}

TEST_F(ExportCli, OnlyTheCalibrationFieldsOfTheEntryChange) {
  const std::string before = entry_text();
  ASSERT_EQ(exporter({"--calibration", kGpu25W.string()}).exit_code, 0);
  Json after = load_json_file(dir_ / kGpuEntry);
  after.erase("calibration_summary");
  after.erase("calibration_profiles");
  EXPECT_EQ(dump_json(after), before);  // every other byte as it was
}

TEST_F(ExportCli, TheSameExportTwiceChangesNoByte) {
  ASSERT_EQ(exporter({"--calibration-dir", kOrinNano.string()}).exit_code, 0);
  auto first = test::snapshot_tree(dir_.path());
  auto again = exporter({"--calibration-dir", kOrinNano.string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.out, "nothing changed")) << again.out;
  EXPECT_EQ(test::snapshot_tree(dir_.path()), first);
  // Exporting the stored copies themselves is the same export.
  auto stored = exporter({"--calibration-dir", (dir_ / "profiles").string()});
  EXPECT_EQ(stored.exit_code, 0) << stored.err;
  EXPECT_EQ(test::snapshot_tree(dir_.path()), first);
}

TEST_F(ExportCli, DryRunPrintsTheDiffAndWritesNothing) {
  auto before = test::snapshot_tree(dir_.path());
  auto result = exporter({"--calibration", kGpu25W.string(), "--dry-run"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(test::snapshot_tree(dir_.path()), before);  // not even the lock file
  EXPECT_TRUE(contains(result.out, "--- a/" + kGpuEntry + "\n+++ b/" + kGpuEntry)) << result.out;
  EXPECT_TRUE(contains(result.out, "+  \"calibration_summary\": {")) << result.out;
  EXPECT_TRUE(contains(result.out, "would copy " + kGpu25W.string() +
                                       " to profiles/nvidia/jetson_orin_nano_gpu/25W/"
                                       "20251116T100426Z_"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "dry run: nothing written"));
}

// --format json: one object on stdout, dry or not, that a script reads instead of the lines.
TEST_F(ExportCli, FormatJsonSaysWhatWasStoredAndChanged) {
  auto before = test::snapshot_tree(dir_.path());
  auto dry = exporter({"--calibration", kGpu25W.string(), "--dry-run", "--format", "json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_EQ(test::snapshot_tree(dir_.path()), before);
  const Json planned = parse_json(dry.out, "stdout");
  EXPECT_TRUE(planned["dry_run"].get<bool>());
  ASSERT_EQ(planned["profiles"].size(), 1u);
  const std::string planned_name = planned["profiles"][0]["stored_as"].get<std::string>();
  EXPECT_EQ(planned_name.rfind("profiles/nvidia/jetson_orin_nano_gpu/25W/20251116T100426Z_", 0), 0u)
      << planned_name;
  EXPECT_EQ(planned["profiles"][0]["hardware_id"], "jetson_orin_nano_gpu");
  EXPECT_FALSE(planned["profiles"][0]["quality"]["noisy"].get<bool>());
  ASSERT_EQ(planned["entries"].size(), 1u);
  EXPECT_EQ(planned["entries"][0]["file"], kGpuEntry);
  EXPECT_TRUE(planned["entries"][0]["changed"].get<bool>());
  EXPECT_TRUE(
      contains(planned["entries"][0]["diff"].get<std::string>(), "+  \"calibration_summary\""));
  EXPECT_EQ(planned["written"]["entries"], 0);

  auto done = exporter({"--calibration", kGpu25W.string(), "--format", "json"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  const Json result = parse_json(done.out, "stdout");
  EXPECT_FALSE(result["dry_run"].get<bool>());
  EXPECT_EQ(result["written"]["entries"], 1);
  EXPECT_EQ(result["written"]["profiles"], 1);
  EXPECT_FALSE(result["entries"][0].contains("diff"));
  EXPECT_EQ(result["profiles"][0]["stored_as"],
            stored("profiles/nvidia/jetson_orin_nano_gpu/25W", "20251116T100426Z"));
  EXPECT_EQ(result["profiles"][0]["stored_as"], planned_name);
  // Again: nothing to write, and the JSON says so.
  const Json again =
      parse_json(exporter({"--calibration", kGpu25W.string(), "--format", "json"}).out, "stdout");
  EXPECT_TRUE(again["profiles"][0]["already_stored"].get<bool>());
  EXPECT_FALSE(again["entries"][0]["changed"].get<bool>());
  EXPECT_EQ(again["written"]["profiles"], 0);
}

TEST_F(ExportCli, ANativeProfileIsStoredVerbatim) {
  const fs::path fixture = test::fixtures_dir() / "profiles/jetson_orin_nano_gpu_25W.json";
  auto result = exporter({"--calibration", fixture.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(test::read_file(dir_ /
                            stored("profiles/nvidia/jetson_orin_nano_gpu/25W", "20251116T100426Z")),
            test::read_file(fixture));
  Json entry = load_json_file(dir_ / kGpuEntry);
  EXPECT_EQ(entry["calibration_summary"]["arithmetic_ceiling"]["fp32"], 1850.3);
  EXPECT_EQ(entry["calibration_summary"]["framework"], "cublas-12.6.1");
  EXPECT_EQ(summarize({"--check", "--strict"}).exit_code, 0);
}

TEST_F(ExportCli, SeveralRunsAggregateAndASlowRunIsNamed) {
  auto run = [&](const std::string& name, const std::string& started, double factor) {
    return native(name, [&](Json& document) {
      document["started_at"] = started;
      for (Json& record : document["measurements"]) speed_up(record, factor);
    });
  };
  auto result = exporter({"--calibration", run("a.json", "2025-11-20T08:00:00Z", 1.0).string(),
                          run("b.json", "2025-11-21T08:00:00Z", 1.03).string(),
                          run("c.json", "2025-11-22T08:00:00Z", 0.85).string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "fp32 1214.2 GFLOPS")) << result.out;  // the median run
  EXPECT_TRUE(contains(result.out, "3 runs")) << result.out;
  EXPECT_TRUE(
      contains(result.err, stored("profiles/nvidia/jetson_orin_nano_gpu/25W", "20251122T080000Z")))
      << result.err;
  EXPECT_TRUE(contains(result.err, "15.0% below the median")) << result.err;
  Json summary = load_json_file(dir_ / kGpuEntry)["calibration_summary"];
  EXPECT_EQ(summary["runs"], 3);
  EXPECT_EQ(summary["measured_peaks_range"]["fp32"], Json::array({1032.0, 1250.6}));
  EXPECT_EQ(summary["calibration_date"], "2025-11-22T08:00:00Z");
  EXPECT_EQ(load_json_file(dir_ / kGpuEntry)["calibration_profiles"]["power_modes"]["25W"].size(),
            3u);
  EXPECT_EQ(summarize({"--check", "--strict"}).exit_code, 0);
}

TEST_F(ExportCli, DefaultMakesTheModeTheEntrysDefault) {
  auto result = exporter({"--calibration", kGpu15W.string(), "--default"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json entry = load_json_file(dir_ / kGpuEntry);
  EXPECT_EQ(entry["default_power_mode"], "15W");
  EXPECT_EQ(entry["calibration_summary"]["power_mode"], "15W");
  EXPECT_EQ(summarize({"--check", "--strict"}).exit_code, 0);
  auto both = exporter({"--calibration", kGpu15W.string(), kGpu25W.string(), "--default"});
  EXPECT_EQ(both.exit_code, 2) << both.err;
}

TEST_F(ExportCli, WithoutTheDefaultModeTheHighestClockedOneLeads) {
  // Only 15W calibrated: the default (25W) is not, so 15W leads. Then a run filed as 7W: 15W
  // (612 MHz) stays ahead of 7W (408 MHz) although "7W" sorts above "15W" as a string.
  ASSERT_EQ(exporter({"--calibration", kGpu15W.string()}).exit_code, 0);
  EXPECT_EQ(load_json_file(dir_ / kGpuEntry)["calibration_summary"]["power_mode"], "15W");
  fs::path seven_watt = native("7W.json", [](Json& document) {
    document["power_mode"] = "7W";
    document["started_at"] = "2025-11-17T08:00:00Z";
    for (Json& record : document["measurements"]) {
      if (record.contains("gflops")) speed_up(record, 0.3);
    }
  });
  auto seven = exporter({"--calibration", seven_watt.string()});
  ASSERT_EQ(seven.exit_code, 0) << seven.err;
  Json entry = load_json_file(dir_ / kGpuEntry);
  EXPECT_EQ(entry["calibration_summary"]["power_mode"], "15W");
  EXPECT_EQ(entry["calibration_summary"]["by_power_mode"].size(), 2u);
  // The default mode, once calibrated, leads.
  ASSERT_EQ(exporter({"--calibration", kGpu25W.string()}).exit_code, 0);
  entry = load_json_file(dir_ / kGpuEntry);
  EXPECT_EQ(entry["calibration_summary"]["power_mode"], "25W");
  EXPECT_EQ(entry["calibration_summary"]["by_power_mode"].size(), 3u);
  EXPECT_EQ(summarize({"--check", "--strict"}).exit_code, 0);
}

// ---- bad input -------------------------------------------------------------------------------

TEST_F(ExportCli, AMeasurementAboveThePeakIsRefusedNamingBothNumbers) {
  fs::path fast = native("fast.json", [](Json& document) {
    Json& record = document["measurements"][4];  // fp32 at 4096
    speed_up(record, 2100.0 / record["gflops"]["best"].get<double>());
  });
  const std::string before = entry_text();
  auto refused = exporter({"--calibration", fast.string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err,
                       "fp32 2100.0 GFLOPS is 11.7% above the database's theoretical "
                       "peak 1880.1 GFLOPS"))
      << refused.err;
  EXPECT_EQ(entry_text(), before);
  EXPECT_FALSE(fs::exists(dir_ / "profiles"));

  auto allowed = exporter({"--calibration", fast.string(), "--allow-over-peak"});
  EXPECT_EQ(allowed.exit_code, 0) << allowed.err;
  EXPECT_TRUE(contains(allowed.err, "warning: jetson_orin_nano_gpu 25W: measured fp32 2100.0"));
  EXPECT_EQ(load_json_file(dir_ / kGpuEntry)["calibration_summary"]["measured_peaks"]["fp32"],
            2100.0);
  auto check = summarize({"--check"});
  EXPECT_EQ(check.exit_code, 1);  // the check keeps reporting it until the peak is fixed
  EXPECT_TRUE(contains(check.out, "above the theoretical peak")) << check.out;
}

TEST_F(ExportCli, AProfileOfAnotherDeviceTypeIsRefused) {
  const std::string before = entry_text();
  auto result =
      exporter({"--calibration", kCpu25W.string(), "--hardware-id", "jetson_orin_nano_gpu"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.err,
                       "a cpu profile cannot calibrate jetson_orin_nano_gpu, a gpu "
                       "entry"))
      << result.err;
  EXPECT_EQ(entry_text(), before);
}

TEST_F(ExportCli, UnknownIdMissingMalformedAndForeignFilesExitOne) {
  auto unknown =
      exporter({"--calibration", kGpu25W.string(), "--hardware-id", "jetson_orin_nanoo"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.err, "unknown hardware id 'jetson_orin_nanoo'")) << unknown.err;
  EXPECT_TRUE(contains(unknown.err, "did you mean")) << unknown.err;

  auto missing = exporter({"--calibration", (dir_ / "nope.json").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "nope.json")) << missing.err;

  test::write_file(dir_ / "broken.json", "{\"schema_version\": 1,\n  \"tool\": }\n");
  auto malformed = exporter({"--calibration", (dir_ / "broken.json").string()});
  EXPECT_EQ(malformed.exit_code, 1);
  EXPECT_TRUE(contains(malformed.err, "broken.json: malformed JSON at line 2")) << malformed.err;

  auto spec =
      exporter({"--calibration", (database() / "cpu/intel/intel_core_i7_12700k.json").string()});
  EXPECT_EQ(spec.exit_code, 1);
  EXPECT_TRUE(contains(spec.err, "not a calibration profile: this is a hardware database entry"))
      << spec.err;

  fs::path bad =
      native("bad.json", [](Json& document) { document["measurements"][2]["status"] = "ok"; });
  auto invalid = exporter({"--calibration", bad.string()});
  EXPECT_EQ(invalid.exit_code, 1);
  EXPECT_TRUE(contains(invalid.err, "/measurements/2/status")) << invalid.err;
  EXPECT_FALSE(fs::exists(dir_ / "profiles"));
}

TEST_F(ExportCli, PowerModeMustBeKnownAndOneOfTheEntrys) {
  const fs::path no_mode = legacy("shapes/matmul_copy_only_25W.json");
  auto unknown = exporter({"--calibration", no_mode.string()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_TRUE(contains(unknown.err,
                       "give --power-mode (entry jetson_orin_nano_gpu has 7W, 15W, "
                       "25W, MAXN_SUPER)"))
      << unknown.err;
  auto wrong = exporter({"--calibration", no_mode.string(), "--power-mode", "40W"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_TRUE(
      contains(wrong.err, "power mode 40W is not one of entry jetson_orin_nano_gpu's modes"))
      << wrong.err;
  EXPECT_EQ(exporter({"--calibration", no_mode.string(), "--power-mode", "25W"}).exit_code, 0);
}

TEST_F(ExportCli, AModelMatchingSeveralEntriesListsThem) {
  fs::path anonymous = native("anonymous.json", [](Json& document) {
    document.erase("hardware_id");
    document["host"].erase("board");
  });
  auto several = exporter({"--calibration", anonymous.string()});
  EXPECT_EQ(several.exit_code, 1);
  EXPECT_TRUE(contains(several.err,
                       "the recorded model 'Orin' matches several entries "
                       "(jetson_agx_orin_32gb_gpu, jetson_agx_orin_gpu, jetson_orin_nano_4gb_gpu, "
                       "jetson_orin_nano_gpu, "
                       "jetson_orin_nx_16gb_gpu, jetson_orin_nx_8gb_gpu): give "
                       "--hardware-id"))
      << several.err;
  // The board's device-tree model tells the Orin modules apart.
  fs::path on_board = native("board.json", [](Json& document) { document.erase("hardware_id"); });
  EXPECT_EQ(exporter({"--calibration", on_board.string()}).exit_code, 0);
  EXPECT_TRUE(
      fs::exists(dir_ / stored("profiles/nvidia/jetson_orin_nano_gpu/25W", "20251116T100426Z")));
}

TEST_F(ExportCli, UsageErrorsExitTwo) {
  EXPECT_EQ(exporter({}).exit_code, 2);
  EXPECT_EQ(exporter({"--calibration", kGpu25W.string(), "--calibration-dir", "x"}).exit_code, 2);
  EXPECT_EQ(exporter({"--no-such-flag"}).exit_code, 2);
  auto help = run_program(kExport, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "--allow-over-peak"));
}

TEST_F(ExportCli, AFailedWriteLeavesEveryFileIntact) {
  const auto before = test::snapshot_tree(dir_.path());
  // The converted profile (~14 KB) fits; the entry (~20 KB before, more after) does not.
  ASSERT_LT(entry_text().size(), 40000u);
  const std::vector<std::string> args{"--database", database().string(), "--calibration",
                                      kGpu25W.string()};
  // The program ignores SIGXFSZ itself: the limit is an error it reports (EFBIG), never a
  // signal, so exit 1.
  EXPECT_EQ(test::run_with_file_limit(kExport, args, 16000), 1);
  // All or nothing: the profile that fitted is not stored either, and no temp file is left.
  EXPECT_EQ(test::snapshot_tree(dir_.path()), before);
  // The next export completes the work.
  EXPECT_EQ(exporter({"--calibration", kGpu25W.string()}).exit_code, 0);
  EXPECT_EQ(summarize({"--check", "--strict"}).exit_code, 0);
}

TEST_F(ExportCli, TwoConcurrentExportsOfDifferentModesBothLand) {
  for (int round = 0; round < 4; ++round) {
    if (round > 0) {
      fs::remove_all(dir_ / "profiles");
      fs::remove_all(database());
      uncalibrated_copy();
    }
    std::vector<pid_t> children;
    for (const fs::path& profile : {kGpu25W, kGpu15W}) {
      pid_t pid = fork();
      if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(null, STDERR_FILENO);
        std::string program = kExport;
        std::vector<std::string> strings{program, "--database", database().string(),
                                         "--calibration", profile.string()};
        std::vector<char*> argv;
        for (std::string& arg : strings) argv.push_back(arg.data());
        argv.push_back(nullptr);
        execv(program.c_str(), argv.data());
        _exit(127);
      }
      children.push_back(pid);
    }
    for (pid_t child : children) {
      int status = 0;
      waitpid(child, &status, 0);
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    Json summary = load_json_file(dir_ / kGpuEntry)["calibration_summary"];
    EXPECT_EQ(summary["by_power_mode"].size(), 2u) << "round " << round;
    EXPECT_EQ(summary["power_mode"], "25W");
    EXPECT_EQ(summarize({"--check", "--strict"}).exit_code, 0) << "round " << round;
  }
}

}  // namespace
}  // namespace hwcal

// ---- history, the regression gate and --compare (summarize_database) --------------------------

namespace hwcal {
namespace {

// Three more 25W runs after the legacy ones: 1.0, 1.03 and a last one at 0.85 of the fixture.
class HistoryCli : public ExportCli {
 protected:
  void SetUp() override {
    ExportCli::SetUp();
    ASSERT_EQ(exporter({"--calibration-dir", kOrinNano.string()}).exit_code, 0);
  }
  fs::path run(const std::string& name, const std::string& started, double factor) const {
    return native(name, [&](Json& document) {
      document["started_at"] = started;
      for (Json& record : document["measurements"]) {
        for (const char* key : {"gflops", "gbps"}) {
          if (record.contains(key)) {
            record[key]["best"] = record[key]["best"].get<double>() * factor;
            record[key]["median"] = record[key]["median"].get<double>() * factor;
          }
        }
        for (Json& sample : record["samples_s"]) sample = sample.get<double>() / factor;
      }
    });
  }
  void add_runs(double last) {
    ASSERT_EQ(exporter({"--calibration", run("a.json", "2025-11-20T08:00:00Z", 1.0).string(),
                        run("b.json", "2025-11-21T08:00:00Z", 1.03).string()})
                  .exit_code,
              0);
    ASSERT_EQ(
        exporter({"--calibration", run("c.json", "2025-11-22T08:00:00Z", last).string()}).exit_code,
        0);
  }
};

TEST_F(HistoryCli, ShowsEveryRunPerModeWithTheChange) {
  add_runs(0.85);
  auto result = summarize({"--history", "jetson_orin_nano_gpu"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out,
                       "jetson_orin_nano_gpu: NVIDIA Jetson Orin Nano 8GB (GPU); 5 "
                       "runs in profiles/nvidia/jetson_orin_nano_gpu"))
      << result.out;
  EXPECT_TRUE(contains(result.out, "mode 25W (default): 4 runs")) << result.out;
  EXPECT_TRUE(contains(result.out, "mode 15W: 1 run")) << result.out;
  EXPECT_TRUE(contains(result.out, "1250.6 (+3.0%)")) << result.out;
  EXPECT_TRUE(contains(result.out, "* 2025-11-22T08:00:00Z  1032.0 (-17.5%)")) << result.out;
  EXPECT_TRUE(contains(result.out, "    2025-11-16T10:04:26Z  1214.2 ")) << result.out;  // unlinked

  auto json = summarize({"--history", "jetson_orin_nano_gpu", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  Json document = parse_json(json.out, "history");
  const Json& runs = document["modes"][1]["runs"];
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[2]["measured_peaks"]["fp32"], 1250.6);
  EXPECT_EQ(runs[2]["change_against_previous"]["fp32"], 0.03);
  EXPECT_EQ(summarize({"--history", "nope"}).exit_code, 1);
  EXPECT_EQ(summarize({"--history", "jetson_orin_nano_gpu", "--check"}).exit_code, 2);
  EXPECT_EQ(summarize({"--history", "jetson_orin_nano_gpu", "--format", "csv"}).exit_code, 2);
}

TEST_F(HistoryCli, FailOnRegressionNamesEntryModeAndPrecision) {
  add_runs(0.85);
  auto gate = summarize({"--fail-on-regression", "10"});
  EXPECT_EQ(gate.exit_code, 1);
  EXPECT_TRUE(contains(gate.out,
                       "regression: jetson_orin_nano_gpu 25W fp32: the latest run "
                       "(2025-11-22T08:00:00Z, " +
                           stored("profiles/nvidia/jetson_orin_nano_gpu/25W", "20251122T080000Z") +
                           ") measured 1032.0 GFLOPS, 15.0% below the median 1214.2 GFLOPS of "
                           "3 earlier runs"))
      << gate.out;
  EXPECT_TRUE(contains(gate.out, "regression: jetson_orin_nano_gpu 25W bandwidth")) << gate.out;
  EXPECT_TRUE(contains(gate.out, "3 regressions of more than 10% in 2 calibrated entries"));
  auto lenient = summarize({"--fail-on-regression", "20"});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out;
  EXPECT_TRUE(contains(lenient.out, "no regression of more than 20% in 2 calibrated entries"));
  // With --check both gates run.
  auto both = summarize({"--check", "--strict", "--fail-on-regression", "10"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_TRUE(contains(both.out, "0 errors, 0 warnings")) << both.out;
  EXPECT_EQ(summarize({"--fail-on-regression", "0"}).exit_code, 2);
}

TEST_F(HistoryCli, NoRegressionWhenTheLatestRunHolds) {
  add_runs(0.97);
  auto gate = summarize({"--fail-on-regression", "5", "--id", "jetson_orin_nano_gpu"});
  EXPECT_EQ(gate.exit_code, 0) << gate.out;
  EXPECT_TRUE(contains(gate.out, "no regression of more than 5% in 1 calibrated entry"));
}

TEST_F(HistoryCli, CompareTestsTheSamplesKernelByKernel) {
  fs::path old_run = run("old.json", "2025-11-20T08:00:00Z", 1.0);
  fs::path slower = run("slow.json", "2025-11-21T08:00:00Z", 0.85);
  auto result = summarize({"--compare", old_run.string(), slower.string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out,
                       "cuda_gemm_fp32_cublas m=n=k=4096  1214.2 GFLOPS  1032.0 "
                       "GFLOPS  -15.0%  -15.0%"))
      << result.out;
  // Each trial as a throughput: 15% slower everywhere; kernels whose own trials spread more than
  // 15% are "within noise", the rest "slower".
  EXPECT_TRUE(contains(result.out, "kernels changed")) << result.out;
  EXPECT_TRUE(contains(result.out, "cuda_gemm_fp32_cublas m=n=k=4096: slower, median -15.0%"))
      << result.out;
  EXPECT_FALSE(
      contains(result.out,
               "cuda_gemm_int8"));  // unsupported on both: not compared  // unsupported: left out

  auto same = summarize({"--compare", old_run.string(), old_run.string()});
  EXPECT_TRUE(contains(same.out, "no kernel changed")) << same.out;
  auto legacy_run = summarize({"--compare", kGpu25W.string(), kGpu15W.string()});
  EXPECT_EQ(legacy_run.exit_code, 0);
  EXPECT_TRUE(contains(legacy_run.out, "no samples on both sides")) << legacy_run.out;
  EXPECT_TRUE(contains(legacy_run.out,
                       "cuda_gemm_fp32_pytorch m=n=k=4096  1214.2 GFLOPS  813.9 "
                       "GFLOPS   -33.0%"))
      << legacy_run.out;

  auto json = summarize({"--compare", old_run.string(), slower.string(), "--format", "json"});
  Json document = parse_json(json.out, "compare");
  EXPECT_EQ(document["kernels"].size(), 11u);
  EXPECT_EQ(document["kernels"][4]["significant"], true);
  EXPECT_EQ(summarize({"--compare", old_run.string()}).exit_code, 2);
  EXPECT_EQ(summarize({"--compare", old_run.string(), slower.string(), "--check"}).exit_code, 2);
  EXPECT_EQ(summarize({"--compare", old_run.string(), (dir_ / "none.json").string()}).exit_code, 1);
}

}  // namespace
}  // namespace hwcal
