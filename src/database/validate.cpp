#include "hwcal/database/validate.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/paths.hpp"
#include "base/pattern.hpp"
#include "hwcal/json/json_io.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

bool is_valid_id(const std::string& id) {
  if (id.empty()) return false;
  for (char c : id) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

bool is_valid_mode_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

// "/power_modes" covers "/power_modes/7W/theoretical_peaks/fp32".
bool pointer_covers(const std::string& cover, const std::string& pointer) {
  if (cover.empty()) return true;
  if (pointer.compare(0, cover.size(), cover) != 0) return false;
  return pointer.size() == cover.size() || pointer[cover.size()] == '/';
}

bool covered(const HardwareSpec& spec, const std::string& pointer) {
  if (!spec.sources) return false;
  for (const Source& source : *spec.sources) {
    for (const std::string& cover : source.covers) {
      if (pointer_covers(cover, pointer)) return true;
    }
  }
  return false;
}

// Lower-case letters and digits of the model, without the vendor's words: "AMD Ryzen 7 2700X"
// and "Ryzen 7 2700X" are the same device.
std::string model_key(const HardwareSpec& spec) {
  std::string vendor = spec.vendor_slug();
  std::string key;
  std::string word;
  auto flush = [&]() {
    if (!word.empty() && word != vendor) key += word;
    word.clear();
  };
  for (char c : spec.model) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  return key;
}

void check_derivations(const DerivationTable& derivations, const PeakTable& peaks,
                       const std::string& pointer, const std::string& file,
                       Diagnostics& diagnostics) {
  for (const auto& [precision, derivation] : derivations) {
    std::string item = pointer_append(pointer, to_string(precision));
    if (derivation.origin == PeakOrigin::cpu_flags) {
      diagnostics.warning(file, pointer_append(item, "origin"),
                          "derived from CPU flags with an inferred FMA unit count: check it "
                          "against the core's documentation and cite it");
    }
    for (std::size_t i = 0; i < derivation.terms.size(); ++i) {
      const DerivationTerm& term = derivation.terms[i];
      if (term.units <= 0 || term.ops_per_cycle_per_unit <= 0 || term.clock_mhz <= 0) {
        diagnostics.error(file, item,
                          "units, ops_per_cycle_per_unit and clock_mhz must be positive");
      }
    }
    auto peak = peaks.find(precision);
    if (peak == peaks.end()) {
      diagnostics.error(file, item,
                        fmt::format("derivation for {} but no theoretical peak of {} to check it "
                                    "against",
                                    to_string(precision), to_string(precision)));
      continue;
    }
    double derived = derivation.derived_gflops();
    if (relative_error(derived, peak->second) > kDerivationTolerance) {
      diagnostics.error(
          file, item,
          fmt::format("derivation gives {:.1f} {} but the peak is {:.1f} ({:+.1f}%, more than "
                      "{:.0f}% apart)",
                      derived, throughput_unit(precision), peak->second,
                      (derived / peak->second - 1.0) * 100.0, kDerivationTolerance * 100));
    }
  }
}

void check_summary(const HardwareSpec& spec, const ModeSummary& summary, const std::string& pointer,
                   const std::string& file, Diagnostics& diagnostics) {
  const std::string mode =
      summary.power_mode.empty() ? spec.default_mode_name() : summary.power_mode;
  if (!spec.power_modes.empty() && spec.find_power_mode(mode) == nullptr) {
    diagnostics.error(file, pointer_append(pointer, "power_mode"),
                      fmt::format("power mode '{}' is not one of the entry's power modes", mode));
  }
  for (const auto& [precision, measured] : summary.measured_peaks) {
    std::string item =
        pointer_append(pointer_append(pointer, "measured_peaks"), to_string(precision));
    auto theoretical = spec.peak_for_mode(precision, mode);
    if (!theoretical || *theoretical <= 0) {
      diagnostics.warning(
          file, item,
          fmt::format("measured {} has no theoretical peak to compare with", to_string(precision)));
      continue;
    }
    if (measured > *theoretical * (1.0 + kOverPeakTolerance)) {
      diagnostics.error(
          file, item,
          fmt::format("measured {:.1f} {} is above the theoretical peak {:.1f} of "
                      "power mode {} by {:.1f}%: the peak or the measurement is wrong",
                      measured, throughput_unit(precision), *theoretical, mode,
                      (measured / *theoretical - 1.0) * 100.0));
    }
    auto efficiency = summary.efficiency.find(precision);
    double expected = measured / *theoretical;
    if (efficiency == summary.efficiency.end()) {
      diagnostics.error(file, pointer_append(pointer, "efficiency"),
                        fmt::format("no efficiency for measured {}", to_string(precision)));
    } else if (std::fabs(efficiency->second - expected) >
               kEfficiencyTolerance * std::max(expected, 0.01)) {
      diagnostics.error(
          file, pointer_append(pointer_append(pointer, "efficiency"), to_string(precision)),
          fmt::format("efficiency {:.4f} disagrees with measured / theoretical = {:.1f} / {:.1f} = "
                      "{:.4f}",
                      efficiency->second, measured, *theoretical, expected));
    }
  }
  for (const auto& [precision, value] : summary.efficiency) {
    if (summary.measured_peaks.count(precision) == 0) {
      diagnostics.error(
          file, pointer_append(pointer_append(pointer, "efficiency"), to_string(precision)),
          fmt::format("efficiency of {} without a measured peak", to_string(precision)));
    }
    (void)value;
  }
  // With the DRAM bandwidth unknown (peak_bandwidth_unknown) there is nothing to compare with.
  if (summary.bandwidth_efficiency && spec.bandwidth_for_mode(mode) <= 0) {
    diagnostics.error(file, pointer_append(pointer, "bandwidth_efficiency"),
                      fmt::format("bandwidth_efficiency without a theoretical bandwidth in power "
                                  "mode {} (the entry's is unknown)",
                                  mode));
  }
  if (summary.measured_bandwidth_gbps && spec.bandwidth_for_mode(mode) > 0) {
    double theoretical = spec.bandwidth_for_mode(mode);
    double measured = *summary.measured_bandwidth_gbps;
    if (measured > theoretical * (1.0 + kOverPeakTolerance)) {
      diagnostics.error(
          file, pointer_append(pointer, "measured_bandwidth_gbps"),
          fmt::format("measured bandwidth {:.1f} GB/s is above the theoretical {:.1f} "
                      "GB/s of power mode {}",
                      measured, theoretical, mode));
    }
    if (summary.bandwidth_efficiency &&
        std::fabs(*summary.bandwidth_efficiency - measured / theoretical) >
            kEfficiencyTolerance * std::max(measured / theoretical, 0.01)) {
      diagnostics.error(file, pointer_append(pointer, "bandwidth_efficiency"),
                        fmt::format("bandwidth_efficiency {:.4f} disagrees with {:.1f} / {:.1f} = "
                                    "{:.4f}",
                                    *summary.bandwidth_efficiency, measured, theoretical,
                                    measured / theoretical));
    }
  }
}

// Covers pointers that name no field are found by parse_spec, which has the document.
void check_sources(const HardwareSpec& spec, const std::string& file, Diagnostics& diagnostics) {
  auto require = [&](const std::string& pointer, const std::string& derivation_pointer) {
    if (covered(spec, pointer)) return;
    if (!derivation_pointer.empty() && covered(spec, derivation_pointer)) return;
    diagnostics.warning(file, pointer, "no source covers this figure (add one to `sources`)");
  };
  for (const auto& [precision, value] : spec.theoretical_peaks) {
    std::string name(to_string(precision));
    require(pointer_append("/theoretical_peaks", name),
            spec.peak_derivation.count(precision) ? pointer_append("/peak_derivation", name) : "");
    (void)value;
  }
  if (spec.has_external_memory() && !spec.peak_bandwidth_unknown) {
    require("/peak_bandwidth_gbps", spec.memory ? "/memory" : "");
  }
  if (spec.on_chip_memory_mib) require("/on_chip_memory_mib", "");
  if (spec.typical_power_watts) require("/typical_power_watts", "");
  for (const PowerMode& mode : spec.power_modes) {
    std::string base = pointer_append("/power_modes", mode.name);
    for (const auto& [precision, value] : mode.theoretical_peaks) {
      std::string name(to_string(precision));
      require(pointer_append(pointer_append(base, "theoretical_peaks"), name),
              mode.peak_derivation.count(precision)
                  ? pointer_append(pointer_append(base, "peak_derivation"), name)
                  : "");
      (void)value;
    }
    if (mode.peak_bandwidth_gbps) require(pointer_append(base, "peak_bandwidth_gbps"), "");
  }
}

// The rules of the kinds beyond CPU and GPU (docs/schema.md): an accelerator says how it
// attaches; a board names parts and holds no figures of its own.
void check_kind(const HardwareSpec& spec, const std::string& file, Diagnostics& diagnostics) {
  if (is_accelerator_kind(spec.device_type) && !spec.attachment) {
    diagnostics.error(file, "/attachment",
                      fmt::format("missing: a {} entry says how it reaches its host (one of {})",
                                  to_string(spec.device_type), attachment_names()));
  }
  if (!spec.is_board()) {
    if (spec.parts) {
      diagnostics.error(file, "/parts",
                        fmt::format("parts belong to a board entry, not a {} (device_type "
                                    "\"board\")",
                                    to_string(spec.device_type)));
    }
    return;
  }
  auto no_figures = [&](const std::string& pointer, bool present) {
    if (present) {
      diagnostics.error(file, pointer,
                        "a board holds no figures of its own: they belong to its parts' entries");
    }
  };
  no_figures("/theoretical_peaks", !spec.theoretical_peaks.empty());
  no_figures("/peak_derivation", !spec.peak_derivation.empty());
  no_figures("/peak_bandwidth_gbps", spec.peak_bandwidth_gbps > 0);
  no_figures("/peak_bandwidth_unknown", spec.peak_bandwidth_unknown.has_value());
  no_figures("/calibration_summary", spec.calibration_summary.has_value());
  for (const PowerMode& mode : spec.power_modes) {
    std::string base = pointer_append("/power_modes", mode.name);
    no_figures(pointer_append(base, "theoretical_peaks"), !mode.theoretical_peaks.empty());
    no_figures(pointer_append(base, "peak_derivation"), !mode.peak_derivation.empty());
    no_figures(pointer_append(base, "peak_bandwidth_gbps"), mode.peak_bandwidth_gbps.has_value());
  }
  if (!spec.parts || spec.parts->empty()) {
    diagnostics.error(file, "/parts",
                      "missing: a board lists its parts, [{\"id\": \"<entry id>\", \"role\": "
                      "\"cpu\"}, ...]");
    return;
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < spec.parts->size(); ++i) {
    const BoardPart& part = (*spec.parts)[i];
    std::string pointer = pointer_append(pointer_append("/parts", i), "id");
    if (part.id == spec.id) {
      diagnostics.error(file, pointer, "a board cannot be its own part");
    } else if (!part.id.empty() && !seen.insert(part.id).second) {
      diagnostics.error(
          file, pointer,
          fmt::format("part '{}' is listed twice (give it a count instead)", part.id));
    }
  }
}

}  // namespace

