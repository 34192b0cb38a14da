#include "detect/detect.hpp"

#include <fcntl.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/process.hpp"
#include "detect/microarch.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end &&
         (std::isspace(static_cast<unsigned char>(text[begin])) || text[begin] == '\0'))
    ++begin;
  while (end > begin &&
         (std::isspace(static_cast<unsigned char>(text[end - 1])) || text[end - 1] == '\0'))
    --end;
  return std::string(text.substr(begin, end - begin));
}

std::vector<std::string> split_whitespace(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(text)};
  std::string word;
  while (stream >> word) words.push_back(word);
  return words;
}

std::optional<long long> parse_integer(std::string_view text, int base = 10) {
  std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long parsed = std::strtoll(value.c_str(), &end, base);
  if (errno != 0 || end == value.c_str() || *end != '\0') return std::nullopt;
  return parsed;
}

std::optional<double> parse_number(std::string_view text) {
  std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double parsed = std::strtod(value.c_str(), &end);
  if (errno != 0 || end == value.c_str() || *end != '\0' || !std::isfinite(parsed)) {
    return std::nullopt;
  }
  return parsed;
}

// Files under a root folder, named by their path on the machine ("/proc/cpuinfo").
class Root {
 public:
  explicit Root(fs::path root) : root_(std::move(root)) {}

  // The machine itself rather than a fixture tree: only then may the processor be asked.
  bool is_this_machine() const {
    std::error_code ec;
    return fs::equivalent(root_, "/", ec);
  }

  fs::path at(const std::string& machine_path) const {
    return root_ / fs::path(machine_path).relative_path();
  }

