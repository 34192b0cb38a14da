// The calibration profile (docs/architecture.md, File formats): one calibration run of one database
// entry, immutable once written. It holds the tool and version that measured, the entry and power
// mode, UTC start and end, what was detected about the host and its GPUs, the backends, the run's
// settings and warnings, and one record per kernel, device, precision and size with every trial's
// seconds. `calibrate` writes it, `export_calibration` derives the entry's calibration summary from
// it, and `summarize_database --check` re-derives that summary. Reading collects diagnostics (file
// and JSON pointer); writing keeps unknown fields. The JSON Schema is
// hardware_database/schema/calibration_profile.schema.json.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/stats.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/database/workload.hpp"
#include "hwcal/json/diagnostics.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/model/precision.hpp"

namespace hwcal {

// 2: every measurement records its kernel's `class`. Version 1 files still load (the class then
// follows from the kernel id: classify_kernel).
inline constexpr int kProfileSchemaVersion = 2;

// A failed or unsupported kernel is recorded with its reason and the run goes on.
enum class MeasurementStatus { passed, unsupported, skipped, error };
std::string_view to_string(MeasurementStatus status);
std::optional<MeasurementStatus> parse_measurement_status(std::string_view name);

// Where a bandwidth measurement's arrays live. Only `dram` counts as memory bandwidth.
enum class Residency { l1, l2, l3, dram };
std::string_view to_string(Residency residency);
std::optional<Residency> parse_residency(std::string_view name);

// What a kernel measures. Each kernel's descriptor says so (measure/kernels.hpp) and calibrate
// records it in every measurement as `class` (profile schema 2), so summaries need neither a
// table of ids nor a naming rule.
//   gemm:      a matrix multiplication           (its best rate is the calibrated compute roof)
//   peak_fma:  a register-resident FMA loop      (the arithmetic ceiling)
//   stream:    STREAM copy/scale/add/triad        (memory bandwidth)
//   copy:      device-to-device copies            (memory bandwidth where no STREAM ran)
//   transfer:  host-device transfers              (the host link, never memory bandwidth)
//   other:     the rest (BLAS level 1 and 2, ...)
enum class KernelClass { gemm, peak_fma, stream, copy, transfer, other };
std::string_view to_string(KernelClass kind);
std::optional<KernelClass> parse_kernel_class(std::string_view name);

// The class a file without `class` implies (schema 1 and the predecessor's files), read from the
// words of the kernel id:
//   gemm:      a word `gemm` or `matmul`, or a BLAS name (sgemm, dgemm, hgemm, ...)
//   peak_fma:  a word `fma`
//   stream:    a word `stream`
//   transfer:  memcpy between host and device (`memcpy` with `h2d` or `d2h`)
//   copy:      any other `copy` or `memcpy`
//   other:     the rest (gemv, dot, ...)
KernelClass classify_kernel(std::string_view kernel_id);

// The words of an id or a name: runs of letters and digits, lowercased.
// "NVIDIA-Jetson-Orin-Nano-GPU" -> nvidia, jetson, orin, nano, gpu.
std::vector<std::string> id_words(std::string_view text);

struct ToolInfo {
  std::string name;          // "calibrate"; "legacy" for the predecessor's files
  std::string version;       // hwcal's version
  std::string git_revision;  // "" when unknown
  Json extra;                // unknown fields (null when there are none)
};

// The machine the run happened on, as detected. Every field is optional: virtual machines and
// containers hide much of it.
struct HostInfo {
  std::optional<std::string> cpu_model;     // /proc/cpuinfo model name (the CPU part on Arm)
  std::optional<std::string> cpu_vendor;    // GenuineIntel, AuthenticAMD, ARM
  std::optional<std::string> architecture;  // x86_64, aarch64
  std::optional<long long> physical_cores;
  std::optional<long long> logical_cores;
  std::vector<CacheLevel> caches;  // the same shape as an entry's `caches`
  std::optional<long long> memory_bytes;
  std::optional<std::string> os;      // "Ubuntu 22.04.4 LTS"
  std::optional<std::string> kernel;  // uname -r
  std::optional<std::string> board;   // /proc/device-tree/model, e.g. on a Jetson
  std::optional<std::string> governor;
  std::map<std::string, double> clocks_mhz;  // e.g. min, max, measured under vector load
  Json extra;                                // unknown fields (null when there are none)
};

// One GPU as the CUDA runtime describes it.
struct DeviceInfo {
  std::string id;                   // "cuda:0"
  std::optional<std::string> name;  // the CUDA device name: "Orin", "NVIDIA H100 80GB HBM3"
  std::optional<std::string> compute_capability;  // "8.7"
  std::optional<long long> multiprocessors;
  std::map<std::string, double> clocks_mhz;  // sm, memory
  std::optional<long long> memory_bytes;
  std::optional<long long> memory_bus_width_bits;
  std::optional<std::string> driver_version;
  std::optional<std::string> runtime_version;
  Json extra;  // unknown fields (null when there are none)
};

// A library the kernels ran on; written as `"backends": {"openblas": {"version": ...}}`.
struct BackendInfo {
  std::string name;  // openblas, onednn, eigen, cublas, cuda; numpy, pytorch (legacy)
  std::optional<std::string> version;
  Json extra;  // e.g. OpenBLAS's core type and threads (null when there are none)
};

struct RunSettings {
  std::optional<std::string> plan;  // quick, standard, full
  std::optional<long long> warmup_runs;
  std::optional<long long> trials;
  std::optional<long long> threads;
  std::optional<double> time_budget_s;
  Json extra;  // unknown fields (null when there are none)
};

// Where a converted profile came from (absent in profiles calibrate wrote).
struct ProfileSource {
  std::string format;  // "legacy"
  std::string file;    // the original file's name
  Json extra;          // e.g. the original metadata (null when there is none)
};

struct MeasurementShape {
  std::optional<long long> m;
  std::optional<long long> n;
  std::optional<long long> k;
  std::optional<long long> array_bytes;  // bandwidth kernels: bytes of one array
  Json extra;                            // unknown fields (null when there are none)
  bool empty() const { return !m && !n && !k && !array_bytes && extra.is_null(); }
};

// The statistics of a record's trials as stored. The median is optional only because the
// predecessor's files did not keep it; calibrate always writes it.
struct TrialStats {
  double min = 0;
  std::optional<double> median;
  double mean = 0;
  double max = 0;
  double stddev = 0;
  double cv = 0;
  static TrialStats from(const SampleStats& stats);
};

// GFLOPS (GIOPS for integers) or GB/s: best is from the fastest trial (the STREAM convention),
// median from the median trial.
struct Throughput {
  double best = 0;
  std::optional<double> median;
};

struct MeasurementRecord;
// The record's class: as recorded, else as its kernel id implies (schema 1 files).
KernelClass kernel_class_of(const MeasurementRecord& record);

struct MeasurementRecord {
  std::string kernel;                       // stable id: a join key between runs, never renamed
  std::optional<KernelClass> kernel_class;  // `class`; absent in schema 1 files
  std::string device;                       // "cpu" or "cuda:0"
  std::string backend;                      // openblas, cublas, cuda, ...
  std::optional<Precision> precision;
  bool emulated = false;  // the backend emulates the type: excluded from measured peaks
  MeasurementShape shape;
  std::optional<long long> threads;
  std::optional<double> flops;  // per call
  std::optional<double> bytes;  // per call
  std::vector<double> samples_s;
  std::optional<TrialStats> stats_s;
  std::optional<Throughput> gflops;
  std::optional<Throughput> gbps;
  std::optional<Residency> residency;
  std::optional<double> fraction_of_ceiling;
  MeasurementStatus status = MeasurementStatus::passed;
  std::string message;  // why, for every status but passed
  Json extra;           // unknown fields (null when there are none)
};

// One roof's prediction of a piece of work (roofline.hpp's estimate on the entry's resource
// model) and the stack efficiency it gives: predicted seconds / measured median seconds, so 1.0
// means the stack reaches the roof. A network's prediction is the sum of its layers' (each layer
// bound by its own limit); its bound is the limit that binds the larger part of that sum.
struct RooflineRecord {
  double seconds = 0;
  std::string bound;  // "compute" or "memory"
  double peak_gflops = 0;
  double bandwidth_gbps = 0;
  bool compute_calibrated = false;  // the roof applied a measured efficiency
  bool bandwidth_calibrated = false;
  std::optional<double> stack_efficiency;
  Json extra;  // unknown fields (null when there are none)
};

// Both roofs, or why there is no prediction (no database entry, no peak of the precision).
struct WorkloadPrediction {
  // Where the calibrated roof's efficiencies came from: "this run" (the run's own GEMM and
  // STREAM results), "database" (the entry's calibration_summary) or "none" (uncalibrated: the
  // calibrated roof equals the theoretical one).
  std::string calibration;
  std::optional<RooflineRecord> calibrated;
  std::optional<RooflineRecord> theoretical;
  std::string message;  // why there is none
  Json extra;           // unknown fields (null when there are none)
};

struct LayerRecord {
  std::string name;
  std::string kind;  // Layer::kind(): conv, depthwise, pointwise, fc, max_pool, ..., add
  double flops = 0;  // per pass of the batch
  double bytes = 0;
  std::optional<std::string> implementation;  // e.g. oneDNN's "jit:avx512_core"
  std::vector<double> samples_s;
  std::optional<TrialStats> stats_s;
  std::optional<WorkloadPrediction> roofline;
  Json extra;  // unknown fields (null when there are none)
};

// Energy per image from a package energy counter, or why it could not be read.
struct EnergyRecord {
  std::optional<double> joules_per_image;
  std::string counter;  // what was read, e.g. "intel-rapl:0 (package-0)"
  std::string message;  // why there is no figure
  Json extra;           // unknown fields (null when there are none)
};

// One workload at one precision and batch: end-to-end passes and layer-by-layer passes, every
// trial's seconds. Status as for measurements: an unsupported precision is recorded with its
// reason and the run goes on.
struct WorkloadRecord {
  std::string workload;  // "resnet18"
  std::string device;    // "cpu" or "cuda:0"
  std::string backend;   // onednn, portable
  Precision precision = Precision::fp32;
  long long batch = 1;
  std::optional<TensorShape> input;  // one image
  std::optional<long long> threads;
  double flops = 0;  // per pass of the batch
  double bytes = 0;
  std::vector<double> samples_s;  // end to end
  std::optional<TrialStats> stats_s;
  std::optional<Throughput> images_per_s;  // best and median
  std::optional<WorkloadPrediction> roofline;
  std::optional<EnergyRecord> energy;
  std::vector<LayerRecord> layers;
  MeasurementStatus status = MeasurementStatus::passed;
  std::string message;
  Json extra;  // unknown fields (null when there are none)
};

struct CalibrationProfile {
  long long schema_version = kProfileSchemaVersion;
  ToolInfo tool;
  std::string hardware_id;  // "" when calibrate matched no entry (export resolves it)
  DeviceType device_type = DeviceType::cpu;  // the kind of entry the run belongs to
  std::string power_mode;                    // nvpmodel's NAME, "default", or "" when unknown
  std::string started_at;                    // UTC ISO 8601: 2025-11-16T10:04:26Z
  std::string finished_at;                   // "" when unknown (legacy files)
  HostInfo host;
  std::vector<DeviceInfo> devices;
  std::vector<BackendInfo> backends;
  RunSettings settings;
  std::vector<std::string> warnings;  // frequency scaling on, debug build, clocks below max
  std::optional<ProfileSource> source;
  std::vector<MeasurementRecord> measurements;
  std::vector<WorkloadRecord> workloads;  // `calibrate --workloads`; absent in older profiles
  Json extra;  // unknown top-level fields, in document order (null when there are none)

