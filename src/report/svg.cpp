#include "report/svg.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hwcal::svg {
namespace {

std::string attributes(const Style& style) {
  std::string out;
  if (!style.css_class.empty()) out += fmt::format(" class=\"{}\"", escape(style.css_class));
  if (!style.stroke.empty()) out += fmt::format(" stroke=\"{}\"", escape(style.stroke));
  if (style.stroke_width > 0)
    out += fmt::format(" stroke-width=\"{}\"", number(style.stroke_width));
  if (!style.dash.empty()) out += fmt::format(" stroke-dasharray=\"{}\"", escape(style.dash));
  if (!style.fill.empty()) out += fmt::format(" fill=\"{}\"", escape(style.fill));
  if (style.opacity < 1) out += fmt::format(" opacity=\"{}\"", number(style.opacity));
  if (style.font_size > 0) out += fmt::format(" font-size=\"{}\"", number(style.font_size));
  if (!style.anchor.empty()) out += fmt::format(" text-anchor=\"{}\"", escape(style.anchor));
  if (!style.font_weight.empty()) {
    out += fmt::format(" font-weight=\"{}\"", escape(style.font_weight));
  }
  for (const auto& [name, value] : style.data) {
    out += fmt::format(" data-{}=\"{}\"", escape(name), escape(value));
  }
  if (style.halo && style.stroke.empty()) {
    out +=
        " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"";
  }
  return out;
}

std::string indent(int depth) { return std::string(static_cast<std::size_t>(depth + 1) * 2, ' '); }

double nice_step(double span, int target) {
  double raw = span / std::max(1, target);
  double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= factor * magnitude) return factor * magnitude;
  }
  return 10 * magnitude;
}

}  // namespace

