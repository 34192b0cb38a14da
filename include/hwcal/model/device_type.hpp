// The kinds of device an entry describes. Kept apart from spec.hpp so that generated mapper
// headers can name a device type in constant expressions without pulling in nlohmann/json.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

enum class DeviceType { cpu, gpu, npu, dsp, fpga, accelerator };

std::string_view to_string(DeviceType type);
std::optional<DeviceType> parse_device_type(std::string_view name);
std::string device_type_names();

}  // namespace hwcal
