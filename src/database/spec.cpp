#include "hwcal/database/spec.hpp"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/json/json_reader.hpp"
#include "json/json_fields.hpp"

namespace hwcal {
namespace {

constexpr std::array<std::string_view, 2> kPlatforms = {"x86_64", "aarch64"};
constexpr std::array<std::string_view, 7> kAttachments = {"soc", "pcie",   "m2",   "mpcie",
                                                          "usb", "module", "cloud"};

// ---- reading ---------------------------------------------------------------------------------

PeakDerivation parse_derivation(const Json& object, const std::string& file,
                                const std::string& pointer, Diagnostics& diagnostics) {
  PeakDerivation derivation;
  FieldReader reader(object, file, pointer, diagnostics);
  if (!reader.valid()) return derivation;
  auto read_term = [&](FieldReader& term_reader) {
    DerivationTerm term;
    term.unit = term_reader.string("unit", true).value_or("");
    term.units = term_reader.number("units", true).value_or(0);
    term.ops_per_cycle_per_unit = term_reader.number("ops_per_cycle_per_unit", true).value_or(0);
    term.clock_mhz = term_reader.number("clock_mhz", true).value_or(0);
    return term;
  };
  if (const Json* terms = reader.array("terms")) {
    derivation.written_as_terms = true;
    for (std::size_t i = 0; i < terms->size(); ++i) {
      FieldReader term_reader((*terms)[i], file, pointer_append(reader.pointer_of("terms"), i),
                              diagnostics);
      if (term_reader.valid()) derivation.terms.push_back(read_term(term_reader));
    }
    if (terms->empty()) reader.error("terms", "expected at least one term");
  } else if (!reader.has("terms")) {
    derivation.terms.push_back(read_term(reader));
  }
  derivation.clock_source = reader.string("clock_source").value_or("");
  if (auto origin = reader.string("origin")) {
    derivation.origin = parse_peak_origin(*origin);
    if (!derivation.origin) {
      reader.error("origin", unknown_name_message("origin", *origin, peak_origin_names()));
    }
  }
  derivation.note = reader.string("note").value_or("");
  derivation.extra = reader.unknown_fields();
  return derivation;
}

DerivationTable parse_derivation_table(const Json& object, const std::string& file,
                                       const std::string& pointer, Diagnostics& diagnostics) {
  DerivationTable table;
  for (const auto& [key, value] : object.items()) {
    std::string item_pointer = pointer_append(pointer, key);
    auto precision = parse_precision(key);
    if (!precision) {
      diagnostics.error(
          file, item_pointer,
          fmt::format("unknown precision '{}' (expected one of {})", key, precision_names()));
      continue;
    }
    table[*precision] = parse_derivation(value, file, item_pointer, diagnostics);
  }
  return table;
}

CalibrationProfiles parse_calibration_profiles(const Json& object, const std::string& file,
                                               const std::string& pointer,
                                               Diagnostics& diagnostics) {
  CalibrationProfiles profiles;
  FieldReader reader(object, file, pointer, diagnostics);
  if (!reader.valid()) return profiles;
  profiles.default_profile = reader.string("default").value_or("");
  if (const Json* modes = reader.object("power_modes")) {
    for (const auto& [mode, paths] : modes->items()) {
      std::string mode_pointer = pointer_append(reader.pointer_of("power_modes"), mode);
      if (!paths.is_array()) {
        diagnostics.error(file, mode_pointer,
                          fmt::format("expected an array of paths, got {}", json_type_name(paths)));
        continue;
      }
      auto& list = profiles.power_modes[mode];
      for (std::size_t i = 0; i < paths.size(); ++i) {
        if (!paths[i].is_string()) {
          diagnostics.error(file, pointer_append(mode_pointer, i), "expected a path string");
          continue;
        }
        list.push_back(paths[i].get<std::string>());
      }
    }
  }
  profiles.extra = reader.unknown_fields();
  return profiles;
}

// ---- writing ---------------------------------------------------------------------------------

Json derivation_to_json(const PeakDerivation& derivation) {
  Json out = Json::object();
  auto term_to_json = [](Json& target, const DerivationTerm& term) {
    target["unit"] = term.unit;
    target["units"] = term.units;
    target["ops_per_cycle_per_unit"] = term.ops_per_cycle_per_unit;
    target["clock_mhz"] = term.clock_mhz;
  };
  if (derivation.written_as_terms || derivation.terms.size() != 1) {
    Json terms = Json::array();
    for (const DerivationTerm& term : derivation.terms) {
      Json item = Json::object();
      term_to_json(item, term);
      terms.push_back(item);
    }
    out["terms"] = terms;
  } else {
    term_to_json(out, derivation.terms.front());
  }
  if (!derivation.clock_source.empty()) out["clock_source"] = derivation.clock_source;
  if (derivation.origin) out["origin"] = std::string(to_string(*derivation.origin));
  if (!derivation.note.empty()) out["note"] = derivation.note;
  append_extra(out, derivation.extra);
  return out;
}

Json derivation_table_to_json(const DerivationTable& table) {
  Json out = Json::object();
  for (const auto& [precision, derivation] : table) {
    out[std::string(to_string(precision))] = derivation_to_json(derivation);
  }
  return out;
}

Json calibration_profiles_to_json(const CalibrationProfiles& profiles) {
  Json out = Json::object();
  out["default"] = profiles.default_profile;
  out["power_modes"] = profiles.power_modes;
  append_extra(out, profiles.extra);
  return out;
}

// ---- the fields of each object, in the order they are written ----------------------------------

const FunctionCodec<PeakTable> kPeakTableCodec{parse_peak_table, peak_table_to_json};
const FunctionCodec<DerivationTable> kDerivationCodec{parse_derivation_table,
                                                      derivation_table_to_json};

// A member kept as the JSON object it is (a mapper's config).
struct ObjectJsonCodec {
  std::optional<Json> read(FieldReader& reader, std::string_view key, bool required,
                           const Json* /*type*/) const {
    const Json* object = reader.object(key, required);
    return object ? std::optional<Json>(*object) : std::nullopt;
  }
  Json write(const Json& value) const { return value; }
};

// measured_peaks_range: precision -> [min, max].
struct PeakRangesCodec {
  using Ranges = std::map<Precision, std::pair<double, double>>;
  std::optional<Ranges> read(FieldReader& reader, std::string_view key, bool required,
                             const Ranges* /*type*/) const {
    return read_members<Ranges>(
        reader, key, required,
        [&](Ranges& ranges, const std::string& name, const Json& value,
            const std::string& pointer) {
          auto precision = parse_precision(name);
          if (!precision) {
            reader.diagnostics().error(reader.file(), pointer,
                                       fmt::format("unknown precision '{}'", name));
          } else if (!value.is_array() || value.size() != 2 || !value[0].is_number() ||
                     !value[1].is_number()) {
            reader.diagnostics().error(reader.file(), pointer, "expected [min, max]");
          } else {
            ranges[*precision] = {value[0].get<double>(), value[1].get<double>()};
          }
        });
  }
  Json write(const Ranges& ranges) const {
    Json out = Json::object();
    for (const auto& [precision, range] : ranges) {
      out[std::string(to_string(precision))] = Json::array({range.first, range.second});
    }
    return out;
  }
};

// calibration_summary: the default mode's summary, then by_power_mode.
struct CalibrationSummaryCodec {
  std::optional<CalibrationSummary> read(FieldReader& reader, std::string_view key, bool required,
                                         const CalibrationSummary* /*type*/) const {
    const Json* summary = reader.object(key, required);
    if (summary == nullptr) return std::nullopt;
    const std::string pointer = reader.pointer_of(key);
    const std::string& file = reader.file();
    Diagnostics& diagnostics = reader.diagnostics();
    CalibrationSummary parsed;
    static_cast<ModeSummary&>(parsed) = parse_mode_summary(*summary, file, pointer, diagnostics);
    auto by_mode = summary->find("by_power_mode");
    if (by_mode != summary->end()) {
      if (!by_mode->is_object()) {
        diagnostics.error(file, pointer_append(pointer, "by_power_mode"), "expected an object");
      } else {
        for (const auto& [mode, value] : by_mode->items()) {
          parsed.by_power_mode[mode] = parse_mode_summary(
              value, file, pointer_append(pointer_append(pointer, "by_power_mode"), mode),
              diagnostics);
        }
      }
    }
    return parsed;
  }
  Json write(const CalibrationSummary& summary) const {
    Json out = mode_summary_to_json(summary);
    Json by_mode = Json::object();
    for (const auto& [mode, mode_summary] : summary.by_power_mode) {
      by_mode[mode] = mode_summary_to_json(mode_summary);
    }
    out["by_power_mode"] = by_mode;
    return out;
  }
};

const JsonFields<CacheLevel>& cache_fields() {
  using C = CacheLevel;
  static const JsonFields<C> fields{
      &C::extra,
      {
          field("level", &C::level, Presence::required),
          field("kind", &C::kind, Presence::required)
              .checked([](FieldReader& reader, const C& level) {
                if (!level.kind.empty() && level.kind != "data" && level.kind != "instruction" &&
                    level.kind != "unified") {
                  reader.error("kind", unknown_name_message("cache kind", level.kind,
                                                            "data, instruction or unified"));
                }
              }),
          field("size_kib", &C::size_kib, Presence::required),
          field("line_bytes", &C::line_bytes),
          field("count", &C::count),
          field("scope", &C::scope),
      }};
  return fields;
}

const JsonFields<PowerMode>& power_mode_fields() {
  using M = PowerMode;
  static const JsonFields<M> fields{
      &M::extra,
      {
          field("nvpmodel_id", &M::nvpmodel_id),
          field("clocks_mhz", &M::clocks_mhz, Presence::optional, NumberMapCodec{}),
          field("online_cpus", &M::online_cpus),
          field("tdp_watts", &M::tdp_watts),
          field("theoretical_peaks", &M::theoretical_peaks, Presence::optional, kPeakTableCodec),
          field("peak_bandwidth_gbps", &M::peak_bandwidth_gbps),
          field("peak_derivation", &M::peak_derivation, Presence::optional, kDerivationCodec),
      }};
  return fields;
}

const JsonFields<ModeSummary>& mode_summary_fields() {
  using M = ModeSummary;
  // by_power_mode belongs to the top-level summary (CalibrationSummaryCodec reads it): read here
  // only so that it is not an unknown field, and never written.
  JsonField<M> by_power_mode{
      "by_power_mode",
      [](FieldReader& reader, M&) { return reader.any("by_power_mode") != nullptr; },
      [](Json&, const M&) {}};
  // quality is derived (summary.hpp: runs_quality) and compared whole by --check: kept as JSON.
  JsonField<M> quality{"quality",
                       [](FieldReader& reader, M& summary) {
                         const Json* value = reader.any("quality");
                         if (value != nullptr) summary.quality = *value;
                         return value != nullptr;
                       },
                       [](Json& out, const M& summary) {
                         if (!summary.quality.is_null()) out["quality"] = summary.quality;
                       }};
  static const JsonFields<M> fields{
      &M::extra,
      {
          field("measured_peaks", &M::measured_peaks, Presence::always, kPeakTableCodec),
          field("measured_peaks_range", &M::measured_peaks_range, Presence::optional,
                PeakRangesCodec{}),
          field("arithmetic_ceiling", &M::arithmetic_ceiling, Presence::optional, kPeakTableCodec),
          field("efficiency", &M::efficiency, Presence::always, kPeakTableCodec),
          field("measured_bandwidth_gbps", &M::measured_bandwidth_gbps),
          field("bandwidth_efficiency", &M::bandwidth_efficiency),
          field("avg_efficiency", &M::avg_efficiency),
          field("calibration_date", &M::calibration_date, Presence::always),
          field("power_mode", &M::power_mode, Presence::always),
          field("framework", &M::framework, Presence::always),
          field("profile_path", &M::profile_path, Presence::always),
          field("runs", &M::runs, Presence::always),
          quality,
          by_power_mode,
      }};
  return fields;
}

// Each source's `covers` must name fields of the same file: the document is at hand only here.
void check_covers(FieldReader& reader, const HardwareSpec& spec) {
  const Json& document = *reader.json();
  const Json& sources = document.at("sources");
  std::size_t parsed = 0;  // sources that were objects, in spec.sources
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (!sources[i].is_object()) continue;
    const Source& source = (*spec.sources)[parsed++];
    const std::string covers =
        pointer_append(pointer_append(reader.pointer_of("sources"), i), "covers");
    for (std::size_t j = 0; j < source.covers.size(); ++j) {
      const std::string& cover = source.covers[j];
      std::string where = pointer_append(covers, j);
      try {
        if (!document.contains(Json::json_pointer(cover))) {
          reader.diagnostics().error(reader.file(), where,
                                     fmt::format("'{}' names no field of this file", cover));
        }
      } catch (const Json::exception&) {
        reader.diagnostics().error(reader.file(), where,
                                   fmt::format("'{}' is not a JSON pointer (expected e.g. "
                                               "/theoretical_peaks/fp32)",
                                               cover));
      }
    }
  }
}

// The DRAM bandwidth: a positive number, or absent when peak_bandwidth_unknown says why.
JsonField<HardwareSpec> peak_bandwidth_field() {
  JsonField<HardwareSpec> out;
  out.name = "peak_bandwidth_gbps";
  out.read = [](FieldReader& reader, HardwareSpec& spec) {
    if (!reader.has("peak_bandwidth_gbps")) {
      // An accelerator may have no external memory of its own; a board has no bandwidth.
      const bool optional = spec.is_board() || is_accelerator_kind(spec.device_type);
      if (!optional && !reader.has("peak_bandwidth_unknown")) {
        reader.error("peak_bandwidth_gbps",
                     "missing: give the DRAM bandwidth in GB/s, or peak_bandwidth_unknown with the "
                     "reason it is not known");
      }
      return false;
    }
    auto value = reader.number("peak_bandwidth_gbps", true);
    if (!value) return false;
    spec.peak_bandwidth_gbps = *value;
    if (*value <= 0) {
      reader.error("peak_bandwidth_gbps",
                   fmt::format("expected a positive number of GB/s, got {} (where it is not "
                               "known, give peak_bandwidth_unknown with the reason instead)",
                               *value));
    }
    return true;
  };
  out.write = [](Json& json, const HardwareSpec& spec) {
    if ((spec.peak_bandwidth_unknown || spec.is_board() || is_accelerator_kind(spec.device_type)) &&
        spec.peak_bandwidth_gbps <= 0) {
      return;
    }
    json["peak_bandwidth_gbps"] = spec.peak_bandwidth_gbps;
  };
  return out;
}

// The device's peaks: required of every kind but a board, which has none of its own (its parts
// do). Written whenever read, so that CPU and GPU entries keep their exact shape.
JsonField<HardwareSpec> theoretical_peaks_field() {
  JsonField<HardwareSpec> out;
  out.name = "theoretical_peaks";
  out.read = [](FieldReader& reader, HardwareSpec& spec) {
    const bool board = spec.is_board();
    if (board && !reader.has("theoretical_peaks")) return false;
    auto read = kPeakTableCodec.read(reader, "theoretical_peaks", !board,
                                     static_cast<const PeakTable*>(nullptr));
    if (!read) return false;
    spec.theoretical_peaks = std::move(*read);
    return true;
  };
  out.write = [](Json& json, const HardwareSpec& spec) {
    if (spec.is_board() && spec.theoretical_peaks.empty()) return;
    json["theoretical_peaks"] = peak_table_to_json(spec.theoretical_peaks);
  };
  return out;
}

const JsonFields<BoardPart>& board_part_fields() {
  using P = BoardPart;
  static const JsonFields<P> fields{
      &P::extra,
      {
          field("id", &P::id, Presence::required),
          field("role", &P::role),
          field("count", &P::count).checked([](FieldReader& reader, const P& part) {
            if (*part.count < 1) {
              reader.error("count",
                           fmt::format("expected a count of at least 1, got {}", *part.count));
            }
          }),
      }};
  return fields;
}

const JsonFields<HardwareSpec>& spec_fields() {
  using H = HardwareSpec;
  static const JsonFields<BoardSignals> board_fields{
      &BoardSignals::extra,
      {
          field("device_tree_model", &BoardSignals::device_tree_model),
          field("compatible", &BoardSignals::compatible),
          field("compute_capability", &BoardSignals::compute_capability),
          field("cpu_cores", &BoardSignals::cpu_cores),
      }};
  static const JsonFields<ComputeInfo> compute_fields{
      &ComputeInfo::extra,
      {
          field("units", &ComputeInfo::units),
          field("unit_name", &ComputeInfo::unit_name),
          field("cores_per_unit", &ComputeInfo::cores_per_unit),
          field("threads_per_unit", &ComputeInfo::threads_per_unit),
          field("base_clock_mhz", &ComputeInfo::base_clock_mhz),
          field("max_clock_mhz", &ComputeInfo::max_clock_mhz),
      }};
  static const JsonFields<MemoryInfo> memory_fields{
      &MemoryInfo::extra,
      {
          field("type", &MemoryInfo::type),
          field("size_gb", &MemoryInfo::size_gb),
          field("bus_width_bits", &MemoryInfo::bus_width_bits),
          field("data_rate_mts", &MemoryInfo::data_rate_mts),
          field("channels", &MemoryInfo::channels),
      }};
  static const JsonFields<Source> source_fields{
      &Source::extra,
      {
          field("title", &Source::title, Presence::required),
          field("url", &Source::url),
          field("covers", &Source::covers, Presence::required),
          field("note", &Source::note),
      }};
  static const JsonFields<MapperSettings> mapper_fields{
      &MapperSettings::extra,
      {
          field("class", &MapperSettings::class_name, Presence::required),
          field("config", &MapperSettings::config, Presence::always, ObjectJsonCodec{}),
      }};
  static const EnumCodec<DeviceType> device_type_codec{
      parse_device_type, to_string, "device type", [] { return "one of " + device_type_names(); }};
  static const JsonFields<H> fields{
      &H::extra,
      {
          field("schema_version", &H::schema_version, Presence::required)
              .checked([](FieldReader& reader, const H& spec) {
                if (spec.schema_version < 1 || spec.schema_version > kSpecSchemaVersion) {
                  reader.error("schema_version",
                               fmt::format("unsupported schema version {} (this hwcal reads "
                                           "1 to {})",
                                           spec.schema_version, kSpecSchemaVersion));
                }
              }),
          field("id", &H::id, Presence::required),
          field("vendor", &H::vendor, Presence::required),
          field("model", &H::model, Presence::required),
          field("architecture", &H::architecture, Presence::required),
          field("device_type", &H::device_type, Presence::required, device_type_codec),
          field("platform", &H::platform, Presence::required)
              .checked([](FieldReader& reader, const H& spec) {
                if (!is_known_platform(spec.platform)) {
                  reader.error("platform", unknown_name_message("platform", spec.platform,
                                                                "x86_64 or aarch64"));
                }
              }),
          field("detection_patterns", &H::detection_patterns),
          field("board_signals", &H::board_signals, Presence::optional, board_fields),
          field("compute", &H::compute, Presence::optional, compute_fields),
          field("memory", &H::memory, Presence::optional, memory_fields),
          field("caches", &H::caches, Presence::optional, cache_fields()),
          field("tdp_watts", &H::tdp_watts),
          field("attachment", &H::attachment).checked([](FieldReader& reader, const H& spec) {
            if (!is_known_attachment(*spec.attachment)) {
              reader.error("attachment", unknown_name_message("attachment", *spec.attachment,
                                                              attachment_names()));
            }
          }),
          field("host_interface", &H::host_interface),
          field("on_chip_memory_mib", &H::on_chip_memory_mib)
              .checked([](FieldReader& reader, const H& spec) {
                if (!(*spec.on_chip_memory_mib > 0)) {
                  reader.error("on_chip_memory_mib",
                               fmt::format("expected a positive number of MiB, got {}",
                                           *spec.on_chip_memory_mib));
                }
              }),
          field("typical_power_watts", &H::typical_power_watts)
              .checked([](FieldReader& reader, const H& spec) {
                if (!(*spec.typical_power_watts > 0)) {
                  reader.error("typical_power_watts",
                               fmt::format("expected a positive number of watts, got {}",
                                           *spec.typical_power_watts));
                }
              }),
          field("frameworks", &H::frameworks).checked([](FieldReader& reader, const H& spec) {
            for (const std::string& name : *spec.frameworks) {
              if (name.empty()) {
                reader.error("frameworks", "expected framework or compiler names, got \"\"");
                break;
              }
            }
          }),
          field("parts", &H::parts, Presence::optional, board_part_fields()),
          theoretical_peaks_field(),
          peak_bandwidth_field(),
          field("peak_bandwidth_unknown", &H::peak_bandwidth_unknown)
              .checked([](FieldReader& reader, const H& spec) {
                if (reader.has("peak_bandwidth_gbps")) {
                  reader.error("peak_bandwidth_unknown",
                               "give either peak_bandwidth_gbps or the reason it is unknown, "
                               "not both");
                } else if (spec.peak_bandwidth_unknown->empty()) {
                  reader.error("peak_bandwidth_unknown",
                               "expected the reason the bandwidth is unknown");
                }
              }),
          field("peak_derivation", &H::peak_derivation, Presence::optional, kDerivationCodec),
          field("power_modes", &H::power_modes, Presence::optional,
                NamedObjectsCodec<PowerMode>{power_mode_fields(), &PowerMode::name, true}),
          field("default_power_mode", &H::default_power_mode),
          field("sources", &H::sources, Presence::optional, source_fields).checked(check_covers),
          field("mapper", &H::mapper, Presence::optional, mapper_fields),
          field("calibration_summary", &H::calibration_summary, Presence::optional,
                CalibrationSummaryCodec{}),
          field("calibration_profiles", &H::calibration_profiles, Presence::optional,
                FunctionCodec<CalibrationProfiles>{parse_calibration_profiles,
                                                   calibration_profiles_to_json}),
          field("workload_summary", &H::workload_summary, Presence::optional,
                FunctionCodec<WorkloadSummary>{parse_workload_summary, workload_summary_to_json}),
          field("notes", &H::notes),
      }};
  return fields;
}

}  // namespace

