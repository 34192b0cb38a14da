// The generated headers of the kinds beyond CPU and GPU compile: the headers sync_mappers makes of
// tests/fixtures/databases/kinds (kept as golden files in tests/golden/kinds/hwcal/mappers/, which
// tests/unit/test_kinds.cpp compares with the generator's output), included here ahead of the
// bundled ones, with a few values checked by the compiler.
#include "hwcal/mappers/example_board.hpp"
#include "hwcal/mappers/example_dsp.hpp"
#include "hwcal/mappers/example_npu.hpp"
#include "hwcal/mappers/google_coral_usb_accelerator.hpp"

#ifdef NLOHMANN_JSON_VERSION_MAJOR
#error "generated mapper headers must not pull in nlohmann/json"
#endif

#include <gtest/gtest.h>

#include "hwcal/model/roofline.hpp"

namespace hwcal {
namespace {

namespace board = mappers::example_board;
namespace coral = mappers::google_coral_usb_accelerator;
namespace dsp = mappers::example_dsp;
namespace npu = mappers::example_npu;

constexpr double peak_of(const ResourceModel& model, Precision precision) {
  return model.find_mode(model.default_mode)->find_rate(precision)->peak_gflops;
}

// An accelerator: its dense int8 peak, how it attaches, what targets it; no external memory.
static_assert(coral::kModel.device_type == DeviceType::accelerator);
static_assert(peak_of(coral::kModel, Precision::int8) == 4000.0);
static_assert(coral::kModel.attachment == "usb");
static_assert(coral::kModel.typical_power_watts == 2.0);
static_assert(coral::kModel.framework_count == 4 &&
              coral::kModel.frameworks[0] == "TensorFlow Lite");
static_assert(coral::kModel.find_mode("default")->bandwidth_gbps == 0.0);

// An NPU on a SoC sharing its DRAM: a roofline is a compile-time constant.
static_assert(npu::kModel.device_type == DeviceType::npu && npu::kModel.attachment == "soc");
static_assert(npu::kModel.on_chip_memory_mib == 4.0);
static_assert(estimate(npu::kModel, 8192e9, 1.0, Precision::int8, "default", Roof::theoretical)
                  .bound == Bound::compute);

static_assert(dsp::kModel.device_type == DeviceType::dsp);
static_assert(peak_of(dsp::kModel, Precision::int16) == 512.0);

// A board: its parts point at their own models, so a mapper walks from the board to each part.
static_assert(board::kModel.device_type == DeviceType::board);
static_assert(board::kModel.part_count == 4);
static_assert(board::kModel.parts[0].model == &mappers::jetson_orin_nano_gpu::kModel);
static_assert(board::kModel.parts[2].count == 2 && board::kModel.parts[2].role == "dsp");
static_assert(board::kModel.parts[3].model->attachment == "usb");
static_assert(board::kModel.find_mode("25W") != nullptr && board::kModel.default_mode == "25W");

TEST(GeneratedKinds, EveryBoardPartHasItsModel) {
  for (std::size_t i = 0; i < board::kModel.part_count; ++i) {
    const BoardPartModel& part = board::kModel.parts[i];
    ASSERT_NE(part.model, nullptr) << part.id;
    EXPECT_EQ(part.model->id, part.id);
  }
}

}  // namespace
}  // namespace hwcal
