#include "tools/sync_mappers.hpp"

#include <algorithm>
#include <optional>
#include <set>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/transaction.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/json/json_reader.hpp"
#include "mappers/mappers.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

std::string plural(std::size_t count, const char* one, const char* many) {
  return fmt::format("{} {}", count, count == 1 ? one : many);
}

// What stops generation: every validation error of the database (the index lists every entry,
// so one bad entry concerns them all), and ids that cannot name a C++ namespace.
Diagnostics generation_problems(const Database& database) {
  Diagnostics problems = validate_database(database);
  for (const DatabaseEntry& entry : database.entries()) {
    std::string problem = mapper_id_problem(entry.spec.id);
    if (!problem.empty()) problems.error(entry.display_path, "/id", problem);
  }
  problems.sort();
  return problems;
}

// The files with errors, named by their entry's id where the file could be read.
std::vector<std::string> failing_entries(const Database& database, const Diagnostics& problems) {
  std::set<std::string> files;
  for (const Diagnostic& diagnostic : problems.items()) {
    if (diagnostic.severity == Severity::error) files.insert(diagnostic.file);
  }
  std::vector<std::string> names;
  for (const std::string& file : files) {
    std::string name = file;
    for (const DatabaseEntry& entry : database.entries()) {
      if (entry.display_path == file) name = fmt::format("{} ({})", entry.spec.id, file);
    }
    names.push_back(name);
  }
  return names;
}

std::vector<std::string> entry_ids(const Database& database) {
  std::set<std::string> ids;
  for (const DatabaseEntry& entry : database.entries()) ids.insert(entry.spec.id);
  return {ids.begin(), ids.end()};
}

std::vector<const DatabaseEntry*> selected_entries(const Database& database,
                                                   const std::vector<std::string>& ids) {
  std::vector<const DatabaseEntry*> selected;
  if (ids.empty()) {
    for (const DatabaseEntry& entry : database.entries()) selected.push_back(&entry);
    return selected;
  }
  for (const std::string& id : std::set<std::string>(ids.begin(), ids.end())) {
    selected.push_back(&database.get(id));  // DataError with close ids when unknown
  }
  return selected;
}

bool is_generated(const fs::path& path) {
  std::string text = read_text_file(path);
  return text.compare(0, kGeneratedBanner.size(), kGeneratedBanner) == 0;
}

int check(const SyncMappersOptions& options, const Database& database, const Diagnostics& problems,
          const fs::path& dir, Io& io) {
  std::set<std::string> failing_files;
  for (const Diagnostic& diagnostic : problems.items()) {
    if (diagnostic.severity == Severity::error) failing_files.insert(diagnostic.file);
  }
  std::vector<HeaderProblem> drift;
  std::size_t checked = 1;  // the index
  for (const DatabaseEntry* entry : selected_entries(database, options.ids)) {
    if (failing_files.count(entry->display_path) > 0) continue;
    ++checked;
    if (auto problem = check_mapper_header(entry->spec, dir)) drift.push_back(*problem);
  }
  for (HeaderProblem& problem : check_mapper_index(dir, entry_ids(database))) {
    drift.push_back(std::move(problem));
  }

  std::size_t counts[4] = {0, 0, 0, 0};
  Diagnostics found;
  for (const HeaderProblem& problem : drift) {
    ++counts[static_cast<int>(problem.drift)];
    found.add(header_diagnostic(problem, options.database));
    if (!options.json) io.out << format_diagnostic(found.items().back()) << "\n";
  }
  const bool ok = drift.empty() && failing_files.empty();
  if (options.json) {
    Json out = Json::object();
    out["output_dir"] = display_path_under(options.database, dir);
    out["checked"] = checked;
    out["stale"] = counts[static_cast<int>(HeaderDrift::stale)];
    out["edited"] = counts[static_cast<int>(HeaderDrift::edited)];
    out["missing"] = counts[static_cast<int>(HeaderDrift::missing)];
    out["orphan"] = counts[static_cast<int>(HeaderDrift::orphan)];
    out["failing_entries"] = std::vector<std::string>(failing_files.begin(), failing_files.end());
    out["problems"] = diagnostics_to_json(found);
    out["ok"] = ok;
    io.out << dump_json(out);
    return ok ? 0 : 1;
  }
  std::string verdict = fmt::format(
      "checked {} in {}: {} stale, {} edited by hand, {} missing, {} not backed by an entry",
      plural(checked, "header", "headers"), display_path_under(options.database, dir),
      counts[static_cast<int>(HeaderDrift::stale)], counts[static_cast<int>(HeaderDrift::edited)],
      counts[static_cast<int>(HeaderDrift::missing)],
      counts[static_cast<int>(HeaderDrift::orphan)]);
  if (!failing_files.empty()) {
    verdict += fmt::format("; {} fail{} validation and cannot be checked",
                           plural(failing_files.size(), "entry", "entries"),
                           failing_files.size() == 1 ? "s" : "");
  }
  io.out << verdict << "\n";
  return ok ? 0 : 1;
}

