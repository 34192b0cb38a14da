// Helpers for tests: temporary folders that clean up, fixture paths, copying trees, running a
// built program and capturing what it prints, and golden-file comparison.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace hwcal::test {

namespace fs = std::filesystem;

fs::path source_dir();
fs::path fixtures_dir();
fs::path bundled_database();

// A fresh folder under the system temp folder, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

// Copies `from` (a folder) to `to`, creating `to`.
void copy_tree(const fs::path& from, const fs::path& to);

// The bundled database as a checkout lays it out: <parent>/hardware_database and the profiles
// its calibration summaries link, <parent>/profiles (without them --check reports the links
// as missing). Returns <parent>/hardware_database.
fs::path copy_bundled_database(const fs::path& parent);

std::string read_file(const fs::path& path);
void write_file(const fs::path& path, const std::string& text);

// Every regular file under `root` with its content: compare before and after to show that a
// command wrote nothing.
std::map<std::string, std::string> snapshot_tree(const fs::path& root);

struct ProgramResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `program` with `args` (no shell involved in the arguments), environment additions in
// `env`, and stdin from /dev/null.
ProgramResult run_program(const std::string& program, const std::vector<std::string>& args,
                          const std::map<std::string, std::string>& env = {});

// Runs `program` with `args` in a child whose file size limit is `limit_bytes` (a full disk
// at that size), output discarded and SIGXFSZ at its default, so the program decides what the
// limit does; the exit code, or 128 + the signal that ended it.
int run_with_file_limit(const std::string& program, std::vector<std::string> args,
                        std::size_t limit_bytes);

// Runs `write` in a child process whose file size limit is `limit_bytes` (as a full disk would
// refuse a larger write); true when it failed with hwcal::IoError there. The limit never reaches
// the test process, and it works as root, unlike a read-only folder.
bool fails_with_file_size_limit(std::size_t limit_bytes, const std::function<void()>& write);

// Whether `text` holds `part`.
inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// How many times `what` occurs in `text` (overlapping occurrences count).
std::size_t count_occurrences(const std::string& text, const std::string& what);

// ||a - b|| / ||b|| of two tensors compared element by element; infinite when a value is not
// finite or the sizes differ.
double relative_error(const std::vector<float>& a, const std::vector<float>& b);

// Compares `actual` with tests/golden/<name>; with HWCAL_UPDATE_GOLDEN=1 rewrites the file.
// Returns "" on a match, else a message with the first differing line.
std::string compare_golden(const std::string& name, const std::string& actual);

}  // namespace hwcal::test