// ---- public helpers ----------------------------------------------------------------------------

bool is_known_platform(std::string_view platform) {
  for (std::string_view known : kPlatforms) {
    if (known == platform) return true;
  }
  return false;
}

bool is_known_attachment(std::string_view attachment) {
  for (std::string_view known : kAttachments) {
    if (known == attachment) return true;
  }
  return false;
}

std::string attachment_names() {
  std::string text;
  for (std::size_t i = 0; i < kAttachments.size(); ++i) {
    if (i > 0) text += i + 1 == kAttachments.size() ? " or " : ", ";
    text += kAttachments[i];
  }
  return text;
}

bool is_accelerator_kind(DeviceType type) {
  return type == DeviceType::npu || type == DeviceType::accelerator || type == DeviceType::dsp;
}

double PeakDerivation::derived_gflops() const {
  double total = 0;
  for (const DerivationTerm& term : terms) total += term.gflops();
  return total;
}

std::string vendor_slug(std::string_view vendor) {
  std::string slug;
  for (char c : vendor) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!slug.empty()) break;
      continue;
    }
    if (std::isalnum(static_cast<unsigned char>(c))) {
      slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return slug;
}

std::string HardwareSpec::vendor_slug() const { return hwcal::vendor_slug(vendor); }

const PowerMode* HardwareSpec::find_power_mode(std::string_view name) const {
  for (const PowerMode& mode : power_modes) {
    if (mode.name == name) return &mode;
  }
  return nullptr;
}

