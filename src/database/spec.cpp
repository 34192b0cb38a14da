#include "hwcal/database/spec.hpp"

#include <cctype>
#include <cmath>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/json/json_reader.hpp"

namespace hwcal {
namespace {

constexpr std::array<std::string_view, 2> kPlatforms = {"x86_64", "aarch64"};

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

PowerMode parse_power_mode(const std::string& name, const Json& object, const std::string& file,
                           const std::string& pointer, Diagnostics& diagnostics) {
  PowerMode mode;
  mode.name = name;
  FieldReader reader(object, file, pointer, diagnostics);
  if (!reader.valid()) return mode;
  mode.nvpmodel_id = reader.integer("nvpmodel_id");
  if (const Json* clocks = reader.object("clocks_mhz")) {
    for (const auto& [key, value] : clocks->items()) {
      if (!value.is_number()) {
        diagnostics.error(file, pointer_append(reader.pointer_of("clocks_mhz"), key),
                          fmt::format("expected a number, got {}", json_type_name(value)));
        continue;
      }
      mode.clocks_mhz[key] = value.get<double>();
    }
  }
  mode.online_cpus = reader.integer("online_cpus");
  mode.tdp_watts = reader.number("tdp_watts");
  if (const Json* peaks = reader.object("theoretical_peaks")) {
    mode.theoretical_peaks =
        parse_peak_table(*peaks, file, reader.pointer_of("theoretical_peaks"), diagnostics);
  }
  mode.peak_bandwidth_gbps = reader.number("peak_bandwidth_gbps");
  if (const Json* derivation = reader.object("peak_derivation")) {
    mode.peak_derivation = parse_derivation_table(
        *derivation, file, reader.pointer_of("peak_derivation"), diagnostics);
  }
  mode.extra = reader.unknown_fields();
  return mode;
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

Json power_mode_to_json(const PowerMode& mode) {
  Json out = Json::object();
  put_optional(out, "nvpmodel_id", mode.nvpmodel_id);
  if (!mode.clocks_mhz.empty()) {
    Json clocks = Json::object();
    for (const auto& [name, mhz] : mode.clocks_mhz) clocks[name] = mhz;
    out["clocks_mhz"] = clocks;
  }
  put_optional(out, "online_cpus", mode.online_cpus);
  put_optional(out, "tdp_watts", mode.tdp_watts);
  if (!mode.theoretical_peaks.empty()) {
    out["theoretical_peaks"] = peak_table_to_json(mode.theoretical_peaks);
  }
  put_optional(out, "peak_bandwidth_gbps", mode.peak_bandwidth_gbps);
  if (!mode.peak_derivation.empty()) {
    out["peak_derivation"] = derivation_table_to_json(mode.peak_derivation);
  }
  append_extra(out, mode.extra);
  return out;
}

}  // namespace

// ---- public helpers ----------------------------------------------------------------------------

bool is_known_platform(std::string_view platform) {
  for (std::string_view known : kPlatforms) {
    if (known == platform) return true;
  }
  return false;
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
    if (!cache_reader.valid()) continue;
    CacheLevel level;
    level.level = cache_reader.integer("level", true).value_or(0);
    level.kind = cache_reader.string("kind", true).value_or("");
    level.size_kib = cache_reader.number("size_kib", true).value_or(0);
    level.line_bytes = cache_reader.integer("line_bytes");
    level.count = cache_reader.integer("count");
    level.scope = cache_reader.string("scope");
    level.extra = cache_reader.unknown_fields();
    if (!level.kind.empty() && level.kind != "data" && level.kind != "instruction" &&
        level.kind != "unified") {
      cache_reader.error("kind", fmt::format("unknown cache kind '{}' (expected data, "
                                             "instruction or unified)",
                                             level.kind));
    }
    levels.push_back(level);
  }
  return levels;
}

Json caches_to_json(const std::vector<CacheLevel>& levels) {
  Json caches = Json::array();
  for (const CacheLevel& level : levels) {
    Json item = Json::object();
    item["level"] = level.level;
    item["kind"] = level.kind;
    item["size_kib"] = level.size_kib;
    put_optional(item, "line_bytes", level.line_bytes);
    put_optional(item, "count", level.count);
    put_optional(item, "scope", level.scope);
    append_extra(item, level.extra);
    caches.push_back(item);
  }
  return caches;
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
  if (!reader.valid()) return summary;
  auto table = [&](const char* key) {
    const Json* value = reader.object(key);
    return value ? parse_peak_table(*value, file, reader.pointer_of(key), diagnostics)
                 : PeakTable{};
  };
  summary.measured_peaks = table("measured_peaks");
  if (const Json* ranges = reader.object("measured_peaks_range")) {
    for (const auto& [key, value] : ranges->items()) {
      std::string item_pointer = pointer_append(reader.pointer_of("measured_peaks_range"), key);
      auto precision = parse_precision(key);
      if (!precision) {
        diagnostics.error(file, item_pointer, fmt::format("unknown precision '{}'", key));
        continue;
      }
      if (!value.is_array() || value.size() != 2 || !value[0].is_number() ||
          !value[1].is_number()) {
        diagnostics.error(file, item_pointer, "expected [min, max]");
        continue;
      }
      summary.measured_peaks_range[*precision] = {value[0].get<double>(), value[1].get<double>()};
    }
  }
  summary.arithmetic_ceiling = table("arithmetic_ceiling");
  summary.efficiency = table("efficiency");
  summary.measured_bandwidth_gbps = reader.number("measured_bandwidth_gbps");
  summary.bandwidth_efficiency = reader.number("bandwidth_efficiency");
  summary.avg_efficiency = reader.number("avg_efficiency");
  summary.calibration_date = reader.string("calibration_date").value_or("");
  summary.power_mode = reader.string("power_mode").value_or("");
  summary.framework = reader.string("framework").value_or("");
  summary.profile_path = reader.string("profile_path").value_or("");
  summary.runs = reader.integer("runs").value_or(0);
  // by_power_mode belongs to the top-level summary; the caller reads it.
  reader.any("by_power_mode");
  summary.extra = reader.unknown_fields();
  return summary;
}

Json mode_summary_to_json(const ModeSummary& summary) {
  Json out = Json::object();
  out["measured_peaks"] = peak_table_to_json(summary.measured_peaks);
  if (!summary.measured_peaks_range.empty()) {
    Json ranges = Json::object();
    for (const auto& [precision, range] : summary.measured_peaks_range) {
      ranges[std::string(to_string(precision))] = Json::array({range.first, range.second});
    }
    out["measured_peaks_range"] = ranges;
  }
  if (!summary.arithmetic_ceiling.empty()) {
    out["arithmetic_ceiling"] = peak_table_to_json(summary.arithmetic_ceiling);
  }
  out["efficiency"] = peak_table_to_json(summary.efficiency);
  put_optional(out, "measured_bandwidth_gbps", summary.measured_bandwidth_gbps);
  put_optional(out, "bandwidth_efficiency", summary.bandwidth_efficiency);
  put_optional(out, "avg_efficiency", summary.avg_efficiency);
  out["calibration_date"] = summary.calibration_date;
  out["power_mode"] = summary.power_mode;
  out["framework"] = summary.framework;
  out["profile_path"] = summary.profile_path;
  out["runs"] = summary.runs;
  append_extra(out, summary.extra);
  return out;
}

HardwareSpec parse_spec(const Json& document, const std::string& file, Diagnostics& diagnostics) {
  HardwareSpec spec;
  FieldReader reader(document, file, "", diagnostics);
  if (!reader.valid()) return spec;

  if (auto version = reader.integer("schema_version", true)) {
    spec.schema_version = *version;
    if (*version < 1 || *version > kSpecSchemaVersion) {
      reader.error("schema_version", fmt::format("unsupported schema version {} (this hwcal reads "
                                                 "1 to {})",
                                                 *version, kSpecSchemaVersion));
    }
  }
  spec.id = reader.string("id", true).value_or("");
  spec.vendor = reader.string("vendor", true).value_or("");
  spec.model = reader.string("model", true).value_or("");
  spec.architecture = reader.string("architecture", true).value_or("");
  if (auto type = reader.string("device_type", true)) {
    if (auto parsed = parse_device_type(*type)) {
      spec.device_type = *parsed;
    } else {
      reader.error("device_type", fmt::format("unknown device type '{}' (expected one of {})",
                                              *type, device_type_names()));
    }
  }
  if (auto platform = reader.string("platform", true)) {
    spec.platform = *platform;
    if (!is_known_platform(*platform)) {
      reader.error("platform",
                   fmt::format("unknown platform '{}' (expected x86_64 or aarch64)", *platform));
    }
  }
  spec.detection_patterns = reader.string_array("detection_patterns");
  if (const Json* signals = reader.object("board_signals")) {
    FieldReader signal_reader(*signals, file, reader.pointer_of("board_signals"), diagnostics);
    BoardSignals board;
    board.device_tree_model =
        signal_reader.string_array("device_tree_model").value_or(std::vector<std::string>{});
    board.compatible =
        signal_reader.string_array("compatible").value_or(std::vector<std::string>{});
    board.compute_capability = signal_reader.string("compute_capability");
    board.cpu_cores = signal_reader.integer("cpu_cores");
    board.extra = signal_reader.unknown_fields();
    spec.board_signals = board;
  }
  if (const Json* compute = reader.object("compute")) {
    FieldReader compute_reader(*compute, file, reader.pointer_of("compute"), diagnostics);
    ComputeInfo info;
    info.units = compute_reader.integer("units");
    info.unit_name = compute_reader.string("unit_name");
    info.cores_per_unit = compute_reader.integer("cores_per_unit");
    info.threads_per_unit = compute_reader.integer("threads_per_unit");
    info.base_clock_mhz = compute_reader.number("base_clock_mhz");
    info.max_clock_mhz = compute_reader.number("max_clock_mhz");
    info.extra = compute_reader.unknown_fields();
    spec.compute = info;
  }
  if (const Json* memory = reader.object("memory")) {
    FieldReader memory_reader(*memory, file, reader.pointer_of("memory"), diagnostics);
    MemoryInfo info;
    info.type = memory_reader.string("type");
    info.size_gb = memory_reader.number("size_gb");
    info.bus_width_bits = memory_reader.integer("bus_width_bits");
    info.data_rate_mts = memory_reader.number("data_rate_mts");
    info.channels = memory_reader.integer("channels");
    info.extra = memory_reader.unknown_fields();
    spec.memory = info;
  }
  if (const Json* caches = reader.array("caches")) {
    spec.caches = parse_caches(*caches, file, reader.pointer_of("caches"), diagnostics);
  }
  spec.tdp_watts = reader.number("tdp_watts");
  if (const Json* peaks = reader.object("theoretical_peaks", true)) {
    spec.theoretical_peaks =
        parse_peak_table(*peaks, file, reader.pointer_of("theoretical_peaks"), diagnostics);
  }
  if (auto bandwidth = reader.number("peak_bandwidth_gbps", true)) {
    spec.peak_bandwidth_gbps = *bandwidth;
    if (*bandwidth <= 0) {
      reader.error("peak_bandwidth_gbps",
                   fmt::format("expected a positive number of GB/s, got {}", *bandwidth));
    }
  }
  if (const Json* derivation = reader.object("peak_derivation")) {
    spec.peak_derivation = parse_derivation_table(
        *derivation, file, reader.pointer_of("peak_derivation"), diagnostics);
  }
  if (const Json* modes = reader.object("power_modes")) {
    for (const auto& [name, mode] : modes->items()) {
      spec.power_modes.push_back(parse_power_mode(
          name, mode, file, pointer_append(reader.pointer_of("power_modes"), name), diagnostics));
    }
  }
  spec.default_power_mode = reader.string("default_power_mode");
  if (const Json* sources = reader.array("sources")) {
    std::vector<Source> list;
    for (std::size_t i = 0; i < sources->size(); ++i) {
      FieldReader source_reader((*sources)[i], file,
                                pointer_append(reader.pointer_of("sources"), i), diagnostics);
      if (!source_reader.valid()) continue;
      Source source;
      source.title = source_reader.string("title", true).value_or("");
      source.url = source_reader.string("url");
      source.covers =
          source_reader.string_array("covers", true).value_or(std::vector<std::string>{});
      // A pointer that names no field is a typo; the document is at hand only here.
      for (std::size_t j = 0; j < source.covers.size(); ++j) {
        const std::string& cover = source.covers[j];
        std::string where = pointer_append(source_reader.pointer_of("covers"), j);
        try {
          if (!document.contains(Json::json_pointer(cover))) {
            diagnostics.error(file, where, fmt::format("'{}' names no field of this file", cover));
          }
        } catch (const Json::exception&) {
          diagnostics.error(file, where,
                            fmt::format("'{}' is not a JSON pointer (expected e.g. "
                                        "/theoretical_peaks/fp32)",
                                        cover));
        }
      }
      source.note = source_reader.string("note");
      source.extra = source_reader.unknown_fields();
      list.push_back(source);
    }
    spec.sources = list;
  }
  if (const Json* mapper = reader.object("mapper")) {
    FieldReader mapper_reader(*mapper, file, reader.pointer_of("mapper"), diagnostics);
    MapperSettings settings;
    settings.class_name = mapper_reader.string("class", true).value_or("");
    if (const Json* config = mapper_reader.object("config")) settings.config = *config;
    settings.extra = mapper_reader.unknown_fields();
    spec.mapper = settings;
  }
  if (const Json* summary = reader.object("calibration_summary")) {
    std::string pointer = reader.pointer_of("calibration_summary");
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
    spec.calibration_summary = parsed;
  }
  if (const Json* profiles = reader.object("calibration_profiles")) {
    spec.calibration_profiles = parse_calibration_profiles(
        *profiles, file, reader.pointer_of("calibration_profiles"), diagnostics);
  }
  if (const Json* workloads = reader.object("workload_summary")) {
    spec.workload_summary = parse_workload_summary(
        *workloads, file, reader.pointer_of("workload_summary"), diagnostics);
  }
  spec.notes = reader.string("notes");
  spec.extra = reader.unknown_fields();
  return spec;
}

HardwareSpec spec_from_json(const Json& document, const std::string& file) {
  Diagnostics diagnostics;
  HardwareSpec spec = parse_spec(document, file, diagnostics);
  diagnostics.throw_first_error();
  return spec;
}

Json spec_to_json(const HardwareSpec& spec) {
  Json out = Json::object();
  out["schema_version"] = spec.schema_version;
  out["id"] = spec.id;
  out["vendor"] = spec.vendor;
  out["model"] = spec.model;
  out["architecture"] = spec.architecture;
  out["device_type"] = std::string(to_string(spec.device_type));
  out["platform"] = spec.platform;
  put_optional(out, "detection_patterns", spec.detection_patterns);
  if (spec.board_signals) {
    const BoardSignals& board = *spec.board_signals;
    Json signals = Json::object();
    if (!board.device_tree_model.empty()) signals["device_tree_model"] = board.device_tree_model;
    if (!board.compatible.empty()) signals["compatible"] = board.compatible;
    put_optional(signals, "compute_capability", board.compute_capability);
    put_optional(signals, "cpu_cores", board.cpu_cores);
    append_extra(signals, board.extra);
    out["board_signals"] = signals;
  }
  if (spec.compute) {
    const ComputeInfo& info = *spec.compute;
    Json compute = Json::object();
    put_optional(compute, "units", info.units);
    put_optional(compute, "unit_name", info.unit_name);
    put_optional(compute, "cores_per_unit", info.cores_per_unit);
    put_optional(compute, "threads_per_unit", info.threads_per_unit);
    put_optional(compute, "base_clock_mhz", info.base_clock_mhz);
    put_optional(compute, "max_clock_mhz", info.max_clock_mhz);
    append_extra(compute, info.extra);
    out["compute"] = compute;
  }
  if (spec.memory) {
    const MemoryInfo& info = *spec.memory;
    Json memory = Json::object();
    put_optional(memory, "type", info.type);
    put_optional(memory, "size_gb", info.size_gb);
    put_optional(memory, "bus_width_bits", info.bus_width_bits);
    put_optional(memory, "data_rate_mts", info.data_rate_mts);
    put_optional(memory, "channels", info.channels);
    append_extra(memory, info.extra);
    out["memory"] = memory;
  }
  if (spec.caches) out["caches"] = caches_to_json(*spec.caches);
  put_optional(out, "tdp_watts", spec.tdp_watts);
  out["theoretical_peaks"] = peak_table_to_json(spec.theoretical_peaks);
  out["peak_bandwidth_gbps"] = spec.peak_bandwidth_gbps;
  if (!spec.peak_derivation.empty()) {
    out["peak_derivation"] = derivation_table_to_json(spec.peak_derivation);
  }
  if (!spec.power_modes.empty()) {
    Json modes = Json::object();
    for (const PowerMode& mode : spec.power_modes) modes[mode.name] = power_mode_to_json(mode);
    out["power_modes"] = modes;
  }
  put_optional(out, "default_power_mode", spec.default_power_mode);
  if (spec.sources) {
    Json sources = Json::array();
    for (const Source& source : *spec.sources) {
      Json item = Json::object();
      item["title"] = source.title;
      put_optional(item, "url", source.url);
      item["covers"] = source.covers;
      put_optional(item, "note", source.note);
      append_extra(item, source.extra);
      sources.push_back(item);
    }
    out["sources"] = sources;
  }
  if (spec.mapper) {
    Json mapper = Json::object();
    mapper["class"] = spec.mapper->class_name;
    mapper["config"] = spec.mapper->config;
    append_extra(mapper, spec.mapper->extra);
    out["mapper"] = mapper;
  }
  if (spec.calibration_summary) {
    Json summary = mode_summary_to_json(*spec.calibration_summary);
    Json by_mode = Json::object();
    for (const auto& [mode, mode_summary] : spec.calibration_summary->by_power_mode) {
      by_mode[mode] = mode_summary_to_json(mode_summary);
    }
    summary["by_power_mode"] = by_mode;
    out["calibration_summary"] = summary;
  }
  if (spec.calibration_profiles) {
    const CalibrationProfiles& profiles = *spec.calibration_profiles;
    Json item = Json::object();
    item["default"] = profiles.default_profile;
    Json modes = Json::object();
    for (const auto& [mode, paths] : profiles.power_modes) modes[mode] = paths;
    item["power_modes"] = modes;
    append_extra(item, profiles.extra);
    out["calibration_profiles"] = item;
  }
  if (spec.workload_summary)
    out["workload_summary"] = workload_summary_to_json(*spec.workload_summary);
  put_optional(out, "notes", spec.notes);
  append_extra(out, spec.extra);
  return out;
}

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
