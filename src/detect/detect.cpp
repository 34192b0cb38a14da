#include "detect/detect.hpp"

#include "detect/detect_internal.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "base/text.hpp"

namespace fs = std::filesystem;

namespace hwcal {

const NvpModelMode* NvpModelConf::find(int id) const {
  for (const NvpModelMode& mode : modes) {
    if (mode.id == id) return &mode;
  }
  return nullptr;
}

bool BoardDetection::is_jetson() const {
  if (tegra_release.known() || tegra_release_line.known()) return true;
  if (compatible.known()) {
    for (const std::string& item : *compatible) {
      if (item.rfind("nvidia,tegra", 0) == 0) return true;
    }
  }
  return false;
}

DetectOptions detect_options_for(const fs::path& sysroot, CudaProbe cuda_probe) {
  DetectOptions options;
  options.sysroot = sysroot;
  options.cuda_probe = std::move(cuda_probe);
  std::error_code ec;
  bool machine_root = fs::equivalent(sysroot, "/", ec);
  if (!machine_root) {
    options.nvidia_smi.clear();
    options.cuda_probe = nullptr;
  }
  return options;
}

SystemInfo detect_system(const DetectOptions& options) {
  SysRoot root(options.sysroot);
  SystemInfo info;
  info.sysroot = options.sysroot.string();
  Reading<std::string> os_release = root.text("/etc/os-release");
  if (os_release.known()) {
    std::istringstream lines(*os_release);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("PRETTY_NAME=", 0) != 0) continue;
      std::string value = trim(line.substr(12));
      if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'')) {
        value = value.substr(1, value.size() - 2);
      }
      info.os = Reading<std::string>::found(value, os_release.source);
    }
    if (!info.os.known())
      info.os = Reading<std::string>::unknown(os_release.source, "no PRETTY_NAME");
  } else {
    info.os = os_release;
  }
  info.kernel = root.text("/proc/sys/kernel/osrelease");
  info.container = root.exists("/.dockerenv") || root.exists("/run/.containerenv");
  info.cpu = detect_cpu(root);
  info.memory = detect_memory(root);
  info.board = detect_board(root);
  info.gpus = detect_gpus(options, root, info.board, info.gpu_notes);
  detect_power_mode(info.board, root, info.cpu, info.gpus);
  return info;
}

std::optional<std::vector<int>> parse_cpu_list(std::string_view text) {
  std::vector<int> cpus;
  std::string value = trim(text);
  if (value.empty()) return cpus;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t comma = value.find(',', start);
    std::string item =
        value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    std::size_t dash = item.find('-');
    auto first = parse_integer(item.substr(0, dash));
    auto last = dash == std::string::npos ? first : parse_integer(item.substr(dash + 1));
    if (!first || !last || *last < *first || *first < 0) return std::nullopt;
    for (long long id = *first; id <= *last; ++id) cpus.push_back(static_cast<int>(id));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  return cpus;
}

std::string format_cpu_list(const std::vector<int>& cpus) {
  std::string text;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!text.empty()) text += ",";
    text += j == i ? std::to_string(cpus[i]) : fmt::format("{}-{}", cpus[i], cpus[j]);
    i = j + 1;
  }
  return text;
}

std::vector<std::map<std::string, std::string>> parse_cpuinfo(std::string_view text) {
  std::vector<std::map<std::string, std::string>> blocks;
  std::map<std::string, std::string> current;
  std::istringstream lines{std::string(text)};
  std::string line;
  auto flush = [&] {
    if (current.count("processor")) blocks.push_back(current);
    current.clear();
  };
  while (std::getline(lines, line)) {
    std::size_t colon = line.find(':');
    if (trim(line).empty()) {
      flush();
      continue;
    }
    if (colon == std::string::npos) continue;
    std::string key = trim(line.substr(0, colon));
    std::string value = trim(line.substr(colon + 1));
    // A new "processor" line starts a new block even without a blank line between.
    if (key == "processor" && current.count("processor")) flush();
    current[key] = value;
  }
  flush();
  return blocks;
}

