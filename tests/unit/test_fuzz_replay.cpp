// The fuzzers' inputs without a fuzzer: every seed (tests/fuzz/seeds.txt) and every committed
// reproducer (tests/fuzz/regressions/<reader>/) through its reader (tests/fuzz/fuzz_readers.cpp).
// A reader may refuse an input with hwcal::Error, which the harness swallows; any other exception
// fails here, and a crash fails the test run. Needs no clang: it runs in every build.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_readers.hpp"

namespace hwcal::fuzz {
namespace {

namespace fs = std::filesystem;

const fs::path kSource = HWCAL_SOURCE_DIR;

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The seed folders of a reader, from the manifest the fuzz runner reads too.
std::vector<fs::path> seed_folders(const std::string& reader) {
  std::ifstream manifest(kSource / "tests/fuzz/seeds.txt");
  std::vector<fs::path> folders;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    std::string folder;
    fields >> name >> folder;
    if (name == reader) folders.push_back(kSource / folder);
  }
  return folders;
}

std::vector<fs::path> files_below(const fs::path& folder, bool json_only) {
  std::vector<fs::path> files;
  if (!fs::is_directory(folder)) return files;
  for (const auto& item : fs::recursive_directory_iterator(folder)) {
    if (!item.is_regular_file()) continue;
    if (json_only && item.path().extension() != ".json") continue;
    files.push_back(item.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs every file; returns how many ran.
std::size_t replay(const std::string& reader, const std::vector<fs::path>& files) {
  for (const fs::path& file : files) {
    try {
      run_reader(reader, read_bytes(file));
    } catch (const std::exception& error) {
      ADD_FAILURE() << reader << " reader on " << file.string() << ": " << error.what();
    }
  }
  return files.size();
}

class FuzzReplay : public testing::TestWithParam<std::string> {};

TEST_P(FuzzReplay, SeedsAreReadWithoutAnUnexpectedException) {
  std::vector<fs::path> folders = seed_folders(GetParam());
  ASSERT_FALSE(folders.empty()) << "tests/fuzz/seeds.txt lists no folder for " << GetParam();
  for (const fs::path& folder : folders) {
    std::vector<fs::path> files = files_below(folder, true);
    EXPECT_FALSE(files.empty()) << "no seed in " << folder.string();
    replay(GetParam(), files);
  }
}

TEST_P(FuzzReplay, CommittedReproducersAreReadWithoutAnUnexpectedException) {
  replay(GetParam(), files_below(kSource / "tests/fuzz/regressions" / GetParam(), false));
}

std::string reader_test_name(const testing::TestParamInfo<std::string>& reader) {
  return reader.param;
}

INSTANTIATE_TEST_SUITE_P(Readers, FuzzReplay, testing::ValuesIn(reader_names()), reader_test_name);

// A reproducer filed under a misspelt folder would never run.
TEST(FuzzReplayFolders, EveryRegressionFolderNamesAReader) {
  fs::path regressions = kSource / "tests/fuzz/regressions";
  if (!fs::is_directory(regressions)) return;
  const std::vector<std::string>& names = reader_names();
  for (const auto& item : fs::directory_iterator(regressions)) {
    std::string name = item.path().filename().string();
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end())
        << "tests/fuzz/regressions/" << name << " names no reader";
  }
}

}  // namespace
}  // namespace hwcal::fuzz
