// The example programs under docs/examples/ run, and the documents show what they print: the
// block after "<!-- output of NAME -->" in the document. HWCAL_UPDATE_GOLDEN=1 rewrites it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <set>
#include <sstream>

#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

struct Block {
  std::size_t begin = std::string::npos;  // first character of the output
  std::size_t end = std::string::npos;    // the closing fence
};

Block output_block(const std::string& document, const std::string& program) {
  Block block;
  std::size_t marker = document.find("<!-- output of " + program + " -->");
  if (marker == std::string::npos) return block;
  std::size_t fence = document.find("```text\n", marker);
  if (fence == std::string::npos) return block;
  block.begin = fence + 8;
  block.end = document.find("```\n", block.begin);
  return block;
}

TEST(DocsExamples, MappersDocShowsTheGemmRooflineOutput) {
  auto result = test::run_program(HWCAL_GEMM_ROOFLINE, {test::bundled_database().string()});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("compile-time and run-time estimates agree: yes"), std::string::npos);

  const fs::path doc = test::source_dir() / "docs/mappers.md";
  std::string text = test::read_file(doc);
  Block block = output_block(text, "gemm_roofline");
  ASSERT_NE(block.end, std::string::npos)
      << doc << " lacks '<!-- output of gemm_roofline -->' followed by a ```text block";
  const char* update = std::getenv("HWCAL_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    test::write_file(doc, text.replace(block.begin, block.end - block.begin, result.out));
    return;
  }
  EXPECT_EQ(text.substr(block.begin, block.end - block.begin), result.out)
      << doc << " shows other output than docs/examples/gemm_roofline prints "
      << "(HWCAL_UPDATE_GOLDEN=1 rewrites the block after a deliberate change)";
}

std::string trimmed(const std::string& line) {
  std::size_t first = line.find_first_not_of(' ');
  return first == std::string::npos ? "" : line.substr(first);
}

// Every line of the excerpt (but "...") is a line of the program, so the excerpt cannot rot.
TEST(DocsExamples, MappersDocExcerptIsTakenFromTheProgram) {
  std::string text = test::read_file(test::source_dir() / "docs/mappers.md");
  std::size_t marker = text.find("<!-- excerpt of docs/examples/gemm_roofline.cpp -->");
  ASSERT_NE(marker, std::string::npos);
  std::size_t begin = text.find("```cpp\n", marker) + 7;
  std::size_t end = text.find("```\n", begin);
  ASSERT_NE(end, std::string::npos);
  std::set<std::string> program_lines;
  std::istringstream program(
      test::read_file(test::source_dir() / "docs/examples/gemm_roofline.cpp"));
  for (std::string line; std::getline(program, line);) program_lines.insert(trimmed(line));
  std::istringstream excerpt(text.substr(begin, end - begin));
  int checked = 0;
  for (std::string line; std::getline(excerpt, line);) {
    if (trimmed(line).empty() || trimmed(line) == "...") continue;
    EXPECT_EQ(program_lines.count(trimmed(line)), 1u) << "not in the program: " << line;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

}  // namespace
}  // namespace hwcal
