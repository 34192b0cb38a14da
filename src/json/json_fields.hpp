// One table of fields per struct that is read from and written to JSON: each field names its key,
// its member and whether it is required, and the table both reads (through FieldReader, so every
// diagnostic keeps its file, pointer and wording) and writes (in table order, unknown fields last).
// Before the tables each struct had a parse function and a to_json function repeating every key,
// and a field added to one but not the other was silently dropped on rewrite.
#pragma once

#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "hwcal/json/json_io.hpp"
#include "hwcal/json/json_reader.hpp"

namespace hwcal {

// How a field reads and when it is written.
enum class Presence {
  required,  // missing is a diagnostic; always written
  always,    // may be missing (the member keeps its default); always written
  optional,  // may be missing; written only when set: an optional with a value, a non-empty
             // string, array or map, a struct whose empty() is false
};

template <typename S>
struct JsonField {
  // Reads the field into the struct; true when it was there with the right type.
  using Read = std::function<bool(FieldReader&, S&)>;
  using Write = std::function<void(Json&, const S&)>;
  using Check = std::function<void(FieldReader&, const S&)>;

  const char* name;
  Read read;
  Write write;

  // A rule on the value, checked right after the field is read so that its diagnostic comes
  // where a hand-written parser put it: checked() when the field was read, checked_if_present()
  // whenever the key is there (a value of the wrong type then leaves the default to check).
  JsonField checked(Check check) && { return std::move(*this).then(std::move(check), false); }
  JsonField checked_if_present(Check check) && {
    return std::move(*this).then(std::move(check), true);
  }

 private:
  JsonField then(Check check, bool if_present) && {
    read = [read_first = std::move(read), check = std::move(check), if_present, key = name](
               FieldReader& reader, S& value) {
      const bool was_read = read_first(reader, value);
      if (was_read || (if_present && reader.has(key))) check(reader, value);
      return was_read;
    };
    return std::move(*this);
  }
};

template <typename S>
class JsonFields {
 public:
  JsonFields(std::initializer_list<JsonField<S>> fields) : fields_(fields) {}
  // `extra` keeps the members no field read, written back after the known ones.
  JsonFields(Json S::*extra, std::initializer_list<JsonField<S>> fields)
      : fields_(fields), extra_(extra) {}

  void read(FieldReader& reader, S& value) const {
    for (const JsonField<S>& field : fields_) field.read(reader, value);
    if (extra_ != nullptr) value.*extra_ = reader.unknown_fields();
  }
  S read(FieldReader& reader) const {
    S value;
    read(reader, value);
    return value;
  }
  void write(Json& out, const S& value) const {
    for (const JsonField<S>& field : fields_) field.write(out, value);
    if (extra_ != nullptr) append_extra(out, value.*extra_);
  }
  Json write(const S& value) const {
    Json out = Json::object();
    write(out, value);
    return out;
  }

 private:
  std::vector<JsonField<S>> fields_;
  Json S::*extra_ = nullptr;
};

namespace json_fields_detail {

template <typename T>
struct IsOptional : std::false_type {
  using Value = T;
};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {
  using Value = T;
};

template <typename T, typename = void>
struct HasEmpty : std::false_type {};
template <typename T>
struct HasEmpty<T, std::void_t<decltype(std::declval<const T&>().empty())>> : std::true_type {};

template <typename M>
bool is_set(const M& member) {
  if constexpr (IsOptional<M>::value) {
    return member.has_value();
  } else if constexpr (HasEmpty<M>::value) {
    return !member.empty();
  } else {
    return true;  // a number or a struct without empty(): always set
  }
}

template <typename M>
const auto& value_of(const M& member) {
  if constexpr (IsOptional<M>::value) {
    return *member;
  } else {
    return member;
  }
}

}  // namespace json_fields_detail

// Strings, numbers, integers, booleans and arrays of strings or numbers, through FieldReader.
struct ScalarCodec {
  template <typename T>
  std::optional<T> read(FieldReader& reader, std::string_view key, bool required,
                        const T* /*type*/) const {
    if constexpr (std::is_same_v<T, std::string>) {
      return reader.string(key, required);
    } else if constexpr (std::is_same_v<T, bool>) {
      return reader.boolean(key, required);
    } else if constexpr (std::is_integral_v<T>) {
      auto value = reader.integer(key, required);
      if (!value) return std::nullopt;
      return static_cast<T>(*value);
    } else if constexpr (std::is_floating_point_v<T>) {
      return reader.number(key, required);
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      return reader.string_array(key, required);
    } else {
      static_assert(std::is_same_v<T, std::vector<double>>, "no JSON reading for this type");
      return reader.number_array(key, required);
    }
  }
  template <typename T>
  Json write(const T& value) const {
    return Json(value);
  }
};

// A nested object read and written by its own table.
template <typename T>
struct ObjectCodec {
  const JsonFields<T>& fields;

