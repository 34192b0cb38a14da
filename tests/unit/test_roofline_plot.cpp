#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/entry_model.hpp"
#include "report/roofline_plot.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

const HardwareSpec& minimal_spec(const std::string& id) {
  static const Database database = Database::load(test::fixtures_dir() / "databases/minimal");
  return database.get(id).spec;
}

const HardwareSpec& bundled_spec(const std::string& id) {
  static const Database database = Database::load(test::bundled_database());
  return database.get(id).spec;
}

TEST(RooflinePlot, CalibratedGpuModeHasBothRoofsFromTheRooflineHelper) {
  const ResourceModelStorage storage = build_resource_model(minimal_spec("jetson_orin_nano_gpu"));
  const ResourceModel& model = storage.model();
  std::optional<RooflinePlotModel> plot = roofline_plot_model(model, "25W");
  ASSERT_TRUE(plot.has_value());
  EXPECT_EQ(plot->device, "NVIDIA Jetson Orin Nano 8GB GPU");
  EXPECT_FALSE(plot->mode_is_default);
  EXPECT_EQ(plot->y_unit, "GFLOPS / GIOPS");
  // Theoretical roofs lowest first, then the calibrated ones of the precisions measured in 25W:
  // int8 was never measured, so it has no dashed roof.
  ASSERT_EQ(plot->roofs.size(), 5u);
  const std::vector<std::pair<Precision, Roof>> expected = {{Precision::fp32, Roof::theoretical},
                                                            {Precision::fp16, Roof::theoretical},
                                                            {Precision::int8, Roof::theoretical},
                                                            {Precision::fp32, Roof::calibrated},
                                                            {Precision::fp16, Roof::calibrated}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const RooflineRoof& roof = plot->roofs[i];
    const auto [precision, kind] = expected[i];
    EXPECT_EQ(roof.precisions, std::vector<Precision>{precision}) << i;
    EXPECT_EQ(roof.label, to_string(precision));
    EXPECT_EQ(roof.calibrated, kind == Roof::calibrated) << i;
    const RoofLimits limits = roof_limits(model, precision, "25W", kind);
    EXPECT_DOUBLE_EQ(roof.limits.peak_gflops, limits.peak_gflops) << i;
    EXPECT_DOUBLE_EQ(roof.limits.bandwidth_gbps, limits.bandwidth_gbps) << i;
    EXPECT_DOUBLE_EQ(roof.limits.ridge_flops_per_byte(), limits.ridge_flops_per_byte()) << i;
  }
  ASSERT_TRUE(plot->calibrated_memory_roof.has_value());  // up to the calibrated fp16 roof
  EXPECT_DOUBLE_EQ(plot->calibrated_memory_roof->peak_gflops, plot->roofs[4].limits.peak_gflops);
  EXPECT_DOUBLE_EQ(plot->bandwidth_gbps, 102.4);
  ASSERT_TRUE(plot->calibrated_bandwidth_gbps.has_value());
  EXPECT_NEAR(*plot->calibrated_bandwidth_gbps, 59.9, 0.01);
  EXPECT_TRUE(plot->calibrated());
  // Ridges from 18.4 (fp32) to 326 (int8) flop/byte: a decade to spare on each side.
  EXPECT_DOUBLE_EQ(plot->x_min, 1);
  EXPECT_DOUBLE_EQ(plot->x_max, 10000);
  EXPECT_DOUBLE_EQ(plot->y_min, 10);
  EXPECT_DOUBLE_EQ(plot->y_max, 100000);
}

TEST(RooflinePlot, UncalibratedCpuHasOnlyTheoreticalRoofs) {
  const ResourceModelStorage storage = build_resource_model(minimal_spec("intel_core_i7_12700k"));
  std::optional<RooflinePlotModel> plot = roofline_plot_model(storage.model(), "default");
  ASSERT_TRUE(plot.has_value());
  EXPECT_TRUE(plot->mode_is_default);
  EXPECT_EQ(plot->y_unit, "GFLOPS");
  ASSERT_EQ(plot->roofs.size(), 2u);
  EXPECT_EQ(plot->roofs[0].label, "fp64");
  EXPECT_FALSE(plot->roofs[1].calibrated);
  EXPECT_FALSE(plot->calibrated());
  EXPECT_FALSE(plot->calibrated_bandwidth_gbps.has_value());
  EXPECT_FALSE(plot->calibrated_memory_roof.has_value());
  const std::string svg = render_roofline_svg(*plot);
  EXPECT_NE(svg.find("not calibrated: theoretical roofs only"), std::string::npos);
  EXPECT_EQ(svg.find("stroke-dasharray=\"6 4\""), std::string::npos);
}

