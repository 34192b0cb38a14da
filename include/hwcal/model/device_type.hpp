// The kinds of device an entry describes. Kept apart from spec.hpp so that generated mapper
// headers can name a device type in constant expressions without pulling in nlohmann/json.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

// `board` is not a device: it composes entries of the other kinds (docs/schema.md, "Boards").
enum class DeviceType { cpu, gpu, npu, dsp, fpga, accelerator, board };

std::string_view to_string(DeviceType type);
std::optional<DeviceType> parse_device_type(std::string_view name);
std::string device_type_names();

}  // namespace hwcal
