// End-to-end: a noisy run is shown as noisy everywhere it goes. A real CPU hog beside a real
// calibrate run (the table, the profile's conditions and warnings), and a profile whose
// conditions say it was noisy through export (refused without --accept-noisy), the summary in
// every format and --check.
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "hwcal/json/json_io.hpp"
#include "measure/kernels.hpp"
#include "profile/profile.hpp"
#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::kCalibrate;
using test::kExport;
using test::kSummarize;
using test::run_program;

// A busy loop pinned to `cpu`, killed when this goes out of scope.
class CpuHog {
 public:
  explicit CpuHog(int cpu) {
    pid_ = fork();
    if (pid_ == 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(cpu, &set);
      sched_setaffinity(0, sizeof set, &set);
      volatile unsigned long spin = 0;
      while (true) spin = spin + 1;
    }
  }
  ~CpuHog() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  CpuHog(const CpuHog&) = delete;
  CpuHog& operator=(const CpuHog&) = delete;

 private:
  pid_t pid_ = -1;
};

// The widest fp32 FMA kernel this CPU runs.
std::string fma_kernel() {
  const CpuFeatures cpu = host_cpu_features();
  if (cpu.avx512f) return "cpu_fma_fp32_avx512";
  if (cpu.avx2 && cpu.fma) return "cpu_fma_fp32_avx2";
  return "cpu_fma_fp32_neon";
}

