#include <gtest/gtest.h>

#include <thread>

#include "measure/telemetry/nvml.hpp"
#include "measure/telemetry/power.hpp"

namespace hwcal {
namespace {

// The stand-in library (tests/support/fake_nvml.cpp): the real one comes with the driver.
const std::string kFakeNvml = HWCAL_FAKE_NVML;

TEST(Nvml, AMissingLibraryIsAReasonNotAFailure) {
  std::string problem;
  auto nvml = Nvml::open(problem, "libnvidia-ml-that-does-not-exist.so.1");
  EXPECT_EQ(nvml, nullptr);
  EXPECT_NE(problem.find("libnvidia-ml-that-does-not-exist.so.1"), std::string::npos) << problem;
}

TEST(Nvml, ReturnCodesHaveTheirNames) {
  EXPECT_EQ(nvml_return_name(0), "NVML_SUCCESS");
  EXPECT_EQ(nvml_return_name(3), "NVML_ERROR_NOT_SUPPORTED");
  EXPECT_EQ(nvml_return_name(9), "NVML_ERROR_DRIVER_NOT_LOADED");
  EXPECT_EQ(nvml_return_name(4242), "NVML_ERROR_4242");
  EXPECT_EQ(describe_throttle_reasons(0x1), "");  // idle is not a slowdown
  EXPECT_EQ(describe_throttle_reasons(0x4 | 0x40), "software power cap, hardware thermal slowdown");
}

TEST(Nvml, ReadsThroughTheLoadedLibrary) {
  std::string problem;
  auto nvml = Nvml::open(problem, kFakeNvml);
  ASSERT_NE(nvml, nullptr) << problem;
  auto device = nvml->device_by_pci_bus_id("0000:65:00.0");
  ASSERT_TRUE(device.known()) << device.problem;
  auto missing = nvml->device_by_pci_bus_id("0000:17:00.0");
  EXPECT_FALSE(missing.known());
  EXPECT_EQ(missing.problem, "nvmlDeviceGetHandleByPciBusId_v2: NVML_ERROR_NOT_FOUND (Not Found)");
  EXPECT_DOUBLE_EQ(*nvml->power_w(*device.value).value, 412.345);
  EXPECT_DOUBLE_EQ(*nvml->sm_clock_mhz(*device.value).value, 1755);
  EXPECT_EQ(*nvml->driver_version().value, "580.65.06");
  EXPECT_EQ(*nvml->throttle_reasons(*device.value).value, 0x5u);

  Json facts = nvml_device_facts(*nvml, *device.value);
  EXPECT_EQ(facts["pcie"], Json::parse(R"({"generation": 5, "width": 16, "max_generation": 5,
                                           "max_width": 16})"));
  EXPECT_DOUBLE_EQ(facts["power_limit_watts"].get<double>(), 700);
  EXPECT_EQ(facts["ecc_enabled"], true);
  EXPECT_FALSE(facts.contains("mig_enabled"));
  EXPECT_EQ(facts["unavailable"]["mig_enabled"],
            "nvmlDeviceGetMigMode: NVML_ERROR_NOT_SUPPORTED (Not Supported)");
  EXPECT_EQ(facts["driver_version"], "580.65.06");
}

// The GPU's energy counter advanced 700 J between the two readings of the window.
TEST(Nvml, EnergyCounterBecomesAveragePower) {
  std::string problem;
  std::shared_ptr<Nvml> nvml = Nvml::open(problem, kFakeNvml);
  ASSERT_NE(nvml, nullptr) << problem;
  auto device = nvml->device_by_index(0);
  ASSERT_TRUE(device.known());
  PowerSourceChoice choice = nvml_power_source(nvml, *device.value);
  ASSERT_NE(choice.source, nullptr) << choice.problem;
  EXPECT_TRUE(choice.source->has_energy_counter());
  TrialMonitor monitor(std::move(choice), {});
  monitor.begin();
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  MeasurementRecord record;
  record.kernel = "cuda_gemm_fp16_cublas";
  record.flops = 1e12;
  record.gflops = Throughput{1, 1};
  record.samples_s = {0.05, 0.05};
  monitor.end(record);
  const Json& power = record.extra["power"];
  ASSERT_TRUE(power.contains("avg_watts")) << power.dump();
  EXPECT_NEAR(power["avg_watts"].get<double>() * power["window_s"].get<double>(), 700, 1e-9);
  EXPECT_EQ(power["source"], "nvml");
  EXPECT_NEAR(power["gflops_per_watt"].get<double>(), 2e12 / 1e9 / 700, 1e-9);
}

}  // namespace
}  // namespace hwcal