std::string number(double value) {
  if (std::fabs(value) < 0.005) return "0";
  std::string text = fmt::format("{:.2f}", value);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string tick_label(double value) {
  const double magnitude = std::fabs(value);
  struct Suffix {
    double scale;
    const char* name;
  };
  for (Suffix suffix : {Suffix{1e12, "T"}, Suffix{1e9, "G"}, Suffix{1e6, "M"}, Suffix{1e3, "k"}}) {
    if (magnitude >= suffix.scale) {
      std::string text = fmt::format("{:.1f}", value / suffix.scale);
      if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0)
        text.resize(text.size() - 2);
      return text + suffix.name;
    }
  }
  if (magnitude == 0) return "0";
  if (magnitude >= 1) {
    std::string text = fmt::format("{:.1f}", value);
    if (text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
    return text;
  }
  // Below 1: as many decimals as the first significant digit needs.
  int decimals = static_cast<int>(std::ceil(-std::log10(magnitude) - 1e-9));
  std::string text = fmt::format("{:.{}f}", value, decimals);
  return text;
}

std::string linear_tick_label(double value, double step) {
  if (std::fabs(value) >= 1e6) return tick_label(value);
  int decimals = 0;
  if (step > 0 && step < 1) decimals = static_cast<int>(std::ceil(-std::log10(step) - 1e-9));
  std::string text = fmt::format("{:.{}f}", value, decimals);
  return text == "-0" ? "0" : text;
}

std::string significant(double value, int digits) {
  if (value == 0 || !std::isfinite(value)) return value == 0 ? "0" : fmt::format("{}", value);
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const int decimals = std::max(0, digits - 1 - magnitude);
  // Rounding can carry into a new digit (99.96 -> "100.0"): trailing zeros go either way.
  std::string text = fmt::format("{:.{}f}", value, decimals);
  if (text.find('.') != std::string::npos) {
    while (text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
  }
  return text;
}

Document::Document(double width, double height) : width_(width), height_(height) {}

void Document::line(Point from, Point to, const Style& style) {
  body_ +=
      fmt::format("{}<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"{}/>\n", indent(depth_),
                  number(from.x), number(from.y), number(to.x), number(to.y), attributes(style));
}

void Document::polyline(const std::vector<Point>& points, const Style& style) {
  std::string list;
  for (const Point& p : points) {
    if (!list.empty()) list += ' ';
    list += number(p.x) + "," + number(p.y);
  }
  body_ += fmt::format("{}<polyline points=\"{}\"{}/>\n", indent(depth_), list, attributes(style));
}

void Document::rect(Point corner, double width, double height, const Style& style,
                    std::string_view tooltip) {
  const std::string start = fmt::format("{}<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"{}",
                                        indent(depth_), number(corner.x), number(corner.y),
                                        number(width), number(height), attributes(style));
  if (tooltip.empty()) {
    body_ += start + "/>\n";
  } else {
    body_ += fmt::format("{}><title>{}</title></rect>\n", start, escape(tooltip));
  }
}

void Document::circle(Point centre, double radius, const Style& style, std::string_view tooltip) {
  const std::string start =
      fmt::format("{}<circle cx=\"{}\" cy=\"{}\" r=\"{}\"{}", indent(depth_), number(centre.x),
                  number(centre.y), number(radius), attributes(style));
  if (tooltip.empty()) {
    body_ += start + "/>\n";
  } else {
    body_ += fmt::format("{}><title>{}</title></circle>\n", start, escape(tooltip));
  }
}

void Document::polygon(const std::vector<Point>& points, const Style& style,
                       std::string_view tooltip) {
  std::string list;
  for (const Point& p : points) {
    if (!list.empty()) list += ' ';
    list += number(p.x) + "," + number(p.y);
  }
  const std::string start =
      fmt::format("{}<polygon points=\"{}\"{}", indent(depth_), list, attributes(style));
  if (tooltip.empty()) {
    body_ += start + "/>\n";
  } else {
    body_ += fmt::format("{}><title>{}</title></polygon>\n", start, escape(tooltip));
  }
}

void Document::text(Point at, std::string_view content, const Style& style, double rotate_degrees,
                    std::string_view tooltip) {
  std::string transform;
  if (rotate_degrees != 0) {
    transform = fmt::format(" transform=\"rotate({} {} {})\"", number(rotate_degrees), number(at.x),
                            number(at.y));
  }
  std::string title;
  if (!tooltip.empty()) title = fmt::format("<title>{}</title>", escape(tooltip));
  body_ += fmt::format("{}<text x=\"{}\" y=\"{}\"{}{}>{}{}</text>\n", indent(depth_), number(at.x),
                       number(at.y), transform, attributes(style), title, escape(content));
}

void Document::begin_group(std::string_view css_class, std::string_view label) {
  std::string aria;
  if (!label.empty()) aria = fmt::format(" aria-label=\"{}\"", escape(label));
  body_ += fmt::format("{}<g class=\"{}\"{}>\n", indent(depth_), escape(css_class), aria);
  ++depth_;
}

void Document::end_group() {
  if (depth_ == 0) return;
  --depth_;
  body_ += fmt::format("{}</g>\n", indent(depth_));
}

std::string Document::str(std::string_view title) const {
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
      "role=\"img\" font-family=\"sans-serif\">\n",
      number(width_), number(height_), number(width_), number(height_));
  if (!title.empty()) out += fmt::format("  <title>{}</title>\n", escape(title));
  out += body_;
  for (int i = depth_; i > 0; --i)
    out += std::string(static_cast<std::size_t>(i) * 2, ' ') + "</g>\n";
  out += "</svg>\n";
  return out;
}

Scale::Scale(double domain_min, double domain_max, double range_min, double range_max, bool log)
    : domain_min_(domain_min),
      domain_max_(domain_max),
      range_min_(range_min),
      range_max_(range_max),
      log_(log) {}

Scale Scale::linear(double domain_min, double domain_max, double range_min, double range_max) {
  if (domain_max == domain_min) domain_max = domain_min + 1;
  return Scale(domain_min, domain_max, range_min, range_max, false);
}

Scale Scale::log10(double domain_min, double domain_max, double range_min, double range_max) {
  domain_min = std::max(domain_min, 1e-12);
  if (domain_max <= domain_min) domain_max = domain_min * 10;
  return Scale(domain_min, domain_max, range_min, range_max, true);
}

double Scale::operator()(double value) const {
  double t = 0;
  if (log_) {
    value = std::max(value, domain_min_ * 1e-6);
    t = (std::log10(value) - std::log10(domain_min_)) /
        (std::log10(domain_max_) - std::log10(domain_min_));
  } else {
    t = (value - domain_min_) / (domain_max_ - domain_min_);
  }
  return range_min_ + t * (range_max_ - range_min_);
}

std::vector<double> Scale::ticks(int target) const {
  std::vector<double> out;
  if (log_) {
    int first = static_cast<int>(std::ceil(std::log10(domain_min_) - 1e-9));
    int last = static_cast<int>(std::floor(std::log10(domain_max_) + 1e-9));
    int stride = std::max(1, (last - first + target) / std::max(1, target));
    for (int e = first; e <= last; e += stride) out.push_back(std::pow(10.0, e));
    return out;
  }
  double step = nice_step(domain_max_ - domain_min_, target);
  for (double v = std::ceil(domain_min_ / step) * step; v <= domain_max_ + step * 1e-9; v += step) {
    out.push_back(std::fabs(v) < step * 1e-9 ? 0.0 : v);
  }
  return out;
}

std::vector<double> Scale::minor_ticks() const {
  std::vector<double> out;
  if (!log_) return out;
  int first = static_cast<int>(std::floor(std::log10(domain_min_)));
  int last = static_cast<int>(std::ceil(std::log10(domain_max_)));
  for (int e = first; e < last; ++e) {
    for (int m = 2; m <= 9; ++m) {
      double v = m * std::pow(10.0, e);
      if (v >= domain_min_ && v <= domain_max_) out.push_back(v);
    }
  }
  return out;
}

void draw_axes(Document& document, const Scale& x, const Scale& y, const AxisLabels& labels) {
  draw_axes(document, x, y, labels, AxisOptions{});
}

void draw_axes(Document& document, const Scale& x, const Scale& y, const AxisLabels& labels,
               const AxisOptions& options) {
  const double left = x.range_min();
  const double right = x.range_max();
  const double bottom = y.range_min();
  const double top = y.range_max();
  Style grid;
  grid.stroke = "#e3e3e3";
  grid.stroke_width = 1;
  grid.css_class = "grid";
  Style minor = grid;
  minor.stroke = "#f1f1f1";
  minor.css_class = "grid-minor";
  Style frame;
  frame.stroke = "#555555";
  frame.stroke_width = 1;
  frame.fill = "none";
  frame.css_class = "frame";
  Style tick_text;
  tick_text.fill = "#333333";
  tick_text.font_size = options.font_size;
  tick_text.anchor = "middle";
  tick_text.css_class = "tick";

  std::vector<Tick> x_ticks = options.x_ticks;
  if (x_ticks.empty()) {
    for (double v : x.ticks()) x_ticks.push_back({v, tick_label(v)});
  }
  std::vector<Tick> y_ticks = options.y_ticks;
  if (y_ticks.empty()) {
    for (double v : y.ticks()) y_ticks.push_back({v, tick_label(v)});
  }

  document.begin_group("axes");
  if (options.minor_grid) {
    for (double v : x.minor_ticks()) document.line({x(v), bottom}, {x(v), top}, minor);
    for (double v : y.minor_ticks()) document.line({left, y(v)}, {right, y(v)}, minor);
  }
  for (const Tick& tick : x_ticks) {
    const double at = x(tick.value);
    document.line({at, bottom}, {at, top}, grid);
    document.line({at, bottom}, {at, bottom + 5}, frame);
    document.text({at, bottom + 7 + options.font_size}, tick.label, tick_text);
  }
  Style y_tick_text = tick_text;
  y_tick_text.anchor = "end";
  for (const Tick& tick : y_ticks) {
    const double at = y(tick.value);
    document.line({left, at}, {right, at}, grid);
    document.line({left - 5, at}, {left, at}, frame);
    document.text({left - 8, at + 4}, tick.label, y_tick_text);
  }
  document.rect({left, top}, right - left, bottom - top, frame);
  Style title;
  title.fill = "#222222";
  title.font_size = options.font_size + 1;
  title.anchor = "middle";
  title.css_class = "axis-title";
  if (!labels.x.empty()) {
    document.text({(left + right) / 2, bottom + 27 + options.font_size}, labels.x, title);
  }
  if (!labels.y.empty()) {
    document.text({left - options.y_title_offset, (top + bottom) / 2}, labels.y, title, -90);
  }
  document.end_group();
}

bool Box::overlaps(const Box& other) const {
  return left < other.right && other.left < right && top < other.bottom && other.top < bottom;
}

bool Box::inside(const Box& bounds) const {
  return left >= bounds.left && right <= bounds.right && top >= bounds.top &&
         bottom <= bounds.bottom;
}

double text_width(std::string_view text, double font_size) {
  return 0.6 * font_size * static_cast<double>(text.size());
}

Box text_box(Point at, std::string_view text, double font_size, std::string_view anchor) {
  const double width = text_width(text, font_size);
  double left = at.x;
  if (anchor == "middle") left -= width / 2;
  if (anchor == "end") left -= width;
  // Ascenders reach about 0.8 em above the baseline, descenders 0.2 em below.
  return {left, at.y - 0.8 * font_size, left + width, at.y + 0.2 * font_size};
}

std::optional<std::size_t> LabelPlacer::place(const std::vector<Box>& candidates) {
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Box& box = candidates[i];
    if (!box.inside(bounds_)) continue;
    bool free = std::none_of(taken_.begin(), taken_.end(),
                             [&](const Box& taken) { return taken.overlaps(box); });
    if (free) {
      taken_.push_back(box);
      return i;
    }
  }
  return std::nullopt;
}

bool LabelPlacer::place_all(const std::vector<Box>& pieces) {
  for (const Box& box : pieces) {
    if (!box.inside(bounds_)) return false;
    if (std::any_of(taken_.begin(), taken_.end(),
                    [&](const Box& taken) { return taken.overlaps(box); })) {
      return false;
    }
  }
  taken_.insert(taken_.end(), pieces.begin(), pieces.end());
  return true;
}

std::vector<double> spread(const std::vector<double>& wanted, double gap, double low, double high) {
  std::vector<std::size_t> order(wanted.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return wanted[a] < wanted[b]; });
  std::vector<double> at(wanted.size());
  // Down from the top: each at least `gap` below the one before; then up from the bottom when
  // the last ones ran past `high`.
  double previous = low - gap;
  for (std::size_t i : order) {
    at[i] = std::max(wanted[i], previous + gap);
    previous = at[i];
  }
  double next = high + gap;
  for (std::size_t k = order.size(); k-- > 0;) {
    const std::size_t i = order[k];
    at[i] = std::min(at[i], next - gap);
    next = at[i];
  }
  return at;
}

}  // namespace hwcal::svg
