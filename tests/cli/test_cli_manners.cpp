// End-to-end: what every program shares on the command line (issue 16, "CLI manners"): -v and
// -vv log on stderr, --quiet means the same everywhere, --format json is honoured, a misspelt
// option, value, kernel, precision, workload or power mode gets "did you mean", and a filter
// that matches nothing (or a measurement that ends in error) exits 1.
#include <gtest/gtest.h>

#include "hwcal/json/json_io.hpp"
#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::run_program;

std::string bundled() { return test::bundled_database().string(); }
std::string workstation() { return (test::fixtures_dir() / "machines/x86_workstation").string(); }

// calibrate on the fixture workstation, the bundled database and one small kernel.
std::vector<std::string> small_calibrate(const fs::path& output) {
  return {"--plan",        "quick",      "--device", "cpu",          "--sysroot",
          workstation(),   "--database", bundled(),  "--kernels",    "cpu_stream_triad",
          "--time-budget", "1",          "--output", output.string()};
}

const std::vector<std::string>& all_programs() {
  static const std::vector<std::string> programs = {
      test::kAddHardware, test::kCalibrate, test::kExport, test::kSummarize, test::kSyncMappers};
  return programs;
}

// ---- did you mean ------------------------------------------------------------------------------

TEST(CliManners, MisspeltOptionGetsTheClosestInEveryProgram) {
  for (const std::string& program : all_programs()) {
    auto result = run_program(program, {"--databse", bundled()});
    EXPECT_EQ(result.exit_code, 2) << program;
    EXPECT_TRUE(contains(result.err, "unknown option --databse (did you mean --database?)"))
        << program << ": " << result.err;
    EXPECT_TRUE(contains(result.err, "usage: ")) << result.err;
  }
}

TEST(CliManners, OptionInTheWrongCaseGetsTheRightOne) {
  auto result = run_program(test::kSummarize, {"--Format", "json"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "unknown option --Format (did you mean --format?)"))
      << result.err;
}

TEST(CliManners, OptionFarFromAnyGetsNoGuess) {
  auto result = run_program(test::kSyncMappers, {"--zzzzzzzzzzzzzzzzzz"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_TRUE(contains(result.err, "unknown option --zzzzzzzzzzzzzzzzzz\n")) << result.err;
}

TEST(CliManners, ValueOfAFixedSetInTheWrongCaseGetsTheRightOne) {
  auto plan = run_program(test::kCalibrate, {"--plan", "Quick"});
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_TRUE(contains(plan.err,
                       "'Quick' is not one of quick, standard, full (did you mean "
                       "quick?)"))
      << plan.err;
  auto format = run_program(test::kSummarize, {"--format", "jsno"});
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_TRUE(contains(format.err, "(did you mean json?)")) << format.err;
}

TEST(CliManners, MisspeltKernelGetsTheClosest) {
  test::TempDir dir;
  for (const std::string kernel : {"cpu_stream_tirad", "CPU_STREAM_TRIAD"}) {
    auto args = small_calibrate(dir / "run.json");
    args[9] = kernel;  // the --kernels value
    auto result = run_program(test::kCalibrate, args);
    EXPECT_EQ(result.exit_code, 2) << kernel;
    EXPECT_TRUE(
        contains(result.err, "unknown kernel '" + kernel + "' (did you mean cpu_stream_triad"))
        << result.err;
    EXPECT_FALSE(fs::exists(dir / "run.json"));
  }
}

TEST(CliManners, MisspeltPrecisionAndWorkloadGetTheClosest) {
  auto precision = run_program(test::kCalibrate, {"--precisions", "FP32"});
  EXPECT_EQ(precision.exit_code, 2);
  EXPECT_TRUE(contains(precision.err, "unknown precision 'FP32' (did you mean fp32?)"))
      << precision.err;
  test::TempDir dir;
  auto args = small_calibrate(dir / "run.json");
  args.insert(args.end(), {"--workloads", "resnet19"});
  auto workload = run_program(test::kCalibrate, args);
  EXPECT_EQ(workload.exit_code, 2);
  EXPECT_TRUE(contains(workload.err, "unknown workload 'resnet19' (did you mean resnet18?)"))
      << workload.err;
}

TEST(CliManners, PowerModeInTheWrongCaseGetsTheRightOne) {
  test::TempDir dir;
  auto args = small_calibrate(dir / "run.json");
  args.insert(args.end(), {"--hardware-id", "jetson_orin_nano_cpu", "--power-mode", "15w"});
  auto result = run_program(test::kCalibrate, args);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.err, "power mode '15w' (did you mean 15W?) is not one of"))
      << result.err;
  EXPECT_FALSE(fs::exists(dir / "run.json"));
}

// ---- a filter that matches nothing, a measurement that fails ---------------------------------

