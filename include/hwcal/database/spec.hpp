// The hardware spec (docs/schema.md): one device's datasheet peaks, how they were
// derived and where they came from, its power modes, and the calibration summary that
// export_calibration writes. Reading collects diagnostics; writing keeps the original file's
// key order, unknown fields and number spelling.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "hwcal/json/diagnostics.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/model/device_type.hpp"
#include "hwcal/model/peak_origin.hpp"
#include "hwcal/model/precision.hpp"

namespace hwcal {

inline constexpr int kSpecSchemaVersion = 1;

// The platforms an entry may name.
bool is_known_platform(std::string_view platform);

// Precision -> GFLOPS (or GIOPS); std::map keeps canonical order because the enum is in it.
using PeakTable = std::map<Precision, double>;

struct DerivationTerm {
  std::string unit;
  double units = 0;
  double ops_per_cycle_per_unit = 0;
  double clock_mhz = 0;
  double gflops() const { return units * ops_per_cycle_per_unit * clock_mhz / 1000.0; }
};

// units × ops_per_cycle_per_unit × clock_mhz / 1000, or the sum of `terms` (hybrid CPUs).
struct PeakDerivation {
  std::vector<DerivationTerm> terms;
  bool written_as_terms = false;     // which of the two JSON shapes the file uses
  std::string clock_source;          // datasheet, sysfs, measured
  std::optional<PeakOrigin> origin;  // absent: datasheet (hwcal/model/peak_origin.hpp)
  std::string note;
  Json extra;  // unknown fields (null when there are none)
  double derived_gflops() const;
};

using DerivationTable = std::map<Precision, PeakDerivation>;

struct BoardSignals {
  std::vector<std::string> device_tree_model;  // regexes against /proc/device-tree/model
  std::vector<std::string> compatible;         // exact strings, any one matches
  std::optional<std::string> compute_capability;
  std::optional<long long> cpu_cores;
  Json extra;  // unknown fields (null when there are none)
};

struct ComputeInfo {
  std::optional<long long> units;
  std::optional<std::string> unit_name;
  std::optional<long long> cores_per_unit;
  std::optional<long long> threads_per_unit;
  std::optional<double> base_clock_mhz;
  std::optional<double> max_clock_mhz;
  Json extra;  // unknown fields (null when there are none)
};

struct MemoryInfo {
  std::optional<std::string> type;
  std::optional<double> size_gb;
  std::optional<long long> bus_width_bits;
  std::optional<double> data_rate_mts;
  std::optional<long long> channels;
  Json extra;  // unknown fields (null when there are none)
};

struct CacheLevel {
  long long level = 0;
  std::string kind;  // data, instruction, unified
  double size_kib = 0;
  std::optional<long long> line_bytes;
  std::optional<long long> count;
  std::optional<std::string> scope;
  Json extra;  // unknown fields (null when there are none)
};

struct PowerMode {
  std::string name;
  std::optional<long long> nvpmodel_id;
  std::map<std::string, double> clocks_mhz;
  std::optional<long long> online_cpus;
  std::optional<double> tdp_watts;
  PeakTable theoretical_peaks;
  std::optional<double> peak_bandwidth_gbps;
  DerivationTable peak_derivation;
  Json extra;  // unknown fields (null when there are none)
};

// One part of a board (device_type "board"): an entry of the same database, by id.
struct BoardPart {
  std::string id;
  std::optional<std::string> role;  // "cpu", "gpu", "dla": a free word for people
  std::optional<long long> count;   // how many of the part the board holds; absent: 1
  Json extra;                       // unknown fields (null when there are none)
  long long instances() const { return count.value_or(1); }
};

// How an accelerator reaches its host (`attachment`): the canonical names.
bool is_known_attachment(std::string_view attachment);
std::string attachment_names();  // "soc, pcie, m2, mpcie, usb, module or cloud"

// Whether entries of this kind carry the accelerator fields (attachment required, external
// memory bandwidth optional): npu, accelerator, dsp.
bool is_accelerator_kind(DeviceType type);

struct Source {
  std::string title;
  std::optional<std::string> url;
  std::vector<std::string> covers;  // JSON pointers into the same file
  std::optional<std::string> note;
  Json extra;  // unknown fields (null when there are none)
};

struct MapperSettings {
  std::string class_name;
  Json config = Json::object();
  Json extra;  // unknown fields (null when there are none)
};

// The summary of one power mode (and, at the top level, of the default one).
struct ModeSummary {
  PeakTable measured_peaks;
  std::map<Precision, std::pair<double, double>> measured_peaks_range;
  PeakTable arithmetic_ceiling;
  PeakTable efficiency;
  std::optional<double> measured_bandwidth_gbps;
  std::optional<double> bandwidth_efficiency;
  std::optional<double> avg_efficiency;
  std::string calibration_date;  // UTC ISO 8601
  std::string power_mode;
  std::string framework;
  std::string profile_path;  // POSIX, relative to the database root's parent
  long long runs = 0;
  // How good the runs are (summary.hpp: runs_quality); null when no run recorded its conditions.
  Json quality;
  Json extra;  // unknown fields (null when there are none)
};

struct CalibrationSummary : ModeSummary {
  std::map<std::string, ModeSummary> by_power_mode;
};

struct CalibrationProfiles {
  std::string default_profile;
  std::map<std::string, std::vector<std::string>> power_modes;
  Json extra;  // unknown fields (null when there are none)
};

// A figure on both roofs of the roofline: the calibrated one (primary) and the datasheet's.
struct RoofPair {
  std::optional<double> calibrated;
  std::optional<double> theoretical;
  bool empty() const { return !calibrated && !theoretical; }
};

// What tells two workload results of one power mode apart: workload, precision, batch, device.
using WorkloadResultKey = std::tuple<std::string, Precision, long long, std::string>;

// One workload at one precision and batch in one power mode, derived by export_calibration
// from the linked runs (workload_summary.hpp says how) and re-derived by the drift check.
struct WorkloadResult {
  std::string workload;  // "resnet18"
  std::string device;    // "cpu", "cuda:0"
  Precision precision = Precision::fp32;
  long long batch = 1;
  std::string backend;               // "onednn-2.6.3"
  double latency_ms = 0;             // the median over runs of each run's median pass
  double best_latency_ms = 0;        // the fastest pass of any run
  double images_per_s = 0;           // batch / latency
  RoofPair predicted_ms;             // the roofline's time on the entry's resource model
  RoofPair stack_efficiency;         // predicted_ms / latency_ms
  std::optional<std::string> bound;  // compute or memory (calibrated roof)
  std::optional<double> energy_j_per_image;
  long long runs = 0;
  std::string calibration_date;  // the newest run's start, UTC
  Json extra;                    // unknown fields (null when there are none)
};

struct WorkloadModeSummary {
  std::vector<std::string> profiles;  // the runs, POSIX paths relative to the database's parent
  std::vector<WorkloadResult> results;
  Json extra;  // unknown fields (null when there are none)
};

// `workload_summary`: written only by export_calibration.
struct WorkloadSummary {
  std::map<std::string, WorkloadModeSummary> by_power_mode;
  Json extra;  // unknown fields (null when there are none)
};

struct HardwareSpec {
  long long schema_version = kSpecSchemaVersion;
  std::string id;
  std::string vendor;
  std::string model;
  std::string architecture;
  DeviceType device_type = DeviceType::cpu;
  std::string platform;
  PeakTable theoretical_peaks;
  // 0 only together with peak_bandwidth_unknown, on a board, or on an accelerator without
  // external memory of its own (has_external_memory() is false then).
  double peak_bandwidth_gbps = 0;
  // Why the DRAM bandwidth is not known ("a virtual machine: the memory's speed and channels are
  // hidden"); an entry gives either this or peak_bandwidth_gbps. Views then show the measured
  // bandwidth only, marked as such.
  std::optional<std::string> peak_bandwidth_unknown;

