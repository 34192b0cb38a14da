#include "hwcal/model/roofline.hpp"

#include <charconv>
#include <string>

#include "base/enum_table.hpp"
#include "hwcal/base/error.hpp"

namespace hwcal {

namespace {

constexpr EnumTable<Roof, 2> kRoofNames({"theoretical", "calibrated"});
constexpr EnumTable<Bound, 2> kBoundNames({"compute", "memory"});

}  // namespace

std::string_view to_string(Roof roof) { return kRoofNames.name(roof); }

std::optional<Roof> parse_roof(std::string_view name) { return kRoofNames.parse(name); }

std::string_view to_string(Bound bound) { return kBoundNames.name(bound); }

namespace detail {
namespace {

// The shortest text that reads back as `value` (what fmt's "{}" prints): this layer has no
// third-party dependency, so that the generated mapper headers need none.
std::string number(double value) {
  char text[32];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value);
  return ec == std::errc() ? std::string(text, end) : std::string("?");
}

std::string str(std::string_view text) { return std::string(text); }

}  // namespace

void throw_unknown_mode(const ResourceModel& model, std::string_view mode) {
  std::string names;
  for (std::size_t i = 0; i < model.mode_count; ++i) {
    names += (i == 0 ? "" : ", ") + std::string(model.modes[i].name);
  }
  throw DataError("", "",
                  str(model.id) + " has no power mode '" + str(mode) + "' (modes: " + names + ")");
}

void throw_no_rate(const ResourceModel& model, const PowerModeModel& mode, Precision precision) {
  std::string names;
  for (std::size_t i = 0; i < mode.rate_count; ++i) {
    if (mode.rates[i].calibrated_gflops() <= 0) continue;
    names += (names.empty() ? "" : ", ") + std::string(to_string(mode.rates[i].precision));
  }
  throw DataError("", "",
                  str(model.id) + " has no " + str(to_string(precision)) + " rate in power mode " +
                      str(mode.name) + " (it has: " + (names.empty() ? "none" : names) + ")");
}

void throw_no_bandwidth(const ResourceModel& model, const PowerModeModel& mode) {
  throw DataError("", "",
                  str(model.id) + " has no memory bandwidth in power mode " + str(mode.name));
}

void throw_bad_work(const ResourceModel& model, double flops, double bytes) {
  throw DataError("", "",
                  "work for " + str(model.id) + " must be non-negative numbers: flops " +
                      number(flops) + ", bytes " + number(bytes));
}

}  // namespace detail
}  // namespace hwcal
