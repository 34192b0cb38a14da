// End-to-end: every reproducer of the reliability audit, run against the built programs. Each
// one used to crash (a signal), hang, write outside the database, lose data silently or leave
// files half-changed; each must now end with exit 1 or 2 and a one-line message naming the file
// and the field, having changed nothing it should not.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "hwcal/database/database.hpp"
#include "hwcal/json/json_io.hpp"
#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::kAddHardware;
using test::kCalibrate;
using test::kExport;
using test::kSummarize;
using test::kSyncMappers;
using test::run_program;

const fs::path kOrinNano = test::fixtures_dir() / "legacy_profiles/nvidia/jetson_orin_nano";
const fs::path kGpu25W = kOrinNano / "25W/nvidia_jetson_orin_nano_gpu_pytorch.json";
const std::string kI7 = "hardware_database/cpu/intel/intel_core_i7_12700k.json";

// `levels` nested objects around `leaf`: {"x":{"x":...leaf...}}.
std::string nested(std::size_t levels, const std::string& leaf = "1") {
  std::string text;
  text.reserve(levels * 6 + leaf.size());
  for (std::size_t i = 0; i < levels; ++i) text += "{\"x\":";
  text += leaf;
  text.append(levels, '}');
  return text;
}

// Every temp file name under `root` (what an interrupted writer leaves).
std::vector<std::string> temp_files(const fs::path& root) {
  std::vector<std::string> found;
  for (const auto& item : fs::recursive_directory_iterator(root)) {
    if (is_temp_file_name(item.path().filename().string())) found.push_back(item.path().string());
  }
  return found;
}

// A checkout-like folder with a copy of the bundled database.
class ReliabilityCli : public ::testing::Test {
 protected:
  void SetUp() override { test::copy_tree(test::bundled_database(), database()); }

  fs::path database() const { return dir_ / "hardware_database"; }
  test::ProgramResult run(const std::string& program, std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database", database().string()});
    return run_program(program, args);
  }
  // An entry file with one more field holding `value`.
  void add_field(const std::string& entry, const std::string& value) const {
    std::string text = test::read_file(dir_ / entry);
    const auto brace = text.rfind('}');
    text.insert(brace, ",\n  \"local_deep\": " + value + "\n");
    test::write_file(dir_ / entry, text);
  }

  test::TempDir dir_;
};

// --- deep nesting: used to overflow the stack (SIGSEGV, exit 139) --------------------------

