// "Did you mean" hints: the known names closest to a misspelt one. A name that differs only in
// case is the best match of all (--plan Quick, --kernels CPU_STREAM_TRIAD).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hwcal {

// Levenshtein distance between two strings (case sensitive).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The names in `known` closest to `name`, best first, at most `limit`: a match in another case,
// then a name that contains `name`, then those within an edit distance of max(3, size / 3).
std::vector<std::string> closest_names(const std::vector<std::string>& known, std::string_view name,
                                       std::size_t limit = 3);

// " (did you mean X?)", " (did you mean X, Y?)", or "" when nothing is close.
std::string did_you_mean(const std::vector<std::string>& known, std::string_view name,
                         std::size_t limit = 3);

}  // namespace hwcal
