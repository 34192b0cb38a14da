// The HTML and SVG renderers of the database report (report.hpp): one self-contained page whose
// plots are inline SVG from roofline_plot.hpp and history_plot.hpp. Nothing is fetched: no
// external script, font, stylesheet or image, so the file opens the same offline, from CI
// artifacts or a mail attachment.
#include <algorithm>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/json/json_io.hpp"
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

// The overlay: two of the report's charts (entry and power mode each) on one set of axes, drawn
// here from the figures embedded in the page (#roofline-data), so no server is needed.
constexpr const char* kOverlayScript = R"js(
(function () {
  var source = document.getElementById("roofline-data");
  var figure = document.getElementById("overlay-chart");
  var pickA = document.getElementById("overlay-a");
  var pickB = document.getElementById("overlay-b");
  if (!source || !figure || !pickA || !pickB) return;
  var plots = JSON.parse(source.textContent);
  if (!plots.length) return;
  plots.forEach(function (plot, i) {
    [pickA, pickB].forEach(function (pick) {
      var option = document.createElement("option");
      option.value = String(i);
      option.textContent = plot.name;
      pick.appendChild(option);
    });
  });
  // A: the first chart with measured figures; B: the chart after it.
  var first = 0;
  for (var i = 0; i < plots.length; i++) {
    if (plots[i].points.length || plots[i].measured_bandwidth) { first = i; break; }
  }
  pickA.value = String(first);
  pickB.value = String(first + 1 < plots.length ? first + 1 : 0);
  var colours = ["#1f5fa8", "#c0392b"];
  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }
  function sig(value) { return String(Number(value.toPrecision(3))); }
  function tick(value) {
    if (value >= 1000) return sig(value / 1000) + "k";
    return value >= 1 ? String(Math.round(value)) : sig(value);
  }
  function draw() {
    var chosen = [plots[Number(pickA.value)], plots[Number(pickB.value)]];
    var W = 860, H = 500, left = 72, right = W - 250, top = 56, bottom = H - 50;
    var x0 = Math.min(chosen[0].x[0], chosen[1].x[0]), x1 = Math.max(chosen[0].x[1], chosen[1].x[1]);
    var y0 = Math.min(chosen[0].y[0], chosen[1].y[0]), y1 = Math.max(chosen[0].y[1], chosen[1].y[1]);
    var highest = Math.max(chosen[0].highest, chosen[1].highest);
    var scale = highest >= 1e6 ? 1e6 : highest >= 1e3 ? 1e3 : 1;
    var fl = scale === 1e6 ? "PFLOPS" : scale === 1e3 ? "TFLOPS" : "GFLOPS";
    var io = scale === 1e6 ? "POPS" : scale === 1e3 ? "TOPS" : "GIOPS";
    function X(v) { return left + (Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0)) * (right - left); }
    function Y(v) { return bottom - (Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0)) * (bottom - top); }
    function n(v) { return String(Math.round(v * 100) / 100); }
    var out = [];
    out.push('<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H +
      '" viewBox="0 0 ' + W + " " + H + '" role="img" font-family="sans-serif">');
    out.push("<title>" + esc("Roofline: A " + chosen[0].name + " against B " + chosen[1].name) + "</title>");
    out.push('<text x="12" y="22" font-size="14" font-weight="bold" fill="#222">' +
      esc("Roofline: A " + chosen[0].name + " against B " + chosen[1].name) + "</text>");
    chosen.forEach(function (plot, s) {
      out.push('<rect x="' + (12 + s * 300) + '" y="33" width="18" height="10" fill="' + colours[s] + '"/>');
      out.push('<text x="' + (36 + s * 300) + '" y="42" font-size="11" fill="#222">' +
        esc((s ? "B " : "A ") + plot.name) + "</text>");
    });
    for (var e = Math.ceil(Math.log10(x0) - 1e-9); e <= Math.floor(Math.log10(x1) + 1e-9); e++) {
      var gx = X(Math.pow(10, e));
      out.push('<line x1="' + n(gx) + '" y1="' + bottom + '" x2="' + n(gx) + '" y2="' + top + '" stroke="#e3e3e3"/>');
      out.push('<text x="' + n(gx) + '" y="' + (bottom + 18) + '" font-size="11" text-anchor="middle" fill="#333">' + tick(Math.pow(10, e)) + "</text>");
    }
    for (e = Math.ceil(Math.log10(y0) - 1e-9); e <= Math.floor(Math.log10(y1) + 1e-9); e++) {
      var gy = Y(Math.pow(10, e));
      out.push('<line x1="' + left + '" y1="' + n(gy) + '" x2="' + right + '" y2="' + n(gy) + '" stroke="#e3e3e3"/>');
      out.push('<text x="' + (left - 8) + '" y="' + n(gy + 4) + '" font-size="11" text-anchor="end" fill="#333">' + tick(Math.pow(10, e) / scale) + "</text>");
    }
    out.push('<rect x="' + left + '" y="' + top + '" width="' + (right - left) + '" height="' + (bottom - top) + '" fill="none" stroke="#555"/>');
    out.push('<text x="' + ((left + right) / 2) + '" y="' + (bottom + 38) + '" font-size="12" text-anchor="middle" fill="#222">arithmetic intensity (flop/byte)</text>');
    out.push('<text x="20" y="' + ((top + bottom) / 2) + '" font-size="12" text-anchor="middle" fill="#222" transform="rotate(-90 20 ' + ((top + bottom) / 2) + ')">' + fl + " (float) / " + io + " (integer)</text>");
    var labels = [];
    chosen.forEach(function (plot, s) {
      var c = colours[s], p = s ? "B " : "A ";
      function slope(bw, dash, width, text) {
        var ridge = plot.highest / bw;
        out.push('<polyline points="' + n(X(x0)) + "," + n(Y(bw * x0)) + " " + n(X(ridge)) + "," + n(Y(plot.highest)) +
          '" stroke="' + c + '" stroke-width="' + width + '" fill="none"' + (dash ? ' stroke-dasharray="' + dash + '"' : "") +
          "><title>" + esc(p + text) + "</title></polyline>");
      }
      slope(plot.bandwidth, "", 2, sig(plot.bandwidth) + " GB/s " + plot.bandwidth_origin);
      if (plot.measured_bandwidth) slope(plot.measured_bandwidth, "6 4", 1.5, sig(plot.measured_bandwidth) + " GB/s DRAM, measured");
      plot.caches.forEach(function (cache) { slope(cache.gbps, "3 3", 1.2, cache.level + " " + sig(cache.gbps) + " GB/s, measured"); });
      plot.roofs.forEach(function (roof) {
        var ridge = roof.peak / roof.bandwidth;
        var dash = roof.kind === "theoretical" ? "" : roof.kind === "fma" ? "1 2" : "6 4";
        out.push('<polyline points="' + n(X(ridge)) + "," + n(Y(roof.peak)) + " " + n(X(x1)) + "," + n(Y(roof.peak)) +
          '" stroke="' + c + '" stroke-width="2" fill="none"' + (dash ? ' stroke-dasharray="' + dash + '"' : "") + "/>");
        labels.push({ y: Y(roof.peak), colour: c, dash: dash,
          text: p + roof.label + " " + sig(roof.peak / scale) + " " + (roof.integer ? io : fl) + " " + roof.origin });
      });
      plot.points.forEach(function (point) {
        out.push('<circle class="point" cx="' + n(X(point[0])) + '" cy="' + n(Y(point[1])) + '" r="3.5" fill="' + c +
          '" stroke="#fff" stroke-width="0.8"><title>' + esc(p + point[2]) + "</title></circle>");
      });
    });
    labels.sort(function (u, v) { return u.y - v.y; });
    var previous = top - 4;
    labels.forEach(function (label) {
      var at = Math.max(label.y + 4, previous + 13);
      previous = at;
      out.push('<line x1="' + (right + 6) + '" y1="' + n(at - 4) + '" x2="' + (right + 20) + '" y2="' + n(at - 4) + '" stroke="' + label.colour +
        '" stroke-width="2"' + (label.dash ? ' stroke-dasharray="' + label.dash + '"' : "") + "/>");
      out.push('<text x="' + (right + 24) + '" y="' + n(at) + '" font-size="11" fill="#222">' + esc(label.text) + "</text>");
    });
    chosen.forEach(function (plot, s) {
      out.push('<text x="12" y="' + (H - 24 + s * 14) + '" font-size="10" fill="#555">' + esc((s ? "B " : "A ") + plot.provenance) + "</text>");
    });
    out.push("</svg>");
    figure.innerHTML = out.join("\n");
    figure.setAttribute("data-drawn", chosen[0].name + " | " + chosen[1].name);
  }
  pickA.addEventListener("change", draw);
  pickB.addEventListener("change", draw);
  draw();
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
std::string headline_plot_mode(const EntryReport& entry) {
  // A report built without EntryReportOptions::graphics cannot be drawn: a caller's mistake.
  if (entry.modes.empty()) return "";  // a board: no figures of its own
  if (!entry.resource) throw Error("the HTML and SVG reports need EntryReportOptions::graphics");
  const ResourceModel& model = entry.resource->model();
  std::string mode = entry.modes.front().name;
  if (model.find_mode(mode) == nullptr) mode = std::string(model.default_mode);
  return mode;
}

