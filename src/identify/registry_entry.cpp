#include "identify/registry_entry.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "hwcal/database/tolerances.hpp"
#include "hwcal/model/precision.hpp"
#include "identify/derive.hpp"

namespace hwcal {
namespace {

// The registry's precision names, in its order.
const std::vector<std::string>& registry_precisions() {
  static const std::vector<std::string> names = {"fp64", "fp32",  "fp16",  "fp8",   "fp4",  "bf16",
                                                 "tf32", "int64", "int32", "int16", "int8", "int4"};
  return names;
}

// Figures beyond any single device: a file holding one is broken or hostile, not a datasheet.
constexpr double kMaxPeakGflops = 1e8;  // 100,000 TFLOPS
constexpr double kMaxOpsPerClock = 1e9;
constexpr double kMaxClockMhz = 1e5;  // 100 GHz
constexpr double kMaxBandwidthGbps = 1e6;
constexpr double kMaxWatts = 1e5;
constexpr double kMaxMemoryGb = 1e6;
constexpr double kMaxUnits = 1e7;

// "1,979,000.0" as people read it.
std::string number_text(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::string digits = fmt::format("{:.0f}", std::fabs(value));
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return (value < 0 ? "-" : "") + out;
  }
  return fmt::format("{:.1f}", value);
}

bool agrees(double value, double reference) {
  return relative_error(value, reference) <= kDerivationTolerance;
}

// A refusal: the file and the field, on one line.
struct Refusal {
  std::string pointer;
  std::string message;
};

// A number at `pointer` of `object[key]`: absent or null gives nullopt; anything but a finite
// number from 0 to `limit` refuses the file.
std::optional<double> figure(const Json& object, const std::string& key, const std::string& pointer,
                             double limit) {
  if (!object.is_object()) return std::nullopt;
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  const std::string where = pointer_append(pointer, key);
  if (!found->is_number()) {
    throw Refusal{where, fmt::format("expected a number, got {}", json_type_name(*found))};
  }
  double value = found->get<double>();
  if (!std::isfinite(value)) throw Refusal{where, "not a finite number"};
  if (value < 0) throw Refusal{where, fmt::format("{} is negative", number_text(value))};
  if (value > limit) {
    throw Refusal{where, fmt::format("{:g} is beyond any device (limit {:g})", value, limit)};
  }
  return value;
}

std::optional<std::string> text_at(const Json& object, const std::string& key,
                                   const std::string& pointer) {
  if (!object.is_object()) return std::nullopt;
  auto found = object.find(key);
  if (found == object.end() || found->is_null()) return std::nullopt;
  if (!found->is_string()) {
    throw Refusal{pointer_append(pointer, key),
                  fmt::format("expected a string, got {}", json_type_name(*found))};
  }
  std::string value = found->get<std::string>();
  if (value.empty()) return std::nullopt;
  return value;
}

const Json& member(const Json& object, const std::string& key) {
  static const Json null_value;
  if (!object.is_object()) return null_value;
  auto found = object.find(key);
  return found == object.end() ? null_value : *found;
}

// An object at `key`, or null; another type refuses the file.
const Json& object_at(const Json& object, const std::string& key, const std::string& pointer) {
  const Json& value = member(object, key);
  if (!value.is_null() && !value.is_object()) {
    throw Refusal{pointer_append(pointer, key),
                  fmt::format("expected an object, got {}", json_type_name(value))};
  }
  return value;
}

bool valid_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// Numbers in text, with thousands commas ("1,081,344"), not those inside a word ("FP32").
std::vector<double> numbers_in(const std::string& text) {
  std::vector<double> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const bool starts = std::isdigit(c) != 0 &&
                        (i == 0 || (std::isalpha(static_cast<unsigned char>(text[i - 1])) == 0 &&
                                    text[i - 1] != '-' && text[i - 1] != '.'));
    if (!starts) {
      // A word ("FP32") or digits glued to one ("x86"): skip all of it; anything else, one char.
      if (std::isalnum(c) == 0) {
        ++i;
        continue;
      }
      while (i < text.size() && std::isalnum(static_cast<unsigned char>(text[i])) != 0) ++i;
      continue;
    }
    std::string digits;
    std::size_t j = i;
    while (j < text.size()) {
      const char d = text[j];
      if (std::isdigit(static_cast<unsigned char>(d)) != 0) {
        digits += d;
      } else if (d == ',' && j + 3 < text.size() &&
                 std::isdigit(static_cast<unsigned char>(text[j + 1])) != 0 &&
                 std::isdigit(static_cast<unsigned char>(text[j + 2])) != 0 &&
                 std::isdigit(static_cast<unsigned char>(text[j + 3])) != 0 &&
                 (j + 4 >= text.size() ||
                  std::isdigit(static_cast<unsigned char>(text[j + 4])) == 0)) {
        // a thousands separator: exactly three digits follow
      } else if (d == '.' && j + 1 < text.size() &&
                 std::isdigit(static_cast<unsigned char>(text[j + 1])) != 0) {
        digits += d;
      } else {
        break;
      }
      ++j;
    }
    // A figure glued to letters ("16GB", "128-bit") is a size, not a factor; still a number.
    out.push_back(std::strtod(digits.c_str(), nullptr));
    i = j;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])) != 0) ++i;
  }
  return out;
}

