#include "hwcal/model/device_type.hpp"

#include <array>

namespace hwcal {
namespace {

constexpr std::array<std::string_view, 6> kDeviceTypeNames = {"cpu", "gpu",  "npu",
                                                              "dsp", "fpga", "accelerator"};

}  // namespace

std::string_view to_string(DeviceType type) {
  return kDeviceTypeNames[static_cast<std::size_t>(type)];
}

std::optional<DeviceType> parse_device_type(std::string_view name) {
  for (std::size_t i = 0; i < kDeviceTypeNames.size(); ++i) {
    if (kDeviceTypeNames[i] == name) return static_cast<DeviceType>(i);
  }
  return std::nullopt;
}

std::string device_type_names() {
  std::string names;
  for (std::string_view name : kDeviceTypeNames) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

}  // namespace hwcal
