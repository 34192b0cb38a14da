#include "hwcal/model/peak_origin.hpp"

#include <array>

#include "base/enum_table.hpp"

namespace hwcal {
namespace {

constexpr EnumTable<PeakOrigin, 4> kOriginNames({"datasheet", "core_table", "cpu_flags", "user"});
constexpr std::array<std::string_view, 4> kOriginLabels = {"datasheet", "derived: core table",
                                                           "derived: CPU flags, inferred units",
                                                           "derived: given by the user"};

constexpr std::array<std::string_view, 4> kOriginShortLabels = {"datasheet", "core table",
                                                                "CPU flags (inferred)", "user"};

}  // namespace

std::string_view to_string(PeakOrigin origin) { return kOriginNames.name(origin); }

std::optional<PeakOrigin> parse_peak_origin(std::string_view name) {
  return kOriginNames.parse(name);
}

std::string peak_origin_names() { return kOriginNames.alternatives(); }

std::string_view origin_label(PeakOrigin origin) {
  return kOriginLabels[static_cast<std::size_t>(origin)];
}

std::string_view origin_short_label(PeakOrigin origin) {
  return kOriginShortLabels[static_cast<std::size_t>(origin)];
}

}  // namespace hwcal
