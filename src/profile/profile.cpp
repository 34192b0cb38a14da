#include "profile/profile.hpp"

#include <cctype>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "base/enum_table.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/json/json_reader.hpp"

namespace hwcal {
namespace {

constexpr EnumTable<MeasurementStatus, 4> kStatusNames({"passed", "unsupported", "skipped",
                                                        "error"});
constexpr EnumTable<Residency, 4> kResidencyNames({"l1", "l2", "l3", "dram"});
constexpr EnumTable<KernelClass, 6> kKernelClassNames({"gemm", "peak_fma", "stream", "copy",
                                                       "transfer", "other"});

std::map<std::string, double> read_clocks(FieldReader& reader, const char* key) {
  std::map<std::string, double> clocks;
  const Json* object = reader.object(key);
  if (object == nullptr) return clocks;
  for (const auto& [name, value] : object->items()) {
    if (!value.is_number()) {
      reader.diagnostics().error(
          reader.file(), pointer_append(reader.pointer_of(key), name),
          fmt::format("expected a number of MHz, got {}", json_type_name(value)));
      continue;
    }
    clocks[name] = value.get<double>();
  }
  return clocks;
}

Json clocks_to_json(const std::map<std::string, double>& clocks) {
  Json out = Json::object();
  for (const auto& [name, mhz] : clocks) out[name] = mhz;
  return out;
}

std::vector<double> read_numbers(FieldReader& reader, const char* key) {
  std::vector<double> numbers;
  const Json* array = reader.array(key);
  if (array == nullptr) return numbers;
  numbers.reserve(array->size());
  for (std::size_t i = 0; i < array->size(); ++i) {
    const Json& item = (*array)[i];
    if (!item.is_number()) {
      reader.diagnostics().error(reader.file(), pointer_append(reader.pointer_of(key), i),
                                 fmt::format("expected a number, got {}", json_type_name(item)));
      continue;
    }
    numbers.push_back(item.get<double>());
  }
  return numbers;
}

std::optional<Throughput> read_throughput(FieldReader& parent, const char* key) {
  const Json* object = parent.object(key);
  if (object == nullptr) return std::nullopt;
  FieldReader reader(*object, parent.file(), parent.pointer_of(key), parent.diagnostics());
  Throughput throughput;
  throughput.best = reader.number("best", true).value_or(0);
  throughput.median = reader.number("median");
  return throughput;
}

Json throughput_to_json(const Throughput& throughput) {
  Json out = Json::object();
  out["best"] = throughput.best;
  put_optional(out, "median", throughput.median);
  return out;
}

HostInfo parse_host(FieldReader& reader) {
  HostInfo host;
  host.cpu_model = reader.string("cpu_model");
  host.cpu_vendor = reader.string("cpu_vendor");
  host.architecture = reader.string("architecture");
  host.physical_cores = reader.integer("physical_cores");
  host.logical_cores = reader.integer("logical_cores");
  if (const Json* caches = reader.array("caches")) {
    host.caches =
        parse_caches(*caches, reader.file(), reader.pointer_of("caches"), reader.diagnostics());
  }
  host.memory_bytes = reader.integer("memory_bytes");
  host.os = reader.string("os");
  host.kernel = reader.string("kernel");
  host.board = reader.string("board");
  host.governor = reader.string("governor");
  host.clocks_mhz = read_clocks(reader, "clocks_mhz");
  host.extra = reader.unknown_fields();
  return host;
}

Json host_to_json(const HostInfo& host) {
  Json out = Json::object();
  put_optional(out, "cpu_model", host.cpu_model);
  put_optional(out, "cpu_vendor", host.cpu_vendor);
  put_optional(out, "architecture", host.architecture);
  put_optional(out, "physical_cores", host.physical_cores);
  put_optional(out, "logical_cores", host.logical_cores);
  if (!host.caches.empty()) out["caches"] = caches_to_json(host.caches);
  put_optional(out, "memory_bytes", host.memory_bytes);
  put_optional(out, "os", host.os);
  put_optional(out, "kernel", host.kernel);
  put_optional(out, "board", host.board);
  put_optional(out, "governor", host.governor);
  if (!host.clocks_mhz.empty()) out["clocks_mhz"] = clocks_to_json(host.clocks_mhz);
  append_extra(out, host.extra);
  return out;
}

DeviceInfo parse_device(FieldReader& reader) {
  DeviceInfo device;
  device.id = reader.string("id", true).value_or("");
  device.name = reader.string("name");
  device.compute_capability = reader.string("compute_capability");
  device.multiprocessors = reader.integer("multiprocessors");
  device.clocks_mhz = read_clocks(reader, "clocks_mhz");
  device.memory_bytes = reader.integer("memory_bytes");
  device.memory_bus_width_bits = reader.integer("memory_bus_width_bits");
  device.driver_version = reader.string("driver_version");
  device.runtime_version = reader.string("runtime_version");
  device.extra = reader.unknown_fields();
  return device;
}

Json device_to_json(const DeviceInfo& device) {
  Json out = Json::object();
  out["id"] = device.id;
  put_optional(out, "name", device.name);
  put_optional(out, "compute_capability", device.compute_capability);
  put_optional(out, "multiprocessors", device.multiprocessors);
  if (!device.clocks_mhz.empty()) out["clocks_mhz"] = clocks_to_json(device.clocks_mhz);
  put_optional(out, "memory_bytes", device.memory_bytes);
  put_optional(out, "memory_bus_width_bits", device.memory_bus_width_bits);
  put_optional(out, "driver_version", device.driver_version);
  put_optional(out, "runtime_version", device.runtime_version);
  append_extra(out, device.extra);
  return out;
}

RunSettings parse_settings(FieldReader& reader) {
  RunSettings settings;
  settings.plan = reader.string("plan");
  settings.warmup_runs = reader.integer("warmup_runs");
  settings.trials = reader.integer("trials");
  settings.threads = reader.integer("threads");
  settings.time_budget_s = reader.number("time_budget_s");
  settings.extra = reader.unknown_fields();
  return settings;
}

Json settings_to_json(const RunSettings& settings) {
  Json out = Json::object();
  put_optional(out, "plan", settings.plan);
  put_optional(out, "warmup_runs", settings.warmup_runs);
  put_optional(out, "trials", settings.trials);
  put_optional(out, "threads", settings.threads);
  put_optional(out, "time_budget_s", settings.time_budget_s);
  append_extra(out, settings.extra);
  return out;
}

MeasurementShape parse_shape(FieldReader& reader) {
  MeasurementShape shape;
  shape.m = reader.integer("m");
  shape.n = reader.integer("n");
  shape.k = reader.integer("k");
  shape.array_bytes = reader.integer("array_bytes");
  shape.extra = reader.unknown_fields();
  return shape;
}

Json shape_to_json(const MeasurementShape& shape) {
  Json out = Json::object();
  put_optional(out, "m", shape.m);
  put_optional(out, "n", shape.n);
  put_optional(out, "k", shape.k);
  put_optional(out, "array_bytes", shape.array_bytes);
  append_extra(out, shape.extra);
  return out;
}

std::optional<TrialStats> parse_stats(FieldReader& parent) {
  const Json* object = parent.object("stats_s");
  if (object == nullptr) return std::nullopt;
  FieldReader reader(*object, parent.file(), parent.pointer_of("stats_s"), parent.diagnostics());
  TrialStats stats;
  stats.min = reader.number("min", true).value_or(0);
  stats.median = reader.number("median");
  stats.mean = reader.number("mean", true).value_or(0);
  stats.max = reader.number("max", true).value_or(0);
  stats.stddev = reader.number("stddev", true).value_or(0);
  stats.cv = reader.number("cv", true).value_or(0);
  return stats;
}

Json stats_to_json(const TrialStats& stats) {
  Json out = Json::object();
  out["min"] = stats.min;
  put_optional(out, "median", stats.median);
  out["mean"] = stats.mean;
  out["max"] = stats.max;
  out["stddev"] = stats.stddev;
  out["cv"] = stats.cv;
  return out;
}

// The record's status; an unknown name is a diagnostic naming the four.
void read_status(FieldReader& reader, MeasurementStatus& status) {
  auto name = reader.string("status", true);
  if (!name) return;
  if (auto parsed = parse_measurement_status(*name)) {
    status = *parsed;
  } else {
    reader.error("status", fmt::format("unknown status '{}' (expected passed, unsupported, "
                                       "skipped or error)",
                                       *name));
  }
}

MeasurementRecord parse_measurement(FieldReader& reader, long long schema_version) {
  MeasurementRecord record;
  record.kernel = reader.string("kernel", true).value_or("");
  if (auto kind = reader.string("class", schema_version >= 2)) {
    record.kernel_class = parse_kernel_class(*kind);
    if (!record.kernel_class) {
      reader.error("class", fmt::format("unknown kernel class '{}' (expected {})", *kind,
                                        kKernelClassNames.alternatives()));
    }
  }
  record.device = reader.string("device", true).value_or("");
  record.backend = reader.string("backend", true).value_or("");
  if (auto precision = reader.string("precision")) {
    record.precision = parse_precision(*precision);
    if (!record.precision) {
      reader.error("precision", fmt::format("unknown precision '{}' (expected one of {})",
                                            *precision, precision_names()));
    }
  }
  record.emulated = reader.boolean("emulated").value_or(false);
  if (const Json* shape = reader.object("shape")) {
    FieldReader shape_reader(*shape, reader.file(), reader.pointer_of("shape"),
                             reader.diagnostics());
    record.shape = parse_shape(shape_reader);
  }
  record.threads = reader.integer("threads");
  record.flops = reader.number("flops");
  record.bytes = reader.number("bytes");
  record.samples_s = read_numbers(reader, "samples_s");
  record.stats_s = parse_stats(reader);
  record.gflops = read_throughput(reader, "gflops");
  record.gbps = read_throughput(reader, "gbps");
  if (auto residency = reader.string("residency")) {
    record.residency = parse_residency(*residency);
    if (!record.residency) {
      reader.error("residency",
                   fmt::format("unknown residency '{}' (expected l1, l2, l3 or dram)", *residency));
    }
  }
  record.fraction_of_ceiling = reader.number("fraction_of_ceiling");
  read_status(reader, record.status);
  record.message = reader.string("message").value_or("");
  record.extra = reader.unknown_fields();
  return record;
}

Json measurement_to_json(const MeasurementRecord& record) {
  Json out = Json::object();
  out["kernel"] = record.kernel;
  if (record.kernel_class) out["class"] = std::string(to_string(*record.kernel_class));
  out["device"] = record.device;
  out["backend"] = record.backend;
  if (record.precision) out["precision"] = std::string(to_string(*record.precision));
  out["emulated"] = record.emulated;
  if (!record.shape.empty()) out["shape"] = shape_to_json(record.shape);
  put_optional(out, "threads", record.threads);
  put_optional(out, "flops", record.flops);
  put_optional(out, "bytes", record.bytes);
  out["samples_s"] = record.samples_s;
  if (record.stats_s) out["stats_s"] = stats_to_json(*record.stats_s);
  if (record.gflops) out["gflops"] = throughput_to_json(*record.gflops);
  if (record.gbps) out["gbps"] = throughput_to_json(*record.gbps);
  if (record.residency) out["residency"] = std::string(to_string(*record.residency));
  put_optional(out, "fraction_of_ceiling", record.fraction_of_ceiling);
  out["status"] = std::string(to_string(record.status));
  if (!record.message.empty()) out["message"] = record.message;
  append_extra(out, record.extra);
  return out;
}

std::optional<RooflineRecord> parse_roof_record(FieldReader& parent, const char* key) {
  const Json* object = parent.object(key);
  if (object == nullptr) return std::nullopt;
  FieldReader reader(*object, parent.file(), parent.pointer_of(key), parent.diagnostics());
  RooflineRecord roof;
  roof.seconds = reader.number("seconds", true).value_or(0);
  roof.bound = reader.string("bound", true).value_or("");
  if (reader.has("bound") && roof.bound != "compute" && roof.bound != "memory") {
    reader.error("bound",
                 fmt::format("unknown bound '{}' (expected compute or memory)", roof.bound));
  }
  roof.peak_gflops = reader.number("peak_gflops", true).value_or(0);
  roof.bandwidth_gbps = reader.number("bandwidth_gbps", true).value_or(0);
  roof.compute_calibrated = reader.boolean("compute_calibrated").value_or(false);
  roof.bandwidth_calibrated = reader.boolean("bandwidth_calibrated").value_or(false);
  roof.stack_efficiency = reader.number("stack_efficiency");
  roof.extra = reader.unknown_fields();
  return roof;
}

Json roof_record_to_json(const RooflineRecord& roof) {
  Json out = Json::object();
  out["seconds"] = roof.seconds;
  out["bound"] = roof.bound;
  out["peak_gflops"] = roof.peak_gflops;
  out["bandwidth_gbps"] = roof.bandwidth_gbps;
  out["compute_calibrated"] = roof.compute_calibrated;
  out["bandwidth_calibrated"] = roof.bandwidth_calibrated;
  put_optional(out, "stack_efficiency", roof.stack_efficiency);
  append_extra(out, roof.extra);
  return out;
}

std::optional<WorkloadPrediction> parse_prediction(FieldReader& parent) {
  const Json* object = parent.object("roofline");
  if (object == nullptr) return std::nullopt;
  FieldReader reader(*object, parent.file(), parent.pointer_of("roofline"), parent.diagnostics());
  WorkloadPrediction prediction;
  prediction.calibration = reader.string("calibration").value_or("");
  prediction.calibrated = parse_roof_record(reader, "calibrated");
  prediction.theoretical = parse_roof_record(reader, "theoretical");
  prediction.message = reader.string("message").value_or("");
  prediction.extra = reader.unknown_fields();
  return prediction;
}

Json prediction_to_json(const WorkloadPrediction& prediction) {
  Json out = Json::object();
  if (!prediction.calibration.empty()) out["calibration"] = prediction.calibration;
  if (prediction.calibrated) out["calibrated"] = roof_record_to_json(*prediction.calibrated);
  if (prediction.theoretical) out["theoretical"] = roof_record_to_json(*prediction.theoretical);
  if (!prediction.message.empty()) out["message"] = prediction.message;
  append_extra(out, prediction.extra);
  return out;
}

LayerRecord parse_layer_record(FieldReader& reader) {
  LayerRecord layer;
  layer.name = reader.string("name", true).value_or("");
  layer.kind = reader.string("kind", true).value_or("");
  layer.flops = reader.number("flops", true).value_or(0);
  layer.bytes = reader.number("bytes", true).value_or(0);
  layer.implementation = reader.string("implementation");
  layer.samples_s = read_numbers(reader, "samples_s");
  layer.stats_s = parse_stats(reader);
  layer.roofline = parse_prediction(reader);
  layer.extra = reader.unknown_fields();
  return layer;
}

Json layer_record_to_json(const LayerRecord& layer) {
  Json out = Json::object();
  out["name"] = layer.name;
  out["kind"] = layer.kind;
  out["flops"] = layer.flops;
  out["bytes"] = layer.bytes;
  put_optional(out, "implementation", layer.implementation);
  out["samples_s"] = layer.samples_s;
  if (layer.stats_s) out["stats_s"] = stats_to_json(*layer.stats_s);
  if (layer.roofline) out["roofline"] = prediction_to_json(*layer.roofline);
  append_extra(out, layer.extra);
  return out;
}

WorkloadRecord parse_workload_record(FieldReader& reader) {
  WorkloadRecord record;
  record.workload = reader.string("workload", true).value_or("");
  record.device = reader.string("device", true).value_or("");
  record.backend = reader.string("backend", true).value_or("");
  if (auto precision = reader.string("precision", true)) {
    if (auto parsed = parse_precision(*precision)) {
      record.precision = *parsed;
    } else {
      reader.error("precision", fmt::format("unknown precision '{}' (expected one of {})",
                                            *precision, precision_names()));
    }
  }
  if (auto batch = reader.integer("batch", true)) {
    if (*batch < 1) reader.error("batch", fmt::format("must be at least 1, got {}", *batch));
    record.batch = *batch;
  }
  if (const Json* input = reader.object("input")) {
    FieldReader input_reader(*input, reader.file(), reader.pointer_of("input"),
                             reader.diagnostics());
    TensorShape shape;
    shape.channels = input_reader.integer("channels", true).value_or(0);
    shape.height = input_reader.integer("height", true).value_or(0);
    shape.width = input_reader.integer("width", true).value_or(0);
    record.input = shape;
  }
  record.threads = reader.integer("threads");
  record.flops = reader.number("flops").value_or(0);
  record.bytes = reader.number("bytes").value_or(0);
  record.samples_s = read_numbers(reader, "samples_s");
  record.stats_s = parse_stats(reader);
  record.images_per_s = read_throughput(reader, "images_per_s");
  record.roofline = parse_prediction(reader);
  if (const Json* energy = reader.object("energy")) {
    FieldReader energy_reader(*energy, reader.file(), reader.pointer_of("energy"),
                              reader.diagnostics());
    EnergyRecord parsed;
    parsed.joules_per_image = energy_reader.number("joules_per_image");
    parsed.counter = energy_reader.string("counter").value_or("");
    parsed.message = energy_reader.string("message").value_or("");
    parsed.extra = energy_reader.unknown_fields();
    record.energy = parsed;
  }
  if (const Json* layers = reader.array("layers")) {
    for (std::size_t i = 0; i < layers->size(); ++i) {
      FieldReader layer_reader((*layers)[i], reader.file(),
                               pointer_append(reader.pointer_of("layers"), i),
                               reader.diagnostics());
      if (layer_reader.valid()) record.layers.push_back(parse_layer_record(layer_reader));
    }
  }
  read_status(reader, record.status);
  record.message = reader.string("message").value_or("");
  record.extra = reader.unknown_fields();
  return record;
}

Json workload_record_to_json(const WorkloadRecord& record) {
  Json out = Json::object();
  out["workload"] = record.workload;
  out["device"] = record.device;
  out["backend"] = record.backend;
  out["precision"] = std::string(to_string(record.precision));
  out["batch"] = record.batch;
  if (record.input) {
    out["input"] = Json::object({{"channels", record.input->channels},
                                 {"height", record.input->height},
                                 {"width", record.input->width}});
  }
  put_optional(out, "threads", record.threads);
  out["flops"] = record.flops;
  out["bytes"] = record.bytes;
  out["samples_s"] = record.samples_s;
  if (record.stats_s) out["stats_s"] = stats_to_json(*record.stats_s);
  if (record.images_per_s) out["images_per_s"] = throughput_to_json(*record.images_per_s);
  if (record.roofline) out["roofline"] = prediction_to_json(*record.roofline);
  if (record.energy) {
    Json energy = Json::object();
    put_optional(energy, "joules_per_image", record.energy->joules_per_image);
    if (!record.energy->counter.empty()) energy["counter"] = record.energy->counter;
    if (!record.energy->message.empty()) energy["message"] = record.energy->message;
    append_extra(energy, record.energy->extra);
    out["energy"] = energy;
  }
  out["status"] = std::string(to_string(record.status));
  if (!record.message.empty()) out["message"] = record.message;
  Json layers = Json::array();
  for (const LayerRecord& layer : record.layers) layers.push_back(layer_record_to_json(layer));
  out["layers"] = layers;
  append_extra(out, record.extra);
  return out;
}

// ^[a-z0-9_]+$ (ids) or ^[A-Za-z0-9_]+$ (power modes).
bool is_word(std::string_view text, bool capitals) {
  if (text.empty()) return false;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (!(std::islower(byte) || std::isdigit(byte) || c == '_' ||
          (capitals && std::isupper(byte)))) {
      return false;
    }
  }
  return true;
}

bool digits_at(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return false;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(MeasurementStatus status) { return kStatusNames.name(status); }

std::optional<MeasurementStatus> parse_measurement_status(std::string_view name) {
  return kStatusNames.parse(name);
}

std::string_view to_string(Residency residency) { return kResidencyNames.name(residency); }

std::optional<Residency> parse_residency(std::string_view name) {
  return kResidencyNames.parse(name);
}

std::string_view to_string(KernelClass kind) { return kKernelClassNames.name(kind); }

std::optional<KernelClass> parse_kernel_class(std::string_view name) {
  return kKernelClassNames.parse(name);
}

KernelClass kernel_class_of(const MeasurementRecord& record) {
  return record.kernel_class ? *record.kernel_class : classify_kernel(record.kernel);
}

KernelClass classify_kernel(std::string_view kernel_id) {
  // BLAS names: a one-letter type, then gemm (sgemm, dgemm, hgemm, cgemm, zgemm).
  auto blas_gemm = [](const std::string& word) {
    return word.size() == 5 && word.compare(1, 4, "gemm") == 0 &&
           std::string_view("sdhcz").find(word[0]) != std::string_view::npos;
  };
  bool copy = false;
  bool memcpy_word = false;
  bool host_transfer = false;
  for (const std::string& word : id_words(kernel_id)) {
    if (word == "gemm" || word == "matmul" || blas_gemm(word)) return KernelClass::gemm;
    if (word == "fma") return KernelClass::peak_fma;
    if (word == "stream") return KernelClass::stream;
    if (word == "copy") copy = true;
    if (word == "memcpy") memcpy_word = true;
    if (word == "h2d" || word == "d2h") host_transfer = true;
  }
  if (memcpy_word && host_transfer) return KernelClass::transfer;
  if (copy || memcpy_word) return KernelClass::copy;
  return KernelClass::other;
}

std::vector<std::string> id_words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(word);
  return words;
}

TrialStats TrialStats::from(const SampleStats& stats) {
  TrialStats out;
  out.min = stats.min;
  out.median = stats.median;
  out.mean = stats.mean;
  out.max = stats.max;
  out.stddev = stats.stddev;
  out.cv = stats.cv;
  return out;
}

std::string CalibrationProfile::recorded_model() const {
  if (device_type != DeviceType::cpu && !devices.empty() && devices.front().name) {
    return *devices.front().name;
  }
  return host.cpu_model.value_or("");
}

const BackendInfo* CalibrationProfile::find_backend(std::string_view name) const {
  for (const BackendInfo& backend : backends) {
    if (backend.name == name) return &backend;
  }
  return nullptr;
}

bool is_utc_timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fraction]Z
  if (text.size() < 20 || text.back() != 'Z') return false;
  if (!digits_at(text, 0, 4) || text[4] != '-' || !digits_at(text, 5, 2) || text[7] != '-' ||
      !digits_at(text, 8, 2) || text[10] != 'T' || !digits_at(text, 11, 2) || text[13] != ':' ||
      !digits_at(text, 14, 2) || text[16] != ':' || !digits_at(text, 17, 2)) {
    return false;
  }
  if (text.size() == 20) return true;
  return text[19] == '.' && text.size() > 21 && digits_at(text, 20, text.size() - 21);
}

