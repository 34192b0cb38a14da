// Rendering of SystemInfo: JSON for scripts and profiles, text for people. Unknown values are
// shown with the path that was tried and why, in both forms.
#include <fmt/format.h>

#include "detect/detect.hpp"

namespace hwcal {
namespace {

template <typename T>
Json reading_value(const Reading<T>& reading) {
  return reading.known() ? Json(*reading) : Json(nullptr);
}

Json cache_levels_to_json(const std::vector<CacheLevel>& levels) {
  Json out = Json::array();
  for (const CacheLevel& level : levels) {
    Json item = Json::object();
    item["level"] = level.level;
    item["kind"] = level.kind;
    item["size_kib"] = level.size_kib;
    if (level.line_bytes) item["line_bytes"] = *level.line_bytes;
    if (level.count) item["count"] = *level.count;
    if (level.scope) item["scope"] = *level.scope;
    out.push_back(item);
  }
  return out;
}

// Collects what could not be read while the JSON is built.
class Builder {
 public:
  template <typename T>
  void put(Json& object, const std::string& key, const std::string& field,
           const Reading<T>& reading) {
    object[key] = reading_value(reading);
    note(field, reading);
  }
  void put(Json& object, const std::string& key, const std::string& field,
           const Reading<std::vector<CacheLevel>>& reading) {
    object[key] = reading.known() ? cache_levels_to_json(*reading) : Json(nullptr);
    note(field, reading);
  }
  template <typename T>
  void note(const std::string& field, const Reading<T>& reading) {
    if (reading.known()) return;
    Json item = Json::object();
    item["field"] = field;
    item["tried"] = reading.source;
    item["why"] = reading.problem;
    unreadable_.push_back(item);
  }
  Json unreadable() const { return unreadable_; }

 private:
  Json unreadable_ = Json::array();
};

template <typename T>
std::string show(const Reading<T>& reading, const std::string& known_text) {
  if (reading.known()) return known_text;
  return fmt::format("unknown ({}: {})", reading.source, reading.problem);
}

std::string show_text(const Reading<std::string>& reading) {
  return show(reading, reading.value_or(""));
}

std::string show_mhz(const Reading<double>& reading) {
  return show(reading,
              reading.known() ? fmt::format("{:g} MHz  ({})", *reading, reading.source) : "");
}

std::string line(const std::string& label, const std::string& value) {
  return fmt::format("  {:<18}{}\n", label, value);
}

std::string gib(std::uint64_t bytes) {
  return fmt::format("{:.1f} GiB ({:.1f} GB)",
                     static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0),
                     static_cast<double>(bytes) / 1e9);
}

}  // namespace