double relative_error(double value, double reference) {
  return std::fabs(value - reference) / std::max(std::fabs(reference), 1e-12);
}

// A pattern as messages quote it: hostile ones can be megabytes long.
std::string shorten(const std::string& text) {
  return text.size() <= 80 ? text : text.substr(0, 80) + "...";
}

std::string regex_problem(const std::string& pattern) {
  return pattern_problem(pattern).value_or("");
}

Diagnostics validate_spec(const HardwareSpec& spec, const std::string& file,
                          const std::string& relative_path) {
  Diagnostics diagnostics;
  fs::path relative(relative_path);

  if (!spec.id.empty()) {
    if (!is_valid_id(spec.id)) {
      diagnostics.error(file, "/id", fmt::format("id '{}' must match ^[a-z0-9_]+$", spec.id));
    }
    if (!relative_path.empty() && relative.stem().string() != spec.id) {
      diagnostics.error(file, "/id",
                        fmt::format("id '{}' differs from the file name '{}'", spec.id,
                                    relative.filename().string()));
    }
  }
  // Power-mode names become folders of stored profiles (profiles/<vendor>/<id>/<mode>/).
  for (const PowerMode& mode : spec.power_modes) {
    if (auto problem = path_component_problem(mode.name)) {
      diagnostics.error(file, pointer_append("/power_modes", mode.name),
                        fmt::format("power mode name '{}' {}: it names a folder of profiles",
                                    shorten(mode.name), *problem));
    }
  }
  if (!relative_path.empty()) {
    std::vector<std::string> parts;
    for (const auto& part : relative) parts.push_back(part.string());
    std::string expected = fmt::format("{}/{}/", to_string(spec.device_type), spec.vendor_slug());
    if (parts.size() != 3) {
      diagnostics.error(file, "",
                        fmt::format("entries live at <device_type>/<vendor>/<id>.json; move this "
                                    "file to {}{}.json",
                                    expected, spec.id));
    } else {
      if (parts[0] != to_string(spec.device_type)) {
        diagnostics.error(file, "/device_type",
                          fmt::format("device_type '{}' but the file is in folder '{}'",
                                      to_string(spec.device_type), parts[0]));
      }
      if (parts[1] != spec.vendor_slug()) {
        diagnostics.error(file, "/vendor",
                          fmt::format("vendor '{}' belongs in folder '{}', not '{}'", spec.vendor,
                                      spec.vendor_slug(), parts[1]));
      }
    }
  }

  if (spec.detection_patterns) {
    for (std::size_t i = 0; i < spec.detection_patterns->size(); ++i) {
      const std::string& pattern = (*spec.detection_patterns)[i];
      std::string problem = regex_problem(pattern);
      if (!problem.empty()) {
        diagnostics.error(file, pointer_append("/detection_patterns", i),
                          fmt::format("pattern '{}' is {}", shorten(pattern), problem));
      }
    }
  }
  if (spec.board_signals) {
    for (std::size_t i = 0; i < spec.board_signals->device_tree_model.size(); ++i) {
      const std::string& pattern = spec.board_signals->device_tree_model[i];
      std::string problem = regex_problem(pattern);
      if (!problem.empty()) {
        diagnostics.error(file, pointer_append("/board_signals/device_tree_model", i),
                          fmt::format("pattern '{}' is {}", shorten(pattern), problem));
      }
    }
  }

  check_derivations(spec.peak_derivation, spec.theoretical_peaks, "/peak_derivation", file,
                    diagnostics);

  std::set<std::string> folded_names;
  for (const PowerMode& mode : spec.power_modes) {
    std::string base = pointer_append("/power_modes", mode.name);
    if (!is_valid_mode_name(mode.name)) {
      diagnostics.error(file, base,
                        fmt::format("power mode name '{}' must match ^[A-Za-z0-9_]+$ (nvpmodel's "
                                    "NAME verbatim)",
                                    mode.name));
    }
    std::string folded;
    for (char c : mode.name)
      folded += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!folded_names.insert(folded).second) {
      diagnostics.error(
          file, base, fmt::format("power mode '{}' differs from another only in case", mode.name));
    }
    PeakTable mode_peaks = spec.peaks_for_mode(mode.name);
    check_derivations(mode.peak_derivation, mode_peaks, pointer_append(base, "peak_derivation"),
                      file, diagnostics);
    for (const auto& [precision, value] : mode.theoretical_peaks) {
      auto device = spec.theoretical_peaks.find(precision);
      std::string item =
          pointer_append(pointer_append(base, "theoretical_peaks"), to_string(precision));
      if (device == spec.theoretical_peaks.end()) {
        diagnostics.error(
            file, item,
            fmt::format("{} is given for this mode but not for the device", to_string(precision)));
      } else if (value > device->second * (1.0 + kModePeakTolerance)) {
        diagnostics.error(
            file, item,
            fmt::format("mode peak {:.1f} is above the device's {:.1f}", value, device->second));
      }
    }
    if (mode.peak_bandwidth_gbps && !spec.peak_bandwidth_unknown &&
        *mode.peak_bandwidth_gbps > spec.peak_bandwidth_gbps * 1.01) {
      diagnostics.error(file, pointer_append(base, "peak_bandwidth_gbps"),
                        fmt::format("mode bandwidth {:.1f} GB/s is above the device's {:.1f}",
                                    *mode.peak_bandwidth_gbps, spec.peak_bandwidth_gbps));
    }
  }
  if (spec.default_power_mode) {
    if (spec.power_modes.empty()) {
      if (*spec.default_power_mode != "default") {
        diagnostics.error(file, "/default_power_mode",
                          fmt::format("default_power_mode '{}' but the entry has no power_modes",
                                      *spec.default_power_mode));
      }
    } else if (spec.find_power_mode(*spec.default_power_mode) == nullptr) {
      std::string names;
      for (const PowerMode& mode : spec.power_modes)
        names += (names.empty() ? "" : ", ") + mode.name;
      diagnostics.error(file, "/default_power_mode",
                        fmt::format("default_power_mode '{}' is not one of the power modes ({})",
                                    *spec.default_power_mode, names));
    }
  } else if (!spec.power_modes.empty()) {
    diagnostics.warning(file, "/default_power_mode",
                        "the entry has power modes but no default_power_mode");
  }

  if (spec.peak_bandwidth_unknown) {
    diagnostics.warning(file, "/peak_bandwidth_unknown",
                        fmt::format("the DRAM bandwidth is unknown ({}): rooflines use the "
                                    "measured bandwidth only",
                                    *spec.peak_bandwidth_unknown));
  }
  if (spec.memory && spec.memory->bus_width_bits && spec.memory->data_rate_mts) {
    double derived = static_cast<double>(*spec.memory->bus_width_bits) / 8.0 *
                     *spec.memory->data_rate_mts / 1000.0;
    if (spec.peak_bandwidth_gbps <= 0) {
      diagnostics.warning(
          file, "/peak_bandwidth_unknown",
          fmt::format("memory bus {} bits × {} MT/s gives {:.1f} GB/s: give it as "
                      "peak_bandwidth_gbps",
                      *spec.memory->bus_width_bits, *spec.memory->data_rate_mts, derived));
    } else if (relative_error(derived, spec.peak_bandwidth_gbps) > kBandwidthDerivationTolerance) {
      diagnostics.warning(file, "/peak_bandwidth_gbps",
                          fmt::format("memory bus {} bits × {} MT/s gives {:.1f} GB/s, not {:.1f}",
                                      *spec.memory->bus_width_bits, *spec.memory->data_rate_mts,
                                      derived, spec.peak_bandwidth_gbps));
    }
  }

  if (spec.calibration_summary) {
    check_summary(spec, *spec.calibration_summary, "/calibration_summary", file, diagnostics);
    for (const auto& [mode, summary] : spec.calibration_summary->by_power_mode) {
      std::string pointer = pointer_append("/calibration_summary/by_power_mode", mode);
      if (!summary.power_mode.empty() && summary.power_mode != mode) {
        diagnostics.error(
            file, pointer_append(pointer, "power_mode"),
            fmt::format("summary of mode '{}' says power_mode '{}'", mode, summary.power_mode));
      }
      ModeSummary copy = summary;
      copy.power_mode = mode;
      check_summary(spec, copy, pointer, file, diagnostics);
    }
  }

  validate_workload_summary(spec, file, diagnostics);
  check_kind(spec, file, diagnostics);
  check_sources(spec, file, diagnostics);
  return diagnostics;
}

