// The board: device-tree model and compatible strings, DMI, the Jetson release, nvpmodel.
#include "detect/detect_internal.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "base/text.hpp"

namespace hwcal {

namespace {

Reading<std::string> first_readable_text(const SysRoot& root,
                                         const std::vector<std::string>& paths) {
  Reading<std::string> result;
  for (const std::string& path : paths) {
    result = root.text(path);
    if (result.known()) return result;
  }
  result.source = paths.front();
  return result;
}
}  // namespace

BoardDetection detect_board(const SysRoot& root) {
  BoardDetection board;
  board.device_tree_model =
      first_readable_text(root, {"/proc/device-tree/model", "/sys/firmware/devicetree/base/model"});
  for (const std::string& path : {std::string("/proc/device-tree/compatible"),
                                  std::string("/sys/firmware/devicetree/base/compatible")}) {
    std::string why;
    auto text = root.read(path, why);
    if (!text) {
      if (!board.compatible.source.empty()) continue;
      board.compatible = Reading<std::vector<std::string>>::unknown(path, why);
      continue;
    }
    std::vector<std::string> strings;
    std::string current;
    for (char c : *text) {
      if (c == '\0') {
        if (!current.empty()) strings.push_back(current);
        current.clear();
      } else {
        current += c;
      }
    }
    current = trim(current);
    if (!current.empty()) strings.push_back(current);
    board.compatible = Reading<std::vector<std::string>>::found(strings, path);
    break;
  }
  Reading<std::string> release = root.text("/etc/nv_tegra_release");
  if (release.known()) {
    std::string first_line = release->substr(0, release->find('\n'));
    board.tegra_release_line = Reading<std::string>::found(trim(first_line), release.source);
    if (auto parsed = parse_tegra_release(first_line)) {
      board.tegra_release = Reading<std::string>::found(*parsed, release.source);
    } else {
      board.tegra_release = Reading<std::string>::unknown(
          release.source, fmt::format("unexpected first line '{}'", trim(first_line)));
    }
  } else {
    board.tegra_release = Reading<std::string>::unknown(release.source, release.problem);
    board.tegra_release_line = board.tegra_release;
  }
  return board;
}

// The power mode nvpmodel has set: its status file names the id, its conf the name.
void detect_power_mode(BoardDetection& board, const SysRoot& root, const CpuDetection& cpu,
                       const std::vector<GpuDevice>& gpus) {
  PowerModeDetection& mode = board.power_mode;
  const std::string conf_path = "/etc/nvpmodel.conf";
  const std::string status_path = "/var/lib/nvpmodel/status";
  std::string conf_problem;
  auto conf_text = root.read(conf_path, conf_problem);
  std::string status_problem;
  auto status_text = root.read(status_path, status_problem);
  if (!conf_text && !status_text) {
    std::string why = conf_problem == "missing"
                          ? "missing (not a Jetson, or nvpmodel is not installed)"
                          : conf_problem;
    mode.name = Reading<std::string>::unknown(conf_path, why);
    mode.id = Reading<int>::unknown(status_path, status_problem);
    return;
  }
  NvpModelConf conf;
  if (conf_text) conf = parse_nvpmodel_conf(*conf_text);
  for (const NvpModelMode& item : conf.modes) mode.available.push_back(item.name);
  if (conf_text) mode.conf = conf;

  std::optional<int> id;
  if (status_text) {
    id = parse_nvpmodel_status(*status_text);
    if (!id) {
      mode.id = Reading<int>::unknown(status_path, "no 'pmode:NNNN' line");
    } else {
      mode.id = Reading<int>::found(*id, status_path);
      mode.how = fmt::format("{} says pmode {}", status_path, *id);
    }
  } else if (status_problem == "missing" && conf.default_id) {
    // Without a status file nvpmodel applies the conf's default at boot.
    id = conf.default_id;
    mode.id = Reading<int>::found(*id, conf_path + " (PM_CONFIG DEFAULT)");
    mode.how = fmt::format("{} is missing: nvpmodel applies {}'s PM_CONFIG DEFAULT={} at boot",
                           status_path, conf_path, *id);
  } else {
    mode.id = Reading<int>::unknown(status_path, status_problem);
  }
  if (!id) {
    mode.name = Reading<std::string>::unknown(status_path, mode.id.problem);
    return;
  }
  if (!conf_text) {
    mode.name = Reading<std::string>::unknown(
        conf_path, fmt::format("{}: cannot name mode id {}", conf_problem, *id));
    return;
  }
  const NvpModelMode* found = conf.find(*id);
  if (found == nullptr) {
    mode.name =
        Reading<std::string>::unknown(conf_path, fmt::format("no POWER_MODEL with ID={}", *id));
    return;
  }
  mode.name = Reading<std::string>::found(found->name, conf_path);
  mode.how += fmt::format("; {} names it {}", conf_path, found->name);

  // Cross-checks: the caps the mode sets against the caps the kernel reports.
  if (found->cpu_max_mhz && cpu.cap_clock_mhz.known()) {
    bool agrees = std::fabs(*found->cpu_max_mhz - *cpu.cap_clock_mhz) < 1.0;
    mode.checks.push_back(fmt::format(
        "CPU cap {} MHz in {} {} the mode's {} MHz", *cpu.cap_clock_mhz, cpu.cap_clock_mhz.source,
        agrees ? "agrees with" : "DIFFERS from", *found->cpu_max_mhz));
  }
  if (found->online_cpus && cpu.logical_cpus.known()) {
    bool agrees = *found->online_cpus == *cpu.logical_cpus;
    mode.checks.push_back(fmt::format("{} CPUs online {} the mode's {}", *cpu.logical_cpus,
                                      agrees ? "agrees with" : "DIFFERS from",
                                      *found->online_cpus));
  }
  for (const GpuDevice& gpu : gpus) {
    if (found->gpu_max_mhz && gpu.cap_clock_mhz.known()) {
      bool agrees = std::fabs(*found->gpu_max_mhz - *gpu.cap_clock_mhz) < 1.0;
      mode.checks.push_back(fmt::format(
          "GPU cap {} MHz in {} {} the mode's {} MHz", *gpu.cap_clock_mhz, gpu.cap_clock_mhz.source,
          agrees ? "agrees with" : "DIFFERS from", *found->gpu_max_mhz));
    }
  }
}

}  // namespace hwcal
