#include "report/roofline_plot.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>

#include <fmt/format.h>

#include "base/stats.hpp"
#include "hwcal/base/error.hpp"
#include "profile/quality.hpp"
#include "report/report.hpp"
#include "report/report_text.hpp"
#include "report/svg.hpp"
#include "summary/summary.hpp"

namespace hwcal {
namespace {

constexpr double kLabelFont = 11;
constexpr double kTitleFont = 14;
constexpr double kSmallFont = 10;
constexpr double kPi = 3.14159265358979323846;
constexpr const char* kSlopeColour = "#555555";
constexpr const char* kTextColour = "#222222";
constexpr const char* kComputeBound = "#8e24aa";
constexpr const char* kMemoryBound = "#00897b";
// Overlays: one colour per plot, the precisions told apart by their labels.
constexpr const char* kSeriesColours[] = {"#1f5fa8", "#c0392b", "#2e7d32", "#8e6d00"};

bool same_rate(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(a, b); }

std::string roof_label(const std::vector<Precision>& precisions) {
  const bool both_fp8 = std::count(precisions.begin(), precisions.end(), Precision::fp8_e4m3) > 0 &&
                        std::count(precisions.begin(), precisions.end(), Precision::fp8_e5m2) > 0;
  std::string label;
  for (Precision precision : precisions) {
    if (both_fp8 && precision == Precision::fp8_e5m2) continue;
    if (!label.empty()) label += "/";
    label +=
        both_fp8 && precision == Precision::fp8_e4m3 ? "fp8" : std::string(to_string(precision));
  }
  return label;
}

double decade_below(double value) { return std::pow(10.0, std::floor(std::log10(value))); }
double decade_above(double value) { return std::pow(10.0, std::ceil(std::log10(value))); }

// The axis-aligned box around a text of `length` px rotated by `degrees` about its baseline start
// `at`, reaching `height` px above the baseline (perpendicular to it).
svg::Box rotated_box(svg::Point at, double length, double height, double degrees) {
  const double radians = degrees * kPi / 180;
  const svg::Point along{std::cos(radians), std::sin(radians)};
  const svg::Point up{std::sin(radians), -std::cos(radians)};
  const svg::Point corners[] = {
      at,
      {at.x + length * along.x, at.y + length * along.y},
      {at.x + height * up.x, at.y + height * up.y},
      {at.x + length * along.x + height * up.x, at.y + length * along.y + height * up.y}};
  svg::Box box{at.x, at.y, at.x, at.y};
  for (const svg::Point& corner : corners) {
    box.left = std::min(box.left, corner.x);
    box.right = std::max(box.right, corner.x);
    box.top = std::min(box.top, corner.y);
    box.bottom = std::max(box.bottom, corner.y);
  }
  return box;
}

svg::Style text_style(double font_size, std::string_view anchor = "start") {
  svg::Style style;
  style.fill = kTextColour;
  style.font_size = font_size;
  style.anchor = std::string(anchor);
  return style;
}

svg::Style line_style(std::string_view colour, double width, std::string_view dash = "") {
  svg::Style style;
  style.stroke = std::string(colour);
  style.stroke_width = width;
  style.fill = "none";
  style.dash = std::string(dash);
  return style;
}

svg::Style fill_style(std::string_view colour, double opacity) {
  svg::Style style;
  style.fill = std::string(colour);
  style.opacity = opacity;
  return style;
}

// Numbers in data-* attributes: six significant digits, enough to recompute a position.
std::string data_number(double value) { return fmt::format("{:.6g}", value); }

struct PendingText {
  svg::Point at;
  std::string text;
  svg::Style style;
  double rotate_degrees = 0;
};

// The rate units of a chart: the one its highest roof reads best in.
struct Units {
  double scale = 1;  // GFLOPS per unit
  std::string flops = "GFLOPS";
  std::string iops = "GIOPS";
};

Units units_for(double highest_gflops) {
  if (highest_gflops >= 1e6) return {1e6, "PFLOPS", "POPS"};
  if (highest_gflops >= 1e3) return {1e3, "TFLOPS", "TOPS"};
  return {};
}

// Everything the drawing functions share: the document, the scales, the plot area, and the
// labels inside the plot, written last so that no line crosses over them.
struct Canvas {
  svg::Document document;
  svg::Scale x;
  svg::Scale y;
  svg::Box area;
  Units units;
  bool overlay = false;
  std::vector<PendingText> labels;
  svg::Point at(double flops_per_byte, double gflops) const {
    return {x(flops_per_byte), y(gflops)};
  }
  std::string unit(Precision precision) const {
    return is_integer(precision) ? units.iops : units.flops;
  }
  // "16.7 TFLOPS"
  std::string rate(double gflops, Precision precision) const {
    return svg::significant(gflops / units.scale) + " " + unit(precision);
  }
};

// "datasheet" or "derived": the first word of a theoretical roof's origin.
std::string origin_word(const std::string& origin) {
  return origin.rfind("derived", 0) == 0 ? "derived" : origin.empty() ? "datasheet" : origin;
}

std::string series_prefix(const Canvas& canvas, std::size_t series) {
  if (!canvas.overlay) return "";
  return std::string(1, static_cast<char>('A' + series)) + " ";
}

std::string roof_colour(const Canvas& canvas, std::size_t series, Precision precision) {
  if (canvas.overlay) return kSeriesColours[series % 4];
  return std::string(precision_colour(precision));
}

// The highest compute roof of a plot (theoretical, calibrated or ceiling): where its memory
// slopes end.
double highest_peak(const RooflinePlotModel& plot) {
  double highest = 0;
  for (const RooflineRoof& roof : plot.roofs) highest = std::max(highest, roof.limits.peak_gflops);
  for (const CeilingRoof& ceiling : plot.ceilings) highest = std::max(highest, ceiling.gflops);
  return highest;
}

// The memory roof the ceilings and cache roofs stand on: the measured one where there is one.
double measured_or_theoretical_bandwidth(const RooflinePlotModel& plot) {
  return plot.calibrated_bandwidth_gbps.value_or(plot.bandwidth_gbps);
}

}  // namespace

bool RooflinePlotModel::calibrated() const {
  return calibrated_bandwidth_gbps.has_value() ||
         std::any_of(roofs.begin(), roofs.end(),
                     [](const RooflineRoof& roof) { return roof.calibrated; });
}

std::string RooflinePlotModel::unit_for(Precision precision) const {
  return is_integer(precision) ? integer_unit : float_unit;
}

std::string_view precision_colour(Precision precision) {
  switch (precision) {
    case Precision::fp64: return "#4b4b9f";
    case Precision::fp32: return "#1f77b4";
    case Precision::tf32: return "#17a2b8";
    case Precision::fp16: return "#2ca02c";
    case Precision::bf16: return "#8a9a1b";
    case Precision::fp8_e4m3: return "#ff7f0e";
    case Precision::fp8_e5m2: return "#c26100";
    case Precision::fp4: return "#8c564b";
    case Precision::int64: return "#555555";
    case Precision::int32: return "#7f7f7f";
    case Precision::int16: return "#e377c2";
    case Precision::int8: return "#9467bd";
    case Precision::int4: return "#b5487f";
  }
  return "#333333";
}

namespace {

// The unit and the log domain in whole decades: a decade below the lowest ridge point (or
// measured point) to a decade above the highest, and from the lowest memory roof's rate at
// x_min (or the slowest point) to above the highest roof.
void fit_domain(RooflinePlotModel& plot) {
  bool floats = false;
  bool integers = false;
  double lowest_ridge = plot.roofs.front().limits.ridge_flops_per_byte();
  double highest_ridge = lowest_ridge;
  double lowest_bandwidth = plot.bandwidth_gbps;
  double highest = highest_peak(plot);
  std::vector<RoofLimits> drawn;
  for (const RooflineRoof& roof : plot.roofs) {
    drawn.push_back(roof.limits);
    (is_integer(roof.precisions.front()) ? integers : floats) = true;
  }
  if (plot.calibrated_memory_roof) drawn.push_back(*plot.calibrated_memory_roof);
  const double measured = measured_or_theoretical_bandwidth(plot);
  for (const CeilingRoof& ceiling : plot.ceilings) {
    drawn.push_back({ceiling.gflops, measured, true, plot.calibrated_bandwidth_gbps.has_value()});
  }
  for (const BandwidthRoof& roof : plot.bandwidth_roofs) drawn.push_back({highest, roof.gbps});
  for (const RoofLimits& limits : drawn) {
    lowest_ridge = std::min(lowest_ridge, limits.ridge_flops_per_byte());
    highest_ridge = std::max(highest_ridge, limits.ridge_flops_per_byte());
    lowest_bandwidth = std::min(lowest_bandwidth, limits.bandwidth_gbps);
  }
  plot.x_min = decade_below(lowest_ridge) / 10;
  plot.x_max = decade_above(highest_ridge) * 10;
  double lowest_rate = lowest_bandwidth * plot.x_min;
  for (const RooflinePoint& point : plot.points) {
    (is_integer(point.precision) ? integers : floats) = true;
    plot.x_min = std::min(plot.x_min, decade_below(point.intensity()));
    plot.x_max = std::max(plot.x_max, decade_above(point.intensity() * 1.05));
    lowest_rate = std::min(lowest_rate, point.spread_gflops().value_or(point.best_gflops()));
    highest = std::max(highest, point.best_gflops());
  }
  lowest_rate = std::min(lowest_rate, lowest_bandwidth * plot.x_min);
  plot.y_min = decade_below(lowest_rate);
  // Room above the highest roof for its label.
  plot.y_max = decade_above(highest * 1.25);
  const Units units = units_for(highest);
  plot.unit_scale = units.scale;
  plot.float_unit = units.flops;
  plot.integer_unit = units.iops;
  plot.y_unit = floats && integers ? units.flops + " (float) / " + units.iops + " (integer)"
                : integers         ? units.iops
                                   : units.flops;
}

double element_bytes(Precision precision) {
  switch (precision) {
    case Precision::fp64:
    case Precision::int64: return 8;
    case Precision::fp32:
    case Precision::tf32:
    case Precision::int32: return 4;
    case Precision::fp16:
    case Precision::bf16:
    case Precision::int16: return 2;
    case Precision::fp8_e4m3:
    case Precision::fp8_e5m2:
    case Precision::int8: return 1;
    case Precision::fp4:
    case Precision::int4: return 0.5;
  }
  return 4;
}

// The fastest trial and the median one (the mean where the record kept no median), in seconds.
struct Trials {
  double best_s = 0;
  std::optional<double> spread_s;
  std::string statistic;
};

std::optional<Trials> trials_of(const MeasurementRecord& record) {
  Trials trials;
  if (!record.samples_s.empty()) {
    trials.best_s = *std::min_element(record.samples_s.begin(), record.samples_s.end());
    trials.spread_s = median(record.samples_s);
    trials.statistic = "median";
  } else if (record.stats_s && record.stats_s->min > 0) {
    trials.best_s = record.stats_s->min;
    if (record.stats_s->median) {
      trials.spread_s = *record.stats_s->median;
      trials.statistic = "median";
    } else if (record.stats_s->mean > 0) {
      trials.spread_s = record.stats_s->mean;
      trials.statistic = "mean";
    }
  } else {
    return std::nullopt;
  }
  if (!(trials.best_s > 0)) return std::nullopt;
  return trials;
}

// A record's rate at its spread trial: GFLOPS for a GEMM, GB/s for a bandwidth kernel.
std::optional<double> spread_rate(const MeasurementRecord& record, bool bandwidth) {
  const std::optional<Trials> trials = trials_of(record);
  const double work = bandwidth ? record.bytes.value_or(0) : record.flops.value_or(0);
  if (!trials || !trials->spread_s || !(work > 0)) return std::nullopt;
  return work / *trials->spread_s / 1e9;
}

bool is_bandwidth(KernelClass kind) {
  return kind == KernelClass::stream || kind == KernelClass::copy;
}

std::optional<std::pair<double, double>> band_of(const std::vector<double>& low,
                                                 const std::vector<double>& high) {
  if (low.empty() || high.empty()) return std::nullopt;
  const double lo = std::min(*std::min_element(low.begin(), low.end()),
                             *std::min_element(high.begin(), high.end()));
  const double hi = *std::max_element(high.begin(), high.end());
  if (!(hi > lo * (1 + 1e-9))) return std::nullopt;
  return std::pair{lo, hi};
}

std::string residency_label(Residency residency) {
  switch (residency) {
    case Residency::l1: return "L1";
    case Residency::l2: return "L2";
    case Residency::l3: return "L3";
    case Residency::dram: return "DRAM";
  }
  return "DRAM";
}

}  // namespace

std::optional<RooflinePlotModel> roofline_plot_model(const ResourceModel& model,
                                                     std::string_view mode) {
  const PowerModeModel* power_mode = model.find_mode(mode);
  if (power_mode == nullptr) detail::throw_unknown_mode(model, mode);
  if (!(power_mode->bandwidth_gbps > 0)) return std::nullopt;

  RooflinePlotModel plot;
  plot.id = std::string(model.id);
  plot.device = report_text::device_name(model.vendor, model.model);
  plot.mode = std::string(mode);
  plot.mode_is_default = mode == model.default_mode;
  plot.bandwidth_gbps = power_mode->bandwidth_gbps;
  plot.bandwidth_measured_only = power_mode->bandwidth_measured_only;
  plot.memory_type = std::string(model.memory_type);
  std::vector<RooflineRoof> theoretical_roofs;
  std::vector<RooflineRoof> calibrated_roofs;
  // Adds `precision` to the roof of equal limits, kind (integer or not) and origin, else starts
  // one: integer and floating-point rates never share a label.
  auto add = [](std::vector<RooflineRoof>& roofs, Precision precision, const RoofLimits& limits,
                bool calibrated, const std::string& origin) {
    auto shared = std::find_if(roofs.begin(), roofs.end(), [&](const RooflineRoof& roof) {
      return same_rate(roof.limits.peak_gflops, limits.peak_gflops) &&
             same_rate(roof.limits.bandwidth_gbps, limits.bandwidth_gbps) &&
             is_integer(roof.precisions.front()) == is_integer(precision) && roof.origin == origin;
    });
    if (shared != roofs.end()) {
      shared->precisions.push_back(precision);
      return;
    }
    roofs.push_back({{precision}, "", limits, calibrated, origin, std::nullopt});
  };
  std::optional<RoofLimits> highest_on_measured_bandwidth;
  for (std::size_t i = 0; i < power_mode->rate_count; ++i) {
    const PrecisionRate& rate = power_mode->rates[i];
    if (!(rate.peak_gflops > 0) || !(rate.calibrated_gflops() > 0)) continue;
    add(theoretical_roofs, rate.precision,
        roof_limits(model, rate.precision, mode, Roof::theoretical), false,
        std::string(origin_label(rate.origin)));
    const RoofLimits calibrated = roof_limits(model, rate.precision, mode, Roof::calibrated);
    if (calibrated.compute_calibrated) {
      add(calibrated_roofs, rate.precision, calibrated, true, "measured");
    }
    if (calibrated.bandwidth_calibrated) {
      plot.calibrated_bandwidth_gbps = calibrated.bandwidth_gbps;
      if (!highest_on_measured_bandwidth ||
          calibrated.peak_gflops > highest_on_measured_bandwidth->peak_gflops) {
        highest_on_measured_bandwidth = calibrated;
      }
    }
  }
  if (theoretical_roofs.empty()) return std::nullopt;
  for (std::vector<RooflineRoof>* roofs : {&theoretical_roofs, &calibrated_roofs}) {
    std::stable_sort(roofs->begin(), roofs->end(),
                     [](const RooflineRoof& a, const RooflineRoof& b) {
                       return a.limits.peak_gflops < b.limits.peak_gflops;
                     });
    for (RooflineRoof& roof : *roofs) {
      roof.label = roof_label(roof.precisions);
      plot.roofs.push_back(roof);
    }
  }
  if (plot.calibrated_bandwidth_gbps && !plot.bandwidth_measured_only) {
    plot.calibrated_memory_roof =
        calibrated_roofs.empty() ? *highest_on_measured_bandwidth : calibrated_roofs.back().limits;
  }
  fit_domain(plot);
  return plot;
}

std::optional<RooflinePoint> record_point(const MeasurementRecord& record, const std::string& run) {
  if (record.status != MeasurementStatus::passed || !record.precision) return std::nullopt;
  const KernelClass kind = kernel_class_of(record);
  if (kind != KernelClass::gemm && !is_bandwidth(kind)) return std::nullopt;
  RooflinePoint point;
  point.kind = kind == KernelClass::gemm ? "gemm" : "stream";
  point.kernel = record.kernel;
  point.precision = *record.precision;
  point.run = run;
  point.flops = record.flops.value_or(0);
  if (!(point.flops > 0)) return std::nullopt;  // a copy: no arithmetic, no intensity
  if (record.bytes && *record.bytes > 0) {
    point.bytes = *record.bytes;
  } else if (kind == KernelClass::gemm && record.shape.m && record.shape.n && record.shape.k) {
    const double m = static_cast<double>(*record.shape.m);
    const double n = static_cast<double>(*record.shape.n);
    const double k = static_cast<double>(*record.shape.k);
    point.bytes = (m * k + k * n + m * n) * element_bytes(point.precision);
    point.bytes_from_shape = true;
  } else {
    return std::nullopt;
  }
  const std::optional<Trials> trials = trials_of(record);
  if (!trials) return std::nullopt;
  point.best_s = trials->best_s;
  point.spread_s = trials->spread_s;
  point.spread_statistic = trials->statistic;
  const MeasurementShape& shape = record.shape;
  if (shape.m && shape.n && shape.k) {
    point.size = *shape.m == *shape.n && *shape.n == *shape.k
                     ? fmt::format("m=n=k={}", *shape.m)
                     : fmt::format("m={} n={} k={}", *shape.m, *shape.n, *shape.k);
  } else {
    point.size = record_size_text(record);
  }
  return point;
}

void add_measurements(RooflinePlotModel& plot, const ResourceModel& model,
                      const std::vector<RooflineRun>& runs,
                      const std::vector<RooflineLayer>& layers) {
  auto theoretical_roof = [&](Precision precision, double intensity) -> double {
    const PowerModeModel* mode = model.find_mode(plot.mode);
    if (mode == nullptr) return 0.0;
    const PrecisionRate* rate = mode->find_rate(precision);
    if (rate == nullptr || !(rate->peak_gflops > 0)) return 0.0;
    return roof_limits(model, precision, plot.mode, Roof::theoretical).attainable_gflops(intensity);
  };
  plot.runs = runs.size();
  std::map<Precision, std::vector<double>> gemm_low;
  std::map<Precision, std::vector<double>> gemm_high;
  std::map<Precision, std::vector<double>> ceilings;
  std::vector<double> dram_low;
  std::vector<double> dram_high;
  struct Level {
    std::vector<double> best;  // per run
    std::vector<double> low;
    std::vector<std::string> kernels;
    std::size_t records = 0;
  };
  std::map<Residency, Level> levels;
  for (const RooflineRun& run : runs) {
    const CalibrationProfile& profile = *run.profile;
    plot.date = std::max(plot.date, profile.started_at);
    for (const MeasurementRecord& record : profile.measurements) {
      if (std::optional<RooflinePoint> point = record_point(record, run.path)) {
        point->roof_gflops = theoretical_roof(point->precision, point->intensity());
        plot.points.push_back(*point);
      } else if (record.status == MeasurementStatus::passed &&
                 is_bandwidth(kernel_class_of(record)) && !(record.flops.value_or(0) > 0)) {
        ++plot.copy_records;
      }
    }
    const RunPeaks peaks = run_peaks(profile);
    for (const auto& [precision, gflops] : peaks.measured) {
      gemm_high[precision].push_back(gflops);
      auto index = peaks.measured_record.find(precision);
      if (index != peaks.measured_record.end()) {
        if (auto low = spread_rate(profile.measurements[index->second], false)) {
          gemm_low[precision].push_back(*low);
        }
      }
    }
    for (const auto& [precision, gflops] : peaks.ceiling) ceilings[precision].push_back(gflops);
    if (peaks.bandwidth_gbps) {
      dram_high.push_back(*peaks.bandwidth_gbps);
      if (peaks.bandwidth_record) {
        if (auto low = spread_rate(profile.measurements[*peaks.bandwidth_record], true)) {
          dram_low.push_back(*low);
        }
      }
    }
    // The cache levels: each run's best record per level the sweep stayed in.
    std::map<Residency, std::pair<double, const MeasurementRecord*>> best;
    for (const MeasurementRecord& record : profile.measurements) {
      if (record.status != MeasurementStatus::passed || !record.residency ||
          *record.residency == Residency::dram || !is_bandwidth(kernel_class_of(record))) {
        continue;
      }
      const std::optional<Trials> trials = trials_of(record);
      if (!trials || !(record.bytes.value_or(0) > 0)) continue;
      const double gbps = *record.bytes / trials->best_s / 1e9;
      Level& level = levels[*record.residency];
      ++level.records;
      if (std::find(level.kernels.begin(), level.kernels.end(), record.kernel) ==
          level.kernels.end()) {
        level.kernels.push_back(record.kernel);
      }
      auto& slot = best[*record.residency];
      if (gbps > slot.first) slot = {gbps, &record};
    }
    for (const auto& [residency, slot] : best) {
      levels[residency].best.push_back(slot.first);
      if (auto low = spread_rate(*slot.second, true)) levels[residency].low.push_back(*low);
    }
  }
  for (RooflineRoof& roof : plot.roofs) {
    if (!roof.calibrated) continue;
    std::vector<double> low;
    std::vector<double> high;
    for (Precision precision : roof.precisions) {
      low.insert(low.end(), gemm_low[precision].begin(), gemm_low[precision].end());
      high.insert(high.end(), gemm_high[precision].begin(), gemm_high[precision].end());
    }
    roof.band = band_of(low, high);
  }
  if (plot.calibrated_bandwidth_gbps) plot.bandwidth_band = band_of(dram_low, dram_high);
  for (const auto& [precision, values] : ceilings) {
    CeilingRoof ceiling;
    ceiling.precision = precision;
    ceiling.gflops = median(values);
    ceiling.band = band_of(values, values);
    plot.ceilings.push_back(ceiling);
  }
  // Fastest level first (L1 before L2 before L3).
  for (const auto& [residency, level] : levels) {
    if (level.best.empty()) continue;
    BandwidthRoof roof;
    roof.level = residency_label(residency);
    roof.gbps = median(level.best);
    roof.band = band_of(level.low, level.best);
    roof.source = fmt::format("{}, {} record{}, {} run{}", fmt::join(level.kernels, ", "),
                              level.records, level.records == 1 ? "" : "s", level.best.size(),
                              level.best.size() == 1 ? "" : "s");
    plot.bandwidth_roofs.push_back(roof);
  }
  for (const RooflineLayer& layer : layers) {
    if (!(layer.flops > 0) || !(layer.bytes > 0) || !(layer.best_s > 0)) continue;
    RooflinePoint point;
    point.kind = "layer";
    point.kernel = layer.workload + "/" + layer.name;
    point.size = fmt::format("{:.1f}% of the time", layer.time_share * 100);
    point.precision = layer.precision;
    point.run = layer.run;
    point.flops = layer.flops;
    point.bytes = layer.bytes;
    point.best_s = layer.best_s;
    point.spread_s = layer.median_s;
    point.spread_statistic = layer.median_s ? "median" : "";
    point.bound = layer.bound;
    point.time_share = layer.time_share;
    point.roof_gflops = theoretical_roof(point.precision, point.intensity());
    plot.points.push_back(point);
  }
  fit_domain(plot);
}

namespace {

std::string plot_name(const RooflinePlotModel& plot) {
  return plot.mode == "default" ? plot.id : plot.id + " " + plot.mode;
}

std::string mode_words(const RooflinePlotModel& plot) {
  // A device without power modes has the one mode "default": nothing to say about it.
  return plot.mode == "default" ? ""
                                : fmt::format(", power mode {}{}", plot.mode,
                                              plot.mode_is_default ? " (default)" : "");
}

std::string title_text(const std::vector<RooflinePlotModel>& plots, double width) {
  if (plots.size() > 1) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < plots.size(); ++i) {
      names.push_back(fmt::format("{} {}", static_cast<char>('A' + i), plot_name(plots[i])));
    }
    return fmt::format("Roofline: {}", fmt::join(names, " against "));
  }
  const RooflinePlotModel& plot = plots.front();
  const std::string mode = mode_words(plot);
  for (const std::string& text : {fmt::format("Roofline: {} ({}){}", plot.device, plot.id, mode),
                                  fmt::format("Roofline: {}{}", plot.device, mode)}) {
    if (svg::text_width(text, kTitleFont) <= width) return text;
  }
  return fmt::format("Roofline: {}{}", plot.id, mode);
}

