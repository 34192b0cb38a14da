// GPUs: the CUDA probe, nvidia-smi, /proc/driver/nvidia, and the Tegra GPU's devfreq node.
#include "detect/detect_internal.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "base/process.hpp"
#include "base/text.hpp"

namespace hwcal {

namespace {

std::optional<double> hz_list_max_mhz(const std::string& text) {
  std::optional<double> best;
  for (const std::string& word : split_whitespace(text)) {
    if (auto hz = parse_number(word)) best = std::max(best.value_or(0.0), *hz / 1e6);
  }
  return best;
}

// A Jetson's integrated GPU has no PCI device; its devfreq node is how the kernel shows it.
std::optional<std::string> tegra_gpu_devfreq(const SysRoot& root) {
  for (const std::string& name : root.list("/sys/class/devfreq")) {
    if (name.find("gpu") != std::string::npos || name.find("ga10b") != std::string::npos ||
        name.find("gv11b") != std::string::npos || name.find("gp10b") != std::string::npos) {
      return "/sys/class/devfreq/" + name;
    }
  }
  for (const std::string& path :
       {std::string("/sys/devices/platform/17000000.gpu/devfreq_dev"),
        std::string("/sys/devices/17000000.ga10b/devfreq/17000000.ga10b")}) {
    if (root.exists(path + "/max_freq")) return path;
  }
  return std::nullopt;
}

void add_devfreq_clocks(GpuDevice& gpu, const SysRoot& root, const std::string& dir) {
  gpu.cap_clock_mhz = root.number(dir + "/max_freq", 1e-6);
  gpu.current_clock_mhz = root.number(dir + "/cur_freq", 1e-6);
  Reading<std::string> available = root.text(dir + "/available_frequencies");
  if (available.known()) {
    if (auto max = hz_list_max_mhz(*available)) {
      gpu.max_clock_mhz = Reading<double>::found(*max, available.source);
    }
  }
  if (!gpu.max_clock_mhz.known()) {
    gpu.max_clock_mhz = Reading<double>::unknown(
        available.source, available.known() ? "no numbers" : available.problem);
  }
}

std::vector<GpuDevice> gpus_from_nvidia_smi(const DetectOptions& options,
                                            std::vector<std::string>& notes) {
  const std::string& program = options.nvidia_smi;
  for (bool with_cap : {true, false}) {
    std::vector<std::string> argv = {program, "--query-gpu=" + nvidia_smi_query_fields(with_cap),
                                     "--format=csv,nounits"};
    CommandResult result = run_command(argv, options.command_timeout_s);
    if (!result.started || result.problem == "not found") {
      notes.push_back(
          fmt::format("{}: {}", program, result.problem.empty() ? "not found" : result.problem));
      return {};
    }
    if (result.timed_out) {
      notes.push_back(fmt::format("{}: {}", program, result.problem));
      return {};
    }
    if (result.exit_code != 0) {
      std::string message = trim(result.out + result.err);
      // Drivers older than 510 do not know compute_cap: ask again without it.
      if (with_cap && message.find("compute_cap") != std::string::npos) continue;
      notes.push_back(fmt::format("{} exited with {}: {}", program, result.exit_code, message));
      return {};
    }
    std::string source = fmt::format("{} --query-gpu", program);
    std::vector<GpuDevice> gpus = parse_nvidia_smi_csv(result.out, source);
    notes.push_back(fmt::format("{}: {} GPU{}", program, gpus.size(), gpus.size() == 1 ? "" : "s"));
    if (!with_cap) notes.push_back("this driver's nvidia-smi cannot report the compute capability");
    return gpus;
  }
  return {};
}

std::vector<GpuDevice> gpus_from_proc(const SysRoot& root, std::vector<std::string>& notes) {
  std::vector<GpuDevice> gpus;
  const std::string dir = "/proc/driver/nvidia/gpus";
  Reading<std::string> version = root.text("/proc/driver/nvidia/version");
  std::optional<std::string> driver;
  if (version.known()) {
    // "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 ..." or
    // "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.159.04  Release Build ...":
    // the first word of the first line that looks like a version number.
    std::string first_line = version->substr(0, version->find('\n'));
    std::smatch found;
    static const std::regex number("\\b\\d+\\.\\d+(\\.\\d+)?\\b");
    if (std::regex_search(first_line, found, number)) driver = found.str();
  }
  for (const std::string& bus : root.list(dir)) {
    std::string path = dir + "/" + bus + "/information";
    Reading<std::string> text = root.text(path);
    if (!text.known()) continue;
    GpuDevice gpu = parse_nvidia_proc_information(*text, path);
    gpu.index = static_cast<int>(gpus.size());
    gpu.device = fmt::format("cuda:{}", gpu.index);
    if (driver) gpu.driver_version = Reading<std::string>::found(*driver, version.source);
    if (!gpu.pci_bus_id.known()) gpu.pci_bus_id = Reading<std::string>::found(bus, dir);
    gpus.push_back(gpu);
  }
  notes.push_back(gpus.empty()
                      ? dir + ": missing (no NVIDIA kernel driver)"
                      : fmt::format("{}: {} GPU{}", dir, gpus.size(), gpus.size() == 1 ? "" : "s"));
  return gpus;
}

void fill_unknown(GpuDevice& gpu, const std::string& source, const std::string& why) {
  auto fill = [&](auto& reading) {
    if (!reading.known() && reading.source.empty()) {
      reading.source = source;
      reading.problem = why;
    }
  };
  fill(gpu.name);
  fill(gpu.compute_capability);
  fill(gpu.multiprocessors);
  fill(gpu.max_clock_mhz);
  fill(gpu.cap_clock_mhz);
  fill(gpu.current_clock_mhz);
  fill(gpu.memory_clock_mhz);
  fill(gpu.memory_bus_width_bits);
  fill(gpu.memory_bytes);
  fill(gpu.driver_version);
  fill(gpu.uuid);
  fill(gpu.pci_bus_id);
  fill(gpu.power_limit_watts);
}
}  // namespace

std::vector<GpuDevice> detect_gpus(const DetectOptions& options, const SysRoot& root,
                                   const BoardDetection& board, std::vector<std::string>& notes) {
  std::vector<GpuDevice> gpus;
  if (options.cuda_probe) {
    std::string problem;
    if (auto found = options.cuda_probe(problem)) {
      gpus = *found;
      notes.push_back(
          fmt::format("CUDA runtime: {} GPU{}", gpus.size(), gpus.size() == 1 ? "" : "s"));
    } else {
      notes.push_back("CUDA runtime: " + problem);
    }
  } else {
    notes.push_back("CUDA runtime: not used (this build has no CUDA)");
  }
  if (gpus.empty()) {
    if (!options.nvidia_smi.empty()) {
      gpus = gpus_from_nvidia_smi(options, notes);
    } else {
      notes.push_back("nvidia-smi: not run (detection under a sysroot reads files only)");
    }
  }
  if (gpus.empty()) gpus = gpus_from_proc(root, notes);

  if (board.is_jetson()) {
    if (auto devfreq = tegra_gpu_devfreq(root)) {
      if (gpus.empty()) {
        GpuDevice gpu;
        gpu.device = "cuda:0";
        gpu.source = "tegra devfreq";
        const std::string why =
            "the integrated GPU's name and capability come from the CUDA runtime";
        gpu.name = Reading<std::string>::unknown(*devfreq, why);
        gpu.compute_capability = Reading<std::string>::unknown(*devfreq, why);
        gpu.multiprocessors = Reading<int>::unknown(*devfreq, why);
        gpus.push_back(gpu);
        notes.push_back(*devfreq + ": the Jetson's integrated GPU");
      }
      add_devfreq_clocks(gpus.front(), root, *devfreq);
    } else {
      notes.push_back("/sys/class/devfreq: no GPU node on this Jetson");
    }
  }
  for (GpuDevice& gpu : gpus) {
    fill_unknown(gpu, gpu.source,
                 gpu.source == "cuda" ? "not reported by the CUDA runtime"
                                      : "not reported by " + gpu.source);
  }
  return gpus;
}

}  // namespace hwcal
