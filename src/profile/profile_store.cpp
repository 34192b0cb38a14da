#include "profile/profile_store.hpp"

namespace fs = std::filesystem;

namespace hwcal {

bool is_posix_relative(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos) {
    return false;
  }
  for (const auto& part : fs::path(path)) {
    if (part == "..") return false;
  }
  return true;
}

LinkedRun locate_linked_run(const std::string& path, const fs::path& base) {
  LinkedRun run;
  if (!is_posix_relative(path)) {
    run.problem = LinkedRunProblem::not_posix_relative;
    return run;
  }
  run.file = base / path;
  std::error_code ec;
  if (!fs::is_regular_file(run.file, ec)) run.problem = LinkedRunProblem::missing;
  return run;
}

}  // namespace hwcal
