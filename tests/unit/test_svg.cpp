#include <gtest/gtest.h>

#include "hwcal/svg.hpp"
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

TEST(Svg, DocumentMatchesGolden) {
  Document document(360, 240);
  Scale x = Scale::log10(0.1, 100, 60, 340);
  Scale y = Scale::log10(10, 10000, 190, 20);
  draw_axes(document, x, y, {"arithmetic intensity (flop/byte)", "GFLOPS"});
  document.begin_group("roof", "fp32 roof");
  document.polyline({{x(0.1), y(10)}, {x(10), y(1000)}, {x(100), y(1000)}},
                    {"#1f77b4", 2, "none", "", 1, 0, "", "", ""});
  document.circle({x(10), y(1000)}, 3, {"", 0, "#1f77b4", "", 1, 0, "", "", ""});
  document.text({x(10), y(1000) - 8}, "ridge 10 flop/B",
                {"", 0, "#1f77b4", "", 1, 11, "middle", "", ""}, 0, "fp32: 1000 GFLOPS, 100 GB/s");
  document.end_group();
  EXPECT_EQ(test::compare_golden("svg_document.svg", document.str("A test <plot>")), "");
}

}  // namespace
}  // namespace hwcal::svg
