// Detection of this machine (docs/architecture.md, The layers): the CPU (model, cores, core types,
// ISA, caches, clocks), memory, GPUs, and a Jetson's board and power mode. Everything is read under
// a root folder (`DetectOptions::sysroot`), so fixture trees in tests/fixtures/machines/ drive the
// tests. A value that cannot be read is recorded as unknown together with the path that was
// tried and why; nothing is guessed (the predecessor's guesses are why its entries never matched
// the machines they named).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/sysfs.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/json/json_io.hpp"

namespace hwcal {

inline constexpr int kDetectionSchemaVersion = 1;

// A group of identical cores in a hybrid CPU (Intel P- and E-cores, Arm big.LITTLE).
struct CoreType {
  std::string name;  // "P-core", "E-core", or the Arm part name ("Cortex-A78AE")
  std::string how;   // where the split came from: /sys/devices/cpu_core/cpus, /proc/cpuinfo parts
  std::vector<int> cpus;          // online logical CPUs of this type
  Reading<int> physical_cores;    // online
  Reading<double> max_clock_mhz;  // most common cpuinfo_max_freq among them
  Reading<double> base_clock_mhz;
  std::string microarchitecture;  // from the core table, "" when unknown
};

struct CpuDetection {
  Reading<std::string> isa;        // x86_64 or aarch64, told by /proc/cpuinfo's layout
  Reading<std::string> vendor;     // "AMD", "Intel"; on aarch64 the implementer ("Arm")
  Reading<std::string> vendor_id;  // as reported: "AuthenticAMD", "0x41"
  // The string detection patterns are matched against: /proc/cpuinfo's "model name" on x86,
  // the part name ("Cortex-A78AE", "Neoverse-N1") on aarch64.
  Reading<std::string> model;
  Reading<std::string> microarchitecture;  // "Zen 5", "Golden Cove + Gracemont", "Cortex-A78AE"
  std::optional<int> family;               // x86 family, model number and stepping
  std::optional<int> model_number;
  std::optional<int> stepping;
  std::optional<int> implementer;  // aarch64 MIDR fields of the first online CPU
  std::optional<int> part;
  std::vector<std::string> parts;  // aarch64: every distinct part name, in CPU order

  Reading<int> logical_cpus;          // online
  Reading<int> logical_cpus_present;  // present (a Jetson in 7W takes two of six offline)
  Reading<int> physical_cores;        // online
  Reading<int> sockets;
  std::vector<int> online_cpus;
  std::vector<int> one_cpu_per_core;  // the first online CPU of each core: where to pin threads
  std::vector<CoreType> core_types;   // two or more on a hybrid CPU, else empty

  std::vector<std::string> flags;   // x86 "flags", aarch64 "Features"
  Reading<std::string> vector_isa;  // "AVX-512", "AVX2+FMA", "NEON (ASIMD)", "SVE"
  // aarch64 with SVE: the vector length new processes get, in bits
  // (/proc/sys/abi/sve_default_vector_length holds bytes); unknown elsewhere.
  Reading<int> sve_vector_length_bits;
  Reading<std::vector<CacheLevel>> caches;

