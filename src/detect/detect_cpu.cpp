// The CPU: /proc/cpuinfo, the cpufreq and cache folders under /sys/devices/system/cpu, CPUID
// on x86, and the microarchitecture tables.
#include "detect/detect_internal.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/process.hpp"
#include "base/text.hpp"
#include "detect/microarch.hpp"

namespace hwcal {

namespace {

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

void detect_counts(CpuDetection& cpu, const SysRoot& root, const CpuinfoFacts& facts) {
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

FreqFacts read_frequencies(CpuDetection& cpu, const SysRoot& root) {
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

void detect_core_types(CpuDetection& cpu, const SysRoot& root, const CpuinfoFacts& facts,
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

// The SVE vector length new processes get (the kernel's default; a process may ask for less).
// Left unread (no source) on a CPU without SVE.
void detect_sve_vector_length(CpuDetection& cpu, const SysRoot& root) {
  if (!has_flag(cpu.flags, "sve")) return;
  const std::string source = "/proc/sys/abi/sve_default_vector_length";
  Reading<double> bytes = root.number(source);
  if (!bytes.known()) {
    cpu.sve_vector_length_bits = Reading<int>::unknown(source, bytes.problem);
  } else if (*bytes < 16 || *bytes > 256 || static_cast<int>(*bytes) % 16 != 0) {
    cpu.sve_vector_length_bits = Reading<int>::unknown(
        source, fmt::format("not an SVE vector length in bytes: {:g}", *bytes));
  } else {
    cpu.sve_vector_length_bits = Reading<int>::found(static_cast<int>(*bytes) * 8, source);
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

void detect_caches(CpuDetection& cpu, const SysRoot& root) {
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
}  // namespace

CpuDetection detect_cpu(const SysRoot& root) {
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
  detect_sve_vector_length(cpu, root);
  detect_caches(cpu, root);
  return cpu;
}

}  // namespace hwcal
