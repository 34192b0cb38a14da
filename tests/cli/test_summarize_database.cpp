// End-to-end: the built summarize_database on fixture databases and temp copies.
#include <gtest/gtest.h>

#include "hwcal/json/json_io.hpp"
#include "programs.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;
using test::run_program;

const std::string& kProgram = test::kSummarize;

fs::path fixture_db(const std::string& name) { return test::fixtures_dir() / "databases" / name; }

TEST(SummarizeCli, PrintsTheSummaryOfTheBundledDatabase) {
  auto result = run_program(kProgram, {"--database", test::bundled_database().string()});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("jetson_orin_nano_gpu"), std::string::npos);
  EXPECT_NE(result.out.find("nvidia_h100_sxm5_80gb"), std::string::npos);
  EXPECT_EQ(result.err, "");
}

TEST(SummarizeCli, DefaultDatabaseIsTheCheckoutsOwn) {
  auto result = run_program(kProgram, {"--id", "jetson_orin_nano_gpu"}, {{"HWCAL_DATABASE", ""}});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("jetson_orin_nano_gpu"), std::string::npos);
}

TEST(SummarizeCli, CheckPassesOnTheMinimalFixture) {
  auto result = run_program(kProgram, {"--database", fixture_db("minimal").string(), "--check"});
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("checked 2 entries"), std::string::npos);
  EXPECT_NE(result.out.find("0 errors, 0 warnings"), std::string::npos);
}

struct BrokenCase {
  std::string fixture;
  std::string expected_line;  // file and field in one line
};

void PrintTo(const BrokenCase& broken, std::ostream* os) { *os << broken.fixture; }

