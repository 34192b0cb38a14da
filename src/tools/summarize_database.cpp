#include "tools/summarize_database.hpp"

#include <algorithm>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include "base/suggest.hpp"
#include "base/text.hpp"
#include "base/version.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/json/json_reader.hpp"
#include "mappers/mappers.hpp"
#include "profile/legacy_profile.hpp"
#include "summary/history.hpp"
#include "summary/summary.hpp"
#include "summary/workload_summary.hpp"

namespace hwcal {
namespace {

std::string render_diagnostics(const Diagnostics& diagnostics, const std::filesystem::path& root,
                               std::size_t entries, ReportFormat format) {
  if (format == ReportFormat::json) {
    Json out = Json::object();
    out["schema_version"] = kReportSchemaVersion;
    out["database"] = root.string();
    out["entries"] = entries;
    out["errors"] = diagnostics.error_count();
    out["warnings"] = diagnostics.warning_count();
    out["diagnostics"] = diagnostics_to_json(diagnostics);
    return dump_json(out);
  }
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    text += format_diagnostic(diagnostic) + "\n";
  }
  return text;
}

// --check's mapper header folder: the one given, else the database's own when it exists.
std::optional<std::filesystem::path> mapper_dir_to_check(const SummarizeOptions& options) {
  if (options.mappers_dir) return options.mappers_dir;
  std::filesystem::path dir = default_mapper_dir(options.database);
  std::error_code error;
  if (std::filesystem::is_directory(dir, error)) return dir;
  return std::nullopt;
}

// A header generated from an older version of a valid entry, or missing, is an error.
void check_generated_header(const HardwareSpec& spec, const std::filesystem::path& dir,
                            const std::filesystem::path& database, Diagnostics& diagnostics) {
  if (auto problem = check_mapper_header(spec, dir)) {
    diagnostics.add(header_diagnostic(*problem, database));
  }
}

void emit(const SummarizeOptions& options, Io& io, const std::string& text,
          const std::string& human_summary) {
  if (options.output) {
    write_file_atomic(*options.output, text);
    if (!options.quiet)
      io.out << human_summary << "; written to " << options.output->string() << "\n";
  } else {
    io.out << text;
  }
}

void check_flags(const SummarizeOptions& options) {
  if (!options.compare.empty()) {
    if (options.compare.size() != 2) throw UsageError("--compare takes two profiles: OLD NEW");
    if (options.check || options.history || options.fail_on_regression_percent) {
      throw UsageError("--compare goes alone: not with --check, --history or --fail-on-regression");
    }
  }
  if (options.history && options.check) throw UsageError("--history and --check go separately");
  if ((options.history || !options.compare.empty()) && options.format != ReportFormat::console &&
      options.format != ReportFormat::json) {
    throw UsageError("--history and --compare print console text or json (--format)");
  }
  const bool drawn = options.format == ReportFormat::html || options.format == ReportFormat::svg;
  if (drawn && (options.check || options.history || !options.compare.empty() ||
                options.fail_on_regression_percent)) {
    throw UsageError(
        "--format html and svg draw the report: not with --check, --history, --compare or "
        "--fail-on-regression");
  }
  if (options.format == ReportFormat::svg && options.filter.ids.size() != 1) {
    throw UsageError("--format svg draws one entry's roofline: give exactly one --id");
  }
  if (options.fail_on_regression_percent &&
      (*options.fail_on_regression_percent <= 0 || *options.fail_on_regression_percent >= 100)) {
    throw UsageError("--fail-on-regression takes a percentage between 0 and 100");
  }
}

// --compare ID ID: two entries (or two devices) side by side per precision and kernel class:
// the datasheet peak, the calibrated GEMM roof, the FMA ceiling, and DRAM bandwidth, in each
// entry's headline mode, with the ratio of the second to the first.
int run_compare_entries(const SummarizeOptions& options, Io& io, const Database& database) {
  const HardwareSpec& a = database.get(options.compare[0].string()).spec;
  const HardwareSpec& b = database.get(options.compare[1].string()).spec;
  const ModeReport* mode_a = nullptr;
  const ModeReport* mode_b = nullptr;
  const EntryReport report_a = build_entry_report(a, a.id);
  const EntryReport report_b = build_entry_report(b, b.id);
  if (!report_a.modes.empty()) mode_a = &report_a.modes.front();
  if (!report_b.modes.empty()) mode_b = &report_b.modes.front();
  std::set<Precision> precisions;
  for (const ModeReport* mode : {mode_a, mode_b}) {
    if (mode == nullptr) continue;
    for (const PrecisionRow& row : mode->rows) precisions.insert(row.precision);
  }
  auto row_of = [](const ModeReport* mode, Precision precision) -> const PrecisionRow* {
    if (mode == nullptr) return nullptr;
    for (const PrecisionRow& row : mode->rows) {
      if (row.precision == precision) return &row;
    }
    return nullptr;
  };
  auto text = [](const std::optional<double>& value) {
    return value ? format_rate(*value) : std::string("-");
  };
  auto ratio = [](const std::optional<double>& x, const std::optional<double>& y) {
    return x && y && *x > 0 ? fmt::format("{:.2f}x", *y / *x) : std::string("-");
  };
  Json rows = Json::array();
  std::string out =
      fmt::format("A: {} ({}, mode {})\nB: {} ({}, mode {})\n", a.id, a.model,
                  mode_a ? mode_a->name : "-", b.id, b.model, mode_b ? mode_b->name : "-");
  out += fmt::format("  {:<10} {:<10} {:<7} {:>11} {:>11} {:>7}\n", "precision", "class", "unit",
                     "A", "B", "B/A");
  auto add = [&](const std::string& precision, const char* kind, const std::string& unit,
                 const std::optional<double>& x, const std::optional<double>& y) {
    if (!x && !y) return;
    out += fmt::format("  {:<10} {:<10} {:<7} {:>11} {:>11} {:>7}\n", precision, kind, unit,
                       text(x), text(y), ratio(x, y));
    rows.push_back(Json::object({{"precision", precision},
                                 {"class", kind},
                                 {"unit", unit},
                                 {"a", value_or_null(x)},
                                 {"b", value_or_null(y)}}));
  };
  for (Precision precision : precisions) {
    const PrecisionRow* x = row_of(mode_a, precision);
    const PrecisionRow* y = row_of(mode_b, precision);
    const std::string name(to_string(precision));
    const std::string unit(throughput_unit(precision));
    add(name, "datasheet", unit, x ? x->theoretical : std::nullopt,
        y ? y->theoretical : std::nullopt);
    add(name, "gemm", unit, x ? x->measured : std::nullopt, y ? y->measured : std::nullopt);
    add(name, "peak_fma", unit, x ? x->ceiling : std::nullopt, y ? y->ceiling : std::nullopt);
  }
  auto bandwidth = [](const ModeReport* mode) -> std::optional<double> {
    if (mode == nullptr || mode->theoretical_bandwidth_gbps <= 0) return std::nullopt;
    return mode->theoretical_bandwidth_gbps;
  };
  add("-", "datasheet", "GB/s", bandwidth(mode_a), bandwidth(mode_b));
  add("-", "stream", "GB/s", mode_a ? mode_a->measured_bandwidth_gbps : std::nullopt,
      mode_b ? mode_b->measured_bandwidth_gbps : std::nullopt);
  out +=
      "datasheet: the entry's theoretical peak; gemm: the calibrated GEMM roof; peak_fma: the "
      "measured FMA ceiling; stream: measured DRAM bandwidth (calibrated entries only)\n";
  if (options.format == ReportFormat::json) {
    Json document =
        Json::object({{"schema_version", kReportSchemaVersion},
                      {"a", Json::object({{"id", a.id}, {"mode", mode_a ? mode_a->name : ""}})},
                      {"b", Json::object({{"id", b.id}, {"mode", mode_b ? mode_b->name : ""}})},
                      {"rows", rows}});
    out = dump_json(document);
  }
  emit(options, io, out, fmt::format("{} against {}: {} rows", a.id, b.id, rows.size()));
  return 0;
}

int run_compare(const SummarizeOptions& options, Io& io) {
  // Two entry ids (not files): the entries side by side.
  std::error_code error;
  if (!std::filesystem::exists(options.compare[0], error) &&
      !std::filesystem::exists(options.compare[1], error)) {
    const Database database = Database::load(options.database);
    if (database.find(options.compare[0].string()) != nullptr &&
        database.find(options.compare[1].string()) != nullptr) {
      return run_compare_entries(options, io, database);
    }
  }
  auto load = [](const std::filesystem::path& path) {
    return load_profile_file(path, path.string()).profile;
  };
  ProfileComparison comparison =
      compare_profiles(load(options.compare[0]), load(options.compare[1]),
                       options.compare[0].string(), options.compare[1].string());
  std::size_t significant = 0;
  for (const KernelComparison& kernel : comparison.kernels) significant += kernel.significant();
  emit(options, io,
       options.format == ReportFormat::json ? render_comparison_json(comparison)
                                            : render_comparison_console(comparison),
       fmt::format("{} kernels compared, {} changed beyond their noise", comparison.kernels.size(),
                   significant));
  return 0;
}

std::string regression_verdict(const std::vector<Regression>& regressions, std::size_t calibrated,
                               double percent) {
  const char* entries = calibrated == 1 ? "y" : "ies";
  return regressions.empty()
             ? fmt::format("no regression of more than {}% in {} calibrated entr{}", percent,
                           calibrated, entries)
             : fmt::format("{} regression{} of more than {}% in {} calibrated entr{}",
                           regressions.size(), regressions.size() == 1 ? "" : "s", percent,
                           calibrated, entries);
}

std::string regression_text(const std::vector<Regression>& regressions, std::size_t calibrated,
                            double percent) {
  std::string text;
  for (const Regression& regression : regressions) {
    text += "regression: " + describe(regression) + "\n";
  }
  return text + regression_verdict(regressions, calibrated, percent) + "\n";
}

Json regressions_json(const std::vector<Regression>& regressions, std::size_t calibrated,
                      double percent) {
  Json out = Json::object();
  out["fail_on_regression_percent"] = percent;
  out["calibrated_entries"] = calibrated;
  out["significance_level"] = kSignificanceLevel;
  Json items = Json::array();
  for (const Regression& regression : regressions) {
    Json item = Json::object();
    item["id"] = regression.id;
    item["power_mode"] = regression.mode;
    item["what"] = regression.what;
    item["unit"] = regression.unit;
    item["latest_path"] = regression.latest_path;
    item["latest_date"] = regression.latest_date;
    item["latest"] = regression.latest;
    item["earlier_median"] = regression.earlier_median;
    item["change"] = regression.latest / regression.earlier_median - 1;
    item["compared"] = regression.compared;
    item["record"] = regression.record;
    item["tested"] = regression.test.has_value();
    item["p_value"] = regression.test ? Json(regression.test->p_value) : Json();
    item["exact"] = regression.test ? Json(regression.test->exact) : Json();
    item["noise"] = regression.test ? Json(regression.noise) : Json();
    item["latest_noisy"] = !regression.latest_problems.empty();
    item["latest_problems"] = regression.latest_problems;
    item["text"] = describe(regression);
    items.push_back(item);
  }
  out["regressions"] = items;
  out["verdict"] = regression_verdict(regressions, calibrated, percent);
  return out;
}

// A JSON document printed by another view, with the gate's result added under "regression_gate".
std::string with_gate(const std::string& json_text, const Json& gate) {
  Json document = Json::parse(json_text);
  document["regression_gate"] = gate;
  return dump_json(document);
}

int run_history(const SummarizeOptions& options, Io& io) {
  const Database database = Database::load(options.database);
  const DatabaseEntry& entry = database.get(*options.history);
  EntryHistory history = load_history(entry.spec, calibration_base(options.database));
  std::string text = options.format == ReportFormat::json ? render_history_json(history)
                                                          : render_history_console(history);
  std::vector<Regression> regressions;
  if (options.fail_on_regression_percent) {
    regressions = find_regressions(history, *options.fail_on_regression_percent / 100);
    if (options.format != ReportFormat::json) {
      text += regression_text(regressions, 1, *options.fail_on_regression_percent);
    } else {
      text = with_gate(text, regressions_json(regressions, 1, *options.fail_on_regression_percent));
    }
  }
  std::size_t runs = 0;
  for (const ModeHistory& mode : history.modes) runs += mode.runs.size();
  emit(options, io, text,
       fmt::format("history of {}: {} run{}", history.id, runs, runs == 1 ? "" : "s"));
  for (const Diagnostic& problem : history.problems.items()) {
    if (options.quiet && problem.severity != Severity::error) continue;
    io.err << format_diagnostic(problem) << "\n";
  }
  if (history.problems.has_errors()) return 1;
  return regressions.empty() ? 0 : 1;
}

}  // namespace