  std::optional<T> read(FieldReader& reader, std::string_view key, bool required,
                        const T* /*type*/) const {
    const Json* object = reader.object(key, required);
    if (object == nullptr) return std::nullopt;
    FieldReader nested(*object, reader.file(), reader.pointer_of(key), reader.diagnostics());
    return fields.read(nested);
  }
  Json write(const T& value) const { return fields.write(value); }
};

// An array of objects, each read and written by the element's table; an element that is not
// an object is a diagnostic and is left out.
template <typename T>
struct ArrayCodec {
  const JsonFields<T>& fields;

  std::optional<std::vector<T>> read(FieldReader& reader, std::string_view key, bool required,
                                     const std::vector<T>* /*type*/) const {
    const Json* array = reader.array(key, required);
    if (array == nullptr) return std::nullopt;
    std::vector<T> items;
    items.reserve(array->size());
    for (std::size_t i = 0; i < array->size(); ++i) {
      FieldReader item((*array)[i], reader.file(), pointer_append(reader.pointer_of(key), i),
                       reader.diagnostics());
      if (item.valid()) items.push_back(fields.read(item));
    }
    return items;
  }
  Json write(const std::vector<T>& items) const {
    Json out = Json::array();
    for (const T& item : items) out.push_back(fields.write(item));
    return out;
  }
};

// The members of the object at `key` as a Result: add(result, name, value, pointer) takes each in
// document order. nullopt when the object is missing or is not one (a diagnostic then).
template <typename Result, typename Add>
std::optional<Result> read_members(FieldReader& reader, std::string_view key, bool required,
                                   Add add) {
  const Json* object = reader.object(key, required);
  if (object == nullptr) return std::nullopt;
  Result result;
  for (const auto& [name, value] : object->items()) {
    add(result, name, value, pointer_append(reader.pointer_of(key), name));
  }
  return result;
}

// An object of name -> number (clocks by name, say); a value that is not a number is a
// diagnostic "expected <expected>, got ..." and is left out.
struct NumberMapCodec {
  using Map = std::map<std::string, double>;
  const char* expected = "a number";

  std::optional<Map> read(FieldReader& reader, std::string_view key, bool required,
                          const Map* /*type*/) const {
    return read_members<Map>(
        reader, key, required,
        [&](Map& numbers, const std::string& name, const Json& value, const std::string& pointer) {
          if (value.is_number()) {
            numbers[name] = value.get<double>();
          } else {
            reader.diagnostics().error(
                reader.file(), pointer,
                "expected " + std::string(expected) + ", got " + json_type_name(value));
          }
        });
  }
  Json write(const Map& numbers) const { return Json(numbers); }
};

// An object of name -> object, read by the item's table either into a map (`name` null) or into
// a vector of T whose `name` member holds the key, in document order. An item that is not an
// object is a diagnostic; `keep_invalid` keeps it in the vector (with its name only) rather than
// leaving it out.
template <typename T, typename Items = std::vector<T>>
struct NamedObjectsCodec {
  const JsonFields<T>& fields;
  std::string T::*name = nullptr;
  bool keep_invalid = false;