TEST_F(ReliabilityCli, AProfileNested20000DeepIsRefusedNamingTheField) {
  std::string text = test::read_file(kGpu25W);
  text.insert(text.rfind('}'), ",\n  \"extra_deep\": " + nested(20000) + "\n");
  test::write_file(dir_ / "deep.json", text);
  auto result = run(kExport, {"--calibration", (dir_ / "deep.json").string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(contains(result.err, "deep.json: /extra_deep/x/x")) << result.err;
  EXPECT_TRUE(contains(result.err, "nested more than 256 levels deep")) << result.err;
}

TEST_F(ReliabilityCli, AnEntryNested60000DeepIsAnErrorOfEveryScanNotACrash) {
  add_field(kI7, nested(60000));
  auto check = run(kSummarize, {"--check"});
  EXPECT_EQ(check.exit_code, 1) << check.err;
  EXPECT_TRUE(contains(check.out + check.err, "intel_core_i7_12700k.json: /local_deep/x"))
      << check.out << check.err;
  auto mappers = run(kSyncMappers, {"--check"});
  EXPECT_EQ(mappers.exit_code, 1) << mappers.err;
  auto summary = run(kSummarize, {});
  EXPECT_LT(summary.exit_code, 3) << summary.err;
}

TEST_F(ReliabilityCli, AddingAnEntryWithDeepObjectsIsRefused) {
  Json entry = load_json_file(database() / "cpu/intel/intel_core_i7_12700k.json");
  entry["id"] = "deep_copy";
  std::string text = dump_json(entry);
  text.insert(text.rfind('}'), ",\n  \"local_deep\": " + nested(30000, "[1.5]") + "\n");
  test::write_file(dir_ / "deep_entry.json", text);
  const auto before = test::snapshot_tree(database());
  auto result = run(kAddHardware, {"--from-file", (dir_ / "deep_entry.json").string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(contains(result.err, "deep_entry.json: /local_deep")) << result.err;
  EXPECT_EQ(test::snapshot_tree(database()), before);
}

TEST_F(ReliabilityCli, ADetectionPatternOf30000NestedGroupsIsAnErrorNotACrash) {
  Json entry = load_json_file(database() / "cpu/intel/intel_core_i7_12700k.json");
  entry["detection_patterns"] =
      Json::array({std::string(30000, '(') + "i7" + std::string(30000, ')')});
  test::write_file(database() / "cpu/intel/intel_core_i7_12700k.json", dump_json(entry));
  auto check = run(kSummarize, {"--check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_TRUE(contains(check.out + check.err, "/detection_patterns/0")) << check.out;
  EXPECT_TRUE(contains(check.out + check.err, "too long: longer than 256 characters")) << check.out;
}

// --- unbounded reads: /dev/zero grew past 8 GB, a FIFO blocked forever --------------------

TEST_F(ReliabilityCli, DevicesAndFifosAreRefusedAtOnce) {
  auto zero = run(kExport, {"--calibration", "/dev/zero"});
  EXPECT_EQ(zero.exit_code, 1);
  EXPECT_TRUE(contains(zero.err, "/dev/zero: not a regular file")) << zero.err;

  const fs::path fifo = dir_ / "profile.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto start = std::chrono::steady_clock::now();
  auto piped = run(kExport, {"--calibration", fifo.string()});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_EQ(piped.exit_code, 1);
  EXPECT_TRUE(contains(piped.err, "profile.json: not a regular file")) << piped.err;
}

// --- one bad legacy file aborted the whole batch with an internal error --------------------

TEST_F(ReliabilityCli, ABadLegacyFileIsReportedAndTheOthersImported) {
  const fs::path legacy =
      test::fixtures_dir() /
      "legacy/hardware_database/cpu/intel/intel_12th_gen_intelr_coretm_i7_12700k.json";
  ASSERT_TRUE(fs::exists(legacy)) << legacy;
  Json good = load_json_file(legacy);
  Json null_bandwidth = good;
  Json text_bandwidth = good;
  const Json channel_null = Json::array({Json{{"bandwidth_gbps", nullptr}}});
  const Json channel_text = Json::array({Json{{"bandwidth_gbps", "fast"}}});
  null_bandwidth["memory_subsystem"]["memory_channels"] = channel_null;
  text_bandwidth["memory_subsystem"]["memory_channels"] = channel_text;
  fs::create_directories(dir_ / "legacy");
  test::write_file(dir_ / "legacy/a_null.json", dump_json(null_bandwidth));
  test::write_file(dir_ / "legacy/b_text.json", dump_json(text_bandwidth));
  auto result = run(kAddHardware, {"--import-legacy", (dir_ / "legacy").string(), "--dry-run"});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_FALSE(contains(result.out + result.err, "internal error")) << result.out << result.err;
  EXPECT_TRUE(contains(result.out, "a_null.json")) << result.out;
  EXPECT_TRUE(contains(result.out, "b_text.json")) << result.out;
  EXPECT_TRUE(contains(result.out, "memory_channels")) << result.out;
  EXPECT_TRUE(contains(result.out, "2 files:")) << result.out;
}

// --- all or nothing: a full disk at any size used to leave 1-2 of 3 entries updated ----------

TEST_F(ReliabilityCli, AFullDiskAtAnySizeLeavesAMultiEntryExportAllOrNothing) {
  const std::vector<std::string> args{"--database", database().string(), "--calibration-dir",
                                      kOrinNano.string()};
  // What the export writes when it can.
  test::TempDir reference;
  test::copy_tree(database(), reference / "hardware_database");
  ASSERT_EQ(run_program(kExport, {"--database", (reference / "hardware_database").string(),
                                  "--calibration-dir", kOrinNano.string()})
                .exit_code,
            0);
  const auto after = test::snapshot_tree(reference.path());
  const auto before = test::snapshot_tree(dir_.path());
  int refused = 0;
  for (std::size_t limit :
       {512, 2048, 8192, 12000, 16000, 20000, 24000, 32000, 48000, 64000, 96000, 1 << 20}) {
    const int code = test::run_with_file_limit(kExport, args, limit);
    const auto state = test::snapshot_tree(dir_.path());
    if (code == 0) {
      EXPECT_EQ(state, after) << "limit " << limit;
    } else {
      ++refused;
      EXPECT_EQ(code, 1) << "limit " << limit;
      EXPECT_EQ(state, before) << "limit " << limit << ": a file changed or a temp file is left";
    }
    // Start again from the same database for the next level.
    fs::remove_all(dir_ / "profiles");
    fs::remove_all(database());
    test::copy_tree(test::bundled_database(), database());
  }
  EXPECT_GT(refused, 3) << "the limits were too generous to test anything";
}

TEST_F(ReliabilityCli, AFullDiskLeavesTheMapperHeadersAllOldOrAllNew) {
  // From no headers at all: a full disk must leave none, never some.
  const fs::path headers = dir_ / "mappers";
  fs::create_directories(headers);
  const auto old_headers = test::snapshot_tree(headers);
  int refused = 0;
  for (std::size_t limit : {1024, 4096, 6000, 8000}) {
    const int code = test::run_with_file_limit(
        kSyncMappers, {"--database", database().string(), "--output-dir", headers.string()}, limit);
    if (code != 0) {
      ++refused;
      EXPECT_EQ(code, 1) << "limit " << limit;
      EXPECT_EQ(test::snapshot_tree(headers), old_headers) << "limit " << limit;
    }
  }
  EXPECT_GT(refused, 0);
  EXPECT_TRUE(temp_files(dir_.path()).empty());
  ASSERT_EQ(run(kSyncMappers, {"--output-dir", headers.string()}).exit_code, 0);
  EXPECT_GT(test::snapshot_tree(headers).size(), 10u);
}

// --- writes outside the database -----------------------------------------------------------

TEST_F(ReliabilityCli, APowerModeThatClimbsOutOfTheTreeIsAUsageError) {
  auto result = run(kCalibrate, {"--power-mode", "../../../../x", "--plan", "quick", "--kernels",
                                 "cpu_stream_copy", "--device", "cpu"});
  EXPECT_EQ(result.exit_code, 2) << result.err;
  EXPECT_TRUE(contains(result.err, "--power-mode '../../../../x' contains a slash")) << result.err;
  EXPECT_TRUE(temp_files(dir_.path()).empty());
}

TEST_F(ReliabilityCli, AnEmptyDatabaseIsAUsageErrorOfEveryProgram) {
  for (const std::string& program : {kAddHardware, kCalibrate, kExport, kSummarize, kSyncMappers}) {
    auto result = run_program(program, {"--database", ""});
    EXPECT_EQ(result.exit_code, 2) << program << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "--database")) << program << ": " << result.err;
  }
}

TEST_F(ReliabilityCli, ASymlinkedEntryIsWrittenThroughInsideTheTreeAndRefusedOutside) {
  // Inside the tree: the link stays a link, the file it names gets the change.
  const fs::path gpu = database() / "gpu/nvidia/jetson_orin_nano_gpu.json";
  const fs::path real = dir_ / "kept/jetson_orin_nano_gpu.json";
  fs::create_directories(real.parent_path());
  fs::rename(gpu, real);
  fs::create_symlink(real, gpu);
  auto result = run(kExport, {"--calibration", kGpu25W.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(fs::is_symlink(gpu));
  EXPECT_TRUE(contains(test::read_file(real), "calibration_summary"));

  // Outside the tree: refused, nothing written.
  test::TempDir elsewhere;
  const fs::path cpu = database() / "cpu/intel/intel_core_i7_12700k.json";
  const fs::path outside = elsewhere / "intel_core_i7_12700k.json";
  fs::copy_file(cpu, outside);
  fs::remove(cpu);
  fs::create_symlink(outside, cpu);
  const std::string before = test::read_file(outside);
  Json profile =
      load_json_file(test::fixtures_dir() / "profiles/intel_core_i7_12700k_default.json");
  test::write_file(dir_ / "i7.json", dump_json(profile));
  auto refused = run(kExport, {"--calibration", (dir_ / "i7.json").string()});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_TRUE(contains(refused.err, "is a symbolic link to")) << refused.err;
  EXPECT_TRUE(contains(refused.err, "not written through")) << refused.err;
  EXPECT_EQ(test::read_file(outside), before);
  EXPECT_TRUE(temp_files(dir_.path()).empty());
}

// --- silent loss in the scan ------------------------------------------------------------------

TEST_F(ReliabilityCli, ASymlinkLoopAndANonFileJsonAreErrorsNamingThePath) {
  fs::create_symlink("b.json", database() / "cpu/intel/a.json");
  fs::create_symlink("a.json", database() / "cpu/intel/b.json");
  fs::create_directories(database() / "gpu/nvidia/folder.json");
  auto check = run(kSummarize, {"--check"});
  EXPECT_EQ(check.exit_code, 1);
  const std::string text = check.out + check.err;
  EXPECT_TRUE(contains(text,
                       "hardware_database/cpu/intel/a.json: a symbolic link that cannot be "
                       "followed"))
      << text;
  EXPECT_TRUE(contains(text, "hardware_database/gpu/nvidia/folder.json: a folder named like"))
      << text;
  EXPECT_FALSE(contains(text, "filesystem error")) << text;
}

TEST_F(ReliabilityCli, AnUnreadableFolderFailsTheCheck) {
  // Root reads every folder: run the check as nobody, where setpriv can.
  const bool as_root = ::geteuid() == 0;
  if (as_root && !fs::exists("/usr/bin/setpriv")) GTEST_SKIP() << "root, and no setpriv";
  fs::permissions(dir_.path(), fs::perms::all);
  for (const auto& item : fs::recursive_directory_iterator(dir_.path())) {
    fs::permissions(item.path(), item.is_directory() ? fs::perms::all : fs::perms(0644));
  }
  fs::permissions(database() / "gpu/nvidia", fs::perms::none);
  test::ProgramResult check;
  if (as_root) {
    check =
        run_program("/usr/bin/setpriv", {"--reuid=65534", "--regid=65534", "--clear-groups",
                                         kSummarize, "--database", database().string(), "--check"});
  } else {
    check = run(kSummarize, {"--check"});
  }
  fs::permissions(database() / "gpu/nvidia", fs::perms::all);
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_TRUE(
      contains(check.out + check.err, "hardware_database/gpu/nvidia: cannot list this folder"))
      << check.out << check.err;
}

// --- validation gaps on write -----------------------------------------------------------------

class ExportRefusal : public ReliabilityCli,
                      public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

// A native profile with one figure changed must be refused, naming the field.
TEST_P(ExportRefusal, ImpossibleFiguresAreRefusedNamingTheField) {
  const auto& [change, expected] = GetParam();
  Json profile = load_json_file(test::fixtures_dir() / "profiles/jetson_orin_nano_gpu_25W.json");
  Json* record = nullptr;
  for (Json& item : profile["measurements"]) {
    if (item.value("status", "passed") == "passed" && item.contains("gflops")) {
      record = &item;
      break;
    }
  }
  ASSERT_NE(record, nullptr);
  const std::string what = change;
  if (what == "negative") {
    for (Json& sample : (*record)["samples_s"]) sample = -sample.get<double>();
    (*record)["gflops"]["best"] = -(*record)["gflops"]["best"].get<double>();
  } else if (what == "zero_sample") {
    (*record)["samples_s"][0] = 0.0;
  } else if (what == "zero_flops") {
    (*record)["flops"] = 0.0;
  } else if (what == "negative_bytes") {
    (*record)["bytes"] = -1.0;
  } else if (what == "absurd_bytes") {
    (*record)["bytes"] = 1e300;
  } else if (what == "disagreeing") {
    (*record)["gflops"]["best"] = (*record)["gflops"]["best"].get<double>() * 1.5;
  }
  test::write_file(dir_ / "bad.json", dump_json(profile));
  const auto before = test::snapshot_tree(dir_.path());
  auto result = run(kExport, {"--calibration", (dir_ / "bad.json").string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(contains(result.err, "bad.json: /measurements/")) << result.err;
  EXPECT_TRUE(contains(result.err, expected)) << result.err;
  EXPECT_EQ(test::snapshot_tree(dir_.path()), before);
}

INSTANTIATE_TEST_SUITE_P(
    Figures, ExportRefusal,
    ::testing::Values(std::make_pair("negative", "a trial takes a positive time"),
                      std::make_pair("zero_sample", "a trial takes a positive time"),
                      std::make_pair("zero_flops", "flops per call: expected a positive count"),
                      std::make_pair("negative_bytes", "bytes per call: expected a"),
                      std::make_pair("absurd_bytes",
                                     "bytes per call: expected a non-negative count"),
                      std::make_pair("disagreeing", "disagrees with the samples")));

TEST_F(ReliabilityCli, ExportIntoAnEntryThatFailsTheCheckIsRefused) {
  Json entry = load_json_file(database() / "gpu/nvidia/jetson_orin_nano_gpu.json");
  entry["default_power_mode"] = "99W";  // not one of its modes
  test::write_file(database() / "gpu/nvidia/jetson_orin_nano_gpu.json", dump_json(entry));
  const auto before = test::snapshot_tree(dir_.path());
  auto result = run(kExport, {"--calibration", kGpu25W.string()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(contains(result.err, "jetson_orin_nano_gpu.json: /default_power_mode")) << result.err;
  EXPECT_TRUE(contains(result.err, "fix it before exporting into it")) << result.err;
  EXPECT_EQ(test::snapshot_tree(dir_.path()), before);
}

TEST_F(ReliabilityCli, ForceKeepsTheCalibrationAndDropCalibrationDropsIt) {
  const fs::path path = database() / "gpu/nvidia/jetson_orin_nano_gpu.json";
  Json entry = load_json_file(path);
  ASSERT_TRUE(entry.contains("calibration_summary"));
  Json description = entry;
  description.erase("calibration_summary");
  description.erase("calibration_profiles");
  description.erase("workload_summary");
  description["notes"] = "replaced";
  test::write_file(dir_ / "new.json", dump_json(description));

  auto kept = run(kAddHardware, {"--from-file", (dir_ / "new.json").string(), "--force"});
  ASSERT_EQ(kept.exit_code, 0) << kept.err;
  EXPECT_TRUE(contains(kept.out, "kept the calibration")) << kept.out;
  Json after = load_json_file(path);
  EXPECT_EQ(after["notes"], "replaced");
  EXPECT_EQ(after["calibration_summary"], entry["calibration_summary"]);
  EXPECT_EQ(after["calibration_profiles"], entry["calibration_profiles"]);

  auto dropped = run(
      kAddHardware, {"--from-file", (dir_ / "new.json").string(), "--force", "--drop-calibration"});
  ASSERT_EQ(dropped.exit_code, 0) << dropped.err;
  EXPECT_FALSE(load_json_file(path).contains("calibration_summary"));
}

TEST_F(ReliabilityCli, UpdateEditsInPlaceWithADiffUnderDryRun) {
  const fs::path path = database() / "gpu/nvidia/jetson_orin_nano_gpu.json";
  const std::string before = test::read_file(path);
  auto dry = run(kAddHardware,
                 {"--update", "jetson_orin_nano_gpu", "--set", "notes=checked", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_TRUE(contains(dry.out, "+++ b/hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json"))
      << dry.out;
  EXPECT_TRUE(contains(dry.out, "+  \"notes\": \"checked\"")) << dry.out;
  EXPECT_EQ(test::read_file(path), before);

  auto done = run(kAddHardware, {"--update", "jetson_orin_nano_gpu", "--set", "notes=checked"});
  ASSERT_EQ(done.exit_code, 0) << done.err;
  Json after = load_json_file(path);
  EXPECT_EQ(after["notes"], "checked");
  EXPECT_EQ(after["calibration_summary"],
            load_json_file(test::bundled_database() /
                           "gpu/nvidia/jetson_orin_nano_gpu.json")["calibration_summary"]);
  auto renamed = run(kAddHardware, {"--update", "jetson_orin_nano_gpu", "--set", "id=other"});
  EXPECT_EQ(renamed.exit_code, 2) << renamed.err;
}

// --- leftovers and the lock -------------------------------------------------------------------

TEST_F(ReliabilityCli, TempFilesOfDeadWritersAreRemovedUnderTheLockAndIgnoredByGit) {
  // A PID that comes back (PID 1 in every container run) no longer collides: the old names
  // are swept away, new ones are random.
  test::write_file(database() / "gpu/nvidia/.jetson_orin_nano_gpu.json.tmp.1.0", "half");
  test::write_file(dir_ / "profiles/nvidia/.x.json.tmp.1.AbC123", "half");
  auto result = run(kExport, {"--calibration", kGpu25W.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.err, "removed 2 temp files that interrupted writers left"))
      << result.err;
  EXPECT_TRUE(temp_files(dir_.path()).empty());

  // The checkout's .gitignore covers them (and the lock and the journal), with the real git.
  for (const char* name :
       {"hardware_database/cpu/intel/.x.json.tmp.1.AbC123", "hardware_database/.hwcal.journal",
        "hardware_database/.hwcal.lock", "profiles/nvidia/x/25W/.y.json.tmp.7.Zz9"}) {
    auto ignored = run_program("/usr/bin/git", {"-C", test::source_dir().string(), "check-ignore",
                                                "-q", "--no-index", name});
    EXPECT_EQ(ignored.exit_code, 0) << name << " is not ignored by git";
  }
}

// Holds the database lock in a child process until told to stop (by killing it).
pid_t hold_lock(const fs::path& database) {
  fs::remove(database / ".hwcal.lock");
  pid_t pid = fork();
  if (pid == 0) {
    DatabaseLock lock(database);
    ::pause();
    _exit(0);
  }
  // Until the child holds it: its holder line is written right after flock.
  for (int i = 0; i < 200; ++i) {
    if (fs::exists(database / ".hwcal.lock") && fs::file_size(database / ".hwcal.lock") > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pid;
}

TEST_F(ReliabilityCli, AWaitingWriterSaysWhoseLockAndGivesUp) {
  pid_t holder = hold_lock(database());
  for (const auto& [program, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {kExport, {"--calibration", kGpu25W.string()}},
           {kSyncMappers, {"--output-dir", (dir_ / "mappers").string()}},
           {kAddHardware, {"--update", "jetson_orin_nano_gpu", "--set", "notes=x"}}}) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"--lock-timeout", "0.5"});
    auto result = run(program, full);
    EXPECT_EQ(result.exit_code, 1) << program << ": " << result.err;
    EXPECT_TRUE(contains(result.err, fmt::format("held by pid {}", holder)))
        << program << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "gave up (--lock-timeout")) << program << ": " << result.err;
  }
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
}

TEST_F(ReliabilityCli, CalibrateWritesIntoTheTreeOnlyUnderTheLock) {
  pid_t holder = hold_lock(database());
  auto result = run(kCalibrate, {"--hardware-id", "intel_core_i7_12700k", "--device", "cpu",
                                 "--kernels", "cpu_stream_triad", "--plan", "quick",
                                 "--time-budget", "1", "--lock-timeout", "0.5"});
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(contains(result.err, fmt::format("held by pid {}", holder))) << result.err;
  // The output folder was made before measuring (to fail early when it cannot be); no file.
  EXPECT_TRUE(!fs::exists(dir_ / "profiles") || test::snapshot_tree(dir_ / "profiles").empty());
}

TEST_F(ReliabilityCli, TheLockFileFollowsTheUmaskOfASharedTree) {
  fs::remove(database() / ".hwcal.lock");
  auto result = run_program("/bin/sh", {"-c",
                                        "umask 002; exec \"$0\" --database \"$1\" "
                                        "--calibration \"$2\"",
                                        kExport, database().string(), kGpu25W.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  struct stat info {};
  ASSERT_EQ(::stat((database() / ".hwcal.lock").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0664u);
}

// --- exit codes outside 0/1/2 -----------------------------------------------------------------

TEST_F(ReliabilityCli, ANanThresholdIsAUsageError) {
  for (const char* value : {"nan", "inf", "-5"}) {
    auto result = run(kSummarize, {"--fail-on-regression", value});
    EXPECT_EQ(result.exit_code, 2) << value << ": " << result.err;
  }
  auto timeout = run(kExport, {"--calibration", kGpu25W.string(), "--lock-timeout", "nan"});
  EXPECT_EQ(timeout.exit_code, 2) << timeout.err;
  for (const char* value : {"nan", "inf", "0"}) {
    auto budget = run(kCalibrate, {"--time-budget", value});
    EXPECT_EQ(budget.exit_code, 2) << value << ": " << budget.err;
  }
}

}  // namespace
}  // namespace hwcal