// Where the figure comes from: entry, mode, runs and their date, as the figure itself says.
std::string provenance_text(const RooflinePlotModel& plot, const std::string& prefix) {
  std::string text = fmt::format("{}{}{}: ", prefix, plot.id,
                                 plot.mode == "default" ? "" : ", power mode " + plot.mode);
  if (plot.runs == 0) {
    text += plot.calibrated() ? "calibration summary only (no linked run found)"
                              : "not calibrated: theoretical roofs only";
  } else {
    text += fmt::format("{} linked calibration run{}, newest {}; {} measured point{}", plot.runs,
                        plot.runs == 1 ? "" : "s", plot.date, plot.points.size(),
                        plot.points.size() == 1 ? "" : "s");
    if (plot.copy_records > 0) {
      text += fmt::format("; {} bandwidth record{} without flops as roofs only", plot.copy_records,
                          plot.copy_records == 1 ? "" : "s");
    }
  }
  return text;
}

struct MarginLabel {
  double gflops = 0;
  std::string text;
  std::string colour;
  std::string dash;
  std::string tooltip;
};

std::vector<MarginLabel> margin_labels(const Canvas& canvas,
                                       const std::vector<RooflinePlotModel>& plots) {
  std::vector<MarginLabel> labels;
  for (std::size_t s = 0; s < plots.size(); ++s) {
    const RooflinePlotModel& plot = plots[s];
    const std::string prefix = series_prefix(canvas, s);
    for (const RooflineRoof& roof : plot.roofs) {
      const Precision precision = roof.precisions.front();
      MarginLabel label;
      label.gflops = roof.limits.peak_gflops;
      label.colour = roof_colour(canvas, s, precision);
      label.dash = roof.calibrated ? "4 2" : "";
      label.text = fmt::format("{}{} {} {}", prefix, roof.label,
                               canvas.rate(roof.limits.peak_gflops, precision),
                               roof.calibrated ? "GEMM, measured" : origin_word(roof.origin));
      label.tooltip =
          fmt::format("{}{} {} peak in power mode {}: {} {} ({})", prefix, roof.label,
                      roof.calibrated ? "calibrated GEMM" : "theoretical", plot.mode,
                      format_rate(roof.limits.peak_gflops), throughput_unit(precision),
                      roof.calibrated ? "measured: the best GEMM of the linked runs, their median"
                                      : roof.origin);
      if (roof.band) {
        label.tooltip += fmt::format("; runs' spread {} to {}", format_rate(roof.band->first),
                                     format_rate(roof.band->second));
      }
      labels.push_back(label);
    }
    for (const CeilingRoof& ceiling : plot.ceilings) {
      MarginLabel label;
      label.gflops = ceiling.gflops;
      label.colour = roof_colour(canvas, s, ceiling.precision);
      label.dash = "1 2";
      label.text = fmt::format("{}{} {} FMA, measured", prefix, to_string(ceiling.precision),
                               canvas.rate(ceiling.gflops, ceiling.precision));
      label.tooltip = fmt::format(
          "{}{} arithmetic ceiling in power mode {}: {} {} (measured: the best peak-FMA kernel "
          "of the linked runs, their median)",
          prefix, to_string(ceiling.precision), plot.mode, format_rate(ceiling.gflops),
          throughput_unit(ceiling.precision));
      labels.push_back(label);
    }
  }
  return labels;
}