std::string HardwareSpec::default_mode_name() const {
  return default_power_mode.value_or("default");
}

PeakTable HardwareSpec::peaks_for_mode(std::string_view mode_name) const {
  PeakTable peaks = theoretical_peaks;
  if (const PowerMode* mode = find_power_mode(mode_name)) {
    for (const auto& [precision, value] : mode->theoretical_peaks) peaks[precision] = value;
  }
  return peaks;
}

std::optional<double> HardwareSpec::peak_for_mode(Precision precision,
                                                  std::string_view mode_name) const {
  if (const PowerMode* mode = find_power_mode(mode_name)) {
    auto found = mode->theoretical_peaks.find(precision);
    if (found != mode->theoretical_peaks.end()) return found->second;
  }
  auto found = theoretical_peaks.find(precision);
  if (found != theoretical_peaks.end()) return found->second;
  return std::nullopt;
}

PeakOrigin HardwareSpec::peak_origin(Precision precision, std::string_view mode_name) const {
  auto origin_in = [precision](const DerivationTable& table) -> std::optional<PeakOrigin> {
    auto found = table.find(precision);
    if (found == table.end()) return std::nullopt;
    return found->second.origin.value_or(PeakOrigin::datasheet);
  };
  if (const PowerMode* mode = find_power_mode(mode_name)) {
    if (mode->theoretical_peaks.count(precision)) {
      return origin_in(mode->peak_derivation).value_or(PeakOrigin::datasheet);
    }
  }
  return origin_in(peak_derivation).value_or(PeakOrigin::datasheet);
}

