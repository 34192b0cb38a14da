// The HTML and SVG renderers of the database report (report.hpp): one self-contained page whose
// plots are inline SVG from roofline_plot.hpp and history_plot.hpp. Nothing is fetched: no
// external script, font, stylesheet or image, so the file opens the same offline, from CI
// artifacts or a mail attachment.
#include <algorithm>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "report/history_plot.hpp"
#include "report/report.hpp"
#include "report/report_text.hpp"
#include "report/report_workloads.hpp"
#include "report/roofline_plot.hpp"
#include "report/svg.hpp"

namespace hwcal {
namespace {

using svg::escape;

constexpr const char* kStyle = R"css(
:root { color-scheme: light; }
body { margin: 0; background: #f6f7f9; color: #222; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1240px; margin: 0 auto; padding: 0 20px; }
header { padding-top: 18px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 0 0 6px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
h4 { font-size: 14px; margin: 12px 0 4px; }
p { margin: 4px 0 8px; }
a { color: #1a5fa8; }
code { font-size: 12.5px; background: #eef0f3; padding: 0 3px; border-radius: 3px; }
.sub { color: #555; font-weight: normal; font-size: 0.82em; }
.note { color: #555; font-size: 13px; }
section.overview, section.entry { background: #fff; border: 1px solid #dcdfe4; border-radius: 6px; padding: 14px 18px; margin: 16px 0; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 6px; border-bottom: 1px solid #e7e9ec; text-align: left; vertical-align: top; }
thead th { background: #eef0f3; font-weight: 600; border-bottom: 1px solid #c9cdd3; vertical-align: bottom; }
thead th[colspan] { text-align: center; border-left: 1px solid #d5d8dd; }
tbody th { font-weight: 600; }
td.num { text-align: right; white-space: nowrap; }
td.missing { color: #9a9a9a; text-align: center; }
td.eff { background: linear-gradient(90deg, #d6e6f5 var(--eff), transparent var(--eff)) no-repeat 0 2px / 100% 1.35em; }
td.first { border-left: 1px solid #d5d8dd; }
table.overview { font-size: 13px; }
table.overview tbody tr:hover { background: #f5f8fc; }
table.sortable.js th[data-col] { cursor: pointer; }
table.sortable.js th[data-col]:hover { text-decoration: underline; }
th[aria-sort="ascending"]::after { content: " \25B2"; font-size: 10px; }
th[aria-sort="descending"]::after { content: " \25BC"; font-size: 10px; }
.panels { display: flex; flex-wrap: wrap; gap: 12px 28px; align-items: flex-start; }
figure { margin: 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12.5px; color: #555; max-width: 760px; margin-top: 4px; }
.charts { display: flex; flex-wrap: wrap; gap: 6px 14px; }
.regressions, td.regressed { color: #a61b1b; }
td.regressed { font-weight: 600; }
table.runs th, table.runs td { white-space: nowrap; }
.badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 0 6px; border-radius: 9px; background: #e6eef7; color: #1a4f85; vertical-align: middle; }
.badge.none { background: #eee; color: #666; }
.badge.bad { background: #fbe3e3; color: #a61b1b; }
.badge.noisy { background: #fff1d6; color: #8a5300; }
details summary { cursor: pointer; color: #1a5fa8; font-size: 13px; }
footer { color: #666; font-size: 12px; padding-bottom: 24px; }
.filters { display: flex; flex-wrap: wrap; gap: 6px 16px; align-items: center; margin: 6px 0 10px; font-size: 13px; }
.filters select { font: inherit; }
@media print { body { background: #fff; } section.entry { break-inside: avoid; } }
)css";

// Sorting and filtering are extras: the table is already in id order and reads without them, and
// the filter controls stay hidden without JavaScript.
constexpr const char* kScript = R"js(
(function () {
  var filters = document.querySelector("form.filters");
  if (!filters) return;
  filters.hidden = false;
  var kind = filters.querySelector("select[name=kind]");
  var vendor = filters.querySelector("select[name=vendor]");
  var count = filters.querySelector("output");
  var targets = document.querySelectorAll("[data-kind][data-vendor]");
  function apply() {
    var shown = 0;
    for (var i = 0; i < targets.length; i++) {
      var item = targets[i];
      var visible = (!kind.value || item.getAttribute("data-kind") === kind.value) &&
                    (!vendor.value || item.getAttribute("data-vendor") === vendor.value);
      item.hidden = !visible;
      if (visible && item.tagName === "TR") shown++;
    }
    count.textContent = shown + " shown";
  }
  kind.addEventListener("change", apply);
  vendor.addEventListener("change", apply);
  filters.addEventListener("reset", function () { setTimeout(apply, 0); });
  apply();
})();
(function () {
  var table = document.querySelector("table.sortable");
  if (!table || !table.tBodies.length) return;
  table.classList.add("js");
  var headings = table.querySelectorAll("th[data-col]");
  function key(row, column) {
    var cell = row.cells[column];
    return cell && cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : null;
  }
  function sortBy(heading) {
    var column = Number(heading.getAttribute("data-col"));
    var numeric = heading.getAttribute("data-sort") === "number";
    var ascending = heading.getAttribute("aria-sort") !== "ascending";
    for (var i = 0; i < headings.length; i++) headings[i].removeAttribute("aria-sort");
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, column), y = key(b, column);
      if (x === null || y === null) return x === y ? 0 : (x === null ? 1 : -1);
      var order = numeric ? Number(x) - Number(y) : (x < y ? -1 : (x > y ? 1 : 0));
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }
  for (var i = 0; i < headings.length; i++) {
    headings[i].tabIndex = 0;
    headings[i].addEventListener("click", function () { sortBy(this); });
    headings[i].addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        sortBy(this);
      }
    });
  }
})();
)js";

std::string device_name(const EntryReport& entry) {
  return report_text::device_name(entry.vendor, entry.model);
}

// A number cell: the shown text, and the exact value to sort by.
std::string rate_cell(const std::optional<double>& value, std::string_view extra_class = "") {
  if (!value) return fmt::format("<td class=\"missing{}\">&ndash;</td>", extra_class);
  return fmt::format("<td class=\"num{}\" data-value=\"{}\">{}</td>", extra_class, *value,
                     format_rate(*value));
}

// A theoretical figure with where it came from under it ("datasheet", "derived: core table").
std::string theoretical_cell(const PrecisionRow* row) {
  if (row == nullptr || !row->theoretical) return rate_cell(std::nullopt, " first");
  const std::string origin = row->origin ? std::string(origin_label(*row->origin)) : "";
  return fmt::format(
      "<td class=\"num first\" data-value=\"{}\">{}<br><span class=\"sub origin\">{}</span></td>",
      *row->theoretical, format_rate(*row->theoretical), escape(origin));
}

// The theoretical bandwidth, or "unknown" with the reason.
std::string bandwidth_cell(const ModeReport& mode) {
  if (mode.no_external_memory) {
    return fmt::format(
        "<td class=\"missing first\" title=\"{0}\">none<br><span class=\"sub origin\">{0}"
        "</span></td>",
        escape(*mode.bandwidth_unknown));
  }
  if (!mode.bandwidth_unknown) return rate_cell(mode.theoretical_bandwidth_gbps, " first");
  return fmt::format(
      "<td class=\"missing first\" title=\"{0}\">unknown<br><span class=\"sub origin\">{0}"
      "</span></td>",
      escape(*mode.bandwidth_unknown));
}

// An efficiency cell, with a bar of its size behind the number.
std::string efficiency_cell(const std::optional<double>& fraction,
                            std::string_view extra_class = "") {
  if (!fraction) return fmt::format("<td class=\"missing{}\">&ndash;</td>", extra_class);
  const double bar = std::clamp(*fraction, 0.0, 1.0) * 100;
  return fmt::format("<td class=\"num eff{}\" data-value=\"{}\" style=\"--eff: {:.1f}%\">{}</td>",
                     extra_class, *fraction, bar, format_percent(*fraction));
}

const PrecisionRow* find_row(const ModeReport& mode, Precision precision) {
  for (const PrecisionRow& row : mode.rows) {
    if (row.precision == precision) return &row;
  }
  return nullptr;
}

std::string entry_anchor(const EntryReport& entry) { return "entry-" + entry.id; }

// The mode the roofline shows: the headline mode, which the resource model always has unless the
// summary names a mode the entry no longer defines; then the default mode.
std::optional<RooflinePlotModel> roofline_of(const EntryReport& entry) {
  // A report built without EntryReportOptions::graphics cannot be drawn: a caller's mistake.
  if (entry.modes.empty()) return std::nullopt;  // a board: no figures of its own
  if (!entry.resource) throw Error("the HTML and SVG reports need EntryReportOptions::graphics");
  const ResourceModel& model = entry.resource->model();
  std::string mode = entry.modes.front().name;
  if (model.find_mode(mode) == nullptr) mode = std::string(model.default_mode);
  return roofline_plot_model(model, mode);
}

std::string overview_cells(const EntryReport& entry);

std::string overview(const DatabaseReport& report) {
  std::string out;
  out += "<section class=\"overview\" aria-labelledby=\"overview\">\n";
  out += "<h2 id=\"overview\">Overview</h2>\n";
  out +=
      "<p class=\"note\">Each entry's figures in its headline power mode (the mode its "
      "calibration summary describes, else the default). Peak: the theoretical figure (a "
      "datasheet's, or derived: each entry's table below says which); eff.: measured over peak. "
      "Rates in GFLOPS, GIOPS for integer precisions; "
      "bandwidth in GB/s. Sorted by id; with JavaScript on, a click on a column heading sorts "
      "by that column, and the kind and vendor filters narrow the table and the sections below "
      "it. A board's figures are its parts'. Below the table, the calibrated entries come "
      "first.</p>\n";
  // Filters by kind and vendor: the choices are the report's own, written here so the page needs
  // nothing from elsewhere; the script shows the form and hides what does not match.
  std::vector<std::string> kinds;
  std::vector<std::pair<std::string, std::string>> vendors;  // slug, name
  for (const EntryReport& entry : report.entries) {
    if (std::find(kinds.begin(), kinds.end(), entry.device_type) == kinds.end()) {
      kinds.push_back(entry.device_type);
    }
    const std::string slug = vendor_slug(entry.vendor);
    if (std::none_of(vendors.begin(), vendors.end(),
                     [&](const auto& known) { return known.first == slug; })) {
      vendors.emplace_back(slug, entry.vendor);
    }
  }
  std::sort(kinds.begin(), kinds.end());
  std::sort(vendors.begin(), vendors.end());
  out +=
      "<form class=\"filters\" hidden><label>Kind <select name=\"kind\"><option "
      "value=\"\">all</option>";
  for (const std::string& kind : kinds) {
    out += fmt::format("<option value=\"{0}\">{0}</option>", escape(kind));
  }
  out += "</select></label> <label>Vendor <select name=\"vendor\"><option value=\"\">all</option>";
  for (const auto& [slug, name] : vendors) {
    out += fmt::format("<option value=\"{}\">{}</option>", escape(slug), escape(name));
  }
  out += fmt::format(
      "</select></label> <button type=\"reset\">show all</button> <output>{} shown</output>"
      "</form>\n",
      report.entries.size());
  out += "<div class=\"table-wrap\">\n<table class=\"overview sortable\">\n<thead>\n<tr>";
  out +=
      "<th scope=\"col\" rowspan=\"2\" data-col=\"0\" data-sort=\"text\" "
      "aria-sort=\"ascending\">Entry</th>"
      "<th scope=\"col\" rowspan=\"2\" data-col=\"1\" data-sort=\"text\">Type</th>"
      "<th scope=\"colgroup\" colspan=\"3\">fp32</th>"
      "<th scope=\"colgroup\" colspan=\"4\">Best low precision</th>"
      "<th scope=\"colgroup\" colspan=\"3\">Bandwidth</th>"
      "<th scope=\"col\" rowspan=\"2\" data-col=\"12\" data-sort=\"text\">Modes "
      "calibrated</th>"
      "<th scope=\"col\" rowspan=\"2\" data-col=\"13\" data-sort=\"text\">Last calibrated</th>"
      "</tr>\n<tr>";
  const char* leaves[][2] = {{"peak", "number"},    {"measured", "number"}, {"eff.", "number"},
                             {"precision", "text"}, {"peak", "number"},     {"measured", "number"},
                             {"eff.", "number"},    {"peak", "number"},     {"measured", "number"},
                             {"eff.", "number"}};
  int column = 2;
  for (const auto& leaf : leaves) {
    out += fmt::format("<th scope=\"col\" data-col=\"{}\" data-sort=\"{}\">{}</th>", column++,
                       leaf[1], leaf[0]);
  }
  out += "</tr>\n</thead>\n<tbody>\n";
  for (const EntryReport& entry : report.entries) {
    out += fmt::format("<tr data-kind=\"{}\" data-vendor=\"{}\">", escape(entry.device_type),
                       escape(vendor_slug(entry.vendor)));
    if (entry.modes.empty()) {  // a board: its parts hold the figures
      std::vector<std::string> parts;
      for (const BoardPartRow& part : entry.parts) parts.push_back(part.id);
      out += fmt::format(
          "<th scope=\"row\" data-value=\"{}\"><a href=\"#{}\">{}</a><br><span "
          "class=\"sub\">{}; parts {}</span></th>",
          escape(entry.id), escape(entry_anchor(entry)), escape(entry.id),
          escape(device_name(entry)), escape(fmt::format("{}", fmt::join(parts, ", "))));
      out += fmt::format("<td data-value=\"{0}\">{0}</td>", escape(entry.device_type));
      // One cell per column, so that sorting by a column reads the same cell of every row.
      for (int cell = 0; cell < 10; ++cell) {
        out += cell == 0 || cell == 3 || cell == 7 ? "<td class=\"missing first\">&ndash;</td>"
                                                   : "<td class=\"missing\">&ndash;</td>";
      }
    } else {
      out += overview_cells(entry);
    }
    if (entry.calibrated()) {
      const std::string modes = fmt::format("{}", fmt::join(entry.modes_calibrated, ", "));
      out += fmt::format("<td data-value=\"{0}\">{0}</td>", escape(modes));
      out +=
          fmt::format("<td data-value=\"{0}\"><time datetime=\"{0}\">{1}</time></td>",
                      escape(entry.last_calibrated), escape(entry.last_calibrated.substr(0, 10)));
    } else {
      out += "<td class=\"missing\">not calibrated</td><td class=\"missing\">&ndash;</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n</div>\n</section>\n";
  return out;
}

// The overview's cells of a device from the type to the bandwidth's efficiency.
std::string overview_cells(const EntryReport& entry) {
  std::string out;
  const ModeReport& mode = entry.modes.front();
  const PrecisionRow* fp32 = find_row(mode, Precision::fp32);
  const std::optional<PrecisionRow> low = best_low_precision(mode);
  out += fmt::format(
      "<th scope=\"row\" data-value=\"{}\"><a href=\"#{}\">{}</a><br><span "
      "class=\"sub\">{}{}</span></th>",
      escape(entry.id), escape(entry_anchor(entry)), escape(entry.id), escape(device_name(entry)),
      entry.power_modes.empty() ? std::string() : ", mode " + escape(mode.name));
  out += fmt::format("<td data-value=\"{0}\">{0}</td>", escape(entry.device_type));
  out += rate_cell(fp32 ? fp32->theoretical : std::nullopt, " first");
  out += rate_cell(fp32 ? fp32->measured : std::nullopt);
  out += efficiency_cell(fp32 ? fp32->efficiency : std::nullopt);
  if (low) {
    out +=
        fmt::format("<td class=\"first\" data-value=\"{0}\">{0}</td>", to_string(low->precision));
  } else {
    out += "<td class=\"missing first\">&ndash;</td>";
  }
  out += rate_cell(low ? low->theoretical : std::nullopt);
  out += rate_cell(low ? low->measured : std::nullopt);
  out += efficiency_cell(low ? low->efficiency : std::nullopt);
  out += bandwidth_cell(mode);
  out += rate_cell(mode.measured_bandwidth_gbps);
  out += efficiency_cell(mode.bandwidth_efficiency);
  return out;
}

std::string mode_heading_text(const BoardModeReport& mode) {
  return escape(mode.name) + (mode.is_default ? " <span class=\"sub\">(default)</span>" : "");
}

std::string mode_heading(const ModeReport& mode) {
  return escape(mode.name) + (mode.is_default ? " <span class=\"sub\">(default)</span>" : "");
}

// Every mode's peaks and bandwidth in columns side by side: theoretical, and for calibrated
// modes measured and efficiency.
std::string modes_table(const EntryReport& entry) {
  const std::vector<ModeReport>& modes =
      entry.modes_side_by_side.empty() ? entry.modes : entry.modes_side_by_side;
  std::vector<Precision> precisions;
  for (const ModeReport& mode : modes) {
    for (const PrecisionRow& row : mode.rows) {
      if (std::find(precisions.begin(), precisions.end(), row.precision) == precisions.end()) {
        precisions.push_back(row.precision);
      }
    }
  }
  std::sort(precisions.begin(), precisions.end());
  std::string out;
  out += fmt::format("<h3 id=\"{}-modes\">{}</h3>\n", escape(entry.id),
                     modes.size() > 1 ? "Power modes side by side" : "Peaks");
  out += "<div class=\"table-wrap\">\n<table class=\"modes\">\n<thead>\n<tr>";
  // A device without power modes needs no row of mode names.
  const bool named_modes = !entry.power_modes.empty() || modes.size() > 1;
  if (named_modes) {
    out += "<th scope=\"col\" rowspan=\"2\">precision</th>";
    for (const ModeReport& mode : modes) {
      out += fmt::format("<th scope=\"colgroup\" colspan=\"{}\">{}</th>", mode.calibrated ? 3 : 1,
                         mode_heading(mode));
    }
    out += "</tr>\n<tr>";
  } else {
    out += "<th scope=\"col\">precision</th>";
  }
  for (const ModeReport& mode : modes) {
    out += "<th scope=\"col\">theoretical</th>";
    if (mode.calibrated) out += "<th scope=\"col\">measured</th><th scope=\"col\">efficiency</th>";
  }
  out += "</tr>\n</thead>\n<tbody>\n";
  for (Precision precision : precisions) {
    out += fmt::format("<tr><th scope=\"row\">{} <span class=\"sub\">{}</span></th>",
                       to_string(precision), throughput_unit(precision));
    for (const ModeReport& mode : modes) {
      const PrecisionRow* row = find_row(mode, precision);
      out += theoretical_cell(row);
      if (mode.calibrated) {
        out += rate_cell(row ? row->measured : std::nullopt);
        out += efficiency_cell(row ? row->efficiency : std::nullopt);
      }
    }
    out += "</tr>\n";
  }
  out += "<tr><th scope=\"row\">bandwidth <span class=\"sub\">GB/s</span></th>";
  for (const ModeReport& mode : modes) {
    out += bandwidth_cell(mode);
    if (mode.calibrated) {
      out += rate_cell(mode.measured_bandwidth_gbps);
      out += efficiency_cell(mode.bandwidth_efficiency);
    }
  }
  out += "</tr>\n</tbody>\n</table>\n</div>\n";
  std::vector<std::string> runs;
  for (const ModeReport& mode : modes) {
    if (!mode.calibrated) continue;
    runs.push_back(fmt::format("{}: {} run{}, {}, {}, mean efficiency {}", escape(mode.name),
                               mode.runs, mode.runs == 1 ? "" : "s", escape(mode.framework),
                               escape(mode.calibration_date),
                               mode.avg_efficiency ? format_percent(*mode.avg_efficiency) : "-"));
  }
  if (!runs.empty())
    out += "<p class=\"note\">" + fmt::format("{}", fmt::join(runs, "; ")) + ".</p>\n";
  for (const ModeReport& mode : modes) {
    if (!mode.calibrated || !mode.quality) continue;
    out += fmt::format("<p class=\"note\">Quality of {}: {}.</p>\n", escape(mode.name),
                       escape(quality_text(mode)));
    for (const std::string& warning : mode.quality->warnings) {
      out += "<p class=\"regressions\">warning: " + escape(warning) + "</p>\n";
    }
  }
  return out;
}

std::string figure_value(const HistoryRun& run, std::optional<Precision> figure) {
  if (!figure) return run.peaks.bandwidth_gbps ? format_rate(*run.peaks.bandwidth_gbps) : "-";
  auto found = run.peaks.measured.find(*figure);
  return found == run.peaks.measured.end() ? "-" : format_rate(found->second);
}

std::string history_section(const EntryReport& entry, double regression_fraction) {
  const EntryHistory& history = *entry.history;
  std::size_t total = 0;
  for (const ModeHistory& mode : history.modes) total += mode.runs.size();
  if (total == 0 && history.problems.items().empty()) return "";
  std::string out;
  out += fmt::format("<h3 id=\"{}-history\">Calibration history</h3>\n", escape(entry.id));
  out += fmt::format(
      "<p class=\"note\">{} run{} in <code>{}</code>. A red ring marks a run more than {:g}% "
      "below the median of the earlier runs of its mode, the rule of "
      "<code>summarize_database --fail-on-regression {:g}</code>.</p>\n",
      total, total == 1 ? "" : "s", escape(history.folder), regression_fraction * 100,
      regression_fraction * 100);
  if (!entry.regressions.empty()) {
    out += "<ul class=\"regressions\">\n";
    for (const Regression& regression : entry.regressions) {
      out += "<li>" + escape(describe(regression)) + "</li>\n";
    }
    out += "</ul>\n";
  }
  for (const Diagnostic& problem : history.problems.items()) {
    out += "<p class=\"regressions\">" + escape(format_diagnostic(problem)) + "</p>\n";
  }
  for (const ModeHistory& mode : history.modes) {
    if (mode.runs.empty()) continue;
    out += fmt::format("<h4>Power mode {}{} <span class=\"sub\">{} run{}</span></h4>\n",
                       escape(mode.mode), mode.is_default ? " (default)" : "", mode.runs.size(),
                       mode.runs.size() == 1 ? "" : "s");
    const std::vector<std::optional<Precision>> figures = history_figures(mode);
    if (mode.runs.size() > 1) {
      out += "<div class=\"charts\">\n";
      for (const auto& figure : figures) {
        out += render_history_svg(entry.id, mode, figure, entry.regressions);
      }
      out += "</div>\n";
    } else {
      out +=
          "<p class=\"note\">One run so far; the charts of each figure across runs start "
          "with the second.</p>\n";
    }
    out +=
        fmt::format("<details><summary>The runs of power mode {}</summary>\n", escape(mode.mode));
    out +=
        "<div class=\"table-wrap\">\n<table class=\"runs\">\n<thead><tr><th scope=\"col\">run "
        "started</th>";
    for (const auto& figure : figures) {
      out += figure
                 ? fmt::format("<th scope=\"col\">{} <span class=\"sub\">{}</span></th>",
                               to_string(*figure), throughput_unit(*figure))
                 : std::string("<th scope=\"col\">bandwidth <span class=\"sub\">GB/s</span></th>");
    }
    out +=
        "<th scope=\"col\">framework</th><th scope=\"col\">host</th><th "
        "scope=\"col\">quality</th><th scope=\"col\">profile</th></tr></thead>\n<tbody>\n";
    for (const HistoryRun& run : mode.runs) {
      out += fmt::format("<tr><th scope=\"row\">{}</th>", escape(run.date));
      for (const auto& figure : figures) {
        const std::string what = figure ? std::string(to_string(*figure)) : "bandwidth";
        auto regressed = std::find_if(
            entry.regressions.begin(), entry.regressions.end(), [&](const Regression& regression) {
              return regression.mode == mode.mode && regression.what == what &&
                     regression.latest_path == run.path;
            });
        out += regressed == entry.regressions.end()
                   ? fmt::format("<td class=\"num\">{}</td>", figure_value(run, figure))
                   : fmt::format("<td class=\"num regressed\" title=\"{}\">{} ({:.1f}%)</td>",
                                 escape(describe(*regressed)), figure_value(run, figure),
                                 (regressed->latest / regressed->earlier_median - 1) * 100);
      }
      std::vector<std::string> said = run.problems;
      said.insert(said.end(), run.warnings.begin(), run.warnings.end());
      const std::string quality =
          run.problems.empty()
              ? (said.empty() ? std::string("-")
                              : fmt::format("<span title=\"{}\">{} warning{}</span>",
                                            escape(fmt::format("{}", fmt::join(said, "\n"))),
                                            said.size(), said.size() == 1 ? "" : "s"))
              : fmt::format("<span class=\"badge noisy\" title=\"{}\">noisy</span>",
                            escape(fmt::format("{}", fmt::join(said, "\n"))));
      out += fmt::format("<td>{}</td><td>{}</td><td>{}</td>", escape(run.peaks.framework),
                         escape(run.host.empty() ? "-" : run.host), quality);
      out += fmt::format("<td><code title=\"{}\">{}</code>{}</td></tr>\n", escape(run.path),
                         escape(run.path.substr(run.path.rfind('/') + 1)),
                         run.in_summary ? " <span class=\"badge\">in the summary</span>" : "");
    }
    out += "</tbody>\n</table>\n</div>\n</details>\n";
  }
  return out;
}

// "attached: usb (USB 3.0 Type-C); typical 2 W; frameworks: TensorFlow Lite".
std::string accelerator_facts_text(const EntryReport& entry) {
  std::vector<std::string> facts;
  if (entry.attachment) {
    facts.push_back("attached: " + *entry.attachment +
                    (entry.host_interface ? " (" + *entry.host_interface + ")" : ""));
  } else if (entry.host_interface) {
    facts.push_back("host interface: " + *entry.host_interface);
  }
  if (entry.on_chip_memory_mib) {
    facts.push_back(fmt::format("{} MiB on-chip memory", format_rate(*entry.on_chip_memory_mib)));
  }
  if (entry.typical_power_watts) {
    facts.push_back(fmt::format("typical power {} W", format_rate(*entry.typical_power_watts)));
  }
  if (entry.tdp_watts) facts.push_back(fmt::format("TDP {} W", format_rate(*entry.tdp_watts)));
  if (!entry.frameworks.empty()) {
    facts.push_back(fmt::format("frameworks and compilers: {}", fmt::join(entry.frameworks, ", ")));
  }
  return fmt::format("{}", fmt::join(facts, "; "));
}

// A board: its parts, linked to their sections, and what was calibrated on it per mode.
std::string board_tables(const EntryReport& entry) {
  std::string out;
  out += fmt::format("<h3 id=\"{}-parts\">Parts</h3>\n", escape(entry.id));
  out +=
      "<div class=\"table-wrap\">\n<table class=\"parts\">\n<thead><tr><th scope=\"col\">part</th>"
      "<th scope=\"col\">role</th><th scope=\"col\">count</th><th scope=\"col\">type</th>"
      "<th scope=\"col\">model</th></tr></thead>\n<tbody>\n";
  for (const BoardPartRow& part : entry.parts) {
    out += fmt::format(
        "<tr><th scope=\"row\">{}</th><td>{}</td><td class=\"num\">{}</td><td>{}</td><td>{}"
        "</td></tr>\n",
        part.found ? fmt::format("<a href=\"#entry-{0}\">{0}</a>", escape(part.id))
                   : escape(part.id),
        escape(part.role), part.count, part.found ? escape(part.device_type) : "no such entry",
        escape(part.model));
  }
  out += "</tbody>\n</table>\n</div>\n";
  out += fmt::format("<h3 id=\"{}-calibrated\">Calibrated on it</h3>\n", escape(entry.id));
  out +=
      "<p class=\"note\">Read from each part's calibration summary in the board's power mode (a "
      "part without power modes: its own). The board stores none of its own.</p>\n";
  out +=
      "<div class=\"table-wrap\">\n<table class=\"board-calibration\">\n<thead><tr><th "
      "scope=\"col\">mode</th><th scope=\"col\">part</th><th scope=\"col\">part's mode</th>"
      "<th scope=\"col\">runs</th><th scope=\"col\">calibrated</th><th scope=\"col\">mean "
      "efficiency</th></tr></thead>\n<tbody>\n";
  for (const BoardModeReport& mode : entry.board_modes) {
    for (const BoardPartCalibration& part : mode.parts) {
      out += fmt::format("<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td>",
                         mode_heading_text(mode), escape(part.id), escape(part.part_mode));
      if (part.calibrated) {
        out += fmt::format("<td class=\"num\">{}</td><td>{}</td>", part.runs,
                           escape(part.calibration_date));
      } else {
        out += "<td class=\"missing\">&ndash;</td><td class=\"missing\">not calibrated</td>";
      }
      out += efficiency_cell(part.avg_efficiency) + "</tr>\n";
    }
  }
  out += "</tbody>\n</table>\n</div>\n";
  return out;
}

std::string entry_section(const EntryReport& entry, double regression_fraction) {
  std::string out;
  const std::string anchor = entry_anchor(entry);
  out += fmt::format(
      "<section class=\"entry\" id=\"{0}\" aria-labelledby=\"{0}-heading\" data-kind=\"{1}\" "
      "data-vendor=\"{2}\">\n",
      escape(anchor), escape(entry.device_type), escape(vendor_slug(entry.vendor)));
  std::string badge = entry.calibrated() ? "<span class=\"badge\">calibrated</span>"
                                         : "<span class=\"badge none\">not calibrated</span>";
  for (const Regression& regression : entry.regressions) {
    const bool latest =
        entry.history && std::any_of(entry.history->modes.begin(), entry.history->modes.end(),
                                     [&](const ModeHistory& mode) {
                                       return !mode.runs.empty() &&
                                              mode.runs.back().path == regression.latest_path;
                                     });
    if (latest) {
      badge += " <span class=\"badge bad\">latest run regressed</span>";
      break;
    }
  }
  out += fmt::format("<h2 id=\"{}-heading\">{} <span class=\"sub\">{}</span> {}</h2>\n",
                     escape(anchor), escape(entry.id), escape(device_name(entry)), badge);
  std::string facts =
      fmt::format("{}, {}, {}; file <code>{}</code>", escape(entry.device_type),
                  escape(entry.architecture), escape(entry.platform), escape(entry.file));
  if (!entry.power_modes.empty()) {
    facts += fmt::format("; power modes {} (default {})",
                         escape(fmt::format("{}", fmt::join(entry.power_modes, ", "))),
                         escape(entry.default_mode));
  }
  facts += entry.calibrated()
               ? fmt::format("; calibrated in {}, last {}",
                             escape(fmt::format("{}", fmt::join(entry.modes_calibrated, ", "))),
                             escape(entry.last_calibrated))
               : std::string("; not calibrated");
  out += "<p>" + facts + ".</p>\n";
  if (entry.has_accelerator_facts()) {
    out += "<p>" + escape(accelerator_facts_text(entry)) + ".</p>\n";
  }
  if (entry.is_board) {
    out += board_tables(entry);
    out += "</section>\n";
    return out;
  }

  out += "<div class=\"panels\">\n";
  const std::optional<RooflinePlotModel> plot = roofline_of(entry);
  if (plot) {
    out += fmt::format("<figure class=\"roofline\" id=\"roofline-{}\">", escape(entry.id));
    out += render_roofline_svg(*plot);
    std::string caption = fmt::format(
        "Roofline of {} in power mode {}: solid, the theoretical roofs (datasheet peaks and "
        "bandwidth); ",
        escape(entry.id), escape(plot->mode));
    caption += plot->calibrated()
                   ? "dashed, the calibrated roofs (scaled by the measured efficiencies); "
                   : "not calibrated, so no measured roofs; ";
    caption += "dots, the ridge points where memory and compute roofs meet (flop/byte).";
    out += "<figcaption>" + caption + "</figcaption></figure>\n";
  } else {
    out +=
        "<p class=\"note\">No roofline: the entry has no memory bandwidth or no peak in power "
        "mode " +
        escape(entry.modes.front().name) + ".</p>\n";
  }
  out += "<div class=\"mode-tables\">\n" + modes_table(entry) + "</div>\n";
  out += "</div>\n";
  out += html_workloads(entry);
  if (entry.history) out += history_section(entry, regression_fraction);
  out += "</section>\n";
  return out;
}

}  // namespace

std::string render_html(const DatabaseReport& report) {
  std::size_t calibrated = 0;
  for (const EntryReport& entry : report.entries) calibrated += entry.calibrated() ? 1 : 0;
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>Hardware database report</title>\n";
  out += std::string("<style>") + kStyle + "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>Hardware database report</h1>\n";
  out += fmt::format(
      "<p class=\"note\">Database <code>{}</code>: {} entr{}, {} calibrated. Theoretical peaks "
      "are the datasheet's (dense); measured ones come from calibration runs.</p>\n</header>\n",
      escape(report.database), report.entries.size(), report.entries.size() == 1 ? "y" : "ies",
      calibrated);
  out += "<main>\n";
  if (report.entries.empty()) {
    out += "<p>No entries match.</p>\n";
  } else {
    out += overview(report);
    // Measured entries first: they are what a reader opens the report for.
    for (bool calibrated_first : {true, false}) {
      for (const EntryReport& entry : report.entries) {
        if (entry.calibrated() == calibrated_first) {
          out += entry_section(entry, report.regression_fraction);
        }
      }
    }
  }
  out += "</main>\n<footer>\n<p>";
  out += report.generator.empty() ? "Made by hwcal." : "Made by " + escape(report.generator) + ".";
  out += " One self-contained file: nothing in it is fetched from elsewhere.</p>\n</footer>\n";
  out += std::string("<script>") + kScript + "</script>\n</body>\n</html>\n";
  return out;
}

std::string render_svg(const DatabaseReport& report) {
  if (report.entries.size() != 1) {
    throw DataError("", "",
                    fmt::format("an SVG roofline shows one entry; {} match (give one --id)",
                                report.entries.size()));
  }
  const EntryReport& entry = report.entries.front();
  std::optional<RooflinePlotModel> plot = roofline_of(entry);
  if (!plot) {
    throw DataError(entry.file, "",
                    entry.modes.empty()
                        ? fmt::format("no roofline for {}: a board has no figures of its own "
                                      "(draw one of its parts)",
                                      entry.id)
                        : fmt::format("no roofline for {} in power mode {}: it needs a memory "
                                      "bandwidth and at least one peak",
                                      entry.id, entry.modes.front().name));
  }
  return render_roofline_svg(*plot);
}

}  // namespace hwcal
