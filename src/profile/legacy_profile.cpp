#include "profile/legacy_profile.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <ctime>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "base/text.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/json/json_reader.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

constexpr double kMiB = 1024.0 * 1024.0;
// psutil reports total memory in bytes; the predecessor divided by 1024^3 and called it GB.
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

std::optional<double> number_at(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto found = object.find(key);
  if (found == object.end() || !found->is_number()) return std::nullopt;
  return found->get<double>();
}

std::optional<std::string> string_at(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto found = object.find(key);
  if (found == object.end() || !found->is_string()) return std::nullopt;
  return found->get<std::string>();
}

const Json& member(const Json& object, const char* key) {
  static const Json null_value;
  if (!object.is_object()) return null_value;
  auto found = object.find(key);
  return found == object.end() ? null_value : *found;
}

// "size_mb=64" inside an operation key.
std::optional<double> number_in_key(const std::string& key, const std::string& name) {
  std::smatch match;
  std::regex pattern("(^|_)" + name + "=([0-9.]+)");
  if (std::regex_search(key, match, pattern)) return std::stod(match[2].str());
  return std::nullopt;
}

// nvpmodel names the predecessor's folders used: 7W, 15W, 25W, MAXN, MAXN_SUPER, MODE_15W_6CORE.
bool looks_like_power_mode(const std::string& name) {
  static const std::regex pattern("^(MAXN[A-Z0-9_]*|MODE_[A-Za-z0-9_]+|[0-9]+W(_[A-Za-z0-9_]+)?)$");
  return std::regex_match(name, pattern);
}

// Latencies as the predecessor recorded them, in milliseconds.
struct Latencies {
  std::optional<double> min_ms;
  std::optional<double> mean_ms;
  std::optional<double> max_ms;
  std::optional<double> std_ms;
  std::optional<double> gops;  // its throughput, from the mean
  std::optional<long long> trials;

  static Latencies of(const Json& object) {
    Latencies latencies;
    latencies.min_ms = number_at(object, "min_latency_ms");
    latencies.mean_ms = number_at(object, "mean_latency_ms");
    latencies.max_ms = number_at(object, "max_latency_ms");
    latencies.std_ms = number_at(object, "std_latency_ms");
    latencies.gops = number_at(object, "measured_gops");
    if (!latencies.gops) latencies.gops = number_at(object, "measured_gflops");
    if (auto trials = number_at(object, "num_trials")) {
      latencies.trials = to_long_long(*trials);
    }
    return latencies;
  }
};

class Converter {
 public:
  Converter(const Json& document, const fs::path& path, std::string display,
            const LegacyReadOptions& options)
      : document_(document), path_(path), display_(std::move(display)), options_(options) {}

  CalibrationProfile convert();

 private:
  void read_metadata();
  void read_operations();
  void read_gemm(const std::string& key, const Json& op, bool blas3);
  void read_copy(const std::string& key, const Json& op);
  void read_stream(const std::string& key, const Json& op);
  void read_blas(const std::string& key, const Json& op);
  void read_other(const std::string& key, const Json& op);
  void assign_residency();
  // A record with the predecessor's latencies; `measured` false for what it did not run.
  MeasurementRecord timed(std::string kernel, std::optional<Precision> precision,
                          const Latencies& latencies, const std::string& where,
                          bool measured = true);
  void note(std::string text) {
    if (std::find(notes_.begin(), notes_.end(), text) == notes_.end()) {
      notes_.push_back(std::move(text));
    }
  }
  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const {
    throw DataError(display_, pointer, message);
  }
  bool numpy() const { return framework_ == "numpy"; }
  std::optional<double> array_bytes_of(const std::string& key, const Json& op) const;

  const Json& document_;
  fs::path path_;
  std::string display_;
  LegacyReadOptions options_;
  CalibrationProfile profile_;
  std::vector<std::string> notes_;
  std::string framework_;
  std::string prefix_;  // "cpu" or "cuda": the first word of every kernel id
  std::string device_;  // "cpu" or "cuda:0"
  std::vector<std::string> skipped_precisions_;
  std::size_t missing_minimum_ = 0;
  std::size_t emulated_ = 0;
};