struct LegendItem {
  std::string label;
  std::function<void(double x, double baseline)> sample;
  double sample_width = 30;
};

// What the legend lists: only what the chart shows.
std::vector<LegendItem> legend_items(Canvas& canvas, const std::vector<RooflinePlotModel>& plots) {
  using Item = LegendItem;
  std::vector<Item> items;
  auto line_item = [&](std::string label, std::string dash, double width) {
    items.push_back({std::move(label),
                     [&canvas, dash, width](double x, double baseline) {
                       canvas.document.line({x, baseline - 4}, {x + 24, baseline - 4},
                                            line_style(kSlopeColour, width, dash));
                     },
                     30});
  };
  bool calibrated = false;
  bool ceilings = false;
  bool bands = false;
  bool gemm = false;
  bool shape_bytes = false;
  bool stream = false;
  bool compute_layers = false;
  bool memory_layers = false;
  bool uncalibrated = false;
  for (const RooflinePlotModel& plot : plots) {
    // Measured lines: the entry's calibrated roofs, or cache roofs from a run alone.
    calibrated = calibrated || plot.calibrated() || !plot.bandwidth_roofs.empty();
    uncalibrated = uncalibrated || (!plot.calibrated() && plot.runs == 0);
    ceilings = ceilings || !plot.ceilings.empty();
    bands = bands || plot.bandwidth_band.has_value();
    for (const RooflineRoof& roof : plot.roofs) bands = bands || roof.band.has_value();
    for (const CeilingRoof& ceiling : plot.ceilings) bands = bands || ceiling.band.has_value();
    for (const BandwidthRoof& roof : plot.bandwidth_roofs) bands = bands || roof.band.has_value();
    for (const RooflinePoint& point : plot.points) {
      gemm = gemm || point.kind == "gemm";
      shape_bytes = shape_bytes || point.bytes_from_shape;
      stream = stream || point.kind == "stream";
      compute_layers = compute_layers || (point.kind == "layer" && point.bound == "compute");
      memory_layers = memory_layers || (point.kind == "layer" && point.bound != "compute");
    }
  }
  if (canvas.overlay) {
    for (std::size_t s = 0; s < plots.size(); ++s) {
      const std::string colour = kSeriesColours[s % 4];
      items.push_back({fmt::format("{}{}", series_prefix(canvas, s), plot_name(plots[s])),
                       [&canvas, colour](double x, double baseline) {
                         canvas.document.rect({x, baseline - 9}, 18, 10, fill_style(colour, 1));
                       },
                       24});
    }
  }
  line_item("theoretical (datasheet or derived)", "", 2);
  if (calibrated) {
    line_item("measured (GEMM, bandwidth)", "6 4", 1.5);
  }
  if (ceilings) line_item("measured FMA ceiling", "1 2", 2);
  if (bands) {
    items.push_back(
        {"spread of the runs",
         [&canvas](double x, double baseline) {
           canvas.document.rect({x, baseline - 10}, 24, 12, fill_style(kSlopeColour, 0.18));
         },
         30});
  }
  if (gemm) {
    items.push_back({"GEMM record",
                     [&canvas](double x, double baseline) {
                       svg::Style dot = fill_style(kSlopeColour, 1);
                       canvas.document.circle({x + 5, baseline - 4}, 4, dot);
                     },
                     14});
  }
  if (shape_bytes) {
    items.push_back({"hollow: bytes from m, n, k",
                     [&canvas](double x, double baseline) {
                       svg::Style ring = line_style(kSlopeColour, 1.5);
                       ring.fill = "#ffffff";
                       canvas.document.circle({x + 5, baseline - 4}, 3.5, ring);
                     },
                     14});
  }
  if (stream) {
    items.push_back(
        {"STREAM record",
         [&canvas](double x, double baseline) {
           canvas.document.rect({x + 1.5, baseline - 7.5}, 7, 7, fill_style(kSlopeColour, 1));
         },
         14});
  }
  if (compute_layers) {
    items.push_back(
        {"layer, compute-bound (size: time share)",
         [&canvas](double x, double baseline) {
           canvas.document.circle({x + 5, baseline - 4}, 5, fill_style(kComputeBound, 0.7));
         },
         14});
  }
  if (memory_layers) {
    items.push_back(
        {"layer, memory-bound",
         [&canvas](double x, double baseline) {
           canvas.document.circle({x + 5, baseline - 4}, 5, fill_style(kMemoryBound, 0.7));
         },
         14});
  }
  items.push_back(
      {"ridge point (flop/byte)",
       [&canvas](double x, double baseline) {
         canvas.document.circle({x + 4, baseline - 4}, 3.5, fill_style(kSlopeColour, 1));
       },
       12});
  if (uncalibrated && !canvas.overlay) {
    items.push_back({"not calibrated: theoretical roofs only", nullptr, 0});
  }
  return items;
}

