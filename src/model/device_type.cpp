#include "hwcal/model/device_type.hpp"

#include "base/enum_table.hpp"

namespace hwcal {
namespace {

constexpr EnumTable<DeviceType, 7> kDeviceTypeNames({"cpu", "gpu", "npu", "dsp", "fpga",
                                                     "accelerator", "board"});

}  // namespace

std::string_view to_string(DeviceType type) { return kDeviceTypeNames.name(type); }

std::optional<DeviceType> parse_device_type(std::string_view name) {
  return kDeviceTypeNames.parse(name);
}

std::string device_type_names() { return kDeviceTypeNames.alternatives(", "); }

}  // namespace hwcal
