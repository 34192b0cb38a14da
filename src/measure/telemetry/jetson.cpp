#include "measure/telemetry/jetson.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "base/process.hpp"
#include "base/sysfs.hpp"
#include "base/text.hpp"
#include "hwcal/base/error.hpp"
#include "measure/runner.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

// The integrated GPU's devfreq node: its name carries the GPU (17000000.gpu, 17000000.ga10b).
std::string find_devfreq(const SysRoot& root) {
  for (const std::string& name : root.list("/sys/class/devfreq")) {
    for (const char* marker : {"gpu", "ga10b", "gv11b", "gp10b"}) {
      if (name.find(marker) != std::string::npos) return "/sys/class/devfreq/" + name;
    }
  }
  return "";
}

void put(Json& out, Json& unavailable, const char* key, const Reading<double>& reading) {
  if (reading.known()) {
    out[key] = *reading;
  } else {
    unavailable[key] = fmt::format("{}: {}", reading.source, reading.problem);
  }
}

std::string output_of(const CommandResult& result) {
  std::string text = trim(result.out + (result.err.empty() ? "" : "\n" + result.err));
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

JetsonClocks read_jetson_clocks(const fs::path& sysroot) {
  JetsonClocks clocks;
  const SysRoot root(sysroot);
  clocks.devfreq = find_devfreq(root);
  const std::string why = "no GPU devfreq node under /sys/class/devfreq";
  if (clocks.devfreq.empty()) {
    clocks.gpu_current_mhz = Reading<double>::unknown("/sys/class/devfreq", why);
    clocks.gpu_min_mhz = clocks.gpu_current_mhz;
    clocks.gpu_max_mhz = clocks.gpu_current_mhz;
    clocks.gpu_governor = Reading<std::string>::unknown("/sys/class/devfreq", why);
  } else {
    clocks.gpu_current_mhz = root.number(clocks.devfreq + "/cur_freq", 1e-6);
    clocks.gpu_min_mhz = root.number(clocks.devfreq + "/min_freq", 1e-6);
    clocks.gpu_max_mhz = root.number(clocks.devfreq + "/max_freq", 1e-6);
    clocks.gpu_governor = root.text(clocks.devfreq + "/governor");
  }
  clocks.emc_current_mhz = root.number("/sys/kernel/debug/bpmp/debug/clk/emc/rate", 1e-6);
  clocks.emc_cap_mhz = root.number("/sys/kernel/nvpmodel_clk_cap/emc", 1e-6);
  return clocks;
}

Json jetson_clocks_to_json(const JetsonClocks& clocks) {
  Json out = Json::object();
  Json unavailable = Json::object();
  if (!clocks.devfreq.empty()) out["devfreq"] = clocks.devfreq;
  put(out, unavailable, "gpu_current_mhz", clocks.gpu_current_mhz);
  put(out, unavailable, "gpu_min_mhz", clocks.gpu_min_mhz);
  put(out, unavailable, "gpu_max_mhz", clocks.gpu_max_mhz);
  if (clocks.gpu_governor.known()) {
    out["gpu_governor"] = *clocks.gpu_governor;
  } else {
    unavailable["gpu_governor"] =
        fmt::format("{}: {}", clocks.gpu_governor.source, clocks.gpu_governor.problem);
  }
  put(out, unavailable, "emc_current_mhz", clocks.emc_current_mhz);
  put(out, unavailable, "emc_cap_mhz", clocks.emc_cap_mhz);
  if (!unavailable.empty()) out["unavailable"] = unavailable;
  return out;
}

std::vector<std::string> jetson_clock_warnings(const JetsonClocks& clocks,
                                               const NvpModelMode* mode) {
  std::vector<std::string> warnings;
  if (clocks.gpu_min_mhz.known() && clocks.gpu_max_mhz.known() &&
      *clocks.gpu_min_mhz < *clocks.gpu_max_mhz - 1) {
    warnings.push_back(fmt::format(
        "the GPU clock may float between {:.0f} and {:.0f} MHz (devfreq governor {}): run "
        "`sudo jetson_clocks` to pin it at the maximum for stable numbers",
        *clocks.gpu_min_mhz, *clocks.gpu_max_mhz, clocks.gpu_governor.value_or("unknown")));
  }
  if (mode == nullptr) return warnings;
  if (mode->gpu_max_mhz && clocks.gpu_max_mhz.known() &&
      *clocks.gpu_max_mhz < *mode->gpu_max_mhz * 0.98) {
    warnings.push_back(fmt::format(
        "the GPU clock is capped at {:.0f} MHz ({}), below power mode {}'s {:.0f} MHz",
        *clocks.gpu_max_mhz, clocks.gpu_max_mhz.source, mode->name, *mode->gpu_max_mhz));
  }
  if (mode->emc_max_mhz && clocks.emc_cap_mhz.known() &&
      *clocks.emc_cap_mhz < *mode->emc_max_mhz * 0.98) {
    warnings.push_back(fmt::format(
        "the memory (EMC) clock is capped at {:.0f} MHz ({}), below power mode {}'s {:.0f} MHz",
        *clocks.emc_cap_mhz, clocks.emc_cap_mhz.source, mode->name, *mode->emc_max_mhz));
  }
  if (mode->emc_max_mhz && clocks.emc_current_mhz.known() &&
      *clocks.emc_current_mhz < *mode->emc_max_mhz * 0.98) {
    warnings.push_back(fmt::format(
        "the memory (EMC) clock runs at {:.0f} MHz, below power mode {}'s {:.0f} MHz: bandwidth "
        "will measure low unless `sudo jetson_clocks` pins it",
        *clocks.emc_current_mhz, mode->name, *mode->emc_max_mhz));
  }
  return warnings;
}

std::optional<std::string> jetson_load_clock_warning(double highest_mhz, const NvpModelMode* mode,
                                                     const std::string& mode_name) {
  if (mode == nullptr || !mode->gpu_max_mhz || highest_mhz <= 0) return std::nullopt;
  if (highest_mhz >= *mode->gpu_max_mhz * 0.98) return std::nullopt;
  return fmt::format(
      "the GPU clock reached at most {:.0f} MHz under load, below power mode {}'s {:.0f} MHz: "
      "the GPU figures are low for this mode (run `sudo jetson_clocks`, check the temperature)",
      highest_mhz, mode_name, *mode->gpu_max_mhz);
}

// ---- power modes ------------------------------------------------------------------------------

std::optional<int> parse_nvpmodel_query(std::string_view output) {
  std::optional<int> id;
  std::istringstream lines{std::string(output)};
  std::string line;
  while (std::getline(lines, line)) {
    line = trim(line);
    if (line.empty() || !std::all_of(line.begin(), line.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c)) != 0;
        })) {
      continue;
    }
    id = std::stoi(line);
  }
  return id;
}

