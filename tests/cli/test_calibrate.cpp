// End-to-end: the built calibrate on this machine, with fixture sysroots for what detection
// reads, small kernel subsets and short time budgets so the suite stays fast.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "hwcal/json/json_io.hpp"
#include "measure/gpu.hpp"
#include "profile/profile.hpp"
#include "programs.hpp"
#include "test_support.hpp"

extern char** environ;

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::kCalibrate;
using test::kExport;
using test::run_program;

std::string workstation() { return (test::fixtures_dir() / "machines/x86_workstation").string(); }

std::vector<std::string> small_run(const fs::path& output) {
  return {"--plan",        "quick",
          "--device",      "cpu",
          "--sysroot",     workstation(),
          "--database",    test::bundled_database().string(),
          "--kernels",     "cpu_gemm_fp32_openblas,cpu_stream_triad,cpu_gemm_bf16_openblas",
          "--time-budget", "3",
          "--output",      output.string()};
}

TEST(CalibrateCli, QuickRunWritesAProfileThatExportLoads) {
  test::TempDir dir;
  fs::path output = dir / "run.json";
  auto result = run_program(kCalibrate, small_run(output));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  CalibrationProfile profile = profile_from_json(load_json_file(output), output.string());
  // Detection read the fixture: a 12700K, which the bundled database knows.
  EXPECT_EQ(profile.hardware_id, "intel_core_i7_12700k");
  EXPECT_EQ(profile.power_mode, "default");
  EXPECT_EQ(profile.tool.name, "calibrate");
  EXPECT_FALSE(profile.finished_at.empty());
  ASSERT_EQ(profile.measurements.size(), 3u);  // in the order the kernels were named
  const MeasurementRecord& sgemm = profile.measurements[0];
  EXPECT_EQ(sgemm.kernel, "cpu_gemm_fp32_openblas");
  EXPECT_EQ(sgemm.status, MeasurementStatus::passed) << sgemm.message;
  EXPECT_GE(sgemm.samples_s.size(), 1u);
  ASSERT_TRUE(sgemm.gflops.has_value());
  EXPECT_GT(sgemm.gflops->best, 0);
  EXPECT_DOUBLE_EQ(sgemm.gflops->best, *sgemm.flops / sgemm.stats_s->min / 1e9);
  const MeasurementRecord& bf16 = profile.measurements[2];
  EXPECT_EQ(bf16.kernel, "cpu_gemm_bf16_openblas");
  if (bf16.status == MeasurementStatus::unsupported) {
    EXPECT_FALSE(bf16.message.empty());
  }
  const MeasurementRecord& triad = profile.measurements[1];
  EXPECT_EQ(triad.status, MeasurementStatus::passed) << triad.message;
  EXPECT_EQ(triad.residency, Residency::dram);  // 4 x the fixture's 25 MiB L3
  EXPECT_EQ(triad.shape.array_bytes, 100LL << 20);
  EXPECT_TRUE(profile.find_backend("openblas") != nullptr);
  EXPECT_TRUE(profile.host.clocks_mhz.count("measured_scalar"));
  // The table on stdout names every kernel with its status.
  EXPECT_NE(result.out.find("cpu_gemm_bf16_openblas"), std::string::npos);
  EXPECT_NE(result.out.find("passed (dram)"), std::string::npos);
  // An entry matched: the percent column compares with it and says where its figures came from.
  EXPECT_NE(result.out.find("% entry"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("datasheet"), std::string::npos) << result.out;

  // export_calibration takes it (a dry run: the bundled database is not touched).
  test::TempDir checkout;
  fs::path database = test::copy_bundled_database(checkout.path());
  auto exported = run_program(kExport, {"--database", database.string(), "--calibration",
                                        output.string(), "--dry-run", "--accept-noisy"});
  EXPECT_EQ(exported.exit_code, 0) << exported.out << exported.err;
  EXPECT_NE(exported.out.find("calibration_summary"), std::string::npos) << exported.out;
}

TEST(CalibrateCli, JsonFormatPrintsTheProfile) {
  test::TempDir dir;
  auto args = small_run(dir / "run.json");
  args.insert(args.end(), {"--format", "json", "--quiet"});
  auto result = run_program(kCalibrate, args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json printed = parse_json(result.out, "stdout");
  EXPECT_EQ(printed["hardware_id"], "intel_core_i7_12700k");
  EXPECT_EQ(printed, load_json_file(dir / "run.json"));
}

TEST(CalibrateCli, UsageErrorsComeBeforeAnyWork) {
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"--kernels", "cpu_gemm_fp33_openblas"},
                                             {"--threads", "4096"},
                                             {"--precisions", "fp33"},
                                             {"--plan", "slow"},
                                             {"--device", "tpu"}}) {
    auto started = std::chrono::steady_clock::now();
    auto result = run_program(kCalibrate, args);
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(result.exit_code, 2) << args[0] << ": " << result.err;
    EXPECT_NE(result.err.find("usage: calibrate"), std::string::npos) << result.err;
    EXPECT_LT(seconds, 20) << args[0];
  }
  auto unknown = run_program(kCalibrate, {"--kernels", "cpu_gemm_fp33_openblas"});
  EXPECT_NE(unknown.err.find("unknown kernel 'cpu_gemm_fp33_openblas'"), std::string::npos);
}