  std::optional<std::vector<std::string>> detection_patterns;
  std::optional<BoardSignals> board_signals;
  std::optional<ComputeInfo> compute;
  std::optional<MemoryInfo> memory;
  std::optional<std::vector<CacheLevel>> caches;
  std::optional<double> tdp_watts;
  // npu / accelerator / dsp (docs/schema.md, "Accelerators, NPUs and DSPs"): how the device
  // attaches, the link in words, on-chip SRAM, typical power, what targets it.
  std::optional<std::string> attachment;
  std::optional<std::string> host_interface;
  std::optional<double> on_chip_memory_mib;
  std::optional<double> typical_power_watts;
  std::optional<std::vector<std::string>> frameworks;
  // A board (device_type "board") composes other entries by id; it has no peaks of its own.
  std::optional<std::vector<BoardPart>> parts;
  DerivationTable peak_derivation;
  std::vector<PowerMode> power_modes;  // in file order
  std::optional<std::string> default_power_mode;
  std::optional<std::vector<Source>> sources;
  std::optional<MapperSettings> mapper;
  std::optional<CalibrationSummary> calibration_summary;
  std::optional<CalibrationProfiles> calibration_profiles;
  std::optional<WorkloadSummary> workload_summary;
  std::optional<std::string> notes;

  Json extra;  // unknown top-level fields, in document order (null when there are none)

