#include "base/pattern.hpp"

#include <algorithm>
#include <regex>

namespace hwcal {
namespace {

// libstdc++ matches by backtracking unless told otherwise, which takes exponential time on
// patterns like "NVIDIA.*+NVIDIA" (a fuzzer's find: over 10 s for a 21-character model).
// __polynomial selects its Thompson-NFA executor: polynomial time, no recursion per character,
// and no back-references (which detection patterns do not need).
constexpr auto kPatternFlags = std::regex::ECMAScript | std::regex::icase
#if defined(__GLIBCXX__)
                               | std::regex_constants::__polynomial
#endif
    ;

// The bounds that keep compiling cheap and shallow, checked before compiling.
std::optional<std::string> shape_problem(std::string_view pattern) {
  if (pattern.size() > kMaxPatternLength) {
    return "too long: longer than " + std::to_string(kMaxPatternLength) + " characters";
  }
  std::size_t depth = 0;
  std::size_t deepest = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;  // an escaped character, "\(" included
    } else if (pattern[i] == '(') {
      deepest = std::max(deepest, ++depth);
    } else if (pattern[i] == ')' && depth > 0) {
      --depth;
    }
  }
  if (deepest > kMaxPatternNesting) {
    return "too deep: groups nested more than " + std::to_string(kMaxPatternNesting) + " deep";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> pattern_problem(std::string_view pattern) {
  if (auto problem = shape_problem(pattern)) return problem;
  try {
    const std::regex compiled(pattern.begin(), pattern.end(), kPatternFlags);
    // Some faults (a back-reference, which the polynomial executor refuses) show only when
    // matching.
    const std::string_view empty;
    std::regex_search(empty.begin(), empty.end(), compiled);
  } catch (const std::regex_error& error) {
    return std::string("not a valid regular expression: ") + error.what();
  }
  return std::nullopt;
}

bool pattern_search(std::string_view pattern, std::string_view text) {
  if (shape_problem(pattern)) return false;
  const std::string_view bounded = text.substr(0, kMaxMatchedText);
  try {
    const std::regex compiled(pattern.begin(), pattern.end(), kPatternFlags);
    return std::regex_search(bounded.begin(), bounded.end(), compiled);
  } catch (const std::regex_error&) {
    return false;  // not a regular expression (validation says so), or a back-reference
  }
}

}  // namespace hwcal
