#include <gtest/gtest.h>

#include <thread>

#include "measure/telemetry/power.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

fs::path jetson() { return test::fixtures_dir() / "power/jetson_orin_nano"; }
fs::path rapl() { return test::fixtures_dir() / "power/x86_rapl"; }

MeasurementRecord gemm_record(double flops_per_call, int trials) {
  MeasurementRecord record;
  record.kernel = "cpu_gemm_fp32_openblas";
  record.flops = flops_per_call;
  record.gflops = Throughput{1, 1};
  record.samples_s.assign(static_cast<std::size_t>(trials), 0.05);
  return record;
}

TEST(Power, Ina3221RailsAreFoundByNameAndLabelled) {
  std::vector<std::string> notes;
  std::vector<PowerRail> rails = find_ina3221_rails(jetson(), notes);
  ASSERT_EQ(rails.size(), 3u);  // the soc_thermal hwmon is not a power monitor
  EXPECT_EQ(rails[0].label, "VDD_IN");
  EXPECT_EQ(rails[1].label, "VDD_CPU_GPU_CV");
  EXPECT_EQ(rails[2].label, "VDD_SOC");
  std::string problem;
  auto watts = read_rail_w(rails[1], problem);
  ASSERT_TRUE(watts.has_value()) << problem;
  EXPECT_DOUBLE_EQ(*watts, 5.080 * 1.150);  // mV x mA
}

TEST(Power, RailChoiceFollowsTheDevice) {
  std::vector<std::string> notes;
  std::vector<PowerRail> rails = find_ina3221_rails(jetson(), notes);
  ASSERT_NE(pick_rail(rails, "cuda"), nullptr);
  EXPECT_EQ(pick_rail(rails, "cuda")->label, "VDD_CPU_GPU_CV");
  EXPECT_EQ(pick_rail(rails, "cpu")->label, "VDD_CPU_GPU_CV");
  // An AGX Orin names its GPU rail VDD_GPU_SOC; a board with only the input rail uses that.
  std::vector<PowerRail> agx = {{"VDD_GPU_SOC", "", ""}, {"VDD_CPU_CV", "", ""}};
  EXPECT_EQ(pick_rail(agx, "cuda")->label, "VDD_GPU_SOC");
  EXPECT_EQ(pick_rail(agx, "cpu")->label, "VDD_CPU_CV");
  std::vector<PowerRail> input_only = {{"VDD_IN", "", ""}};
  EXPECT_EQ(pick_rail(input_only, "cuda")->label, "VDD_IN");
  EXPECT_EQ(pick_rail({}, "cuda"), nullptr);
}

TEST(Power, RaplCountsPackageZonesOnly) {
  std::vector<std::string> notes;
  std::vector<RaplZone> zones = find_rapl_packages(rapl(), notes);
  ASSERT_EQ(zones.size(), 2u);
  EXPECT_EQ(zones[0].name, "package-0");
  EXPECT_EQ(zones[1].name, "package-1");
  EXPECT_DOUBLE_EQ(zones[0].max_energy_j, 262143.32885);
}

TEST(Power, EnergyDeltaSurvivesOneWrapAround) {
  EXPECT_DOUBLE_EQ(energy_delta_j(10, 25, 100), 15);
  EXPECT_DOUBLE_EQ(energy_delta_j(95, 5, 100), 10);
  EXPECT_DOUBLE_EQ(energy_delta_j(95, 5, 0), -90);  // no known range: the caller sees it
}

TEST(Power, NoMeterIsReportedWithWhereItLooked) {
  test::TempDir empty;
  PowerSourceChoice cpu = cpu_power_source(empty.path());
  EXPECT_EQ(cpu.source, nullptr);
  EXPECT_NE(cpu.problem.find("no power meter for the CPU"), std::string::npos) << cpu.problem;
  PowerSourceChoice gpu = jetson_gpu_power_source(empty.path());
  EXPECT_EQ(gpu.source, nullptr);
  EXPECT_EQ(gpu.problem, "no ina3221 power monitor");
}