TEST(RooflinePlot, AnUnknownBandwidthDrawsTheMeasuredOneOnlyAndSaysSo) {
  HardwareSpec spec = minimal_spec("intel_core_i7_12700k");
  spec.peak_bandwidth_gbps = 0;
  spec.peak_bandwidth_unknown = "a virtual machine";
  // Nothing measured: no memory roof at all, so no roofline.
  {
    const ResourceModelStorage storage = build_resource_model(spec);
    EXPECT_TRUE(storage.model().modes[0].bandwidth_measured_only);
    EXPECT_FALSE(roofline_plot_model(storage.model(), "default").has_value());
  }
  CalibrationSummary summary;
  summary.power_mode = "default";
  summary.measured_peaks[Precision::fp32] = 1200;
  summary.efficiency[Precision::fp32] = 1200 / 1497.6;
  summary.measured_bandwidth_gbps = 21.5;
  spec.calibration_summary = summary;
  const ResourceModelStorage storage = build_resource_model(spec);
  std::optional<RooflinePlotModel> plot = roofline_plot_model(storage.model(), "default");
  ASSERT_TRUE(plot.has_value());
  EXPECT_TRUE(plot->bandwidth_measured_only);
  EXPECT_DOUBLE_EQ(plot->bandwidth_gbps, 21.5);
  EXPECT_FALSE(plot->calibrated_memory_roof.has_value());  // one memory roof, not two
  const RoofLimits theoretical =
      roof_limits(storage.model(), Precision::fp32, "default", Roof::theoretical);
  EXPECT_DOUBLE_EQ(theoretical.bandwidth_gbps, 21.5);
  EXPECT_TRUE(theoretical.bandwidth_calibrated);
  const std::string svg = render_roofline_svg(*plot);
  EXPECT_NE(svg.find("21.5 GB/s measured (theoretical unknown)"), std::string::npos) << svg;
}

TEST(RooflinePlot, EqualRoofsShareOneLineAndLabel) {
  const ResourceModelStorage storage = build_resource_model(bundled_spec("nvidia_h100_sxm5_80gb"));
  std::optional<RooflinePlotModel> plot =
      roofline_plot_model(storage.model(), storage.model().default_mode);
  ASSERT_TRUE(plot.has_value());
  std::vector<std::string> labels;
  for (const RooflineRoof& roof : plot->roofs) labels.push_back(roof.label);
  EXPECT_NE(std::find(labels.begin(), labels.end(), "fp16/bf16"), labels.end())
      << ::testing::PrintToString(labels);
  for (std::size_t i = 1; i < plot->roofs.size(); ++i) {
    EXPECT_LT(plot->roofs[i - 1].limits.peak_gflops, plot->roofs[i].limits.peak_gflops);
  }
}

TEST(RooflinePlot, MeasuredAndUnmeasuredPrecisionsShareTheTheoreticalRoof) {
  // The bundled Orin Nano GPU: fp16 measured in 25W, bf16 not, both 15040 GFLOPS on paper.
  const ResourceModelStorage storage = build_resource_model(bundled_spec("jetson_orin_nano_gpu"));
  std::optional<RooflinePlotModel> plot = roofline_plot_model(storage.model(), "25W");
  ASSERT_TRUE(plot.has_value());
  std::vector<std::string> theoretical;
  std::vector<std::string> calibrated;
  for (const RooflineRoof& roof : plot->roofs) {
    (roof.calibrated ? calibrated : theoretical).push_back(roof.label);
  }
  EXPECT_EQ(theoretical, (std::vector<std::string>{"fp32", "tf32", "fp16/bf16", "int8"}));
  EXPECT_EQ(calibrated, (std::vector<std::string>{"fp32", "fp16"}));
}

TEST(RooflinePlot, UnknownModeIsADataError) {
  const ResourceModelStorage storage = build_resource_model(minimal_spec("jetson_orin_nano_gpu"));
  EXPECT_THROW(roofline_plot_model(storage.model(), "40W"), DataError);
}

TEST(RooflinePlot, EveryRidgePointIsMarkedAndLabelled) {
  const ResourceModelStorage storage = build_resource_model(minimal_spec("jetson_orin_nano_gpu"));
  const std::string svg = render_roofline_svg(*roofline_plot_model(storage.model(), "25W"));
  // Three theoretical ridges and two calibrated ones, each a marker with its tooltip.
  EXPECT_EQ(test::count_occurrences(svg, "theoretical ridge point"), 3u);
  EXPECT_EQ(test::count_occurrences(svg, "calibrated ridge point"), 2u);
  EXPECT_NE(svg.find(">18.4</text>"), std::string::npos);  // 1880.064 / 102.4
  EXPECT_NE(svg.find(">326</text>"), std::string::npos);   // 33423.36 / 102.4
  EXPECT_NE(svg.find(">102.4 GB/s</text>"), std::string::npos);
  EXPECT_NE(svg.find(">59.9 GB/s measured</text>"), std::string::npos);
  EXPECT_NE(svg.find(">fp16 15041</text>"), std::string::npos);
}

TEST(RooflinePlot, GpuEntryMatchesGolden) {
  const ResourceModelStorage storage = build_resource_model(minimal_spec("jetson_orin_nano_gpu"));
  const std::string svg = render_roofline_svg(*roofline_plot_model(storage.model(), "25W"));
  EXPECT_EQ(test::compare_golden("roofline_jetson_orin_nano_gpu.svg", svg), "");
  // Deterministic: a second drawing is the same to the byte.
  EXPECT_EQ(render_roofline_svg(*roofline_plot_model(storage.model(), "25W")), svg);
}

TEST(RooflinePlot, CpuEntryMatchesGolden) {
  const ResourceModelStorage storage = build_resource_model(minimal_spec("intel_core_i7_12700k"));
  const std::string svg = render_roofline_svg(*roofline_plot_model(storage.model(), "default"));
  EXPECT_EQ(test::compare_golden("roofline_intel_core_i7_12700k.svg", svg), "");
}

}  // namespace
}  // namespace hwcal
