// Detection patterns (an entry's detection_patterns, a board's device-tree models): ECMAScript
// regular expressions matched case-insensitively against what a machine or a profile reports.
// std::regex compiles and matches recursively, so both the pattern and the text are bounded
// here: a hostile entry or profile cannot exhaust the stack or hang a scan.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

inline constexpr std::size_t kMaxPatternLength = 256;
inline constexpr std::size_t kMaxPatternNesting = 16;  // groups within groups
inline constexpr std::size_t kMaxMatchedText = 256;    // longer texts are cut to this

// Why `pattern` cannot be used: too long, nested too deeply, or not a regular expression.
std::optional<std::string> pattern_problem(std::string_view pattern);

// Whether `pattern` finds a match in (the first kMaxMatchedText bytes of) `text`; false for a
// pattern with a problem (validation reports those).
bool pattern_search(std::string_view pattern, std::string_view text);

}  // namespace hwcal
