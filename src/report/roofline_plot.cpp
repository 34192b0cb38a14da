#include "report/roofline_plot.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/report.hpp"
#include "report/report_text.hpp"
#include "report/svg.hpp"

namespace hwcal {
namespace {

constexpr double kLabelFont = 11;
constexpr double kTitleFont = 14;
constexpr const char* kSlopeColour = "#555555";
constexpr const char* kTextColour = "#222222";

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
  const double radians = degrees * 3.14159265358979323846 / 180;
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

struct PendingText {
  svg::Point at;
  std::string text;
  svg::Style style;
  double rotate_degrees = 0;
};

// Everything the drawing functions share: the document, the scales, the plot area, and the
// labels inside the plot, written last so that no line crosses over them.
struct Canvas {
  svg::Document document;
  svg::Scale x;
  svg::Scale y;
  svg::Box area;
  std::vector<PendingText> labels;
  svg::Point at(double flops_per_byte, double gflops) const {
    return {x(flops_per_byte), y(gflops)};
  }
};

// Every roof's ridge point, in roof order (theoretical first).
std::vector<svg::Point> ridge_points(const Canvas& canvas, const RooflinePlotModel& plot) {
  std::vector<svg::Point> ridges;
  for (const RooflineRoof& roof : plot.roofs) {
    const double ridge = roof.limits.ridge_flops_per_byte();
    ridges.push_back(canvas.at(ridge, roof.limits.attainable_gflops(ridge)));
  }
  return ridges;
}

std::string title_text(const RooflinePlotModel& plot, double width) {
  // A device without power modes has the one mode "default": nothing to say about it.
  const std::string mode =
      plot.mode == "default"
          ? ""
          : fmt::format(", power mode {}{}", plot.mode, plot.mode_is_default ? " (default)" : "");
  for (const std::string& text : {fmt::format("Roofline: {} ({}){}", plot.device, plot.id, mode),
                                  fmt::format("Roofline: {}{}", plot.device, mode)}) {
    if (svg::text_width(text, kTitleFont) <= width) return text;
  }
  return fmt::format("Roofline: {}{}", plot.id, mode);
}

void draw_title_and_legend(Canvas& canvas, const RooflinePlotModel& plot) {
  svg::Style title = text_style(kTitleFont);
  title.font_weight = "bold";
  canvas.document.text({12, 22}, title_text(plot, canvas.document.width() - 24), title);

  canvas.document.begin_group("legend");
  const double baseline = 44;
  double cursor = 12;
  auto sample = [&](std::string_view dash, std::string_view label) {
    canvas.document.line({cursor, baseline - 4}, {cursor + 24, baseline - 4},
                         line_style(kSlopeColour, 2, dash));
    canvas.document.text({cursor + 30, baseline}, label, text_style(kLabelFont));
    cursor += 30 + svg::text_width(label, kLabelFont) + 12;
  };
  sample("", "theoretical (datasheet)");
  if (plot.calibrated()) {
    sample("6 4", "calibrated (measured)");
  } else {
    svg::Style note = text_style(kLabelFont);
    note.fill = "#777777";
    const std::string label = "not calibrated: theoretical roofs only";
    canvas.document.text({cursor, baseline}, label, note);
    cursor += svg::text_width(label, kLabelFont) + 12;
  }
  svg::Style dot;
  dot.fill = kSlopeColour;
  canvas.document.circle({cursor + 4, baseline - 4}, 3.5, dot);
  canvas.document.text({cursor + 12, baseline}, "ridge point (flop/byte)", text_style(kLabelFont));
  canvas.document.end_group();
}

// The memory roof's line up to the highest ridge point, labelled along its slope: above the
// line for the theoretical roof, below it for the calibrated one.
void draw_slope(Canvas& canvas, svg::LabelPlacer& placer, const RooflinePlotModel& plot,
                const RoofLimits& top_roof, bool calibrated, const std::string& label) {
  const svg::Point from = canvas.at(plot.x_min, top_roof.attainable_gflops(plot.x_min));
  const double ridge = top_roof.ridge_flops_per_byte();
  const svg::Point to = canvas.at(ridge, top_roof.attainable_gflops(ridge));
  canvas.document.polyline({from, to},
                           line_style(kSlopeColour, calibrated ? 1.5 : 2, calibrated ? "6 4" : ""));

  const double degrees = std::atan2(to.y - from.y, to.x - from.x) * 180 / 3.14159265358979323846;
  const double radians = degrees * 3.14159265358979323846 / 180;
  const svg::Point along{std::cos(radians), std::sin(radians)};
  const svg::Point up{std::sin(radians), -std::cos(radians)};
  const double length = svg::text_width(label, kLabelFont);
  const double height = 0.8 * kLabelFont;
  // Start a little way along the line, and far enough up for a label below the line to clear
  // the bottom of the plot; labels that still do not fit are left out.
  const double offset = calibrated ? -(4 + height) : 4;
  for (double step = 14; step < 400; step += 4) {
    const svg::Point on_line{from.x + step * along.x, from.y + step * along.y};
    const svg::Point start{on_line.x + offset * up.x, on_line.y + offset * up.y};
    const svg::Box box = rotated_box(start, length, height, degrees);
    if (box.bottom > canvas.area.bottom - 2) continue;
    if (placer.place({box})) {
      svg::Style style = text_style(kLabelFont);
      style.fill = "#444444";
      style.halo = true;
      canvas.labels.push_back({start, label, style, degrees});
      return;
    }
  }
}

// Each roof's name and peak in the right margin, at the height of its line where the labels do
// not crowd, joined to the line by a short leader where they had to move.
void draw_roof_labels(Canvas& canvas, const RooflinePlotModel& plot) {
  std::vector<double> wanted;
  for (const RooflineRoof& roof : plot.roofs) {
    wanted.push_back(canvas.y(roof.limits.peak_gflops) + 4);
  }
  const std::vector<double> baselines =
      svg::spread(wanted, kLabelFont + 2, canvas.area.top + 10, canvas.area.bottom);

  canvas.document.begin_group("roof-labels");
  const double right = canvas.area.right;
  for (std::size_t i = 0; i < plot.roofs.size(); ++i) {
    const RooflineRoof& roof = plot.roofs[i];
    const std::string colour(precision_colour(roof.precisions.front()));
    const double line_y = canvas.y(roof.limits.peak_gflops);
    const double mark_y = baselines[i] - 4;
    if (std::fabs(mark_y - line_y) > 0.5) {
      canvas.document.line({right, line_y}, {right + 6, mark_y}, line_style(colour, 1));
    }
    canvas.document.line({right + 6, mark_y}, {right + 20, mark_y},
                         line_style(colour, 2, roof.calibrated ? "4 2" : ""));
    const std::string tooltip =
        fmt::format("{} {} peak in power mode {}: {} {}", roof.label,
                    roof.calibrated ? "calibrated" : "theoretical", plot.mode,
                    format_rate(roof.limits.peak_gflops), throughput_unit(roof.precisions.front()));
    canvas.document.text({right + 24, baselines[i]},
                         roof.label + " " + format_rate(roof.limits.peak_gflops),
                         text_style(kLabelFont), 0, tooltip);
  }
  canvas.document.end_group();
}

void draw_ridge_points(Canvas& canvas, svg::LabelPlacer& placer, const RooflinePlotModel& plot,
                       const std::vector<svg::Point>& ridges) {
  canvas.document.begin_group("ridge-points");
  for (std::size_t i = 0; i < plot.roofs.size(); ++i) {
    const RooflineRoof& roof = plot.roofs[i];
    const std::string colour(precision_colour(roof.precisions.front()));
    svg::Style marker;
    marker.stroke = colour;
    marker.stroke_width = 1.5;
    marker.fill = roof.calibrated ? "#ffffff" : colour;
    const std::string value = svg::significant(roof.limits.ridge_flops_per_byte());
    canvas.document.circle(
        ridges[i], 3.5, marker,
        fmt::format("{} {} ridge point in power mode {}: {} {} / {} GB/s = {} flop/byte",
                    roof.label, roof.calibrated ? "calibrated" : "theoretical", plot.mode,
                    format_rate(roof.limits.peak_gflops), throughput_unit(roof.precisions.front()),
                    format_rate(roof.limits.bandwidth_gbps), value));
    // Theoretical ridges are labelled above the roof, calibrated ones below it, where the plot
    // is empty; the other candidates serve when a neighbour took the place.
    const svg::Point p = ridges[i];
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
  canvas.document.end_group();
}

}  // namespace

bool RooflinePlotModel::calibrated() const {
  return calibrated_bandwidth_gbps.has_value() ||
         std::any_of(roofs.begin(), roofs.end(),
                     [](const RooflineRoof& roof) { return roof.calibrated; });
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
  bool floats = false;
  bool integers = false;
  std::vector<RooflineRoof> theoretical_roofs;
  std::vector<RooflineRoof> calibrated_roofs;
  // Adds `precision` to the roof of equal limits, else starts one.
  auto add = [](std::vector<RooflineRoof>& roofs, Precision precision, const RoofLimits& limits,
                bool calibrated) {
    auto shared = std::find_if(roofs.begin(), roofs.end(), [&](const RooflineRoof& roof) {
      return same_rate(roof.limits.peak_gflops, limits.peak_gflops) &&
             same_rate(roof.limits.bandwidth_gbps, limits.bandwidth_gbps);
    });
    if (shared != roofs.end()) {
      shared->precisions.push_back(precision);
      return;
    }
    roofs.push_back({{precision}, "", limits, calibrated});
  };
  std::optional<RoofLimits> highest_on_measured_bandwidth;
  for (std::size_t i = 0; i < power_mode->rate_count; ++i) {
    const PrecisionRate& rate = power_mode->rates[i];
    if (!(rate.peak_gflops > 0) || !(rate.calibrated_gflops() > 0)) continue;
    (is_integer(rate.precision) ? integers : floats) = true;
    add(theoretical_roofs, rate.precision,
        roof_limits(model, rate.precision, mode, Roof::theoretical), false);
    const RoofLimits calibrated = roof_limits(model, rate.precision, mode, Roof::calibrated);
    if (calibrated.compute_calibrated) add(calibrated_roofs, rate.precision, calibrated, true);
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
  plot.y_unit = floats && integers ? "GFLOPS / GIOPS" : integers ? "GIOPS" : "GFLOPS";

  double lowest_ridge = plot.roofs.front().limits.ridge_flops_per_byte();
  double highest_ridge = lowest_ridge;
  double lowest_bandwidth = plot.bandwidth_gbps;
  double highest_peak = 0;
  std::vector<const RoofLimits*> drawn;
  for (const RooflineRoof& roof : plot.roofs) drawn.push_back(&roof.limits);
  if (plot.calibrated_memory_roof) drawn.push_back(&*plot.calibrated_memory_roof);
  for (const RoofLimits* limits : drawn) {
    lowest_ridge = std::min(lowest_ridge, limits->ridge_flops_per_byte());
    highest_ridge = std::max(highest_ridge, limits->ridge_flops_per_byte());
    lowest_bandwidth = std::min(lowest_bandwidth, limits->bandwidth_gbps);
    highest_peak = std::max(highest_peak, limits->peak_gflops);
  }
  plot.x_min = decade_below(lowest_ridge) / 10;
  plot.x_max = decade_above(highest_ridge) * 10;
  plot.y_min = decade_below(lowest_bandwidth * plot.x_min);
  // Room above the highest roof for its label.
  plot.y_max = decade_above(highest_peak * 1.25);
  return plot;
}

std::string render_roofline_svg(const RooflinePlotModel& plot, const RooflinePlotOptions& options) {
  // The right margin holds the roof labels: as wide as the widest needs.
  double label_width = 0;
  for (const RooflineRoof& roof : plot.roofs) {
    const std::string label = roof.label + " " + format_rate(roof.limits.peak_gflops);
    label_width = std::max(label_width, svg::text_width(label, kLabelFont));
  }
  const double left = 72;
  const double right = options.width_px - std::max(110.0, 32 + label_width);
  const double top = 58;
  const double bottom = options.height_px - 54;
  Canvas canvas{svg::Document(options.width_px, options.height_px),
                svg::Scale::log10(plot.x_min, plot.x_max, left, right),
                svg::Scale::log10(plot.y_min, plot.y_max, bottom, top),
                {left, top, right, bottom},
                {}};

  draw_title_and_legend(canvas, plot);
  svg::AxisOptions axis_options;
  axis_options.y_title_offset = 52;
  svg::draw_axes(canvas.document, canvas.x, canvas.y,
                 {"arithmetic intensity (flop/byte)", plot.y_unit}, axis_options);

  svg::LabelPlacer placer({left + 2, top + 2, right - 2, bottom - 2});
  // Markers first, so that no label covers one.
  const std::vector<svg::Point> ridges = ridge_points(canvas, plot);
  for (const svg::Point& ridge : ridges) {
    placer.reserve({ridge.x - 4, ridge.y - 4, ridge.x + 4, ridge.y + 4});
  }
  // The solid slope runs up to the highest theoretical roof.
  const RoofLimits* highest = &plot.roofs.front().limits;
  for (const RooflineRoof& roof : plot.roofs) {
    if (!roof.calibrated && roof.limits.peak_gflops > highest->peak_gflops) highest = &roof.limits;
  }
  canvas.document.begin_group("memory-roof", "memory bandwidth roofs");
  draw_slope(canvas, placer, plot, *highest, false,
             format_rate(plot.bandwidth_gbps) +
                 (plot.bandwidth_measured_only ? " GB/s measured (theoretical unknown)" : " GB/s"));
  if (plot.calibrated_memory_roof) {
    draw_slope(canvas, placer, plot, *plot.calibrated_memory_roof, true,
               format_rate(*plot.calibrated_bandwidth_gbps) + " GB/s measured");
  }
  canvas.document.end_group();

  for (const RooflineRoof& roof : plot.roofs) {
    canvas.document.begin_group("roof",
                                fmt::format("{} {} compute roof", roof.label,
                                            roof.calibrated ? "calibrated" : "theoretical"));
    const double ridge = roof.limits.ridge_flops_per_byte();
    canvas.document.polyline(
        {canvas.at(ridge, roof.limits.attainable_gflops(ridge)),
         canvas.at(plot.x_max, roof.limits.attainable_gflops(plot.x_max))},
        line_style(precision_colour(roof.precisions.front()), 2, roof.calibrated ? "6 4" : ""));
    canvas.document.end_group();
  }
  draw_ridge_points(canvas, placer, plot, ridges);
  canvas.document.begin_group("plot-labels");
  for (const PendingText& label : canvas.labels) {
    canvas.document.text(label.at, label.text, label.style, label.rotate_degrees);
  }
  canvas.document.end_group();
  draw_roof_labels(canvas, plot);

  std::string title = fmt::format("Roofline of {} ({}){}: memory {} GB/s", plot.device, plot.id,
                                  plot.mode == "default" ? "" : " in power mode " + plot.mode,
                                  format_rate(plot.bandwidth_gbps));
  if (plot.bandwidth_measured_only) {
    title += " measured (theoretical bandwidth unknown)";
  } else if (plot.calibrated_bandwidth_gbps) {
    title += fmt::format(" ({} measured)", format_rate(*plot.calibrated_bandwidth_gbps));
  }
  for (const RooflineRoof& roof : plot.roofs) {
    title +=
        fmt::format("; {} {} {} {}", roof.label, roof.calibrated ? "calibrated" : "theoretical",
                    format_rate(roof.limits.peak_gflops), throughput_unit(roof.precisions.front()));
  }
  return canvas.document.str(title);
}

}  // namespace hwcal
