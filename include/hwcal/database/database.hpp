// The database: a tree hardware_database/<device_type>/<vendor>/<id>.json. Loading indexes the
// entries by id and turns every unreadable or malformed file into a diagnostic (a bad entry is
// reported, never silently skipped). Writing one entry back is atomic and done under a lock, so
// two exports into the same database at the same time both land.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "hwcal/base/error.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/json/diagnostics.hpp"

namespace hwcal {

class Transaction;

struct DatabaseEntry {
  std::filesystem::path path;  // absolute or as given
  std::string display_path;    // relative to the database root's parent: hardware_database/...
  HardwareSpec spec;
  bool has_errors = false;  // the file parsed but its content had errors (see diagnostics)
};

class Database {
 public:
  // IoError when root is missing or not a folder. Per-file problems go to load_diagnostics().
  static Database load(const std::filesystem::path& root);

  const std::filesystem::path& root() const { return root_; }
  const std::vector<DatabaseEntry>& entries() const { return entries_; }
  const Diagnostics& load_diagnostics() const { return load_diagnostics_; }
  // How many .json files were found (entries plus files that could not be read at all).
  std::size_t file_count() const { return file_count_; }

  const DatabaseEntry* find(std::string_view id) const;
  // DataError naming the database and suggesting close ids when the id is unknown.
  const DatabaseEntry& get(std::string_view id) const;

  // Where an entry lives: root/<device_type>/<vendor slug>/<id>.json. DataError for a spec with
  // an entry_path_problem.
  std::filesystem::path path_for(const HardwareSpec& spec) const;
  // "hardware_database/gpu/nvidia/x.json": a path relative to the root's parent.
  std::string display_path(const std::filesystem::path& path) const;

  // The text write_entry writes for `spec`.
  std::string entry_text(const HardwareSpec& spec, const Json* new_file_layout = nullptr) const;

  // Stages one entry in `transaction` (and replaces it in this index); the caller commits.
  // Take a DatabaseLock around read-modify-write sequences. `new_file_layout` (optional) lays
  // out a file that does not exist yet (key order, number spelling: 64 rather than 64.0); a
  // replaced file keeps its own.
  void write_entry(const HardwareSpec& spec, Transaction& transaction,
                   const Json* new_file_layout = nullptr);

 private:
  std::filesystem::path root_;
  std::vector<DatabaseEntry> entries_;
  std::unordered_map<std::string, std::size_t> index_;  // first entry of each id
  Diagnostics load_diagnostics_;
  std::size_t file_count_ = 0;
};

// Why `spec` cannot be written under a database: its id or its vendor would not make one file
// name inside the database folder ("../x", "", "a/b"). A pointer (/id, /vendor) and a message.
struct EntryPathProblem {
  std::string pointer;
  std::string message;
};
std::optional<EntryPathProblem> entry_path_problem(const HardwareSpec& spec);

// The folder that holds the database and its profiles (profiles/...), which linked profile
// paths are relative to: the parent of the database root. Nothing is written outside it.
std::filesystem::path calibration_base(const std::filesystem::path& database_root);

// `path` as messages show it: relative to the parent of the database root `root` when it lies
// below that folder ("hardware_database/gpu/nvidia/x.json", "include/hwcal/mappers/x.hpp"),
// else as given.
std::string display_path_under(const std::filesystem::path& root,
                               const std::filesystem::path& path);

// One entry file as scan_database hands it to a visitor: also a name under the root that could
// not be read as one (a folder that cannot be listed, a link loop, a ".json" that is not a
// file), with the reason as an error in `diagnostics` and no spec.
struct EntryVisit {
  std::size_t index = 0;             // position in file order (sorted paths)
  std::filesystem::path path;        // as found under the root
  std::string display_path;          // relative to the root's parent
  std::string relative_path;         // relative to the root: <device_type>/<vendor>/<id>.json
  std::optional<HardwareSpec> spec;  // empty when the file could not be read or parsed
  Diagnostics diagnostics;           // what reading found; visitors may add their own
};

// Reads and parses every entry file under `root` on all cores (after finishing a change that
// was interrupted, see transaction.hpp) and hands each to `visit`, which
// runs on worker threads: visits of different files run concurrently, so a visitor writes only
// to the slot of its own index. Returns the number of files. Summaries and checks of very large
// databases use this directly, keeping what they need of each entry rather than every spec.
std::size_t scan_database(const std::filesystem::path& root,
                          const std::function<void(EntryVisit&)>& visit);

// An exclusive advisory lock (flock) on <root>/.hwcal.lock, held for the object's lifetime;
// every program that writes into a database takes it. The lock file is created 0666 less the
// umask (a tree shared by a group stays lockable by the group), and its holder writes who it
// is there ("pid 42 (export_calibration) on host"). A writer that finds the lock taken says
// whose it is on stderr and waits at most lock_timeout() seconds, then throws IoError. Once
// held, the lock finishes an interrupted change and removes dead writers' temp files
// (recover_database, with `extra_folders` swept too), saying so on stderr.
class DatabaseLock {
 public:
  explicit DatabaseLock(const std::filesystem::path& root,
                        const std::vector<std::filesystem::path>& extra_folders = {});
  ~DatabaseLock();
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;

 private:
  void release();
  int fd_ = -1;
};

// How long a writer waits for another's lock (default 300 s; the programs' --lock-timeout).
void set_lock_timeout(double seconds);
double lock_timeout();
// --quiet: the lock's notes on stderr (waiting for another writer, what recovery cleaned up)
// are not printed. Process-wide, like the timeout.
void set_lock_notes(bool shown);

// The database the programs use when --database is not given, the first of:
//   1. $HWCAL_DATABASE;
//   2. the database installed with the program, <exe dir>/../share/hwcal/hardware_database (the
//      relative path is fixed when configuring, so an installed tree can be moved);
//   3. for a program whose executable lies in the build folder it was built in, that build's
//      source tree's hardware_database (an install beside it, checked first, wins);
//   4. a hardware_database folder in or above the executable's folder, then the working one.
// UsageError listing what was tried when none is found.
struct DefaultDatabase {
  std::filesystem::path root;
  std::string found_by;  // which of the above, for the log
};
DefaultDatabase find_default_database();

// The install the running program belongs to: its database and the generated mapper headers
// installed with it (<exe dir>/../include/hwcal/mappers). nullopt when no database is installed
// beside the executable.
struct Installation {
  std::filesystem::path database;
  std::filesystem::path mapper_dir;
};
std::optional<Installation> running_installation();

// The closest ids to `id` (edit distance), for "did you mean" hints.
std::vector<std::string> closest_ids(const std::vector<std::string>& known, std::string_view id,
                                     std::size_t limit = 3);

// The error for an id the database does not have, with close ids as hints.
DataError unknown_id_error(const std::filesystem::path& root, std::string_view id,
                           const std::vector<std::string>& known);

}  // namespace hwcal