TEST(QualityCli, ACpuHogShowsInTheTableAndTheProfile) {
  test::TempDir dir;
  const fs::path output = dir / "hog.json";
  CpuHog hog(0);
  auto result = run_program(kCalibrate, {"--plan", "quick", "--device", "cpu", "--database",
                                         test::bundled_database().string(), "--kernels",
                                         fma_kernel() + ",cpu_gemm_fp32_openblas", "--time-budget",
                                         "2", "--output", output.string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const CalibrationProfile profile = profile_from_json(load_json_file(output), output.string());
  const Json& conditions = profile.extra["conditions"];
  // A hog on one CPU takes a share of every window the kernels' threads share with it.
  EXPECT_GT(conditions["other_cpu_share"]["during"].get<double>(), 0.10) << conditions.dump();
  EXPECT_TRUE(conditions["virtual_machine"].is_boolean());
  EXPECT_FALSE(conditions["host_name"].get<std::string>().empty());
  EXPECT_EQ(conditions["reference"]["at"].size(), 3u);
  EXPECT_TRUE(contains(result.out, "NOISY: other processes used")) << result.out;
  EXPECT_TRUE(contains(result.out, "quality: ")) << result.out;
  bool warned = false;
  for (const std::string& warning : profile.warnings) {
    warned = warned || contains(warning, "other processes used");
  }
  EXPECT_TRUE(warned);
  // Each record carries its own window's share.
  for (const MeasurementRecord& record : profile.measurements) {
    if (record.status == MeasurementStatus::passed) {
      EXPECT_TRUE(record.extra.contains("conditions")) << record.kernel;
    }
  }
}

// A checkout-like folder with a copy of the bundled database, and the i7 fixture profile made
// noisy by hand (45% of the CPUs used by others during its trials).
class NoisyProfileCli : public ::testing::Test {
 protected:
  void SetUp() override {
    test::copy_tree(test::bundled_database(), database());
    // The bundled entries' linked runs, so that --check re-derives every summary.
    test::copy_tree(test::source_dir() / "profiles", dir_ / "profiles");
    Json profile =
        load_json_file(test::fixtures_dir() / "profiles/intel_core_i7_12700k_default.json");
    profile["conditions"] = Json::object(
        {{"host_name", "bench-7"},
         {"virtual_machine", false},
         {"other_cpu_share", Json::object({{"before", 0.4}, {"during", 0.45}, {"max_call", 0.6}})},
         {"steal_share", Json::object({{"during", 0.0}, {"max_call", 0.0}})},
         {"reference", Json::object({{"kernel", "cpu_fma_fp32_avx2"},
                                     {"at", Json::array({"start", "middle", "end"})},
                                     {"gflops", Json::array({900.0, 880.0, 870.0})},
                                     {"drift", 0.033}})}});
    test::write_file(noisy(), dump_json(profile));
  }
  fs::path database() const { return dir_ / "hardware_database"; }
  fs::path noisy() const { return dir_ / "noisy.json"; }
  test::ProgramResult run(const std::string& program, std::vector<std::string> args) const {
    args.insert(args.begin(), {"--database", database().string()});
    return run_program(program, args);
  }
  test::TempDir dir_;
};

TEST_F(NoisyProfileCli, ExportRefusesItWithoutAcceptNoisy) {
  const std::string before = test::read_file(database() / "cpu/intel/intel_core_i7_12700k.json");
  auto refused = run(kExport, {"--calibration", noisy().string()});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_TRUE(contains(refused.err,
                       "noisy.json: /conditions: a noisy run: other processes used "
                       "45% of the CPUs during the trials"))
      << refused.err;
  EXPECT_TRUE(contains(refused.err, "--accept-noisy")) << refused.err;
  EXPECT_TRUE(contains(refused.err, "quality: ")) << refused.err;  // said as it was read
  EXPECT_EQ(test::read_file(database() / "cpu/intel/intel_core_i7_12700k.json"), before);
  EXPECT_FALSE(fs::exists(dir_ / "profiles/intel/intel_core_i7_12700k"));
}

TEST_F(NoisyProfileCli, AcceptedItShowsInEveryView) {
  auto accepted = run(kExport, {"--calibration", noisy().string(), "--accept-noisy"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_TRUE(contains(accepted.err, "exported although noisy")) << accepted.err;
  const Json entry = load_json_file(database() / "cpu/intel/intel_core_i7_12700k.json");
  const Json& quality = entry["calibration_summary"]["by_power_mode"]["default"]["quality"];
  EXPECT_EQ(quality["noisy_runs"], 1);
  EXPECT_DOUBLE_EQ(quality["other_cpu_share"].get<double>(), 0.45);
  ASSERT_EQ(quality["warnings"].size(), 1u);

  // --check re-derives the quality from the profile: it matches.
  auto check = run(kSummarize, {"--check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;

  auto console = run(kSummarize, {"--id", "intel_core_i7_12700k"});
  EXPECT_TRUE(contains(console.out, "quality: 1 of 1 run noisy")) << console.out;
  EXPECT_TRUE(contains(console.out, "warning: 2025-11-16T09:51:09Z: other processes used 45%"))
      << console.out;
  auto json = run(kSummarize, {"--id", "intel_core_i7_12700k", "--format", "json"});
  const Json document = Json::parse(json.out);
  EXPECT_EQ(document["entries"][0]["modes"][0]["quality"]["noisy_runs"], 1) << json.out;
  auto csv = run(kSummarize, {"--id", "intel_core_i7_12700k", "--format", "csv"});
  EXPECT_TRUE(contains(csv.out, ",noisy_runs,max_cv,warnings\n")) << csv.out;
  EXPECT_TRUE(contains(csv.out, "other processes used 45%")) << csv.out;
  auto markdown = run(kSummarize, {"--id", "intel_core_i7_12700k", "--format", "markdown"});
  EXPECT_TRUE(contains(markdown.out, "Quality: 1 of 1 run noisy")) << markdown.out;
  auto html = run(kSummarize, {"--id", "intel_core_i7_12700k", "--format", "html"});
  EXPECT_TRUE(contains(html.out, "Quality of default: 1 of 1 run noisy")) << html.out.size();
  EXPECT_TRUE(contains(html.out, "class=\"badge noisy\"")) << html.out.size();
  EXPECT_TRUE(contains(html.out, "<td>bench-7</td>")) << html.out.size();
}

}  // namespace
}  // namespace hwcal

namespace hwcal {
namespace {

// Two entries side by side by precision and kernel class.
TEST(QualityCli, CompareTwoEntriesByPrecisionAndClass) {
  auto result = run_program(kSummarize, {"--database", test::bundled_database().string(),
                                         "--compare", "jetson_orin_nano_gpu", "nvidia_l4"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(contains(result.out, "A: jetson_orin_nano_gpu")) << result.out;
  EXPECT_TRUE(contains(result.out, "fp32       datasheet")) << result.out;
  EXPECT_TRUE(contains(result.out, "fp32       gemm")) << result.out;  // the Orin is calibrated
  auto json = run_program(kSummarize, {"--database", test::bundled_database().string(), "--compare",
                                       "jetson_orin_nano_gpu", "nvidia_l4", "--format", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const Json document = Json::parse(json.out);
  EXPECT_EQ(document["b"]["id"], "nvidia_l4");
  EXPECT_GE(document["rows"].size(), 3u);
}

}  // namespace
}  // namespace hwcal