EntryIdentity identity_of(const HardwareSpec& spec, const std::string& display_path) {
  EntryIdentity identity;
  identity.id = spec.id;
  if (!spec.model.empty()) {
    identity.device_key = std::string(to_string(spec.device_type)) + ":" + model_key(spec);
  }
  identity.display_path = display_path;
  identity.is_board = spec.is_board();
  for (const PowerMode& mode : spec.power_modes) identity.power_modes.push_back(mode.name);
  if (spec.parts) {
    for (const BoardPart& part : *spec.parts) identity.parts.push_back(part.id);
  }
  return identity;
}

void CrossEntryRules::finish(Diagnostics& diagnostics) const {
  std::map<std::string, const EntryIdentity*> by_id;
  for (const EntryIdentity& entry : entries_) by_id.emplace(entry.id, &entry);
  for (const EntryIdentity& board : entries_) {
    if (!board.is_board) continue;
    for (std::size_t i = 0; i < board.parts.size(); ++i) {
      const std::string& id = board.parts[i];
      std::string pointer = pointer_append(pointer_append("/parts", i), "id");
      auto found = by_id.find(id);
      if (found == by_id.end()) {
        std::vector<std::string> known;
        for (const auto& [known_id, entry] : by_id) {
          if (!entry->is_board) known.push_back(known_id);
        }
        std::string hint;
        for (const std::string& close : closest_ids(known, id)) {
          hint += (hint.empty() ? " (did you mean " : ", ") + close;
        }
        diagnostics.error(board.display_path, pointer,
                          fmt::format("part '{}' is no entry of this database{}", id,
                                      hint.empty() ? "" : hint + "?)"));
        continue;
      }
      const EntryIdentity& part = *found->second;
      if (part.is_board) {
        diagnostics.error(
            board.display_path, pointer,
            fmt::format("part '{}' is a board itself: a board's parts are devices", id));
        continue;
      }
      if (part.power_modes.empty()) continue;
      for (const std::string& mode : board.power_modes) {
        if (std::find(part.power_modes.begin(), part.power_modes.end(), mode) ==
            part.power_modes.end()) {
          std::string names;
          for (const std::string& name : part.power_modes)
            names += (names.empty() ? "" : ", ") + name;
          diagnostics.error(
              board.display_path, pointer_append("/power_modes", mode),
              fmt::format("power mode '{}' is not one of part {}'s modes ({})", mode, id, names));
        }
      }
    }
  }
}

