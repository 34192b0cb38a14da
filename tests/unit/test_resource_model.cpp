#include <gtest/gtest.h>

#include "hwcal/database/entry_model.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/model/resource_model.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

HardwareSpec load_fixture(const std::string& relative) {
  fs::path path = test::fixtures_dir() / "databases/minimal" / relative;
  return spec_from_json(load_json_file(path), path.string());
}

HardwareSpec orin_nano() { return load_fixture("gpu/nvidia/jetson_orin_nano_gpu.json"); }

TEST(ResourceModel, EveryModeInFileOrderWithItsPeaksAndCalibration) {
  ResourceModelStorage storage = build_resource_model(orin_nano());
  const ResourceModel& model = storage.model();
  EXPECT_EQ(model.id, "jetson_orin_nano_gpu");
  EXPECT_EQ(model.device_type, DeviceType::gpu);
  EXPECT_EQ(model.compute_units, 8);
  EXPECT_EQ(model.unit_name, "SM");
  EXPECT_EQ(model.cores_per_unit, 128);
  EXPECT_EQ(model.max_clock_mhz, 1020.0);
  EXPECT_EQ(model.memory_type, "LPDDR5");
  EXPECT_EQ(model.mapper_class, "GPUMapper");
  ASSERT_EQ(model.mode_count, 3u);  // MAXN_SUPER is the default: no "default" mode is added
  EXPECT_EQ(model.modes[0].name, "15W");
  EXPECT_EQ(model.modes[1].name, "25W");
  EXPECT_EQ(model.modes[2].name, "MAXN_SUPER");
  EXPECT_EQ(model.default_mode, "MAXN_SUPER");

  const PowerModeModel* mode_25w = model.find_mode("25W");
  ASSERT_NE(mode_25w, nullptr);
  EXPECT_EQ(mode_25w->clock_mhz, 918.0);  // clocks_mhz["gpu"] for a GPU entry
  ASSERT_EQ(mode_25w->rate_count, 3u);    // fp32, fp16 from the mode, int8 from the device
  const PrecisionRate* fp32 = mode_25w->find_rate(Precision::fp32);
  ASSERT_NE(fp32, nullptr);
  EXPECT_EQ(fp32->peak_gflops, 1880.064);
  EXPECT_EQ(fp32->efficiency, 0.6458);
  EXPECT_TRUE(fp32->calibrated);
  EXPECT_DOUBLE_EQ(fp32->calibrated_gflops(), 1880.064 * 0.6458);
  const PrecisionRate* int8 = mode_25w->find_rate(Precision::int8);
  ASSERT_NE(int8, nullptr);
  EXPECT_EQ(int8->peak_gflops, 33423.36);
  EXPECT_EQ(int8->efficiency, 1.0);  // not measured
  EXPECT_FALSE(int8->calibrated);
  EXPECT_EQ(mode_25w->find_rate(Precision::fp64), nullptr);
  EXPECT_EQ(mode_25w->bandwidth_gbps, 102.4);
  EXPECT_EQ(mode_25w->bandwidth_efficiency, 0.585);
  EXPECT_TRUE(mode_25w->bandwidth_calibrated);

  EXPECT_EQ(model.find_mode("15W")->find_rate(Precision::fp16)->efficiency, 0.6075);
  const PowerModeModel* maxn = model.find_mode("MAXN_SUPER");
  EXPECT_EQ(maxn->find_rate(Precision::fp32)->peak_gflops, 2088.96);  // the device's peak
  EXPECT_FALSE(maxn->find_rate(Precision::fp32)->calibrated);
  EXPECT_FALSE(maxn->bandwidth_calibrated);
  EXPECT_EQ(maxn->bandwidth_efficiency, 1.0);
  EXPECT_EQ(model.find_mode("7W"), nullptr);
}

TEST(ResourceModel, ADeviceWithoutModesIsTheModeDefault) {
  fs::path path = test::bundled_database() / "cpu/intel/intel_core_i7_12700k.json";
  ResourceModelStorage storage =
      build_resource_model(spec_from_json(load_json_file(path), path.string()));
  const ResourceModel& model = storage.model();
  ASSERT_EQ(model.mode_count, 1u);
  EXPECT_EQ(model.modes[0].name, "default");
  EXPECT_EQ(model.default_mode, "default");
  EXPECT_EQ(model.modes[0].clock_mhz, model.max_clock_mhz);
  EXPECT_EQ(model.modes[0].tdp_watts, model.tdp_watts);
  ASSERT_EQ(model.cache_count, 7u);
  EXPECT_EQ(model.caches[0].level, 1);
  EXPECT_EQ(model.caches[0].kind, CacheKind::data);
  EXPECT_EQ(model.caches[0].size_kib, 48.0);
  EXPECT_EQ(model.caches[0].count, 8);
  EXPECT_EQ(model.caches[0].scope, "per P-core");
  EXPECT_EQ(to_string(model.caches[6].kind), "unified");
}

TEST(ResourceModel, ModesWithoutADefaultGainTheDevicesOwn) {
  HardwareSpec spec = orin_nano();
  spec.default_power_mode.reset();
  ResourceModelStorage storage = build_resource_model(spec);
  const ResourceModel& model = storage.model();
  ASSERT_EQ(model.mode_count, 4u);
  EXPECT_EQ(model.default_mode, "default");
  ASSERT_NE(model.find_mode("default"), nullptr);
  EXPECT_EQ(model.find_mode("default")->find_rate(Precision::fp32)->peak_gflops, 2088.96);
}

TEST(ResourceModel, TopLevelSummaryWithoutModesDescribesItsPowerMode) {
  HardwareSpec spec = orin_nano();
  spec.calibration_summary->by_power_mode.clear();  // top level says power_mode 25W
  ResourceModelStorage storage = build_resource_model(spec);
  EXPECT_TRUE(storage.model().find_mode("25W")->find_rate(Precision::fp32)->calibrated);
  EXPECT_FALSE(storage.model().find_mode("15W")->find_rate(Precision::fp32)->calibrated);
}

TEST(ResourceModel, CopiesOutliveTheOriginal) {
  std::optional<ResourceModelStorage> copy;
  {
    ResourceModelStorage original = build_resource_model(orin_nano());
    copy = original;
  }
  EXPECT_EQ(copy->model().id, "jetson_orin_nano_gpu");
  EXPECT_EQ(copy->model().modes[1].name, "25W");
  EXPECT_EQ(copy->model().modes[1].rates[0].peak_gflops, 1880.064);
}

}  // namespace
}  // namespace hwcal
