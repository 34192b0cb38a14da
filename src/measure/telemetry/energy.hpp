// Energy of a workload's passes from a package energy counter: Linux powercap's RAPL zone
// (/sys/class/powercap/intel-rapl:0, also on AMD since Linux 5.8), read under a sysroot so tests
// use fixture trees. The counter is often root-only (since the Platypus fix) and absent in
// virtual machines: then there is no figure and the reason is recorded, never a guess. Kept
// minimal and on its own: a power module covering GPUs and Jetson rails may replace it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace hwcal {

class EnergyCounter {
 public:
  // The package zone under `sysroot`, or nullopt with why not in `reason`.
  static std::optional<EnergyCounter> open(const std::filesystem::path& sysroot,
                                           std::string& reason);
  // Joules since open(), counting one wrap of the counter between two reads.
  double joules();
  // "intel-rapl:0 (package-0)": what the record says was read.
  const std::string& name() const { return name_; }

 private:
  std::filesystem::path file_;
  std::string name_;
  double range_uj_ = 0;
  double first_uj_ = 0;
  double last_uj_ = 0;
  double wrapped_uj_ = 0;
};

}  // namespace hwcal
