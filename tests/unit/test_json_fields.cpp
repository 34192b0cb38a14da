#include <gtest/gtest.h>

#include "json/json_fields.hpp"

namespace hwcal {
namespace {

struct Inner {
  long long count = 0;
  Json extra;
};

struct Outer {
  std::string name;
  std::optional<double> rate;
  std::vector<std::string> tags;
  std::optional<Inner> inner;
  std::vector<Inner> items;
  std::string note;
  Json extra;
};

const JsonFields<Inner> kInnerFields{&Inner::extra,
                                     {field("count", &Inner::count, Presence::required)}};

const JsonFields<Outer> kOuterFields{
    &Outer::extra,
    {
        field("name", &Outer::name, Presence::required),
        field("rate", &Outer::rate).checked([](FieldReader& reader, const Outer& outer) {
          if (*outer.rate < 0) reader.error("rate", "must not be negative");
        }),
        field("tags", &Outer::tags),
        field("inner", &Outer::inner, Presence::optional, kInnerFields),
        field("items", &Outer::items, Presence::always, kInnerFields),
        field("note", &Outer::note, Presence::always),
    }};

Outer read(const std::string& text, Diagnostics& diagnostics) {
  Json document = parse_json(text, "x.json");
  FieldReader reader(document, "x.json", "", diagnostics);
  return kOuterFields.read(reader);
}

TEST(JsonFields, WritesWhatItReadInTableOrderWithUnknownFieldsLast) {
  Diagnostics diagnostics;
  Outer outer = read(R"({"zzz": 1, "note": "n", "name": "a", "items": [{"count": 2, "k": true}],
                         "inner": {"count": 3}, "rate": 1.5, "tags": ["t"]})",
                     diagnostics);
  EXPECT_TRUE(diagnostics.empty());
  EXPECT_EQ(outer.name, "a");
  ASSERT_TRUE(outer.inner.has_value());
  EXPECT_EQ(outer.inner->count, 3);
  ASSERT_EQ(outer.items.size(), 1u);
  EXPECT_EQ(dump_json(kOuterFields.write(outer)),
            dump_json(parse_json(R"({"name": "a", "rate": 1.5, "tags": ["t"],
                                     "inner": {"count": 3}, "items": [{"count": 2, "k": true}],
                                     "note": "n", "zzz": 1})",
                                 "y.json")));
}

TEST(JsonFields, OptionalFieldsAreLeftOutWhenUnsetAndAlwaysFieldsAreNot) {
  Outer outer;
  outer.name = "a";
  EXPECT_EQ(dump_json(kOuterFields.write(outer)),
            dump_json(parse_json(R"({"name": "a", "items": [], "note": ""})", "y.json")));
}

TEST(JsonFields, ProblemsAreDiagnosticsWithPointers) {
  Diagnostics diagnostics;
  Outer outer = read(R"({"rate": -1, "items": [{"count": "x"}, 5]})", diagnostics);
  ASSERT_EQ(diagnostics.items().size(), 4u);
  EXPECT_EQ(diagnostics.items()[0].pointer, "/name");
  EXPECT_EQ(diagnostics.items()[0].message, "missing required field (expected a string)");
  EXPECT_EQ(diagnostics.items()[1].pointer, "/rate");
  EXPECT_EQ(diagnostics.items()[1].message, "must not be negative");
  EXPECT_EQ(diagnostics.items()[2].pointer, "/items/0/count");
  EXPECT_EQ(diagnostics.items()[3].pointer, "/items/1");
  EXPECT_EQ(outer.items.size(), 1u);  // the element that is not an object is left out
}

TEST(JsonFields, CheckedIfPresentSeesTheDefaultBehindAWrongType) {
  struct Named {
    std::string name;
  };
  const JsonFields<Named> fields{
      field("name", &Named::name).checked_if_present([](FieldReader& reader, const Named& named) {
        if (named.name.empty()) reader.error("name", "must not be empty");
      })};
  Diagnostics diagnostics;
  Json document = parse_json(R"({"name": 5})", "x.json");
  FieldReader reader(document, "x.json", "", diagnostics);
  fields.read(reader);
  ASSERT_EQ(diagnostics.items().size(), 2u);
  EXPECT_EQ(diagnostics.items()[0].message, "expected a string, got a number");
  EXPECT_EQ(diagnostics.items()[1].message, "must not be empty");
}

// A whole number written as a double outside long long's range (found by fuzzing: the cast was
// undefined) is a wrong type, not a wrapped-around integer.
TEST(JsonFields, IntegerOutOfRangeIsADiagnostic) {
  Diagnostics diagnostics;
  Json document = parse_json(R"({"a": 1e114, "b": -1e19, "c": 4e18, "d": 4.0})", "x.json");
  FieldReader reader(document, "x.json", "", diagnostics);
  EXPECT_FALSE(reader.integer("a"));
  EXPECT_FALSE(reader.integer("b"));
  EXPECT_EQ(reader.integer("c"), 4000000000000000000LL);
  EXPECT_EQ(reader.integer("d"), 4);
  ASSERT_EQ(diagnostics.items().size(), 2u);
  EXPECT_EQ(diagnostics.items()[0].pointer, "/a");
  EXPECT_EQ(diagnostics.items()[1].pointer, "/b");
}

}  // namespace
}  // namespace hwcal
