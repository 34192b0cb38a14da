// Reading the files the kernel publishes (sysfs, procfs) under a root folder: "/" on the machine,
// a fixture tree in tests. One reader, so that a file that is missing, not readable, empty or not
// a number reads the same wherever it is asked for. Standard C++ only.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace hwcal {

// One value read from the machine, or why there is none. `source` is the machine path (or
// command) the value was read from or was tried; `problem` says why it is unknown ("" when known).
template <typename T>
struct Reading {
  std::optional<T> value;
  std::string source;
  std::string problem;

  bool known() const { return value.has_value(); }
  const T& operator*() const { return *value; }
  const T* operator->() const { return &*value; }
  T value_or(T fallback) const { return value ? *value : fallback; }

  static Reading found(T value, std::string source) {
    return Reading{std::move(value), std::move(source), ""};
  }
  static Reading unknown(std::string source, std::string problem) {
    return Reading{std::nullopt, std::move(source), std::move(problem)};
  }
};

// Files under a root folder, named by their path on the machine ("/proc/cpuinfo").
class SysRoot {
 public:
  explicit SysRoot(std::filesystem::path root) : root_(std::move(root)) {}

  // The machine itself rather than a fixture tree: only then may the processor be asked.
  bool is_this_machine() const;

  std::filesystem::path at(const std::string& machine_path) const;

  // The whole file, or nullopt with the reason in `why` (see problem()).
  std::optional<std::string> read(const std::string& machine_path, std::string& why) const;

  // The file's content without surrounding white space; "empty" when nothing is left.
  Reading<std::string> text(const std::string& machine_path) const;

  // A number in a file; `scale` converts its unit (kHz -> MHz: 1e-3). "not a number: '...'".
  Reading<double> number(const std::string& machine_path, double scale = 1.0) const;

  bool exists(const std::string& machine_path) const;

  // Entry names in a folder, sorted; empty when it cannot be listed.
  std::vector<std::string> list(const std::string& machine_path) const;

  // An errno as a reading's problem: "missing", "permission denied (needs root)", strerror.
  static std::string problem(int error);

 private:
  std::filesystem::path root_;
};

}  // namespace hwcal
