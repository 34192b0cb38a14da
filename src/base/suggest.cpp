#include "base/suggest.hpp"

#include <algorithm>
#include <utility>

#include "base/text.hpp"

namespace hwcal {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

// The names close to `name` with their scores, best first: 0 the same name in another case,
// then 1 + the case-blind edit distance (a name that contains the one given counts as 1).
std::vector<std::pair<std::size_t, std::string>> scored_names(const std::vector<std::string>& known,
                                                              std::string_view name) {
  const std::string folded = lower(name);
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const std::string& candidate : known) {
    if (candidate == name) continue;
    const std::string candidate_folded = lower(candidate);
    std::size_t score = 0;
    if (candidate_folded != folded) {
      std::size_t distance = edit_distance(folded, candidate_folded);
      if (!folded.empty() && candidate_folded.find(folded) != std::string::npos) {
        distance = std::min<std::size_t>(distance, 1);
      }
      if (distance > std::max<std::size_t>(3, name.size() / 3)) continue;
      score = 1 + distance;
    }
    scored.emplace_back(score, candidate);
  }
  std::sort(scored.begin(), scored.end());
  scored.erase(std::unique(scored.begin(), scored.end()), scored.end());
  return scored;
}

}  // namespace

std::vector<std::string> closest_names(const std::vector<std::string>& known, std::string_view name,
                                       std::size_t limit) {
  const auto scored = scored_names(known, name);
  std::vector<std::string> names;
  for (std::size_t i = 0; i < scored.size() && names.size() < limit; ++i) {
    names.push_back(scored[i].second);
  }
  return names;
}

std::string did_you_mean(const std::vector<std::string>& known, std::string_view name,
                         std::size_t limit) {
  // The best alone, or those tied for best: "jsno" is json, not also csv and svg.
  const auto scored = scored_names(known, name);
  std::vector<std::string> close;
  for (const auto& [score, candidate] : scored) {
    if (score != scored.front().first || close.size() == limit) break;
    close.push_back(candidate);
  }
  if (close.empty()) return "";
  std::string hint = " (did you mean ";
  for (std::size_t i = 0; i < close.size(); ++i) hint += (i > 0 ? ", " : "") + close[i];
  return hint + "?)";
}

}  // namespace hwcal
