// A unified diff of two texts, line by line, in `diff -u` form: what `export_calibration
// --dry-run` prints instead of writing. Small and dependency-free; entries are a few hundred
// lines and a change is usually one block, so the common prefix and suffix are trimmed before
// a longest-common-subsequence table is built for what remains.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace hwcal {

// "" when the texts are equal. Lines keep their content; a last line without a newline is
// marked "\ No newline at end of file" as diff does.
std::string unified_diff(std::string_view before, std::string_view after,
                         const std::string& before_label, const std::string& after_label,
                         std::size_t context = 3);

}  // namespace hwcal