// The modes an entry's charts show in the HTML: those asked for that the entry defines, else
// every mode it defines (the headline mode first), else its headline mode.
std::vector<std::string> chart_modes(const EntryReport& entry,
                                     const std::vector<std::string>& asked) {
  if (entry.is_board || entry.modes.empty()) return {};  // a board: no figures of its own
  const ResourceModel& model = entry.resource->model();
  std::vector<std::string> modes;
  for (const std::string& mode : asked) {
    if (model.find_mode(mode) != nullptr) modes.push_back(mode);
  }
  if (!modes.empty()) return modes;
  modes.push_back(headline_plot_mode(entry));
  if (!asked.empty()) return modes;
  for (std::size_t i = 0; i < model.mode_count; ++i) {
    const std::string mode(model.modes[i].name);
    if (std::find(modes.begin(), modes.end(), mode) == modes.end()) modes.push_back(mode);
  }
  return modes;
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

std::string entry_section(const EntryReport& entry, double regression_fraction,
                          const std::vector<std::string>& power_modes) {
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
  const std::vector<std::string> modes = chart_modes(entry, power_modes);
  bool first = true;
  for (const std::string& mode : modes) {
    const std::optional<RooflinePlotModel> plot = entry_roofline(entry, mode);
    if (!plot) {
      out += "<p class=\"note\">No roofline: the entry has no memory bandwidth or no peak in " +
             std::string(mode == "default" ? "its only mode" : "power mode " + escape(mode)) +
             ".</p>\n";
      continue;
    }
    // The first chart keeps the plain id: links and the browser test find it.
    out += fmt::format("<figure class=\"roofline\" id=\"roofline-{}{}\">", escape(entry.id),
                       first ? "" : "-" + escape(mode));
    first = false;
    out += render_roofline_svg(*plot);
    std::string caption = fmt::format(
        "Roofline of {} in power mode {}: solid, the theoretical roofs (datasheet or derived "
        "peaks and bandwidth); ",
        escape(entry.id), escape(plot->mode));
    caption += plot->calibrated()
                   ? "dashed, the measured roofs (the calibrated GEMM peaks, the DRAM and cache "
                     "bandwidths); dotted, the measured FMA ceilings; shaded, the spread of the "
                     "runs; markers, each GEMM and STREAM record of the linked runs at its "
                     "intensity and best rate (whisker: its median trial) and each workload "
                     "layer; "
                   : "not calibrated, so no measured roofs; ";
    caption += "dots on the roofs, the ridge points (flop/byte). Hover a marker for its figures.";
    out += "<figcaption>" + caption + "</figcaption></figure>\n";
  }
  out += "<div class=\"mode-tables\">\n" + modes_table(entry) + "</div>\n";
  out += "</div>\n";
  out += html_workloads(entry);
  if (entry.history) out += history_section(entry, regression_fraction);
  out += "</section>\n";
  return out;
}

// Two charts on one set of axes, chosen in the page: every entry's charted modes as data for the
// overlay script, two selectors and the figure it draws into.
std::string overlay_section(const DatabaseReport& report) {
  Json plots = Json::array();
  for (const EntryReport& entry : report.entries) {
    for (const std::string& mode : chart_modes(entry, report.power_modes)) {
      if (std::optional<RooflinePlotModel> plot = entry_roofline(entry, mode)) {
        plots.push_back(roofline_plot_json(*plot));
      }
    }
  }
  if (plots.size() < 2) return "";
  std::string data = plots.dump();
  // Nothing in the data may close the script element.
  for (std::size_t at = data.find("</"); at != std::string::npos; at = data.find("</", at + 3)) {
    data.replace(at, 2, "<\\/");
  }
  std::string out;
  out += "<section class=\"overview\" aria-labelledby=\"overlay\">\n";
  out += "<h2 id=\"overlay\">Two rooflines on one chart</h2>\n";
  out +=
      "<p class=\"note\">Choose two charts (an entry in a power mode) to draw on one set of "
      "axes: A in blue, B in red; solid the theoretical roofs, dashed the measured ones, dotted "
      "the FMA ceilings; dots the measured records. Drawn in the page from the figures below it: "
      "nothing is fetched. <code>summarize_database --format svg --id A --id B</code> draws the "
      "same as a file.</p>\n";
  out +=
      "<p><label>A <select id=\"overlay-a\"></select></label> <label>B <select "
      "id=\"overlay-b\"></select></label></p>\n";
  out += "<figure class=\"roofline overlay\" id=\"overlay-chart\"></figure>\n";
  out += "<script type=\"application/json\" id=\"roofline-data\">" + data + "</script>\n";
  out += "</section>\n";
  return out;
}

}  // namespace