void create_folder(const fs::path& dir) { make_folders(dir, "the output folder"); }

}  // namespace

int run_sync_mappers(const SyncMappersOptions& options, Io& io) {
  const fs::path dir = options.output_dir.value_or(default_mapper_dir(options.database));
  // A writer like the others: under the database's lock, which also sweeps up the temp files
  // an interrupted run left among the headers.
  std::optional<DatabaseLock> lock;
  if (!options.check) lock.emplace(options.database, std::vector<fs::path>{dir});
  Database database = Database::load(options.database);
  const std::string shown_dir = display_path_under(options.database, dir);
  Diagnostics problems = generation_problems(database);
  for (const Diagnostic& diagnostic : problems.items()) {
    if (diagnostic.severity == Severity::error) io.err << format_diagnostic(diagnostic) << "\n";
  }
  if (options.check) return check(options, database, problems, dir, io);

  const std::vector<const DatabaseEntry*> selected = selected_entries(database, options.ids);
  if (problems.has_errors()) {
    std::vector<std::string> failing = failing_entries(database, problems);
    for (const std::string& name : failing) io.err << "not generated: " << name << "\n";
    io.err << fmt::format(
        "sync_mappers: {} validation; nothing written to {} (the index lists every entry, so "
        "each must validate)\n",
        plural(failing.size(), "entry fails", "entries fail"), shown_dir);
    return 1;
  }

  // Plan first, then write everything as one change.
  std::vector<std::pair<fs::path, std::string>> writes;
  std::size_t unchanged = 0;
  std::error_code error;
  auto plan = [&](const fs::path& path, std::string text) {
    if (fs::exists(path, error) && read_text_file(path) == text) {
      ++unchanged;
    } else {
      writes.emplace_back(path, std::move(text));
    }
  };
  for (const DatabaseEntry* entry : selected) {
    plan(dir / mapper_header_name(entry->spec.id), generate_mapper_header(entry->spec));
  }
  const std::vector<std::string> ids = entry_ids(database);
  plan(dir / std::string(kMapperIndexName), generate_mapper_index(ids));

  std::vector<fs::path> removals;
  std::vector<std::string> left_alone;
  if (options.ids.empty()) {
    for (const HeaderProblem& problem : check_mapper_index(dir, ids)) {
      if (problem.drift != HeaderDrift::orphan) continue;
      if (is_generated(problem.path)) {
        removals.push_back(problem.path);
      } else {
        left_alone.push_back(display_path_under(options.database, problem.path));
        if (!options.quiet) {
          io.err << fmt::format(
              "left alone: {} has no entry but was not generated by sync_mappers\n",
              left_alone.back());
        }
      }
    }
  }

  create_folder(dir);
  // Every header and the index as one change: a kill leaves the old set or the new one.
  Transaction transaction(options.database);
  for (const auto& [path, text] : writes) transaction.write(path, text);
  transaction.commit();
  for (const fs::path& path : removals) {
    if (!fs::remove(path, error) && error) {
      throw IoError(fmt::format("{}: cannot remove: {}", path.string(), error.message()));
    }
  }

  if (options.json) {
    Json out = Json::object();
    out["output_dir"] = shown_dir;
    out["written"] = Json::array();
    for (const auto& write : writes) {
      out["written"].push_back(display_path_under(options.database, write.first));
    }
    out["removed"] = Json::array();
    for (const fs::path& path : removals) {
      out["removed"].push_back(display_path_under(options.database, path));
    }
    out["unchanged"] = unchanged;
    out["left_alone"] = left_alone;
    io.out << dump_json(out);
  } else if (!options.quiet) {
    for (const auto& [path, text] : writes) {
      io.out << "wrote " << display_path_under(options.database, path) << "\n";
    }
    for (const fs::path& path : removals) {
      io.out << "removed " << display_path_under(options.database, path) << "\n";
    }
    io.out << fmt::format("sync_mappers: {} written, {} unchanged, {} removed in {}\n",
                          plural(writes.size(), "header", "headers"), unchanged, removals.size(),
                          shown_dir);
  }
  return 0;
}

}  // namespace hwcal
