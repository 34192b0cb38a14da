#include "base/text.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace hwcal {
namespace {

bool blank(char c) { return std::isspace(static_cast<unsigned char>(c)) || c == '\0'; }

// Fixed-point with `decimals` digits after the point, then `suffix`.
std::string fixed(double value, int decimals, const char* suffix = "") {
  char text[64];
  int length = std::snprintf(text, sizeof text, "%.*f%s", decimals, value, suffix);
  return length < 0 ? std::string() : std::string(text, static_cast<std::size_t>(length));
}

}  // namespace

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && blank(text[begin])) ++begin;
  while (end > begin && blank(text[end - 1])) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split_whitespace(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(text)};
  std::string word;
  while (stream >> word) words.push_back(word);
  return words;
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::optional<long long> parse_integer(std::string_view text, int base) {
  std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long parsed = std::strtoll(value.c_str(), &end, base);
  if (errno != 0 || end == value.c_str() || *end != '\0') return std::nullopt;
  return parsed;
}

std::optional<double> parse_number(std::string_view text) {
  std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double parsed = std::strtod(value.c_str(), &end);
  if (errno != 0 || end == value.c_str() || *end != '\0' || !std::isfinite(parsed)) {
    return std::nullopt;
  }
  return parsed;
}

std::string format_rate(double value) { return fixed(value, std::fabs(value) >= 10000 ? 0 : 1); }

std::string format_percent(double fraction) { return fixed(fraction * 100.0, 1, "%"); }

std::optional<long long> to_long_long(double value) {
  if (!(value > -0x1p63 && value < 0x1p63)) return std::nullopt;
  return static_cast<long long>(value);
}

}  // namespace hwcal
