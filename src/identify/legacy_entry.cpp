#include "identify/legacy_entry.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "base/text.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/model/precision.hpp"
#include "identify/derive.hpp"
#include "identify/match.hpp"

namespace hwcal {
namespace {

// Reads keys of a legacy object and remembers which ones were used, so the rest can be reported.
class LegacyReader {
 public:
  LegacyReader(const Json* object, std::string prefix)
      : object_(object), prefix_(std::move(prefix)) {}

  const Json* get(const std::string& key) {
    if (object_ == nullptr || !object_->is_object()) return nullptr;
    auto found = object_->find(key);
    if (found == object_->end()) return nullptr;
    used_.insert(key);
    if (found->is_null()) return nullptr;
    return &*found;
  }
  std::optional<std::string> text(const std::string& key) {
    const Json* value = get(key);
    if (value == nullptr || !value->is_string()) return std::nullopt;
    std::string result = value->get<std::string>();
    if (result.empty()) return std::nullopt;
    return result;
  }
  std::optional<double> number(const std::string& key) {
    const Json* value = get(key);
    if (value == nullptr || !value->is_number()) return std::nullopt;
    return value->get<double>();
  }
  void use(const std::string& key) { get(key); }
  // Keys never asked for, prefixed ("system.isa_extensions").
  std::vector<std::string> unused() const {
    std::vector<std::string> keys;
    if (object_ == nullptr || !object_->is_object()) return keys;
    for (const auto& [key, value] : object_->items()) {
      if (used_.count(key) == 0) keys.push_back(prefix_ + key);
      (void)value;
    }
    return keys;
  }

