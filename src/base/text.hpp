// Small text helpers every layer uses: trimming, case, splitting, number parsing and the two
// number formats people read in tables. Standard C++ only, so the bottom layers stay free of
// third-party code; joining is fmt::join.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hwcal {

// Without leading and trailing white space (and NULs, which some sysfs files end with).
std::string trim(std::string_view text);
std::string lower(std::string_view text);
std::vector<std::string> split_whitespace(std::string_view text);
bool starts_with(std::string_view text, std::string_view prefix);

// The whole of `text` (surrounding white space allowed) as a number; nullopt otherwise,
// also for a value out of range or not finite.
std::optional<long long> parse_integer(std::string_view text, int base = 10);
std::optional<double> parse_number(std::string_view text);

// `value` cut to a whole number as a long long; nullopt for NaN or a value outside long long's
// range, where the cast would be undefined (1e300 in a hostile file).
std::optional<long long> to_long_long(double value);

// A rate in a table: one decimal below 10,000, none above ("1214.2", "30081").
std::string format_rate(double value);
// A fraction as a percentage with one decimal: 0.6458 -> "64.6%".
std::string format_percent(double fraction);

}  // namespace hwcal