// The legend in rows as wide as the figure allows; returns the number of rows. With `draw`
// false it only counts them.
int layout_legend(Canvas& canvas, const std::vector<LegendItem>& items, double first_row,
                  bool draw) {
  if (draw) canvas.document.begin_group("legend");
  int rows = 1;
  double baseline = first_row;
  double cursor = 12;
  const double right = canvas.document.width() - 12;
  for (const LegendItem& item : items) {
    const double width = item.sample_width + svg::text_width(item.label, kLabelFont);
    if (cursor > 12 && cursor + width > right) {
      cursor = 12;
      baseline += 16;
      ++rows;
    }
    if (draw) {
      if (item.sample) item.sample(cursor, baseline);
      svg::Style style = text_style(kLabelFont);
      if (!item.sample) style.fill = "#777777";
      canvas.document.text({cursor + item.sample_width, baseline}, item.label, style);
    }
    cursor += width + 14;
  }
  if (draw) canvas.document.end_group();
  return rows;
}

// A memory roof's line from x_min up to `top_gflops`, labelled along its slope: above the line
// for the theoretical roof, below it for the measured ones.
void draw_slope(Canvas& canvas, svg::LabelPlacer& placer, const RooflinePlotModel& plot,
                double gbps, double top_gflops, const std::string& colour, double width,
                const std::string& dash, bool label_below, const std::string& label) {
  const RoofLimits roof{top_gflops, gbps};
  const svg::Point from = canvas.at(plot.x_min, roof.attainable_gflops(plot.x_min));
  const double ridge = roof.ridge_flops_per_byte();
  const svg::Point to = canvas.at(ridge, roof.attainable_gflops(ridge));
  canvas.document.polyline({from, to}, line_style(colour, width, dash));

  const double degrees = std::atan2(to.y - from.y, to.x - from.x) * 180 / kPi;
  const double radians = degrees * kPi / 180;
  const svg::Point along{std::cos(radians), std::sin(radians)};
  const svg::Point up{std::sin(radians), -std::cos(radians)};
  const double length = svg::text_width(label, kLabelFont);
  const double height = 0.8 * kLabelFont;
  // Start a little way along the line, and far enough up for a label below the line to clear
  // the bottom of the plot; labels that still do not fit are left out.
  const double offset = label_below ? -(4 + height) : 4;
  for (double step = 14; step < 500; step += 4) {
    const svg::Point on_line{from.x + step * along.x, from.y + step * along.y};
    const svg::Point start{on_line.x + offset * up.x, on_line.y + offset * up.y};
    const svg::Box box = rotated_box(start, length, height, degrees);
    if (box.bottom > canvas.area.bottom - 2) continue;
    // The text piece by piece: the box around a whole slanted label would cover the markers
    // beside it.
    std::vector<svg::Box> pieces;
    for (double along_text = 0; along_text < length; along_text += height) {
      const svg::Point piece{start.x + along_text * along.x, start.y + along_text * along.y};
      pieces.push_back(rotated_box(piece, std::min(height, length - along_text), height, degrees));
    }
    if (placer.place_all(pieces)) {
      svg::Style style = text_style(kLabelFont);
      style.fill = "#444444";
      style.halo = true;
      canvas.labels.push_back({start, label, style, degrees});
      return;
    }
  }
}