TEST(CliManners, SummaryFilterMatchingNothingExitsOne) {
  auto vendor = run_program(test::kSummarize, {"--database", bundled(), "--vendor", "nvidai"});
  EXPECT_EQ(vendor.exit_code, 1);
  EXPECT_TRUE(contains(vendor.err, "no entry matches --vendor nvidai (did you mean nvidia?)"))
      << vendor.err;
  EXPECT_EQ(vendor.out, "");
  auto type = run_program(test::kSummarize, {"--database", bundled(), "--device-type", "fpga"});
  EXPECT_EQ(type.exit_code, 1);
  EXPECT_TRUE(contains(type.err, "no entry matches --device-type fpga")) << type.err;
  // Each filter matches something, together nothing.
  auto both = run_program(test::kSummarize, {"--database", bundled(), "--id",
                                             "jetson_orin_nano_gpu", "--device-type", "cpu"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_TRUE(contains(both.err, "no entry matches --id jetson_orin_nano_gpu --device-type cpu"))
      << both.err;
  auto id = run_program(test::kSummarize, {"--database", bundled(), "--id", "jetson_orin_nano"});
  EXPECT_EQ(id.exit_code, 1);
  EXPECT_TRUE(contains(id.err, "did you mean")) << id.err;
}

TEST(CliManners, CalibrateFiltersSelectingNoKernelExitOne) {
  test::TempDir dir;
  auto args = small_calibrate(dir / "run.json");
  args[9] = "cpu_gemm_fp32_openblas";
  args.insert(args.end(), {"--precisions", "bf16"});
  auto result = run_program(test::kCalibrate, args);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(contains(result.err,
                       "--kernels cpu_gemm_fp32_openblas and --precisions bf16 "
                       "together select no cpu kernel"))
      << result.err;
  EXPECT_FALSE(fs::exists(dir / "run.json"));
}

// A network whose input cannot be allocated (a 2^40-element image: 4 TiB) ends in error.
TEST(CliManners, CalibrateExitsOneWhenAMeasurementEndsInError) {
  test::TempDir dir;
  const fs::path workload = dir / "huge.json";
  test::write_file(workload, R"({
  "schema_version": 1,
  "name": "huge",
  "title": "An input no machine holds",
  "input": {"channels": 1, "height": 1048576, "width": 1048576},
  "layers": [
    {"name": "conv", "op": "conv", "out_channels": 1, "kernel": 1, "stride": 1, "padding": 0}
  ]
})");
  auto args = small_calibrate(dir / "run.json");
  args.insert(args.end(), {"--workloads", workload.string(), "--batch", "1", "--precisions", "fp32",
                           "--workload-backend", "portable"});
  auto result = run_program(test::kCalibrate, args);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_TRUE(contains(result.err, "of 2 measurements ended in error (exit 1): workload huge"))
      << result.err;
  // The profile is still written, with the record that failed.
  ASSERT_TRUE(fs::exists(dir / "run.json"));
  EXPECT_TRUE(contains(test::read_file(dir / "run.json"), "\"error\""));
}

// ---- -v and -vv ------------------------------------------------------------------------------

TEST(CliManners, VerboseLogsThePlannersDecisions) {
  test::TempDir dir;
  auto plain = run_program(test::kCalibrate, small_calibrate(dir / "a.json"));
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_FALSE(contains(plain.err, "info: ")) << plain.err;

  auto args = small_calibrate(dir / "b.json");
  args.push_back("-v");
  auto info = run_program(test::kCalibrate, args);
  ASSERT_EQ(info.exit_code, 0) << info.err;
  EXPECT_TRUE(contains(info.err, "info: planner (cpu): --kernels selects 1 kernel")) << info.err;
  EXPECT_TRUE(contains(info.err, "info: planner (cpu): plan quick")) << info.err;
  EXPECT_FALSE(contains(info.err, "debug: ")) << info.err;

  args = small_calibrate(dir / "c.json");
  args.push_back("-vv");
  auto debug = run_program(test::kCalibrate, args);
  ASSERT_EQ(debug.exit_code, 0) << debug.err;
  EXPECT_TRUE(contains(debug.err, "debug: planner (cpu): planned cpu_stream_triad")) << debug.err;
}

TEST(CliManners, VerboseSaysWhichDatabaseInEveryProgram) {
  for (const std::string& program : {test::kSummarize, test::kSyncMappers, test::kAddHardware}) {
    std::vector<std::string> args = {"-v"};
    if (program == test::kSummarize) args.push_back("--check");
    if (program == test::kSyncMappers) args.push_back("--check");
    if (program == test::kAddHardware) args.push_back("--detect");
    auto result = run_program(program, args, {{"HWCAL_DATABASE", bundled()}});
    EXPECT_TRUE(contains(result.err, "info: database: ")) << program << ": " << result.err;
  }
}

// ---- --quiet ---------------------------------------------------------------------------------

TEST(CliManners, EveryHelpSaysWhatQuietMeans) {
  for (const std::string& program : all_programs()) {
    auto result = run_program(program, {"--help"});
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_TRUE(contains(result.out, "Print only the result")) << program;
    EXPECT_TRUE(contains(result.out, "-vv")) << program;
  }
}

TEST(CliManners, QuietCalibrateKeepsTheTableAndSaysNothingElse) {
  test::TempDir dir;
  auto args = small_calibrate(dir / "run.json");
  args.push_back("--quiet");
  auto result = run_program(test::kCalibrate, args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "cpu_stream_triad")) << result.out;
  EXPECT_EQ(result.err, "");
}