  // The model string an entry's detection patterns are matched against: the first device's
  // name for a GPU run, the host's CPU model otherwise; "" when not recorded.
  std::string recorded_model() const;
  const BackendInfo* find_backend(std::string_view name) const;
};

// True for "2025-11-16T10:04:26Z", also with fractional seconds ("...26.5Z").
bool is_utc_timestamp(std::string_view text);
// "2025-11-16T10:04:26Z" -> "20251116T100426Z": the start of a stored profile's name.
// DataError when `utc` is not a UTC timestamp.
std::string timestamp_stem(std::string_view utc);

// The unique name (without ".json") of a stored profile, so that runs of many hosts and branches
// never collide: "20251116T100426Z_orin-lab-3_5f0c2a91", the start second (timestamp_stem), the
// host name the profile recorded (extra.conditions.host_name; characters outside [A-Za-z0-9.-]
// become '-'; left out when none was recorded) and 8 hex digits of a hash of `content`, the
// file's bytes. The suffix is as good as random between runs, yet the same file always gets the
// same name, so exporting it again (or on another branch) stores it once. Older names
// (the stamp alone) stay valid: entries link profiles by path and nothing parses the name.
std::string profile_stem(const CalibrationProfile& profile, std::string_view content);
// Now, to the second, as a UTC timestamp.
std::string utc_now();

// True when the document has the shape of a calibration profile (schema_version and
// measurements); says nothing about its validity.
bool looks_like_profile(const Json& document);

// Reads a profile; problems become diagnostics against `file` and reading goes on.
CalibrationProfile parse_profile(const Json& document, const std::string& file,
                                 Diagnostics& diagnostics);
// The same, throwing DataError with the first error.
CalibrationProfile profile_from_json(const Json& document, const std::string& file);
// Known fields in the order docs/architecture.md (File formats) lists them, then unknown ones.
Json profile_to_json(const CalibrationProfile& profile);

// What export refuses to carry into a database (profile_check.cpp): in a passed measurement, a
// sample that is not a positive finite number of seconds; flops or bytes per call that are
// negative, beyond any machine (over 1e18 flops or 1e15 bytes in one call) or zero where the
// record's throughput is made of them (a copy does no flops: zero flops is fine there); a best
// throughput that is not positive, or that disagrees by more than 2% with the work over the
// fastest sample; in a passed workload, samples that are not positive. Each problem names the
// JSON pointer of its field. Files the predecessor wrote are held to the same rules except the
// agreement (they rounded).
struct ProfileProblem {
  std::string pointer;
  std::string message;
};
std::vector<ProfileProblem> check_measurements(const CalibrationProfile& profile);

}  // namespace hwcal
