#include "hwcal/database/database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "base/paths.hpp"
#include "base/suggest.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/transaction.hpp"
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

namespace {

// A file the scan found: an entry to read, or a name it could not read (`problem`).
struct Found {
  fs::path path;
  std::string problem;
  bool operator<(const Found& other) const { return path < other.path; }
};

// Every <type>/<vendor>/<id>.json under root, and every name that should be one and is not:
// a folder that cannot be listed, a link that cannot be followed (a loop, a dangling link), a
// ".json" that is not a file. Nothing is skipped without a word, except hidden names (the lock,
// temp files, .git) and the top-level schema folder. Links to folders are not followed.
std::vector<Found> list_entry_files(const fs::path& root) {
  std::vector<Found> found;
  std::vector<fs::path> folders{root};
  while (!folders.empty()) {
    const fs::path folder = std::move(folders.back());
    folders.pop_back();
    std::error_code ec;
    fs::directory_iterator it(folder, ec);
    if (ec) {
      found.push_back({folder, fmt::format("cannot list this folder ({}): the entries in it are "
                                           "not read",
                                           ec.message())});
      continue;
    }
    for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
      const fs::path& path = it->path();
      const std::string name = path.filename().string();
      if (name.empty() || name.front() == '.') continue;
      if (folder == root && name == "schema") continue;
      const bool json_name = path.extension() == ".json";
      std::error_code status_ec;
      // The name's own type as readdir reported it (no lstat per file), else from lstat.
      fs::file_status own;
      if (it->is_symlink(status_ec)) {
        own = fs::file_status(fs::file_type::symlink);
      } else if (it->is_directory(status_ec)) {
        own = fs::file_status(fs::file_type::directory);
      } else if (it->is_regular_file(status_ec)) {
        own = fs::file_status(fs::file_type::regular);
      } else {
        own = it->symlink_status(status_ec);
      }
      if (fs::is_symlink(own)) {
        const fs::file_status target = fs::status(path, status_ec);
        if (status_ec || !fs::exists(target)) {
          found.push_back({path, fmt::format("a symbolic link that cannot be followed ({})",
                                             status_ec ? status_ec.message() : "dangling")});
          continue;
        }
        if (fs::is_directory(target)) {
          found.push_back({path,
                           "a symbolic link to a folder: the database follows no folder "
                           "links; move the folder here instead"});
          continue;
        }
        if (json_name) {
          found.push_back({path, fs::is_regular_file(target)
                                     ? ""
                                     : "a link to something that is not a regular file"});
        }
        continue;
      }
      if (fs::is_directory(own)) {
        if (json_name) {
          found.push_back({path, "a folder named like an entry file"});
        } else {
          folders.push_back(path);
        }
        continue;
      }
      if (!json_name) continue;
      found.push_back(
          {path, fs::is_regular_file(own) ? "" : "not a regular file (a device, pipe or socket)"});
    }
    if (ec) {
      found.push_back(
          {folder, fmt::format("listing this folder failed part way ({}): some entries in it "
                               "may not be read",
                               ec.message())});
    }
  }
  return found;
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
  // A change that a kill interrupted is finished before anything is read, so that no reader
  // sees half of it. A writer's own lock has done that already: under it, no journal is left.
  std::vector<Found> pending_problems;
  if (fs::exists(journal_path(root), ec)) {
    try {
      DatabaseLock lock(root);
    } catch (const Error& error) {
      pending_problems.push_back(
          {journal_path(root),
           fmt::format("an interrupted change is pending and could not be finished: {}",
                       error.what())});
    }
  }
  std::vector<Found> paths = list_entry_files(root);
  paths.insert(paths.end(), pending_problems.begin(), pending_problems.end());
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
          entry.path = paths[i].path;
          entry.display_path = display_path_under(root, paths[i].path);
          entry.relative_path = paths[i].path.lexically_relative(root).generic_string();
          if (paths[i].problem.empty()) {
            read_entry(entry);
          } else {
            entry.diagnostics.error(entry.display_path, "", paths[i].problem);
          }
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

std::optional<EntryPathProblem> entry_path_problem(const HardwareSpec& spec) {
  // Ids and vendors become path components: never a way out of the database.
  if (auto problem = path_component_problem(spec.id)) {
    return EntryPathProblem{"/id", fmt::format("id '{}' {}", spec.id, *problem)};
  }
  if (auto problem = path_component_problem(spec.vendor_slug())) {
    return EntryPathProblem{"/vendor", fmt::format("vendor '{}' {}", spec.vendor, *problem)};
  }
  return std::nullopt;
}

fs::path Database::path_for(const HardwareSpec& spec) const {
  if (auto problem = entry_path_problem(spec)) {
    throw DataError(root_.string(), problem->pointer, problem->message);
  }
  return root_ / std::string(to_string(spec.device_type)) / spec.vendor_slug() /
         (spec.id + ".json");
}

fs::path calibration_base(const fs::path& database_root) {
  fs::path root = fs::absolute(database_root).lexically_normal();
  if (root.filename().empty()) root = root.parent_path();  // "hardware_database/"
  return root.parent_path();
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

std::string Database::entry_text(const HardwareSpec& spec, const Json* new_file_layout) const {
  const fs::path path = path_for(spec);
  // Keep the layout of the file being replaced (key order, number spelling, unknown fields).
  Json document = spec_to_json(spec);
  std::error_code ec;
  if (fs::exists(path, ec)) {
    document = preserve_layout(document, load_json_file(path, display_path(path)));
  } else if (new_file_layout != nullptr) {
    document = preserve_layout(document, *new_file_layout);
  }
  return dump_json(document);
}

void Database::write_entry(const HardwareSpec& spec, Transaction& transaction,
                           const Json* new_file_layout) {
  fs::path path = path_for(spec);
  transaction.write(path, entry_text(spec, new_file_layout));

  DatabaseEntry entry{path, display_path(path), spec, false};
  auto found = index_.find(spec.id);
  if (found != index_.end()) {
    entries_[found->second] = std::move(entry);
  } else {
    index_[spec.id] = entries_.size();
    entries_.push_back(std::move(entry));
  }
}

namespace {

std::atomic<double> default_lock_timeout_s{300.0};
std::atomic<bool> lock_notes_shown{true};

// Who holds a lock, as its holder wrote it into the lock file.
std::string lock_holder(int fd) {
  char buffer[256] = {};
  ssize_t got = ::pread(fd, buffer, sizeof buffer - 1, 0);
  std::string text = got > 0 ? std::string(buffer, static_cast<std::size_t>(got)) : "";
  if (auto newline = text.find('\n'); newline != std::string::npos) text.resize(newline);
  return text.empty() ? "another process (it did not say which)" : text;
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "?";
  return name;
}

}  // namespace

void set_lock_timeout(double seconds) { default_lock_timeout_s = seconds; }
void set_lock_notes(bool shown) { lock_notes_shown = shown; }
double lock_timeout() { return default_lock_timeout_s; }

DatabaseLock::DatabaseLock(const fs::path& root, const std::vector<fs::path>& extra_folders) {
  if (root.empty()) throw UsageError("the database folder is an empty path");
  const fs::path lock_path = root / ".hwcal.lock";
  // 0666 less the umask: in a tree shared by a group (umask 002), every member can lock.
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  bool writable = fd_ >= 0;
  // Someone else's lock file that this user may not write: flock works on any open file.
  if (fd_ < 0 && errno == EACCES) fd_ = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    throw IoError(
        fmt::format("{}: cannot open lock file: {}", lock_path.string(), std::strerror(errno)));
  }
  const double timeout_s = lock_timeout();
  const auto start = std::chrono::steady_clock::now();
  bool told = false;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      int saved = errno;
      ::close(fd_);
      throw IoError(fmt::format("{}: cannot lock: {}", lock_path.string(), std::strerror(saved)));
    }
    const double waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (waited >= timeout_s) {
      std::string holder = lock_holder(fd_);
      ::close(fd_);
      throw IoError(
          fmt::format("{}: still locked by {} after {:.0f} s: gave up (--lock-timeout "
                      "sets how long to wait)",
                      lock_path.string(), holder, timeout_s));
    }
    if (!told && lock_notes_shown) {
      fmt::print(stderr, "waiting for the database lock {}, held by {} (for at most {:.0f} s)\n",
                 lock_path.string(), lock_holder(fd_), timeout_s);
      std::fflush(stderr);
      told = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (writable) {
    const std::string holder =
        fmt::format("pid {} ({}) on {}\n", ::getpid(), program_invocation_short_name, host_name());
    if (::ftruncate(fd_, 0) == 0) {
      [[maybe_unused]] ssize_t ignored = ::pwrite(fd_, holder.data(), holder.size(), 0);
    }
  }
  // Before anything is read under this lock: finish an interrupted change, sweep up the temp
  // files of writers that died.
  try {
    Recovery recovery = recover_database(root, extra_folders);
    for (const std::string& message : recovery.messages) {
      if (lock_notes_shown) fmt::print(stderr, "note: {}\n", message);
    }
  } catch (...) {
    release();
    throw;
  }
}

void DatabaseLock::release() {
  if (fd_ < 0) return;
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
  fd_ = -1;
}

DatabaseLock::~DatabaseLock() { release(); }

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
  return closest_names(known, id, limit);
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
