#include "report/report.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "base/enum_table.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/json/json_reader.hpp"
#include "report/report_text.hpp"
#include "report/report_workloads.hpp"

namespace hwcal {
namespace {

constexpr EnumTable<ReportFormat, 6> kFormatNames({"console", "markdown", "json", "csv", "html",
                                                   "svg"});

using report_text::csv_field;
using report_text::lower;

// The summary's quality block as the views show it; nullopt where the summary has none.
std::optional<ModeReport::Quality> quality_of(const ModeSummary& summary) {
  const Json& block = summary.quality;
  if (!block.is_object()) return std::nullopt;
  auto number = [&](const char* key) -> std::optional<double> {
    auto found = block.find(key);
    if (found == block.end() || !found->is_number()) return std::nullopt;
    return found->get<double>();
  };
  ModeReport::Quality quality;
  quality.noisy_runs = static_cast<long long>(number("noisy_runs").value_or(0));
  quality.max_cv = number("max_cv").value_or(0);
  quality.median_cv = number("median_cv").value_or(0);
  quality.other_cpu_share = number("other_cpu_share");
  quality.drift = number("drift");
  if (auto warnings = block.find("warnings"); warnings != block.end() && warnings->is_array()) {
    for (const Json& warning : *warnings) {
      if (warning.is_string()) quality.warnings.push_back(warning.get<std::string>());
    }
  }
  return quality;
}

ModeReport build_mode(const HardwareSpec& spec, const std::string& mode_name, bool is_default,
                      const ModeSummary* summary) {
  ModeReport mode;
  mode.name = mode_name;
  mode.is_default = is_default;
  mode.calibrated = summary != nullptr;
  mode.theoretical_bandwidth_gbps = spec.bandwidth_for_mode(mode_name);
  if (!spec.has_external_memory()) {
    mode.no_external_memory = true;
    mode.bandwidth_unknown = "no external memory of its own (on-chip only)";
  } else if (mode.theoretical_bandwidth_gbps <= 0) {
    mode.bandwidth_unknown = spec.peak_bandwidth_unknown.value_or("not given");
  }
  PeakTable peaks = spec.peaks_for_mode(mode_name);
  std::set<Precision> shown;
  for (const auto& [precision, value] : peaks) {
    if (value > 0) shown.insert(precision);
  }
  if (summary) {
    for (const auto& [precision, value] : summary->measured_peaks) shown.insert(precision);
  }
  for (Precision precision : shown) {
    PrecisionRow row;
    row.precision = precision;
    auto peak = peaks.find(precision);
    if (peak != peaks.end() && peak->second > 0) {
      row.theoretical = peak->second;
      row.origin = spec.peak_origin(precision, mode_name);
    }
    if (summary) {
      auto measured = summary->measured_peaks.find(precision);
      if (measured != summary->measured_peaks.end()) row.measured = measured->second;
      auto efficiency = summary->efficiency.find(precision);
      if (efficiency != summary->efficiency.end()) row.efficiency = efficiency->second;
      auto range = summary->measured_peaks_range.find(precision);
      if (range != summary->measured_peaks_range.end()) row.measured_range = range->second;
      auto ceiling = summary->arithmetic_ceiling.find(precision);
      if (ceiling != summary->arithmetic_ceiling.end()) row.ceiling = ceiling->second;
    }
    mode.rows.push_back(row);
  }
  if (summary) {
    mode.measured_bandwidth_gbps = summary->measured_bandwidth_gbps;
    mode.bandwidth_efficiency = summary->bandwidth_efficiency;
    mode.avg_efficiency = summary->avg_efficiency;
    mode.calibration_date = summary->calibration_date;
    mode.framework = summary->framework;
    mode.runs = summary->runs;
    mode.quality = quality_of(*summary);
  }
  return mode;
}

std::string rate_with_unit(const std::optional<double>& value, std::string_view unit) {
  if (!value) return "-";
  return format_rate(*value) + " " + std::string(unit);
}

std::string percent_or_dash(const std::optional<double>& fraction) {
  return fraction ? format_percent(*fraction) : "-";
}

std::string origin_text(const PrecisionRow& row) {
  return row.origin ? std::string(origin_label(*row.origin)) : std::string();
}

// The theoretical bandwidth, "none" (no external memory) or "unknown" (its reason goes in the
// origin column).
std::string bandwidth_text(const ModeReport& mode) {
  if (mode.no_external_memory) return "none";
  return mode.bandwidth_unknown ? std::string("unknown")
                                : rate_with_unit(mode.theoretical_bandwidth_gbps, "GB/s");
}

std::string bandwidth_origin(const ModeReport& mode) {
  if (mode.no_external_memory) return *mode.bandwidth_unknown;
  return mode.bandwidth_unknown ? "unknown: " + *mode.bandwidth_unknown : std::string("datasheet");
}

// "attached over usb (USB 3.0 Type-C); 8 MiB on-chip; typical 2 W, TDP 8.65 W; frameworks:
// TensorFlow Lite, Edge TPU Compiler": the accelerator's facts in one line, "" when none.
std::string accelerator_facts(const EntryReport& entry) {
  std::vector<std::string> facts;
  if (entry.attachment) {
    facts.push_back("attached: " + *entry.attachment +
                    (entry.host_interface ? " (" + *entry.host_interface + ")" : ""));
  } else if (entry.host_interface) {
    facts.push_back("host interface: " + *entry.host_interface);
  }
  if (entry.on_chip_memory_mib) {
    facts.push_back(fmt::format("{} MiB on-chip", format_rate(*entry.on_chip_memory_mib)));
  }
  if (entry.typical_power_watts || entry.tdp_watts) {
    std::string power;
    if (entry.typical_power_watts) {
      power = fmt::format("typical {} W", format_rate(*entry.typical_power_watts));
    }
    if (entry.tdp_watts) {
      power += fmt::format("{}TDP {} W", power.empty() ? "" : ", ", format_rate(*entry.tdp_watts));
    }
    facts.push_back(power);
  }
  if (!entry.frameworks.empty()) {
    facts.push_back(fmt::format("frameworks: {}", fmt::join(entry.frameworks, ", ")));
  }
  return fmt::format("{}", fmt::join(facts, "; "));
}

std::string board_part_text(const BoardPartRow& part) {
  std::string text = part.count > 1 ? fmt::format("{} x {}", part.count, part.id) : part.id;
  if (!part.role.empty()) text += " (" + part.role + ")";
  if (!part.found) text += " [no such entry]";
  return text;
}

std::string board_calibration_text(const BoardPartCalibration& part) {
  if (!part.calibrated) return fmt::format("{} ({}): not calibrated", part.id, part.part_mode);
  return fmt::format("{} ({}): {} run{}, {}, {}; mean efficiency {}", part.id, part.part_mode,
                     part.runs, part.runs == 1 ? "" : "s", part.framework, part.calibration_date,
                     part.avg_efficiency ? format_percent(*part.avg_efficiency) : "-");
}

std::string truncate(const std::string& text, std::size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

std::string markdown_cell(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

std::string device_name(const EntryReport& entry) {
  return report_text::device_name(entry.vendor, entry.model);
}

std::string mode_title(const ModeReport& mode) {
  std::string title = "mode " + mode.name;
  if (mode.is_default) title += " (default)";
  return title;
}

}  // namespace

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  return kFormatNames.parse(name);
}

EntryReport build_entry_report(const HardwareSpec& spec, const std::string& file,
                               const EntryReportOptions& options) {
  EntryReport entry;
  entry.id = spec.id;
  entry.vendor = spec.vendor;
  entry.model = spec.model;
  entry.architecture = spec.architecture;
  entry.device_type = std::string(to_string(spec.device_type));
  entry.platform = spec.platform;
  entry.file = file;
  for (const PowerMode& mode : spec.power_modes) entry.power_modes.push_back(mode.name);
  entry.default_mode = spec.default_mode_name();
  entry.attachment = spec.attachment;
  entry.host_interface = spec.host_interface;
  entry.on_chip_memory_mib = spec.on_chip_memory_mib;
  entry.typical_power_watts = spec.typical_power_watts;
  if (spec.frameworks) entry.frameworks = *spec.frameworks;
  if (is_accelerator_kind(spec.device_type) || spec.is_board()) entry.tdp_watts = spec.tdp_watts;
  if (spec.is_board()) {
    // No figures of its own: compose_board adds its parts' calibration once they are at hand.
    entry.is_board = true;
    if (spec.parts) {
      for (const BoardPart& part : *spec.parts) {
        BoardPartRow row;
        row.id = part.id;
        row.role = part.role.value_or("");
        row.count = part.instances();
        entry.parts.push_back(row);
      }
    }
    return entry;
  }

  const CalibrationSummary* summary =
      spec.calibration_summary ? &*spec.calibration_summary : nullptr;
  auto summary_of = [&](const std::string& mode) -> const ModeSummary* {
    if (!summary) return nullptr;
    auto found = summary->by_power_mode.find(mode);
    if (found != summary->by_power_mode.end()) return &found->second;
    if (summary->power_mode == mode ||
        (summary->power_mode.empty() && mode == entry.default_mode)) {
      return summary;
    }
    return nullptr;
  };

  std::vector<std::string> calibrated;
  if (summary) {
    for (const auto& [mode, unused] : summary->by_power_mode) calibrated.push_back(mode);
    if (calibrated.empty()) {
      calibrated.push_back(summary->power_mode.empty() ? entry.default_mode : summary->power_mode);
    }
  }
  // Modes in the entry's own order, then any the entry no longer defines.
  for (const std::string& mode : entry.power_modes) {
    if (std::find(calibrated.begin(), calibrated.end(), mode) != calibrated.end()) {
      entry.modes_calibrated.push_back(mode);
    }
  }
  for (const std::string& mode : calibrated) {
    if (std::find(entry.modes_calibrated.begin(), entry.modes_calibrated.end(), mode) ==
        entry.modes_calibrated.end()) {
      entry.modes_calibrated.push_back(mode);
    }
  }

  // The headline mode is the one the summary's top level describes (the default mode, else the
  // highest-clocked calibrated one); then the other calibrated modes; then the default mode
  // when it has not been calibrated, so its theoretical peaks still show.
  std::string headline = entry.default_mode;
  if (summary && !summary->power_mode.empty()) headline = summary->power_mode;
  entry.modes.push_back(
      build_mode(spec, headline, headline == entry.default_mode, summary_of(headline)));
  for (const std::string& mode : entry.modes_calibrated) {
    if (mode == headline) continue;
    entry.modes.push_back(build_mode(spec, mode, mode == entry.default_mode, summary_of(mode)));
  }
  if (headline != entry.default_mode &&
      std::find(entry.modes_calibrated.begin(), entry.modes_calibrated.end(), entry.default_mode) ==
          entry.modes_calibrated.end()) {
    entry.modes.push_back(build_mode(spec, entry.default_mode, true, nullptr));
  }
  for (const ModeReport& mode : entry.modes) {
    entry.last_calibrated = std::max(entry.last_calibrated, mode.calibration_date);
  }
  entry.workloads = workload_rows(spec);

  if (options.graphics) {
    entry.resource = build_resource_model(spec);
    auto reported = [&](const std::string& name) {
      return std::find_if(entry.modes.begin(), entry.modes.end(),
                          [&](const ModeReport& mode) { return mode.name == name; });
    };
    for (const std::string& name : entry.power_modes) {
      auto found = reported(name);
      entry.modes_side_by_side.push_back(
          found != entry.modes.end()
              ? *found
              : build_mode(spec, name, name == entry.default_mode, summary_of(name)));
    }
    for (const ModeReport& mode : entry.modes) {
      if (std::find(entry.power_modes.begin(), entry.power_modes.end(), mode.name) ==
          entry.power_modes.end()) {
        entry.modes_side_by_side.push_back(mode);
      }
    }
  }
  if (options.history_base) {
    entry.history = load_history(spec, *options.history_base);
    entry.regressions = find_regressions_over_time(*entry.history, options.regression_fraction);
  }
  return entry;
}

void compose_board(EntryReport& board,
                   const std::function<const EntryReport*(const std::string&)>& part_of) {
  if (!board.is_board) return;
  std::vector<std::string> modes = board.power_modes;
  if (modes.empty()) modes.push_back(board.default_mode);
  board.board_modes.clear();
  board.modes_calibrated.clear();
  board.last_calibrated.clear();
  for (BoardPartRow& part : board.parts) {
    const EntryReport* report = part_of(part.id);
    part.found = report != nullptr;
    if (report) {
      part.device_type = report->device_type;
      part.model = report->model;
    }
  }
  for (const std::string& name : modes) {
    BoardModeReport mode;
    mode.name = name;
    mode.is_default = name == board.default_mode;
    for (const BoardPartRow& part : board.parts) {
      const EntryReport* report = part_of(part.id);
      if (report == nullptr) continue;
      BoardPartCalibration row;
      row.id = part.id;
      // A part without power modes runs the same way in every mode of the board.
      row.part_mode = report->power_modes.empty() ? report->default_mode : name;
      for (const ModeReport& part_mode : report->modes) {
        if (part_mode.name != row.part_mode || !part_mode.calibrated) continue;
        row.calibrated = true;
        row.calibration_date = part_mode.calibration_date;
        row.avg_efficiency = part_mode.avg_efficiency;
        row.runs = part_mode.runs;
        row.framework = part_mode.framework;
        board.last_calibrated = std::max(board.last_calibrated, row.calibration_date);
      }
      mode.parts.push_back(row);
    }
    if (mode.calibrated()) board.modes_calibrated.push_back(name);
    board.board_modes.push_back(mode);
  }
}

std::optional<PrecisionRow> best_low_precision(const ModeReport& mode) {
  const PrecisionRow* best = nullptr;
  for (const PrecisionRow& row : mode.rows) {
    if (row.precision == Precision::fp64 || row.precision == Precision::fp32 ||
        row.precision == Precision::int64 || row.precision == Precision::int32) {
      continue;
    }
    auto better = [&] {
      if (best == nullptr) return true;
      if (row.measured.has_value() != best->measured.has_value()) return row.measured.has_value();
      if (row.measured) return *row.measured > *best->measured;
      return row.theoretical.value_or(0) > best->theoretical.value_or(0);
    };
    if (better()) best = &row;
  }
  if (best == nullptr) return std::nullopt;
  return *best;
}

bool matches(const ReportFilter& filter, const HardwareSpec& spec) {
  if (!filter.ids.empty() &&
      std::find(filter.ids.begin(), filter.ids.end(), spec.id) == filter.ids.end()) {
    return false;
  }
  if (filter.device_type && to_string(spec.device_type) != *filter.device_type) return false;
  if (filter.vendor) {
    std::string wanted = lower(*filter.vendor);
    if (spec.vendor_slug() != wanted && lower(spec.vendor) != wanted) return false;
  }
  return true;
}

DatabaseReport build_report(const Database& database, const ReportFilter& filter,
                            const EntryReportOptions& options) {
  for (const std::string& id : filter.ids) database.get(id);  // throws on an unknown id
  DatabaseReport report;
  report.database = database.root().string();
  report.regression_fraction = options.regression_fraction;
  for (const DatabaseEntry& entry : database.entries()) {
    if (matches(filter, entry.spec)) {
      report.entries.push_back(build_entry_report(entry.spec, entry.display_path, options));
    }
  }
  std::sort(report.entries.begin(), report.entries.end(),
            [](const EntryReport& a, const EntryReport& b) { return a.id < b.id; });
  // Boards read their parts' calibration: from the report where the part is in it, else built
  // for the purpose (a filter may have left the part out).
  std::vector<EntryReport> extra;
  extra.reserve(database.entries().size());
  for (EntryReport& board : report.entries) {
    compose_board(board, [&](const std::string& id) -> const EntryReport* {
      for (const EntryReport& entry : report.entries) {
        if (entry.id == id && !entry.is_board) return &entry;
      }
      for (const EntryReport& entry : extra) {
        if (entry.id == id) return &entry;
      }
      const DatabaseEntry* found = database.find(id);
      if (found == nullptr || found->spec.is_board()) return nullptr;
      extra.push_back(build_entry_report(found->spec, found->display_path));
      return &extra.back();
    });
  }
  return report;
}

std::string render_console(const DatabaseReport& report) {
  std::string out;
  for (const EntryReport& entry : report.entries) {
    if (!out.empty()) out += "\n";
    out += truncate(fmt::format("{}: {}", entry.id, device_name(entry)), 100) + "\n";
    out += truncate(fmt::format("  {}, {}, {}  ({})", entry.device_type, entry.architecture,
                                entry.platform, entry.file),
                    100) +
           "\n";
    if (!entry.power_modes.empty()) {
      out += truncate(fmt::format("  power modes: {} (default {})",
                                  fmt::join(entry.power_modes, ", "), entry.default_mode),
                      100) +
             "\n";
    }
    if (entry.has_accelerator_facts()) {
      out += truncate("  " + accelerator_facts(entry), 100) + "\n";
    }
    if (entry.is_board) {
      std::vector<std::string> parts;
      for (const BoardPartRow& part : entry.parts) parts.push_back(board_part_text(part));
      out += truncate(fmt::format("  parts: {}", fmt::join(parts, ", ")), 100) + "\n";
    }
    if (entry.calibrated()) {
      out += truncate(fmt::format("  calibrated: {}; last {}",
                                  fmt::join(entry.modes_calibrated, ", "), entry.last_calibrated),
                      100) +
             "\n";
    } else {
      out += "  not calibrated\n";
    }
    for (const BoardModeReport& mode : entry.board_modes) {
      out += fmt::format("  mode {}{}: calibrated on it\n", mode.name,
                         mode.is_default ? " (default)" : "");
      for (const BoardPartCalibration& part : mode.parts) {
        out += truncate("    " + board_calibration_text(part), 100) + "\n";
      }
    }
    for (const ModeReport& mode : entry.modes) {
      out += fmt::format("  {:<26} {:>15} {:>15} {:>10}  {}\n", truncate(mode_title(mode), 26),
                         "theoretical", "measured", "efficiency", "theoretical from");
      for (const PrecisionRow& row : mode.rows) {
        std::string unit(throughput_unit(row.precision));
        out += fmt::format("    {:<24} {:>15} {:>15} {:>10}  {}\n", to_string(row.precision),
                           rate_with_unit(row.theoretical, unit),
                           rate_with_unit(row.measured, unit), percent_or_dash(row.efficiency),
                           row.origin ? origin_short_label(*row.origin) : "");
      }
      out += fmt::format("    {:<24} {:>15} {:>15} {:>10}  {}\n", "bandwidth", bandwidth_text(mode),
                         rate_with_unit(mode.measured_bandwidth_gbps, "GB/s"),
                         percent_or_dash(mode.bandwidth_efficiency),
                         mode.bandwidth_unknown ? "unknown (below)" : "datasheet");
      if (mode.bandwidth_unknown) {
        out += truncate("    unknown: " + *mode.bandwidth_unknown, 100) + "\n";
      }
      if (mode.calibrated) {
        out += truncate(fmt::format("    {} run{}, {}, {}; mean efficiency {}", mode.runs,
                                    mode.runs == 1 ? "" : "s", mode.framework,
                                    mode.calibration_date, percent_or_dash(mode.avg_efficiency)),
                        100) +
               "\n";
        if (mode.quality) {
          out += truncate("    quality: " + quality_text(mode), 100) + "\n";
          for (const std::string& warning : mode.quality->warnings) {
            out += truncate("    warning: " + warning, 100) + "\n";
          }
        }
      }
    }
    out += console_workloads(entry);
  }
  if (report.entries.empty()) out = "no entries match\n";
  return out;
}

std::string render_markdown(const DatabaseReport& report) {
  std::string out = "# Hardware database summary\n\n";
  out +=
      "| id | device | type | fp32 theoretical | fp32 measured | bandwidth GB/s | "
      "measured GB/s | calibrated |\n";
  out += "| --- | --- | --- | ---: | ---: | ---: | ---: | --- |\n";
  for (const EntryReport& entry : report.entries) {
    if (entry.modes.empty()) {  // a board: its parts hold the figures
      out += fmt::format("| `{}` | {} | {} | - | - | - | - | {} |\n", entry.id,
                         markdown_cell(device_name(entry)), entry.device_type,
                         entry.calibrated()
                             ? fmt::format("{}", fmt::join(entry.modes_calibrated, ", "))
                             : "not calibrated");
      continue;
    }
    const ModeReport& mode = entry.modes.front();
    std::optional<double> fp32_theoretical;
    std::optional<double> fp32_measured;
    for (const PrecisionRow& row : mode.rows) {
      if (row.precision == Precision::fp32) {
        fp32_theoretical = row.theoretical;
        fp32_measured = row.measured;
      }
    }
    out +=
        fmt::format("| `{}` | {} | {} | {} | {} | {} | {} | {} |\n", entry.id,
                    markdown_cell(device_name(entry)), entry.device_type,
                    fp32_theoretical ? format_rate(*fp32_theoretical) : "-",
                    fp32_measured ? format_rate(*fp32_measured) : "-",
                    mode.no_external_memory  ? std::string("none")
                    : mode.bandwidth_unknown ? std::string("unknown")
                                             : format_rate(mode.theoretical_bandwidth_gbps),
                    mode.measured_bandwidth_gbps ? format_rate(*mode.measured_bandwidth_gbps) : "-",
                    entry.calibrated() ? fmt::format("{}", fmt::join(entry.modes_calibrated, ", "))
                                       : "not calibrated");
  }
  for (const EntryReport& entry : report.entries) {
    out += fmt::format("\n## {}\n\n", entry.id);
    out += fmt::format("{}: {}, {}, {}. File `{}`.", markdown_cell(device_name(entry)),
                       entry.device_type, markdown_cell(entry.architecture), entry.platform,
                       entry.file);
    if (!entry.power_modes.empty()) {
      out += fmt::format(" Power modes: {} (default {}).", fmt::join(entry.power_modes, ", "),
                         entry.default_mode);
    }
    if (entry.has_accelerator_facts()) {
      out += " " + markdown_cell(accelerator_facts(entry)) + ".";
    }
    out += entry.calibrated()
               ? fmt::format(" Calibrated: {}; last {}.\n", fmt::join(entry.modes_calibrated, ", "),
                             entry.last_calibrated)
               : std::string(" Not calibrated.\n");
    if (entry.is_board) {
      out += "\n| part | role | count | type | model |\n| --- | --- | ---: | --- | --- |\n";
      for (const BoardPartRow& part : entry.parts) {
        out += fmt::format("| `{}` | {} | {} | {} | {} |\n", part.id, markdown_cell(part.role),
                           part.count, part.found ? part.device_type : "no such entry",
                           markdown_cell(part.model));
      }
      for (const BoardModeReport& mode : entry.board_modes) {
        out += fmt::format(
            "\n| calibrated on it, mode {}{} | part's mode | runs | date | mean efficiency |\n",
            mode.name, mode.is_default ? " (default)" : "");
        out += "| --- | --- | ---: | --- | ---: |\n";
        for (const BoardPartCalibration& part : mode.parts) {
          out += fmt::format("| `{}` | {} | {} | {} | {} |\n", part.id, part.part_mode,
                             part.calibrated ? fmt::format("{}", part.runs) : "-",
                             part.calibrated ? part.calibration_date : "not calibrated",
                             percent_or_dash(part.avg_efficiency));
        }
      }
    }
    for (const ModeReport& mode : entry.modes) {
      out += fmt::format("\n| {} | theoretical | measured | efficiency | theoretical from |\n",
                         mode_title(mode));
      out += "| --- | ---: | ---: | ---: | --- |\n";
      for (const PrecisionRow& row : mode.rows) {
        std::string unit(throughput_unit(row.precision));
        out +=
            fmt::format("| {} | {} | {} | {} | {} |\n", to_string(row.precision),
                        rate_with_unit(row.theoretical, unit), rate_with_unit(row.measured, unit),
                        percent_or_dash(row.efficiency), origin_text(row));
      }
      out += fmt::format("| bandwidth | {} | {} | {} | {} |\n", bandwidth_text(mode),
                         rate_with_unit(mode.measured_bandwidth_gbps, "GB/s"),
                         percent_or_dash(mode.bandwidth_efficiency),
                         markdown_cell(bandwidth_origin(mode)));
      if (mode.calibrated) {
        out += fmt::format("\n{} run{}, {}, {}; mean efficiency {}.\n", mode.runs,
                           mode.runs == 1 ? "" : "s", markdown_cell(mode.framework),
                           mode.calibration_date, percent_or_dash(mode.avg_efficiency));
        if (mode.quality) {
          out += "Quality: " + markdown_cell(quality_text(mode)) + ".\n";
          for (const std::string& warning : mode.quality->warnings) {
            out += "- warning: " + markdown_cell(warning) + "\n";
          }
        }
      }
    }
    out += markdown_workloads(entry);
  }
  return out;
}

std::string render_json(const DatabaseReport& report) {
  Json out = Json::object();
  out["schema_version"] = kReportSchemaVersion;
  out["database"] = report.database;
  Json entries = Json::array();
  for (const EntryReport& entry : report.entries) {
    Json item = Json::object();
    item["id"] = entry.id;
    item["vendor"] = entry.vendor;
    item["model"] = entry.model;
    item["architecture"] = entry.architecture;
    item["device_type"] = entry.device_type;
    item["platform"] = entry.platform;
    item["file"] = entry.file;
    item["power_modes"] = entry.power_modes;
    item["default_power_mode"] = entry.default_mode;
    item["calibrated"] = entry.calibrated();
    item["power_modes_calibrated"] = entry.modes_calibrated;
    item["last_calibrated"] =
        entry.last_calibrated.empty() ? Json(nullptr) : Json(entry.last_calibrated);
    // The kinds beyond CPU and GPU: only where the entry gives them, so CPU and GPU items keep
    // their shape.
    if (entry.attachment) item["attachment"] = *entry.attachment;
    if (entry.host_interface) item["host_interface"] = *entry.host_interface;
    if (entry.on_chip_memory_mib) item["on_chip_memory_mib"] = *entry.on_chip_memory_mib;
    if (entry.typical_power_watts) item["typical_power_watts"] = *entry.typical_power_watts;
    if (entry.tdp_watts) item["tdp_watts"] = *entry.tdp_watts;
    if (!entry.frameworks.empty()) item["frameworks"] = entry.frameworks;
    if (entry.is_board) {
      Json parts = Json::array();
      for (const BoardPartRow& part : entry.parts) {
        parts.push_back(
            Json::object({{"id", part.id},
                          {"role", part.role.empty() ? Json(nullptr) : Json(part.role)},
                          {"count", part.count},
                          {"found", part.found},
                          {"device_type", part.found ? Json(part.device_type) : Json(nullptr)},
                          {"model", part.found ? Json(part.model) : Json(nullptr)}}));
      }
      item["parts"] = parts;
      Json board_modes = Json::array();
      for (const BoardModeReport& mode : entry.board_modes) {
        Json rows = Json::array();
        for (const BoardPartCalibration& part : mode.parts) {
          Json row = Json::object({{"id", part.id},
                                   {"part_power_mode", part.part_mode},
                                   {"calibrated", part.calibrated}});
          if (part.calibrated) {
            row["calibration_date"] = part.calibration_date;
            row["avg_efficiency"] = value_or_null(part.avg_efficiency);
            row["runs"] = part.runs;
            row["framework"] = part.framework;
          }
          rows.push_back(row);
        }
        board_modes.push_back(Json::object({{"power_mode", mode.name},
                                            {"is_default", mode.is_default},
                                            {"calibrated", mode.calibrated()},
                                            {"parts", rows}}));
      }
      item["calibrated_on_board"] = board_modes;
    }
    Json modes = Json::array();
    for (const ModeReport& mode : entry.modes) {
      Json mode_item = Json::object();
      mode_item["power_mode"] = mode.name;
      mode_item["is_default"] = mode.is_default;
      mode_item["calibrated"] = mode.calibrated;
      Json rows = Json::array();
      for (const PrecisionRow& row : mode.rows) {
        Json row_item = Json::object();
        row_item["precision"] = std::string(to_string(row.precision));
        row_item["unit"] = std::string(throughput_unit(row.precision));
        row_item["theoretical"] = value_or_null(row.theoretical);
        row_item["origin"] = row.origin ? Json(std::string(to_string(*row.origin))) : Json(nullptr);
        row_item["measured"] = value_or_null(row.measured);
        row_item["efficiency"] = value_or_null(row.efficiency);
        if (row.measured_range) {
          row_item["measured_range"] =
              Json::array({row.measured_range->first, row.measured_range->second});
        }
        rows.push_back(row_item);
      }
      mode_item["precisions"] = rows;
      Json bandwidth = Json::object();
      bandwidth["theoretical_gbps"] =
          mode.bandwidth_unknown ? Json(nullptr) : Json(mode.theoretical_bandwidth_gbps);
      if (mode.no_external_memory) {
        bandwidth["external_memory"] = false;
      } else if (mode.bandwidth_unknown) {
        bandwidth["unknown"] = *mode.bandwidth_unknown;
      }
      bandwidth["measured_gbps"] = value_or_null(mode.measured_bandwidth_gbps);
      bandwidth["efficiency"] = value_or_null(mode.bandwidth_efficiency);
      mode_item["bandwidth"] = bandwidth;
      mode_item["avg_efficiency"] = value_or_null(mode.avg_efficiency);
      if (mode.calibrated) {
        mode_item["calibration_date"] = mode.calibration_date;
        mode_item["framework"] = mode.framework;
        mode_item["runs"] = mode.runs;
        if (mode.quality) {
          const ModeReport::Quality& q = *mode.quality;
          mode_item["quality"] =
              Json::object({{"noisy_runs", q.noisy_runs},
                            {"max_cv", q.max_cv},
                            {"median_cv", q.median_cv},
                            {"other_cpu_share", value_or_null(q.other_cpu_share)},
                            {"drift", value_or_null(q.drift)},
                            {"warnings", q.warnings}});
        }
      }
      modes.push_back(mode_item);
    }
    item["modes"] = modes;
    if (!entry.workloads.empty()) item["workloads"] = json_workloads(entry);
    entries.push_back(item);
  }
  out["entries"] = entries;
  return dump_json(out);
}

std::string render_csv(const DatabaseReport& report) {
  std::string out =
      "id,vendor,model,device_type,power_mode,is_default,metric,unit,theoretical,measured,"
      "efficiency,calibration_date,origin,noisy_runs,max_cv,warnings\n";
  auto number = [](const std::optional<double>& value) {
    return value ? fmt::format("{}", *value) : std::string();
  };
  for (const EntryReport& entry : report.entries) {
    for (const ModeReport& mode : entry.modes) {
      std::string prefix = fmt::format(
          "{},{},{},{},{},{}", csv_field(entry.id), csv_field(entry.vendor), csv_field(entry.model),
          entry.device_type, csv_field(mode.name), mode.is_default ? "true" : "false");
      // The mode's quality closes every row of it (empty where the summary has none).
      const std::string quality =
          mode.quality
              ? fmt::format(",{},{},{}", mode.quality->noisy_runs, mode.quality->max_cv,
                            csv_field(fmt::format("{}", fmt::join(mode.quality->warnings, "; "))))
              : ",,,";
      for (const PrecisionRow& row : mode.rows) {
        out += fmt::format("{},{},{},{},{},{},{},{}{}\n", prefix, to_string(row.precision),
                           throughput_unit(row.precision), number(row.theoretical),
                           number(row.measured), number(row.efficiency), mode.calibration_date,
                           row.origin ? to_string(*row.origin) : "", quality);
      }
      out += fmt::format(
          "{},bandwidth,GB/s,{},{},{},{},{}{}\n", prefix,
          mode.bandwidth_unknown ? std::string() : number(mode.theoretical_bandwidth_gbps),
          number(mode.measured_bandwidth_gbps), number(mode.bandwidth_efficiency),
          mode.calibration_date,
          mode.no_external_memory ? "none" : (mode.bandwidth_unknown ? "unknown" : "datasheet"),
          quality);
    }
    // A board: one row per part in each of its modes, the part's mean efficiency there.
    for (const BoardModeReport& mode : entry.board_modes) {
      for (const BoardPartCalibration& part : mode.parts) {
        out += fmt::format("{},{},{},{},{},{},{},,,,{},{},part,,,\n", csv_field(entry.id),
                           csv_field(entry.vendor), csv_field(entry.model), entry.device_type,
                           csv_field(mode.name), mode.is_default ? "true" : "false",
                           csv_field("part:" + part.id), number(part.avg_efficiency),
                           part.calibration_date);
      }
    }
    out += csv_workloads(entry,
                         fmt::format("{},{},{},{}", csv_field(entry.id), csv_field(entry.vendor),
                                     csv_field(entry.model), entry.device_type));
  }
  return out;
}

std::string render(const DatabaseReport& report, ReportFormat format) {
  switch (format) {
    case ReportFormat::console: return render_console(report);
    case ReportFormat::markdown: return render_markdown(report);
    case ReportFormat::json: return render_json(report);
    case ReportFormat::csv: return render_csv(report);
    case ReportFormat::html: return render_html(report);
    case ReportFormat::svg: return render_svg(report);
  }
  throw Error("unknown report format");
}

std::string quality_text(const ModeReport& mode) {
  if (!mode.quality) return "";
  const ModeReport::Quality& q = *mode.quality;
  std::string text =
      fmt::format("{} of {} run{} noisy; trials' cv up to {:.1f}% (median {:.1f}%)", q.noisy_runs,
                  mode.runs, mode.runs == 1 ? "" : "s", q.max_cv * 100, q.median_cv * 100);
  if (q.other_cpu_share) {
    text += fmt::format("; other processes up to {:.0f}% of the CPUs", *q.other_cpu_share * 100);
  }
  if (q.drift) text += fmt::format("; reference drift up to {:.1f}%", *q.drift * 100);
  return text;
}

}  // namespace hwcal