std::string render_html(const DatabaseReport& report) {
  for (const std::string& mode : report.power_modes) {
    const bool defined =
        std::any_of(report.entries.begin(), report.entries.end(), [&](const EntryReport& entry) {
          return entry.resource && entry.resource->model().find_mode(mode) != nullptr;
        });
    if (!defined) {
      throw DataError(report.database, "",
                      fmt::format("--power-mode {}: no entry of the report defines it", mode));
    }
  }
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
    out += overlay_section(report);
    // Measured entries first: they are what a reader opens the report for.
    for (bool calibrated_first : {true, false}) {
      for (const EntryReport& entry : report.entries) {
        if (entry.calibrated() == calibrated_first) {
          out += entry_section(entry, report.regression_fraction, report.power_modes);
        }
      }
    }
  }
  out += "</main>\n<footer>\n<p>";
  out += report.generator.empty() ? "Made by hwcal." : "Made by " + escape(report.generator) + ".";
  out += " One self-contained file: nothing in it is fetched from elsewhere.</p>\n</footer>\n";
  out += std::string("<script>") + kScript + "</script>\n";
  out += std::string("<script>") + kOverlayScript + "</script>\n</body>\n</html>\n";
  return out;
}

std::optional<RooflinePlotModel> entry_roofline(const EntryReport& entry, const std::string& mode) {
  if (entry.is_board || entry.modes.empty()) return std::nullopt;  // its parts hold the figures
  if (!entry.resource) throw Error("the HTML and SVG reports need EntryReportOptions::graphics");
  const ResourceModel& model = entry.resource->model();
  std::optional<RooflinePlotModel> plot = roofline_plot_model(model, mode);
  if (!plot) return plot;
  std::vector<RooflineRun> runs;
  if (entry.history) {
    for (const ModeHistory& history : entry.history->modes) {
      if (history.mode != mode) continue;
      for (const HistoryRun& run : history.runs) {
        if (run.in_summary && run.profile) runs.push_back({run.profile.get(), run.path});
      }
    }
  }
  std::vector<RooflineLayer> layers;
  for (const WorkloadRow& row : entry.workloads) {
    if (row.power_mode != mode) continue;
    double total_s = 0;
    for (const WorkloadLayerRow& layer : row.layers) {
      if (auto ms = layer.median_ms ? layer.median_ms : layer.best_ms) total_s += *ms / 1e3;
    }
    for (const WorkloadLayerRow& layer : row.layers) {
      if (!layer.best_ms) continue;
      RooflineLayer point;
      point.workload = row.result.workload;
      point.name = layer.name;
      point.precision = row.result.precision;
      point.run = row.result.calibration_date;  // the newest workload run: its start
      point.flops = layer.flops;
      point.bytes = layer.bytes;
      point.best_s = *layer.best_ms / 1e3;
      if (layer.median_ms) point.median_s = *layer.median_ms / 1e3;
      point.bound = layer.bound;
      const double own_s = point.median_s.value_or(point.best_s);
      point.time_share = total_s > 0 ? own_s / total_s : 0;
      layers.push_back(point);
    }
  }
  add_measurements(*plot, model, runs, layers);
  return plot;
}