int run_summarize_database(const SummarizeOptions& options, Io& io) {
  check_flags(options);
  if (!options.compare.empty()) return run_compare(options, io);
  if (options.history) return run_history(options, io);
  const bool gate = options.fail_on_regression_percent.has_value();
  // Streams over the entry files: each worker keeps only what the report or the check needs of
  // an entry, so a database of 10,000 entries is not held in memory whole.
  struct Scanned {
    std::optional<EntryReport> report;
    std::optional<EntryIdentity> identity;
    std::string vendor;          // the slug, for a hint when --vendor matches nothing
    std::filesystem::path path;  // where a board finds a part the filter left out
    std::string display_path;
    Diagnostics diagnostics;
    bool calibrated = false;
    std::vector<Regression> regressions;
  };
  // A deque: growing it never moves (or, where a move may throw, copies) the results so far.
  std::deque<Scanned> scanned;
  std::mutex grow;
  const std::optional<std::filesystem::path> mappers_dir =
      options.check ? mapper_dir_to_check(options) : std::nullopt;
  // Calibration summaries are re-derived from the profiles they link, found next to the
  // database (profiles/ in the root's parent).
  const std::filesystem::path base = calibration_base(options.database);
  // The HTML report draws rooflines and history; the SVG one a roofline alone.
  EntryReportOptions entry_options;
  entry_options.graphics =
      options.format == ReportFormat::html || options.format == ReportFormat::svg;
  if (options.format == ReportFormat::html) entry_options.history_base = base;
  std::size_t files = scan_database(options.database, [&](EntryVisit& visit) {
    Scanned result;
    if (visit.spec) {
      if (options.check) {
        visit.diagnostics.append(
            validate_spec(*visit.spec, visit.display_path, visit.relative_path));
        visit.diagnostics.append(check_calibration(*visit.spec, visit.display_path, base));
        visit.diagnostics.append(check_workload_summary(*visit.spec, visit.display_path, base));
        if (mappers_dir && !visit.diagnostics.has_errors()) {
          check_generated_header(*visit.spec, *mappers_dir, options.database, visit.diagnostics);
        }
      } else if (!gate && matches(options.filter, *visit.spec)) {
        result.report = build_entry_report(*visit.spec, visit.display_path, entry_options);
        if (result.report->history) visit.diagnostics.append(result.report->history->problems);
        // Per-layer workload detail comes from the linked profiles: JSON and the HTML report.
        if (options.format == ReportFormat::json || options.format == ReportFormat::html) {
          add_workload_layers(*result.report, *visit.spec, base);
        }
      }
      if (gate && visit.spec->calibration_profiles && matches(options.filter, *visit.spec)) {
        EntryHistory history = load_history(*visit.spec, base);
        result.calibrated = true;
        result.regressions = find_regressions(history, *options.fail_on_regression_percent / 100);
        visit.diagnostics.append(history.problems);
      }
      result.identity = identity_of(*visit.spec, visit.display_path);
      result.vendor = visit.spec->vendor_slug();
      result.path = visit.path;
      result.display_path = visit.display_path;
    }
    result.diagnostics = std::move(visit.diagnostics);
    std::lock_guard<std::mutex> lock(grow);
    if (scanned.size() <= visit.index) scanned.resize(visit.index + 1);
    scanned[visit.index] = std::move(result);
  });

  std::size_t entries = 0;
  std::size_t calibrated = 0;
  std::vector<Regression> regressions;
  Diagnostics diagnostics;
  CrossEntryRules cross;
  std::vector<std::string> ids;
  std::vector<std::string> vendors;
  DatabaseReport report;
  report.database = options.database.string();
  report.entries.reserve(scanned.size());
  ids.reserve(scanned.size());
  for (Scanned& item : scanned) {
    diagnostics.append(item.diagnostics);
    if (item.identity) {
      ++entries;
      ids.push_back(item.identity->id);
      if (std::find(vendors.begin(), vendors.end(), item.vendor) == vendors.end()) {
        vendors.push_back(item.vendor);
      }
      if (options.check) cross.add(*item.identity, diagnostics);
    }
    if (item.report) report.entries.push_back(std::move(*item.report));
    calibrated += item.calibrated ? 1 : 0;
    regressions.insert(regressions.end(), item.regressions.begin(), item.regressions.end());
  }
  if (options.check) cross.finish(diagnostics);
  if (mappers_dir) {
    // The index and the headers no entry backs.
    for (const HeaderProblem& problem : check_mapper_index(*mappers_dir, ids)) {
      diagnostics.add(header_diagnostic(problem, options.database));
    }
  }
  diagnostics.sort();
  const std::string gate_text =
      gate ? regression_text(regressions, calibrated, *options.fail_on_regression_percent) : "";

  if (options.check) {
    std::string verdict =
        fmt::format("checked {} entr{} in {}: {} error{}, {} warning{}", entries,
                    entries == 1 ? "y" : "ies", options.database.string(),
                    diagnostics.error_count(), diagnostics.error_count() == 1 ? "" : "s",
                    diagnostics.warning_count(), diagnostics.warning_count() == 1 ? "" : "s");
    if (files > entries) {
      verdict += fmt::format(" ({} of {} files could not be read)", files - entries, files);
    }
    std::string text = render_diagnostics(diagnostics, options.database, entries, options.format);
    if (options.format != ReportFormat::json) {
      text += verdict + "\n" + gate_text;
    } else if (gate) {
      text = with_gate(
          text, regressions_json(regressions, calibrated, *options.fail_on_regression_percent));
    }
    emit(options, io, text, verdict);
    if (diagnostics.has_errors() || !regressions.empty()) return 1;
    return options.strict && diagnostics.warning_count() > 0 ? 1 : 0;
  }
  if (gate) {
    emit(options, io,
         options.format == ReportFormat::json
             ? dump_json(
                   regressions_json(regressions, calibrated, *options.fail_on_regression_percent))
             : gate_text,
         regression_verdict(regressions, calibrated, *options.fail_on_regression_percent));
    for (const Diagnostic& diagnostic : diagnostics.items()) {
      if (diagnostic.severity == Severity::error) io.err << format_diagnostic(diagnostic) << "\n";
    }
    return regressions.empty() && !diagnostics.has_errors() ? 0 : 1;
  }

  for (const std::string& id : options.filter.ids) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      throw unknown_id_error(options.database, id, ids);
    }
  }
  if (report.entries.empty() &&
      (!options.filter.ids.empty() || options.filter.device_type || options.filter.vendor)) {
    std::string filter;
    for (const std::string& id : options.filter.ids) filter += " --id " + id;
    if (options.filter.device_type) filter += " --device-type " + *options.filter.device_type;
    std::string hint;
    if (options.filter.vendor) {
      filter += " --vendor " + *options.filter.vendor;
      std::sort(vendors.begin(), vendors.end());
      hint = did_you_mean(vendors, lower(*options.filter.vendor));
    }
    throw DataError(options.database.string(), "",
                    fmt::format("no entry matches{}{}: nothing to summarize", filter, hint));
  }
  std::sort(report.entries.begin(), report.entries.end(),
            [](const EntryReport& a, const EntryReport& b) { return a.id < b.id; });
  // A board's view reads its parts' calibration: from the report where the part is in it, else
  // from the part's file (the filter left it out).
  std::deque<EntryReport> parts_read;
  for (EntryReport& board : report.entries) {
    compose_board(board, [&](const std::string& id) -> const EntryReport* {
      for (const EntryReport& entry : report.entries) {
        if (entry.id == id && !entry.is_board) return &entry;
      }
      for (const EntryReport& entry : parts_read) {
        if (entry.id == id) return &entry;
      }
      for (const Scanned& item : scanned) {
        if (!item.identity || item.identity->id != id || item.identity->is_board) continue;
        try {
          HardwareSpec spec =
              spec_from_json(load_json_file(item.path, item.display_path), item.display_path);
          parts_read.push_back(build_entry_report(spec, item.display_path));
          return &parts_read.back();
        } catch (const Error&) {
          return nullptr;  // its problems are reported with that entry
        }
      }
      return nullptr;
    });
  }
  report.generator = version_line("summarize_database");
  std::string human_summary = fmt::format("summary of {} entr{}", report.entries.size(),
                                          report.entries.size() == 1 ? "y" : "ies");
  if (options.format == ReportFormat::html) human_summary = "HTML report: " + human_summary;
  if (options.format == ReportFormat::svg) human_summary = "roofline of " + options.filter.ids[0];
  emit(options, io, render(report, options.format), human_summary);

  // The summary is printed even when some files are broken, but CI must notice them.
  if (diagnostics.has_errors()) {
    for (const Diagnostic& diagnostic : diagnostics.items()) {
      if (diagnostic.severity == Severity::error) io.err << format_diagnostic(diagnostic) << "\n";
    }
    if (options.quiet) return 1;
    io.err << fmt::format(
        "{} problem{} while loading {}; run `summarize_database --check` for "
        "all diagnostics\n",
        diagnostics.error_count(), diagnostics.error_count() == 1 ? "" : "s",
        options.database.string());
    return 1;
  }
  return 0;
}

}  // namespace hwcal
