// run_sync_mappers in-process, where a failure can be forced half-way through a write.
#include <sstream>

#include <gtest/gtest.h>

#include "test_support.hpp"
#include "tools/sync_mappers.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

void edit(const fs::path& file, const std::string& from, const std::string& to) {
  std::string text = test::read_file(file);
  std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  test::write_file(file, text.replace(at, from.size(), to));
}

struct Captured {
  int exit_code = -1;
  std::string out;
  std::string err;
};

Captured sync(const fs::path& database) {
  std::ostringstream out;
  std::ostringstream err;
  std::istringstream in;
  Io io{out, err, in};
  SyncMappersOptions options;
  options.database = database;
  Captured result;
  result.exit_code = run_sync_mappers(options, io);
  result.out = out.str();
  result.err = err.str();
  return result;
}

// Two headers to rewrite, the first small and the second larger than the file size limit: the
// write fails with every header as it was and no temp file left.
TEST(SyncMappers, AWriteFailingHalfWayLeavesEveryHeaderAsItWas) {
  test::TempDir dir;
  const fs::path database = dir / "hardware_database";
  const fs::path headers = dir / "include/hwcal/mappers";
  test::copy_tree(test::bundled_database(), database);
  test::copy_tree(test::source_dir() / "include/hwcal/mappers", headers);
  edit(database / "cpu/amd/amd_ryzen_7_2700x.json", "\"fp32\": 550.4", "\"fp32\": 551");
  edit(database / "gpu/nvidia/jetson_orin_nano_gpu.json", "\"peak_bandwidth_gbps\": 68.3",
       "\"peak_bandwidth_gbps\": 68.2");
  ASSERT_LT(fs::file_size(headers / "amd_ryzen_7_2700x.hpp"), 4096u);
  ASSERT_GT(fs::file_size(headers / "jetson_orin_nano_gpu.hpp"), 4096u);
  auto before = test::snapshot_tree(headers);

  EXPECT_TRUE(test::fails_with_file_size_limit(4096, [&] { sync(database); }))
      << "the oversized write did not fail";
  EXPECT_EQ(test::snapshot_tree(headers), before) << "a header was replaced or a temp file left";

  // Without the limit the same run writes both.
  Captured result = sync(database);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(
      result.out.find("2 headers written, " + std::to_string(before.size() - 2) + " unchanged"),
      std::string::npos)
      << result.out;
}

}  // namespace
}  // namespace hwcal
