// One table of names per enum: the enumerators' names in enumerator order, used for to_string,
// parsing, messages that list the allowed values, and the programs' flag checks (CLI11's
// CheckedTransformer takes the map). Keeping the names in one array means a new enumerator
// cannot be printable but not parsable.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

template <typename Enum, std::size_t N>
class EnumTable {
 public:
  constexpr explicit EnumTable(std::array<std::string_view, N> names) : names_(names) {}

  constexpr std::string_view name(Enum value) const {
    return names_[static_cast<std::size_t>(value)];
  }

  // Exact, case-sensitive: files and flags use the canonical names.
  constexpr std::optional<Enum> parse(std::string_view name) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (names_[i] == name) return static_cast<Enum>(i);
    }
    return std::nullopt;
  }

  // "a, b or c": for messages that say what was expected.
  std::string alternatives(std::string_view last_separator = " or ") const {
    std::string text;
    for (std::size_t i = 0; i < N; ++i) {
      if (i > 0) text += i + 1 == N ? std::string(last_separator) : std::string(", ");
      text += names_[i];
    }
    return text;
  }

  // name -> enumerator, for CLI11's CheckedTransformer.
  std::map<std::string, Enum> by_name() const {
    std::map<std::string, Enum> map;
    for (std::size_t i = 0; i < N; ++i) map.emplace(std::string(names_[i]), static_cast<Enum>(i));
    return map;
  }

  constexpr const std::array<std::string_view, N>& names() const { return names_; }

 private:
  std::array<std::string_view, N> names_;
};

}  // namespace hwcal