std::string to_utc(const std::string& text, std::vector<std::string>& notes, bool& ok) {
  // YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]
  ok = false;
  std::smatch match;
  static const std::regex pattern(
      R"(^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$)");
  if (!std::regex_match(text, match, pattern)) return "";
  std::tm parts{};
  parts.tm_year = std::stoi(match[1]) - 1900;
  parts.tm_mon = std::stoi(match[2]) - 1;
  parts.tm_mday = std::stoi(match[3]);
  parts.tm_hour = std::stoi(match[4]);
  parts.tm_min = std::stoi(match[5]);
  parts.tm_sec = std::stoi(match[6]);
  std::time_t seconds = timegm(&parts);
  const std::string zone = match[8].str();
  if (zone.empty()) {
    notes.push_back(fmt::format(
        "calibration_date '{}' has no time zone (the predecessor wrote local time): taken as UTC",
        text));
  } else if (zone != "Z") {
    std::string digits;
    for (char c : zone) {
      if (std::isdigit(static_cast<unsigned char>(c))) digits += c;
    }
    const long offset = std::stol(digits.substr(0, 2)) * 3600 + std::stol(digits.substr(2)) * 60;
    seconds -= zone[0] == '+' ? offset : -offset;
  }
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &utc);
  ok = true;
  return out;
}

void Converter::read_metadata() {
  const Json& metadata = member(document_, "metadata");
  if (!metadata.is_object()) {
    fail("/metadata", fmt::format("expected the predecessor's metadata object, got {}",
                                  json_type_name(metadata)));
  }
  profile_.tool.name = "legacy";
  profile_.tool.version = string_at(metadata, "calibration_tool_version").value_or("unknown");

  // Device type: "cuda" means a GPU entry.
  std::string type = string_at(metadata, "device_type").value_or("");
  if (type.empty()) {
    const Json& operations = member(document_, "operation_profiles");
    if (operations.is_object()) {
      for (const auto& [key, op] : operations.items()) {
        (void)op;
        if (key.find("device=cuda") != std::string::npos) type = "cuda";
      }
    }
    if (type.empty()) type = "cpu";
    note(fmt::format("metadata has no device_type: '{}' inferred from the operation names", type));
  }
  if (type == "cuda" || type == "gpu") {
    profile_.device_type = DeviceType::gpu;
    prefix_ = "cuda";
    device_ = "cuda:0";
  } else if (type == "cpu") {
    profile_.device_type = DeviceType::cpu;
    prefix_ = "cpu";
    device_ = "cpu";
  } else {
    fail("/metadata/device_type",
         fmt::format("unknown legacy device_type '{}' (expected cpu or cuda)", type));
  }

  // Framework: recorded by later files; earlier ones name it in the operation keys only.
  framework_ = string_at(metadata, "framework").value_or("");
  if (framework_.empty()) {
    const std::string text = member(document_, "operation_profiles").dump();
    framework_ = text.find("framework=numpy") != std::string::npos ? "numpy"
                 : profile_.device_type == DeviceType::gpu         ? "pytorch"
                                                                   : "numpy";
    note(fmt::format("metadata has no framework: '{}' inferred", framework_));
  }
  BackendInfo backend;
  backend.name = framework_;
  backend.version = string_at(metadata, (framework_ + "_version").c_str());
  profile_.backends.push_back(backend);

  // Time: the predecessor wrote local time without a zone.
  if (auto date = string_at(metadata, "calibration_date")) {
    bool ok = false;
    profile_.started_at = to_utc(*date, notes_, ok);
    if (!ok) {
      fail("/metadata/calibration_date",
           fmt::format("'{}' is not a date and time (expected e.g. 2025-11-16T10:04:26.791492)",
                       *date));
    }
  } else {
    fail("/metadata/calibration_date", "missing: a profile needs the time it was measured");
  }

  // Power mode: from the file when it says, else from the folder it sits in.
  const Json& preflight = member(metadata, "preflight");
  std::optional<std::string> mode = string_at(metadata, "power_mode");
  if (!mode) mode = string_at(preflight, "power_mode");
  if (!mode) mode = string_at(preflight, "nvpmodel_mode");
  if (mode) {
    profile_.power_mode = *mode;
  } else {
    const std::string folder = path_.parent_path().filename().string();
    if (looks_like_power_mode(folder)) {
      profile_.power_mode = folder;
      note(fmt::format("power mode {} taken from the folder name (the file does not record it)",
                       folder));
    }
  }

  // Host: the predecessor's cpu_model is platform.machine(), an architecture.
  profile_.host.architecture = string_at(metadata, "platform_architecture");
  if (!profile_.host.architecture) profile_.host.architecture = string_at(metadata, "cpu_model");
  if (auto count = number_at(metadata, "cpu_count")) {
    profile_.host.logical_cores = to_long_long(*count);
  }
  if (auto gib = number_at(metadata, "total_memory_gb")) {
    profile_.host.memory_bytes = static_cast<long long>(std::llround(*gib * kGiB));
  }
  auto read_clock = [](const Json& clock, std::map<std::string, double>& into,
                       const std::string& name) {
    if (clock.is_number()) into[name] = clock.get<double>();
    if (!clock.is_object()) return;
    for (const auto& [key, value] : clock.items()) {
      const std::string suffix = "_mhz";
      if (value.is_number() && key.size() > suffix.size() &&
          key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
        into[name + "_" + key.substr(0, key.size() - suffix.size())] = value.get<double>();
      }
    }
  };
  read_clock(member(metadata, "cpu_clock"), profile_.host.clocks_mhz, "cpu");
  if (auto governor = string_at(preflight, "cpu_governor")) profile_.host.governor = governor;
  if (profile_.device_type == DeviceType::gpu) {
    DeviceInfo gpu;
    gpu.id = device_;
    read_clock(member(metadata, "gpu_clock"), gpu.clocks_mhz, "gpu");
    profile_.devices.push_back(gpu);
  }
  if (const Json& warnings = member(preflight, "warnings"); warnings.is_array()) {
    for (const Json& warning : warnings) {
      if (warning.is_string()) note("preflight: " + warning.get<std::string>());
    }
  }

  profile_.settings.plan = "legacy";
  if (auto warmups = number_at(metadata, "num_warmup_runs")) {
    profile_.settings.warmup_runs = to_long_long(*warmups);
  }
  if (auto trials = number_at(metadata, "num_measurement_runs")) {
    profile_.settings.trials = to_long_long(*trials);
  }

  ProfileSource source;
  source.format = "legacy";
  source.file = path_.filename().string();
  source.extra = Json::object();
  source.extra["metadata"] = metadata;
  Json summary = Json::object();
  for (const auto& [key, value] : document_.items()) {
    if (key != "metadata" && key != "operation_profiles" && key != "fusion_profiles") {
      summary[key] = value;
    }
  }
  if (!summary.empty()) {
    source.extra["legacy_summary"] = summary;
    note(
        "the predecessor's own peaks and efficiencies (from mean latencies, against its copy of "
        "the peaks) are kept under source.legacy_summary and not used");
  }
  profile_.source = source;
}