Json system_info_to_json(const SystemInfo& info) {
  Builder builder;
  Json out = Json::object();
  out["schema_version"] = kDetectionSchemaVersion;
  out["sysroot"] = info.sysroot;
  builder.put(out, "os", "os", info.os);
  builder.put(out, "kernel", "kernel", info.kernel);
  out["container"] = info.container;
  out["virtual_machine"] = info.cpu.hypervisor;

  const CpuDetection& cpu = info.cpu;
  Json c = Json::object();
  builder.put(c, "isa", "cpu.isa", cpu.isa);
  builder.put(c, "vendor", "cpu.vendor", cpu.vendor);
  builder.put(c, "vendor_id", "cpu.vendor_id", cpu.vendor_id);
  builder.put(c, "model", "cpu.model", cpu.model);
  builder.put(c, "microarchitecture", "cpu.microarchitecture", cpu.microarchitecture);
  if (cpu.family) c["family"] = *cpu.family;
  if (cpu.model_number) c["model_number"] = *cpu.model_number;
  if (cpu.stepping) c["stepping"] = *cpu.stepping;
  if (cpu.implementer) c["implementer"] = fmt::format("0x{:02x}", *cpu.implementer);
  if (cpu.part) c["part"] = fmt::format("0x{:03x}", *cpu.part);
  if (!cpu.parts.empty()) c["parts"] = cpu.parts;
  builder.put(c, "logical_cpus", "cpu.logical_cpus", cpu.logical_cpus);
  builder.put(c, "logical_cpus_present", "cpu.logical_cpus_present", cpu.logical_cpus_present);
  builder.put(c, "physical_cores", "cpu.physical_cores", cpu.physical_cores);
  builder.put(c, "sockets", "cpu.sockets", cpu.sockets);
  c["online_cpus"] = format_cpu_list(cpu.online_cpus);
  c["one_cpu_per_core"] = format_cpu_list(cpu.one_cpu_per_core);
  if (!cpu.core_types.empty()) {
    Json types = Json::array();
    for (std::size_t i = 0; i < cpu.core_types.size(); ++i) {
      const CoreType& type = cpu.core_types[i];
      std::string prefix = fmt::format("cpu.core_types[{}].", i);
      Json item = Json::object();
      item["name"] = type.name;
      item["how"] = type.how;
      item["cpus"] = format_cpu_list(type.cpus);
      builder.put(item, "physical_cores", prefix + "physical_cores", type.physical_cores);
      builder.put(item, "max_clock_mhz", prefix + "max_clock_mhz", type.max_clock_mhz);
      builder.put(item, "base_clock_mhz", prefix + "base_clock_mhz", type.base_clock_mhz);
      item["microarchitecture"] =
          type.microarchitecture.empty() ? Json(nullptr) : Json(type.microarchitecture);
      types.push_back(item);
    }
    c["core_types"] = types;
  }
  builder.put(c, "vector_isa", "cpu.vector_isa", cpu.vector_isa);
  if (!cpu.sve_vector_length_bits.source.empty()) {
    builder.put(c, "sve_vector_length_bits", "cpu.sve_vector_length_bits",
                cpu.sve_vector_length_bits);
  }
  builder.put(c, "caches", "cpu.caches", cpu.caches);
  builder.put(c, "base_clock_mhz", "cpu.base_clock_mhz", cpu.base_clock_mhz);
  builder.put(c, "max_clock_mhz", "cpu.max_clock_mhz", cpu.max_clock_mhz);
  builder.put(c, "highest_max_clock_mhz", "cpu.highest_max_clock_mhz", cpu.highest_max_clock_mhz);
  builder.put(c, "cap_clock_mhz", "cpu.cap_clock_mhz", cpu.cap_clock_mhz);
  builder.put(c, "reported_mhz", "cpu.reported_mhz", cpu.reported_mhz);
  builder.put(c, "governor", "cpu.governor", cpu.governor);
  builder.put(c, "scaling_driver", "cpu.scaling_driver", cpu.scaling_driver);
  c["flags"] = cpu.flags;
  out["cpu"] = c;

  Json m = Json::object();
  builder.put(m, "total_bytes", "memory.total_bytes", info.memory.total_bytes);
  builder.put(m, "modules", "memory.modules", info.memory.modules);
  if (!info.memory.devices.empty()) {
    Json devices = Json::array();
    for (const MemoryDevice& device : info.memory.devices) {
      Json item = Json::object();
      item["locator"] = device.locator;
      item["size_bytes"] = device.size_bytes;
      item["type"] = device.type.empty() ? Json(nullptr) : Json(device.type);
      item["data_width_bits"] = device.data_width_bits > 0 ? Json(device.data_width_bits) : Json();
      item["speed_mts"] = device.speed_mts > 0 ? Json(device.speed_mts) : Json();
      item["configured_speed_mts"] =
          device.configured_speed_mts > 0 ? Json(device.configured_speed_mts) : Json();
      devices.push_back(item);
    }
    m["devices"] = devices;
  }
  out["memory"] = m;

  Json gpus = Json::array();
  for (const GpuDevice& gpu : info.gpus) {
    std::string prefix = fmt::format("gpus[{}].", gpu.index);
    Json g = Json::object();
    g["index"] = gpu.index;
    g["device"] = gpu.device;
    g["source"] = gpu.source;
    builder.put(g, "name", prefix + "name", gpu.name);
    builder.put(g, "compute_capability", prefix + "compute_capability", gpu.compute_capability);
    builder.put(g, "multiprocessors", prefix + "multiprocessors", gpu.multiprocessors);
    builder.put(g, "max_clock_mhz", prefix + "max_clock_mhz", gpu.max_clock_mhz);
    builder.put(g, "cap_clock_mhz", prefix + "cap_clock_mhz", gpu.cap_clock_mhz);
    builder.put(g, "current_clock_mhz", prefix + "current_clock_mhz", gpu.current_clock_mhz);
    builder.put(g, "memory_clock_mhz", prefix + "memory_clock_mhz", gpu.memory_clock_mhz);
    builder.put(g, "memory_bus_width_bits", prefix + "memory_bus_width_bits",
                gpu.memory_bus_width_bits);
    builder.put(g, "memory_bytes", prefix + "memory_bytes", gpu.memory_bytes);
    builder.put(g, "driver_version", prefix + "driver_version", gpu.driver_version);
    builder.put(g, "uuid", prefix + "uuid", gpu.uuid);
    builder.put(g, "pci_bus_id", prefix + "pci_bus_id", gpu.pci_bus_id);
    builder.put(g, "power_limit_watts", prefix + "power_limit_watts", gpu.power_limit_watts);
    gpus.push_back(g);
  }
  out["gpus"] = gpus;
  out["gpu_notes"] = info.gpu_notes;

  const BoardDetection& board = info.board;
  Json b = Json::object();
  builder.put(b, "device_tree_model", "board.device_tree_model", board.device_tree_model);
  builder.put(b, "compatible", "board.compatible", board.compatible);
  builder.put(b, "tegra_release", "board.tegra_release", board.tegra_release);
  builder.put(b, "tegra_release_line", "board.tegra_release_line", board.tegra_release_line);
  b["jetson"] = board.is_jetson();
  Json pm = Json::object();
  builder.put(pm, "name", "board.power_mode.name", board.power_mode.name);
  builder.put(pm, "id", "board.power_mode.id", board.power_mode.id);
  pm["how"] = board.power_mode.how;
  pm["checks"] = board.power_mode.checks;
  pm["available"] = board.power_mode.available;
  b["power_mode"] = pm;
  out["board"] = b;

  out["unreadable"] = builder.unreadable();
  return out;
}

