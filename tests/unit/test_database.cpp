#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/transaction.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_ / "hardware_database";
    test::copy_tree(test::fixtures_dir() / "databases/minimal", root_);
  }
  test::TempDir dir_;
  fs::path root_;
};

TEST_F(DatabaseTest, LoadsAndIndexesById) {
  Database database = Database::load(root_);
  EXPECT_EQ(database.entries().size(), 2u);
  EXPECT_TRUE(database.load_diagnostics().empty());
  const DatabaseEntry* entry = database.find("jetson_orin_nano_gpu");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->display_path, "hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json");
  EXPECT_EQ(database.find("nope"), nullptr);
}

TEST_F(DatabaseTest, UnknownIdSuggestsCloseOnes) {
  Database database = Database::load(root_);
  try {
    database.get("jetson_orin_nano");
    FAIL();
  } catch (const DataError& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("unknown hardware id 'jetson_orin_nano'"), std::string::npos);
    EXPECT_NE(message.find("did you mean jetson_orin_nano_gpu"), std::string::npos) << message;
  }
}

TEST_F(DatabaseTest, MissingFolderIsAnIoError) {
  EXPECT_THROW(Database::load(dir_ / "nothing_here"), IoError);
  test::write_file(dir_ / "a_file", "x");
  EXPECT_THROW(Database::load(dir_ / "a_file"), IoError);
}

TEST_F(DatabaseTest, SchemaFolderAndHiddenFoldersAreNotEntries) {
  test::write_file(root_ / "schema/hardware_spec.schema.json", "{}");
  test::write_file(root_ / ".git/x.json", "{}");
  Database database = Database::load(root_);
  EXPECT_EQ(database.file_count(), 2u);
}

TEST_F(DatabaseTest, WriteEntryKeepsEverythingButTheChange) {
  Database database = Database::load(root_);
  HardwareSpec spec = database.get("intel_core_i7_12700k").spec;
  spec.notes = "checked";
  Transaction transaction(root_);
  database.write_entry(spec, transaction);
  transaction.commit();
  Database reloaded = Database::load(root_);
  EXPECT_EQ(reloaded.get("intel_core_i7_12700k").spec.notes.value_or(""), "checked");
  std::string text = test::read_file(root_ / "cpu/intel/intel_core_i7_12700k.json");
  EXPECT_NE(text.find("local_comment"), std::string::npos);
}

// Two processes update different fields of one entry at the same time, each doing
// lock -> load -> modify -> write. Both updates must land.
TEST_F(DatabaseTest, ConcurrentReadModifyWriteUnderTheLockLosesNothing) {
  auto update = [this](int which) {
    for (int round = 0; round < 20; ++round) {
      DatabaseLock lock(root_);
      Database database = Database::load(root_);
      HardwareSpec spec = database.get("intel_core_i7_12700k").spec;
      spec.extra["counter_" + std::to_string(which)] =
          spec.extra.value("counter_" + std::to_string(which), 0) + 1;
      Transaction transaction(root_);
      database.write_entry(spec, transaction);
      transaction.commit();
    }
  };
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      update(1);
    } catch (...) {
      _exit(1);
    }
    _exit(0);
  }
  update(2);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  HardwareSpec spec = Database::load(root_).get("intel_core_i7_12700k").spec;
  EXPECT_EQ(spec.extra.value("counter_1", 0), 20);
  EXPECT_EQ(spec.extra.value("counter_2", 0), 20);
}

TEST_F(DatabaseTest, DefaultRootComesFromTheEnvironment) {
  ::setenv("HWCAL_DATABASE", root_.c_str(), 1);
  EXPECT_EQ(find_default_database().root, root_);
  ::unsetenv("HWCAL_DATABASE");
}

TEST_F(DatabaseTest, DefaultRootIsFoundAboveTheWorkingDirectory) {
  ::unsetenv("HWCAL_DATABASE");
  fs::path previous = fs::current_path();
  fs::create_directories(dir_ / "a/b");
  fs::current_path(dir_ / "a/b");
  // The test binary itself lives in the build tree of a checkout, so walking up from the
  // executable finds that checkout's database first.
  fs::path found = find_default_database().root;
  fs::current_path(previous);
  EXPECT_TRUE(found == test::bundled_database() || found == root_) << found;
}

}  // namespace
}  // namespace hwcal
