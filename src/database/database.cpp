#include "hwcal/database/database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/json/json_io.hpp"

namespace fs = std::filesystem;

namespace hwcal {

// Where this build keeps things and where an install puts them, known when configuring
// (src/database/locations.cpp.in).
namespace detail {
const char* source_tree_database();
const char* build_folder();
const char* installed_database_from_bindir();
const char* installed_mapper_dir_from_bindir();
}  // namespace detail

namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

void read_entry(EntryVisit& visit) {
  try {
    Json document = load_json_file(visit.path, visit.display_path);
    visit.spec = parse_spec(document, visit.display_path, visit.diagnostics);
  } catch (const DataError& error) {
    visit.diagnostics.error(error.file(), error.pointer(), error.detail());
  } catch (const Error& error) {
    visit.diagnostics.error(visit.display_path, "", error.what());
  }
}

// The running program, symbolic links resolved; empty when /proc does not say.
fs::path running_executable() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

// `relative` (a path from the install's bin folder) from the folder the program runs in.
fs::path installed_path(const fs::path& bin, const char* relative) {
  return fs::path(relative).is_absolute() ? fs::path(relative)
                                          : (bin / relative).lexically_normal();
}

bool is_inside(const fs::path& path, const fs::path& folder) {
  const fs::path relative = path.lexically_relative(folder);
  return !relative.empty() && *relative.begin() != "..";
}

fs::path find_upwards(fs::path start) {
  std::error_code ec;
  for (fs::path dir = start; !dir.empty(); dir = dir.parent_path()) {
    fs::path candidate = dir / "hardware_database";
    if (fs::is_directory(candidate, ec)) return candidate;
    if (dir == dir.parent_path()) break;
  }
  return {};
}

}  // namespace

std::size_t scan_database(const fs::path& root, const std::function<void(EntryVisit&)>& visit) {
  std::error_code ec;
  if (!fs::exists(root, ec)) {
    throw IoError(fmt::format("{}: database folder does not exist", root.string()));
  }
  if (!fs::is_directory(root, ec)) {
    throw IoError(fmt::format("{}: expected a database folder, found a file", root.string()));
  }
  std::vector<fs::path> paths;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) throw IoError(fmt::format("{}: cannot list: {}", root.string(), ec.message()));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const fs::path& path = it->path();
    const std::string first = path.lexically_relative(root).begin()->string();
    if (it->is_directory() && (first == "schema" || first.front() == '.')) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && path.extension() == ".json") paths.push_back(path);
  }
  std::sort(paths.begin(), paths.end());

  // Reading and parsing dominate; spread them over the cores. Each worker reuses one visit
  // object, so memory freed by one file is reused by the next.
  const std::size_t workers = std::min<std::size_t>(
      std::max(1u, std::thread::hardware_concurrency()), paths.size() / 64 + 1);
  std::vector<std::thread> threads;
  std::exception_ptr failure;
  std::mutex failure_mutex;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      for (std::size_t i = w; i < paths.size(); i += workers) {
        try {
          EntryVisit entry;
          entry.index = i;
          entry.path = paths[i];
          entry.display_path = display_path_under(root, paths[i]);
          entry.relative_path = paths[i].lexically_relative(root).generic_string();
          read_entry(entry);
          visit(entry);
        } catch (...) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (!failure) failure = std::current_exception();
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  return paths.size();
}

Database Database::load(const fs::path& root) {
  Database database;
  database.root_ = root;
  std::vector<EntryVisit> visits;
  std::mutex grow;
  database.file_count_ = scan_database(root, [&](EntryVisit& visit) {
    std::lock_guard<std::mutex> lock(grow);
    if (visits.size() <= visit.index) visits.resize(visit.index + 1);
    visits[visit.index] = std::move(visit);
  });
  database.entries_.reserve(visits.size());
  for (EntryVisit& visit : visits) {
    database.load_diagnostics_.append(visit.diagnostics);
    if (!visit.spec) continue;
    DatabaseEntry entry;
    entry.path = std::move(visit.path);
    entry.display_path = std::move(visit.display_path);
    entry.has_errors = visit.diagnostics.has_errors();
    entry.spec = std::move(*visit.spec);
    if (!entry.spec.id.empty() && database.index_.count(entry.spec.id) == 0) {
      database.index_[entry.spec.id] = database.entries_.size();
    }
    database.entries_.push_back(std::move(entry));
  }
  return database;
}

const DatabaseEntry* Database::find(std::string_view id) const {
  auto found = index_.find(std::string(id));
  return found == index_.end() ? nullptr : &entries_[found->second];
}

const DatabaseEntry& Database::get(std::string_view id) const {
  if (const DatabaseEntry* entry = find(id)) return *entry;
  std::vector<std::string> known;
  for (const DatabaseEntry& entry : entries_) known.push_back(entry.spec.id);
  throw unknown_id_error(root_, id, known);
}

fs::path Database::path_for(const HardwareSpec& spec) const {
  return root_ / std::string(to_string(spec.device_type)) / spec.vendor_slug() /
         (spec.id + ".json");
}

