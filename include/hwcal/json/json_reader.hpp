// Reading typed fields out of a JSON object while collecting diagnostics instead of throwing:
// a wrong type or a missing required field becomes one diagnostic naming file and pointer,
// and reading goes on so that one pass reports every problem. Keys that were never read are
// the object's unknown fields, which writers keep.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "hwcal/json/diagnostics.hpp"
#include "hwcal/json/json_io.hpp"

namespace hwcal {

class FieldReader {
 public:
  FieldReader(const Json& object, std::string file, std::string pointer, Diagnostics& diagnostics);

  bool valid() const { return object_ != nullptr; }
  // The object read from (nullptr when it is not one).
  const Json* json() const { return object_; }
  bool has(std::string_view key) const;
  std::string pointer_of(std::string_view key) const;
  const std::string& pointer() const { return pointer_; }
  const std::string& file() const { return file_; }
  Diagnostics& diagnostics() { return diagnostics_; }

  std::optional<std::string> string(std::string_view key, bool required = false);
  std::optional<double> number(std::string_view key, bool required = false);
  std::optional<long long> integer(std::string_view key, bool required = false);
  std::optional<bool> boolean(std::string_view key, bool required = false);
  std::optional<std::vector<std::string>> string_array(std::string_view key, bool required = false);
  // An array whose items that are not numbers are diagnostics and left out.
  std::optional<std::vector<double>> number_array(std::string_view key, bool required = false);
  // The raw member when it is an object / array, else nullptr (a diagnostic on wrong type).
  const Json* object(std::string_view key, bool required = false);
  const Json* array(std::string_view key, bool required = false);
  // Any type; marks the key as read.
  const Json* any(std::string_view key, bool required = false);

  // Members of the object that no getter asked for, in document order; null when none.
  Json unknown_fields() const;

  void error(std::string_view key, std::string message);

 private:
  // The member `key`, marked as read; nullptr when it is missing or, with `is`, has another
  // type (a diagnostic saying `expected` when it was required or has the wrong type).
  const Json* lookup(std::string_view key, bool required, std::string_view expected,
                     bool (Json::*is)() const noexcept = nullptr);
  void wrong_type(std::string_view key, std::string_view expected, const Json& value);
  template <typename T>
  std::vector<T> items_of(const Json& array, std::string_view key,
                          bool (Json::*is)() const noexcept, const char* expected);

  const Json* object_;
  std::string file_;
  std::string pointer_;
  Diagnostics& diagnostics_;
  std::set<std::string, std::less<>> read_keys_;
};

// The writing side of FieldReader: puts an object's unknown fields (`extra`, as unknown_fields()
// returned them) back after the known ones, never over a known one.
void append_extra(Json& target, const Json& extra);

// "unknown <what> '<text>' (expected <expected>)": the message for a name outside an enum's.
std::string unknown_name_message(std::string_view what, std::string_view text,
                                 std::string_view expected);

// [{severity, file, pointer, message}, ...]: diagnostics in the programs' JSON reports.
Json diagnostics_to_json(const Diagnostics& diagnostics);

// Writes `key` only when the optional holds a value.
template <typename T>
void put_optional(Json& target, const char* key, const std::optional<T>& value) {
  if (value) target[key] = *value;
}

// The value, or null: for reports whose rows all have the same keys.
template <typename T>
Json value_or_null(const std::optional<T>& value) {
  return value ? Json(*value) : Json(nullptr);
}

}  // namespace hwcal