std::string timestamp_stem(std::string_view utc) {
  if (!is_utc_timestamp(utc)) {
    throw DataError(
        "", "",
        fmt::format("'{}' is not a UTC timestamp (expected e.g. 2025-11-16T10:04:26Z)", utc));
  }
  std::string stem;
  for (char c : utc.substr(0, 19)) {
    if (c != '-' && c != ':') stem += c;
  }
  return stem + "Z";
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return text;
}

bool looks_like_profile(const Json& document) {
  return document.is_object() && document.contains("schema_version") &&
         document.contains("measurements");
}

CalibrationProfile parse_profile(const Json& document, const std::string& file,
                                 Diagnostics& diagnostics) {
  CalibrationProfile profile;
  FieldReader reader(document, file, "", diagnostics);
  if (!reader.valid()) return profile;

  if (auto version = reader.integer("schema_version", true)) {
    profile.schema_version = *version;
    if (*version < 1 || *version > kProfileSchemaVersion) {
      reader.error("schema_version",
                   fmt::format("unsupported profile schema version {} (this hwcal reads 1 to {})",
                               *version, kProfileSchemaVersion));
    }
  }
  if (const Json* tool = reader.object("tool", true)) {
    FieldReader tool_reader(*tool, file, reader.pointer_of("tool"), diagnostics);
    profile.tool.name = tool_reader.string("name", true).value_or("");
    profile.tool.version = tool_reader.string("version", true).value_or("");
    profile.tool.git_revision = tool_reader.string("git_revision").value_or("");
    profile.tool.extra = tool_reader.unknown_fields();
  }
  profile.hardware_id = reader.string("hardware_id").value_or("");
  if (reader.has("hardware_id") && !is_word(profile.hardware_id, false)) {
    reader.error("hardware_id",
                 fmt::format("hardware id '{}' must match ^[a-z0-9_]+$", profile.hardware_id));
  }
  if (auto type = reader.string("device_type", true)) {
    if (auto parsed = parse_device_type(*type)) {
      profile.device_type = *parsed;
    } else {
      reader.error("device_type", fmt::format("unknown device type '{}' (expected one of {})",
                                              *type, device_type_names()));
    }
  }
  profile.power_mode = reader.string("power_mode").value_or("");
  if (reader.has("power_mode") && !is_word(profile.power_mode, true)) {
    reader.error("power_mode", fmt::format("power mode '{}' must match ^[A-Za-z0-9_]+$ (nvpmodel's "
                                           "NAME verbatim)",
                                           profile.power_mode));
  }
  auto read_time = [&](const char* key, bool required) {
    auto value = reader.string(key, required);
    if (value && !is_utc_timestamp(*value)) {
      reader.error(key, fmt::format("'{}' is not a UTC timestamp (expected e.g. "
                                    "2025-11-16T10:04:26Z)",
                                    *value));
    }
    return value.value_or("");
  };
  profile.started_at = read_time("started_at", true);
  profile.finished_at = read_time("finished_at", false);
  if (const Json* host = reader.object("host")) {
    FieldReader host_reader(*host, file, reader.pointer_of("host"), diagnostics);
    profile.host = parse_host(host_reader);
  }
  if (const Json* devices = reader.array("devices")) {
    for (std::size_t i = 0; i < devices->size(); ++i) {
      FieldReader device_reader((*devices)[i], file,
                                pointer_append(reader.pointer_of("devices"), i), diagnostics);
      if (device_reader.valid()) profile.devices.push_back(parse_device(device_reader));
    }
  }
  if (const Json* backends = reader.object("backends")) {
    for (const auto& [name, value] : backends->items()) {
      FieldReader backend_reader(value, file, pointer_append(reader.pointer_of("backends"), name),
                                 diagnostics);
      if (!backend_reader.valid()) continue;
      BackendInfo backend;
      backend.name = name;
      backend.version = backend_reader.string("version");
      backend.extra = backend_reader.unknown_fields();
      profile.backends.push_back(backend);
    }
  }
  if (const Json* settings = reader.object("settings")) {
    FieldReader settings_reader(*settings, file, reader.pointer_of("settings"), diagnostics);
    profile.settings = parse_settings(settings_reader);
  }
  profile.warnings = reader.string_array("warnings").value_or(std::vector<std::string>{});
  if (const Json* source = reader.object("source")) {
    FieldReader source_reader(*source, file, reader.pointer_of("source"), diagnostics);
    ProfileSource parsed;
    parsed.format = source_reader.string("format", true).value_or("");
    parsed.file = source_reader.string("file", true).value_or("");
    parsed.extra = source_reader.unknown_fields();
    profile.source = parsed;
  }
  if (const Json* measurements = reader.array("measurements", true)) {
    profile.measurements.reserve(measurements->size());
    for (std::size_t i = 0; i < measurements->size(); ++i) {
      FieldReader record_reader((*measurements)[i], file,
                                pointer_append(reader.pointer_of("measurements"), i), diagnostics);
      if (record_reader.valid())
        profile.measurements.push_back(parse_measurement(record_reader, profile.schema_version));
    }
  }
  if (const Json* workloads = reader.array("workloads")) {
    for (std::size_t i = 0; i < workloads->size(); ++i) {
      FieldReader record_reader((*workloads)[i], file,
                                pointer_append(reader.pointer_of("workloads"), i), diagnostics);
      if (record_reader.valid()) profile.workloads.push_back(parse_workload_record(record_reader));
    }
  }
  profile.extra = reader.unknown_fields();
  return profile;
}