bool nvpmodel_wants_reboot(std::string_view output) {
  return lower(output).find("reboot") != std::string::npos;
}

std::optional<int> query_power_mode(const PowerModeSwitcher& switcher, std::string& problem) {
  CommandResult result = run_command({switcher.nvpmodel, "-q"}, switcher.timeout_s);
  if (!result.started || result.timed_out) {
    problem = fmt::format("{} -q: {}", switcher.nvpmodel, result.problem);
    return std::nullopt;
  }
  if (result.exit_code != 0) {
    problem = fmt::format("{} -q exited with {}: {}", switcher.nvpmodel, result.exit_code,
                          output_of(result));
    return std::nullopt;
  }
  auto id = parse_nvpmodel_query(result.out);
  if (!id) problem = fmt::format("{} -q: no mode id in '{}'", switcher.nvpmodel, output_of(result));
  return id;
}

SwitchResult switch_power_mode(const PowerModeSwitcher& switcher, int id) {
  SwitchResult switched;
  const std::string command = fmt::format("{} -m {}", switcher.nvpmodel, id);
  CommandResult result =
      run_command({switcher.nvpmodel, "-m", std::to_string(id)}, switcher.timeout_s);
  if (!result.started || result.timed_out) {
    switched.message = fmt::format("{}: {}", command, result.problem);
    return switched;
  }
  if (nvpmodel_wants_reboot(result.out + result.err)) {
    switched.outcome = SwitchOutcome::needs_reboot;
    switched.message = fmt::format("{}: needs a reboot ({})", command, output_of(result));
    return switched;
  }
  if (result.exit_code != 0) {
    switched.message =
        fmt::format("{} exited with {}: {}", command, result.exit_code, output_of(result));
    return switched;
  }
  std::string problem;
  auto now = query_power_mode(switcher, problem);
  if (!now) {
    switched.message = problem;
    return switched;
  }
  if (*now != id) {
    switched.message = fmt::format("after {}, nvpmodel -q reports mode {}", command, *now);
    return switched;
  }
  switched.outcome = SwitchOutcome::switched;
  if (switcher.settle_s > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(switcher.settle_s));
  }
  return switched;
}

AllModesResult for_each_power_mode(const NvpModelConf& conf, int original_id,
                                   const PowerModeSwitcher& switcher,
                                   const std::function<void(const NvpModelMode&)>& calibrate) {
  AllModesResult all;
  auto restore = [&] {
    SwitchResult back = switch_power_mode(switcher, original_id);
    all.restored = back.outcome == SwitchOutcome::switched;
    all.restore_message =
        all.restored ? fmt::format("mode {} restored", original_id)
                     : fmt::format("could not restore mode {}: {}", original_id, back.message);
  };
  for (const NvpModelMode& mode : conf.modes) {
    ModeRun run;
    run.name = mode.name;
    run.id = mode.id;
    SwitchResult switched = switch_power_mode(switcher, mode.id);
    if (switched.outcome == SwitchOutcome::needs_reboot) {
      run.status = "skipped";
      run.message = switched.message;
      // nvpmodel may have recorded the mode for the next boot: select the original again.
      SwitchResult back = switch_power_mode(switcher, original_id);
      if (back.outcome != SwitchOutcome::switched) {
        run.message += fmt::format("; re-selecting mode {} failed: {}", original_id, back.message);
      }
      all.modes.push_back(run);
      continue;
    }
    if (switched.outcome == SwitchOutcome::failed) {
      run.status = "failed";
      run.message = switched.message;
      all.modes.push_back(run);
      continue;
    }
    try {
      calibrate(mode);
      run.status = "calibrated";
    } catch (const UsageError&) {
      restore();
      throw;
    } catch (const Interrupted&) {
      restore();
      throw;
    } catch (const Error& error) {
      run.status = "failed";
      run.message = error.what();
    } catch (...) {
      restore();
      throw;
    }
    all.modes.push_back(run);
  }
  restore();
  return all;
}

}  // namespace hwcal