  // The whole file, or nullopt with the reason in `why`.
  std::optional<std::string> read(const std::string& machine_path, std::string& why) const {
    int fd = ::open(at(machine_path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      why = describe(errno);
      return std::nullopt;
    }
    std::string content;
    char buffer[8192];
    for (;;) {
      ssize_t got = ::read(fd, buffer, sizeof buffer);
      if (got > 0) {
        content.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0) {
        break;
      } else if (errno != EINTR) {
        why = describe(errno);
        ::close(fd);
        return std::nullopt;
      }
    }
    ::close(fd);
    return content;
  }

  Reading<std::string> text(const std::string& machine_path) const {
    std::string why;
    auto content = read(machine_path, why);
    if (!content) return Reading<std::string>::unknown(machine_path, why);
    std::string value = trim(*content);
    if (value.empty()) return Reading<std::string>::unknown(machine_path, "empty");
    return Reading<std::string>::found(value, machine_path);
  }

  // A number in a file; `scale` converts its unit (kHz -> MHz: 1e-3).
  Reading<double> number(const std::string& machine_path, double scale = 1.0) const {
    Reading<std::string> raw = text(machine_path);
    if (!raw.known()) return Reading<double>::unknown(raw.source, raw.problem);
    auto value = parse_number(*raw);
    if (!value) {
      return Reading<double>::unknown(machine_path, fmt::format("not a number: '{}'", *raw));
    }
    return Reading<double>::found(*value * scale, machine_path);
  }

  bool exists(const std::string& machine_path) const {
    std::error_code ec;
    return fs::exists(at(machine_path), ec);
  }

  // Entry names in a folder, sorted; empty when it cannot be listed.
  std::vector<std::string> list(const std::string& machine_path) const {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(at(machine_path), ec), end; !ec && it != end; it.increment(ec)) {
      names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  static std::string describe(int error) {
    switch (error) {
      case ENOENT: return "missing";
      case ENOTDIR: return "missing";
      case EACCES:
      case EPERM: return "permission denied (needs root)";
      default: return std::strerror(error);
    }
  }

  fs::path root_;
};

std::string cpu_path(int cpu, const std::string& rest) {
  return fmt::format("/sys/devices/system/cpu/cpu{}/{}", cpu, rest);
}

// The most common value (the lowest of equally common ones): the per-core maximum that most
// cores share, rather than the one or two favoured cores of Turbo Boost Max 3.0.
double most_common(const std::vector<double>& values) {
  std::map<double, int> counts;
  for (double value : values) ++counts[value];
  double best = values.front();
  int best_count = 0;
  for (const auto& [value, count] : counts) {
    if (count > best_count) {
      best = value;
      best_count = count;
    }
  }
  return best;
}

bool has_flag(const std::vector<std::string>& flags, std::string_view flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// ---- CPU ------------------------------------------------------------------------------------

struct CpuinfoFacts {
  std::vector<std::map<std::string, std::string>> blocks;
  std::map<int, std::size_t> block_of_cpu;  // processor number -> block
};

std::string field(const std::map<std::string, std::string>& block, const std::string& key) {
  auto found = block.find(key);
  return found == block.end() ? "" : found->second;
}

void detect_isa_and_model(CpuDetection& cpu, const CpuinfoFacts& facts, const std::string& source) {
  const auto& first = facts.blocks.front();
  if (first.count("vendor_id") || first.count("flags")) {
    cpu.isa = Reading<std::string>::found("x86_64", source);
    std::string vendor_id = field(first, "vendor_id");
    if (!vendor_id.empty()) {
      cpu.vendor_id = Reading<std::string>::found(vendor_id, source);
      cpu.vendor = Reading<std::string>::found(x86_vendor_name(vendor_id), source);
    } else {
      cpu.vendor_id = cpu.vendor = Reading<std::string>::unknown(source, "no vendor_id line");
    }
    std::string model = field(first, "model name");
    cpu.model = model.empty() ? Reading<std::string>::unknown(source, "no 'model name' line")
                              : Reading<std::string>::found(model, source);
    if (auto value = parse_integer(field(first, "cpu family")))
      cpu.family = static_cast<int>(*value);
    if (auto value = parse_integer(field(first, "model")))
      cpu.model_number = static_cast<int>(*value);
    if (auto value = parse_integer(field(first, "stepping")))
      cpu.stepping = static_cast<int>(*value);
    cpu.flags = split_whitespace(field(first, "flags"));
    if (auto mhz = parse_number(field(first, "cpu MHz"))) {
      cpu.reported_mhz = Reading<double>::found(*mhz, source);
    } else {
      cpu.reported_mhz = Reading<double>::unknown(source, "no 'cpu MHz' line");
    }
    cpu.hypervisor = has_flag(cpu.flags, "hypervisor");
    return;
  }
  if (first.count("CPU implementer") || first.count("Features")) {
    cpu.isa = Reading<std::string>::found("aarch64", source);
    cpu.reported_mhz = Reading<double>::unknown(source, "aarch64 /proc/cpuinfo has no clock");
    cpu.flags = split_whitespace(field(first, "Features"));
    std::vector<std::string> names;
    for (const auto& block : facts.blocks) {
      auto implementer = parse_integer(field(block, "CPU implementer"), 16);
      auto part = parse_integer(field(block, "CPU part"), 16);
      if (!implementer || !part) continue;
      if (!cpu.implementer) {
        cpu.implementer = static_cast<int>(*implementer);
        cpu.part = static_cast<int>(*part);
      }
      std::string name = arm_part_name(static_cast<int>(*implementer), static_cast<int>(*part));
      if (name.empty()) name = fmt::format("0x{:02x}/0x{:03x}", *implementer, *part);
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
    if (!cpu.implementer) {
      cpu.vendor = cpu.vendor_id = cpu.model =
          Reading<std::string>::unknown(source, "no 'CPU implementer' / 'CPU part' lines");
      return;
    }
    cpu.parts = names;
    std::string implementer_id = fmt::format("0x{:02x}", *cpu.implementer);
    cpu.vendor_id = Reading<std::string>::found(implementer_id, source);
    std::string implementer_name = arm_implementer_name(*cpu.implementer);
    cpu.vendor =
        implementer_name.empty()
            ? Reading<std::string>::unknown(
                  source, fmt::format("implementer {} is not in hwcal's table", implementer_id))
            : Reading<std::string>::found(implementer_name, source);
    std::string model;
    for (const std::string& name : names) model += (model.empty() ? "" : " + ") + name;
    cpu.model = Reading<std::string>::found(model, source + " (CPU implementer and part)");
    return;
  }
  cpu.isa = cpu.vendor = cpu.vendor_id = cpu.model =
      Reading<std::string>::unknown(source, "neither an x86 nor an aarch64 layout");
}

void detect_counts(CpuDetection& cpu, const Root& root, const CpuinfoFacts& facts) {
  const std::string cpuinfo = "/proc/cpuinfo";
  Reading<std::string> online = root.text("/sys/devices/system/cpu/online");
  if (online.known()) {
    if (auto list = parse_cpu_list(*online)) cpu.online_cpus = *list;
  }
  std::string count_source = online.source;
  if (cpu.online_cpus.empty() && !facts.block_of_cpu.empty()) {
    for (const auto& [id, block] : facts.block_of_cpu) cpu.online_cpus.push_back(id);
    count_source = cpuinfo;
  }
  if (cpu.online_cpus.empty()) {
    cpu.logical_cpus = Reading<int>::unknown(online.source, online.problem);
  } else {
    cpu.logical_cpus = Reading<int>::found(static_cast<int>(cpu.online_cpus.size()), count_source);
  }
  Reading<std::string> present = root.text("/sys/devices/system/cpu/present");
  if (present.known()) {
    if (auto list = parse_cpu_list(*present)) {
      cpu.logical_cpus_present =
          Reading<int>::found(static_cast<int>(list->size()), present.source);
    } else {
      cpu.logical_cpus_present =
          Reading<int>::unknown(present.source, fmt::format("not a CPU list: '{}'", *present));
    }
  } else {
    cpu.logical_cpus_present = Reading<int>::unknown(present.source, present.problem);
  }

  // Cores: distinct sets of thread siblings; sockets: distinct package ids.
  std::set<std::vector<int>> cores;
  std::set<long long> packages;
  std::string missing_source;
  std::string missing_problem;
  for (int id : cpu.online_cpus) {
    Reading<std::string> siblings = root.text(cpu_path(id, "topology/thread_siblings_list"));
    if (!siblings.known()) siblings = root.text(cpu_path(id, "topology/core_cpus_list"));
    auto list = siblings.known() ? parse_cpu_list(*siblings) : std::nullopt;
    if (!list) {
      missing_source = siblings.source;
      missing_problem = siblings.known() ? "not a CPU list" : siblings.problem;
      cores.clear();
      break;
    }
    cores.insert(*list);
    Reading<double> package = root.number(cpu_path(id, "topology/physical_package_id"));
    if (package.known()) packages.insert(static_cast<long long>(*package));
  }
  std::string topology_source = cpu_path(cpu.online_cpus.empty() ? 0 : cpu.online_cpus.front(),
                                         "topology/thread_siblings_list");
  if (!cores.empty()) {
    cpu.physical_cores = Reading<int>::found(static_cast<int>(cores.size()), topology_source);
    for (const auto& set : cores) {
      // The first sibling that is online (siblings lists may name offline CPUs).
      for (int id : set) {
        if (std::find(cpu.online_cpus.begin(), cpu.online_cpus.end(), id) !=
            cpu.online_cpus.end()) {
          cpu.one_cpu_per_core.push_back(id);
          break;
        }
      }
    }
    std::sort(cpu.one_cpu_per_core.begin(), cpu.one_cpu_per_core.end());
  } else {
    // x86 /proc/cpuinfo names each processor's physical id and core id.
    std::set<std::pair<std::string, std::string>> pairs;
    std::map<std::pair<std::string, std::string>, int> first_cpu;
    for (const auto& [id, index] : facts.block_of_cpu) {
      const auto& block = facts.blocks[index];
      std::string core = field(block, "core id");
      if (core.empty()) {
        pairs.clear();
        break;
      }
      auto key = std::make_pair(field(block, "physical id"), core);
      if (pairs.insert(key).second) first_cpu[key] = id;
    }
    if (!pairs.empty()) {
      cpu.physical_cores = Reading<int>::found(static_cast<int>(pairs.size()),
                                               "/proc/cpuinfo (physical id, core id)");
      for (const auto& [key, id] : first_cpu) cpu.one_cpu_per_core.push_back(id);
      std::sort(cpu.one_cpu_per_core.begin(), cpu.one_cpu_per_core.end());
    } else {
      cpu.physical_cores =
          Reading<int>::unknown(missing_source.empty() ? topology_source : missing_source,
                                missing_problem.empty() ? "missing" : missing_problem);
    }
  }
  if (!packages.empty()) {
    cpu.sockets =
        Reading<int>::found(static_cast<int>(packages.size()),
                            cpu_path(cpu.online_cpus.front(), "topology/physical_package_id"));
  } else {
    std::set<std::string> ids;
    for (const auto& block : facts.blocks) {
      std::string id = field(block, "physical id");
      if (!id.empty()) ids.insert(id);
    }
    if (!ids.empty()) {
      cpu.sockets =
          Reading<int>::found(static_cast<int>(ids.size()), "/proc/cpuinfo (physical id)");
    } else {
      cpu.sockets =
          Reading<int>::unknown(cpu_path(cpu.online_cpus.empty() ? 0 : cpu.online_cpus.front(),
                                         "topology/physical_package_id"),
                                "missing");
    }
  }
}

struct FreqFacts {
  std::map<int, double> max_mhz;  // per online CPU
  std::map<int, double> base_mhz;
  std::map<int, double> cap_mhz;
  std::string max_problem;
  std::string base_source;
};

FreqFacts read_frequencies(CpuDetection& cpu, const Root& root) {
  FreqFacts facts;
  for (int id : cpu.online_cpus) {
    Reading<double> max = root.number(cpu_path(id, "cpufreq/cpuinfo_max_freq"), 1e-3);
    if (max.known()) {
      facts.max_mhz[id] = *max;
    } else if (facts.max_problem.empty()) {
      facts.max_problem = max.problem;
    }
    Reading<double> cap = root.number(cpu_path(id, "cpufreq/scaling_max_freq"), 1e-3);
    if (cap.known()) facts.cap_mhz[id] = *cap;
    // Base clock: intel_pstate's base_frequency, amd-pstate's nominal, else ACPI CPPC's.
    Reading<double> base = root.number(cpu_path(id, "cpufreq/base_frequency"), 1e-3);
    if (!base.known()) base = root.number(cpu_path(id, "cpufreq/amd_pstate_nominal_freq"), 1e-3);
    if (!base.known()) base = root.number(cpu_path(id, "acpi_cppc/nominal_freq"));
    if (base.known()) {
      facts.base_mhz[id] = *base;
      if (facts.base_source.empty()) facts.base_source = base.source;
    }
  }
  const int first = cpu.online_cpus.empty() ? 0 : cpu.online_cpus.front();
  auto values = [](const std::map<int, double>& map) {
    std::vector<double> list;
    for (const auto& [id, value] : map) list.push_back(value);
    return list;
  };
  std::string max_source = cpu_path(first, "cpufreq/cpuinfo_max_freq");
  if (!facts.max_mhz.empty()) {
    std::vector<double> list = values(facts.max_mhz);
    cpu.max_clock_mhz = Reading<double>::found(most_common(list), max_source);
    cpu.highest_max_clock_mhz =
        Reading<double>::found(*std::max_element(list.begin(), list.end()), max_source);
  } else {
    std::string why = facts.max_problem.empty() ? "missing" : facts.max_problem;
    if (why == "missing") why = "missing: no cpufreq (virtual machines usually have none)";
    cpu.max_clock_mhz = Reading<double>::unknown(max_source, why);
    cpu.highest_max_clock_mhz = Reading<double>::unknown(max_source, why);
  }
  if (!facts.base_mhz.empty()) {
    cpu.base_clock_mhz =
        Reading<double>::found(most_common(values(facts.base_mhz)), facts.base_source);
  } else {
    cpu.base_clock_mhz = Reading<double>::unknown(
        cpu_path(first, "cpufreq/base_frequency"),
        "missing (also tried amd_pstate_nominal_freq and acpi_cppc/nominal_freq)");
  }
  std::string cap_source = cpu_path(first, "cpufreq/scaling_max_freq");
  if (!facts.cap_mhz.empty()) {
    cpu.cap_clock_mhz = Reading<double>::found(most_common(values(facts.cap_mhz)), cap_source);
  } else {
    cpu.cap_clock_mhz = Reading<double>::unknown(cap_source, "missing");
  }
  cpu.governor = root.text(cpu_path(first, "cpufreq/scaling_governor"));
  cpu.scaling_driver = root.text(cpu_path(first, "cpufreq/scaling_driver"));
  return facts;
}

void detect_core_types(CpuDetection& cpu, const Root& root, const CpuinfoFacts& facts,
                       const FreqFacts& freq) {
  std::vector<CoreType> types;
  if (cpu.isa.known() && *cpu.isa == "x86_64") {
    for (const auto& [kind, name] : {std::pair<std::string, std::string>{"cpu_core", "P-core"},
                                     std::pair<std::string, std::string>{"cpu_atom", "E-core"}}) {
      std::string path = "/sys/devices/" + kind + "/cpus";
      Reading<std::string> list = root.text(path);
      if (!list.known()) continue;
      auto cpus = parse_cpu_list(*list);
      if (!cpus) continue;
      CoreType type;
      type.name = name;
      type.how = path;
      for (int id : *cpus) {
        if (std::find(cpu.online_cpus.begin(), cpu.online_cpus.end(), id) != cpu.online_cpus.end())
          type.cpus.push_back(id);
      }
      types.push_back(type);
    }
  } else if (cpu.isa.known() && *cpu.isa == "aarch64" && cpu.parts.size() > 1) {
    for (const std::string& part : cpu.parts) {
      CoreType type;
      type.name = part;
      type.how = "/proc/cpuinfo (CPU part per processor)";
      for (const auto& [id, index] : facts.block_of_cpu) {
        const auto& block = facts.blocks[index];
        auto implementer = parse_integer(field(block, "CPU implementer"), 16);
        auto part_number = parse_integer(field(block, "CPU part"), 16);
        if (!implementer || !part_number) continue;
        std::string name =
            arm_part_name(static_cast<int>(*implementer), static_cast<int>(*part_number));
        if (name.empty()) name = fmt::format("0x{:02x}/0x{:03x}", *implementer, *part_number);
        if (name == part) type.cpus.push_back(id);
      }
      types.push_back(type);
    }
  }
  if (types.size() < 2) {
    // Without a named split, differing cpu_capacity values still tell big cores from little.
    std::map<long long, std::vector<int>> by_capacity;
    for (int id : cpu.online_cpus) {
      Reading<double> capacity = root.number(cpu_path(id, "cpu_capacity"));
      if (capacity.known()) by_capacity[static_cast<long long>(*capacity)].push_back(id);
    }
    types.clear();
    if (by_capacity.size() > 1) {
      for (auto it = by_capacity.rbegin(); it != by_capacity.rend(); ++it) {
        CoreType type;
        type.name = fmt::format("capacity {}", it->first);
        type.how = "/sys/devices/system/cpu/cpu*/cpu_capacity";
        type.cpus = it->second;
        types.push_back(type);
      }
    }
  }
  if (types.size() < 2) return;

  for (CoreType& type : types) {
    std::set<std::vector<int>> cores;
    bool complete = true;
    for (int id : type.cpus) {
      auto list =
          parse_cpu_list(root.text(cpu_path(id, "topology/thread_siblings_list")).value_or(""));
      if (!list) {
        complete = false;
        break;
      }
      cores.insert(*list);
    }
    std::string topology =
        cpu_path(type.cpus.empty() ? 0 : type.cpus.front(), "topology/thread_siblings_list");
    type.physical_cores = complete && !type.cpus.empty()
                              ? Reading<int>::found(static_cast<int>(cores.size()), topology)
                              : Reading<int>::unknown(topology, "missing");
    std::vector<double> max;
    std::vector<double> base;
    for (int id : type.cpus) {
      if (auto it = freq.max_mhz.find(id); it != freq.max_mhz.end()) max.push_back(it->second);
      if (auto it = freq.base_mhz.find(id); it != freq.base_mhz.end()) base.push_back(it->second);
    }
    std::string max_source =
        cpu_path(type.cpus.empty() ? 0 : type.cpus.front(), "cpufreq/cpuinfo_max_freq");
    type.max_clock_mhz = max.empty() ? Reading<double>::unknown(max_source, "missing")
                                     : Reading<double>::found(most_common(max), max_source);
    type.base_clock_mhz =
        base.empty() ? Reading<double>::unknown(cpu_path(type.cpus.empty() ? 0 : type.cpus.front(),
                                                         "cpufreq/base_frequency"),
                                                "missing")
                     : Reading<double>::found(most_common(base), freq.base_source);
    if (cpu.isa.known() && *cpu.isa == "x86_64" && cpu.family && cpu.model_number) {
      if (auto design = x86_core_design(cpu.vendor_id.value_or(""), *cpu.family, *cpu.model_number,
                                        type.name)) {
        type.microarchitecture = std::string(design->name);
      }
    } else if (auto design = arm_core_design(type.name)) {
      type.microarchitecture = std::string(design->name);
    }
  }
  cpu.core_types = types;
}

void detect_microarchitecture(CpuDetection& cpu) {
  const std::string source = "hwcal core table (src/detect/microarch.hpp)";
  if (!cpu.isa.known()) {
    cpu.microarchitecture = Reading<std::string>::unknown(cpu.isa.source, cpu.isa.problem);
    return;
  }
  if (!cpu.core_types.empty()) {
    std::string names;
    for (const CoreType& type : cpu.core_types) {
      if (type.microarchitecture.empty()) {
        cpu.microarchitecture =
            Reading<std::string>::unknown(source, "a core type is not in the table");
        return;
      }
      names += (names.empty() ? "" : " + ") + type.microarchitecture;
    }
    cpu.microarchitecture = Reading<std::string>::found(names, source);
    return;
  }
  if (*cpu.isa == "x86_64") {
    if (cpu.family && cpu.model_number) {
      if (auto design =
              x86_core_design(cpu.vendor_id.value_or(""), *cpu.family, *cpu.model_number)) {
        cpu.microarchitecture = Reading<std::string>::found(std::string(design->name), source);
        return;
      }
    }
    cpu.microarchitecture = Reading<std::string>::unknown(
        source,
        fmt::format("{} family {:#x} model {:#x} is not in the table", cpu.vendor_id.value_or("?"),
                    cpu.family.value_or(0), cpu.model_number.value_or(0)));
    return;
  }
  if (cpu.parts.size() == 1) {
    if (auto design = arm_core_design(cpu.parts.front())) {
      cpu.microarchitecture = Reading<std::string>::found(std::string(design->name), source);
      return;
    }
    cpu.microarchitecture = Reading<std::string>::found(cpu.parts.front(), "/proc/cpuinfo");
    return;
  }
  cpu.microarchitecture = Reading<std::string>::unknown(source, "no CPU part read");
}

void detect_vector_isa(CpuDetection& cpu) {
  const auto& flags = cpu.flags;
  std::string source = "/proc/cpuinfo";
  if (flags.empty()) {
    cpu.vector_isa = Reading<std::string>::unknown(source, "no flags / Features line");
    return;
  }
  std::string isa;
  if (has_flag(flags, "avx512f")) {
    isa = "AVX-512";
  } else if (has_flag(flags, "avx2") && has_flag(flags, "fma")) {
    isa = "AVX2+FMA";
  } else if (has_flag(flags, "avx")) {
    isa = "AVX";
  } else if (has_flag(flags, "sse2")) {
    isa = "SSE2";
  } else if (has_flag(flags, "sve2")) {
    isa = "SVE2";
  } else if (has_flag(flags, "sve")) {
    isa = "SVE";
  } else if (has_flag(flags, "asimd")) {
    isa = "NEON (ASIMD)";
  }
  if (isa.empty()) {
    cpu.vector_isa = Reading<std::string>::unknown(source, "no vector extension among the flags");
  } else {
    cpu.vector_isa = Reading<std::string>::found(isa, source);
  }
}

// Cache sizes from CPUID: the deterministic cache leaf (4 on Intel, 0x8000001D on AMD), else
// AMD's older 0x80000005/6. Private levels count one instance per core, the last level one.
std::vector<CacheLevel> caches_from_cpuid(int cores) {
  std::vector<CacheLevel> levels;
#if defined(__x86_64__)
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
  auto add = [&](long long level, const char* kind, double kib, long long line, bool shared) {
    CacheLevel cache;
    cache.level = level;
    cache.kind = kind;
    cache.size_kib = kib;
    cache.line_bytes = line;
    cache.count = shared ? 1 : cores;
    cache.scope = shared ? "shared" : "per core";
    levels.push_back(cache);
  };
  __cpuid(0, eax, ebx, ecx, edx);
  const bool intel = ebx == 0x756e6547;  // "Genu"
  const unsigned deterministic_leaf = intel ? 4u : 0x8000001Du;
  if (__get_cpuid_max(deterministic_leaf & 0x80000000u, nullptr) >= deterministic_leaf) {
    for (unsigned index = 0; index < 8; ++index) {
      __cpuid_count(deterministic_leaf, index, eax, ebx, ecx, edx);
      unsigned type = eax & 31u;
      if (type == 0) break;
      long long level = (eax >> 5) & 7u;
      long long line = (ebx & 0xfffu) + 1;
      double bytes = static_cast<double>(line) * (((ebx >> 12) & 0x3ffu) + 1) *
                     (((ebx >> 22) & 0x3ffu) + 1) * (static_cast<double>(ecx) + 1);
      const char* kind = type == 1 ? "data" : type == 2 ? "instruction" : "unified";
      add(level, kind, bytes / 1024, line, level >= 3);
    }
  }
  if (levels.empty() && !intel && __get_cpuid_max(0x80000000u, nullptr) >= 0x80000006u) {
    __cpuid(0x80000005u, eax, ebx, ecx, edx);
    if ((ecx >> 24) != 0) add(1, "data", ecx >> 24, ecx & 0xffu, false);
    if ((edx >> 24) != 0) add(1, "instruction", edx >> 24, edx & 0xffu, false);
    __cpuid(0x80000006u, eax, ebx, ecx, edx);
    if ((ecx >> 16) != 0) add(2, "unified", ecx >> 16, ecx & 0xffu, false);
    if ((edx >> 18) != 0) add(3, "unified", (edx >> 18) * 512.0, edx & 0xffu, true);
  }
#else
  (void)cores;
#endif
  return levels;
}

void detect_caches(CpuDetection& cpu, const Root& root) {
  struct Instance {
    long long level;
    std::string kind;
    double size_kib;
    std::optional<long long> line;
    std::vector<int> shared;
  };
  std::map<std::tuple<long long, std::string, std::vector<int>>, Instance> instances;
  const int first = cpu.online_cpus.empty() ? 0 : cpu.online_cpus.front();
  const std::string tried = cpu_path(first, "cache");
  std::string problem;
  for (int id : cpu.online_cpus) {
    std::string dir = cpu_path(id, "cache");
    std::vector<std::string> names = root.list(dir);
    for (const std::string& name : names) {
      if (name.rfind("index", 0) != 0) continue;
      std::string base = dir + "/" + name + "/";
      Reading<double> level = root.number(base + "level");
      Reading<std::string> type = root.text(base + "type");
      Reading<std::string> size = root.text(base + "size");
      Reading<std::string> shared = root.text(base + "shared_cpu_list");
      if (!level.known() || !type.known() || !size.known() || !shared.known()) {
        problem = fmt::format("{} is incomplete", base);
        continue;
      }
      auto size_kib = parse_cache_size_kib(*size);
      auto shared_cpus = parse_cpu_list(*shared);
      if (!size_kib || !shared_cpus) {
        problem = fmt::format("{} has an unreadable size or CPU list", base);
        continue;
      }
      std::string kind = *type == "Data"          ? "data"
                         : *type == "Instruction" ? "instruction"
                                                  : "unified";
      Instance instance{static_cast<long long>(*level), kind, *size_kib, std::nullopt,
                        *shared_cpus};
      Reading<double> line = root.number(base + "coherency_line_size");
      if (line.known()) instance.line = static_cast<long long>(*line);
      instances.emplace(std::make_tuple(instance.level, kind, *shared_cpus), instance);
    }
  }
  if (instances.empty()) {
    std::string why =
        problem.empty() ? "missing (virtual machines often hide the cache topology)" : problem;
    // Virtual machines often lack sysfs cache topology but pass CPUID through; it describes
    // sizes, not sharing, and a VM may report the whole host's L3 (hundreds of MiB).
    if (root.is_this_machine() && cpu.physical_cores.known()) {
      std::vector<CacheLevel> levels = caches_from_cpuid(*cpu.physical_cores);
      if (!levels.empty()) {
        cpu.caches = Reading<std::vector<CacheLevel>>::found(
            levels, fmt::format("CPUID ({}: {})", tried, why));
        return;
      }
    }
    cpu.caches = Reading<std::vector<CacheLevel>>::unknown(tried, why);
    return;
  }

  // Sibling sets, to tell "per core" from "per cluster".
  std::map<int, std::vector<int>> siblings_of;
  for (int id : cpu.online_cpus) {
    if (auto list =
            parse_cpu_list(root.text(cpu_path(id, "topology/thread_siblings_list")).value_or(""))) {
      siblings_of[id] = *list;
    }
  }
  auto type_of = [&](int id) -> std::string {
    for (const CoreType& type : cpu.core_types) {
      if (std::find(type.cpus.begin(), type.cpus.end(), id) != type.cpus.end()) return type.name;
    }
    return "";
  };
  auto scope_of = [&](const std::vector<int>& shared) -> std::string {
    std::vector<int> online;
    for (int id : shared) {
      if (std::find(cpu.online_cpus.begin(), cpu.online_cpus.end(), id) != cpu.online_cpus.end())
        online.push_back(id);
    }
    if (online.empty()) online = shared;
    std::string type = type_of(online.front());
    for (int id : online) {
      if (type_of(id) != type) type.clear();
    }
    if (cpu.online_cpus.size() > 1 && online.size() == cpu.online_cpus.size()) {
      return cpu.sockets.known() && *cpu.sockets > 1 ? "per socket" : "shared";
    }
    std::set<std::vector<int>> cores;
    for (int id : online) {
      auto it = siblings_of.find(id);
      cores.insert(it == siblings_of.end() ? std::vector<int>{id} : it->second);
    }
    std::string unit = type.empty() ? "core" : type;
    if (cores.size() == 1) return "per " + unit;
    return fmt::format("per {} {}s", cores.size(), unit);
  };

  struct Group {
    CacheLevel level;
    int first_cpu;
  };
  std::map<std::tuple<long long, int, double, long long, std::string>, Group> groups;
  auto kind_order = [](const std::string& kind) {
    return kind == "data" ? 0 : kind == "instruction" ? 1 : 2;
  };
  for (const auto& [key, instance] : instances) {
    std::string scope = scope_of(instance.shared);
    auto group_key = std::make_tuple(instance.level, kind_order(instance.kind), instance.size_kib,
                                     instance.line.value_or(0), scope);
    auto it = groups.find(group_key);
    if (it == groups.end()) {
      CacheLevel level;
      level.level = instance.level;
      level.kind = instance.kind;
      level.size_kib = instance.size_kib;
      level.line_bytes = instance.line;
      level.count = 1;
      level.scope = scope;
      groups.emplace(group_key, Group{level, instance.shared.front()});
    } else {
      ++*it->second.level.count;
      it->second.first_cpu = std::min(it->second.first_cpu, instance.shared.front());
    }
  }
  std::vector<Group> ordered;
  for (auto& [key, group] : groups) ordered.push_back(group);
  std::stable_sort(ordered.begin(), ordered.end(), [&](const Group& a, const Group& b) {
    if (a.level.level != b.level.level) return a.level.level < b.level.level;
    if (kind_order(a.level.kind) != kind_order(b.level.kind))
      return kind_order(a.level.kind) < kind_order(b.level.kind);
    return a.first_cpu < b.first_cpu;
  });
  std::vector<CacheLevel> levels;
  for (const Group& group : ordered) levels.push_back(group.level);
  cpu.caches =
      Reading<std::vector<CacheLevel>>::found(levels, "/sys/devices/system/cpu/cpu*/cache");
}

CpuDetection detect_cpu(const Root& root) {
  CpuDetection cpu;
  const std::string source = "/proc/cpuinfo";
  std::string why;
  auto text = root.read(source, why);
  CpuinfoFacts facts;
  if (text) facts.blocks = parse_cpuinfo(*text);
  if (facts.blocks.empty()) {
    std::string problem = text ? "no processor blocks" : why;
    cpu.isa = cpu.vendor = cpu.vendor_id = cpu.model =
        Reading<std::string>::unknown(source, problem);
    cpu.reported_mhz = Reading<double>::unknown(source, problem);
  } else {
    for (std::size_t i = 0; i < facts.blocks.size(); ++i) {
      if (auto id = parse_integer(field(facts.blocks[i], "processor"))) {
        facts.block_of_cpu[static_cast<int>(*id)] = i;
      }
    }
    detect_isa_and_model(cpu, facts, source);
  }
  detect_counts(cpu, root, facts);
  FreqFacts freq = read_frequencies(cpu, root);
  detect_core_types(cpu, root, facts, freq);
  detect_microarchitecture(cpu);
  detect_vector_isa(cpu);
  detect_caches(cpu, root);
  return cpu;
}

// ---- memory ---------------------------------------------------------------------------------

MemoryDetection detect_memory(const Root& root) {
  MemoryDetection memory;
  const std::string source = "/proc/meminfo";
  std::string why;
  auto text = root.read(source, why);
  if (!text) {
    memory.total_bytes = Reading<std::uint64_t>::unknown(source, why);
  } else {
    std::istringstream lines(*text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.rfind("MemTotal:", 0) != 0) continue;
      auto words = split_whitespace(line.substr(9));
      if (!words.empty()) {
        if (auto kib = parse_integer(words[0])) {
          memory.total_bytes =
              Reading<std::uint64_t>::found(static_cast<std::uint64_t>(*kib) * 1024u, source);
        }
      }
    }
    if (!memory.total_bytes.known()) {
      memory.total_bytes = Reading<std::uint64_t>::unknown(source, "no MemTotal line");
    }
  }
  const std::string dmi = "/sys/firmware/dmi/tables/DMI";
  std::string dmi_problem;
  if (root.read(dmi, dmi_problem)) {
    dmi_problem = "hwcal does not decode the SMBIOS memory-device records";
  } else if (dmi_problem == "missing") {
    dmi_problem = "missing: no SMBIOS table (a virtual machine or a device-tree platform)";
  }
  memory.modules = Reading<std::string>::unknown(dmi, dmi_problem);
  return memory;
}

// ---- board ----------------------------------------------------------------------------------

Reading<std::string> first_readable_text(const Root& root, const std::vector<std::string>& paths) {
  Reading<std::string> result;
  for (const std::string& path : paths) {
    result = root.text(path);
    if (result.known()) return result;
  }
  result.source = paths.front();
  return result;
}

BoardDetection detect_board(const Root& root) {
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
void detect_power_mode(BoardDetection& board, const Root& root, const CpuDetection& cpu,
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

// ---- GPUs -----------------------------------------------------------------------------------

std::optional<double> hz_list_max_mhz(const std::string& text) {
  std::optional<double> best;
  for (const std::string& word : split_whitespace(text)) {
    if (auto hz = parse_number(word)) best = std::max(best.value_or(0.0), *hz / 1e6);
  }
  return best;
}

// A Jetson's integrated GPU has no PCI device; its devfreq node is how the kernel shows it.
std::optional<std::string> tegra_gpu_devfreq(const Root& root) {
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

void add_devfreq_clocks(GpuDevice& gpu, const Root& root, const std::string& dir) {
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

std::vector<GpuDevice> gpus_from_proc(const Root& root, std::vector<std::string>& notes) {
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

std::vector<GpuDevice> detect_gpus(const DetectOptions& options, const Root& root,
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

}  // namespace

// ---- public ---------------------------------------------------------------------------------

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
  Root root(options.sysroot);
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