CalibrationProfile profile_from_json(const Json& document, const std::string& file) {
  Diagnostics diagnostics;
  CalibrationProfile profile = parse_profile(document, file, diagnostics);
  diagnostics.throw_first_error();
  return profile;
}

Json profile_to_json(const CalibrationProfile& profile) {
  Json out = Json::object();
  out["schema_version"] = profile.schema_version;
  Json tool = Json::object();
  tool["name"] = profile.tool.name;
  tool["version"] = profile.tool.version;
  if (!profile.tool.git_revision.empty()) tool["git_revision"] = profile.tool.git_revision;
  append_extra(tool, profile.tool.extra);
  out["tool"] = tool;
  if (!profile.hardware_id.empty()) out["hardware_id"] = profile.hardware_id;
  out["device_type"] = std::string(to_string(profile.device_type));
  if (!profile.power_mode.empty()) out["power_mode"] = profile.power_mode;
  out["started_at"] = profile.started_at;
  if (!profile.finished_at.empty()) out["finished_at"] = profile.finished_at;
  out["host"] = host_to_json(profile.host);
  Json devices = Json::array();
  for (const DeviceInfo& device : profile.devices) devices.push_back(device_to_json(device));
  out["devices"] = devices;
  Json backends = Json::object();
  for (const BackendInfo& backend : profile.backends) {
    Json item = Json::object();
    put_optional(item, "version", backend.version);
    append_extra(item, backend.extra);
    backends[backend.name] = item;
  }
  out["backends"] = backends;
  out["settings"] = settings_to_json(profile.settings);
  out["warnings"] = profile.warnings;
  if (profile.source) {
    Json source = Json::object();
    source["format"] = profile.source->format;
    source["file"] = profile.source->file;
    append_extra(source, profile.source->extra);
    out["source"] = source;
  }
  Json measurements = Json::array();
  for (const MeasurementRecord& record : profile.measurements) {
    measurements.push_back(measurement_to_json(record));
  }
  out["measurements"] = measurements;
  if (!profile.workloads.empty()) {
    Json workloads = Json::array();
    for (const WorkloadRecord& record : profile.workloads) {
      workloads.push_back(workload_record_to_json(record));
    }
    out["workloads"] = workloads;
  }
  append_extra(out, profile.extra);
  return out;
}

}  // namespace hwcal