TEST(CalibrateCli, UnwritableOutputFailsBeforeMeasuring) {
  auto result = run_program(
      kCalibrate, {"--plan", "quick", "--device", "cpu", "--output", "/proc/hwcal/run.json"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("/proc/hwcal: cannot create the output folder"), std::string::npos)
      << result.err;
  EXPECT_EQ(result.out, "");  // no table: nothing was measured
}

TEST(CalibrateCli, UnknownHardwareIdIsAnError) {
  auto result = run_program(
      kCalibrate, {"--hardware-id", "intel_i7", "--database", test::bundled_database().string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("unknown hardware id 'intel_i7'"), std::string::npos) << result.err;
}

// Ctrl-C stops between trials and writes nothing.
TEST(CalibrateCli, InterruptWritesNothing) {
  test::TempDir dir;
  fs::path output = dir / "run.json";
  std::vector<std::string> strings = {
      kCalibrate,    "--plan",        "standard",
      "--device",    "cpu",           "--sysroot",
      workstation(), "--database",    test::bundled_database().string(),
      "--output",    output.string(), "--quiet"};
  std::vector<char*> argv;
  for (std::string& s : strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, kCalibrate.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  std::this_thread::sleep_for(std::chrono::seconds(3));
  kill(pid, SIGINT);
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(fs::exists(output));
  EXPECT_EQ(test::snapshot_tree(dir.path()).size(), 0u);
}

bool machine_has_gpu() {
  std::string problem;
  return cuda_device_count(problem) > 0;
}

// Every record of a CPU run says what power it drew, or why that could not be read.
TEST(CalibrateCli, EveryRecordStatesItsPowerOrWhyNot) {
  test::TempDir dir;
  fs::path output = dir / "run.json";
  auto result = run_program(kCalibrate, small_run(output));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  Json profile = load_json_file(output);
  for (const Json& record : profile["measurements"]) {
    if (record["status"] != "passed") continue;
    const Json& power = record["power"];
    EXPECT_TRUE(power.contains("avg_watts") || power.contains("unavailable")) << power.dump();
  }
}

// --output runs/ takes every profile of the run, named by its start and device.
TEST(CalibrateCli, AnOutputFolderTakesEveryProfile) {
  test::TempDir dir;
  auto result = run_program(kCalibrate, small_run(dir / "runs/"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<fs::path> written;
  for (const auto& entry : fs::directory_iterator(dir / "runs")) written.push_back(entry.path());
  ASSERT_EQ(written.size(), 1u);
  EXPECT_EQ(written[0].string().substr(written[0].string().size() - 9), "-cpu.json");
  EXPECT_EQ(load_json_file(written[0])["device_type"], "cpu");
}

TEST(CalibrateCli, WithoutAGpuTheDefaultIsTheCpu) {
  if (machine_has_gpu()) GTEST_SKIP() << "this machine has a GPU: the default runs it too";
  test::TempDir dir;
  auto args = small_run(dir / "run.json");
  args.erase(args.begin() + 2, args.begin() + 4);  // no --device
  auto result = run_program(kCalibrate, args);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(load_json_file(dir / "run.json")["device_type"], "cpu");
}

// A build without CUDA refuses --device cuda; a CUDA build on a machine without a GPU runs and
// records, kernel by kernel, the runtime's reason.
TEST(CalibrateCli, DeviceCudaWithoutAGpuSaysWhy) {
  if (machine_has_gpu()) GTEST_SKIP() << "this machine has a GPU";
  test::TempDir dir;
  fs::path output = dir / "gpu.json";
  auto result = run_program(
      kCalibrate, {"--device", "cuda", "--plan", "quick", "--kernels",
                   "cuda_gemm_fp32_cublas,cuda_memcpy_d2d", "--sysroot", workstation(),
                   "--database", test::bundled_database().string(), "--output", output.string()});
  if (!cuda_built()) {
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("--device cuda: this build has no CUDA"), std::string::npos)
        << result.err;
    return;
  }
  ASSERT_EQ(result.exit_code, 0) << result.err;
  CalibrationProfile profile = profile_from_json(load_json_file(output), output.string());
  EXPECT_EQ(profile.device_type, DeviceType::gpu);
  // The fixture's /proc/driver/nvidia names an RTX 4090: the GPU entry comes from detection.
  EXPECT_EQ(profile.hardware_id, "nvidia_geforce_rtx_4090");
  ASSERT_EQ(profile.devices.size(), 1u);
  EXPECT_EQ(profile.devices[0].id, "cuda:0");
  ASSERT_EQ(profile.measurements.size(), 2u);
  for (const MeasurementRecord& record : profile.measurements) {
    EXPECT_EQ(record.status, MeasurementStatus::unsupported);
    EXPECT_EQ(record.device, "cuda:0");
    EXPECT_EQ(record.message.rfind("no CUDA device: cudaGetDeviceCount: cudaError", 0), 0u)
        << record.message;
  }
  EXPECT_NE(result.out.find("cuda_memcpy_d2d"), std::string::npos);
  // --list-kernels shows this build's CUDA kernels too.
  auto kernels = run_program(kCalibrate, {"--list-kernels"});
  EXPECT_NE(kernels.out.find("cuda_gemm_fp8_e4m3_cublaslt"), std::string::npos);
}

// Every nvpmodel mode in turn through a fake nvpmodel on a copy of the Jetson fixture: 7W asks
// for a reboot and is skipped, the others are calibrated into their own folders, 25W comes back.
TEST(CalibrateCli, AllPowerModesSwitchesCalibratesAndRestores) {
  test::TempDir dir;
  fs::path board = dir / "board";
  test::copy_tree(test::fixtures_dir() / "machines/jetson_orin_nano_25w", board);
  fs::path database = test::copy_bundled_database(dir / "checkout");
  const fs::path status = board / "var/lib/nvpmodel/status";
  auto result = run_program(
      kCalibrate,
      {"--all-power-modes", "--nvpmodel",
       (test::fixtures_dir() / "nvpmodel/fake_nvpmodel.sh").string(), "--power-mode-settle", "0",
       "--device", "cpu", "--kernels", "cpu_stream_triad", "--plan", "quick", "--time-budget", "1",
       "--sysroot", board.string(), "--database", database.string()},
      {{"FAKE_NVPMODEL_STATUS", status.string()}, {"FAKE_NVPMODEL_REBOOT", "3"}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("calibrate: power mode MAXN_SUPER (id 2)"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("7W                 3  skipped"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("needs a reboot"), std::string::npos);
  EXPECT_NE(result.err.find("mode 1 restored"), std::string::npos);
  EXPECT_EQ(test::read_file(status).substr(0, 10), "pmode:0001");
  const fs::path profiles = dir / "checkout/profiles/nvidia/jetson_orin_nano_cpu";
  for (const char* mode : {"15W", "MAXN_SUPER"}) {
    std::vector<fs::path> written;
    for (const auto& entry : fs::directory_iterator(profiles / mode)) written.push_back(entry);
    ASSERT_EQ(written.size(), 1u) << mode;
    EXPECT_EQ(load_json_file(written[0])["power_mode"], mode);
  }
  EXPECT_FALSE(fs::exists(profiles / "7W"));

  // --format json: one document for the whole sweep, each mode with its status and result
  // (from the fixture's status again: the fake nvpmodel leaves a shorter one behind).
  fs::copy_file(test::fixtures_dir() / "machines/jetson_orin_nano_25w/var/lib/nvpmodel/status",
                status, fs::copy_options::overwrite_existing);
  auto json = run_program(
      kCalibrate,
      {"--all-power-modes", "--nvpmodel",
       (test::fixtures_dir() / "nvpmodel/fake_nvpmodel.sh").string(), "--power-mode-settle", "0",
       "--device", "cpu", "--kernels", "cpu_stream_triad", "--plan", "quick", "--time-budget", "1",
       "--sysroot", board.string(), "--database", database.string(), "--format", "json"},
      {{"FAKE_NVPMODEL_STATUS", status.string()}, {"FAKE_NVPMODEL_REBOOT", "3"}});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json sweep = parse_json(json.out, "stdout");
  EXPECT_TRUE(sweep["restored"].get<bool>());
  std::map<std::string, std::string> statuses;
  for (const Json& mode : sweep["power_modes"]) {
    statuses[mode["power_mode"].get<std::string>()] = mode["status"].get<std::string>();
    if (mode["status"] == "calibrated") {
      EXPECT_EQ(mode["result"]["power_mode"], mode["power_mode"]) << mode.dump();
    } else {
      EXPECT_TRUE(mode["result"].is_null());
    }
  }
  EXPECT_EQ(statuses["7W"], "skipped");
  EXPECT_EQ(statuses["MAXN_SUPER"], "calibrated");

  // A machine without nvpmodel modes cannot do it, and says so before measuring anything.
  auto x86 = run_program(kCalibrate, {"--all-power-modes", "--nvpmodel", "/bin/false", "--sysroot",
                                      workstation(), "--device", "cpu"});
  EXPECT_EQ(x86.exit_code, 1);
  EXPECT_NE(x86.err.find("--all-power-modes: no nvpmodel modes"), std::string::npos) << x86.err;
  auto both = run_program(kCalibrate, {"--all-power-modes", "--power-mode", "15W"});
  EXPECT_EQ(both.exit_code, 2);
}

TEST(CalibrateCli, ListKernelsNamesEveryKernel) {
  auto result = run_program(kCalibrate, {"--list-kernels"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* id : {"cpu_gemm_fp64_openblas", "cpu_stream_triad", "cpu_memcpy"}) {
    EXPECT_NE(result.out.find(id), std::string::npos) << id;
  }
}

}  // namespace
}  // namespace hwcal
