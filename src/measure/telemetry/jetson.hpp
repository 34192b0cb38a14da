// A Jetson during calibration: the GPU and memory (EMC) clocks sysfs shows against the power
// mode's caps (a board whose clocks float with load measures low unless `jetson_clocks` pins
// them), and `calibrate --all-power-modes`: switch with `nvpmodel -m ID` (root), calibrate, and
// restore the original mode, skipping modes that need a reboot. Reads go through a sysroot and the
// nvpmodel program is a parameter, so fixture trees and a fake nvpmodel drive the tests.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "detect/detect.hpp"
#include "hwcal/json/json_io.hpp"

namespace hwcal {

struct JetsonClocks {
  std::string devfreq;                // "/sys/class/devfreq/17000000.gpu", "" when none
  Reading<double> gpu_current_mhz;    // cur_freq
  Reading<double> gpu_min_mhz;        // min_freq: jetson_clocks raises it to the maximum
  Reading<double> gpu_max_mhz;        // max_freq: the cap nvpmodel set
  Reading<std::string> gpu_governor;  // nvhost_podgov scales with load
  Reading<double> emc_current_mhz;    // debugfs (root): /sys/kernel/debug/bpmp/debug/clk/emc/rate
  Reading<double> emc_cap_mhz;        // /sys/kernel/nvpmodel_clk_cap/emc
};

// The clocks as they are now, under `sysroot`.
JetsonClocks read_jetson_clocks(const std::filesystem::path& sysroot);
// {"gpu_current_mhz": .., ..., "unavailable": {"field": "path: why"}}
Json jetson_clocks_to_json(const JetsonClocks& clocks);

// Before a run: a GPU clock allowed to float below its cap, a cap below the mode's maximum,
// an EMC cap below the mode's.
std::vector<std::string> jetson_clock_warnings(const JetsonClocks& clocks,
                                               const NvpModelMode* mode);
// After a run: the highest GPU clock sampled under load, against the mode's maximum (2% slack
// for devfreq's frequency steps).
std::optional<std::string> jetson_load_clock_warning(double highest_mhz, const NvpModelMode* mode,
                                                     const std::string& mode_name);

// ---- power modes ------------------------------------------------------------------------------

struct PowerModeSwitcher {
  std::string nvpmodel = "nvpmodel";  // the program, found in PATH
  int timeout_s = 120;
  double settle_s = 2;  // clocks and online CPUs settle after a switch
};

enum class SwitchOutcome { switched, needs_reboot, failed };

struct SwitchResult {
  SwitchOutcome outcome = SwitchOutcome::failed;
  std::string message;  // nvpmodel's words when it did not switch
};

// `nvpmodel -m ID`, stdin closed so a reboot prompt is answered "no"; then `nvpmodel -q` must name
// the new mode.
SwitchResult switch_power_mode(const PowerModeSwitcher& switcher, int id);
// `nvpmodel -q`: the mode in force; nullopt with the reason.
std::optional<int> query_power_mode(const PowerModeSwitcher& switcher, std::string& problem);
// nvpmodel -q's output ("NV Power Mode: 25W\n1\n"): the id on the last line that is a number.
std::optional<int> parse_nvpmodel_query(std::string_view output);
// True when nvpmodel's output asks for a reboot to apply the mode.
bool nvpmodel_wants_reboot(std::string_view output);

struct ModeRun {
  std::string name;
  int id = 0;
  std::string status;  // calibrated, skipped, failed
  std::string message;
};

struct AllModesResult {
  std::vector<ModeRun> modes;
  bool restored = false;
  std::string restore_message;  // how the original mode was put back, or why it was not
};

// Every mode of `conf` in file order: switch, wait, `calibrate(mode)`, then the original mode
// back, also when a calibration throws (the exception is rethrown once the mode is restored;
// hwcal::Error from one mode's calibration is recorded as that mode's failure and the loop goes
// on). A mode that needs a reboot is skipped and the original re-selected at once, so the board
// does not come up in it after the next boot.
AllModesResult for_each_power_mode(const NvpModelConf& conf, int original_id,
                                   const PowerModeSwitcher& switcher,
                                   const std::function<void(const NvpModelMode&)>& calibrate);

}  // namespace hwcal