double HardwareSpec::bandwidth_for_mode(std::string_view mode_name) const {
  if (const PowerMode* mode = find_power_mode(mode_name)) {
    if (mode->peak_bandwidth_gbps) return *mode->peak_bandwidth_gbps;
  }
  return peak_bandwidth_gbps;
}

PeakTable parse_peak_table(const Json& object, const std::string& file, const std::string& pointer,
                           Diagnostics& diagnostics) {
  PeakTable table;
  if (!object.is_object()) {
    diagnostics.error(
        file, pointer,
        fmt::format("expected an object of precision to number, got {}", json_type_name(object)));
    return table;
  }
  for (const auto& [key, value] : object.items()) {
    std::string item_pointer = pointer_append(pointer, key);
    auto precision = parse_precision(key);
    if (!precision) {
      diagnostics.error(
          file, item_pointer,
          fmt::format("unknown precision '{}' (expected one of {})", key, precision_names()));
      continue;
    }
    if (!value.is_number()) {
      diagnostics.error(file, item_pointer,
                        fmt::format("expected a number, got {}", json_type_name(value)));
      continue;
    }
    double number = value.get<double>();
    if (!std::isfinite(number) || number < 0) {
      diagnostics.error(file, item_pointer,
                        fmt::format("expected a non-negative number, got {}", number));
      continue;
    }
    table[*precision] = number;
  }
  return table;
}