// The band between two memory roofs, up to `top_gflops`.
void draw_slope_band(Canvas& canvas, const RooflinePlotModel& plot,
                     const std::pair<double, double>& band, double top_gflops,
                     const std::string& colour) {
  const double lo = band.first;
  const double hi = band.second;
  canvas.document.polygon(
      {canvas.at(plot.x_min, lo * plot.x_min), canvas.at(top_gflops / lo, top_gflops),
       canvas.at(top_gflops / hi, top_gflops), canvas.at(plot.x_min, hi * plot.x_min)},
      fill_style(colour, 0.15));
}

// A compute band: from the roof's ridge to the right edge, between the spread's ends.
void draw_flat_band(Canvas& canvas, const RooflinePlotModel& plot, double from_intensity,
                    const std::pair<double, double>& band, const std::string& colour) {
  const double left = canvas.x(from_intensity);
  const double right = canvas.x(plot.x_max);
  const double top = canvas.y(band.second);
  const double bottom = canvas.y(band.first);
  canvas.document.rect({left, top}, right - left, std::max(bottom - top, 0.5),
                       fill_style(colour, 0.18));
}

void draw_memory_roofs(Canvas& canvas, svg::LabelPlacer& placer,
                       const std::vector<RooflinePlotModel>& plots) {
  canvas.document.begin_group("memory-roof", "memory bandwidth roofs");
  for (std::size_t s = 0; s < plots.size(); ++s) {
    const RooflinePlotModel& plot = plots[s];
    const std::string prefix = series_prefix(canvas, s);
    const std::string colour = canvas.overlay ? kSeriesColours[s % 4] : kSlopeColour;
    // The solid slope runs up to the highest theoretical roof.
    double highest_theoretical = 0;
    for (const RooflineRoof& roof : plot.roofs) {
      if (!roof.calibrated) {
        highest_theoretical = std::max(highest_theoretical, roof.limits.peak_gflops);
      }
    }
    draw_slope(canvas, placer, plot, plot.bandwidth_gbps, highest_theoretical, colour, 2, "", false,
               prefix + format_rate(plot.bandwidth_gbps) +
                   (plot.bandwidth_measured_only ? " GB/s measured (theoretical unknown)"
                                                 : " GB/s datasheet"));
    const std::string memory = plot.memory_type.empty() ? "DRAM" : plot.memory_type;
    if (plot.calibrated_memory_roof) {
      const double top = std::max(plot.calibrated_memory_roof->peak_gflops, [&] {
        double highest = 0;
        for (const CeilingRoof& ceiling : plot.ceilings)
          highest = std::max(highest, ceiling.gflops);
        return highest;
      }());
      if (plot.bandwidth_band) draw_slope_band(canvas, plot, *plot.bandwidth_band, top, colour);
      draw_slope(canvas, placer, plot, *plot.calibrated_bandwidth_gbps, top, colour, 1.5, "6 4",
                 true,
                 fmt::format("{}{} GB/s {}, measured", prefix,
                             format_rate(*plot.calibrated_bandwidth_gbps), memory));
    }
    const double top = highest_peak(plot);
    for (const BandwidthRoof& roof : plot.bandwidth_roofs) {
      if (roof.band) draw_slope_band(canvas, plot, *roof.band, top, colour);
      draw_slope(canvas, placer, plot, roof.gbps, top, colour, 1.2, "3 3", true,
                 fmt::format("{}{} {} GB/s, measured", prefix, roof.level, format_rate(roof.gbps)));
    }
  }
  canvas.document.end_group();
}

