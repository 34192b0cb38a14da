// The workload part of the HTML report: a table of an entry's workload results and, per result
// whose linked run could be read, a bar chart of every layer's time, the roofline's prediction
// on the calibrated roof against the measured median, on a log scale (layers differ a
// thousandfold). Charts sit in collapsed <details>, so a report with many configurations stays
// short until a reader opens one.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "report/report_workloads.hpp"
#include "report/svg.hpp"

namespace hwcal {
namespace {

using svg::escape;

constexpr const char* kPredictedColour = "#9ecae1";
constexpr const char* kMeasuredColour = "#1f5f99";

std::string ms_cell(const std::optional<double>& value) {
  return value ? fmt::format("<td class=\"num\">{}</td>", svg::significant(*value, 4))
               : std::string("<td class=\"missing\">-</td>");
}

std::string efficiency_cell(const std::optional<double>& fraction) {
  if (!fraction) return "<td class=\"missing\">-</td>";
  const double shown = std::clamp(*fraction, 0.0, 1.0) * 100;
  return fmt::format("<td class=\"num eff\" style=\"--eff: {:.0f}%\">{}</td>", shown,
                     format_percent(*fraction));
}

std::string configuration(const WorkloadRow& row) {
  const WorkloadResult& result = row.result;
  return fmt::format("{} {} batch {} ({}, power mode {})", result.workload,
                     to_string(result.precision), result.batch, result.device, row.power_mode);
}

// One horizontal pair of bars per layer: predicted (light, upper) and measured median (dark).
std::string layer_chart(const WorkloadRow& row) {
  double low = 1e30;
  double high = 0;
  std::size_t label_chars = 8;
  for (const WorkloadLayerRow& layer : row.layers) {
    for (const std::optional<double>& value : {layer.predicted_ms.calibrated, layer.median_ms}) {
      if (value && *value > 0) {
        low = std::min(low, *value);
        high = std::max(high, *value);
      }
    }
    label_chars = std::max(label_chars, layer.name.size());
  }
  if (high <= 0) return "";
  low = std::pow(10.0, std::floor(std::log10(low)));
  high = std::pow(10.0, std::ceil(std::log10(high * 1.001)));

  const double row_height = 16;
  const double left = std::min(260.0, 16 + svg::text_width(std::string(label_chars, 'x'), 11));
  const double top = 28;
  const double plot_width = 520;
  const double height = top + row_height * static_cast<double>(row.layers.size()) + 44;
  svg::Document document(left + plot_width + 20, height);
  const svg::Scale x = svg::Scale::log10(low, high, left, left + plot_width);
  const svg::Scale y =
      svg::Scale::linear(0, static_cast<double>(row.layers.size()), height - 44, top);
  svg::AxisOptions axes;
  axes.y_title_offset = left - 6;
  for (std::size_t i = 0; i < row.layers.size(); ++i) {
    // Layer 0 at the top: the scale runs bottom to top.
    const double centre = static_cast<double>(row.layers.size() - i) - 0.5;
    axes.y_ticks.push_back({centre, row.layers[i].name});
  }
  svg::draw_axes(document, x, y, {"time per pass (ms, log scale)", ""}, axes);

  svg::Style predicted;
  predicted.fill = kPredictedColour;
  svg::Style measured;
  measured.fill = kMeasuredColour;
  document.begin_group("layers", "per-layer time: predicted against measured");
  for (std::size_t i = 0; i < row.layers.size(); ++i) {
    const WorkloadLayerRow& layer = row.layers[i];
    const double centre = y(static_cast<double>(row.layers.size() - i) - 0.5);
    const double bar = row_height / 2 - 1.5;
    auto draw = [&](const std::optional<double>& value, double bar_top, const svg::Style& style,
                    const std::string& what) {
      if (!value || *value <= 0) return;
      const double right = x(std::clamp(*value, low, high));
      document.rect({left, bar_top}, std::max(right - left, 1.0), bar, style,
                    fmt::format("{} {}: {} ms", layer.name, what, svg::significant(*value, 4)));
    };
    std::string measured_label = "measured median";
    if (layer.stack_efficiency.calibrated) {
      measured_label += ", stack efficiency " + format_percent(*layer.stack_efficiency.calibrated);
    }
    draw(layer.predicted_ms.calibrated, centre - bar - 0.5, predicted,
         "predicted (calibrated roof" + (layer.bound ? ", " + *layer.bound + " bound)" : ")"));
    draw(layer.median_ms, centre + 0.5, measured, measured_label);
  }
  document.end_group();

  // Legend above the plot.
  svg::Style legend_text;
  legend_text.font_size = 11;
  document.rect({left, 8}, 12, 10, predicted);
  document.text({left + 16, 17}, "predicted (calibrated roofline)", legend_text);
  document.rect({left + 210, 8}, 12, 10, measured);
  document.text({left + 226, 17}, "measured (median)", legend_text);
  return document.str("Per-layer time of " + configuration(row));
}

}  // namespace

std::string html_workloads(const EntryReport& entry) {
  if (entry.workloads.empty()) return "";
  std::string out;
  out += fmt::format("<h3 id=\"{}-workloads\">Workloads</h3>\n", escape(entry.id));
  out +=
      "<p class=\"note\">Whole networks against the roofline. Stack efficiency = the time the "
      "calibrated roofline predicts / the measured median (100%: the software stack reaches the "
      "roof).</p>\n";
  out += "<div class=\"table-wrap\">\n<table class=\"workloads\">\n<thead>\n<tr>";
  for (const char* heading :
       {"power mode", "network", "precision", "batch", "device", "backend", "latency (ms)",
        "best (ms)", "images/s", "predicted (ms)", "stack efficiency", "bound", "runs"}) {
    out += fmt::format("<th scope=\"col\">{}</th>", heading);
  }
  out += "</tr>\n</thead>\n<tbody>\n";
  for (const WorkloadRow& row : entry.workloads) {
    const WorkloadResult& result = row.result;
    out += fmt::format(
        "<tr><td>{}</td><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td><td>{}</td>"
        "<td>{}</td>",
        escape(row.power_mode), escape(result.workload), to_string(result.precision), result.batch,
        escape(result.device), escape(result.backend));
    out += ms_cell(result.latency_ms) + ms_cell(result.best_latency_ms) +
           ms_cell(result.images_per_s) + ms_cell(result.predicted_ms.calibrated) +
           efficiency_cell(result.stack_efficiency.calibrated);
    out += fmt::format("<td>{}</td><td class=\"num\">{}</td></tr>\n",
                       escape(result.bound.value_or("-")), result.runs);
  }
  out += "</tbody>\n</table>\n</div>\n";

  bool first = true;
  for (const WorkloadRow& row : entry.workloads) {
    const std::string chart = row.layers.empty() ? "" : layer_chart(row);
    if (chart.empty()) continue;
    out += fmt::format("<details class=\"layers\"{}><summary>Per layer: {}</summary>\n",
                       first ? " open" : "", escape(configuration(row)));
    const bool predicted = std::any_of(
        row.layers.begin(), row.layers.end(),
        [](const WorkloadLayerRow& layer) { return layer.predicted_ms.calibrated.has_value(); });
    out += "<figure class=\"layer-bars\">" + chart;
    out += fmt::format(
        "<figcaption>Each layer of {}: light, the time the calibrated roofline predicts for its "
        "flops and fewest bytes; dark, the measured median (newest linked run). Hover a bar for "
        "its figures.{}</figcaption></figure>\n</details>\n",
        escape(configuration(row)),
        predicted ? ""
                  : fmt::format(" There is no roofline prediction at {}: the entry has no {} "
                                "peak, so only the measured bars are drawn.",
                                to_string(row.result.precision), to_string(row.result.precision)));
    first = false;
  }
  return out;
}

}  // namespace hwcal