MeasurementRecord Converter::timed(std::string kernel, std::optional<Precision> precision,
                                   const Latencies& latencies, const std::string& where,
                                   bool measured) {
  MeasurementRecord record;
  record.kernel = std::move(kernel);
  // The converter names each predecessor benchmark by the id conventions, so the id says what it
  // measured; the class is recorded like calibrate's.
  record.kernel_class = classify_kernel(record.kernel);
  record.device = device_;
  record.backend = framework_;
  record.precision = precision;
  if (measured && latencies.min_ms && latencies.mean_ms && latencies.max_ms && latencies.std_ms) {
    TrialStats stats;
    stats.min = *latencies.min_ms / 1000;
    stats.mean = *latencies.mean_ms / 1000;
    stats.max = *latencies.max_ms / 1000;
    stats.stddev = *latencies.std_ms / 1000;
    stats.cv = stats.mean > 0 ? stats.stddev / stats.mean : 0;
    record.stats_s = stats;
  }
  if (measured && (!latencies.min_ms || *latencies.min_ms <= 0)) {
    record.status = MeasurementStatus::error;
    record.message = fmt::format(
        "the predecessor recorded no minimum latency at {}: the best throughput cannot be "
        "recomputed (its mean-based figure was {})",
        where, latencies.gops ? fmt::format("{:.1f}", *latencies.gops) : std::string("none"));
    ++missing_minimum_;
  }
  record.extra = Json::object();
  record.extra["legacy_key"] = where;
  if (latencies.trials) record.extra["legacy_trials"] = *latencies.trials;
  return record;
}

