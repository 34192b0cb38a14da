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

// One timed run of a program (stdout and stderr discarded): its exit code, wall-clock seconds
// and CPU seconds (user + system, all its threads), which a busy machine inflates less.
struct TimedRun {
  int exit_code = -1;
  double wall_s = 0;
  double cpu_s = 0;
};
TimedRun run_timed(const std::string& program, const std::vector<std::string>& args);

// CPU seconds (user + system) this process has used so far, all threads.
double process_cpu_seconds();

// The 1-minute load average (/proc/loadavg), or -1 where it cannot be read.
double load_average();

class TempFolder {
 public:
  TempFolder();
  ~TempFolder();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace hwcal::bench