 private:
  const Json* object_;
  std::string prefix_;
  std::set<std::string> used_;
};

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// "DDR4-2933" -> type DDR4, 2933 MT/s.
void parse_memory_type(const std::string& text, Json& memory) {
  std::size_t dash = text.find('-');
  std::string type = upper(text.substr(0, dash));
  if (!type.empty() && type != "UNKNOWN") memory["type"] = type;
  if (dash != std::string::npos) {
    char* end = nullptr;
    std::string rate = text.substr(dash + 1);
    double value = std::strtod(rate.c_str(), &end);
    if (end != rate.c_str() && *end == '\0' && value > 0) memory["data_rate_mts"] = value;
  }
}

// A count as an integer. The predecessor's counts are doubles: a negative one, or one beyond
// long long (1e300 SMs), is no count; it is left out like a missing one.
std::optional<long long> to_count(double value) {
  return value >= 0 ? to_long_long(value) : std::nullopt;
}

// A number of one memory channel; 0 when the channel does not give it. The predecessor always
// wrote numbers there: anything else (null, a string) is a broken file, not an unknown figure.
double channel_number(const Json& channel, const char* key, const std::string& file,
                      const std::string& pointer) {
  if (!channel.is_object()) {
    throw DataError(file, pointer, "expected an object, got " + json_type_name(channel));
  }
  auto found = channel.find(key);
  if (found == channel.end()) return 0;
  if (!found->is_number()) {
    throw DataError(file, pointer_append(pointer, key),
                    "expected a number, got " + json_type_name(*found));
  }
  return found->get<double>();
}

}  // namespace

bool is_legacy_schema(const Json& document) {
  return document.is_object() && document.contains("$schema");
}

LegacyConversion convert_legacy_entry(const Json& legacy, const std::string& file) {
  LegacyConversion result;
  if (!legacy.is_object()) {
    result.failure = "not a JSON object";
    return result;
  }
  const bool nested = legacy.contains("system") && legacy["system"].is_object();
  result.layout = nested ? "nested" : "flat";
  LegacyReader top(&legacy, "");
  LegacyReader nested_system(nested ? &legacy["system"] : nullptr, "system.");
  LegacyReader& system = nested ? nested_system : top;
  top.use("system");
  const Json* core_info_json = nested ? top.get("core_info") : nullptr;
  const Json* memory_json = nested ? top.get("memory_subsystem") : nullptr;
  LegacyReader core(core_info_json, "core_info.");
  LegacyReader memory(memory_json, "memory_subsystem.");
  LegacyReader& flat = top;  // the flat layout keeps everything at the top
  LegacyReader& counts = nested ? core : flat;

  Json entry = Json::object();
  entry["schema_version"] = kSpecSchemaVersion;

  // Identity.
  std::string vendor = system.text("vendor").value_or("");
  std::string model = system.text("model").value_or("");
  std::string id = top.text("id").value_or("");
  bool id_ok = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
  if (!id_ok) {
    std::string suggested = suggest_id(vendor, model);
    result.changes.push_back(fmt::format("id '{}' is not a valid id: '{}' instead", id, suggested));
    id = suggested;
  }
  entry["id"] = id;
  if (vendor.empty() || model.empty()) {
    result.failure = fmt::format("no {} in {}", vendor.empty() ? "vendor" : "model", file);
    return result;
  }
  entry["vendor"] = vendor;
  entry["model"] = model;
  std::string architecture = system.text("architecture").value_or("Unknown");
  if (architecture == "Unknown" || architecture == "unknown") {
    result.to_fill.push_back("architecture: the predecessor recorded 'Unknown'");
    architecture = "unknown";
  }
  entry["architecture"] = architecture;
  std::string type = system.text("device_type").value_or("");
  if (type == "cuda") type = "gpu";
  if (!parse_device_type(type)) {
    result.failure = fmt::format("device_type '{}' has no counterpart (expected one of {})", type,
                                 device_type_names());
    return result;
  }
  entry["device_type"] = type;
  std::string platform = system.text("platform").value_or("");
  if (platform == "arm64") {
    result.changes.push_back("platform 'arm64' is called 'aarch64' here");
    platform = "aarch64";
  }
  if (!is_known_platform(platform)) {
    result.failure = fmt::format("platform '{}' is neither x86_64 nor aarch64", platform);
    return result;
  }
  entry["platform"] = platform;

  // Patterns: kept where they match their own model string, escaped where only the literal text
  // does (the predecessor's "(R)" was a regex group), dropped where neither does.
  std::vector<std::string> patterns;
  if (const Json* list = top.get("detection_patterns"); list != nullptr && list->is_array()) {
    for (const Json& item : *list) {
      if (!item.is_string()) continue;
      std::string pattern = item.get<std::string>();
      std::string kept;
      if (regex_problem(pattern).empty() && pattern_matches(pattern, model)) {
        kept = pattern;
      } else if (pattern_matches(regex_escape(pattern), model)) {
        kept = regex_escape(pattern);
        result.changes.push_back(fmt::format(
            "pattern \"{}\" did not match its own model string \"{}\" as a regular expression: "
            "escaped to \"{}\"",
            pattern, model, kept));
      } else {
        result.not_carried.push_back(fmt::format(
            "pattern \"{}\": matches the model \"{}\" neither as a regular expression nor "
            "literally",
            pattern, model));
        continue;
      }
      if (std::find(patterns.begin(), patterns.end(), kept) == patterns.end()) {
        patterns.push_back(kept);
      }
    }
  }
  if (patterns.empty()) {
    patterns.push_back(regex_escape(model));
    result.changes.push_back(
        fmt::format("no usable pattern: added \"{}\" (the model string, escaped)", patterns[0]));
  }
  entry["detection_patterns"] = patterns;
  if (model.find("Jetson") != std::string::npos) {
    result.to_fill.push_back(
        "board_signals: a Jetson reports its core name (\"Cortex-A78AE\") and CUDA name "
        "(\"Orin\"), never this model string; add device_tree_model and compatible signals "
        "(docs/schema.md)");
  }

  // Compute.
  Json compute = Json::object();
  const bool gpu = type == "gpu";
  auto positive = [](std::optional<double> value) {
    return value && *value > 0 ? value : std::nullopt;
  };
  std::optional<double> sms = positive(counts.number(nested ? "total_sms" : "sms"));
  std::optional<double> cores = positive(counts.number("cores"));
  std::optional<double> threads = positive(counts.number("threads"));
  std::optional<double> cuda_cores =
      positive(counts.number(nested ? "total_cuda_cores" : "cuda_cores"));
  if (gpu) {
    if (auto units = sms ? to_count(*sms) : std::nullopt) {
      compute["units"] = *units;
      compute["unit_name"] = "SM";
      if (auto per_unit = cuda_cores ? to_count(*cuda_cores / *sms) : std::nullopt) {
        compute["cores_per_unit"] = *per_unit;
      }
    } else {
      result.to_fill.push_back("compute.units: the SM count was not recorded");
    }
  } else if (auto units = cores ? to_count(*cores) : std::nullopt) {
    compute["units"] = *units;
    compute["unit_name"] = "core";
    if (threads && std::fmod(*threads, *cores) == 0) {
      if (auto per_unit = to_count(*threads / *cores)) compute["threads_per_unit"] = *per_unit;
    }
  }
  if (auto base = positive(counts.number("base_frequency_ghz"))) {
    compute["base_clock_mhz"] = std::round(*base * 1000.0);
  }
  if (auto boost = positive(counts.number("boost_frequency_ghz"))) {
    compute["max_clock_mhz"] = std::round(*boost * 1000.0);
  }
  if (auto capability = counts.text("cuda_capability")) compute["compute_capability"] = *capability;
  if (!compute.empty()) entry["compute"] = compute;

  // Memory and bandwidth, wherever the layout kept them.
  Json memory_out = Json::object();
  std::optional<double> bandwidth =
      positive(nested ? memory.number("peak_bandwidth_gbps") : flat.number("peak_bandwidth_gbps"));
  std::string bandwidth_from =
      nested ? "memory_subsystem.peak_bandwidth_gbps" : "peak_bandwidth_gbps";
  if (nested) {
    if (auto size = positive(memory.number("total_size_gb"))) memory_out["size_gb"] = *size;
    if (const Json* channels = memory.get("memory_channels");
        channels != nullptr && channels->is_array() && !channels->empty()) {
      double width = 0;
      double sum = 0;
      for (std::size_t index = 0; index < channels->size(); ++index) {
        const Json& channel = (*channels)[index];
        std::string pointer = "/memory_subsystem/memory_channels/" + std::to_string(index);
        width += channel_number(channel, "bus_width_bits", file, pointer);
        sum += channel_number(channel, "bandwidth_gbps", file, pointer);
      }
      const Json& first = channels->front();
      if (first.contains("type") && first["type"].is_string()) {
        memory_out["type"] = upper(first["type"].get<std::string>());
      }
      auto bits = to_count(width);
      if (width > 0 && bits && first.contains("data_rate_mts") &&
          first["data_rate_mts"].is_number()) {
        memory_out["bus_width_bits"] = *bits;
        memory_out["data_rate_mts"] = first["data_rate_mts"];
      }
      memory_out["channels"] = static_cast<long long>(channels->size());
      if (!bandwidth && sum > 0) {
        bandwidth = sum;
        bandwidth_from = "the sum of memory_subsystem.memory_channels[].bandwidth_gbps";
        result.changes.push_back("peak_bandwidth_gbps taken from " + bandwidth_from);
      }
    }
  } else {
    if (auto memory_type = flat.text("memory_type")) parse_memory_type(*memory_type, memory_out);
    if (auto width = positive(flat.number("memory_bus_width")); width && to_count(*width)) {
      memory_out["bus_width_bits"] = *to_count(*width);
    }
    flat.use("memory_channels");
  }
  if (!memory_out.empty()) entry["memory"] = memory_out;
  if (auto tdp = positive(system.number("tdp_watts"))) entry["tdp_watts"] = *tdp;

  // Peaks: zero means "unknown" there and is left out here; names outside the list are dropped.
  Json peaks = Json::object();
  std::vector<std::string> zeros;
  std::size_t total = 0;
  bool all_zero = false;
  if (const Json* table = top.get("theoretical_peaks"); table != nullptr && table->is_object()) {
    all_zero = !table->empty();
    for (const auto& [name, value] : table->items()) {
      if (value.is_number() && value.get<double>() > 0) all_zero = false;
    }
    for (const auto& [name, value] : table->items()) {
      ++total;
      if (all_zero) continue;
      if (!parse_precision(name)) {
        result.not_carried.push_back(
            fmt::format("theoretical_peaks.{} = {}: '{}' is not a canonical precision ({}){}", name,
                        value.dump(), name, precision_names(),
                        name == "fp8" ? "; fp8 must say which format: fp8_e4m3 or fp8_e5m2" : ""));
        continue;
      }
      if (!value.is_number() || value.get<double>() <= 0) {
        zeros.push_back(name);
        continue;
      }
      peaks[name] = value;
    }
  }
  // Canonical order.
  Json ordered = Json::object();
  for (Precision precision : kAllPrecisions) {
    std::string name(to_string(precision));
    if (peaks.contains(name)) ordered[name] = peaks[name];
  }
  if (all_zero) {
    result.not_carried.push_back(fmt::format(
        "theoretical_peaks: all {} peaks are zero (the predecessor's 'unknown')", total));
  } else if (!zeros.empty()) {
    result.not_carried.push_back(fmt::format(
        "theoretical_peaks of {}: zero (the predecessor's 'unknown')", fmt::join(zeros, ", ")));
  }
  if (ordered.empty()) result.to_fill.push_back("theoretical_peaks: none could be carried");
  entry["theoretical_peaks"] = ordered;
  if (!bandwidth) {
    result.failure = fmt::format(
        "{} is 0 or missing (the predecessor read it as 0): give the datasheet figure and add the "
        "entry with add_hardware --from-file or --set",
        bandwidth_from);
    return result;
  }
  entry["peak_bandwidth_gbps"] = *bandwidth;

  // Mapper.
  std::optional<std::string> mapper_class;
  Json mapper_config = Json::object();
  if (const Json* mapper = top.get("mapper"); mapper != nullptr && mapper->is_object()) {
    if (mapper->contains("mapper_class") && (*mapper)["mapper_class"].is_string()) {
      mapper_class = (*mapper)["mapper_class"].get<std::string>();
    }
    if (mapper->contains("mapper_config") && (*mapper)["mapper_config"].is_object()) {
      mapper_config = (*mapper)["mapper_config"];
    }
    if (mapper->contains("hints")) result.not_carried.push_back("mapper.hints");
  } else {
    mapper_class = flat.text("mapper_class");
    if (const Json* config = flat.get("mapper_config"); config != nullptr && config->is_object()) {
      mapper_config = *config;
    }
  }
  if (mapper_class) {
    Json mapper = Json::object();
    mapper["class"] = *mapper_class;
    mapper["config"] = mapper_config;
    entry["mapper"] = mapper;
  }

  std::string notes = system.text("notes").value_or("");
  notes += (notes.empty() ? "" : " | ") +
           fmt::format(
               "Imported from the predecessor's {} ({} layout) by add_hardware "
               "--import-legacy.",
               file, result.layout);
  entry["notes"] = notes;

  // What was left behind, by name. Cache figures are dropped on purpose: the predecessor's are
  // wrong too often (a 512 KiB "per core" L1, 1280-byte cache lines).
  std::vector<std::string> left;
  std::vector<LegacyReader*> readers = {&top};
  if (nested) readers.insert(readers.end(), {&nested_system, &core, &memory});
  for (LegacyReader* reader : readers) {
    for (const std::string& key : reader->unused()) left.push_back(key);
  }
  std::sort(left.begin(), left.end());
  left.erase(std::unique(left.begin(), left.end()), left.end());
  std::vector<std::string> caches;
  std::vector<std::string> others;
  for (const std::string& key : left) {
    bool cache = key.find("cache") != std::string::npos || key == "onchip_memory_hierarchy";
    (cache ? caches : others).push_back(key);
  }
  if (!caches.empty()) {
    result.not_carried.push_back(fmt::format(
        "cache figures ({}): the predecessor's are unreliable (e.g. a 512 KiB 'per core' L1); "
        "take them from `add_hardware --detect` or a datasheet",
        fmt::join(caches, ", ")));
  }
  if (!others.empty())
    result.not_carried.push_back("fields with no counterpart: " +
                                 fmt::format("{}", fmt::join(others, ", ")));
  result.to_fill.push_back("sources: the predecessor recorded none");
  result.entry = entry;
  return result;
}

}  // namespace hwcal
