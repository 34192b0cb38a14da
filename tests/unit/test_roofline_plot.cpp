#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <regex>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/json/json_io.hpp"
#include "profile/legacy_profile.hpp"
#include "report/report.hpp"
#include "report/roofline_plot.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

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
  // 33.4 TOPS at the top: the chart reads in TFLOPS and TOPS, each for its own kind.
  EXPECT_EQ(plot->y_unit, "TFLOPS (float) / TOPS (integer)");
  EXPECT_EQ(plot->unit_for(Precision::int8), "TOPS");
  EXPECT_EQ(plot->unit_for(Precision::fp16), "TFLOPS");
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
  EXPECT_EQ(plot->y_unit, "TFLOPS");  // 1497.6 GFLOPS fp32 at the top
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
  // Lowest first; fp8 and int8 have the same peak but never share a label.
  for (std::size_t i = 1; i < plot->roofs.size(); ++i) {
    EXPECT_LE(plot->roofs[i - 1].limits.peak_gflops, plot->roofs[i].limits.peak_gflops);
  }
  EXPECT_NE(std::find(labels.begin(), labels.end(), "fp8"), labels.end());
  EXPECT_NE(std::find(labels.begin(), labels.end(), "int8"), labels.end());
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
  // Every roof says where it comes from.
  EXPECT_NE(svg.find(">102.4 GB/s datasheet</text>"), std::string::npos);
  EXPECT_NE(svg.find(">59.9 GB/s LPDDR5, measured</text>"), std::string::npos);
  EXPECT_NE(svg.find(">fp16 15 TFLOPS datasheet</text>"), std::string::npos);
  EXPECT_NE(svg.find(">fp16 7.96 TFLOPS GEMM, measured</text>"), std::string::npos);
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

// ---- measured points, cache roofs, overlays -------------------------------------------------

// The minimal fixture database drawn as summarize_database draws it: graphics, and the history
// (the linked runs) from the profiles folder beside it.
DatabaseReport drawn_report(std::vector<std::string> ids, std::vector<std::string> modes = {}) {
  EntryReportOptions options;
  options.graphics = true;
  options.history_base = test::fixtures_dir() / "databases";
  ReportFilter filter;
  filter.ids = ids;
  DatabaseReport report =
      build_report(Database::load(test::fixtures_dir() / "databases/minimal"), filter, options);
  report.database = "hardware_database";
  report.power_modes = std::move(modes);
  report.order = std::move(ids);
  return report;
}

// The attributes of every element with class="point" (name -> value), and the plot area's.
using Attributes = std::map<std::string, std::string>;
Attributes attributes_of(const std::string& element) {
  Attributes out;
  static const std::regex attribute(R"re(([a-z-]+)="([^"]*)")re");
  for (auto it = std::sregex_iterator(element.begin(), element.end(), attribute);
       it != std::sregex_iterator(); ++it) {
    out[(*it)[1]] = (*it)[2];
  }
  return out;
}

std::vector<Attributes> elements_with(const std::string& svg, const std::string& css_class) {
  std::vector<Attributes> out;
  static const std::regex element(R"re(<(circle|rect) [^>]*>)re");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), element);
       it != std::sregex_iterator(); ++it) {
    Attributes attributes = attributes_of(it->str());
    if (attributes["class"] == css_class) {
      attributes["element"] = (*it)[1];
      out.push_back(attributes);
    }
  }
  return out;
}

double number_of(const Attributes& attributes, const std::string& name) {
  auto found = attributes.find(name);
  EXPECT_NE(found, attributes.end()) << name;
  return found == attributes.end() ? std::nan("") : std::stod(found->second);
}

