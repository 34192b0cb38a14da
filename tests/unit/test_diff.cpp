#include <gtest/gtest.h>

#include "json/diff.hpp"

namespace hwcal {
namespace {

TEST(Diff, EqualTextsGiveNothing) { EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(Diff, OneChangedLineWithContext) {
  std::string before = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  std::string after = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(unified_diff(before, after, "a/x.json", "b/x.json"),
            "--- a/x.json\n+++ b/x.json\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(Diff, InsertionAtTheEndAndFarApartChangesMakeTwoHunks) {
  std::string before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n";
  std::string after = "A\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n";
  EXPECT_EQ(unified_diff(before, after, "x", "y"),
            "--- x\n+++ y\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n d\n@@ -8,3 +8,4 @@\n h\n i\n j\n+k\n");
}

TEST(Diff, NearChangesJoinOneHunk) {
  EXPECT_EQ(unified_diff("a\nb\nc\nd\n", "A\nb\nc\nD\n", "x", "y", 1),
            "--- x\n+++ y\n@@ -1,4 +1,4 @@\n-a\n+A\n b\n c\n-d\n+D\n");
}

TEST(Diff, EmptySidesAndMissingNewline) {
  EXPECT_EQ(unified_diff("", "a\n", "x", "y"), "--- x\n+++ y\n@@ -0,0 +1,1 @@\n+a\n");
  EXPECT_EQ(unified_diff("a\n", "a", "x", "y"),
            "--- x\n+++ y\n@@ -1,1 +1,1 @@\n-a\n+a\n\\ No newline at end of file\n");
}

TEST(Diff, InsertedBlockInTheMiddle) {
  std::string diff =
      unified_diff("{\n  \"a\": 1,\n  \"z\": 2\n}\n",
                   "{\n  \"a\": 1,\n  \"m\": {\n    \"k\": 3\n  },\n  \"z\": 2\n}\n", "x", "y");
  EXPECT_EQ(diff,
            "--- x\n+++ y\n@@ -1,4 +1,7 @@\n {\n   \"a\": 1,\n+  \"m\": {\n+    \"k\": 3\n+  },\n"
            "   \"z\": 2\n }\n");
}

}  // namespace
}  // namespace hwcal
