#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "report/report.hpp"
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

// The i7 fixture with its fp32 peak derived by add_hardware and its bandwidth unknown.
DatabaseReport derived_report() {
  HardwareSpec spec =
      Database::load(test::fixtures_dir() / "databases/minimal").get("intel_core_i7_12700k").spec;
  spec.peak_derivation.at(Precision::fp32).origin = PeakOrigin::core_table;
  spec.peak_bandwidth_gbps = 0;
  spec.peak_bandwidth_unknown = "a virtual machine: the hypervisor hides the memory";
  DatabaseReport report;
  EntryReportOptions options;
  options.graphics = true;
  report.entries.push_back(
      build_entry_report(spec, "cpu/intel/intel_core_i7_12700k.json", options));
  return report;
}

TEST(Report, EveryFormatSaysWhereEachTheoreticalFigureCameFrom) {
  DatabaseReport report = derived_report();
  const ModeReport& mode = report.entries[0].modes[0];
  ASSERT_EQ(mode.rows.size(), 2u);
  EXPECT_EQ(mode.rows[0].origin, PeakOrigin::datasheet);  // fp64: no origin in its derivation
  EXPECT_EQ(mode.rows[1].origin, PeakOrigin::core_table);
  const std::string console = render_console(report);
  EXPECT_NE(console.find("1497.6 GFLOPS               -          -  core table\n"),
            std::string::npos)
      << console;
  EXPECT_NE(render_markdown(report).find("| fp32 | 1497.6 GFLOPS | - | - | derived: core table |"),
            std::string::npos);
  const Json json = parse_json(render_json(report), "report");
  EXPECT_EQ(json["entries"][0]["modes"][0]["precisions"][1]["origin"], "core_table");
  EXPECT_EQ(json["entries"][0]["modes"][0]["precisions"][0]["origin"], "datasheet");
  EXPECT_NE(render_csv(report).find(",fp32,GFLOPS,1497.6,,,,core_table,,,\n"), std::string::npos);
  EXPECT_NE(render_html(report).find("<span class=\"sub origin\">derived: core table</span>"),
            std::string::npos);
}