// Recomputes every point of `svg` from the raw JSON of the profile its data-run names (under
// the fixture databases folder) and checks the figures and the position: intensity = flops /
// bytes, rate = flops / the fastest trial. Returns how many points were checked.
std::size_t check_points_against_records(const std::string& svg, const fs::path& base) {
  const std::vector<Attributes> areas = elements_with(svg, "plot-area");
  EXPECT_EQ(areas.size(), 1u);
  if (areas.size() != 1) return 0;
  const Attributes& area = areas.front();
  auto log_position = [](double value, double low, double high, double from, double to) {
    return from + (std::log10(value) - std::log10(low)) / (std::log10(high) - std::log10(low)) *
                      (to - from);
  };
  std::size_t checked = 0;
  for (const Attributes& point : elements_with(svg, "point")) {
    if (point.at("data-kind") == "layer") continue;
    const Json profile = Json::parse(test::read_file(base / point.at("data-run")));
    const Json* record = nullptr;
    for (const Json& measurement : profile["measurements"]) {
      const Json& shape = measurement["shape"];
      std::string size;
      if (shape.contains("m")) {
        const auto m = shape["m"].get<long long>();
        const auto n = shape["n"].get<long long>();
        const auto k = shape["k"].get<long long>();
        size = m == n && n == k ? "m=n=k=" + std::to_string(m)
                                : "m=" + std::to_string(m) + " n=" + std::to_string(n) +
                                      " k=" + std::to_string(k);
      } else if (shape.contains("array_bytes")) {
        size = std::to_string(shape["array_bytes"].get<long long>() >> 20) + " MiB";
      }
      if (measurement["kernel"] == point.at("data-kernel") && size == point.at("data-size") &&
          measurement["precision"] == point.at("data-precision")) {
        record = &measurement;
      }
    }
    EXPECT_NE(record, nullptr) << point.at("data-kernel") << " " << point.at("data-size");
    if (record == nullptr) continue;
    const double flops = (*record)["flops"].get<double>();
    double bytes = 0;
    if (record->contains("bytes")) {
      EXPECT_EQ(point.at("data-bytes-origin"), "record");
      bytes = (*record)["bytes"].get<double>();
    } else {
      // The record gives no bytes: each matrix moved once, in the precision's element size.
      EXPECT_EQ(point.at("data-bytes-origin"), "shape");
      const Json& shape = (*record)["shape"];
      const double m = shape["m"].get<double>();
      const double n = shape["n"].get<double>();
      const double k = shape["k"].get<double>();
      const std::string precision = (*record)["precision"];
      const double element = precision == "fp64"   ? 8
                             : precision == "fp32" ? 4
                             : precision == "fp16" ? 2
                                                   : 1;
      bytes = (m * k + k * n + m * n) * element;
    }
    double best_s = 0;
    if (!(*record)["samples_s"].empty()) {
      best_s = 1e30;
      for (const Json& sample : (*record)["samples_s"])
        best_s = std::min(best_s, sample.get<double>());
    } else {
      best_s = (*record)["stats_s"]["min"].get<double>();
    }
    const double intensity = flops / bytes;
    const double gflops = flops / best_s / 1e9;
    const std::string what = point.at("data-kernel") + " " + point.at("data-size");
    EXPECT_NEAR(number_of(point, "data-flops") / flops, 1, 1e-5) << what;
    EXPECT_NEAR(number_of(point, "data-bytes") / bytes, 1, 1e-5) << what;
    EXPECT_NEAR(number_of(point, "data-intensity") / intensity, 1, 1e-5) << what;
    EXPECT_NEAR(number_of(point, "data-gflops") / gflops, 1, 1e-5) << what;
    // A GEMM's best rate is what the record itself states, where it states one.
    if (record->contains("gflops")) {
      EXPECT_NEAR(gflops / (*record)["gflops"]["best"].get<double>(), 1, 1e-3) << what;
    }
    // The position: the log scales of the plot area, to the two decimals the file keeps.
    const bool circle = point.at("element") == "circle";
    const double x = circle ? number_of(point, "cx") : number_of(point, "x") + 3.5;
    const double y = circle ? number_of(point, "cy") : number_of(point, "y") + 3.5;
    EXPECT_NEAR(
        x,
        log_position(intensity, number_of(area, "data-x-min"), number_of(area, "data-x-max"),
                     number_of(area, "data-left"), number_of(area, "data-right")),
        0.02)
        << what;
    EXPECT_NEAR(y,
                log_position(gflops, number_of(area, "data-y-min"), number_of(area, "data-y-max"),
                             number_of(area, "data-bottom"), number_of(area, "data-top")),
                0.02)
        << what;
    ++checked;
  }
  return checked;
}

// Every passed GEMM and STREAM record with flops in the raw profile: the points there must be.
std::size_t records_with_a_place(const fs::path& profile_path) {
  const Json profile = Json::parse(test::read_file(profile_path));
  std::size_t count = 0;
  for (const Json& measurement : profile["measurements"]) {
    const std::string kernel = measurement["kernel"];
    const bool gemm = kernel.find("gemm") != std::string::npos;
    const bool stream =
        kernel.find("stream") != std::string::npos || kernel.find("copy") != std::string::npos;
    if ((gemm || stream) && measurement.value("status", "passed") == "passed" &&
        measurement.value("flops", 0.0) > 0) {
      ++count;
    }
  }
  return count;
}

