// Where an entry's linked runs are: POSIX paths relative to the folder that holds the database
// (profiles/...). The calibration and the workload summaries resolve them here, each saying
// what is wrong in its own terms.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace hwcal {

enum class LinkedRunProblem { none, not_posix_relative, missing };

struct LinkedRun {
  std::filesystem::path file;  // base / path
  LinkedRunProblem problem = LinkedRunProblem::none;
};

// POSIX, relative, never climbing out with "..".
bool is_posix_relative(std::string_view path);

// `path` below `base`, or why it cannot be read: not such a path, or no file there.
LinkedRun locate_linked_run(const std::string& path, const std::filesystem::path& base);

}  // namespace hwcal