// The energy counter's difference over the trials' window is the average power, and work over
// energy is GFLOPS per watt.
TEST(Power, RaplEnergyCounterGivesAveragePower) {
  test::TempDir root;
  test::copy_tree(rapl(), root.path());
  PowerSourceChoice choice = cpu_power_source(root.path());
  ASSERT_NE(choice.source, nullptr) << choice.problem;
  EXPECT_EQ(choice.source->name(), "rapl");
  EXPECT_EQ(choice.source->detail(), "package-0+package-1");
  TrialMonitor monitor(std::move(choice), {});
  monitor.begin();
  // 30 J on package 0 and 12 J on package 1 while the "trials" run.
  test::write_file(root / "sys/class/powercap/intel-rapl:0/energy_uj", "153456789\n");
  test::write_file(root / "sys/class/powercap/intel-rapl:1/energy_uj", "14000000\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  MeasurementRecord record = gemm_record(2e9, 4);
  monitor.end(record);
  const Json& power = record.extra["power"];
  ASSERT_TRUE(power.contains("avg_watts")) << power.dump();
  const double window = power["window_s"].get<double>();
  EXPECT_NEAR(power["avg_watts"].get<double>() * window, 42.0, 1e-9);
  EXPECT_EQ(power["source"], "rapl");
  EXPECT_EQ(power["method"], "energy counter");
  EXPECT_NEAR(power["gflops_per_watt"].get<double>(), 4 * 2e9 / 1e9 / 42.0, 1e-9);
}

TEST(Power, SampledRailsAverageEverySample) {
  PowerSourceChoice choice = jetson_gpu_power_source(jetson());
  ASSERT_NE(choice.source, nullptr) << choice.problem;
  EXPECT_EQ(choice.source->detail(), "VDD_CPU_GPU_CV");
  int reads = 0;
  Gauge clock{"gpu_clock_mhz", "test", [&reads] {
                ++reads;
                return std::optional<double>(600.0 + reads);
              }};
  TrialMonitor monitor(std::move(choice), {clock}, 0.01);
  monitor.begin();
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  MeasurementRecord record;
  record.kernel = "cuda_stream_triad";
  record.bytes = 3e9;
  record.gbps = Throughput{1, 1};
  record.samples_s = {0.1};
  monitor.end(record);
  const Json& power = record.extra["power"];
  ASSERT_TRUE(power.contains("avg_watts")) << power.dump();
  EXPECT_NEAR(power["avg_watts"].get<double>(), 5.080 * 1.150, 1e-12);  // the fixture is constant
  EXPECT_GE(power["samples"].get<int>(), 2);
  EXPECT_NEAR(power["rails"]["VDD_IN"].get<double>(), 5.072 * 1.984, 1e-12);
  EXPECT_TRUE(power.contains("gbps_per_watt"));
  EXPECT_FALSE(power.contains("gflops_per_watt"));
  const Json& clocks = record.extra["gpu_clock_mhz"];
  EXPECT_EQ(clocks["source"], "test");
  EXPECT_GE(clocks["samples"].get<int>(), 2);
  EXPECT_DOUBLE_EQ(clocks["min"].get<double>(), 601.0);
  EXPECT_EQ(monitor.run_max().at("gpu_clock_mhz"), clocks["max"].get<double>());
}

TEST(Power, ShortTrialsAndMissingMetersSaySo) {
  TrialMonitor monitor(jetson_gpu_power_source(jetson()), {});
  monitor.begin();
  MeasurementRecord record = gemm_record(1e6, 3);
  monitor.end(record);  // at once: far under the 0.1 s a reading needs
  EXPECT_FALSE(record.extra["power"].contains("avg_watts"));
  EXPECT_NE(record.extra["power"]["unavailable"].get<std::string>().find("under the 0.1 s"),
            std::string::npos)
      << record.extra["power"].dump();

  test::TempDir empty;
  TrialMonitor none(cpu_power_source(empty.path()), {});
  none.begin();
  MeasurementRecord other = gemm_record(1e6, 3);
  none.end(other);
  EXPECT_NE(other.extra["power"]["unavailable"].get<std::string>().find("no power meter"),
            std::string::npos);
  EXPECT_FALSE(other.extra["power"].contains("source"));
}

}  // namespace
}  // namespace hwcal