  Reading<double> base_clock_mhz;         // base_frequency (intel_pstate), CPPC nominal, ...
  Reading<double> max_clock_mhz;          // hardware maximum: cpuinfo_max_freq (most common value)
  Reading<double> highest_max_clock_mhz;  // the highest cpuinfo_max_freq of any core
  Reading<double> cap_clock_mhz;          // what the clock is capped at now: scaling_max_freq
  Reading<double> reported_mhz;  // /proc/cpuinfo "cpu MHz": current or nominal, never a max
  Reading<std::string> governor;
  Reading<std::string> scaling_driver;
  bool hypervisor = false;  // the "hypervisor" flag: a virtual machine
};

// One memory device (a DIMM slot or a soldered package) as SMBIOS type 17 describes it.
struct MemoryDevice {
  std::string locator;           // "DIMM_A1"
  std::uint64_t size_bytes = 0;  // 0: the slot is empty
  int data_width_bits = 0;       // 0: unknown
  int speed_mts = 0;             // the module's rated speed; 0: unknown
  int configured_speed_mts = 0;  // what the memory controller runs it at; 0: unknown
  std::string type;              // "DDR4", "DDR5", "LPDDR5"; "" when not one hwcal names
  bool populated() const { return size_bytes > 0; }
  int effective_speed_mts() const {
    return configured_speed_mts > 0 ? configured_speed_mts : speed_mts;
  }
};

struct MemoryDetection {
  Reading<std::uint64_t>
      total_bytes;  // MemTotal: what the kernel manages, below the installed size
  // Module type, speed and channels live in the SMBIOS table (type 17 records under
  // /sys/firmware/dmi/entries), readable by root only: a summary of what was read, or why
  // nothing was.
  Reading<std::string> modules;
  std::vector<MemoryDevice> devices;  // every type 17 record read, empty slots included
};

struct GpuDevice {
  int index = 0;
  std::string device;  // "cuda:0": the name profiles and calibrate use
  std::string source;  // "cuda", "nvidia-smi", "/proc/driver/nvidia", "tegra devfreq"
  Reading<std::string> name;
  Reading<std::string> compute_capability;  // "8.7"
  Reading<int> multiprocessors;
  Reading<double> max_clock_mhz;  // SM clock, hardware maximum
  Reading<double> cap_clock_mhz;  // the current cap (Jetson devfreq max_freq)
  Reading<double> current_clock_mhz;
  Reading<double> memory_clock_mhz;  // maximum
  Reading<int> memory_bus_width_bits;
  Reading<std::uint64_t> memory_bytes;
  Reading<std::string> driver_version;
  Reading<std::string> uuid;
  Reading<std::string> pci_bus_id;
  Reading<double> power_limit_watts;
};

// One POWER_MODEL block of nvpmodel.conf.
struct NvpModelMode {
  int id = 0;
  std::string name;
  std::map<std::string, std::string> settings;  // "CPU_A78_0 MAX_FREQ" -> "1497600"
  std::optional<double> cpu_max_mhz;  // the first CPU_* MAX_FREQ (kHz); -1 (no cap) gives none
  std::optional<double> gpu_max_mhz;  // GPU MAX_FREQ (Hz)
  std::optional<double> emc_max_mhz;  // EMC MAX_FREQ (Hz)
  std::optional<int> online_cpus;     // CPU_ONLINE lines set to 1
};

struct NvpModelConf {
  std::vector<NvpModelMode> modes;  // in file order
  std::optional<int> default_id;    // PM_CONFIG DEFAULT
  const NvpModelMode* find(int id) const;
};

struct PowerModeDetection {
  Reading<std::string> name;  // nvpmodel's NAME verbatim
  Reading<int> id;
  std::string how;                     // "status pmode:0003 + /etc/nvpmodel.conf"
  std::vector<std::string> checks;     // cross-checks against the clocks actually set
  std::vector<std::string> available;  // every mode name of the conf
  std::optional<NvpModelConf> conf;    // the whole conf, when it was readable
};

struct BoardDetection {
  Reading<std::string> device_tree_model;
  Reading<std::vector<std::string>> compatible;
  Reading<std::string> tegra_release;  // "R36.4.3" from /etc/nv_tegra_release
  Reading<std::string> tegra_release_line;
  PowerModeDetection power_mode;  // nvpmodel; unknown on machines without it
  bool is_jetson() const;
};

struct SystemInfo {
  std::string sysroot;  // "/" on the machine itself
  Reading<std::string> os;
  Reading<std::string> kernel;
  bool container = false;
  CpuDetection cpu;
  MemoryDetection memory;
  std::vector<GpuDevice> gpus;
  std::vector<std::string> gpu_notes;  // how GPUs were looked for and what failed
  BoardDetection board;
};

// The CUDA runtime's view of the GPUs, injected by the caller: the measure layer's
// default_cuda_probe() (measure/gpu.hpp) in the programs, nothing in tests of a fixture tree.
// It returns nullopt when the runtime cannot be used, with the reason in `problem`.
using CudaProbe = std::function<std::optional<std::vector<GpuDevice>>(std::string& problem)>;

struct DetectOptions {
  std::filesystem::path sysroot = "/";
  // The nvidia-smi to run; "" runs none. Commands read the machine itself, not a sysroot, so
  // detection with a sysroot other than "/" runs none unless a test names one.
  std::string nvidia_smi = "nvidia-smi";
  CudaProbe cuda_probe;  // empty: the CUDA runtime is not asked
  int command_timeout_s = 20;
};

// The options for detecting the machine under `sysroot`: commands and `cuda_probe` only when it
// is "/".
DetectOptions detect_options_for(const std::filesystem::path& sysroot,
                                 CudaProbe cuda_probe = nullptr);

SystemInfo detect_system(const DetectOptions& options);

// ---- pure parsers, exposed for tests ------------------------------------------------------------

// "0-3,8,10-11" -> {0,1,2,3,8,10,11}; nullopt when malformed.
std::optional<std::vector<int>> parse_cpu_list(std::string_view text);
std::string format_cpu_list(const std::vector<int>& cpus);

// /proc/cpuinfo as one key -> value map per "processor" block (keys trimmed).
std::vector<std::map<std::string, std::string>> parse_cpuinfo(std::string_view text);

// nvpmodel.conf (POWER_MODEL and PM_CONFIG sections; PARAM sections are skipped).
NvpModelConf parse_nvpmodel_conf(std::string_view text);
// The status file nvpmodel keeps: "pmode:0003" (other lines ignored); nullopt when absent.
std::optional<int> parse_nvpmodel_status(std::string_view text);

// `nvidia-smi --query-gpu=... --format=csv,nounits` output, header line included (fields are
// found by their names, so a driver that lacks a field simply leaves it unknown).
std::vector<GpuDevice> parse_nvidia_smi_csv(std::string_view text, const std::string& source);
// The fields hwcal asks nvidia-smi for.
std::string nvidia_smi_query_fields(bool with_compute_cap);

// /proc/driver/nvidia/gpus/<bus>/information
GpuDevice parse_nvidia_proc_information(std::string_view text, const std::string& source);

// "R36 (release), REVISION: 4.3, ..." -> "R36.4.3"
std::optional<std::string> parse_tegra_release(std::string_view first_line);

// One SMBIOS type 17 (memory device) structure as /sys/firmware/dmi/entries/17-*/raw holds it:
// the formatted area, then the strings. nullopt with the reason when it is not one.
std::optional<MemoryDevice> parse_smbios_memory_device(std::string_view raw, std::string& problem);

// A cache size as sysfs writes it ("48K", "2M") in KiB.
std::optional<double> parse_cache_size_kib(std::string_view text);

// ---- rendering ----------------------------------------------------------------------------------

// {"schema_version", "sysroot", "os", ..., "cpu": {...}, ..., "unreadable": [{"field", "tried",
// "why"}]}: unknown values are null here and listed under "unreadable".
Json system_info_to_json(const SystemInfo& info);
// Human-readable, one value per line, unknown values with the path tried.
std::string render_system_info(const SystemInfo& info);

}  // namespace hwcal