TEST(Report, AnUnknownBandwidthSaysWhyInEveryFormat) {
  DatabaseReport report = derived_report();
  EXPECT_EQ(report.entries[0].modes[0].bandwidth_unknown,
            "a virtual machine: the hypervisor hides the memory");
  const std::string console = render_console(report);
  EXPECT_NE(console.find("unknown               -          -  unknown (below)\n"
                         "    unknown: a virtual machine: the hypervisor hides the memory\n"),
            std::string::npos)
      << console;
  const Json json = parse_json(render_json(report), "report");
  const Json& bandwidth = json["entries"][0]["modes"][0]["bandwidth"];
  EXPECT_TRUE(bandwidth["theoretical_gbps"].is_null());
  EXPECT_EQ(bandwidth["unknown"], "a virtual machine: the hypervisor hides the memory");
  EXPECT_NE(render_csv(report).find(",bandwidth,GB/s,,,,,unknown,,,\n"), std::string::npos);
  EXPECT_NE(render_html(report).find(">unknown<br>"), std::string::npos);
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

DatabaseReport drawn_minimal_report(const ReportFilter& filter = {}) {
  EntryReportOptions options;
  options.graphics = true;
  options.history_base = test::fixtures_dir() / "databases";  // its profiles/ folder
  DatabaseReport report =
      build_report(Database::load(test::fixtures_dir() / "databases/minimal"), filter, options);
  report.database = "hardware_database";  // not the machine-specific path
  return report;
}

TEST(Report, GraphicsAddTheResourceModelModesSideBySideAndHistory) {
  DatabaseReport report = drawn_minimal_report();
  ASSERT_EQ(report.entries.size(), 2u);
  const EntryReport& gpu = report.entries[1];
  ASSERT_TRUE(gpu.resource.has_value());
  EXPECT_EQ(gpu.resource->model().id, "jetson_orin_nano_gpu");
  // The entry's own mode order, the uncalibrated default included.
  ASSERT_EQ(gpu.modes_side_by_side.size(), 3u);
  EXPECT_EQ(gpu.modes_side_by_side[0].name, "15W");
  EXPECT_EQ(gpu.modes_side_by_side[1].name, "25W");
  EXPECT_EQ(gpu.modes_side_by_side[2].name, "MAXN_SUPER");
  EXPECT_TRUE(gpu.modes_side_by_side[0].calibrated);
  EXPECT_FALSE(gpu.modes_side_by_side[2].calibrated);
  ASSERT_TRUE(gpu.history.has_value());
  EXPECT_EQ(gpu.history->modes.size(), 2u);
  EXPECT_TRUE(gpu.regressions.empty());
  const EntryReport& cpu = report.entries[0];
  ASSERT_EQ(cpu.modes_side_by_side.size(), 1u);
  EXPECT_EQ(cpu.modes_side_by_side[0].name, "default");
  ASSERT_TRUE(cpu.history.has_value());
  EXPECT_TRUE(cpu.history->modes.empty());
  // Without the options, none of it (the text reports do not pay for it).
  EXPECT_FALSE(minimal_report().entries[1].resource.has_value());
}

TEST(Report, BestLowPrecisionPrefersMeasured) {
  DatabaseReport report = drawn_minimal_report();
  const ModeReport& w25 = report.entries[1].modes.front();
  // int8's theoretical peak is the highest, but only fp16 was measured.
  EXPECT_EQ(best_low_precision(w25)->precision, Precision::fp16);
  const ModeReport& maxn = report.entries[1].modes_side_by_side[2];
  EXPECT_EQ(best_low_precision(maxn)->precision, Precision::int8);
  EXPECT_FALSE(best_low_precision(report.entries[0].modes.front()).has_value());
}

TEST(Report, HtmlIsOneSelfContainedPage) {
  const std::string html = render_html(drawn_minimal_report());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  // Nothing fetched: the only URL is the SVG namespace.
  EXPECT_EQ(test::count_occurrences(html, "http"),
            test::count_occurrences(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  for (const char* outside : {"<link", " src=", "@import", "url(", "<img", "<iframe"}) {
    EXPECT_EQ(html.find(outside), std::string::npos) << outside;
  }
  // A roofline per entry, the overview's rows in id order with their links.
  EXPECT_NE(html.find("<figure class=\"roofline\" id=\"roofline-intel_core_i7_12700k\"><svg"),
            std::string::npos);
  EXPECT_NE(html.find("<figure class=\"roofline\" id=\"roofline-jetson_orin_nano_gpu\"><svg"),
            std::string::npos);
  EXPECT_LT(html.find("href=\"#entry-intel_core_i7_12700k\""),
            html.find("href=\"#entry-jetson_orin_nano_gpu\""));
  // Accessible: headed sections, table headers with scope, titled plots.
  EXPECT_EQ(test::count_occurrences(html, "<section class=\"entry\""), 2u);
  EXPECT_EQ(test::count_occurrences(html, "<svg "), test::count_occurrences(html, "role=\"img\""));
  // A roofline per power mode side by side (the GPU's 15W, 25W and MAXN_SUPER, the CPU's
  // one); the fixture's history has one run per mode, too few for a chart.
  EXPECT_EQ(test::count_occurrences(html, "<figure class=\"roofline\" id=\"roofline-"), 4u);
  EXPECT_NE(html.find("id=\"roofline-jetson_orin_nano_gpu-15W\"><svg"), std::string::npos);
  // The overlay: its data and selectors, drawn by the page's script.
  EXPECT_NE(html.find("<script type=\"application/json\" id=\"roofline-data\">"),
            std::string::npos);
  EXPECT_NE(html.find("<select id=\"overlay-a\"></select>"), std::string::npos);
  EXPECT_NE(html.find("<th scope=\"colgroup\" colspan=\"3\">15W</th>"), std::string::npos);
  EXPECT_NE(html.find("Power modes side by side"), std::string::npos);
  EXPECT_NE(html.find("One run so far"), std::string::npos);
}

TEST(Report, HtmlMatchesGolden) {
  EXPECT_EQ(test::compare_golden("summary_minimal.html", render_html(drawn_minimal_report())), "");
}

TEST(Report, SvgIsOneEntrysRoofline) {
  ReportFilter filter;
  filter.ids = {"jetson_orin_nano_gpu"};
  const std::string svg = render(drawn_minimal_report(filter), ReportFormat::svg);
  EXPECT_EQ(test::compare_golden("roofline_jetson_orin_nano_gpu_measured.svg", svg), "");
  EXPECT_THROW(render_svg(minimal_report(filter)), Error);  // built without graphics
}

TEST(Report, RatesAndPercents) {
  EXPECT_EQ(format_rate(1880.064), "1880.1");
  EXPECT_EQ(format_rate(989429.8), "989430");
  EXPECT_EQ(format_percent(0.64583), "64.6%");
}

}  // namespace
}  // namespace hwcal