void draw_compute_roofs(Canvas& canvas, const std::vector<RooflinePlotModel>& plots) {
  for (std::size_t s = 0; s < plots.size(); ++s) {
    const RooflinePlotModel& plot = plots[s];
    for (const RooflineRoof& roof : plot.roofs) {
      const std::string colour = roof_colour(canvas, s, roof.precisions.front());
      canvas.document.begin_group(
          "roof", fmt::format("{}{} {} compute roof ({})", series_prefix(canvas, s), roof.label,
                              roof.calibrated ? "calibrated" : "theoretical",
                              roof.calibrated ? "measured" : roof.origin));
      const double ridge = roof.limits.ridge_flops_per_byte();
      if (roof.band) draw_flat_band(canvas, plot, ridge, *roof.band, colour);
      canvas.document.polyline({canvas.at(ridge, roof.limits.attainable_gflops(ridge)),
                                canvas.at(plot.x_max, roof.limits.attainable_gflops(plot.x_max))},
                               line_style(colour, 2, roof.calibrated ? "6 4" : ""));
      canvas.document.end_group();
    }
    const double bandwidth = measured_or_theoretical_bandwidth(plot);
    for (const CeilingRoof& ceiling : plot.ceilings) {
      const std::string colour = roof_colour(canvas, s, ceiling.precision);
      canvas.document.begin_group("ceiling",
                                  fmt::format("{}{} measured FMA ceiling", series_prefix(canvas, s),
                                              to_string(ceiling.precision)));
      const double ridge = ceiling.gflops / bandwidth;
      if (ceiling.band) draw_flat_band(canvas, plot, ridge, *ceiling.band, colour);
      canvas.document.polyline(
          {canvas.at(ridge, ceiling.gflops), canvas.at(plot.x_max, ceiling.gflops)},
          line_style(colour, 2, "1 2"));
      canvas.document.end_group();
    }
  }
}

// Each roof's name, rate and origin in the right margin, at the height of its line where the
// labels do not crowd, joined to the line by a short leader where they had to move.
void draw_roof_labels(Canvas& canvas, const std::vector<MarginLabel>& labels) {
  std::vector<double> wanted;
  for (const MarginLabel& label : labels) wanted.push_back(canvas.y(label.gflops) + 4);
  const std::vector<double> baselines =
      svg::spread(wanted, kLabelFont + 2, canvas.area.top + 10, canvas.area.bottom);
  canvas.document.begin_group("roof-labels");
  const double right = canvas.area.right;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const MarginLabel& label = labels[i];
    const double line_y = canvas.y(label.gflops);
    const double mark_y = baselines[i] - 4;
    if (std::fabs(mark_y - line_y) > 0.5) {
      canvas.document.line({right, line_y}, {right + 6, mark_y}, line_style(label.colour, 1));
    }
    canvas.document.line({right + 6, mark_y}, {right + 20, mark_y},
                         line_style(label.colour, 2, label.dash));
    canvas.document.text({right + 24, baselines[i]}, label.text, text_style(kLabelFont), 0,
                         label.tooltip);
  }
  canvas.document.end_group();
}

void draw_ridge_points(Canvas& canvas, svg::LabelPlacer& placer,
                       const std::vector<RooflinePlotModel>& plots) {
  canvas.document.begin_group("ridge-points");
  for (std::size_t s = 0; s < plots.size(); ++s) {
    const RooflinePlotModel& plot = plots[s];
    for (const RooflineRoof& roof : plot.roofs) {
      const std::string colour = roof_colour(canvas, s, roof.precisions.front());
      svg::Style marker;
      marker.stroke = colour;
      marker.stroke_width = 1.5;
      marker.fill = roof.calibrated ? "#ffffff" : colour;
      const double ridge = roof.limits.ridge_flops_per_byte();
      const svg::Point p = canvas.at(ridge, roof.limits.attainable_gflops(ridge));
      const std::string value = svg::significant(ridge);
      canvas.document.circle(
          p, 3.5, marker,
          fmt::format("{}{} {} ridge point in power mode {}: {} {} / {} GB/s = {} flop/byte",
                      series_prefix(canvas, s), roof.label,
                      roof.calibrated ? "calibrated" : "theoretical", plot.mode,
                      format_rate(roof.limits.peak_gflops),
                      throughput_unit(roof.precisions.front()),
                      format_rate(roof.limits.bandwidth_gbps), value));
      // Theoretical ridges are labelled above the roof, calibrated ones below it, where the
      // plot is empty; the other candidates serve when a neighbour took the place.
      struct Candidate {
        svg::Point at;
        const char* anchor;
      };
      const std::vector<Candidate> theoretical = {{{p.x - 6, p.y - 6}, "end"},
                                                  {{p.x - 8, p.y + 4}, "end"},
                                                  {{p.x + 6, p.y - 6}, "start"},
                                                  {{p.x + 6, p.y + 15}, "start"}};
      const std::vector<Candidate> calibrated = {{{p.x + 6, p.y + 15}, "start"},
                                                 {{p.x, p.y + 18}, "middle"},
                                                 {{p.x - 6, p.y + 15}, "end"},
                                                 {{p.x + 8, p.y + 4}, "start"}};
      const std::vector<Candidate>& candidates = roof.calibrated ? calibrated : theoretical;
      std::vector<svg::Box> boxes;
      for (const Candidate& candidate : candidates) {
        boxes.push_back(svg::text_box(candidate.at, value, kLabelFont, candidate.anchor));
      }
      if (auto chosen = placer.place(boxes)) {
        svg::Style style = text_style(kLabelFont, candidates[*chosen].anchor);
        style.halo = true;
        canvas.labels.push_back({candidates[*chosen].at, value, style, 0});
      }
    }
  }
  canvas.document.end_group();
}

