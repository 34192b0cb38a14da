// End-to-end: the built sync_mappers (and summarize_database --check) on temporary copies of the
// bundled database and its committed headers.
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <sstream>

#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::kSummarize;
using test::run_program;

const std::string& kProgram = test::kSyncMappers;
const std::string kH100Header = "include/hwcal/mappers/nvidia_h100_sxm5_80gb.hpp";

// <temp>/hardware_database and, unless `with_headers` is false, <temp>/include/hwcal/mappers:
// the layout of a checkout.
class Checkout {
 public:
  explicit Checkout(bool with_headers = true) {
    test::copy_bundled_database(dir_.path());
    if (with_headers) {
      test::copy_tree(test::source_dir() / "include/hwcal/mappers", headers());
    }
  }
  fs::path database() const { return dir_ / "hardware_database"; }
  fs::path headers() const { return dir_ / "include/hwcal/mappers"; }
  fs::path path(const std::string& relative) const { return dir_ / relative; }
  test::ProgramResult sync(std::vector<std::string> args = {}) const {
    args.insert(args.begin(), {"--database", database().string()});
    return run_program(kProgram, args);
  }
  // Replaces `from` by `to` in an entry's text, keeping its layout.
  void edit(const std::string& entry, const std::string& from, const std::string& to) const {
    fs::path file = database() / entry;
    std::string text = test::read_file(file);
    std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    test::write_file(file, text.replace(at, from.size(), to));
  }

 private:
  test::TempDir dir_;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

// One header per bundled entry plus all.hpp: counted from the database, so that adding an entry
// does not mean editing these tests.
std::size_t bundled_header_count() {
  std::size_t entries = 0;
  for (const auto& item : fs::recursive_directory_iterator(test::bundled_database())) {
    const fs::path& path = item.path();
    if (item.is_regular_file() && path.extension() == ".json" &&
        path.parent_path().parent_path().parent_path() == test::bundled_database()) {
      ++entries;
    }
  }
  return entries + 1;
}

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

TEST(SyncMappersCli, CheckPassesOnTheBundledDatabaseAndCommittedHeaders) {
  auto result = run_program(kProgram, {"--check"}, {{"HWCAL_DATABASE", ""}});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("checked " + std::to_string(bundled_header_count()) +
                            " headers in include/hwcal/mappers: 0 stale, 0 edited by "
                            "hand, 0 missing, 0 not backed by an entry"),
            std::string::npos)
      << result.out;
}

TEST(SyncMappersCli, RegeneratingTheCommittedHeadersChangesNothing) {
  Checkout checkout;
  auto before = test::snapshot_tree(checkout.headers());
  auto result = checkout.sync();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("0 headers written, " + std::to_string(bundled_header_count()) +
                            " unchanged, 0 removed"),
            std::string::npos)
      << result.out;
  EXPECT_EQ(test::snapshot_tree(checkout.headers()), before);
}

TEST(SyncMappersCli, GeneratesIntoAnEmptyCheckoutAndTwiceIsByteIdentical) {
  Checkout checkout(false);
  auto first = checkout.sync();
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(
      first.out.find(std::to_string(bundled_header_count()) + " headers written, 0 unchanged"),
      std::string::npos)
      << first.out;
  auto generated = test::snapshot_tree(checkout.headers());
  EXPECT_EQ(generated.size(), bundled_header_count());
  EXPECT_EQ(generated, test::snapshot_tree(test::source_dir() / "include/hwcal/mappers"));
  auto second = checkout.sync();
  EXPECT_EQ(second.exit_code, 0);
  EXPECT_EQ(test::snapshot_tree(checkout.headers()), generated);
}