  // "nvidia" for "NVIDIA", "ampere" for "Ampere Computing": the vendor folder's name.
  std::string vendor_slug() const;
  bool is_board() const { return device_type == DeviceType::board; }
  // An accelerator that names neither peak_bandwidth_gbps nor peak_bandwidth_unknown has no
  // external memory of its own (its views say "none (on-chip only)"); a board has none either.
  bool has_external_memory() const { return peak_bandwidth_gbps > 0 || peak_bandwidth_unknown; }
  const PowerMode* find_power_mode(std::string_view name) const;
  // The mode summaries and efficiencies refer to: default_power_mode, else "default".
  std::string default_mode_name() const;
  // A mode's peak falls back to the device's where the mode gives none. "default" or an
  // unknown name gives the device's own.
  PeakTable peaks_for_mode(std::string_view mode) const;
  std::optional<double> peak_for_mode(Precision precision, std::string_view mode) const;
  // 0 when the bandwidth is unknown (peak_bandwidth_unknown says why).
  double bandwidth_for_mode(std::string_view mode) const;
  // Where the mode's figure for `precision` came from: the mode's derivation, else the device's,
  // else datasheet.
  PeakOrigin peak_origin(Precision precision, std::string_view mode) const;
};

// The vendor slug rule, shared with add_hardware: the first word, lowercased, alphanumerics only.
std::string vendor_slug(std::string_view vendor);

// Reads a spec; problems become diagnostics against `file` and reading goes on. The result is
// usable for reporting even when diagnostics hold errors, but must not be written back then.
// Structural checks happen here (types, names, `covers` pointers that name no field);
// validate_spec adds the semantic rules.
HardwareSpec parse_spec(const Json& document, const std::string& file, Diagnostics& diagnostics);

// The same, throwing DataError with the first error.
HardwareSpec spec_from_json(const Json& document, const std::string& file);

// Writes a spec: known fields in canonical order, then unknown ones.
Json spec_to_json(const HardwareSpec& spec);
// The same, laid out like `layout` (the file being replaced): its key order and number spelling
// are kept, so loading and saving an unchanged entry is byte-identical. The layout is taken from
// the file at write time rather than kept in memory: a loaded database of 10,000 entries would
// otherwise hold 10,000 copies of its files.
Json spec_to_json(const HardwareSpec& spec, const Json& layout);

// The pieces, for other modules that store the same shapes (profiles, reports).
Json peak_table_to_json(const PeakTable& table);
PeakTable parse_peak_table(const Json& object, const std::string& file, const std::string& pointer,
                           Diagnostics& diagnostics);
Json mode_summary_to_json(const ModeSummary& summary);
// An entry's `caches`; calibration profiles describe the host's caches the same way.
std::vector<CacheLevel> parse_caches(const Json& array, const std::string& file,
                                     const std::string& pointer, Diagnostics& diagnostics);
Json caches_to_json(const std::vector<CacheLevel>& levels);
ModeSummary parse_mode_summary(const Json& object, const std::string& file,
                               const std::string& pointer, Diagnostics& diagnostics);

// An entry's workload_summary (src/summary/workload_summary.cpp): structural problems become
// diagnostics.
WorkloadSummary parse_workload_summary(const Json& object, const std::string& file,
                                       const std::string& pointer, Diagnostics& diagnostics);
Json workload_summary_to_json(const WorkloadSummary& summary);
Json workload_result_to_json(const WorkloadResult& result);

// The calibration of one power mode: by_power_mode[mode], else the summary's top level when it
// describes that mode (its power_mode, or the default mode when it names none); nullptr when the
// mode has not been calibrated.
const ModeSummary* find_mode_summary(const HardwareSpec& spec, std::string_view mode);

}  // namespace hwcal