TEST(RooflinePoints, EveryPointFollowsFromItsRecord) {
  const fs::path base = test::fixtures_dir() / "databases";
  for (const std::string mode : {"25W", "15W"}) {
    const std::string svg = render_svg(drawn_report({"jetson_orin_nano_gpu"}, {mode}));
    const std::size_t checked = check_points_against_records(svg, base);
    // The linked run of the mode: 8 GEMMs passed (int8 was unsupported); its copies do no
    // flops and have no point.
    const fs::path run = base / "profiles/nvidia/jetson_orin_nano_gpu" / mode /
                         (mode == "25W" ? "20251116T100426Z.json" : "20251116T105550Z.json");
    EXPECT_EQ(checked, records_with_a_place(run)) << mode;
    EXPECT_EQ(checked, 8u) << mode;
    EXPECT_NE(svg.find("4 bandwidth records without flops as roofs only"), std::string::npos);
  }
}

TEST(RooflinePoints, PointsFromSamplesCacheRoofsAndMedians) {
  // A run calibrate wrote (samples kept, STREAM swept through L3) on the uncalibrated CPU entry.
  const fs::path profile_path = test::fixtures_dir() / "profiles/intel_core_i7_12700k_default.json";
  const CalibrationProfile profile = load_profile_file(profile_path, "fixture").profile;
  const ResourceModelStorage storage = build_resource_model(minimal_spec("intel_core_i7_12700k"));
  std::optional<RooflinePlotModel> plot = roofline_plot_model(storage.model(), "default");
  ASSERT_TRUE(plot.has_value());
  add_measurements(*plot, storage.model(),
                   {{&profile, "profiles/intel_core_i7_12700k_default.json"}});
  // The L3 sweep is a roof of its own: the median over the one run of its best record.
  ASSERT_EQ(plot->bandwidth_roofs.size(), 1u);
  EXPECT_EQ(plot->bandwidth_roofs[0].level, "L3");
  double best_l3 = 0;
  for (const MeasurementRecord& record : profile.measurements) {
    if (record.residency == Residency::l3 && record.gbps)
      best_l3 = std::max(best_l3, record.gbps->best);
  }
  EXPECT_NEAR(plot->bandwidth_roofs[0].gbps / best_l3, 1, 1e-3);
  // Six GEMMs; the STREAM records of this run count no flops, so they are roofs, not points.
  ASSERT_EQ(plot->points.size(), 6u);
  for (const RooflinePoint& point : plot->points) {
    EXPECT_FALSE(point.bytes_from_shape);
    EXPECT_EQ(point.spread_statistic, "median");
    EXPECT_LE(*point.spread_gflops(), point.best_gflops());
    EXPECT_GT(point.roof_gflops, 0);
  }
  const std::string svg = render_roofline_svg(*plot);
  EXPECT_NE(svg.find("L3 83.1 GB/s, measured"), std::string::npos) << svg;
  EXPECT_EQ(test::compare_golden("roofline_intel_core_i7_12700k_cache.svg", svg), "");
}

TEST(RooflinePoints, OrinNanoGpuWithItsRunsMatchesGolden) {
  const std::string svg = render_svg(drawn_report({"jetson_orin_nano_gpu"}));
  // The headline mode, 25W: GEMM roofs with the spread of the run's trials, the DRAM roof too.
  EXPECT_NE(svg.find("jetson_orin_nano_gpu, power mode 25W: 1 linked calibration run, newest "
                     "2025-11-16T10:04:26Z"),
            std::string::npos);
  EXPECT_NE(svg.find("59.9 GB/s LPDDR5, measured"), std::string::npos);
  EXPECT_NE(svg.find("spread of the runs"), std::string::npos);
  EXPECT_EQ(test::compare_golden("roofline_jetson_orin_nano_gpu_measured.svg", svg), "");
}