// The must-show: one changed peak is named by --check (which writes nothing), and
// regeneration changes that value's line and the input hash, nothing else.
TEST(SyncMappersCli, AChangedPeakIsNamedAndRegeneratesAsItsLineAndTheHash) {
  Checkout checkout;
  checkout.edit("gpu/nvidia/nvidia_h100_sxm5_80gb.json", "\"fp32\": 66908.2", "\"fp32\": 66950");
  const std::string old_header = test::read_file(checkout.path(kH100Header));
  auto before = test::snapshot_tree(checkout.headers());

  auto check = checkout.sync({"--check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("error: " + kH100Header +
                           ": stale: its entry changed since it was "
                           "generated; run sync_mappers"),
            std::string::npos)
      << check.out;
  EXPECT_EQ(count_of(check.out, "error: "), 1u) << check.out;
  EXPECT_NE(check.out.find("1 stale"), std::string::npos);
  EXPECT_EQ(test::snapshot_tree(checkout.headers()), before) << "--check wrote something";

  auto summarize = run_program(kSummarize, {"--database", checkout.database().string(), "--check"});
  EXPECT_EQ(summarize.exit_code, 1);
  EXPECT_NE(summarize.out.find("error: " + kH100Header + ": stale"), std::string::npos)
      << summarize.out;

  auto sync = checkout.sync();
  EXPECT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(sync.out, "wrote " + kH100Header + "\nsync_mappers: 1 header written, " +
                          std::to_string(bundled_header_count() - 1) +
                          " unchanged, 0 removed in include/hwcal/mappers\n");
  auto after = test::snapshot_tree(checkout.headers());
  for (const auto& [file, text] : before) {
    if (file != "nvidia_h100_sxm5_80gb.hpp") {
      EXPECT_EQ(after.at(file), text) << file;
    }
  }
  std::vector<std::string> old_lines = lines_of(old_header);
  std::vector<std::string> new_lines = lines_of(after.at("nvidia_h100_sxm5_80gb.hpp"));
  ASSERT_EQ(old_lines.size(), new_lines.size());
  std::vector<std::size_t> changed;
  for (std::size_t i = 0; i < old_lines.size(); ++i) {
    if (old_lines[i] != new_lines[i]) changed.push_back(i);
  }
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[0], 1u);  // the input hash
  EXPECT_EQ(old_lines[changed[1]],
            "  rates[1] = {Precision::fp32, 66908.2, 1.0, false, PeakOrigin::datasheet};");
  EXPECT_EQ(new_lines[changed[1]],
            "  rates[1] = {Precision::fp32, 66950.0, 1.0, false, PeakOrigin::datasheet};");

  EXPECT_EQ(checkout.sync({"--check"}).exit_code, 0);
}