std::optional<double> Converter::array_bytes_of(const std::string& key, const Json& op) const {
  const Json& params = member(op, "extra_params");
  std::optional<double> size_mb = number_at(params, "size_mb");
  if (!size_mb) size_mb = number_in_key(key, "size_mb");
  if (size_mb) return *size_mb * kMiB;
  const Json& shape = member(op, "input_shape");
  if (shape.is_array() && !shape.empty() && shape[0].is_number()) {
    return shape[0].get<double>() * 4;  // float32 elements, the predecessor's default
  }
  return std::nullopt;
}

void Converter::read_gemm(const std::string& key, const Json& op, bool blas3) {
  const Json& params = member(op, "extra_params");
  std::optional<double> size = number_at(params, "matrix_size");
  if (!size) size = number_at(params, "size");
  const Json& shape = member(op, "input_shape");
  if (!size && shape.is_array() && !shape.empty() && shape[0].is_number()) {
    size = shape[0].get<double>();
  }
  const std::string pointer = pointer_append("/operation_profiles", key);
  auto add = [&](Precision precision, const Json& result, const std::string& where) {
    std::optional<double> n = number_at(result, "test_size");
    if (!n || *n <= 0) n = size;
    if (!n) fail(where, "no matrix size (expected extra_params.matrix_size or test_size)");
    const std::string name(to_string(precision));
    const Latencies latencies = Latencies::of(result);
    const Json& supported = member(result, "supported");
    const bool measured = !supported.is_boolean() || supported.get<bool>();
    MeasurementRecord record =
        timed(fmt::format("{}_{}_{}_{}", prefix_, blas3 ? "blas3_gemm" : "gemm", name, framework_),
              precision, latencies, where, measured);
    const auto dimension = to_long_long(*n);
    record.shape.m = record.shape.n = record.shape.k = dimension;
    const double flops = 2.0 * *n * *n * *n;
    record.flops = flops;
    if (!measured) {
      std::string reason = string_at(result, "failure_reason").value_or("not supported");
      std::string lower;
      for (char c : reason) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      record.status = lower.find("not implemented") != std::string::npos ||
                              lower.find("not supported") != std::string::npos ||
                              lower.find("unsupported") != std::string::npos
                          ? MeasurementStatus::unsupported
                      : lower.rfind("skipped", 0) == 0 || lower.rfind("timeout", 0) == 0
                          ? MeasurementStatus::skipped
                          : MeasurementStatus::error;
      record.message = reason;
    } else if (record.status == MeasurementStatus::passed) {
      record.gflops = Throughput{flops / (*latencies.min_ms / 1000) / 1e9, std::nullopt};
      if (numpy() &&
          (is_integer(precision) || precision == Precision::fp16 || precision == Precision::bf16)) {
        record.emulated = true;
        record.message = fmt::format(
            "numpy runs {} matmul in a generic loop without BLAS or vector units: not the "
            "hardware's {} rate",
            name, name);
        ++emulated_;
      }
    }
    profile_.measurements.push_back(std::move(record));
  };

  const Json& results = member(op, "precision_results");
  if (results.is_object() && !results.empty()) {
    for (const auto& [name, result] : results.items()) {
      const std::string where = pointer_append(pointer_append(pointer, "precision_results"), name);
      auto precision = parse_precision(name);
      if (!precision) {
        if (std::find(skipped_precisions_.begin(), skipped_precisions_.end(), name) ==
            skipped_precisions_.end()) {
          skipped_precisions_.push_back(name);
        }
        continue;
      }
      add(*precision, result, where);
    }
  } else {
    // Early files: one set of latencies per size, the predecessor's default dtype (float32).
    note(
        "matmul results without precision_results are the predecessor's float32 runs: recorded "
        "as fp32");
    add(Precision::fp32, op, pointer);
  }
}

void Converter::read_copy(const std::string& key, const Json& op) {
  const std::string pointer = pointer_append("/operation_profiles", key);
  auto array_bytes = array_bytes_of(key, op);
  if (!array_bytes) fail(pointer, "no size (expected extra_params.size_mb or input_shape)");
  MeasurementRecord record = timed(fmt::format("{}_copy_{}", prefix_, framework_), Precision::fp32,
                                   Latencies::of(op), pointer);
  record.shape.array_bytes = to_long_long(*array_bytes);
  record.flops = 0;
  record.bytes = 2 * *array_bytes;  // read the source, write the destination
  if (record.status == MeasurementStatus::passed) {
    record.gbps = Throughput{*record.bytes / (*Latencies::of(op).min_ms / 1000) / 1e9, {}};
  }
  note("memory copies (operation type add) move 2 x the array's bytes: one read, one write");
  profile_.measurements.push_back(std::move(record));
}

