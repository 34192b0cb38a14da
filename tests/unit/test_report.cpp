#include <gtest/gtest.h>

#include "hwcal/database.hpp"
#include "hwcal/error.hpp"
#include "hwcal/report.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

DatabaseReport minimal_report(const ReportFilter& filter = {}) {
  return build_report(Database::load(test::fixtures_dir() / "databases/minimal"), filter);
}

TEST(Report, ModelOfACalibratedEntryWithPowerModes) {
  ReportFilter filter;
  filter.ids = {"jetson_orin_nano_gpu"};
  DatabaseReport report = minimal_report(filter);
  ASSERT_EQ(report.entries.size(), 1u);
  const EntryReport& entry = report.entries[0];
  EXPECT_EQ(entry.default_mode, "MAXN_SUPER");
  EXPECT_EQ(entry.modes_calibrated, (std::vector<std::string>{"15W", "25W"}));
  EXPECT_EQ(entry.last_calibrated, "2025-11-16T10:55:50Z");
  // The mode the summary's top level describes first (the default MAXN_SUPER is not calibrated,
  // so the highest-clocked calibrated one), then the other calibrated modes, then the default.
  ASSERT_EQ(entry.modes.size(), 3u);
  EXPECT_EQ(entry.modes[0].name, "25W");
  EXPECT_EQ(entry.modes[1].name, "15W");
  EXPECT_EQ(entry.modes[2].name, "MAXN_SUPER");
  EXPECT_TRUE(entry.modes[2].is_default);
  EXPECT_FALSE(entry.modes[2].calibrated);
  const ModeReport& w25 = entry.modes[0];
  EXPECT_EQ(w25.name, "25W");
  ASSERT_EQ(w25.rows.size(), 3u);  // fp32, fp16, int8 in canonical order
  EXPECT_EQ(w25.rows[0].precision, Precision::fp32);
  EXPECT_DOUBLE_EQ(w25.rows[0].theoretical.value(), 1880.064);
  EXPECT_DOUBLE_EQ(w25.rows[0].measured.value(), 1214.2);
  EXPECT_FALSE(w25.rows[2].measured.has_value());
  EXPECT_DOUBLE_EQ(w25.theoretical_bandwidth_gbps, 102.4);
}

TEST(Report, UncalibratedEntrySaysSo) {
  ReportFilter filter;
  filter.ids = {"intel_core_i7_12700k"};
  std::string text = render_console(minimal_report(filter));
  EXPECT_NE(text.find("not calibrated"), std::string::npos);
}

TEST(Report, FiltersByTypeAndVendor) {
  ReportFilter filter;
  filter.device_type = "cpu";
  EXPECT_EQ(minimal_report(filter).entries.size(), 1u);
  filter = {};
  filter.vendor = "nvidia";
  EXPECT_EQ(minimal_report(filter).entries.size(), 1u);
  filter.vendor = "Intel";
  EXPECT_EQ(minimal_report(filter).entries[0].id, "intel_core_i7_12700k");
}

TEST(Report, UnknownIdInTheFilterIsAnError) {
  ReportFilter filter;
  filter.ids = {"h100"};
  EXPECT_THROW(minimal_report(filter), DataError);
}

TEST(Report, ConsoleFitsOneHundredColumns) {
  std::string text = render_console(build_report(Database::load(test::bundled_database()), {}));
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    std::string line = text.substr(start, end - start);
    EXPECT_LE(line.size(), 100u) << line;
    start = end + 1;
  }
}

class ReportGolden : public ::testing::TestWithParam<ReportFormat> {};

TEST_P(ReportGolden, MatchesTheGoldenFile) {
  static const char* kNames[] = {"console.txt", "markdown.md", "json.json", "csv.csv"};
  std::string name = std::string("summary_minimal.") + kNames[static_cast<int>(GetParam())];
  DatabaseReport report = minimal_report();
  report.database = "hardware_database";  // not the machine-specific path
  EXPECT_EQ(test::compare_golden(name, render(report, GetParam())), "");
}

std::string format_name(const ::testing::TestParamInfo<ReportFormat>& param_info) {
  static const char* kFormatNames[] = {"console", "markdown", "json", "csv"};
  return kFormatNames[static_cast<int>(param_info.param)];
}

INSTANTIATE_TEST_SUITE_P(Formats, ReportGolden,
                         ::testing::Values(ReportFormat::console, ReportFormat::markdown,
                                           ReportFormat::json, ReportFormat::csv),
                         format_name);

TEST(Report, RatesAndPercents) {
  EXPECT_EQ(format_rate(1880.064), "1880.1");
  EXPECT_EQ(format_rate(989429.8), "989430");
  EXPECT_EQ(format_percent(0.64583), "64.6%");
}

}  // namespace
}  // namespace hwcal