std::string render_svg(const DatabaseReport& report) {
  if (report.entries.empty()) throw DataError("", "", "an SVG roofline needs an entry (give --id)");
  // The entries in the order asked for: the first is A.
  std::vector<const EntryReport*> entries;
  for (const std::string& id : report.order) {
    for (const EntryReport& entry : report.entries) {
      if (entry.id == id) entries.push_back(&entry);
    }
  }
  for (const EntryReport& entry : report.entries) {
    if (std::find(entries.begin(), entries.end(), &entry) == entries.end()) {
      entries.push_back(&entry);
    }
  }
  // (entry, mode) pairs: one mode for every entry, a mode per entry in order, or several
  // modes of one entry.
  std::vector<std::pair<const EntryReport*, std::string>> wanted;
  const std::vector<std::string>& modes = report.power_modes;
  if (modes.empty()) {
    for (const EntryReport* entry : entries) wanted.push_back({entry, headline_plot_mode(*entry)});
  } else if (entries.size() == 1) {
    for (const std::string& mode : modes) wanted.push_back({entries.front(), mode});
  } else if (modes.size() == 1 || modes.size() == entries.size()) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      wanted.push_back({entries[i], modes.size() == 1 ? modes.front() : modes[i]});
    }
  } else {
    throw DataError("", "",
                    fmt::format("--power-mode: give one mode for every entry, or one per --id "
                                "({} entries, {} modes)",
                                entries.size(), modes.size()));
  }
  if (wanted.size() > 4) {
    throw DataError("", "",
                    fmt::format("an SVG roofline overlays at most 4 plots; {} asked for (give "
                                "fewer --id or --power-mode)",
                                wanted.size()));
  }
  std::vector<RooflinePlotModel> plots;
  for (const auto& [entry, mode] : wanted) {
    std::optional<RooflinePlotModel> plot = entry_roofline(*entry, mode);
    if (!plot) {
      throw DataError(entry->file, "",
                      entry->is_board
                          ? fmt::format("no roofline for {}: a board has no figures of its own "
                                        "(draw one of its parts)",
                                        entry->id)
                          : fmt::format("no roofline for {} in power mode {}: it needs a memory "
                                        "bandwidth and at least one peak",
                                        entry->id, mode));
    }
    plots.push_back(std::move(*plot));
  }
  return plots.size() == 1 ? render_roofline_svg(plots.front())
                           : render_roofline_overlay_svg(plots);
}

}  // namespace hwcal