class SummarizeCheckBroken : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(SummarizeCheckBroken, ExitsOneNamingFileAndField) {
  auto result = run_program(
      kProgram, {"--database", fixture_db("broken/" + GetParam().fixture).string(), "--check"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find(GetParam().expected_line), std::string::npos) << result.out;
}

INSTANTIATE_TEST_SUITE_P(
    Fixtures, SummarizeCheckBroken,
    ::testing::Values(
        BrokenCase{"malformed_json",
                   "error: malformed_json/cpu/intel/intel_core_i7_12700k.json: malformed JSON at "
                   "line 15, column 3"},
        BrokenCase{"duplicate_id",
                   "error: duplicate_id/cpu/intel/intel_core_i7_12700kf.json: /id: duplicate id "
                   "'intel_core_i7_12700k'"},
        BrokenCase{"bad_pattern",
                   "error: bad_pattern/cpu/intel/intel_core_i7_12700k.json: /detection_patterns/1: "
                   "pattern '12th Gen Intel(R Core' is not a valid regular expression"},
        BrokenCase{"bad_derivation",
                   "error: bad_derivation/gpu/nvidia/jetson_orin_nano_gpu.json: "
                   "/peak_derivation/fp32: derivation gives 2252.8 GFLOPS but the peak is 2089.0"}),
    [](const ::testing::TestParamInfo<BrokenCase>& param_info) {
      return param_info.param.fixture;
    });

TEST(SummarizeCli, PlainSummaryOfABrokenDatabaseStillFails) {
  auto result = run_program(kProgram, {"--database", fixture_db("broken/malformed_json").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("jetson_orin_nano_gpu"), std::string::npos);  // the good entry
  EXPECT_NE(result.err.find("malformed JSON"), std::string::npos);
}

TEST(SummarizeCli, StrictTurnsWarningsIntoFailure) {
  test::TempDir dir;
  // The profiles the summaries link live next to the database.
  test::copy_tree(fixture_db("minimal"), dir / "hardware_database");
  test::copy_tree(fixture_db("profiles"), dir / "profiles");
  fs::path file = dir / "hardware_database/cpu/intel/intel_core_i7_12700k.json";
  Json document = load_json_file(file);
  document.erase("sources");
  test::write_file(file, dump_json(document));
  const std::string database = (dir / "hardware_database").string();
  auto lenient = run_program(kProgram, {"--database", database, "--check"});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out;
  EXPECT_NE(lenient.out.find("warning: "), std::string::npos);
  auto strict = run_program(kProgram, {"--database", database, "--check", "--strict"});
  EXPECT_EQ(strict.exit_code, 1);
}

TEST(SummarizeCli, EachFormatAndOutputFile) {
  test::TempDir dir;
  for (std::string format : {"console", "markdown", "json", "csv"}) {
    fs::path output = dir / ("summary." + format);
    auto result = run_program(kProgram, {"--database", fixture_db("minimal").string(), "--format",
                                         format, "--output", output.string()});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.out.find("summary of 2 entries; written to"), std::string::npos) << result.out;
    EXPECT_FALSE(test::read_file(output).empty());
  }
  Json parsed = parse_json(test::read_file(dir / "summary.json"), "summary.json");
  EXPECT_EQ(parsed["schema_version"], 1);
  EXPECT_EQ(parsed["entries"].size(), 2u);
}

TEST(SummarizeCli, QuietOutputWritesOnlyTheFile) {
  test::TempDir dir;
  auto result = run_program(kProgram, {"--database", fixture_db("minimal").string(), "--quiet",
                                       "--output", (dir / "s.txt").string()});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
}

TEST(SummarizeCli, UsageErrorsExitTwoWithTheUsageLine) {
  for (auto args : std::vector<std::vector<std::string>>{
           {"--format", "yaml"}, {"--no-such-flag"}, {"--device-type", "tpu"}, {"--strict"}}) {
    auto result = run_program(kProgram, args);
    EXPECT_EQ(result.exit_code, 2) << args[0];
    EXPECT_NE(result.err.find("usage: summarize_database"), std::string::npos) << result.err;
  }
}

TEST(SummarizeCli, DataErrorsExitOne) {
  auto missing = run_program(kProgram, {"--database", "/nonexistent/hardware_database"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/hardware_database: database folder does not exist"),
            std::string::npos)
      << missing.err;
  auto unknown = run_program(
      kProgram, {"--database", fixture_db("minimal").string(), "--id", "jetson_orin_nano"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown hardware id 'jetson_orin_nano'"), std::string::npos);
}

TEST(SummarizeCli, HelpAndVersion) {
  auto help = run_program(kProgram, {"--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--database"), std::string::npos);
  EXPECT_NE(help.out.find("Examples:"), std::string::npos);
  auto version = run_program(kProgram, {"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("summarize_database (hwcal) 0.1.0, git ", 0), 0u) << version.out;
}

TEST(SummarizeCli, HtmlReportToAFileAndToStdout) {
  test::TempDir dir;
  const fs::path output = dir / "report.html";
  auto written = run_program(kProgram, {"--database", fixture_db("minimal").string(), "--format",
                                        "html", "--output", output.string()});
  EXPECT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, "HTML report: summary of 2 entries; written to " + output.string() + "\n");
  const std::string html = test::read_file(output);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("Made by summarize_database (hwcal) 0.1.0"), std::string::npos);
  // The fixture's profiles (beside the database) are the Orin Nano GPU's history.
  EXPECT_NE(html.find("id=\"jetson_orin_nano_gpu-history\""), std::string::npos);
  EXPECT_NE(html.find("id=\"roofline-intel_core_i7_12700k\"><svg"), std::string::npos);

  auto printed = run_program(kProgram, {"--database", fixture_db("minimal").string(), "--format",
                                        "html", "--id", "intel_core_i7_12700k"});
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(printed.out.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(printed.out.find("jetson_orin_nano_gpu"), std::string::npos);
}

TEST(SummarizeCli, SvgRooflineOfOneEntry) {
  test::TempDir dir;
  const fs::path output = dir / "roofline.svg";
  auto written =
      run_program(kProgram, {"--database", fixture_db("minimal").string(), "--format", "svg",
                             "--id", "jetson_orin_nano_gpu", "--output", output.string()});
  EXPECT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, "roofline of jetson_orin_nano_gpu; written to " + output.string() + "\n");
  // The same drawing the golden test checks, byte for byte: with the linked run's points.
  EXPECT_EQ(
      test::compare_golden("roofline_jetson_orin_nano_gpu_measured.svg", test::read_file(output)),
      "");
  auto printed = run_program(kProgram, {"--database", fixture_db("minimal").string(), "--format",
                                        "svg", "--id", "intel_core_i7_12700k"});
  EXPECT_EQ(printed.exit_code, 0) << printed.err;
  EXPECT_EQ(printed.out.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
}

TEST(SummarizeCli, SvgOverlaysTwoEntriesOrTwoModes) {
  const std::string db = fixture_db("minimal").string();
  auto entries = run_program(kProgram, {"--database", db, "--format", "svg", "--id",
                                        "jetson_orin_nano_gpu", "--id", "intel_core_i7_12700k"});
  EXPECT_EQ(entries.exit_code, 0) << entries.err;
  EXPECT_EQ(test::compare_golden("roofline_overlay_orin_nano_gpu_i7_12700k.svg", entries.out), "");
  auto modes =
      run_program(kProgram, {"--database", db, "--format", "svg", "--id", "jetson_orin_nano_gpu",
                             "--power-mode", "15W", "--power-mode", "25W"});
  EXPECT_EQ(modes.exit_code, 0) << modes.err;
  EXPECT_NE(modes.out.find("A jetson_orin_nano_gpu 15W against B jetson_orin_nano_gpu 25W"),
            std::string::npos);
  auto unknown = run_program(kProgram, {"--database", db, "--format", "svg", "--id",
                                        "jetson_orin_nano_gpu", "--power-mode", "40W"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("40W"), std::string::npos) << unknown.err;
  auto html = run_program(kProgram, {"--database", db, "--format", "html", "--power-mode", "15W"});
  EXPECT_EQ(html.exit_code, 0) << html.err;
  EXPECT_NE(html.out.find("id=\"roofline-jetson_orin_nano_gpu\"><svg"), std::string::npos);
  EXPECT_EQ(html.out.find("roofline-jetson_orin_nano_gpu-25W"), std::string::npos);
}

TEST(SummarizeCli, DrawnFormatsRefuseWhatTheyCannotDraw) {
  const std::string db = fixture_db("minimal").string();
  for (auto args : std::vector<std::vector<std::string>>{
           {"--format", "svg"},
           {"--format", "svg", "--id", "a", "--id", "b", "--id", "c", "--id", "d", "--id", "e"},
           {"--format", "json", "--power-mode", "25W"},
           {"--format", "html", "--check"},
           {"--format", "svg", "--id", "jetson_orin_nano_gpu", "--history", "jetson_orin_nano_gpu"},
           {"--format", "html", "--fail-on-regression", "10"}}) {
    args.insert(args.begin(), {"--database", db});
    auto result = run_program(kProgram, args);
    EXPECT_EQ(result.exit_code, 2) << args[3] << " " << result.err;
    EXPECT_NE(result.err.find("usage: summarize_database"), std::string::npos) << result.err;
  }
  auto unknown = run_program(kProgram, {"--database", db, "--format", "svg", "--id", "nope"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("unknown hardware id 'nope'"), std::string::npos) << unknown.err;
}

TEST(SummarizeCli, NeverWritesIntoTheDatabase) {
  test::TempDir dir;
  test::copy_tree(fixture_db("minimal"), dir.path());
  auto before = test::snapshot_tree(dir.path());
  run_program(kProgram, {"--database", dir.path().string()});
  run_program(kProgram, {"--database", dir.path().string(), "--check"});
  run_program(kProgram, {"--database", dir.path().string(), "--format", "html"});
  EXPECT_EQ(test::snapshot_tree(dir.path()), before);
}

}  // namespace
}  // namespace hwcal
