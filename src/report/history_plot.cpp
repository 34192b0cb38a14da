#include "report/history_plot.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>

#include "report/report.hpp"
#include "report/roofline_plot.hpp"
#include "report/svg.hpp"

namespace hwcal {
namespace {

constexpr double kFont = 10;
constexpr const char* kRegressionColour = "#d62728";

std::optional<double> figure_of(const HistoryRun& run, std::optional<Precision> figure) {
  if (!figure) return run.peaks.bandwidth_gbps;
  auto found = run.peaks.measured.find(*figure);
  if (found == run.peaks.measured.end()) return std::nullopt;
  return found->second;
}

// The median trial's rate of the record behind the figure: the low end of the run's spread bar.
std::optional<double> median_of(const HistoryRun& run, std::optional<Precision> figure) {
  if (!figure) return run.peaks.bandwidth_median_gbps;
  auto found = run.peaks.measured_median.find(*figure);
  if (found == run.peaks.measured_median.end()) return std::nullopt;
  return found->second;
}

// "11-20" from "2025-11-20T08:00:00Z"; with the time where two runs share a day.
std::vector<std::string> run_labels(const ModeHistory& mode) {
  std::vector<std::string> days;
  for (const HistoryRun& run : mode.runs) days.push_back(run.date.substr(5, 5));
  std::set<std::string> distinct(days.begin(), days.end());
  if (distinct.size() == days.size()) return days;
  std::vector<std::string> times;
  for (const HistoryRun& run : mode.runs) {
    std::string label = run.date.substr(5, 11);
    std::replace(label.begin(), label.end(), 'T', ' ');
    times.push_back(label);
  }
  return times;
}

}  // namespace

std::vector<std::optional<Precision>> history_figures(const ModeHistory& mode) {
  std::set<Precision> precisions;
  bool bandwidth = false;
  for (const HistoryRun& run : mode.runs) {
    for (const auto& [precision, value] : run.peaks.measured) {
      (void)value;
      precisions.insert(precision);
    }
    bandwidth = bandwidth || run.peaks.bandwidth_gbps.has_value();
  }
  std::vector<std::optional<Precision>> figures(precisions.begin(), precisions.end());
  if (bandwidth) figures.emplace_back(std::nullopt);
  return figures;
}

std::string render_history_svg(const std::string& id, const ModeHistory& mode,
                               std::optional<Precision> figure,
                               const std::vector<Regression>& regressions,
                               const HistoryChartOptions& options) {
  const std::string name = figure ? std::string(to_string(*figure)) : "bandwidth";
  const std::string unit = figure ? std::string(throughput_unit(*figure)) : "GB/s";
  const std::string colour = figure ? std::string(precision_colour(*figure)) : "#555555";

  std::vector<std::optional<double>> values;
  std::vector<std::optional<double>> medians;
  double lowest = 0;
  double highest = 0;
  bool any = false;
  for (const HistoryRun& run : mode.runs) {
    values.push_back(figure_of(run, figure));
    medians.push_back(values.back() ? median_of(run, figure) : std::nullopt);
    if (!values.back()) continue;
    const double low = medians.back() ? std::min(*medians.back(), *values.back()) : *values.back();
    lowest = any ? std::min(lowest, low) : low;
    highest = any ? std::max(highest, *values.back()) : *values.back();
    any = true;
  }
  if (!any) return "";

  const double left = 50;
  const double right = options.width_px - 12;
  const double top = 28;
  const double bottom = options.height_px - 24;
  // A little room around the values; a flat series still gets a readable span.
  const double padding = std::max((highest - lowest) * 0.2, highest * 0.03);
  const svg::Scale y = svg::Scale::linear(lowest - padding, highest + padding, bottom, top);
  const double count = static_cast<double>(mode.runs.size());
  const svg::Scale x = svg::Scale::linear(-0.5, count - 0.5, left, right);

  svg::Document document(options.width_px, options.height_px);
  svg::Style title;
  title.fill = "#222222";
  title.font_size = 11;
  title.font_weight = "bold";
  document.text({8, 16},
                fmt::format("{} {}, {} run{}", name, unit, mode.runs.size(),
                            mode.runs.size() == 1 ? "" : "s"),
                title);

  svg::AxisOptions axis;
  axis.font_size = kFont;
  const std::vector<double> y_values = y.ticks(4);
  const double step = y_values.size() > 1 ? y_values[1] - y_values[0] : 1;
  for (double value : y_values)
    axis.y_ticks.push_back({value, svg::linear_tick_label(value, step)});
  // As many run labels as fit side by side, always the latest.
  const std::vector<std::string> labels = run_labels(mode);
  const double label_width = svg::text_width(labels.back(), kFont) + 8;
  const std::size_t fit =
      std::max<std::size_t>(1, static_cast<std::size_t>((right - left) / label_width));
  const std::size_t stride = (mode.runs.size() + fit - 1) / fit;
  for (std::size_t i = mode.runs.size(); i-- > 0;) {
    if ((mode.runs.size() - 1 - i) % stride == 0) {
      axis.x_ticks.insert(axis.x_ticks.begin(), {static_cast<double>(i), labels[i]});
    }
  }
  svg::draw_axes(document, x, y, {"", ""}, axis);

  document.begin_group("series", name);
  std::vector<svg::Point> segment;
  svg::Style line;
  line.stroke = colour;
  line.stroke_width = 2;
  line.fill = "none";
  auto flush = [&] {
    if (segment.size() > 1) document.polyline(segment, line);
    segment.clear();
  };
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) {
      flush();
      continue;
    }
    segment.push_back({x(static_cast<double>(i)), y(*values[i])});
  }
  flush();
  // Each run's spread: a bar from its median trial up to its best (the point).
  svg::Style bar;
  bar.stroke = colour;
  bar.stroke_width = 1.5;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i] || !medians[i] || *medians[i] >= *values[i]) continue;
    const double at = x(static_cast<double>(i));
    document.line({at, y(*medians[i])}, {at, y(*values[i])}, bar);
  }
  svg::Style dot;
  dot.fill = colour;
  // A noisy run (quality.hpp) is drawn hollow and says why.
  svg::Style hollow;
  hollow.fill = "#ffffff";
  hollow.stroke = colour;
  hollow.stroke_width = 1.5;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!values[i]) continue;
    const HistoryRun& run = mode.runs[i];
    std::string tooltip =
        fmt::format("{}: {} {} ({})", run.date, format_rate(*values[i]), unit, run.path);
    if (medians[i]) tooltip += fmt::format("; median trial {} {}", format_rate(*medians[i]), unit);
    if (!run.host.empty()) tooltip += "; host " + run.host;
    if (!run.problems.empty()) {
      tooltip += "; NOISY: " + fmt::format("{}", fmt::join(run.problems, "; "));
    }
    document.circle({x(static_cast<double>(i)), y(*values[i])}, 3,
                    run.problems.empty() ? dot : hollow, tooltip);
  }
  document.end_group();

  document.begin_group("regressions");
  svg::Style ring;
  ring.stroke = kRegressionColour;
  ring.stroke_width = 2;
  ring.fill = "none";
  svg::Style mark;
  mark.fill = kRegressionColour;
  mark.font_size = kFont;
  mark.font_weight = "bold";
  mark.halo = true;
  for (const Regression& regression : regressions) {
    if (regression.id != id || regression.mode != mode.mode || regression.what != name) continue;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (mode.runs[i].path != regression.latest_path || !values[i]) continue;
      const svg::Point at{x(static_cast<double>(i)), y(*values[i])};
      document.circle(at, 6.5, ring, "regression: " + describe(regression));
      const std::string change =
          fmt::format("{:.1f}%", (regression.latest / regression.earlier_median - 1) * 100);
      // Beside the ring, where the line leaves the point up or down rather than across.
      const bool fits_right = at.x + 10 + svg::text_width(change, kFont) <= options.width_px - 2;
      svg::Style side = mark;
      side.anchor = fits_right ? "start" : "end";
      document.text({fits_right ? at.x + 10 : at.x - 10, at.y + 4}, change, side);
    }
  }
  document.end_group();
  return document.str(fmt::format("{} {} in power mode {}: the measured {} of each run", id, name,
                                  mode.mode, unit));
}

}  // namespace hwcal
