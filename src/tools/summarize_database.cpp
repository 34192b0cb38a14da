#include "hwcal/tools/summarize_database.hpp"

#include <algorithm>
#include <mutex>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "hwcal/database.hpp"
#include "hwcal/json_io.hpp"
#include "hwcal/summary.hpp"
#include "hwcal/validate.hpp"

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
    Json items = Json::array();
    for (const Diagnostic& diagnostic : diagnostics.items()) {
      Json item = Json::object();
      item["severity"] = diagnostic.severity == Severity::error ? "error" : "warning";
      item["file"] = diagnostic.file;
      item["pointer"] = diagnostic.pointer;
      item["message"] = diagnostic.message;
      items.push_back(item);
    }
    out["diagnostics"] = items;
    return dump_json(out);
  }
  std::string text;
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    text += format_diagnostic(diagnostic) + "\n";
  }
  return text;
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

}  // namespace

int run_summarize_database(const SummarizeOptions& options, Io& io) {
  // Streams over the entry files: each worker keeps only what the report or the check needs of
  // an entry, so a database of 10,000 entries is not held in memory whole.
  struct Scanned {
    std::optional<EntryReport> report;
    std::optional<EntryIdentity> identity;
    Diagnostics diagnostics;
  };
  std::vector<Scanned> scanned;
  std::mutex grow;
  // Calibration summaries are re-derived from the profiles they link, found next to the
  // database (profiles/ in the root's parent).
  const std::filesystem::path base = calibration_base(options.database);
  std::size_t files = scan_database(options.database, [&](EntryVisit& visit) {
    Scanned result;
    if (visit.spec) {
      if (options.check) {
        visit.diagnostics.append(
            validate_spec(*visit.spec, visit.display_path, visit.relative_path));
        visit.diagnostics.append(check_calibration(*visit.spec, visit.display_path, base));
      } else if (matches(options.filter, *visit.spec)) {
        result.report = build_entry_report(*visit.spec, visit.display_path);
      }
      result.identity = identity_of(*visit.spec, visit.display_path);
    }
    result.diagnostics = std::move(visit.diagnostics);
    std::lock_guard<std::mutex> lock(grow);
    if (scanned.size() <= visit.index) scanned.resize(visit.index + 1);
    scanned[visit.index] = std::move(result);
  });

  std::size_t entries = 0;
  Diagnostics diagnostics;
  CrossEntryRules cross;
  std::vector<std::string> ids;
  DatabaseReport report;
  report.database = options.database.string();
  for (Scanned& item : scanned) {
    diagnostics.append(item.diagnostics);
    if (item.identity) {
      ++entries;
      ids.push_back(item.identity->id);
      if (options.check) cross.add(*item.identity, diagnostics);
    }
    if (item.report) report.entries.push_back(std::move(*item.report));
  }
  diagnostics.sort();

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
    if (options.format != ReportFormat::json) text += verdict + "\n";
    emit(options, io, text, verdict);
    if (diagnostics.has_errors()) return 1;
    return options.strict && diagnostics.warning_count() > 0 ? 1 : 0;
  }

  for (const std::string& id : options.filter.ids) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      throw unknown_id_error(options.database, id, ids);
    }
  }
  std::sort(report.entries.begin(), report.entries.end(),
            [](const EntryReport& a, const EntryReport& b) { return a.id < b.id; });
  emit(options, io, render(report, options.format),
       fmt::format("summary of {} entr{}", report.entries.size(),
                   report.entries.size() == 1 ? "y" : "ies"));

  // The summary is printed even when some files are broken, but CI must notice them.
  if (diagnostics.has_errors()) {
    for (const Diagnostic& diagnostic : diagnostics.items()) {
      if (diagnostic.severity == Severity::error) io.err << format_diagnostic(diagnostic) << "\n";
    }
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