std::string render_system_info(const SystemInfo& info) {
  std::string text;
  const CpuDetection& cpu = info.cpu;
  text += fmt::format("Detected{}\n", info.sysroot == "/" ? "" : " under " + info.sysroot);
  text += line("os", show_text(info.os));
  text += line("kernel", show_text(info.kernel));
  text += line("virtual machine",
               cpu.hypervisor ? "yes (/proc/cpuinfo flag 'hypervisor')" : "no sign of one");
  if (info.container) text += line("container", "yes (/.dockerenv or /run/.containerenv)");

  text += "CPU\n";
  text += line("model", cpu.model.known() ? fmt::format("{}  ({})", *cpu.model, cpu.model.source)
                                          : show_text(cpu.model));
  std::string vendor = show_text(cpu.vendor);
  if (cpu.vendor.known() && cpu.vendor_id.known() && *cpu.vendor_id != *cpu.vendor) {
    vendor += " (" + *cpu.vendor_id + ")";
  }
  text += line("vendor", vendor);
  std::string isa = show_text(cpu.isa);
  if (cpu.family) {
    isa += fmt::format(", family {:#x} model {:#x}", *cpu.family, cpu.model_number.value_or(0));
    if (cpu.stepping) isa += fmt::format(" stepping {}", *cpu.stepping);
  }
  if (cpu.implementer)
    isa +=
        fmt::format(", implementer 0x{:02x} part 0x{:03x}", *cpu.implementer, cpu.part.value_or(0));
  text += line("isa", isa);
  text += line("microarchitecture", show_text(cpu.microarchitecture));
  std::string counts = fmt::format(
      "{} physical, {} logical online ({}), {} present, {} socket(s)",
      cpu.physical_cores.known() ? std::to_string(*cpu.physical_cores) : "unknown",
      cpu.logical_cpus.known() ? std::to_string(*cpu.logical_cpus) : "unknown",
      format_cpu_list(cpu.online_cpus),
      cpu.logical_cpus_present.known() ? std::to_string(*cpu.logical_cpus_present) : "unknown",
      cpu.sockets.known() ? std::to_string(*cpu.sockets) : "unknown");
  text += line("cores", counts);
  if (!cpu.physical_cores.known()) {
    text += line("", show(cpu.physical_cores, ""));
  }
  for (const CoreType& type : cpu.core_types) {
    text += line(
        "core type",
        fmt::format(
            "{}: CPUs {}, {} cores, max {}, base {}{}  ({})", type.name, format_cpu_list(type.cpus),
            type.physical_cores.known() ? std::to_string(*type.physical_cores) : "?",
            type.max_clock_mhz.known() ? fmt::format("{:g} MHz", *type.max_clock_mhz) : "unknown",
            type.base_clock_mhz.known() ? fmt::format("{:g} MHz", *type.base_clock_mhz) : "unknown",
            type.microarchitecture.empty() ? "" : ", " + type.microarchitecture, type.how));
  }
  text += line("vector isa", show_text(cpu.vector_isa));
  if (!cpu.sve_vector_length_bits.source.empty()) {
    text += line("sve length", cpu.sve_vector_length_bits.known()
                                   ? fmt::format("{} bits  ({})", *cpu.sve_vector_length_bits,
                                                 cpu.sve_vector_length_bits.source)
                                   : show(cpu.sve_vector_length_bits, ""));
  }
  if (cpu.caches.known()) {
    for (const CacheLevel& level : *cpu.caches) {
      text += line(fmt::format("L{} {}", level.level, level.kind),
                   fmt::format("{:g} KiB x {} ({}), {} B lines", level.size_kib,
                               level.count.value_or(1), level.scope.value_or("?"),
                               level.line_bytes ? std::to_string(*level.line_bytes) : "?"));
    }
  } else {
    text += line("caches", show(cpu.caches, ""));
  }
  text += line("max clock", show_mhz(cpu.max_clock_mhz));
  if (cpu.highest_max_clock_mhz.known() && cpu.max_clock_mhz.known() &&
      *cpu.highest_max_clock_mhz != *cpu.max_clock_mhz) {
    text += line("", fmt::format("(the fastest core: {:g} MHz)", *cpu.highest_max_clock_mhz));
  }
  text += line("base clock", show_mhz(cpu.base_clock_mhz));
  text += line("clock cap now", show_mhz(cpu.cap_clock_mhz));
  text +=
      line("reported clock", cpu.reported_mhz.known()
                                 ? fmt::format("{:g} MHz  (/proc/cpuinfo 'cpu MHz': the current or "
                                               "nominal clock, not a maximum)",
                                               *cpu.reported_mhz)
                                 : show(cpu.reported_mhz, ""));
  text += line("governor", show_text(cpu.governor));
  text += line("scaling driver", show_text(cpu.scaling_driver));

  text += "Memory\n";
  text += line("total", info.memory.total_bytes.known()
                            ? fmt::format("{}  ({}, MemTotal)", gib(*info.memory.total_bytes),
                                          info.memory.total_bytes.source)
                            : show(info.memory.total_bytes, ""));
  text += line("modules", show(info.memory.modules, ""));

  text += "GPUs\n";
  if (info.gpus.empty()) text += line("", "none found");
  for (const GpuDevice& gpu : info.gpus) {
    text += fmt::format("  {} (from {})\n", gpu.device, gpu.source);
    text += line("  name", show_text(gpu.name));
    text += line("  capability", show_text(gpu.compute_capability));
    text += line("  SMs",
                 show(gpu.multiprocessors,
                      gpu.multiprocessors.known() ? std::to_string(*gpu.multiprocessors) : ""));
    text += line("  max clock", show_mhz(gpu.max_clock_mhz));
    if (gpu.cap_clock_mhz.known() || gpu.source == "tegra devfreq") {
      text += line("  clock cap now", show_mhz(gpu.cap_clock_mhz));
    }
    text += line("  memory",
                 show(gpu.memory_bytes, gpu.memory_bytes.known() ? gib(*gpu.memory_bytes) : ""));
    text += line("  memory clock", show_mhz(gpu.memory_clock_mhz));
    text += line("  memory bus", show(gpu.memory_bus_width_bits,
                                      gpu.memory_bus_width_bits.known()
                                          ? std::to_string(*gpu.memory_bus_width_bits) + " bits"
                                          : ""));
    text += line("  driver", show_text(gpu.driver_version));
  }
  for (const std::string& note : info.gpu_notes) text += line("", "- " + note);

  const BoardDetection& board = info.board;
  text += "Board\n";
  text += line("device tree model", show_text(board.device_tree_model));
  if (board.compatible.known()) {
    std::string list;
    for (const std::string& item : *board.compatible) list += (list.empty() ? "" : ", ") + item;
    text += line("compatible", list);
  } else {
    text += line("compatible", show(board.compatible, ""));
  }
  text += line("tegra release", show_text(board.tegra_release));
  const PowerModeDetection& mode = board.power_mode;
  text += line("power mode", mode.name.known()
                                 ? fmt::format("{} (id {})", *mode.name, mode.id.value_or(-1))
                                 : show_text(mode.name));
  if (!mode.how.empty()) text += line("", mode.how);
  for (const std::string& check : mode.checks) text += line("", "check: " + check);
  if (!mode.available.empty()) {
    std::string names;
    for (const std::string& name : mode.available) names += (names.empty() ? "" : ", ") + name;
    text += line("", "modes in the conf: " + names);
  }
  return text;
}

}  // namespace hwcal