NvpModelConf parse_nvpmodel_conf(std::string_view text) {
  NvpModelConf conf;
  std::istringstream lines{std::string(text)};
  std::string line;
  NvpModelMode* mode = nullptr;
  auto attribute = [](const std::string& header,
                      const std::string& key) -> std::optional<std::string> {
    std::size_t at = header.find(key + "=");
    if (at == std::string::npos) return std::nullopt;
    std::size_t begin = at + key.size() + 1;
    std::size_t end = header.find_first_of(" \t>", begin);
    return header.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  };
  while (std::getline(lines, line)) {
    std::string item = trim(line);
    if (item.empty() || item.front() == '#') continue;
    if (item.front() == '<') {
      mode = nullptr;
      std::string header = item.substr(1);
      auto words = split_whitespace(header);
      if (words.empty()) continue;
      if (words[0] == "POWER_MODEL") {
        auto id = parse_integer(attribute(header, "ID").value_or(""));
        auto name = attribute(header, "NAME");
        if (!id || !name) continue;
        conf.modes.push_back(NvpModelMode{});
        mode = &conf.modes.back();
        mode->id = static_cast<int>(*id);
        mode->name = *name;
      } else if (words[0] == "PM_CONFIG") {
        if (auto id = parse_integer(attribute(header, "DEFAULT").value_or(""))) {
          conf.default_id = static_cast<int>(*id);
        }
      }
      continue;
    }
    if (mode == nullptr) continue;  // PARAM sections
    auto words = split_whitespace(item);
    if (words.size() < 3) continue;
    const std::string& param = words[0];
    const std::string& arg = words[1];
    const std::string& value = words[2];
    mode->settings[param + " " + arg] = value;
    auto number = parse_number(value);
    if (param == "CPU_ONLINE" && number) {
      mode->online_cpus = mode->online_cpus.value_or(0) + (*number != 0 ? 1 : 0);
    } else if (arg == "MAX_FREQ" && number && *number > 0) {
      if (param.rfind("CPU_", 0) == 0 && !mode->cpu_max_mhz) {
        mode->cpu_max_mhz = *number / 1e3;  // kHz
      } else if (param == "GPU") {
        mode->gpu_max_mhz = *number / 1e6;  // Hz
      } else if (param == "EMC") {
        mode->emc_max_mhz = *number / 1e6;  // Hz
      }
    }
  }
  return conf;
}

std::optional<int> parse_nvpmodel_status(std::string_view text) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::string item = trim(line);
    if (item.rfind("pmode:", 0) == 0) {
      if (auto id = parse_integer(item.substr(6))) return static_cast<int>(*id);
    }
  }
  return std::nullopt;
}

std::string nvidia_smi_query_fields(bool with_compute_cap) {
  std::string fields =
      "index,name,uuid,pci.bus_id,driver_version,memory.total,clocks.max.sm,clocks.max.memory,"
      "clocks.sm,power.limit";
  if (with_compute_cap) fields += ",compute_cap";
  return fields;
}