void Converter::read_stream(const std::string& key, const Json& op) {
  const std::string pointer = pointer_append("/operation_profiles", key);
  const Json& params = member(op, "extra_params");
  std::string kernel = string_at(params, "kernel").value_or("");
  if (kernel.empty()) kernel = member(op, "operation_type").get<std::string>().substr(7);
  auto array_bytes = array_bytes_of(key, op);
  if (!array_bytes) fail(pointer, "no size (expected extra_params.size_mb or input_shape)");
  // STREAM counts copy and scale as 2 arrays, add and triad as 3.
  double arrays = kernel == "add" || kernel == "triad" ? 3 : 2;
  if (auto ops = number_at(params, "num_memory_ops")) arrays = *ops;
  MeasurementRecord record = timed(fmt::format("{}_stream_{}_{}", prefix_, kernel, framework_),
                                   Precision::fp32, Latencies::of(op), pointer);
  const Json& shape = member(op, "input_shape");
  if (shape.is_array() && !shape.empty() && shape[0].is_number() && shape[0].get<double>() > 0) {
    const double bytes_per_element = *array_bytes / shape[0].get<double>();
    if (bytes_per_element == 8) record.precision = Precision::fp64;
    if (auto flops = number_at(params, "flops_per_element")) {
      record.flops = *flops * shape[0].get<double>();
    }
  }
  record.shape.array_bytes = to_long_long(*array_bytes);
  record.bytes = arrays * *array_bytes;
  if (record.status == MeasurementStatus::passed) {
    record.gbps = Throughput{*record.bytes / (*Latencies::of(op).min_ms / 1000) / 1e9, {}};
  }
  profile_.measurements.push_back(std::move(record));
}

void Converter::read_blas(const std::string& key, const Json& op) {
  const std::string pointer = pointer_append("/operation_profiles", key);
  const std::string type = member(op, "operation_type").get<std::string>();
  const Json& results = member(op, "precision_results");
  if (!results.is_object()) return read_other(key, op);
  for (const auto& [name, result] : results.items()) {
    const std::string where = pointer_append(pointer_append(pointer, "precision_results"), name);
    auto precision = parse_precision(name);
    if (!precision) continue;
    const Latencies latencies = Latencies::of(result);
    const Json& supported = member(result, "supported");
    const bool measured = !supported.is_boolean() || supported.get<bool>();
    MeasurementRecord record = timed(fmt::format("{}_{}_{}_{}", prefix_, type, name, framework_),
                                     precision, latencies, where, measured);
    if (auto n = number_at(result, "test_size")) record.shape.n = to_long_long(*n);
    if (!measured) {
      record.status = MeasurementStatus::skipped;
      record.message = string_at(result, "failure_reason").value_or("not run");
    } else if (record.status == MeasurementStatus::passed && latencies.gops && latencies.mean_ms) {
      // The predecessor's rate times its (mean) time is the operation count of one call.
      record.flops = *latencies.gops * 1e9 * *latencies.mean_ms / 1000;
      record.gflops = Throughput{*record.flops / (*latencies.min_ms / 1000) / 1e9, {}};
      if (numpy() && (is_integer(*precision) || *precision == Precision::fp16)) {
        record.emulated = true;
      }
    }
    profile_.measurements.push_back(std::move(record));
  }
}

void Converter::read_other(const std::string& key, const Json& op) {
  const std::string pointer = pointer_append("/operation_profiles", key);
  const std::string type = member(op, "operation_type").is_string()
                               ? member(op, "operation_type").get<std::string>()
                               : std::string("unknown");
  const Latencies latencies = Latencies::of(op);
  MeasurementRecord record = timed(fmt::format("{}_legacy_{}_{}", prefix_, type, framework_),
                                   std::nullopt, latencies, pointer);
  if (record.status == MeasurementStatus::passed && latencies.gops && latencies.mean_ms &&
      *latencies.gops > 0) {
    record.flops = *latencies.gops * 1e9 * *latencies.mean_ms / 1000;
    record.gflops = Throughput{*record.flops / (*latencies.min_ms / 1000) / 1e9, {}};
  }
  note(fmt::format("operation type '{}' is kept as a measurement but not used in summaries", type));
  profile_.measurements.push_back(std::move(record));
}

