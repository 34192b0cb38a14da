#include "hwcal/database/transaction.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "base/paths.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

// The same, with links in either path resolved first (a written-through entry's target is a
// resolved path; the tree may be named through a link).
bool is_really_inside(const fs::path& path, const fs::path& folder) {
  std::error_code ec;
  const fs::path real_path = fs::weakly_canonical(path, ec);
  if (ec) return false;
  const fs::path real_folder = fs::weakly_canonical(folder, ec);
  if (ec) return false;
  return is_inside(real_path, real_folder);
}

// Where a write to `target` goes: the target itself, or the file a link there names.
fs::path write_destination(const fs::path& target, const fs::path& root) {
  std::error_code ec;
  if (!fs::is_symlink(target, ec)) return target;
  const fs::path resolved = fs::weakly_canonical(target, ec);
  if (ec) {
    throw IoError(fmt::format("{}: is a symbolic link that cannot be followed: {}", target.string(),
                              ec.message()));
  }
  const fs::path tree = calibration_base(root);
  if (!is_really_inside(resolved, tree)) {
    throw IoError(fmt::format(
        "{}: is a symbolic link to {}, outside {}: not written through; replace the link "
        "with a file, or write to the file itself",
        target.string(), resolved.string(), tree.string()));
  }
  return resolved;
}

void remove_file(const fs::path& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw IoError(fmt::format("{}: cannot remove: {}", path.string(), std::strerror(errno)));
  }
}

// The temp files under `folder` (recursively); unreadable folders are skipped here, the scan
// of the database reports them.
void collect_temp_files(const fs::path& folder, std::vector<fs::path>& found) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return;
  fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code type_ec;
    // Hidden folders (.git) are someone else's.
    const std::string name = it->path().filename().string();
    if (!name.empty() && name.front() == '.' && it->is_directory(type_ec)) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(type_ec) && is_temp_file_name(it->path().filename().string())) {
      found.push_back(it->path());
    }
  }
}

}  // namespace

fs::path journal_path(const fs::path& root) { return root / ".hwcal.journal"; }

Transaction::Transaction(fs::path database_root) : root_(std::move(database_root)) {}

Transaction::~Transaction() {
  if (committed_) return;
  for (const StagedFile& staged : staged_) discard_staged(staged);
}

void Transaction::write(const fs::path& target, std::string_view content) {
  const fs::path destination = write_destination(target, root_);
  if (destination.has_parent_path()) make_folders(destination.parent_path());
  staged_.push_back(stage_file(destination, content));
}

void Transaction::commit() {
  if (staged_.empty()) {
    committed_ = true;
    return;
  }
  const fs::path journal = journal_path(root_);
  if (staged_.size() > 1) {
    Json files = Json::array();
    for (const StagedFile& staged : staged_) {
      files.push_back({{"temp", fs::absolute(staged.temp).string()},
                       {"target", fs::absolute(staged.target).string()}});
    }
    // Written like any file: complete or absent. From here on the change is decided.
    write_file_atomic(journal, dump_json(Json{{"hwcal_journal", 1}, {"files", files}}));
  }
  for (std::size_t i = 0; i < staged_.size(); ++i) {
    try {
      commit_staged(staged_[i]);
    } catch (...) {
      // A rename in one folder does not fail for want of space. Should one fail anyway, the
      // journal stays: the next writer finishes the change, or says why it cannot.
      committed_ = true;
      throw;
    }
  }
  committed_ = true;
  if (staged_.size() > 1) {
    // The renames are on disk (commit_staged flushed their folders): the journal may go.
    remove_file(journal);
    sync_folder(root_, journal.string());
  }
}

Recovery recover_database(const fs::path& root, const std::vector<fs::path>& extra) {
  Recovery recovery;
  const fs::path journal = journal_path(root);
  std::error_code ec;
  if (fs::exists(journal, ec)) {
    const Json document = load_json_file(journal);
    const fs::path tree = calibration_base(root);
    std::vector<StagedFile> files;
    const Json* list =
        document.is_object() && document.contains("files") ? &document.at("files") : nullptr;
    if (list == nullptr || !list->is_array()) {
      throw DataError(journal.string(), "/files",
                      "an interrupted change's journal without its list of files: inspect it, "
                      "then remove it by hand");
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const Json& item = (*list)[i];
      const std::string pointer = pointer_append("/files", i);
      if (!item.is_object() || !item.contains("temp") || !item.contains("target") ||
          !item["temp"].is_string() || !item["target"].is_string()) {
        throw DataError(journal.string(), pointer,
                        "expected {\"temp\": ..., \"target\": ...}: inspect the journal, then "
                        "remove it by hand");
      }
      StagedFile staged{item["temp"].get<std::string>(), item["target"].get<std::string>()};
      // Only a temp file beside its target, inside the tree: a journal is not a way to move
      // arbitrary files.
      if (staged.temp.parent_path() != staged.target.parent_path() ||
          !is_temp_file_name(staged.temp.filename().string()) ||
          !(is_really_inside(staged.target, tree) ||
            std::any_of(extra.begin(), extra.end(), [&](const fs::path& folder) {
              return is_really_inside(staged.target, folder);
            }))) {
        throw DataError(journal.string(), pointer,
                        fmt::format("{} -> {} is not a change hwcal makes (outside {}, or not a "
                                    "temp file beside its target): inspect the journal, then "
                                    "remove it by hand",
                                    staged.temp.string(), staged.target.string(), tree.string()));
      }
      files.push_back(staged);
    }
    std::size_t moved = 0;
    for (const StagedFile& staged : files) {
      // Renamed before the interruption: its temp is gone and the target is new already.
      if (!fs::exists(staged.temp, ec)) continue;
      commit_staged(staged);
      ++moved;
    }
    remove_file(journal);
    sync_folder(root, journal.string());
    recovery.rolled_forward = moved;
    recovery.messages.push_back(fmt::format(
        "{}: finished a change that was interrupted ({} of its {} file{} renamed into place now)",
        journal.string(), moved, files.size(), files.size() == 1 ? "" : "s"));
  }

  std::vector<fs::path> temps;
  collect_temp_files(root, temps);
  collect_temp_files(calibration_base(root) / "profiles", temps);
  for (const fs::path& folder : extra) collect_temp_files(folder, temps);
  for (const fs::path& temp : temps) {
    remove_file(temp);
    ++recovery.temp_files_removed;
  }
  if (!temps.empty()) {
    recovery.messages.push_back(
        fmt::format("removed {} temp file{} that interrupted writers left (e.g. {})", temps.size(),
                    temps.size() == 1 ? "" : "s", temps.front().string()));
  }
  return recovery;
}

}  // namespace hwcal