std::vector<GpuDevice> parse_nvidia_smi_csv(std::string_view text, const std::string& source) {
  std::vector<GpuDevice> gpus;
  std::istringstream lines{std::string(text)};
  std::string line;
  std::vector<std::string> header;
  auto split = [](const std::string& row) {
    std::vector<std::string> cells;
    std::size_t start = 0;
    for (;;) {
      std::size_t comma = row.find(',', start);
      cells.push_back(
          trim(row.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return cells;
  };
  while (std::getline(lines, line)) {
    if (trim(line).empty()) continue;
    std::vector<std::string> cells = split(line);
    if (header.empty()) {
      for (std::string& cell : cells) {
        std::size_t unit = cell.find(" [");
        std::string name = unit == std::string::npos ? cell : cell.substr(0, unit);
        // The header names some fields by their long alias: clocks.sm is clocks.current.sm.
        if (name.rfind("clocks.current.", 0) == 0) name = "clocks." + name.substr(15);
        header.push_back(name);
      }
      continue;
    }
    GpuDevice gpu;
    gpu.source = "nvidia-smi";
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < cells.size(); ++i) row[header[i]] = cells[i];
    auto cell = [&](const std::string& name) -> std::optional<std::string> {
      auto it = row.find(name);
      if (it == row.end()) return std::nullopt;
      const std::string& value = it->second;
      if (value.empty() || value.find("N/A") != std::string::npos ||
          value.find("Not Supported") != std::string::npos ||
          value.find("Unknown") != std::string::npos) {
        return std::nullopt;
      }
      return value;
    };
    auto text_field = [&](const std::string& name, Reading<std::string>& target) {
      if (auto value = cell(name)) {
        target = Reading<std::string>::found(*value, source);
      } else {
        target = Reading<std::string>::unknown(source, row.count(name) ? "[N/A]" : "not queried");
      }
    };
    auto number_field = [&](const std::string& name, Reading<double>& target) {
      auto value = cell(name);
      // "1980" with nounits, "1980 MHz" without: the number is the first word.
      auto number = value ? parse_number(split_whitespace(*value).front()) : std::nullopt;
      if (number) {
        target = Reading<double>::found(*number, source);
      } else {
        target = Reading<double>::unknown(source, row.count(name) ? "[N/A]" : "not queried");
      }
    };
    gpu.index = static_cast<int>(
        parse_integer(cell("index").value_or("")).value_or(static_cast<long long>(gpus.size())));
    gpu.device = fmt::format("cuda:{}", gpu.index);
    text_field("name", gpu.name);
    text_field("uuid", gpu.uuid);
    text_field("pci.bus_id", gpu.pci_bus_id);
    text_field("driver_version", gpu.driver_version);
    text_field("compute_cap", gpu.compute_capability);
    number_field("clocks.max.sm", gpu.max_clock_mhz);
    number_field("clocks.max.memory", gpu.memory_clock_mhz);
    number_field("clocks.sm", gpu.current_clock_mhz);
    number_field("power.limit", gpu.power_limit_watts);
    Reading<double> mib;
    number_field("memory.total", mib);
    if (mib.known()) {
      gpu.memory_bytes =
          Reading<std::uint64_t>::found(static_cast<std::uint64_t>(*mib) * 1024u * 1024u, source);
    } else {
      gpu.memory_bytes = Reading<std::uint64_t>::unknown(mib.source, mib.problem);
    }
    const std::string why = "nvidia-smi does not report it (the CUDA runtime does)";
    gpu.multiprocessors = Reading<int>::unknown(source, why);
    gpu.memory_bus_width_bits = Reading<int>::unknown(source, why);
    gpus.push_back(gpu);
  }
  return gpus;
}

GpuDevice parse_nvidia_proc_information(std::string_view text, const std::string& source) {
  GpuDevice gpu;
  gpu.source = "/proc/driver/nvidia";
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = trim(line.substr(0, colon));
    std::string value = trim(line.substr(colon + 1));
    if (key == "Model") gpu.name = Reading<std::string>::found(value, source);
    if (key == "GPU UUID") gpu.uuid = Reading<std::string>::found(value, source);
    if (key == "Bus Location") gpu.pci_bus_id = Reading<std::string>::found(value, source);
  }
  if (!gpu.name.known()) gpu.name = Reading<std::string>::unknown(source, "no 'Model:' line");
  return gpu;
}

std::optional<std::string> parse_tegra_release(std::string_view first_line) {
  // "# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, EABI: aarch64, DATE: ..."
  std::string line = trim(first_line);
  std::size_t r = line.find('R');
  std::size_t revision = line.find("REVISION:");
  if (r == std::string::npos || revision == std::string::npos) return std::nullopt;
  std::size_t end = r + 1;
  while (end < line.size() && std::isdigit(static_cast<unsigned char>(line[end]))) ++end;
  if (end == r + 1) return std::nullopt;
  std::string major = line.substr(r + 1, end - r - 1);
  std::size_t begin = revision + 9;
  while (begin < line.size() && line[begin] == ' ') ++begin;
  std::size_t stop = line.find_first_of(", ", begin);
  std::string minor =
      line.substr(begin, stop == std::string::npos ? std::string::npos : stop - begin);
  if (minor.empty()) return std::nullopt;
  return "R" + major + "." + minor;
}

std::optional<double> parse_cache_size_kib(std::string_view text) {
  std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  double scale = 1.0 / 1024.0;  // bytes
  char unit = value.back();
  if (unit == 'K' || unit == 'k') {
    scale = 1.0;
    value.pop_back();
  } else if (unit == 'M' || unit == 'm') {
    scale = 1024.0;
    value.pop_back();
  } else if (unit == 'G' || unit == 'g') {
    scale = 1024.0 * 1024.0;
    value.pop_back();
  }
  auto number = parse_number(value);
  if (!number || *number < 0) return std::nullopt;
  return *number * scale;
}

}  // namespace hwcal
