// add_hardware --import-legacy: the predecessor's entries, one report per file. Every converted
// entry passes the same check as any other new entry, including the rules across entries, so a
// device listed twice (in the legacy files or already in the database) is refused, not written.
#include <algorithm>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "identify/legacy_entry.hpp"
#include "tools/add_hardware_internal.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

struct FileReport {
  std::string file;
  std::string layout;
  std::string outcome;  // imported, would import, not imported, skipped
  std::string target;
  std::vector<std::string> changes;
  std::vector<std::string> not_carried;
  std::vector<std::string> to_fill;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
};

std::vector<fs::path> expand(const std::vector<fs::path>& paths) {
  std::vector<fs::path> files;
  for (const fs::path& path : paths) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> found;
      for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".json") found.push_back(it->path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::exists(path, ec)) {
      files.push_back(path);
    } else {
      throw IoError(fmt::format("{}: no such file or folder", path.string()));
    }
  }
  return files;
}

Json report_to_json(const FileReport& report) {
  Json item = Json::object();
  item["file"] = report.file;
  item["layout"] = report.layout;
  item["outcome"] = report.outcome;
  item["target"] = report.target;
  item["changes"] = report.changes;
  item["not_carried"] = report.not_carried;
  item["to_fill"] = report.to_fill;
  item["errors"] = report.errors;
  item["warnings"] = report.warnings;
  return item;
}

std::string render_report(const FileReport& report) {
  std::string text =
      fmt::format("{}{}: {}", report.file,
                  report.layout.empty() ? "" : " (" + report.layout + " layout)", report.outcome);
  if (!report.target.empty()) text += " -> " + report.target;
  text += "\n";
  auto section = [&](const char* label, const std::vector<std::string>& items) {
    for (const std::string& item : items) text += fmt::format("  {}: {}\n", label, item);
  };
  section("error", report.errors);
  section("changed", report.changes);
  section("not carried", report.not_carried);
  section("to fill in", report.to_fill);
  section("warning", report.warnings);
  return text;
}

}  // namespace

int run_import_legacy(const AddHardwareOptions& options, Io& io) {
  std::vector<fs::path> files = expand(options.legacy_paths);
  std::optional<DatabaseLock> lock;
  if (!options.dry_run) lock.emplace(options.database);
  Database database = Database::load(options.database);
  // Every imported entry lands together, after the whole batch was checked.
  Transaction transaction(options.database);
  std::vector<PendingEntry> pending;
  std::vector<FileReport> reports;
  std::size_t imported = 0;
  std::size_t failed = 0;
  std::size_t skipped = 0;
  for (const fs::path& path : files) {
    FileReport report;
    report.file = path.generic_string();
    Json legacy;
    try {
      legacy = load_json_file(path, report.file);
    } catch (const Error& error) {
      report.outcome = "not imported";
      report.errors.push_back(error.what());
      ++failed;
      reports.push_back(report);
      continue;
    }
    if (is_legacy_schema(legacy)) {
      report.outcome = "skipped (the predecessor's JSON Schema, not an entry)";
      ++skipped;
      reports.push_back(report);
      continue;
    }
    LegacyConversion conversion;
    try {
      conversion = convert_legacy_entry(legacy, path.filename().string());
    } catch (const std::exception& error) {
      // One file's fault never costs the others their report.
      report.outcome = "not imported";
      report.errors.push_back(error.what());
      ++failed;
      reports.push_back(report);
      continue;
    }
    report.layout = conversion.layout;
    report.changes = conversion.changes;
    report.not_carried = conversion.not_carried;
    report.to_fill = conversion.to_fill;
    if (!conversion.entry) {
      report.outcome = "not imported";
      report.errors.push_back(conversion.failure);
      ++failed;
      reports.push_back(report);
      continue;
    }
    EntryCheck check = check_entry(*conversion.entry, database, pending, options.force);
    report.target = check.display_path;
    for (const Diagnostic& diagnostic : check.diagnostics.items()) {
      std::string line =
          (diagnostic.pointer.empty() ? "" : diagnostic.pointer + ": ") + diagnostic.message;
      (diagnostic.severity == Severity::error ? report.errors : report.warnings).push_back(line);
    }
    if (check.diagnostics.has_errors()) {
      report.outcome = "not imported";
      ++failed;
    } else {
      if (!options.dry_run) write_checked(database, check, transaction);
      pending.push_back(PendingEntry{check.spec, check.display_path});
      report.outcome = options.dry_run ? "would import" : check.replaces ? "replaced" : "imported";
      ++imported;
    }
    reports.push_back(report);
  }

  if (!options.dry_run) transaction.commit();

  std::string verdict = fmt::format(
      "{} file{}: {} {}, {} not imported, {} skipped", files.size(), files.size() == 1 ? "" : "s",
      imported, options.dry_run ? "would be imported" : "imported", failed, skipped);
  if (options.format == AddHardwareFormat::json) {
    Json out = Json::object();
    out["database"] = options.database.string();
    out["dry_run"] = options.dry_run;
    Json items = Json::array();
    for (const FileReport& report : reports) items.push_back(report_to_json(report));
    out["files"] = items;
    out["imported"] = imported;
    out["not_imported"] = failed;
    out["skipped"] = skipped;
    io.out << dump_json(out);
  } else {
    for (const FileReport& report : reports) io.out << render_report(report);
    io.out << verdict << "\n";
  }
  return failed > 0 ? 1 : 0;
}

}  // namespace hwcal