TEST(RooflinePoints, TwoEntriesOverlayOnOneSetOfAxes) {
  const std::string svg =
      render_svg(drawn_report({"jetson_orin_nano_gpu", "intel_core_i7_12700k"}));
  EXPECT_NE(svg.find("Roofline: A jetson_orin_nano_gpu 25W against B intel_core_i7_12700k"),
            std::string::npos);
  EXPECT_EQ(test::count_occurrences(svg, "class=\"plot-area\""), 1u);  // one set of axes
  EXPECT_NE(svg.find("A fp32 1.21 TFLOPS GEMM, measured"), std::string::npos) << svg;
  EXPECT_NE(svg.find("B fp32 1.5 TFLOPS"), std::string::npos);
  EXPECT_EQ(check_points_against_records(svg, test::fixtures_dir() / "databases"), 8u);
  EXPECT_EQ(test::compare_golden("roofline_overlay_orin_nano_gpu_i7_12700k.svg", svg), "");
  // Two modes of one entry overlay the same way; a mode the entry lacks is a DataError.
  const std::string modes = render_svg(drawn_report({"jetson_orin_nano_gpu"}, {"15W", "25W"}));
  EXPECT_NE(modes.find("A jetson_orin_nano_gpu 15W against B jetson_orin_nano_gpu 25W"),
            std::string::npos);
  EXPECT_EQ(check_points_against_records(modes, test::fixtures_dir() / "databases"), 16u);
  EXPECT_THROW(render_svg(drawn_report({"jetson_orin_nano_gpu"}, {"40W"})), DataError);
}

TEST(RooflinePoints, WorkloadLayersAreSizedByTheirShareAndColouredByTheirLimit) {
  const ResourceModelStorage storage = build_resource_model(minimal_spec("jetson_orin_nano_gpu"));
  std::optional<RooflinePlotModel> plot = roofline_plot_model(storage.model(), "25W");
  ASSERT_TRUE(plot.has_value());
  RooflineLayer conv;
  conv.workload = "resnet18";
  conv.name = "conv1";
  conv.precision = Precision::fp16;
  conv.flops = 2e9;
  conv.bytes = 1e7;
  conv.best_s = 1e-3;
  conv.median_s = 1.2e-3;
  conv.bound = "compute";
  conv.time_share = 0.75;
  RooflineLayer add = conv;
  add.name = "add";
  add.flops = 1e6;
  add.bytes = 3e6;
  add.best_s = 1e-4;
  add.median_s = std::nullopt;
  add.bound = "memory";
  add.time_share = 0.25;
  add_measurements(*plot, storage.model(), {}, {conv, add});
  ASSERT_EQ(plot->points.size(), 2u);
  EXPECT_DOUBLE_EQ(plot->points[0].intensity(), 200);
  EXPECT_DOUBLE_EQ(plot->points[0].best_gflops(), 2000);
  EXPECT_DOUBLE_EQ(*plot->points[0].spread_gflops(), 2e9 / 1.2e-3 / 1e9);
  // The add sits below the x axis's former decade: the domain grows to hold it.
  EXPECT_LE(plot->x_min, 1.0 / 3);
  const std::string svg = render_roofline_svg(*plot);
  EXPECT_NE(svg.find("data-kind=\"layer\" data-kernel=\"resnet18/conv1\""), std::string::npos);
  EXPECT_NE(svg.find("r=\"11.66\""), std::string::npos);       // 3 + 10 * sqrt(0.75)
  EXPECT_NE(svg.find("r=\"8\""), std::string::npos);           // 3 + 10 * sqrt(0.25)
  EXPECT_NE(svg.find("fill=\"#8e24aa\""), std::string::npos);  // compute-bound
  EXPECT_NE(svg.find("fill=\"#00897b\""), std::string::npos);  // memory-bound
  EXPECT_NE(svg.find("layer, compute-bound (size: time share)"), std::string::npos);
}

TEST(RooflinePoints, IntegerAndFloatRatesNeverShareALabel) {
  const ResourceModelStorage storage = build_resource_model(bundled_spec("nvidia_h100_sxm5_80gb"));
  std::optional<RooflinePlotModel> plot =
      roofline_plot_model(storage.model(), storage.model().default_mode);
  ASSERT_TRUE(plot.has_value());
  for (const RooflineRoof& roof : plot->roofs) {
    for (Precision precision : roof.precisions) {
      EXPECT_EQ(is_integer(precision), is_integer(roof.precisions.front())) << roof.label;
    }
  }
  const std::string svg = render_roofline_svg(*plot);
  EXPECT_EQ(svg.find("fp8/int8"), std::string::npos);
  // Peaks near 2 POPS: the chart reads in PFLOPS and POPS, not in millions of GFLOPS.
  EXPECT_NE(svg.find("PFLOPS (float) / POPS (integer)"), std::string::npos) << svg;
  EXPECT_EQ(svg.find("M</text>"), std::string::npos);
}

}  // namespace
}  // namespace hwcal
