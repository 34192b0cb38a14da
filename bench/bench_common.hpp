// Small helpers shared by the benchmark programs: wall-clock timing of a callable or of a whole
// program run, best of N, and a temp folder.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace hwcal::bench {

// Seconds of the fastest of `repeats` calls (the first call is a warm-up and not counted).
double best_seconds(int repeats, const std::function<void()>& work);

// Runs `program args...` with stdout and stderr discarded; returns its exit code.
int run_quietly(const std::string& program, const std::vector<std::string>& args);

class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hwcal::bench