std::string display_path_under(const fs::path& root, const fs::path& path) {
  fs::path base = root.has_parent_path() ? root.parent_path() : fs::path(".");
  fs::path relative = path.lexically_relative(base);
  if (relative.empty() || *relative.begin() == "..") return path.generic_string();
  return relative.generic_string();
}

std::string Database::display_path(const fs::path& path) const {
  return display_path_under(root_, path);
}

void Database::write_entry(const HardwareSpec& spec, const Json* new_file_layout) {
  fs::path path = path_for(spec);
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    throw IoError(
        fmt::format("{}: cannot create folder: {}", path.parent_path().string(), ec.message()));
  }
  // Keep the layout of the file being replaced (key order, number spelling, unknown fields).
  Json document = spec_to_json(spec);
  if (fs::exists(path, ec)) {
    document = preserve_layout(document, load_json_file(path));
  } else if (new_file_layout != nullptr) {
    document = preserve_layout(document, *new_file_layout);
  }
  write_file_atomic(path, dump_json(document));

  DatabaseEntry entry{path, display_path(path), spec, false};
  auto found = index_.find(spec.id);
  if (found != index_.end()) {
    entries_[found->second] = std::move(entry);
  } else {
    index_[spec.id] = entries_.size();
    entries_.push_back(std::move(entry));
  }
}

DatabaseLock::DatabaseLock(const fs::path& root) {
  fs::path lock_path = root / ".hwcal.lock";
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw IoError(
        fmt::format("{}: cannot open lock file: {}", lock_path.string(), std::strerror(errno)));
  }
  while (::flock(fd_, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    int saved = errno;
    ::close(fd_);
    throw IoError(fmt::format("{}: cannot lock: {}", lock_path.string(), std::strerror(saved)));
  }
}

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

DefaultDatabase find_default_database() {
  if (const char* env = std::getenv("HWCAL_DATABASE"); env != nullptr && *env != '\0') {
    return {fs::path(env), "$HWCAL_DATABASE"};
  }
  std::vector<std::string> tried{"$HWCAL_DATABASE: not set"};
  std::error_code ec;
  const fs::path exe = running_executable();
  if (!exe.empty()) {
    const fs::path bin = exe.parent_path();
    const fs::path installed = installed_path(bin, detail::installed_database_from_bindir());
    if (fs::is_directory(installed, ec)) return {installed, "installed with this program"};
    tried.push_back(fmt::format("{} (installed with this program): absent", installed.string()));

    // Only a program in its own build folder trusts the source path compiled into it: a copy
    // elsewhere may belong to another tree, or outlive this one.
    const fs::path source = detail::source_tree_database();
    const fs::path build = fs::weakly_canonical(detail::build_folder(), ec);
    if (!ec && is_inside(exe, build)) {
      if (fs::is_directory(source, ec)) return {source, "the source tree of this build"};
      tried.push_back(fmt::format("{} (the source tree of this build): absent", source.string()));
    } else {
      tried.push_back(
          fmt::format("{} (the source tree of the build folder {}): not used, this "
                      "program does not run from that build folder",
                      source.string(), detail::build_folder()));
    }
    if (fs::path found = find_upwards(bin); !found.empty()) {
      return {found, "found above the program's folder"};
    }
    tried.push_back(fmt::format("a hardware_database folder in {} or above: none", bin.string()));
  }
  const fs::path cwd = fs::current_path(ec);
  if (fs::path found = find_upwards(cwd); !found.empty()) {
    return {found, "found above the working folder"};
  }
  tried.push_back(fmt::format("a hardware_database folder in {} or above: none", cwd.string()));
  std::string message =
      "no hardware database found: pass --database DIR or set HWCAL_DATABASE; tried:";
  for (const std::string& line : tried) message += "\n  " + line;
  throw UsageError(message);
}

std::optional<Installation> running_installation() {
  const fs::path exe = running_executable();
  if (exe.empty()) return std::nullopt;
  const fs::path bin = exe.parent_path();
  Installation installation{installed_path(bin, detail::installed_database_from_bindir()),
                            installed_path(bin, detail::installed_mapper_dir_from_bindir())};
  std::error_code ec;
  if (!fs::is_directory(installation.database, ec)) return std::nullopt;
  return installation;
}

std::vector<std::string> closest_ids(const std::vector<std::string>& known, std::string_view id,
                                     std::size_t limit) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const std::string& candidate : known) {
    std::size_t distance = edit_distance(id, candidate);
    if (candidate.find(id) != std::string::npos) distance = std::min<std::size_t>(distance, 1);
    if (distance <= std::max<std::size_t>(3, id.size() / 3))
      scored.emplace_back(distance, candidate);
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < scored.size() && i < limit; ++i) ids.push_back(scored[i].second);
  return ids;
}

DataError unknown_id_error(const fs::path& root, std::string_view id,
                           const std::vector<std::string>& known) {
  std::string hint;
  auto close = closest_ids(known, id);
  if (!close.empty()) {
    hint = " (did you mean ";
    for (std::size_t i = 0; i < close.size(); ++i) hint += (i ? ", " : "") + close[i];
    hint += "?)";
  }
  return DataError(
      root.string(), "",
      fmt::format("unknown hardware id '{}'{}; `summarize_database` lists the ids", id, hint));
}

}  // namespace hwcal
