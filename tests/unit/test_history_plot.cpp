#include <gtest/gtest.h>

#include "report/history_plot.hpp"
#include "summary/history.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

HistoryRun run(const std::string& date, double fp32_gflops, std::optional<double> fp16_gflops,
               double bandwidth_gbps) {
  HistoryRun result;
  result.date = date;
  result.path = "profiles/nvidia/orin/25W/" + date.substr(0, 10) + ".json";
  result.peaks.measured[Precision::fp32] = fp32_gflops;
  if (fp16_gflops) result.peaks.measured[Precision::fp16] = *fp16_gflops;
  result.peaks.bandwidth_gbps = bandwidth_gbps;
  result.peaks.framework = "cublas-12.6";
  return result;
}

// Four 25W runs: the second fp32 run drops 20% (a regression then), the third recovers, the
// fourth has no fp16 and its bandwidth drops 30% against the median of the three before.
EntryHistory orin_history() {
  EntryHistory history;
  history.id = "orin";
  history.model = "Orin";
  history.folder = "profiles/nvidia/orin";
  ModeHistory mode;
  mode.mode = "25W";
  mode.runs = {run("2025-11-20T08:00:00Z", 1200, 8000, 60),
               run("2025-11-21T08:00:00Z", 960, 8100, 61),
               run("2025-11-22T08:00:00Z", 1210, 7900, 60),
               run("2025-11-23T08:00:00Z", 1190, std::nullopt, 42)};
  history.modes.push_back(mode);
  return history;
}

TEST(HistoryRegressions, EveryRunIsJudgedAsWhenItWasTheLatest) {
  const EntryHistory history = orin_history();
  // The gate itself looks at the latest run only.
  std::vector<Regression> latest = find_regressions(history, 0.10);
  ASSERT_EQ(latest.size(), 1u);
  EXPECT_EQ(latest[0].what, "bandwidth");
  std::vector<Regression> over_time = find_regressions_over_time(history, 0.10);
  ASSERT_EQ(over_time.size(), 2u);
  EXPECT_EQ(over_time[0].what, "fp32");
  EXPECT_EQ(over_time[0].latest_date, "2025-11-21T08:00:00Z");
  EXPECT_DOUBLE_EQ(over_time[0].earlier_median, 1200);
  EXPECT_EQ(over_time[1].what, "bandwidth");
  EXPECT_EQ(over_time[1].latest_date, "2025-11-23T08:00:00Z");
  EXPECT_TRUE(find_regressions_over_time(history, 0.35).empty());
}

TEST(HistoryPlot, FiguresAreTheMeasuredPrecisionsThenBandwidth) {
  const std::vector<std::optional<Precision>> figures =
      history_figures(orin_history().modes.front());
  ASSERT_EQ(figures.size(), 3u);
  EXPECT_EQ(figures[0], Precision::fp32);
  EXPECT_EQ(figures[1], Precision::fp16);
  EXPECT_FALSE(figures[2].has_value());
}

TEST(HistoryPlot, RegressionsAreMarkedOnTheirOwnChartOnly) {
  const EntryHistory history = orin_history();
  const ModeHistory& mode = history.modes.front();
  const std::vector<Regression> regressions = find_regressions_over_time(history, 0.10);
  const std::string fp32 = render_history_svg("orin", mode, Precision::fp32, regressions);
  EXPECT_NE(fp32.find(">-20.0%</text>"), std::string::npos) << fp32;
  EXPECT_NE(fp32.find("<title>regression: orin 25W fp32"), std::string::npos);
  const std::string fp16 = render_history_svg("orin", mode, Precision::fp16, regressions);
  EXPECT_EQ(fp16.find("regression:"), std::string::npos);
  // The run without fp16 ends the line: three points, one polyline.
  EXPECT_NE(fp16.find("fp16 GFLOPS, 4 runs"), std::string::npos);
  const std::string bandwidth = render_history_svg("orin", mode, std::nullopt, regressions);
  EXPECT_NE(bandwidth.find(">-30.0%</text>"), std::string::npos) << bandwidth;
  // Another entry's regressions are not this one's.
  EXPECT_EQ(render_history_svg("other", mode, Precision::fp32, regressions).find("regression:"),
            std::string::npos);
  EXPECT_EQ(render_history_svg("orin", mode, Precision::int8, regressions), "");
}

TEST(HistoryPlot, MatchesGolden) {
  const EntryHistory history = orin_history();
  const std::string svg = render_history_svg("orin", history.modes.front(), Precision::fp32,
                                             find_regressions_over_time(history, 0.10));
  EXPECT_EQ(test::compare_golden("history_chart.svg", svg), "");
}

}  // namespace
}  // namespace hwcal
