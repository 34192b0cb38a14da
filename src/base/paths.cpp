#include "base/paths.hpp"

namespace hwcal {

std::optional<std::string> path_component_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  for (char c : name) {
    if (c == '/' || c == '\\') return "contains a slash: it names a folder and a file in it";
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return "contains a control character";
  }
  if (name == "." || name == "..") return "is '.' or '..'";
  if (name.size() > 128) return "is longer than 128 characters";
  if (name.front() == '.') return "starts with a dot (a hidden file name)";
  if (name.front() == '-') return "starts with a dash (read as an option by other tools)";
  return std::nullopt;
}

bool is_inside(const std::filesystem::path& path, const std::filesystem::path& folder) {
  const std::filesystem::path relative = path.lexically_relative(folder);
  return !relative.empty() && *relative.begin() != "..";
}

}  // namespace hwcal