std::string point_tooltip(const Canvas& canvas, const RooflinePoint& point,
                          const std::string& prefix) {
  std::string text =
      fmt::format("{}{} {} ({}): {} best", prefix, point.kernel, point.size,
                  to_string(point.precision), canvas.rate(point.best_gflops(), point.precision));
  if (auto spread = point.spread_gflops()) {
    text +=
        fmt::format(", {} {} trial", canvas.rate(*spread, point.precision), point.spread_statistic);
  }
  text += fmt::format("; {} flop/byte", svg::significant(point.intensity()));
  if (point.bytes_from_shape) text += " (bytes from m, n, k: the record gives none)";
  if (point.roof_gflops > 0) {
    text += fmt::format(
        "; {} of the {} roof ({} here)", format_percent(point.best_gflops() / point.roof_gflops),
        to_string(point.precision), canvas.rate(point.roof_gflops, point.precision));
  }
  if (point.bound) text += "; bound by " + *point.bound;
  if (!point.run.empty()) text += "; run " + point.run;
  return text;
}

void draw_points(Canvas& canvas, const std::vector<RooflinePlotModel>& plots) {
  canvas.document.begin_group("points", "measured records and workload layers");
  // The scales, for a reader (or a test) that maps a point's figures back to its position.
  svg::Style frame;
  frame.fill = "none";
  frame.css_class = "plot-area";
  frame.data = {
      {"x-min", data_number(canvas.x.domain_min())}, {"x-max", data_number(canvas.x.domain_max())},
      {"y-min", data_number(canvas.y.domain_min())}, {"y-max", data_number(canvas.y.domain_max())},
      {"left", svg::number(canvas.area.left)},       {"right", svg::number(canvas.area.right)},
      {"top", svg::number(canvas.area.top)},         {"bottom", svg::number(canvas.area.bottom)}};
  canvas.document.rect({canvas.area.left, canvas.area.top}, canvas.area.right - canvas.area.left,
                       canvas.area.bottom - canvas.area.top, frame);
  for (std::size_t s = 0; s < plots.size(); ++s) {
    // The layers first: they are larger, and the records' markers stay visible on top.
    for (bool layers : {true, false}) {
      for (const RooflinePoint& point : plots[s].points) {
        if ((point.kind == "layer") != layers) continue;
        const svg::Point at = canvas.at(point.intensity(), point.best_gflops());
        const std::string colour = point.kind == "layer"
                                       ? (point.bound == "compute" ? kComputeBound : kMemoryBound)
                                       : roof_colour(canvas, s, point.precision);
        if (auto spread = point.spread_gflops()) {
          canvas.document.line({at.x, canvas.y(*spread)}, at, line_style(colour, 1.2));
        }
        svg::Style style;
        style.css_class = "point";
        style.fill = point.bytes_from_shape ? "#ffffff" : colour;
        style.stroke = point.bytes_from_shape ? colour : "#ffffff";
        style.stroke_width = point.bytes_from_shape ? 1.5 : 0.8;
        if (point.kind == "layer") style.opacity = 0.7;
        style.data = {{"kind", point.kind},
                      {"kernel", point.kernel},
                      {"size", point.size},
                      {"precision", std::string(to_string(point.precision))},
                      {"run", point.run},
                      {"flops", data_number(point.flops)},
                      {"bytes", data_number(point.bytes)},
                      {"bytes-origin", point.bytes_from_shape ? "shape" : "record"},
                      {"best-s", data_number(point.best_s)},
                      {"intensity", data_number(point.intensity())},
                      {"gflops", data_number(point.best_gflops())}};
        if (auto spread = point.spread_gflops()) {
          style.data.push_back({"spread", point.spread_statistic});
          style.data.push_back({"spread-gflops", data_number(*spread)});
        }
        if (point.roof_gflops > 0) {
          style.data.push_back({"roof-gflops", data_number(point.roof_gflops)});
          style.data.push_back({"fraction", data_number(point.best_gflops() / point.roof_gflops)});
        }
        if (point.kind == "layer") {
          style.data.push_back({"bound", point.bound.value_or("")});
          style.data.push_back({"share", data_number(point.time_share)});
        }
        if (canvas.overlay) style.data.push_back({"series", series_prefix(canvas, s).substr(0, 1)});
        const std::string tooltip = point_tooltip(canvas, point, series_prefix(canvas, s));
        if (point.kind == "stream") {
          canvas.document.rect({at.x - 3.5, at.y - 3.5}, 7, 7, style, tooltip);
        } else {
          const double radius =
              point.kind == "layer" ? 3 + 10 * std::sqrt(std::max(point.time_share, 0.0)) : 4;
          canvas.document.circle(at, radius, style, tooltip);
        }
      }
    }
  }
  canvas.document.end_group();
}

std::string accessible_title(const Canvas& canvas, const RooflinePlotModel& plot,
                             const std::string& prefix) {
  std::string title =
      fmt::format("{}Roofline of {} ({}){}: memory {} GB/s", prefix, plot.device, plot.id,
                  plot.mode == "default" ? "" : " in power mode " + plot.mode,
                  format_rate(plot.bandwidth_gbps));
  if (plot.bandwidth_measured_only) {
    title += " measured (theoretical bandwidth unknown)";
  } else if (plot.calibrated_bandwidth_gbps) {
    title += fmt::format(" ({} measured)", format_rate(*plot.calibrated_bandwidth_gbps));
  }
  for (const BandwidthRoof& roof : plot.bandwidth_roofs) {
    title += fmt::format("; {} {} GB/s measured", roof.level, format_rate(roof.gbps));
  }
  for (const RooflineRoof& roof : plot.roofs) {
    title += fmt::format("; {} {} {}", roof.label, roof.calibrated ? "calibrated" : "theoretical",
                         canvas.rate(roof.limits.peak_gflops, roof.precisions.front()));
  }
  for (const CeilingRoof& ceiling : plot.ceilings) {
    title += fmt::format("; {} FMA ceiling {}", to_string(ceiling.precision),
                         canvas.rate(ceiling.gflops, ceiling.precision));
  }
  if (!plot.points.empty()) title += fmt::format("; {} measured points", plot.points.size());
  return title;
}

