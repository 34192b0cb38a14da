#include <gtest/gtest.h>

#include "report/svg.hpp"
#include "test_support.hpp"

namespace hwcal::svg {
namespace {

TEST(Svg, LogScaleMapsDecadesEvenly) {
  Scale x = Scale::log10(0.1, 1000, 0, 400);
  EXPECT_DOUBLE_EQ(x(0.1), 0);
  EXPECT_DOUBLE_EQ(x(1), 100);
  EXPECT_DOUBLE_EQ(x(1000), 400);
  EXPECT_EQ(x.ticks(), (std::vector<double>{0.1, 1, 10, 100, 1000}));
  EXPECT_EQ(x.minor_ticks().size(), 4u * 8u);
}

TEST(Svg, LogTicksThinOutOverManyDecades) {
  Scale y = Scale::log10(1, 1e12, 300, 0);
  std::vector<double> ticks = y.ticks(6);
  EXPECT_LE(ticks.size(), 7u);
  EXPECT_EQ(ticks.front(), 1);
}

TEST(Svg, LinearTicksAreNice) {
  Scale x = Scale::linear(0, 97, 0, 100);
  EXPECT_EQ(x.ticks(5), (std::vector<double>{0, 20, 40, 60, 80}));
}

TEST(Svg, TickLabelsReadAtAGlance) {
  EXPECT_EQ(tick_label(0.01), "0.01");
  EXPECT_EQ(tick_label(0.5), "0.5");
  EXPECT_EQ(tick_label(1), "1");
  EXPECT_EQ(tick_label(300), "300");
  EXPECT_EQ(tick_label(4000), "4k");
  EXPECT_EQ(tick_label(1200000), "1.2M");
  EXPECT_EQ(tick_label(3e9), "3G");
}

TEST(Svg, NumbersAndEscaping) {
  EXPECT_EQ(number(12.0), "12");
  EXPECT_EQ(number(12.345), "12.35");
  EXPECT_EQ(number(-0.001), "0");
  EXPECT_EQ(escape("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
}

TEST(Svg, LinearTickLabelsKeepNeighboursApart) {
  EXPECT_EQ(linear_tick_label(1150, 50), "1150");
  EXPECT_EQ(linear_tick_label(1200, 50), "1200");
  EXPECT_EQ(linear_tick_label(59.5, 0.5), "59.5");
  EXPECT_EQ(linear_tick_label(0.25, 0.05), "0.25");
  EXPECT_EQ(linear_tick_label(2e6, 1e6), "2M");
}

TEST(Svg, SignificantDigits) {
  EXPECT_EQ(significant(18.36), "18.4");
  EXPECT_EQ(significant(146.88), "147");
  EXPECT_EQ(significant(0.5234), "0.523");
  EXPECT_EQ(significant(20.0), "20");
  EXPECT_EQ(significant(99.96), "100");
  EXPECT_EQ(significant(1234.6), "1235");
}

TEST(Svg, HaloAndTooltips) {
  Document document(10, 10);
  Style halo;
  halo.fill = "#222222";
  halo.halo = true;
  document.text({1, 2}, "a", halo);
  document.circle({1, 2}, 3, {}, "a <point>");
  const std::string text = document.str();
  EXPECT_NE(text.find("fill=\"#222222\" stroke=\"#ffffff\" stroke-width=\"3\" "
                      "stroke-linejoin=\"round\" paint-order=\"stroke\">a</text>"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("<circle cx=\"1\" cy=\"2\" r=\"3\"><title>a &lt;point&gt;</title></circle>"),
            std::string::npos)
      << text;
}

TEST(Svg, TextBoxesFollowTheAnchor) {
  Box start = text_box({100, 50}, "abcde", 10, "start");
  EXPECT_DOUBLE_EQ(start.left, 100);
  EXPECT_DOUBLE_EQ(start.right, 130);
  EXPECT_DOUBLE_EQ(start.top, 42);
  EXPECT_DOUBLE_EQ(start.bottom, 52);
  EXPECT_DOUBLE_EQ(text_box({100, 50}, "abcde", 10, "end").right, 100);
  EXPECT_DOUBLE_EQ(text_box({100, 50}, "abcde", 10, "middle").left, 85);
}

TEST(Svg, PlacerTakesTheFirstFreeCandidateInsideTheBounds) {
  LabelPlacer placer({0, 0, 100, 100});
  placer.reserve({10, 10, 20, 20});
  EXPECT_EQ(placer.place({{15, 15, 30, 30}, {90, 90, 110, 95}, {40, 40, 50, 50}}),
            std::optional<std::size_t>(2));
  // The box just taken is an obstacle now; touching edges do not overlap.
  EXPECT_EQ(placer.place({{45, 45, 55, 55}, {50, 40, 60, 50}}), std::optional<std::size_t>(1));
  EXPECT_EQ(placer.place({{12, 12, 14, 14}}), std::nullopt);
}

TEST(Svg, SpreadKeepsOrderAndGap) {
  // Three labels wanting the same place, one far away.
  std::vector<double> at = spread({50, 50, 52, 200}, 10, 0, 300);
  EXPECT_EQ(at, (std::vector<double>{50, 60, 70, 200}));
  // Pushed past the bottom: they move up instead.
  at = spread({95, 96, 97}, 10, 0, 100);
  EXPECT_EQ(at, (std::vector<double>{80, 90, 100}));
}

TEST(Svg, DocumentMatchesGolden) {
  Document document(360, 240);
  Scale x = Scale::log10(0.1, 100, 60, 340);
  Scale y = Scale::log10(10, 10000, 190, 20);
  draw_axes(document, x, y, {"arithmetic intensity (flop/byte)", "GFLOPS"});
  document.begin_group("roof", "fp32 roof");
  document.polyline({{x(0.1), y(10)}, {x(10), y(1000)}, {x(100), y(1000)}},
                    {"#1f77b4", 2, "none", "", 1, 0, "", "", "", false, {}});
  document.circle({x(10), y(1000)}, 3, {"", 0, "#1f77b4", "", 1, 0, "", "", "", false, {}});
  document.text({x(10), y(1000) - 8}, "ridge 10 flop/B",
                {"", 0, "#1f77b4", "", 1, 11, "middle", "", "", false, {}}, 0,
                "fp32: 1000 GFLOPS, 100 GB/s");
  document.end_group();
  EXPECT_EQ(test::compare_golden("svg_document.svg", document.str("A test <plot>")), "");
}

}  // namespace
}  // namespace hwcal::svg
