#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/transaction.hpp"
#include "hwcal/json/json_io.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

using test::TempDir;

std::string message_of_parse(const std::string& text) {
  try {
    parse_json(text, "entry.json");
  } catch (const DataError& error) {
    return error.what();
  }
  return "";
}

TEST(JsonIo, SyntaxErrorNamesFileLineAndColumn) {
  std::string message = message_of_parse("{\n  \"a\": 1,\n  \"b\": }\n");
  EXPECT_NE(message.find("entry.json"), std::string::npos) << message;
  EXPECT_NE(message.find("line 3, column 8"), std::string::npos) << message;
}

TEST(JsonIo, TrailingCommaIsAnError) {
  std::string message = message_of_parse("{\"a\": [1, 2,]}");
  EXPECT_NE(message.find("malformed JSON at line 1"), std::string::npos) << message;
}

TEST(JsonIo, DuplicateKeyNamesItsPointer) {
  std::string message = message_of_parse(
      R"({"power_modes": {"7W": {"a": 1}, "25W": {}, "7W": {"b": 2}}, "x": [1, {"k": 1, "k": 2}]})");
  EXPECT_NE(message.find("/power_modes/7W"), std::string::npos) << message;
  EXPECT_NE(message.find("duplicate key"), std::string::npos) << message;

  message = message_of_parse(R"({"x": [1, {"k": 1, "k": 2}]})");
  EXPECT_NE(message.find("/x/1/k"), std::string::npos) << message;
}

TEST(JsonIo, SameKeyInSiblingObjectsIsFine) {
  EXPECT_EQ(message_of_parse(R"({"a": {"k": 1}, "b": {"k": 2}, "c": [{"k": 1}, {"k": 2}]})"), "");
}

TEST(JsonIo, DumpIsTwoSpacesWithTrailingNewlineAndKeepsUtf8) {
  Json document = parse_json(R"({"b": 1, "a": "Grüße", "c": []})", "x");
  EXPECT_EQ(dump_json(document), "{\n  \"b\": 1,\n  \"a\": \"Grüße\",\n  \"c\": []\n}\n");
}

TEST(JsonIo, PreserveLayoutKeepsOrderAndNumberSpelling) {
  Json original = parse_json(R"({"z": 640.0, "a": 1880, "m": {"y": 1, "x": 2}})", "x");
  Json updated = Json::object();
  updated["a"] = 1880.0;  // same value, different spelling
  updated["m"] = Json::object({{"x", 2}, {"y", 3}});
  updated["z"] = 640;
  updated["new"] = true;
  EXPECT_EQ(preserve_layout(updated, original).dump(),
            R"({"z":640.0,"a":1880,"m":{"y":3,"x":2},"new":true})");
}

TEST(JsonIo, PointerAppendEscapes) {
  EXPECT_EQ(pointer_append("/a", "b/c~d"), "/a/b~1c~0d");
  EXPECT_EQ(pointer_append("", std::size_t{3}), "/3");
}

TEST(JsonIo, AtomicWriteReplacesAndLeavesNoTempFile) {
  TempDir dir;
  auto path = dir / "entry.json";
  test::write_file(path, "old\n");
  write_file_atomic(path, "new\n");
  EXPECT_EQ(test::read_file(path), "new\n");
  EXPECT_EQ(test::snapshot_tree(dir.path()).size(), 1u);
}

TEST(JsonIo, AtomicWriteToMissingFolderFailsClearly) {
  TempDir dir;
  try {
    write_file_atomic(dir / "missing/entry.json", "x");
    FAIL() << "expected IoError";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find("missing/entry.json"), std::string::npos);
  }
}

// A write that fails half-way (here: the file size limit, as a full disk would) must leave the
// original file intact and no temp file behind.
TEST(JsonIo, FailedWriteLeavesOriginalIntact) {
  TempDir dir;
  auto path = dir / "entry.json";
  test::write_file(path, "original\n");
  EXPECT_TRUE(test::fails_with_file_size_limit(4096, [&] {
    write_file_atomic(path, std::string(1 << 20, 'x'));
  })) << "the oversized write did not fail";
  EXPECT_EQ(test::read_file(path), "original\n");
  EXPECT_EQ(test::snapshot_tree(dir.path()).size(), 1u) << "a temp file was left behind";
}

// Several files as one change: when the last one cannot be written, none is replaced.
TEST(JsonIo, AtomicSetWritesAllOrNone) {
  TempDir dir;
  test::write_file(dir / "a.hpp", "old a\n");
  test::write_file(dir / "b.hpp", "old b\n");
  auto before = test::snapshot_tree(dir.path());
  EXPECT_THROW(
      {
        Transaction transaction(dir.path());
        transaction.write(dir / "a.hpp", "new a\n");
        transaction.write(dir / "b.hpp", "new b\n");
        transaction.write(dir / "a.hpp/c.hpp", "new c\n");  // a file is in the way
        transaction.commit();
      },
      IoError);
  EXPECT_EQ(test::snapshot_tree(dir.path()), before) << "a file was replaced or a temp file left";
  Transaction transaction(dir.path());
  transaction.write(dir / "a.hpp", "new a\n");
  transaction.write(dir / "b.hpp", "new b\n");
  transaction.commit();
  EXPECT_EQ(test::read_file(dir / "a.hpp"), "new a\n");
  EXPECT_EQ(test::read_file(dir / "b.hpp"), "new b\n");
  EXPECT_EQ(test::snapshot_tree(dir.path()).size(), 2u) << "the journal or a temp file is left";
}

TEST(JsonIo, LoadMissingFileIsAnIoError) {
  TempDir dir;
  EXPECT_THROW(load_json_file(dir / "nope.json"), IoError);
}

}  // namespace
}  // namespace hwcal