std::string render(const std::vector<RooflinePlotModel>& plots,
                   const RooflinePlotOptions& options) {
  if (plots.empty()) throw Error("a roofline needs at least one plot");
  const bool overlay = plots.size() > 1;
  // One set of axes for all: the union of the domains, one unit for the highest roof.
  double x_min = plots.front().x_min;
  double x_max = plots.front().x_max;
  double y_min = plots.front().y_min;
  double y_max = plots.front().y_max;
  double highest = 0;
  bool floats = false;
  bool integers = false;
  for (const RooflinePlotModel& plot : plots) {
    x_min = std::min(x_min, plot.x_min);
    x_max = std::max(x_max, plot.x_max);
    y_min = std::min(y_min, plot.y_min);
    y_max = std::max(y_max, plot.y_max);
    highest = std::max(highest, highest_peak(plot));
    for (const RooflineRoof& roof : plot.roofs) {
      (is_integer(roof.precisions.front()) ? integers : floats) = true;
    }
    for (const RooflinePoint& point : plot.points) {
      highest = std::max(highest, point.best_gflops());
      (is_integer(point.precision) ? integers : floats) = true;
    }
  }
  const Units units = units_for(highest);
  // Every plot drawn over the whole shared domain: slopes from its left edge, roofs to its
  // right one.
  std::vector<RooflinePlotModel> shared = plots;
  for (RooflinePlotModel& plot : shared) {
    plot.x_min = x_min;
    plot.x_max = x_max;
    plot.y_min = y_min;
    plot.y_max = y_max;
  }
  const std::string y_unit = floats && integers
                                 ? units.flops + " (float) / " + units.iops + " (integer)"
                             : integers ? units.iops
                                        : units.flops;

  Canvas canvas{svg::Document(options.width_px, options.height_px),
                svg::Scale::log10(1, 10, 0, 1),
                svg::Scale::log10(1, 10, 0, 1),
                {},
                units,
                overlay,
                {}};
  const std::vector<MarginLabel> labels = margin_labels(canvas, shared);
  // The right margin holds the roof labels: as wide as the widest needs.
  double label_width = 0;
  for (const MarginLabel& label : labels) {
    label_width = std::max(label_width, svg::text_width(label.text, kLabelFont));
  }
  const std::vector<LegendItem> legend = legend_items(canvas, shared);
  const int rows = layout_legend(canvas, legend, 42, false);
  const double left = 72;
  const double right = options.width_px - std::max(110.0, 32 + label_width);
  const double top = 44 + 16.0 * rows;
  const double bottom = options.height_px - 50 - 14 * static_cast<double>(plots.size());
  canvas.x = svg::Scale::log10(x_min, x_max, left, right);
  canvas.y = svg::Scale::log10(y_min, y_max, bottom, top);
  canvas.area = {left, top, right, bottom};

  svg::Style title = text_style(kTitleFont);
  title.font_weight = "bold";
  canvas.document.text({12, 22}, title_text(shared, options.width_px - 24), title);
  layout_legend(canvas, legend, 42, true);

  svg::AxisOptions axis_options;
  axis_options.y_title_offset = 52;
  for (double value : canvas.y.ticks()) {
    axis_options.y_ticks.push_back({value, svg::tick_label(value / units.scale)});
  }
  svg::draw_axes(canvas.document, canvas.x, canvas.y, {"arithmetic intensity (flop/byte)", y_unit},
                 axis_options);

  svg::LabelPlacer placer({left + 2, top + 2, right - 2, bottom - 2});
  // Markers first, so that no label covers one.
  for (const RooflinePlotModel& plot : shared) {
    for (const RooflineRoof& roof : plot.roofs) {
      const double ridge = roof.limits.ridge_flops_per_byte();
      const svg::Point p = canvas.at(ridge, roof.limits.attainable_gflops(ridge));
      placer.reserve({p.x - 4, p.y - 4, p.x + 4, p.y + 4});
    }
    for (const RooflinePoint& point : plot.points) {
      const svg::Point p = canvas.at(point.intensity(), point.best_gflops());
      placer.reserve({p.x - 4, p.y - 4, p.x + 4, p.y + 4});
    }
  }
  draw_memory_roofs(canvas, placer, shared);
  draw_compute_roofs(canvas, shared);
  draw_ridge_points(canvas, placer, shared);
  draw_points(canvas, shared);
  canvas.document.begin_group("plot-labels");
  for (const PendingText& label : canvas.labels) {
    canvas.document.text(label.at, label.text, label.style, label.rotate_degrees);
  }
  canvas.document.end_group();
  draw_roof_labels(canvas, labels);

  // Provenance, in the figure itself: a figure copied out of the report still says what it is.
  canvas.document.begin_group("provenance");
  svg::Style small = text_style(kSmallFont);
  small.fill = "#555555";
  for (std::size_t s = 0; s < plots.size(); ++s) {
    canvas.document.text(
        {12, options.height_px - 10 - 14 * static_cast<double>(plots.size() - 1 - s)},
        provenance_text(shared[s], series_prefix(canvas, s)), small);
  }
  canvas.document.end_group();

  std::vector<std::string> titles;
  for (std::size_t s = 0; s < plots.size(); ++s) {
    titles.push_back(accessible_title(canvas, shared[s], series_prefix(canvas, s)));
  }
  return canvas.document.str(fmt::format("{}", fmt::join(titles, ". ")));
}

}  // namespace

std::string roofline_provenance(const RooflinePlotModel& plot) { return provenance_text(plot, ""); }

Json roofline_plot_json(const RooflinePlotModel& plot) {
  Json out = Json::object();
  out["name"] = plot_name(plot);
  out["x"] = Json::array({plot.x_min, plot.x_max});
  out["y"] = Json::array({plot.y_min, plot.y_max});
  out["highest"] = highest_peak(plot);
  out["bandwidth"] = plot.bandwidth_gbps;
  out["bandwidth_origin"] =
      plot.bandwidth_measured_only ? "measured (theoretical unknown)" : "datasheet";
  out["measured_bandwidth"] =
      plot.calibrated_memory_roof ? Json(*plot.calibrated_bandwidth_gbps) : Json(nullptr);
  Json caches = Json::array();
  for (const BandwidthRoof& roof : plot.bandwidth_roofs) {
    caches.push_back(Json::object({{"level", roof.level}, {"gbps", roof.gbps}}));
  }
  out["caches"] = caches;
  Json roofs = Json::array();
  for (const RooflineRoof& roof : plot.roofs) {
    roofs.push_back(
        Json::object({{"label", roof.label},
                      {"peak", roof.limits.peak_gflops},
                      {"bandwidth", roof.limits.bandwidth_gbps},
                      {"kind", roof.calibrated ? "gemm" : "theoretical"},
                      {"integer", is_integer(roof.precisions.front())},
                      {"origin", roof.calibrated ? "GEMM, measured" : origin_word(roof.origin)}}));
  }
  for (const CeilingRoof& ceiling : plot.ceilings) {
    roofs.push_back(Json::object({{"label", std::string(to_string(ceiling.precision))},
                                  {"peak", ceiling.gflops},
                                  {"bandwidth", measured_or_theoretical_bandwidth(plot)},
                                  {"kind", "fma"},
                                  {"integer", is_integer(ceiling.precision)},
                                  {"origin", "FMA, measured"}}));
  }
  out["roofs"] = roofs;
  Json points = Json::array();
  for (const RooflinePoint& point : plot.points) {
    std::string title =
        fmt::format("{} {} ({}): {} {} best; {} flop/byte", point.kernel, point.size,
                    to_string(point.precision), format_rate(point.best_gflops()),
                    throughput_unit(point.precision), svg::significant(point.intensity()));
    if (point.roof_gflops > 0) {
      title +=
          fmt::format("; {} of the roof", format_percent(point.best_gflops() / point.roof_gflops));
    }
    points.push_back(Json::array({point.intensity(), point.best_gflops(), title}));
  }
  out["points"] = points;
  out["provenance"] = provenance_text(plot, "");
  return out;
}

std::string render_roofline_svg(const RooflinePlotModel& plot, const RooflinePlotOptions& options) {
  return render({plot}, options);
}

std::string render_roofline_overlay_svg(const std::vector<RooflinePlotModel>& plots,
                                        const RooflinePlotOptions& options) {
  return render(plots, options);
}

}  // namespace hwcal