// Splits "64x64 systolic array x 2 (MAC)" at its multiplication signs: " x ", "×", " * ", and an
// 'x' between two digits.
std::vector<std::string> factor_texts(const std::string& text) {
  std::string spaced;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool between_digits = (c == 'x' || c == 'X') && i > 0 && i + 1 < text.size() &&
                                std::isdigit(static_cast<unsigned char>(text[i - 1])) != 0 &&
                                std::isdigit(static_cast<unsigned char>(text[i + 1])) != 0;
    if (between_digits || c == '*') {
      spaced += " x ";
    } else if (text.compare(i, 2, "\xC3\x97") == 0) {  // ×
      spaced += " x ";
      ++i;
    } else {
      spaced += c;
    }
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t at = spaced.find(" x ", start);
    if (at == std::string::npos) at = spaced.find(" X ", start);
    parts.push_back(spaced.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + 3;
  }
  return parts;
}

struct PrecisionFacts {
  std::string name;  // the registry's name
  std::optional<double> ops_per_clock;
  std::optional<double> peak;
  std::optional<std::string> note;
};

std::optional<Precision> canonical(const std::string& name) { return parse_precision(name); }

// The clock the totals were computed at: "(1980 MHz)" or "at 1.3 GHz" in theoretical_peaks_notes,
// else the boost clock.
std::optional<double> peaks_clock(const std::string& notes, std::optional<double> boost,
                                  std::string& from) {
  std::smatch match;
  static const std::regex mhz(R"(([0-9]+(?:\.[0-9]+)?)\s*MHz)", std::regex::icase);
  static const std::regex ghz(R"(([0-9]+(?:\.[0-9]+)?)\s*GHz)", std::regex::icase);
  if (std::regex_search(notes, match, mhz)) {
    from = "theoretical_peaks_notes";
    return std::stod(match[1].str());
  }
  if (std::regex_search(notes, match, ghz)) {
    from = "theoretical_peaks_notes";
    return std::stod(match[1].str()) * 1000;
  }
  if (boost) from = "boost_clock_mhz";
  return boost;
}

}  // namespace

double WordDerivation::product() const {
  double value = 1;
  for (double factor : factors) value *= factor;
  return value;
}

std::optional<WordDerivation> parse_word_derivation(const std::string& text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos) return std::nullopt;
  WordDerivation derivation;
  std::vector<std::string> parts = factor_texts(text.substr(0, equals));
  if (parts.size() < 2) return std::nullopt;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    std::vector<double> numbers = numbers_in(parts[i]);
    if (numbers.empty()) return std::nullopt;
    // "Single DLA core: 64" x "64 MAC array": the number next to the sign.
    derivation.factors.push_back(i == 0 ? numbers.back() : numbers.front());
  }
  std::vector<double> stated = numbers_in(text.substr(equals + 1));
  if (stated.empty()) return std::nullopt;
  derivation.stated = stated.front();
  return derivation;
}

RegistryKinds registry_kinds_supported() {
  // npu / accelerator / dsp entries and boards (docs/schema.md, "Accelerators, NPUs and DSPs",
  // "Boards").
  RegistryKinds kinds;
  kinds.accelerators = true;
  kinds.boards = true;
  return kinds;
}

namespace {

class Converter {
 public:
  Converter(const Json& spec, std::string file, std::string folder_id,
            const std::optional<RegistryReference>& reference,
            const std::vector<RegistryReference>& peers, const RegistryKinds& kinds)
      : spec_(spec),
        file_(std::move(file)),
        folder_id_(std::move(folder_id)),
        reference_(reference),
        peers_(peers),
        kinds_(kinds) {}

  RegistryConversion run() {
    try {
      convert();
    } catch (const Refusal& refusal) {
      result_.entry.reset();
      result_.failure =
          fmt::format("{}: {}", refusal.pointer.empty() ? "/" : refusal.pointer, refusal.message);
    }
    return result_;
  }

 private:
  void convert();
  void convert_board(Json& entry);
  void convert_device(Json& entry, DeviceType type);
  std::string attachment();
  void check_precision(const PrecisionFacts& facts, std::optional<double> clock,
                       const std::string& clock_from, Json& peaks, Json& derivations);
  [[noreturn]] void refuse(const std::string& pointer, const std::string& message) {
    throw Refusal{pointer, message};
  }