std::vector<CacheLevel> parse_caches(const Json& array, const std::string& file,
                                     const std::string& pointer, Diagnostics& diagnostics) {
  std::vector<CacheLevel> levels;
  for (std::size_t i = 0; i < array.size(); ++i) {
    FieldReader cache_reader(array[i], file, pointer_append(pointer, i), diagnostics);
    if (cache_reader.valid()) levels.push_back(cache_fields().read(cache_reader));
  }
  return levels;
}

Json caches_to_json(const std::vector<CacheLevel>& levels) {
  return ArrayCodec<CacheLevel>{cache_fields()}.write(levels);
}

Json peak_table_to_json(const PeakTable& table) {
  Json out = Json::object();
  for (const auto& [precision, value] : table) out[std::string(to_string(precision))] = value;
  return out;
}

ModeSummary parse_mode_summary(const Json& object, const std::string& file,
                               const std::string& pointer, Diagnostics& diagnostics) {
  ModeSummary summary;
  FieldReader reader(object, file, pointer, diagnostics);
  if (reader.valid()) mode_summary_fields().read(reader, summary);
  return summary;
}

Json mode_summary_to_json(const ModeSummary& summary) {
  return mode_summary_fields().write(summary);
}

HardwareSpec parse_spec(const Json& document, const std::string& file, Diagnostics& diagnostics) {
  HardwareSpec spec;
  FieldReader reader(document, file, "", diagnostics);
  if (reader.valid()) spec_fields().read(reader, spec);
  return spec;
}

HardwareSpec spec_from_json(const Json& document, const std::string& file) {
  Diagnostics diagnostics;
  HardwareSpec spec = parse_spec(document, file, diagnostics);
  diagnostics.throw_first_error();
  return spec;
}

Json spec_to_json(const HardwareSpec& spec) { return spec_fields().write(spec); }

Json spec_to_json(const HardwareSpec& spec, const Json& layout) {
  return preserve_layout(spec_to_json(spec), layout);
}

const ModeSummary* find_mode_summary(const HardwareSpec& spec, std::string_view mode) {
  if (!spec.calibration_summary) return nullptr;
  const CalibrationSummary& summary = *spec.calibration_summary;
  auto found = summary.by_power_mode.find(std::string(mode));
  if (found != summary.by_power_mode.end()) return &found->second;
  if (summary.power_mode == mode ||
      (summary.power_mode.empty() && mode == spec.default_mode_name())) {
    return &summary;
  }
  return nullptr;
}

}  // namespace hwcal