TEST(SyncMappersCli, IdRegeneratesOneEntryAndTheIndex) {
  Checkout checkout;
  checkout.edit("gpu/nvidia/nvidia_h100_sxm5_80gb.json", "\"fp32\": 66908.2", "\"fp32\": 66950");
  checkout.edit("gpu/nvidia/nvidia_l4.json", "\"peak_bandwidth_gbps\": 300",
                "\"peak_bandwidth_gbps\": 299");
  auto result = checkout.sync({"--id", "nvidia_l4"});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("wrote include/hwcal/mappers/nvidia_l4.hpp\n"), std::string::npos);
  EXPECT_NE(result.out.find("1 header written, 1 unchanged"), std::string::npos) << result.out;
  auto check = checkout.sync({"--check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find(kH100Header + ": stale"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("nvidia_l4.hpp"), std::string::npos) << check.out;
}

TEST(SyncMappersCli, UnknownIdExitsOneWithASuggestion) {
  Checkout checkout;
  auto result = checkout.sync({"--id", "nvidia_l5"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("nvidia_l4"), std::string::npos) << result.err;
}

TEST(SyncMappersCli, AnEntryFailingValidationIsNamedAndNothingIsWritten) {
  Checkout checkout;
  checkout.edit("gpu/nvidia/nvidia_h100_sxm5_80gb.json", "\"fp32\": 66908.2", "\"fp32\": 70000");
  checkout.edit("gpu/nvidia/nvidia_l4.json", "\"peak_bandwidth_gbps\": 300",
                "\"peak_bandwidth_gbps\": 299");
  auto before = test::snapshot_tree(checkout.headers());
  auto result = checkout.sync();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("error: hardware_database/gpu/nvidia/nvidia_h100_sxm5_80gb.json: "
                            "/peak_derivation/fp32: derivation gives"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("not generated: nvidia_h100_sxm5_80gb "
                            "(hardware_database/gpu/nvidia/nvidia_h100_sxm5_80gb.json)"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("1 entry fails validation; nothing written"), std::string::npos);
  EXPECT_EQ(test::snapshot_tree(checkout.headers()), before);

  auto check = checkout.sync({"--check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("nvidia_l4.hpp: stale"), std::string::npos) << check.out;
  EXPECT_NE(check.out.find("1 entry fails validation and cannot be checked"), std::string::npos)
      << check.out;
}

TEST(SyncMappersCli, AnOutputFolderThatCannotBeMadeIsAClearErrorAndWritesNothing) {
  Checkout checkout(false);
  test::write_file(checkout.path("include"), "a file where a folder should be\n");
  auto result = checkout.sync();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot create the output folder"), std::string::npos) << result.err;
  EXPECT_EQ(test::read_file(checkout.path("include")), "a file where a folder should be\n");
}

TEST(SyncMappersCli, AReadOnlyFolderLeavesEveryHeaderAsItWas) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  Checkout checkout;
  checkout.edit("gpu/nvidia/nvidia_h100_sxm5_80gb.json", "\"fp32\": 66908.2", "\"fp32\": 66950");
  checkout.edit("gpu/nvidia/nvidia_l4.json", "\"peak_bandwidth_gbps\": 300",
                "\"peak_bandwidth_gbps\": 299");
  auto before = test::snapshot_tree(checkout.headers());
  ASSERT_EQ(chmod(checkout.headers().c_str(), 0555), 0);
  auto result = checkout.sync();
  chmod(checkout.headers().c_str(), 0755);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("cannot write"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("Permission denied"), std::string::npos) << result.err;
  EXPECT_EQ(test::snapshot_tree(checkout.headers()), before);
}

TEST(SyncMappersCli, HeadersWithoutAnEntryAreNamedThenRemoved) {
  Checkout checkout;
  fs::remove(checkout.database() / "gpu/nvidia/nvidia_l4.json");
  test::write_file(checkout.headers() / "handmade.hpp", "#pragma once\n");
  auto check = checkout.sync({"--check"});
  EXPECT_EQ(check.exit_code, 1);
  EXPECT_NE(check.out.find("error: include/hwcal/mappers/nvidia_l4.hpp: not backed by an entry: "
                           "the database has no id 'nvidia_l4'"),
            std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("error: include/hwcal/mappers/all.hpp: stale"), std::string::npos);
  EXPECT_NE(check.out.find("handmade.hpp: not backed by an entry"), std::string::npos);

  auto sync = checkout.sync();
  EXPECT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_NE(sync.out.find("removed include/hwcal/mappers/nvidia_l4.hpp"), std::string::npos);
  EXPECT_FALSE(fs::exists(checkout.headers() / "nvidia_l4.hpp"));
  // A header sync_mappers did not write is left alone, and said so.
  EXPECT_TRUE(fs::exists(checkout.headers() / "handmade.hpp"));
  EXPECT_NE(sync.err.find("left alone: include/hwcal/mappers/handmade.hpp"), std::string::npos);
}

TEST(SyncMappersCli, CheckAgainstAFolderWithoutHeadersNamesThemMissing) {
  Checkout checkout(false);
  auto result = checkout.sync({"--check", "--output-dir", checkout.path("elsewhere").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find(std::to_string(bundled_header_count()) + " missing"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("all.hpp: missing"), std::string::npos) << result.out;
  EXPECT_FALSE(fs::exists(checkout.path("elsewhere")));
}

TEST(SyncMappersCli, SummarizeCheckLooksForHeadersOnlyWhereTheyExist) {
  Checkout checkout(false);  // no include/ beside the database: nothing to flag
  auto plain = run_program(kSummarize, {"--database", checkout.database().string(), "--check"});
  EXPECT_EQ(plain.exit_code, 0) << plain.out;
  auto named = run_program(kSummarize, {"--database", checkout.database().string(), "--check",
                                        "--mappers-dir", checkout.path("none").string()});
  EXPECT_EQ(named.exit_code, 1);
  EXPECT_NE(named.out.find("none/nvidia_l4.hpp: missing"), std::string::npos) << named.out;
}

TEST(SyncMappersCli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_program(kProgram, {"--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(run_program(kProgram, {"--id"}).exit_code, 2);
  EXPECT_EQ(run_program(kSummarize, {"--mappers-dir", "x"}).exit_code, 2);
}

}  // namespace
}  // namespace hwcal
