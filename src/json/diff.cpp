#include "json/diff.hpp"

#include <algorithm>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

namespace hwcal {
namespace {

// Lines with their newline, so that "a" and "a\n" differ.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size() - 1;
    lines.push_back(text.substr(start, end - start + 1));
    start = end + 1;
  }
  return lines;
}

struct Edit {
  char op;  // ' ', '-', '+'
  std::size_t before;
  std::size_t after;
};

std::vector<Edit> edit_script(const std::vector<std::string_view>& a,
                              const std::vector<std::string_view>& b) {
  std::size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  std::size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) {
    ++suffix;
  }
  const std::size_t n = a.size() - prefix - suffix;
  const std::size_t m = b.size() - prefix - suffix;

  std::vector<Edit> edits;
  for (std::size_t i = 0; i < prefix; ++i) edits.push_back({' ', i, i});
  // Longest common subsequence of the middle; far too large a middle is shown as replaced.
  constexpr std::size_t kMaxCells = 25'000'000;
  if (n > 0 && m > 0 && n * m <= kMaxCells) {
    std::vector<std::uint32_t> table((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& {
      return table[i * (m + 1) + j];
    };
    for (std::size_t i = n; i-- > 0;) {
      for (std::size_t j = m; j-- > 0;) {
        at(i, j) = a[prefix + i] == b[prefix + j] ? at(i + 1, j + 1) + 1
                                                  : std::max(at(i + 1, j), at(i, j + 1));
      }
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
        edits.push_back({' ', prefix + i++, prefix + j++});
      } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
        edits.push_back({'-', prefix + i++, prefix + j});  // removals first, as diff prints them
      } else {
        edits.push_back({'+', prefix + i, prefix + j++});
      }
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) edits.push_back({'-', prefix + i, prefix});
    for (std::size_t j = 0; j < m; ++j) edits.push_back({'+', prefix + n, prefix + j});
  }
  for (std::size_t k = 0; k < suffix; ++k) {
    edits.push_back({' ', prefix + n + k, prefix + m + k});
  }
  return edits;
}

void append_line(std::string& out, char op, std::string_view line) {
  out += op;
  if (!line.empty() && line.back() == '\n') {
    out.append(line.data(), line.size());
  } else {
    out.append(line.data(), line.size());
    out += "\n\\ No newline at end of file\n";
  }
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after,
                         const std::string& before_label, const std::string& after_label,
                         std::size_t context) {
  if (before == after) return "";
  const std::vector<std::string_view> a = split_lines(before);
  const std::vector<std::string_view> b = split_lines(after);
  const std::vector<Edit> edits = edit_script(a, b);

  std::string out = fmt::format("--- {}\n+++ {}\n", before_label, after_label);
  std::size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].op == ' ') ++k;
    if (k == edits.size()) break;
    // A hunk: context before the first change, then changes and the equal runs between them
    // that are short enough to join, then context after the last change.
    const std::size_t begin = k >= context ? k - context : 0;
    std::size_t end = k;
    while (end < edits.size()) {
      if (edits[end].op != ' ') {
        ++end;
        continue;
      }
      std::size_t run = end;
      while (run < edits.size() && edits[run].op == ' ') ++run;
      if (run == edits.size() || run - end > 2 * context) {
        end = std::min(run, end + context);
        break;
      }
      end = run;
    }
    std::size_t before_count = 0;
    std::size_t after_count = 0;
    for (std::size_t i = begin; i < end; ++i) {
      if (edits[i].op != '+') ++before_count;
      if (edits[i].op != '-') ++after_count;
    }
    const std::size_t before_start = edits[begin].before + (before_count > 0 ? 1 : 0);
    const std::size_t after_start = edits[begin].after + (after_count > 0 ? 1 : 0);
    out +=
        fmt::format("@@ -{},{} +{},{} @@\n", before_start, before_count, after_start, after_count);
    for (std::size_t i = begin; i < end; ++i) {
      const Edit& edit = edits[i];
      append_line(out, edit.op, edit.op == '+' ? b[edit.after] : a[edit.before]);
    }
    k = end;
  }
  return out;
}

}  // namespace hwcal
