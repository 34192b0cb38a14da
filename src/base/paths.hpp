// Paths hwcal builds from data, and where they lead. Standard C++ only.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

// Why `name` cannot be one component of a path that hwcal builds from data (an id, a vendor, a
// power-mode name): empty, a slash, a backslash, a NUL or another control character, "." or
// "..", longer than 128 bytes, a leading dot (hidden) or dash. nullopt when it can.
std::optional<std::string> path_component_problem(std::string_view name);

// Whether `path` lies below `folder`, compared as written (no links resolved).
bool is_inside(const std::filesystem::path& path, const std::filesystem::path& folder);

}  // namespace hwcal
