#include "hwcal/roofline.hpp"

#include <string>

#include <fmt/format.h>

#include "hwcal/error.hpp"

namespace hwcal {

std::string_view to_string(Roof roof) {
  return roof == Roof::theoretical ? "theoretical" : "calibrated";
}

std::optional<Roof> parse_roof(std::string_view name) {
  if (name == "theoretical") return Roof::theoretical;
  if (name == "calibrated") return Roof::calibrated;
  return std::nullopt;
}

std::string_view to_string(Bound bound) { return bound == Bound::compute ? "compute" : "memory"; }

namespace detail {

void throw_unknown_mode(const ResourceModel& model, std::string_view mode) {
  std::string names;
  for (std::size_t i = 0; i < model.mode_count; ++i) {
    names += (i == 0 ? "" : ", ") + std::string(model.modes[i].name);
  }
  throw DataError("", "",
                  fmt::format("{} has no power mode '{}' (modes: {})", model.id, mode, names));
}

void throw_no_rate(const ResourceModel& model, const PowerModeModel& mode, Precision precision) {
  std::string names;
  for (std::size_t i = 0; i < mode.rate_count; ++i) {
    if (mode.rates[i].calibrated_gflops() <= 0) continue;
    names += (names.empty() ? "" : ", ") + std::string(to_string(mode.rates[i].precision));
  }
  throw DataError("", "",
                  fmt::format("{} has no {} rate in power mode {} (it has: {})", model.id,
                              to_string(precision), mode.name, names.empty() ? "none" : names));
}

void throw_no_bandwidth(const ResourceModel& model, const PowerModeModel& mode) {
  throw DataError("", "",
                  fmt::format("{} has no memory bandwidth in power mode {}", model.id, mode.name));
}

void throw_bad_work(const ResourceModel& model, double flops, double bytes) {
  throw DataError("", "",
                  fmt::format("work for {} must be non-negative numbers: flops {}, bytes {}",
                              model.id, flops, bytes));
}

}  // namespace detail
}  // namespace hwcal