  const Json& spec_;
  std::string file_;
  std::string folder_id_;
  std::optional<RegistryReference> reference_;
  std::vector<RegistryReference> peers_;
  RegistryKinds kinds_;
  std::set<std::string> peer_verified_;      // precisions whose per-unit rate a peer confirms
  std::set<std::string> peer_contradicted_;  // ... and those a peer contradicts
  RegistryConversion result_;
  std::set<std::string> used_;
  std::map<std::string, double> carried_ops_;  // registry precision -> ops per clock, carried
  std::optional<long long> units_;
  std::string unit_name_;
};

void Converter::convert() {
  if (!spec_.is_object()) refuse("", "expected a spec object, got " + json_type_name(spec_));
  for (const char* key : {"id", "vendor", "model", "device_type"}) {
    if (!text_at(spec_, key, "")) refuse(pointer_append("", key), "missing: a spec names it");
  }
  std::string id = *text_at(spec_, "id", "");
  if (!valid_id(id)) {
    std::string fixed = lower(id);
    for (char& c : fixed) {
      if (c == '-' || c == ' ' || c == '.') c = '_';
    }
    if (!valid_id(fixed))
      fixed = suggest_id(*text_at(spec_, "vendor", ""), *text_at(spec_, "model", ""));
    result_.changes.push_back(fmt::format("id '{}' is not a valid id: '{}' instead", id, fixed));
    id = fixed;
  }
  if (!folder_id_.empty() && lower(folder_id_) != id) {
    result_.changes.push_back(fmt::format(
        "the file's id '{}' differs from its folder '{}': the file's is used", id, folder_id_));
  }
  result_.id = id;
  result_.kind = *text_at(spec_, "device_type", "");
  used_.insert({"id", "vendor", "model", "device_type"});

  Json entry = Json::object();
  entry["schema_version"] = kSpecSchemaVersion;
  entry["id"] = id;
  entry["vendor"] = *text_at(spec_, "vendor", "");
  entry["model"] = *text_at(spec_, "model", "");

  std::string kind = result_.kind;
  if (kind == "tpu") {
    result_.changes.push_back("device_type 'tpu' is an accelerator here");
    kind = "accelerator";
  }
  if (kind == "board") {
    if (!kinds_.boards) refuse("/device_type", "kind board: not supported by this database yet");
    convert_board(entry);
    result_.entry = entry;
    return;
  }
  auto type = parse_device_type(kind);
  if (!type) {
    refuse("/device_type", fmt::format("'{}' has no counterpart (expected cpu, gpu, npu, "
                                       "accelerator, dsp or board)",
                                       kind));
  }
  const bool accelerator = *type != DeviceType::cpu && *type != DeviceType::gpu;
  if (accelerator && !kinds_.accelerators) {
    // Its figures are still checked, so that the flags show what an import would meet.
    try {
      convert_device(entry, *type);
    } catch (const Refusal&) {
      // the kind is the reason that counts
    }
    result_.not_carried.clear();
    result_.to_fill.clear();
    refuse("/device_type", fmt::format("kind {}: not supported by this database yet", kind));
  }
  convert_device(entry, *type);
  result_.entry = entry;
}

void Converter::check_precision(const PrecisionFacts& facts, std::optional<double> clock_mhz,
                                const std::string& clock_from, Json& peaks, Json& derivations) {
  const std::string& name = facts.name;
  if (!facts.peak || *facts.peak <= 0) {
    if (facts.ops_per_clock && *facts.ops_per_clock > 0) {
      result_.not_carried.push_back(
          fmt::format("{}: ops_per_clock {} without a total in theoretical_peaks", name,
                      number_text(*facts.ops_per_clock)));
    }
    return;  // 0 is the registry's "none"
  }
  const double peak = *facts.peak;
  std::vector<std::string> problems;
  std::string chain;  // the derivation as the file tells it, for the flag
  // Plain numbers, 0 for none: GCC 12 at -O2 mistakes optionals here for uninitialized.
  double per_clock = facts.ops_per_clock.value_or(0);
  const double clock = clock_mhz.value_or(0);
  if (facts.note) {
    if (auto words = parse_word_derivation(*facts.note)) {
      chain = fmt::format("\"{}\"", *facts.note);
      if (!agrees(words->product(), words->stated)) {
        problems.push_back(fmt::format("its factors multiply to {}, not the {} it states",
                                       number_text(words->product()), number_text(words->stated)));
      }
      if (per_clock > 0 && !agrees(words->stated, per_clock)) {
        problems.push_back(fmt::format("ops_per_clock.{} says {} ops/clock, the derivation {}",
                                       name, number_text(per_clock), number_text(words->stated)));
      }
      if (per_clock <= 0) per_clock = words->stated;
    }
  }
  if (per_clock > 0 && clock > 0) {
    const double derived = per_clock * clock / 1000;
    if (!agrees(derived, peak)) {
      problems.push_back(fmt::format(
          "{} ops/clock x {} MHz ({}) = {} G{}, but theoretical_peaks.{} says {} ({:.1f}% apart)",
          number_text(per_clock), number_text(clock), clock_from, number_text(derived),
          name.rfind("int", 0) == 0 ? "OPS" : "FLOPS", name, number_text(peak),
          std::fabs(derived / peak - 1) * 100));
    }
  }
  bool left_out = false;
  // The same device in the database: a sourced dense figure to compare with.
  std::optional<Precision> precision = canonical(name);
  std::optional<Precision> compared = precision;
  if (!compared && name == "fp8") compared = Precision::fp8_e4m3;
  if (reference_ && compared) {
    auto found = reference_->spec->theoretical_peaks.find(*compared);
    if (found != reference_->spec->theoretical_peaks.end() && found->second > 0) {
      const double dense = found->second;
      const std::string where =
          fmt::format("{} ({})", reference_->spec->id, reference_->display_path);
      if (agrees(peak, 2 * dense)) {
        result_.flags.push_back(fmt::format(
            "{}: {} G{} is 2 x the dense {} of {}: a vendor's sparse figure; left out (the "
            "database stores dense rates)",
            name, number_text(peak), is_integer(*compared) ? "OPS" : "FLOPS", number_text(dense),
            where));
        left_out = true;
      } else if (!agrees(peak, dense)) {
        result_.flags.push_back(fmt::format(
            "{}: {} disagrees with the sourced {} of {} ({:.1f}% apart); left out", name,
            number_text(peak), number_text(dense), where, std::fabs(peak / dense - 1) * 100));
        left_out = true;
      }
    }
  }
  if (!problems.empty()) {
    result_.flags.push_back(fmt::format(
        "{}: the derivation{} does not give its own total: {}; {} left out (which side is wrong "
        "cannot be told from the file)",
        name, chain.empty() ? "" : " " + chain, fmt::format("{}", fmt::join(problems, "; ")),
        name));
    left_out = true;
  }
  // Sourced entries of the same architecture: one core (SM) does the same work per cycle in
  // every part of that design. Checked only where those entries agree among themselves.
  if (!left_out && precision && per_clock > 0 && units_ && !peers_.empty()) {
    std::optional<double> rate;
    std::vector<std::string> ids;
    bool consistent = true;
    for (const RegistryReference& peer : peers_) {
      auto found = peer.spec->peak_derivation.find(*precision);
      if (found == peer.spec->peak_derivation.end() || found->second.terms.size() != 1) continue;
      const DerivationTerm& term = found->second.terms.front();
      if (term.unit != unit_name_ || term.ops_per_cycle_per_unit <= 0) continue;
      if (rate && !agrees(term.ops_per_cycle_per_unit, *rate)) consistent = false;
      if (!rate) rate = term.ops_per_cycle_per_unit;
      ids.push_back(peer.spec->id);
    }
    if (rate && consistent) {
      const double own = per_clock / static_cast<double>(units_.value_or(1));
      if (agrees(own, *rate)) {
        peer_verified_.insert(name);
      } else {
        result_.flags.push_back(fmt::format(
            "{}: {} ops/clock over {} {}s is {} per {} per cycle, where the sourced {} entr{} "
            "({}) derive{} {}; left out",
            name, number_text(per_clock), *units_, unit_name_, number_text(own), unit_name_,
            text_at(spec_, "architecture", "").value_or("?"), ids.size() == 1 ? "y" : "ies",
            fmt::format("{}", fmt::join(ids, ", ")), ids.size() == 1 ? "s" : "",
            number_text(*rate)));
        peer_contradicted_.insert(name);
        left_out = true;
      }
    }
  }
  if (left_out) return;
  if (!precision) {
    result_.not_carried.push_back(
        fmt::format("theoretical_peaks.{} = {}: '{}' is not a canonical precision ({}){}", name,
                    number_text(peak), name, precision_names(),
                    name == "fp8" ? "; fp8 must say which format: fp8_e4m3 or fp8_e5m2" : ""));
    return;
  }
  peaks[name] = peak;
  if (per_clock > 0 && clock > 0) {
    const double ops = per_clock;
    const double units = static_cast<double>(units_.value_or(0));
    carried_ops_[name] = ops;
    Json derivation = Json::object();
    const bool whole = units > 0 && std::fmod(ops, units) == 0;
    derivation["unit"] = whole ? unit_name_ : std::string("device");
    derivation["units"] = whole ? units_.value_or(1) : 1;
    derivation["ops_per_cycle_per_unit"] = whole ? ops / units : ops;
    derivation["clock_mhz"] = clock;
    derivation["clock_source"] = "datasheet";
    std::string note =
        "from the predecessor's registry: ops_per_clock x the clock of " + clock_from;
    if (facts.note) note += "; " + *facts.note;
    derivation["note"] = note;
    derivations[name] = derivation;
  }
}

void Converter::convert_device(Json& entry, DeviceType type) {
  const bool accelerator = type != DeviceType::cpu && type != DeviceType::gpu;
  entry["architecture"] = text_at(spec_, "architecture", "").value_or("unknown");
  if (entry["architecture"] == "unknown") result_.to_fill.push_back("architecture: not recorded");
  entry["device_type"] = std::string(to_string(type));
  used_.insert({"architecture", "platform"});

  // Every figure is checked before anything is carried: a hostile value refuses the file.
  const Json& ops = object_at(spec_, "ops_per_clock", "");
  const Json& totals = object_at(spec_, "theoretical_peaks", "");
  const Json& word_notes = object_at(spec_, "ops_per_clock_notes", "");
  const Json& modes = object_at(spec_, "power_profiles", "");
  used_.insert({"ops_per_clock", "theoretical_peaks", "ops_per_clock_notes", "power_profiles",
                "theoretical_peaks_notes"});
  std::vector<PrecisionFacts> facts;
  std::set<std::string> names;
  for (const Json* table : {&ops, &totals}) {
    if (!table->is_object()) continue;
    for (const auto& [name, value] : table->items()) {
      (void)value;
      names.insert(name);
    }
  }
  for (const std::string& name : registry_precisions()) {
    if (names.count(name) == 0) continue;
    PrecisionFacts item;
    item.name = name;
    item.ops_per_clock = figure(ops, name, "/ops_per_clock", kMaxOpsPerClock);
    item.peak = figure(totals, name, "/theoretical_peaks", kMaxPeakGflops);
    item.note = text_at(word_notes, name, "/ops_per_clock_notes");
    facts.push_back(item);
    names.erase(name);
  }
  for (const std::string& name : names) {
    // Validated like the others, then reported: hwcal has no such precision.
    figure(ops, name, "/ops_per_clock", kMaxOpsPerClock);
    figure(totals, name, "/theoretical_peaks", kMaxPeakGflops);
    result_.not_carried.push_back(
        fmt::format("{}: not a precision hwcal knows ({})", name, precision_names()));
  }
  const std::optional<double> base = figure(spec_, "base_clock_mhz", "", kMaxClockMhz);
  const std::optional<double> boost = figure(spec_, "boost_clock_mhz", "", kMaxClockMhz);
  const std::optional<double> all_core = figure(spec_, "all_core_boost_mhz", "", kMaxClockMhz);
  const std::optional<double> bandwidth =
      figure(spec_, "peak_bandwidth_gbps", "", kMaxBandwidthGbps);
  const std::optional<double> tdp = figure(spec_, "tdp_watts", "", kMaxWatts);
  const std::optional<double> memory_gb = figure(spec_, "memory_gb", "", kMaxMemoryGb);
  const std::optional<double> units = figure(spec_, "compute_units", "", kMaxUnits);
  used_.insert({"base_clock_mhz", "boost_clock_mhz", "all_core_boost_mhz", "peak_bandwidth_gbps",
                "tdp_watts", "memory_gb", "compute_units", "notes"});
  for (const std::string& key :
       {std::string("l2_cache_size_mb"), std::string("l3_cache_size_mb"),
        std::string("l2_cache_bandwidth_gbps"), std::string("l3_cache_bandwidth_gbps")}) {
    figure(spec_, key, "", kMaxBandwidthGbps);
  }

  Json compute = Json::object();
  if (!accelerator && units && *units >= 1 && std::floor(*units) == *units) {
    units_ = static_cast<long long>(*units);
    unit_name_ = type == DeviceType::gpu ? "SM" : "core";
    compute["units"] = *units_;
    compute["unit_name"] = unit_name_;
  } else if (units) {
    result_.not_carried.push_back(
        fmt::format("compute_units {}: {}", number_text(*units),
                    accelerator ? "what a unit is differs from one accelerator to the next"
                                : "not a whole number of cores or SMs"));
  }
  if (base && *base > 0) compute["base_clock_mhz"] = *base;
  if (boost && *boost > 0) compute["max_clock_mhz"] = *boost;
  if (!compute.empty()) entry["compute"] = compute;

  std::string clock_from;
  const std::string peak_notes = text_at(spec_, "theoretical_peaks_notes", "").value_or("");
  std::optional<double> clock = peaks_clock(peak_notes, boost, clock_from);
  if (clock && all_core && agrees(*clock, *all_core)) clock_from = "all_core_boost_mhz";
  if (clock && *clock <= 0) clock.reset();

  Json peaks = Json::object();
  Json derivations = Json::object();
  for (const PrecisionFacts& item : facts) {
    check_precision(item, clock, clock_from, peaks, derivations);
  }
  // A per-core (per-SM) rate the design contradicts means the file's model of the core is wrong:
  // its other per-unit figures, which no sourced entry can confirm, are not trusted either.
  if (!peer_contradicted_.empty()) {
    std::vector<std::string> dropped;
    for (const auto& [name, value] : peaks.items()) {
      (void)value;
      if (peer_verified_.count(name) == 0) dropped.push_back(name);
    }
    for (const std::string& name : dropped) {
      peaks.erase(name);
      derivations.erase(name);
      carried_ops_.erase(name);
    }
    if (!dropped.empty()) {
      result_.not_carried.push_back(
          fmt::format("{}: no sourced entry confirms them, and the file's per-unit rates of {} are "
                      "contradicted",
                      fmt::format("{}", fmt::join(dropped, ", ")),
                      fmt::format("{}", fmt::join(peer_contradicted_, ", "))));
    }
  }
  // Canonical order.
  Json ordered = Json::object();
  Json ordered_derivations = Json::object();
  for (Precision precision : kAllPrecisions) {
    const std::string name(to_string(precision));
    if (peaks.contains(name)) ordered[name] = peaks[name];
    if (derivations.contains(name)) ordered_derivations[name] = derivations[name];
  }
  if (ordered.empty()) {
    refuse("/theoretical_peaks", result_.flags.empty()
                                     ? "no peak above 0: nothing to carry"
                                     : "no peak survives the checks (see the flags)");
  }
  // Entry order: the platform before the peaks.
  std::string platform = text_at(spec_, "platform", "").value_or("");
  if (platform == "arm64") platform = "aarch64";
  if (!is_known_platform(platform)) {
    refuse("/platform",
           fmt::format("'{}' names no host instruction set (x86_64 or aarch64)", platform));
  }
  entry["platform"] = platform;
  if (accelerator) entry["attachment"] = attachment();
  entry["theoretical_peaks"] = ordered;
  if (!ordered_derivations.empty()) entry["peak_derivation"] = ordered_derivations;

  if (accelerator) {
    // A registry bandwidth has no source and does not say what memory it is (Hailo-8: 200 GB/s
    // beside "No external DRAM").
    if (bandwidth && *bandwidth > 0) {
      entry["peak_bandwidth_unknown"] = fmt::format(
          "the predecessor's registry gave {} GB/s without a source or the memory it belongs to",
          number_text(*bandwidth));
      result_.not_carried.push_back(
          fmt::format("peak_bandwidth_gbps {}: no source and no memory named; recorded as unknown",
                      number_text(*bandwidth)));
    }
  } else if (!bandwidth || *bandwidth <= 0) {
    refuse("/peak_bandwidth_gbps", "0 or missing: a cpu or gpu entry needs its DRAM bandwidth");
  } else {
    entry["peak_bandwidth_gbps"] = *bandwidth;
  }
  if (memory_gb && *memory_gb > 0) entry["memory"] = Json{{"size_gb", *memory_gb}};
  if (tdp && *tdp > 0) entry["tdp_watts"] = *tdp;
  if (all_core && clock_from != "all_core_boost_mhz") {
    result_.not_carried.push_back(
        fmt::format("all_core_boost_mhz {}: no field for it", number_text(*all_core)));
  }

  // Power modes: the clock of this device and the power limit; peaks follow from the carried
  // ops per clock at the mode's clock.
  if (modes.is_object() && !modes.empty()) {
    Json out = Json::object();
    for (const auto& [name, mode] : modes.items()) {
      const std::string pointer = pointer_append("/power_profiles", name);
      static const std::regex mode_name("^[A-Za-z0-9_]+$");
      if (!std::regex_match(name, mode_name)) {
        refuse(pointer, "a power mode name must match ^[A-Za-z0-9_]+$");
      }
      if (!mode.is_object()) refuse(pointer, "expected an object, got " + json_type_name(mode));
      std::optional<double> mode_clock = figure(mode, "clock_mhz", pointer, kMaxClockMhz);
      for (const auto& [key, value] : mode.items()) {
        (void)value;
        if (key.size() > 10 && key.compare(key.size() - 10, 10, "_clock_mhz") == 0) {
          mode_clock = figure(mode, key, pointer, kMaxClockMhz);
        }
      }
      const std::optional<double> limit = figure(mode, "power_limit_w", pointer, kMaxWatts);
      Json item = Json::object();
      if (mode_clock && *mode_clock > 0) {
        item["clocks_mhz"] = Json{{std::string(to_string(type)), *mode_clock}};
      }
      if (limit && *limit > 0) item["tdp_watts"] = *limit;
      // A mode's own total ("peak_int8_tops"): checked against ops per clock x its clock.
      for (const auto& [key, value] : mode.items()) {
        static const std::regex total("^peak_([a-z0-9]+)_(tops|tflops)$");
        std::smatch match;
        if (!std::regex_match(key, match, total)) continue;
        const std::optional<double> tops = figure(mode, key, pointer, kMaxPeakGflops / 1000);
        (void)value;
        const std::string precision = match[1].str();
        auto ops_found = carried_ops_.find(precision);
        if (!tops || !mode_clock || ops_found == carried_ops_.end()) continue;
        const double derived = ops_found->second * *mode_clock / 1000;
        // The registry rounds these to a tenth of a TOPS.
        if (std::fabs(derived - *tops * 1000) >
            std::max(50.0, *tops * 1000 * kDerivationTolerance)) {
          result_.flags.push_back(fmt::format(
              "power_profiles.{}.{}: {} TOPS, but {} ops/clock x {} MHz = {} G{}; the mode's "
              "peak is derived from the clock instead",
              name, key, number_text(*tops), number_text(ops_found->second),
              number_text(*mode_clock), number_text(derived), "OPS"));
        }
      }
      if (mode_clock && clock && *mode_clock > 0 && *mode_clock <= *clock * (1 + 1e-9)) {
        Json mode_peaks = Json::object();
        Json mode_derivations = Json::object();
        for (Precision precision : kAllPrecisions) {
          const std::string precision_name(to_string(precision));
          auto found = carried_ops_.find(precision_name);
          if (found == carried_ops_.end()) continue;
          const double value = std::round(found->second * *mode_clock / 100) / 10;
          mode_peaks[precision_name] = value;
          Json derivation = ordered_derivations[precision_name];
          derivation["clock_mhz"] = *mode_clock;
          derivation["note"] = "ops_per_clock x this mode's clock";
          mode_derivations[precision_name] = derivation;
        }
        if (!mode_peaks.empty()) {
          item["theoretical_peaks"] = mode_peaks;
          item["peak_derivation"] = mode_derivations;
        }
      } else if (mode_clock && clock && *mode_clock > *clock) {
        result_.not_carried.push_back(fmt::format(
            "power_profiles.{}: its clock {} MHz is above the clock of the totals ({} MHz): no "
            "peaks derived for it",
            name, number_text(*mode_clock), number_text(*clock)));
      }
      out[name] = item;
    }
    entry["power_modes"] = out;
  }

  // Notes: the file's, its general derivation note, and where it came from.
  std::string notes = text_at(spec_, "notes", "").value_or("");
  if (auto general = text_at(word_notes, "note", "/ops_per_clock_notes")) {
    notes += (notes.empty() ? "" : " ") + *general;
  }
  notes += fmt::format(
      "{}Imported from the predecessor's registry ({}) by add_hardware --import-registry.",
      notes.empty() ? "" : " | ", file_);
  if (!result_.flags.empty()) {
    std::vector<std::string> flagged;
    for (const std::string& flag : result_.flags) flagged.push_back(flag.substr(0, flag.find(':')));
    notes += fmt::format(" Left out as flagged: {}.", fmt::join(flagged, ", "));
  }
  entry["notes"] = notes;

  // What was left behind, by name.
  std::vector<std::string> left;
  std::vector<std::string> caches;
  for (const auto& [key, value] : spec_.items()) {
    (void)value;
    if (used_.count(key) != 0) continue;
    (key.find("cache") != std::string::npos ? caches : left).push_back(key);
  }
  if (!caches.empty()) {
    result_.not_carried.push_back(fmt::format(
        "cache figures ({}): no level, count or scope recorded, and the bandwidths are estimates",
        fmt::format("{}", fmt::join(caches, ", "))));
  }
  if (!left.empty()) {
    result_.not_carried.push_back("fields with no counterpart: " +
                                  fmt::format("{}", fmt::join(left, ", ")));
  }
  result_.to_fill.push_back("sources: the registry records none");
  result_.to_fill.push_back(
      "detection_patterns: the registry records none (what /proc/cpuinfo or the driver reports "
      "is not its model string)");
  if (accelerator) {
    result_.to_fill.push_back("frameworks: the registry names them in free text only");
  }
}

// How an accelerator reaches its host, where the registry's words say it and say one thing:
// "in Orin SoC" is on the SoC; "USB/M.2/PCIe variants" is three devices in one file.
std::string Converter::attachment() {
  std::string text;
  for (const char* key : {"model", "architecture", "notes"}) {
    text += " " + text_at(spec_, key, "").value_or("");
  }
  struct Way {
    const char* name;
    std::regex pattern;
  };
  static const std::vector<Way> ways = {
      {"soc", std::regex(R"(\bSoC\b)", std::regex::icase)},
      {"usb", std::regex(R"(\bUSB\b)", std::regex::icase)},
      {"m2", std::regex(R"(\bM\.2\b)", std::regex::icase)},
      {"mpcie", std::regex(R"(mini-?PCIe)", std::regex::icase)},
      {"pcie", std::regex(R"((^|[^-a-z])PCIe\b)", std::regex::icase)},
  };
  std::vector<std::string> found;
  for (const Way& way : ways) {
    if (std::regex_search(text, way.pattern)) found.push_back(way.name);
  }
  if (found.empty()) {
    refuse("/notes",
           "an accelerator entry needs its attachment (soc, pcie, m2, usb, ...) and the "
           "registry does not say it");
  }
  if (found.size() > 1) {
    refuse("/notes", fmt::format("attaches by {} depending on the variant: one file stands for "
                                 "several devices (one entry per variant is needed)",
                                 fmt::join(found, ", ")));
  }
  result_.changes.push_back(
      fmt::format("attachment '{}': read from the model and notes", found.front()));
  return found.front();
}

void Converter::convert_board(Json& entry) {
  entry["architecture"] = text_at(spec_, "architecture", "").value_or("unknown");
  entry["device_type"] = "board";
  std::string platform = text_at(spec_, "platform", "").value_or("");
  if (!is_known_platform(platform)) {
    refuse("/platform",
           fmt::format("'{}' names no host instruction set (x86_64 or aarch64)", platform));
  }
  entry["platform"] = platform;
  used_.insert(
      {"architecture", "platform", "compute_units", "power_profiles", "tdp_watts", "notes"});
  const Json& units = member(spec_, "compute_units");
  if (!units.is_array() || units.empty()) {
    refuse("/compute_units", "a board lists its parts here: expected a non-empty array");
  }
  Json parts = Json::array();
  for (std::size_t i = 0; i < units.size(); ++i) {
    const std::string pointer = pointer_append("/compute_units", i);
    const Json& unit = units[i];
    if (!unit.is_object()) refuse(pointer, "expected an object, got " + json_type_name(unit));
    auto id = text_at(unit, "id", pointer);
    if (!id) refuse(pointer_append(pointer, "id"), "missing: a part names its entry");
    auto count = figure(unit, "count", pointer, kMaxUnits);
    if (count && (*count < 1 || std::floor(*count) != *count)) {
      refuse(pointer_append(pointer, "count"), "expected a whole number of at least 1");
    }
    Json part = Json::object();
    part["id"] = *id;
    part["role"] = text_at(unit, "type", pointer).value_or("part");
    if (count && *count > 1) part["count"] = static_cast<long long>(*count);
    parts.push_back(part);
    result_.parts.push_back(*id);
  }
  entry["parts"] = parts;
  const Json& modes = member(spec_, "power_profiles");
  if (modes.is_array() && !modes.empty()) {
    Json out = Json::object();
    for (std::size_t i = 0; i < modes.size(); ++i) {
      const std::string pointer = pointer_append("/power_profiles", i);
      if (!modes[i].is_string()) {
        refuse(pointer, "expected a mode name, got " + json_type_name(modes[i]));
      }
      out[modes[i].get<std::string>()] = Json::object();
    }
    entry["power_modes"] = out;
  }
  if (auto tdp = figure(spec_, "tdp_watts", "", kMaxWatts); tdp && *tdp > 0) {
    entry["tdp_watts"] = *tdp;
  }
  std::string notes = text_at(spec_, "notes", "").value_or("");
  notes += fmt::format(
      "{}Imported from the predecessor's registry ({}) by add_hardware --import-registry.",
      notes.empty() ? "" : " | ", file_);
  entry["notes"] = notes;
  std::vector<std::string> left;
  for (const auto& [key, value] : spec_.items()) {
    (void)value;
    if (used_.count(key) == 0) left.push_back(key);
  }
  if (!left.empty()) {
    result_.not_carried.push_back(
        fmt::format("fields with no counterpart on a board (its parts hold memory and "
                    "bandwidth): {}",
                    fmt::format("{}", fmt::join(left, ", "))));
  }
  result_.to_fill.push_back("sources: the registry records none");
}

}  // namespace

RegistryConversion convert_registry_spec(const Json& spec, const std::string& file,
                                         const std::string& folder_id,
                                         const std::optional<RegistryReference>& reference,
                                         const RegistryKinds& kinds,
                                         const std::vector<RegistryReference>& peers) {
  return Converter(spec, file, folder_id, reference, peers, kinds).run();
}

}  // namespace hwcal
