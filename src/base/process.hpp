// Running a command and capturing what it prints (nvidia-smi for detection). Private to the
// library: no shell is involved, and a command that hangs is killed after a timeout.
#pragma once

#include <string>
#include <vector>

namespace hwcal {

struct CommandResult {
  bool started = false;  // false: not found or not executable (see problem)
  bool timed_out = false;
  int exit_code = -1;
  std::string out;
  std::string err;
  std::string problem;  // why it did not start or finish
};

// Runs argv[0] (searched in PATH) with stdin from /dev/null.
CommandResult run_command(const std::vector<std::string>& argv, int timeout_s);

}  // namespace hwcal
