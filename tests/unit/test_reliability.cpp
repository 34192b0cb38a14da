// The pieces that keep hostile input and interrupted writers from doing harm: bounded reads,
// bounded patterns, path components, transactions and their recovery, the lock.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/paths.hpp"
#include "base/pattern.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/transaction.hpp"
#include "hwcal/json/json_io.hpp"
#include "profile/profile.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

std::string nested_arrays(std::size_t levels) {
  return std::string(levels, '[') + std::string(levels, ']');
}

TEST(BoundedJson, NestingUpToTheLimitParsesAndOneMoreLevelIsADataError) {
  EXPECT_NO_THROW(parse_json(nested_arrays(kMaxJsonDepth), "ok.json"));
  try {
    parse_json("{\"a\": " + nested_arrays(100000) + "}", "deep.json");
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_EQ(error.file(), "deep.json");
    EXPECT_EQ(error.pointer().rfind("/a/0/0/0", 0), 0u) << error.pointer();
    EXPECT_NE(std::string(error.what()).find("nested more than 256 levels deep"),
              std::string::npos);
  }
}

TEST(BoundedJson, ALongKeyDoesNotMakeALongMessage) {
  const std::string key(1 << 20, 'k');
  try {
    parse_json("{\"" + key + "\": " + nested_arrays(300) + "}", "f.json");
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_LT(std::string(error.what()).size(), 400u);
  }
}

TEST(BoundedRead, DevicesFifosAndFoldersAreRefusedWithoutWaiting) {
  TempDir dir;
  EXPECT_THROW(read_text_file("/dev/zero"), IoError);
  const fs::path fifo = dir / "pipe.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  try {
    read_text_file(fifo);  // would block forever without O_NONBLOCK
    FAIL() << "no error";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find("pipe.json: not a regular file"), std::string::npos)
        << error.what();
  }
  EXPECT_THROW(read_text_file(dir.path()), IoError);
}

TEST(BoundedRead, AFileOverTheLimitIsRefusedBeforeItIsRead) {
  TempDir dir;
  const fs::path huge = dir / "huge.json";
  test::write_file(huge, "");
  fs::resize_file(huge, kMaxFileBytes + 1);  // sparse: no disk used
  try {
    read_text_file(huge);
    FAIL() << "no error";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find("larger than 256 MB"), std::string::npos)
        << error.what();
  }
}

TEST(Patterns, LongAndDeepPatternsAreRefusedBeforeCompiling) {
  EXPECT_EQ(pattern_problem("^Intel.*i7-12700K$"), std::nullopt);
  EXPECT_NE(pattern_problem(std::string(30000, '(') + std::string(30000, ')')), std::nullopt);
  EXPECT_NE(pattern_problem(std::string(20, '(') + "a" + std::string(20, ')')), std::nullopt);
  EXPECT_NE(pattern_problem("a(b"), std::nullopt);
  EXPECT_TRUE(pattern_search("i7-12700k", "12th Gen Intel(R) Core(TM) i7-12700K"));
  EXPECT_FALSE(pattern_search("a(b", "a(b"));
  // Nested quantifiers take polynomial time, not exponential (a fuzzer's find: "NVIDIA.*+NVIDIA"
  // took over 10 s against a 21-character model).
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(pattern_search("NVIDIA.*+NVIDIA\\-H100\\-SXM5\\-80GB", "NVIDIA-H100-SXM5-80GB"));
  EXPECT_FALSE(pattern_search("(a*)*b", std::string(200, 'a')));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  // A back-reference is refused when checked, not only when matched.
  EXPECT_NE(pattern_problem("(a)\\1"), std::nullopt);
  // A long text is cut, never walked whole by the recursive matcher.
  EXPECT_FALSE(pattern_search("(a|b)*c", std::string(1 << 20, 'a') + "c"));
}

TEST(PathComponents, NamesThatWouldLeaveTheirFolderAreRefused) {
  for (const char* good : {"25W", "MAXN_SUPER", "default", "15W-2core"}) {
    EXPECT_EQ(path_component_problem(good), std::nullopt) << good;
  }
  for (const char* bad : {"", ".", "..", "../../x", "a/b", "a\\b", ".hidden", "-rf"}) {
    EXPECT_NE(path_component_problem(bad), std::nullopt) << bad;
  }
  EXPECT_NE(path_component_problem(std::string("a\nb")), std::nullopt);
  EXPECT_NE(path_component_problem(std::string(200, 'x')), std::nullopt);
}