void CrossEntryRules::add(const EntryIdentity& entry, Diagnostics& diagnostics) {
  entries_.push_back(entry);
  if (!entry.id.empty()) {
    auto [it, inserted] = file_of_id_.emplace(entry.id, entry.display_path);
    if (!inserted) {
      diagnostics.error(entry.display_path, "/id",
                        fmt::format("duplicate id '{}': also in {}", entry.id, it->second));
    }
  }
  if (!entry.device_key.empty()) {
    auto [it, inserted] = file_of_device_.emplace(entry.device_key, entry.display_path);
    if (!inserted) {
      diagnostics.error(entry.display_path, "/model",
                        fmt::format("the same device as {} (duplicate entry)", it->second));
    }
  }
}

Diagnostics validate_database(const Database& database) {
  Diagnostics diagnostics = database.load_diagnostics();
  CrossEntryRules cross;
  for (const DatabaseEntry& entry : database.entries()) {
    std::string relative = entry.path.lexically_relative(database.root()).generic_string();
    diagnostics.append(validate_spec(entry.spec, entry.display_path, relative));
    cross.add(identity_of(entry.spec, entry.display_path), diagnostics);
  }
  cross.finish(diagnostics);
  diagnostics.sort();
  return diagnostics;
}

}  // namespace hwcal
