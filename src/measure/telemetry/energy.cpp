#include "measure/telemetry/energy.hpp"

#include <fstream>

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace hwcal {
namespace {

std::optional<double> read_number(const fs::path& file) {
  std::ifstream in(file);
  double value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

std::string read_word(const fs::path& file) {
  std::ifstream in(file);
  std::string word;
  in >> word;
  return word;
}

}  // namespace

std::optional<EnergyCounter> EnergyCounter::open(const fs::path& sysroot, std::string& reason) {
  const fs::path zone = sysroot / "sys/class/powercap/intel-rapl:0";
  const fs::path file = zone / "energy_uj";
  std::error_code ec;
  if (!fs::exists(file, ec)) {
    reason = fmt::format("{} does not exist (no RAPL powercap zone: common in virtual machines)",
                         (fs::path("/sys/class/powercap/intel-rapl:0") / "energy_uj").string());
    return std::nullopt;
  }
  auto first = read_number(file);
  if (!first) {
    reason = fmt::format(
        "/sys/class/powercap/intel-rapl:0/energy_uj cannot be read (root-only on kernels with "
        "the Platypus fix; run as root or grant read access)");
    return std::nullopt;
  }
  EnergyCounter counter;
  counter.file_ = file;
  counter.range_uj_ = read_number(zone / "max_energy_range_uj").value_or(0);
  const std::string name = read_word(zone / "name");
  counter.name_ = name.empty() ? "intel-rapl:0" : fmt::format("intel-rapl:0 ({})", name);
  counter.first_uj_ = *first;
  counter.last_uj_ = *first;
  return counter;
}

double EnergyCounter::joules() {
  if (auto now = read_number(file_)) {
    if (*now < last_uj_ && range_uj_ > 0) wrapped_uj_ += range_uj_;
    last_uj_ = *now;
  }
  return (last_uj_ + wrapped_uj_ - first_uj_) * 1e-6;
}

}  // namespace hwcal