void Converter::read_operations() {
  const Json& operations = member(document_, "operation_profiles");
  if (operations.is_null()) {
    note("the file has no operation_profiles (the run stopped early): nothing was measured");
    return;
  }
  if (!operations.is_object()) {
    fail("/operation_profiles",
         fmt::format("expected an object of operations, got {}", json_type_name(operations)));
  }
  for (const auto& [key, op] : operations.items()) {
    const std::string pointer = pointer_append("/operation_profiles", key);
    if (!op.is_object()) {
      fail(pointer, fmt::format("expected an operation object, got {}", json_type_name(op)));
    }
    const Json& type_value = member(op, "operation_type");
    const std::string type = type_value.is_string() ? type_value.get<std::string>() : "";
    const std::string operation = string_at(member(op, "extra_params"), "operation").value_or("");
    if (type == "matmul") {
      read_gemm(key, op, false);
    } else if (type == "blas3_gemm") {
      read_gemm(key, op, true);
    } else if (operation == "memory_copy" || key.find("memory_copy") != std::string::npos) {
      read_copy(key, op);
    } else if (type.rfind("stream_", 0) == 0) {
      read_stream(key, op);
    } else if (type.rfind("blas1_", 0) == 0 || type.rfind("blas2_", 0) == 0) {
      read_blas(key, op);
    } else {
      read_other(key, op);
    }
  }
}

void Converter::assign_residency() {
  std::map<std::string, double> largest;  // per kernel
  for (const MeasurementRecord& record : profile_.measurements) {
    if (record.shape.array_bytes && record.gbps) {
      double& size = largest[record.kernel];
      size = std::max(size, static_cast<double>(*record.shape.array_bytes));
    }
  }
  if (largest.empty()) return;
  const Residency cache_level = options_.last_level <= 1   ? Residency::l1
                                : options_.last_level == 2 ? Residency::l2
                                                           : Residency::l3;
  for (MeasurementRecord& record : profile_.measurements) {
    if (!record.shape.array_bytes || !record.gbps) continue;
    const double bytes = static_cast<double>(*record.shape.array_bytes);
    if (options_.last_level_cache_bytes) {
      record.residency =
          bytes >= 4 * *options_.last_level_cache_bytes ? Residency::dram : cache_level;
    } else if (bytes >= largest[record.kernel] / 4) {
      record.residency = Residency::dram;
    }
  }
  if (options_.last_level_cache_bytes) {
    note(fmt::format(
        "bandwidth: arrays of at least 4 x the last-level cache ({:.0f} MiB, from the database "
        "entry) count as DRAM-resident; smaller ones as cache",
        *options_.last_level_cache_bytes / kMiB));
  } else {
    std::string sizes;
    for (const auto& [kernel, size] : largest) {
      sizes +=
          fmt::format("{}{} >= {:.0f} MiB", sizes.empty() ? "" : ", ", kernel, size / 4 / kMiB);
    }
    note(fmt::format(
        "bandwidth: the last-level cache size is unknown (the database entry lists no caches): "
        "only the largest sizes count as DRAM-resident ({}); smaller sizes are left out",
        sizes));
  }
}

CalibrationProfile Converter::convert() {
  if (!document_.is_object()) fail("", "expected a legacy profile object");
  read_metadata();
  read_operations();
  assign_residency();
  const Json& fusion = member(document_, "fusion_profiles");
  if (fusion.is_object() && !fusion.empty()) {
    profile_.extra = Json::object();
    profile_.extra["legacy_fusion_profiles"] = fusion;
    note(fmt::format(
        "{} fusion result{} kept under legacy_fusion_profiles; hwcal does not summarize fusion",
        fusion.size(), fusion.size() == 1 ? "" : "s"));
  }
  if (!skipped_precisions_.empty()) {
    std::string names;
    for (const std::string& name : skipped_precisions_) names += (names.empty() ? "" : ", ") + name;
    note(fmt::format("precisions outside the canonical list left out: {}", names));
  }
  if (missing_minimum_ > 0) {
    note(fmt::format("{} record{} without a minimum latency marked as error", missing_minimum_,
                     missing_minimum_ == 1 ? "" : "s"));
  }
  if (emulated_ > 0) {
    note(
        "numpy's fp16 and integer matmul are marked emulated (generic loops, no BLAS): left out "
        "of measured peaks");
  }
  std::vector<std::string> warnings;
  warnings.push_back(fmt::format(
      "converted from the predecessor's profile {} (its tool {}): throughput recomputed from the "
      "minimum latency of each set of trials (the predecessor used the mean); trial times were "
      "not kept, so samples_s is empty and stats_s has no median",
      path_.filename().string(), profile_.tool.version));
  warnings.insert(warnings.end(), notes_.begin(), notes_.end());
  profile_.warnings = warnings;
  return profile_;
}

}  // namespace

