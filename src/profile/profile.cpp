#include "profile/profile.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <ctime>

#include <fmt/format.h>

#include "base/enum_table.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/json/json_reader.hpp"
#include "json/json_fields.hpp"

namespace hwcal {
namespace {

constexpr EnumTable<MeasurementStatus, 4> kStatusNames({"passed", "unsupported", "skipped",
                                                        "error"});
constexpr EnumTable<Residency, 4> kResidencyNames({"l1", "l2", "l3", "dram"});
constexpr EnumTable<KernelClass, 6> kKernelClassNames({"gemm", "peak_fma", "stream", "copy",
                                                       "transfer", "other"});

// Clocks by name, in MHz.
const NumberMapCodec kClocksCodec{"a number of MHz"};

const FunctionCodec<std::vector<CacheLevel>> kCachesCodec{parse_caches, caches_to_json, true};

const EnumCodec<Precision> kPrecisionCodec{parse_precision, to_string, "precision",
                                           [] { return "one of " + precision_names(); }};
const EnumCodec<DeviceType> kDeviceTypeCodec{parse_device_type, to_string, "device type",
                                             [] { return "one of " + device_type_names(); }};
const EnumCodec<KernelClass> kKernelClassCodec{parse_kernel_class, to_string, "kernel class",
                                               [] { return kKernelClassNames.alternatives(); }};
const EnumCodec<Residency> kResidencyCodec{parse_residency, to_string, "residency",
                                           [] { return kResidencyNames.alternatives(); }};
const EnumCodec<MeasurementStatus> kStatusCodec{parse_measurement_status, to_string, "status",
                                                [] { return kStatusNames.alternatives(); }};

const JsonFields<Throughput> kThroughputFields{
    field("best", &Throughput::best, Presence::required),
    field("median", &Throughput::median),
};

const JsonFields<HostInfo> kHostFields{
    &HostInfo::extra,
    {
        field("cpu_model", &HostInfo::cpu_model),
        field("cpu_vendor", &HostInfo::cpu_vendor),
        field("architecture", &HostInfo::architecture),
        field("physical_cores", &HostInfo::physical_cores),
        field("logical_cores", &HostInfo::logical_cores),
        field("caches", &HostInfo::caches, Presence::optional, kCachesCodec),
        field("memory_bytes", &HostInfo::memory_bytes),
        field("os", &HostInfo::os),
        field("kernel", &HostInfo::kernel),
        field("board", &HostInfo::board),
        field("governor", &HostInfo::governor),
        field("clocks_mhz", &HostInfo::clocks_mhz, Presence::optional, kClocksCodec),
    }};

const JsonFields<DeviceInfo> kDeviceFields{
    &DeviceInfo::extra,
    {
        field("id", &DeviceInfo::id, Presence::required),
        field("name", &DeviceInfo::name),
        field("compute_capability", &DeviceInfo::compute_capability),
        field("multiprocessors", &DeviceInfo::multiprocessors),
        field("clocks_mhz", &DeviceInfo::clocks_mhz, Presence::optional, kClocksCodec),
        field("memory_bytes", &DeviceInfo::memory_bytes),
        field("memory_bus_width_bits", &DeviceInfo::memory_bus_width_bits),
        field("driver_version", &DeviceInfo::driver_version),
        field("runtime_version", &DeviceInfo::runtime_version),
    }};

const JsonFields<RunSettings> kSettingsFields{
    &RunSettings::extra,
    {
        field("plan", &RunSettings::plan),
        field("warmup_runs", &RunSettings::warmup_runs),
        field("trials", &RunSettings::trials),
        field("threads", &RunSettings::threads),
        field("time_budget_s", &RunSettings::time_budget_s),
    }};

const JsonFields<MeasurementShape> kShapeFields{
    &MeasurementShape::extra,
    {
        field("m", &MeasurementShape::m),
        field("n", &MeasurementShape::n),
        field("k", &MeasurementShape::k),
        field("array_bytes", &MeasurementShape::array_bytes),
    }};

const JsonFields<TrialStats> kStatsFields{
    field("min", &TrialStats::min, Presence::required),
    field("median", &TrialStats::median),
    field("mean", &TrialStats::mean, Presence::required),
    field("max", &TrialStats::max, Presence::required),
    field("stddev", &TrialStats::stddev, Presence::required),
    field("cv", &TrialStats::cv, Presence::required),
};

// Schema 1 files have no `class`; from schema 2 on it is required.
JsonFields<MeasurementRecord> measurement_fields(Presence kernel_class) {
  using R = MeasurementRecord;
  return {&R::extra,
          {
              field("kernel", &R::kernel, Presence::required),
              field("class", &R::kernel_class, kernel_class, kKernelClassCodec),
              field("device", &R::device, Presence::required),
              field("backend", &R::backend, Presence::required),
              field("precision", &R::precision, Presence::optional, kPrecisionCodec),
              field("emulated", &R::emulated, Presence::always),
              field("shape", &R::shape, Presence::optional, kShapeFields),
              field("threads", &R::threads),
              field("flops", &R::flops),
              field("bytes", &R::bytes),
              field("samples_s", &R::samples_s, Presence::always),
              field("stats_s", &R::stats_s, Presence::optional, kStatsFields),
              field("gflops", &R::gflops, Presence::optional, kThroughputFields),
              field("gbps", &R::gbps, Presence::optional, kThroughputFields),
              field("residency", &R::residency, Presence::optional, kResidencyCodec),
              field("fraction_of_ceiling", &R::fraction_of_ceiling),
              field("status", &R::status, Presence::required, kStatusCodec),
              field("message", &R::message),
          }};
}

const JsonFields<MeasurementRecord> kMeasurementFieldsV1 = measurement_fields(Presence::optional);
const JsonFields<MeasurementRecord> kMeasurementFields = measurement_fields(Presence::required);

const JsonFields<RooflineRecord> kRoofFields{
    &RooflineRecord::extra,
    {
        field("seconds", &RooflineRecord::seconds, Presence::required),
        field("bound", &RooflineRecord::bound, Presence::required)
            .checked_if_present([](FieldReader& reader, const RooflineRecord& roof) {
              if (roof.bound != "compute" && roof.bound != "memory") {
                reader.error("bound",
                             unknown_name_message("bound", roof.bound, "compute or memory"));
              }
            }),
        field("peak_gflops", &RooflineRecord::peak_gflops, Presence::required),
        field("bandwidth_gbps", &RooflineRecord::bandwidth_gbps, Presence::required),
        field("compute_calibrated", &RooflineRecord::compute_calibrated, Presence::always),
        field("bandwidth_calibrated", &RooflineRecord::bandwidth_calibrated, Presence::always),
        field("stack_efficiency", &RooflineRecord::stack_efficiency),
    }};

const JsonFields<WorkloadPrediction> kPredictionFields{
    &WorkloadPrediction::extra,
    {
        field("calibration", &WorkloadPrediction::calibration),
        field("calibrated", &WorkloadPrediction::calibrated, Presence::optional, kRoofFields),
        field("theoretical", &WorkloadPrediction::theoretical, Presence::optional, kRoofFields),
        field("message", &WorkloadPrediction::message),
    }};

const JsonFields<LayerRecord> kLayerFields{
    &LayerRecord::extra,
    {
        field("name", &LayerRecord::name, Presence::required),
        field("kind", &LayerRecord::kind, Presence::required),
        field("flops", &LayerRecord::flops, Presence::required),
        field("bytes", &LayerRecord::bytes, Presence::required),
        field("implementation", &LayerRecord::implementation),
        field("samples_s", &LayerRecord::samples_s, Presence::always),
        field("stats_s", &LayerRecord::stats_s, Presence::optional, kStatsFields),
        field("roofline", &LayerRecord::roofline, Presence::optional, kPredictionFields),
    }};

const JsonFields<TensorShape> kInputFields{
    field("channels", &TensorShape::channels, Presence::required),
    field("height", &TensorShape::height, Presence::required),
    field("width", &TensorShape::width, Presence::required),
};

const JsonFields<EnergyRecord> kEnergyFields{
    &EnergyRecord::extra,
    {
        field("joules_per_image", &EnergyRecord::joules_per_image),
        field("counter", &EnergyRecord::counter),
        field("message", &EnergyRecord::message),
    }};

const JsonFields<WorkloadRecord> kWorkloadFields{
    &WorkloadRecord::extra,
    {
        field("workload", &WorkloadRecord::workload, Presence::required),
        field("device", &WorkloadRecord::device, Presence::required),
        field("backend", &WorkloadRecord::backend, Presence::required),
        field("precision", &WorkloadRecord::precision, Presence::required, kPrecisionCodec),
        field("batch", &WorkloadRecord::batch, Presence::required)
            .checked([](FieldReader& reader, const WorkloadRecord& record) {
              if (record.batch < 1) {
                reader.error("batch", fmt::format("must be at least 1, got {}", record.batch));
              }
            }),
        field("input", &WorkloadRecord::input, Presence::optional, kInputFields),
        field("threads", &WorkloadRecord::threads),
        field("flops", &WorkloadRecord::flops, Presence::always),
        field("bytes", &WorkloadRecord::bytes, Presence::always),
        field("samples_s", &WorkloadRecord::samples_s, Presence::always),
        field("stats_s", &WorkloadRecord::stats_s, Presence::optional, kStatsFields),
        field("images_per_s", &WorkloadRecord::images_per_s, Presence::optional, kThroughputFields),
        field("roofline", &WorkloadRecord::roofline, Presence::optional, kPredictionFields),
        field("energy", &WorkloadRecord::energy, Presence::optional, kEnergyFields),
        field("status", &WorkloadRecord::status, Presence::required, kStatusCodec),
        field("message", &WorkloadRecord::message),
        field("layers", &WorkloadRecord::layers, Presence::always, kLayerFields),
    }};

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

const JsonFields<BackendInfo> kBackendFields{&BackendInfo::extra,
                                             {field("version", &BackendInfo::version)}};

const JsonFields<ToolInfo> kToolFields{&ToolInfo::extra,
                                       {
                                           field("name", &ToolInfo::name, Presence::required),
                                           field("version", &ToolInfo::version, Presence::required),
                                           field("git_revision", &ToolInfo::git_revision),
                                       }};

const JsonFields<ProfileSource> kSourceFields{
    &ProfileSource::extra,
    {
        field("format", &ProfileSource::format, Presence::required),
        field("file", &ProfileSource::file, Presence::required),
    }};

void check_timestamp(FieldReader& reader, const char* key, const std::string& value) {
  if (!is_utc_timestamp(value)) {
    reader.error(key, fmt::format("'{}' is not a UTC timestamp (expected e.g. "
                                  "2025-11-16T10:04:26Z)",
                                  value));
  }
}

const JsonFields<CalibrationProfile>& profile_fields() {
  using P = CalibrationProfile;
  // The measurements' table depends on the schema version, read before them.
  JsonField<P> measurements =
      field("measurements", &P::measurements, Presence::required, kMeasurementFields);
  measurements.read = [](FieldReader& reader, P& profile) {
    const ArrayCodec<MeasurementRecord> codec{profile.schema_version >= 2 ? kMeasurementFields
                                                                          : kMeasurementFieldsV1};
    auto read = codec.read(reader, "measurements", true, &profile.measurements);
    if (read) profile.measurements = std::move(*read);
    return read.has_value();
  };
  static const JsonFields<P> fields{
      &P::extra,
      {
          field("schema_version", &P::schema_version, Presence::required)
              .checked([](FieldReader& reader, const P& profile) {
                if (profile.schema_version < 1 || profile.schema_version > kProfileSchemaVersion) {
                  reader.error("schema_version",
                               fmt::format("unsupported profile schema version {} (this hwcal "
                                           "reads 1 to {})",
                                           profile.schema_version, kProfileSchemaVersion));
                }
              }),
          field("tool", &P::tool, Presence::required, kToolFields),
          field("hardware_id", &P::hardware_id)
              .checked_if_present([](FieldReader& reader, const P& profile) {
                if (!is_word(profile.hardware_id, false)) {
                  reader.error("hardware_id", fmt::format("hardware id '{}' must match "
                                                          "^[a-z0-9_]+$",
                                                          profile.hardware_id));
                }
              }),
          field("device_type", &P::device_type, Presence::required, kDeviceTypeCodec),
          field("power_mode", &P::power_mode)
              .checked_if_present([](FieldReader& reader, const P& profile) {
                if (!is_word(profile.power_mode, true)) {
                  reader.error("power_mode",
                               fmt::format("power mode '{}' must match ^[A-Za-z0-9_]+$ "
                                           "(nvpmodel's NAME verbatim)",
                                           profile.power_mode));
                }
              }),
          field("started_at", &P::started_at, Presence::required)
              .checked([](FieldReader& reader, const P& profile) {
                check_timestamp(reader, "started_at", profile.started_at);
              }),
          field("finished_at", &P::finished_at).checked([](FieldReader& reader, const P& profile) {
            check_timestamp(reader, "finished_at", profile.finished_at);
          }),
          field("host", &P::host, Presence::always, kHostFields),
          field("devices", &P::devices, Presence::always, kDeviceFields),
          field("backends", &P::backends, Presence::always,
                NamedObjectsCodec<BackendInfo>{kBackendFields, &BackendInfo::name}),
          field("settings", &P::settings, Presence::always, kSettingsFields),
          field("warnings", &P::warnings, Presence::always),
          field("source", &P::source, Presence::optional, kSourceFields),
          measurements,
          field("workloads", &P::workloads, Presence::optional, kWorkloadFields),
      }};
  return fields;
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

std::string profile_stem(const CalibrationProfile& profile, std::string_view content) {
  std::string stem = timestamp_stem(profile.started_at);
  std::string host;
  if (profile.extra.is_object()) {
    auto conditions = profile.extra.find("conditions");
    if (conditions != profile.extra.end() && conditions->is_object()) {
      auto name = conditions->find("host_name");
      if (name != conditions->end() && name->is_string()) host = name->get<std::string>();
    }
  }
  for (char& c : host) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '-';
    if (!plain) c = '-';
  }
  if (host.size() > 63) host.resize(63);
  if (!host.empty() && host.find_first_not_of(".-") != std::string::npos) stem += "_" + host;
  std::uint64_t hash = 1469598103934665603ULL;  // FNV-1a
  for (unsigned char c : content) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{}_{:08x}", stem, static_cast<std::uint32_t>(hash ^ (hash >> 32)));
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
  if (reader.valid()) profile_fields().read(reader, profile);
  return profile;
}

CalibrationProfile profile_from_json(const Json& document, const std::string& file) {
  Diagnostics diagnostics;
  CalibrationProfile profile = parse_profile(document, file, diagnostics);
  diagnostics.throw_first_error();
  return profile;
}

Json profile_to_json(const CalibrationProfile& profile) { return profile_fields().write(profile); }

}  // namespace hwcal