// A change of three files interrupted after its journal was written and one file renamed:
// the recovery renames the other two, removes the journal and leaves no temp file.
TEST(Transactions, AnInterruptedChangeIsRolledForward) {
  TempDir tree;
  const fs::path root = tree / "hardware_database";
  fs::create_directories(root / "cpu/x");
  std::vector<StagedFile> staged;
  for (const char* name : {"a.json", "b.json", "c.json"}) {
    test::write_file(root / "cpu/x" / name, "old\n");
    staged.push_back(stage_file(root / "cpu/x" / name, "new\n"));
  }
  Json files = Json::array();
  for (const StagedFile& file : staged) {
    files.push_back({{"temp", file.temp.string()}, {"target", file.target.string()}});
  }
  write_file_atomic(journal_path(root), dump_json(Json{{"hwcal_journal", 1}, {"files", files}}));
  commit_staged(staged[0]);  // then the kill

  Recovery recovery = recover_database(root);
  EXPECT_EQ(recovery.rolled_forward, 2u);
  for (const char* name : {"a.json", "b.json", "c.json"}) {
    EXPECT_EQ(test::read_file(root / "cpu/x" / name), "new\n") << name;
  }
  EXPECT_FALSE(fs::exists(journal_path(root)));
  EXPECT_EQ(test::snapshot_tree(tree.path()).size(), 3u) << "a temp file or the journal is left";
}

TEST(Transactions, AKillBeforeTheJournalLeavesOnlyTempFilesThatTheNextWriterRemoves) {
  TempDir tree;
  const fs::path root = tree / "hardware_database";
  test::write_file(root / "cpu/x/a.json", "old\n");
  stage_file(root / "cpu/x/a.json", "new\n");
  make_folders(tree / "profiles/x/y/25W");
  stage_file(tree / "profiles/x/y/25W/run.json", "{}\n");
  Recovery recovery = recover_database(root);
  EXPECT_EQ(recovery.rolled_forward, 0u);
  EXPECT_EQ(recovery.temp_files_removed, 2u);
  EXPECT_EQ(test::read_file(root / "cpu/x/a.json"), "old\n");
  EXPECT_EQ(test::snapshot_tree(tree.path()).size(), 1u);
}

TEST(Transactions, AJournalThatMovesFilesOutsideTheTreeIsRefused) {
  TempDir tree;
  TempDir elsewhere;
  const fs::path root = tree / "hardware_database";
  fs::create_directories(root);
  test::write_file(elsewhere / "victim", "keep\n");
  test::write_file(elsewhere / ".victim.tmp.1.abc", "evil\n");
  Json files = Json::array({Json{{"temp", (elsewhere / ".victim.tmp.1.abc").string()},
                                 {"target", (elsewhere / "victim").string()}}});
  test::write_file(journal_path(root), dump_json(Json{{"files", files}}));
  EXPECT_THROW(recover_database(root), DataError);
  EXPECT_EQ(test::read_file(elsewhere / "victim"), "keep\n");
}

TEST(Transactions, NothingCommittedMeansNothingLeft) {
  TempDir tree;
  {
    Transaction transaction(tree / "db");
    transaction.write(tree / "db/cpu/x/a.json", "new\n");
    transaction.write(tree / "db/cpu/x/b.json", "new\n");
  }  // destroyed without commit
  EXPECT_TRUE(test::snapshot_tree(tree.path()).empty());
}

TEST(Lock, AWaitingWriterGivesUpAfterTheTimeoutNamingTheHolder) {
  TempDir tree;
  const fs::path root = tree / "db";
  fs::create_directories(root);
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  pid_t holder = fork();
  if (holder == 0) {
    DatabaseLock lock(root);
    (void)!::write(ready[1], "x", 1);
    ::pause();
    _exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  const double saved = lock_timeout();
  set_lock_timeout(0.2);
  try {
    DatabaseLock lock(root);
    FAIL() << "the lock was taken twice";
  } catch (const IoError& error) {
    EXPECT_NE(std::string(error.what()).find(fmt::format("still locked by pid {}", holder)),
              std::string::npos)
        << error.what();
  }
  set_lock_timeout(saved);
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  DatabaseLock lock(root);  // free again once its holder died
  EXPECT_EQ(test::read_file(root / ".hwcal.lock").rfind(fmt::format("pid {} ", ::getpid()), 0), 0u)
      << "this process does not hold the lock";
  ::close(ready[0]);
  ::close(ready[1]);
}

TEST(ProfileChecks, ImpossibleFiguresAreNamedByPointer) {
  CalibrationProfile profile;
  MeasurementRecord record;
  record.kernel = "gemm";
  record.flops = 2e9;
  record.samples_s = {0.01, 0.02};
  record.gflops = Throughput{200, 150};
  profile.measurements.push_back(record);
  EXPECT_TRUE(check_measurements(profile).empty());

  profile.measurements[0].samples_s[1] = -0.01;
  auto problems = check_measurements(profile);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/measurements/0/samples_s/1");

  profile.measurements[0].samples_s[1] = 0.02;
  profile.measurements[0].gflops->best = 250;  // 2e9 / 0.01 s is 200 GFLOPS
  problems = check_measurements(profile);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].pointer, "/measurements/0/gflops/best");

  profile.measurements[0].status = MeasurementStatus::error;  // not passed: not carried anyway
  EXPECT_TRUE(check_measurements(profile).empty());
}

}  // namespace
}  // namespace hwcal
