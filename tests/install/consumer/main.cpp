// Prints roofline figures of one generated model, computed at compile time: the install test
// compares them with what summarize_database says of the same entry.
#include <cstdio>

#include "hwcal/mappers/jetson_orin_nano_gpu.hpp"
#include "hwcal/model/roofline.hpp"

namespace {

using hwcal::Precision;
using hwcal::Roof;
namespace orin = hwcal::mappers::jetson_orin_nano_gpu;

constexpr hwcal::RoofLimits kFp32Theoretical =
    hwcal::roof_limits(orin::kModel, Precision::fp32, "25W", Roof::theoretical);
constexpr hwcal::RoofLimits kFp32Calibrated =
    hwcal::roof_limits(orin::kModel, Precision::fp32, "25W", Roof::calibrated);
constexpr hwcal::RoofLimits kFp16Calibrated =
    hwcal::roof_limits(orin::kModel, Precision::fp16, "25W", Roof::calibrated);
constexpr double kIntensity = 8.0;  // operations per byte, below the fp16 ridge point
constexpr double kFp16Attainable = kFp16Calibrated.attainable_gflops(kIntensity);
static_assert(kFp16Attainable > 0, "the roofline is a compile-time constant");

}  // namespace

int main() {
  const int id_size = static_cast<int>(orin::kModel.id.size());
  const char* id = orin::kModel.id.data();
  std::printf("%.*s 25W fp32 theoretical ridge_flops_per_byte %.17g\n", id_size, id,
              kFp32Theoretical.ridge_flops_per_byte());
  std::printf("%.*s 25W fp32 calibrated ridge_flops_per_byte %.17g\n", id_size, id,
              kFp32Calibrated.ridge_flops_per_byte());
  std::printf("%.*s 25W fp16 calibrated attainable_gflops_at_%g %.17g\n", id_size, id, kIntensity,
              kFp16Attainable);
  return 0;
}
