// The committed generated headers compile, stay free of nlohmann/json, and hold what the
// database says: a few values checked by the compiler.
#include "hwcal/mappers/all.hpp"

#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "generated mapper headers must not pull in nlohmann/json"
#endif

#include <gtest/gtest.h>

#include "hwcal/model/roofline.hpp"

namespace hwcal {
namespace {

namespace h100 = mappers::nvidia_h100_sxm5_80gb;
namespace orin_nano = mappers::jetson_orin_nano_gpu;

constexpr double peak_of(const ResourceModel& model, std::string_view mode, Precision precision) {
  return model.find_mode(mode)->find_rate(precision)->peak_gflops;
}

static_assert(mappers::kAllModels.size() == 71, "one model per bundled entry");
static_assert(mappers::find_model("nvidia_h100_sxm5_80gb") == &h100::kModel);
static_assert(mappers::find_model("no_such_device") == nullptr);

// H100 SXM5 fp32: 132 SMs x 256 flops x 1980 MHz; no power modes, so the mode is "default".
static_assert(h100::kModel.mode_count == 1 && h100::kModel.default_mode == "default");
static_assert(peak_of(h100::kModel, "default", Precision::fp32) == 66908.2);
static_assert(h100::kModel.find_mode("default")->bandwidth_gbps == 3350.0);
static_assert(h100::kModel.device_type == DeviceType::gpu && h100::kModel.compute_units == 132);

// Orin Nano: four nvpmodel modes, 25W the default, peaks per mode.
static_assert(orin_nano::kModel.mode_count == 4);
static_assert(orin_nano::kModel.modes[0].name == "7W" &&
              orin_nano::kModel.modes[3].name == "MAXN_SUPER");
static_assert(orin_nano::kModel.default_mode == "25W");
static_assert(peak_of(orin_nano::kModel, "25W", Precision::fp32) == 1880.1);
static_assert(peak_of(orin_nano::kModel, "MAXN_SUPER", Precision::fp16) == 16711.7);

// Xeon 6980P bf16: AMX, 128 cores x 1024 ops per cycle x 3900 MHz.
static_assert(peak_of(mappers::intel_xeon_6980p::kModel, "default", Precision::bf16) == 511180.8);

// The Jetson AGX Orin DLA: NVIDIA's sparse-only TOPS stored dense, per nvpmodel mode; on the SoC.
namespace dla = mappers::jetson_agx_orin_dla;
static_assert(dla::kModel.device_type == DeviceType::accelerator &&
              dla::kModel.attachment == "soc");
static_assert(peak_of(dla::kModel, "MAXN", Precision::int8) == 52500.0);
static_assert(peak_of(dla::kModel, "MODE_15W", Precision::int8) == 20000.0);
static_assert(dla::kModel.find_mode("MODE_30W")->clock_mhz == 1369.6);

// The developer kit is its parts: a mapper walks from the board to the CPU, GPU and DLA models.
namespace devkit = mappers::jetson_agx_orin_devkit;
static_assert(devkit::kModel.device_type == DeviceType::board && devkit::kModel.part_count == 3);
static_assert(devkit::kModel.parts[1].model == &mappers::jetson_agx_orin_gpu::kModel);
static_assert(devkit::kModel.parts[2].model == &dla::kModel);
static_assert(mappers::jetson_orin_nano_devkit::kModel.parts[1].model == &orin_nano::kModel);

// The roofline on generated data is a compile-time constant.
static_assert(estimate(orin_nano::kModel, 2.0 * 4096 * 4096 * 4096, 3.0 * 4096 * 4096 * 4,
                       Precision::fp32, "25W", Roof::theoretical)
                  .bound == Bound::compute);

TEST(GeneratedHeaders, EveryModelIsReachableThroughTheIndex) {
  for (const ResourceModel* model : mappers::kAllModels) {
    ASSERT_NE(model, nullptr);
    EXPECT_EQ(mappers::find_model(model->id), model);
    EXPECT_NE(model->find_mode(model->default_mode), nullptr) << model->id;
  }
}

}  // namespace
}  // namespace hwcal