TEST(CliManners, QuietAddHardwareDropsNotesAndConfirmations) {
  test::TempDir dir;
  const fs::path database = test::copy_bundled_database(dir.path());
  std::vector<std::string> args = {"--database",           database.string(), "--update",
                                   "intel_core_i7_12700k", "--set",           "notes=changed"};
  auto loud = run_program(test::kAddHardware, args);
  ASSERT_EQ(loud.exit_code, 0) << loud.err;
  EXPECT_TRUE(contains(loud.out, "updated ")) << loud.out;
  args.back() = "notes=changed again";
  args.push_back("--quiet");
  auto quiet = run_program(test::kAddHardware, args);
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.err, "");
}

TEST(CliManners, QuietSyncMappersSaysNothingOnSuccess) {
  test::TempDir dir;
  const fs::path database = test::copy_bundled_database(dir.path());
  auto result = run_program(test::kSyncMappers, {"--database", database.string(), "--output-dir",
                                                 (dir / "mappers").string(), "--quiet"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "");
  EXPECT_TRUE(fs::exists(dir / "mappers" / "all.hpp"));
}

// ---- --format json -----------------------------------------------------------------------------

TEST(CliManners, CalibrateListsAsJson) {
  auto kernels = run_program(test::kCalibrate, {"--list-kernels", "--format", "json"});
  ASSERT_EQ(kernels.exit_code, 0) << kernels.err;
  Json list = parse_json(kernels.out, "stdout");
  ASSERT_TRUE(list.is_array());
  bool triad = false;
  for (const Json& kernel : list) {
    triad = triad || (kernel["id"] == "cpu_stream_triad" && kernel["device"] == "cpu" &&
                      kernel["class"] == "stream");
  }
  EXPECT_TRUE(triad) << kernels.out;

  auto workloads = run_program(test::kCalibrate, {"--list-workloads", "--format", "json"});
  ASSERT_EQ(workloads.exit_code, 0) << workloads.err;
  Json networks = parse_json(workloads.out, "stdout");
  ASSERT_TRUE(networks.is_array());
  ASSERT_FALSE(networks.empty());
  EXPECT_TRUE(networks[0].contains("multiply_adds")) << workloads.out;
}

TEST(CliManners, SyncMappersPrintsJson) {
  test::TempDir dir;
  const fs::path database = test::copy_bundled_database(dir.path());
  const std::string mappers = (dir / "mappers").string();
  auto wrote = run_program(test::kSyncMappers, {"--database", database.string(), "--output-dir",
                                                mappers, "--format", "json"});
  ASSERT_EQ(wrote.exit_code, 0) << wrote.err;
  Json written = parse_json(wrote.out, "stdout");
  EXPECT_FALSE(written["written"].empty()) << wrote.out;
  EXPECT_EQ(written["unchanged"], 0);

  fs::remove(dir / "mappers" / "all.hpp");
  auto checked = run_program(test::kSyncMappers, {"--database", database.string(), "--output-dir",
                                                  mappers, "--check", "--format", "json"});
  EXPECT_EQ(checked.exit_code, 1);
  Json check = parse_json(checked.out, "stdout");
  EXPECT_EQ(check["ok"], false);
  EXPECT_EQ(check["missing"], 1) << checked.out;
  ASSERT_EQ(check["problems"].size(), 1u) << checked.out;
}

TEST(CliManners, AddHardwareUpdatePrintsJson) {
  test::TempDir dir;
  const fs::path database = test::copy_bundled_database(dir.path());
  auto result = run_program(test::kAddHardware,
                            {"--database", database.string(), "--update", "intel_core_i7_12700k",
                             "--set", "notes=changed", "--dry-run", "--format", "json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json out = parse_json(result.out, "stdout");
  EXPECT_EQ(out["written"], false);
  EXPECT_EQ(out["changed"], true);
  EXPECT_TRUE(contains(out["diff"].get<std::string>(), "+  \"notes\": \"changed\"")) << result.out;
}

}  // namespace
}  // namespace hwcal