LegacyReadOptions legacy_options_for(const HardwareSpec& spec) {
  LegacyReadOptions options;
  if (!spec.caches || spec.caches->empty()) return options;
  long long top = 0;
  for (const CacheLevel& level : *spec.caches) {
    if (level.kind != "instruction") top = std::max(top, level.level);
  }
  double bytes = 0;
  for (const CacheLevel& level : *spec.caches) {
    if (level.level == top && level.kind != "instruction") {
      bytes += level.size_kib * 1024 * static_cast<double>(level.count.value_or(1));
    }
  }
  if (bytes > 0) {
    options.last_level_cache_bytes = bytes;
    options.last_level = static_cast<int>(top);
  }
  return options;
}

bool looks_like_legacy_profile(const Json& document) {
  if (!document.is_object()) return false;
  auto metadata = document.find("metadata");
  if (metadata == document.end() || !metadata->is_object()) return false;
  return document.contains("operation_profiles") || metadata->contains("hardware_name") ||
         metadata->contains("calibration_date");
}

CalibrationProfile read_legacy_profile(const Json& document, const fs::path& path,
                                       const std::string& display,
                                       const LegacyReadOptions& options) {
  return Converter(document, path, display, options).convert();
}

std::string legacy_hardware_name(const CalibrationProfile& profile) {
  if (!profile.source || profile.source->format != "legacy") return "";
  const Json& metadata = member(profile.source->extra, "metadata");
  return string_at(metadata, "hardware_name").value_or("");
}

bool legacy_name_matches(std::string_view legacy_name, const HardwareSpec& spec) {
  std::vector<std::string> name = id_words(legacy_name);
  if (name.empty()) return false;
  std::set<std::string> entry;
  for (const std::string& word : id_words(spec.id)) entry.insert(word);
  for (const std::string& word : id_words(spec.model)) entry.insert(word);
  entry.insert(spec.vendor_slug());
  return std::all_of(name.begin(), name.end(),
                     [&](const std::string& word) { return entry.count(word) > 0; });
}

bool legacy_name_is_exact(std::string_view legacy_name, const HardwareSpec& spec) {
  std::vector<std::string> words = id_words(legacy_name);
  std::set<std::string> name(words.begin(), words.end());
  std::vector<std::string> id = id_words(spec.id);
  return legacy_name_matches(legacy_name, spec) &&
         std::all_of(id.begin(), id.end(), [&](const std::string& word) {
           return name.count(word) > 0 || word == spec.vendor_slug();
         });
}

LoadedProfile load_profile_file(const fs::path& path, const std::string& display,
                                const LegacyReadOptions& options) {
  LoadedProfile loaded;
  loaded.text = read_text_file(path);
  Json document = parse_json(loaded.text, display);
  if (looks_like_profile(document)) {
    loaded.profile = profile_from_json(document, display);
    return loaded;
  }
  if (looks_like_legacy_profile(document)) {
    loaded.legacy = true;
    loaded.profile = read_legacy_profile(document, path, display, options);
    return loaded;
  }
  std::string found;
  if (document.is_object()) {
    if (document.contains("theoretical_peaks") && document.contains("id")) {
      found = "this is a hardware database entry (it has id and theoretical_peaks)";
    } else {
      std::string keys;
      std::size_t shown = 0;
      for (const auto& [key, value] : document.items()) {
        (void)value;
        if (shown++ == 5) {
          keys += ", ...";
          break;
        }
        keys += (keys.empty() ? "" : ", ") + key;
      }
      found = keys.empty() ? "found an empty object" : fmt::format("found an object with {}", keys);
    }
  } else {
    found = fmt::format("found {}", json_type_name(document));
  }
  throw DataError(display, "",
                  fmt::format("not a calibration profile: {}; expected a profile written by "
                              "calibrate (with schema_version, tool and measurements) or by the "
                              "predecessor tool (with metadata and operation_profiles)",
                              found));
}

}  // namespace hwcal
