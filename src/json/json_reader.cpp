#include "hwcal/json/json_reader.hpp"

#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "base/text.hpp"

namespace hwcal {

FieldReader::FieldReader(const Json& object, std::string file, std::string pointer,
                         Diagnostics& diagnostics)
    : object_(object.is_object() ? &object : nullptr),
      file_(std::move(file)),
      pointer_(std::move(pointer)),
      diagnostics_(diagnostics) {
  if (object_ == nullptr) {
    diagnostics_.error(file_, pointer_,
                       fmt::format("expected an object, got {}", json_type_name(object)));
  }
}

bool FieldReader::has(std::string_view key) const {
  return object_ != nullptr && object_->contains(std::string(key));
}

std::string FieldReader::pointer_of(std::string_view key) const {
  return pointer_append(pointer_, key);
}

void FieldReader::error(std::string_view key, std::string message) {
  diagnostics_.error(file_, pointer_of(key), std::move(message));
}

void FieldReader::wrong_type(std::string_view key, std::string_view expected, const Json& value) {
  error(key, fmt::format("expected {}, got {}", expected, json_type_name(value)));
}

const Json* FieldReader::lookup(std::string_view key, bool required, std::string_view expected,
                                bool (Json::*is)() const noexcept) {
  if (object_ == nullptr) return nullptr;
  read_keys_.insert(std::string(key));
  auto found = object_->find(std::string(key));
  if (found == object_->end()) {
    if (required) {
      diagnostics_.error(file_, pointer_of(key),
                         fmt::format("missing required field (expected {})", expected));
    }
    return nullptr;
  }
  if (is != nullptr && !((*found).*is)()) {
    wrong_type(key, expected, *found);
    return nullptr;
  }
  return &*found;
}

std::optional<std::string> FieldReader::string(std::string_view key, bool required) {
  const Json* value = lookup(key, required, "a string", &Json::is_string);
  if (value == nullptr) return std::nullopt;
  return value->get<std::string>();
}

std::optional<double> FieldReader::number(std::string_view key, bool required) {
  const Json* value = lookup(key, required, "a number", &Json::is_number);
  if (value == nullptr) return std::nullopt;
  return value->get<double>();
}

std::optional<long long> FieldReader::integer(std::string_view key, bool required) {
  const Json* value = lookup(key, required, "an integer");
  if (value == nullptr) return std::nullopt;
  if (value->is_number_integer()) return value->get<long long>();
  if (value->is_number_float()) {
    // Outside long long's range (1e114) the number is no integer this project reads.
    double number = value->get<double>();
    if (std::floor(number) == number) {
      if (auto whole = to_long_long(number)) return whole;
    }
  }
  wrong_type(key, "an integer", *value);
  return std::nullopt;
}

std::optional<bool> FieldReader::boolean(std::string_view key, bool required) {
  const Json* value = lookup(key, required, "a boolean", &Json::is_boolean);
  if (value == nullptr) return std::nullopt;
  return value->get<bool>();
}

// The items of `array` that have the type `is` asks for; each other one is a diagnostic.
template <typename T>
std::vector<T> FieldReader::items_of(const Json& array, std::string_view key,
                                     bool (Json::*is)() const noexcept, const char* expected) {
  std::vector<T> items;
  items.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    const Json& item = array[i];
    if (!(item.*is)()) {
      diagnostics_.error(file_, pointer_append(pointer_of(key), i),
                         fmt::format("expected {}, got {}", expected, json_type_name(item)));
      continue;
    }
    items.push_back(item.get<T>());
  }
  return items;
}

std::optional<std::vector<std::string>> FieldReader::string_array(std::string_view key,
                                                                  bool required) {
  const Json* value = lookup(key, required, "an array of strings", &Json::is_array);
  if (value == nullptr) return std::nullopt;
  return items_of<std::string>(*value, key, &Json::is_string, "a string");
}

std::optional<std::vector<double>> FieldReader::number_array(std::string_view key, bool required) {
  const Json* value = array(key, required);
  if (value == nullptr) return std::nullopt;
  return items_of<double>(*value, key, &Json::is_number, "a number");
}

const Json* FieldReader::object(std::string_view key, bool required) {
  return lookup(key, required, "an object", &Json::is_object);
}

const Json* FieldReader::array(std::string_view key, bool required) {
  return lookup(key, required, "an array", &Json::is_array);
}

const Json* FieldReader::any(std::string_view key, bool required) {
  return lookup(key, required, "a value");
}

Json FieldReader::unknown_fields() const {
  Json unknown;  // null, not an empty object: most objects have no unknown fields
  if (object_ == nullptr) return unknown;
  for (const auto& [key, value] : object_->items()) {
    if (read_keys_.find(key) == read_keys_.end()) unknown[key] = value;
  }
  return unknown;
}

std::string unknown_name_message(std::string_view what, std::string_view text,
                                 std::string_view expected) {
  return fmt::format("unknown {} '{}' (expected {})", what, text, expected);
}

Json diagnostics_to_json(const Diagnostics& diagnostics) {
  Json items = Json::array();
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    Json item = Json::object();
    item["severity"] = diagnostic.severity == Severity::error ? "error" : "warning";
    item["file"] = diagnostic.file;
    item["pointer"] = diagnostic.pointer;
    item["message"] = diagnostic.message;
    items.push_back(item);
  }
  return items;
}

void append_extra(Json& target, const Json& extra) {
  if (!extra.is_object()) return;
  for (const auto& [key, value] : extra.items()) {
    if (!target.contains(key)) target[key] = value;
  }
}

}  // namespace hwcal