  std::optional<Items> read(FieldReader& reader, std::string_view key, bool required,
                            const Items* /*type*/) const {
    return read_members<Items>(reader, key, required,
                               [&](Items& items, const std::string& item_name, const Json& value,
                                   const std::string& pointer) {
                                 FieldReader item(value, reader.file(), pointer,
                                                  reader.diagnostics());
                                 if (!item.valid() && !keep_invalid) return;
                                 T parsed;
                                 if (item.valid()) fields.read(item, parsed);
                                 if constexpr (std::is_same_v<Items, std::vector<T>>) {
                                   parsed.*name = item_name;
                                   items.push_back(std::move(parsed));
                                 } else {
                                   items[item_name] = std::move(parsed);
                                 }
                               });
  }
  Json write(const Items& items) const {
    Json out = Json::object();
    if constexpr (std::is_same_v<Items, std::vector<T>>) {
      for (const T& item : items) out[item.*name] = fields.write(item);
    } else {
      for (const auto& [item_name, item] : items) out[item_name] = fields.write(item);
    }
    return out;
  }
};

// name -> T in a map.
template <typename T>
using ObjectMapCodec = NamedObjectsCodec<T, std::map<std::string, T>>;

// A member with its own parse and write functions, of the kind
// parse(json, file, pointer, diagnostics): the member is an object or, with `array`, an array.
template <typename T>
struct FunctionCodec {
  T (*parse)(const Json&, const std::string&, const std::string&, Diagnostics&);
  Json (*to_json)(const T&);
  bool array = false;

  std::optional<T> read(FieldReader& reader, std::string_view key, bool required,
                        const T* /*type*/) const {
    const Json* value = array ? reader.array(key, required) : reader.object(key, required);
    if (value == nullptr) return std::nullopt;
    return parse(*value, reader.file(), reader.pointer_of(key), reader.diagnostics());
  }
  Json write(const T& value) const { return to_json(value); }
};

// An enum written by name; an unknown name is "unknown <what> '<name>' (expected <expected>)".
template <typename E>
struct EnumCodec {
  std::optional<E> (*parse)(std::string_view);
  std::string_view (*name)(E);
  const char* what;
  std::function<std::string()> expected;

  std::optional<E> read(FieldReader& reader, std::string_view key, bool required,
                        const E* /*type*/) const {
    auto text = reader.string(key, required);
    if (!text) return std::nullopt;
    if (auto parsed = parse(*text)) return parsed;
    reader.error(key, unknown_name_message(what, *text, expected()));
    return std::nullopt;
  }
  Json write(E value) const { return std::string(name(value)); }
};

// The field `name` of S, held in `member` (a value or an optional of one), read and written by
// `codec`. A member that is not there or has the wrong type keeps its default.
template <typename S, typename M, typename Codec = ScalarCodec>
JsonField<S> field(const char* name, M S::*member, Presence presence = Presence::optional,
                   Codec codec = {}) {
  using namespace json_fields_detail;
  using V = typename IsOptional<M>::Value;  // what the codec reads: M, or what M holds
  JsonField<S> out;
  out.name = name;
  out.read = [name, member, presence, codec](FieldReader& reader, S& value) {
    auto read =
        codec.read(reader, name, presence == Presence::required, static_cast<const V*>(nullptr));
    if (!read) return false;
    value.*member = std::move(*read);
    return true;
  };
  out.write = [name, member, presence, codec](Json& json, const S& value) {
    const M& held = value.*member;
    if constexpr (IsOptional<M>::value) {
      if (!held) return;
    } else {
      if (presence == Presence::optional && !is_set(held)) return;
    }
    json[name] = codec.write(value_of(held));
  };
  return out;
}

template <typename S, typename M, typename T>
JsonField<S> field(const char* name, M S::*member, Presence presence, const JsonFields<T>& fields) {
  if constexpr (std::is_same_v<typename json_fields_detail::IsOptional<M>::Value, std::vector<T>>) {
    return field(name, member, presence, ArrayCodec<T>{fields});
  } else {
    return field(name, member, presence, ObjectCodec<T>{fields});
  }
}

}  // namespace hwcal
