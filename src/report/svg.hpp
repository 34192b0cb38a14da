// A small SVG drawing module: a document of shapes and text, linear and log10 scales with
// readable ticks, and axes. Output is deterministic (fixed number formatting, attributes in a
// fixed order, no ids from counters or clocks), so golden files can compare it byte for byte.
// It knows nothing of hardware: report.cpp and roofline plots draw with it.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hwcal::svg {

struct Point {
  double x = 0;
  double y = 0;
};

// Presentation attributes; empty strings and zero widths are left out of the output.
struct Style {
  std::string stroke;       // "#1f77b4"
  double stroke_width = 0;  // px
  std::string fill;         // "none" or a colour
  std::string dash;         // "4 3"
  double opacity = 1;       // of the whole element
  double font_size = 0;     // px, text only
  std::string anchor;       // start, middle, end (text only)
  std::string font_weight;  // "bold" (text only)
  std::string css_class;    // class attribute, for the report's stylesheet
  // Text only: a white outline under the glyphs, so grid lines and roofs behind a label do not
  // cut through it.
  bool halo = false;
  // data-NAME="value" attributes, in this order: figures a script or a test reads back.
  std::vector<std::pair<std::string, std::string>> data;
};

class Document {
 public:
  Document(double width, double height);

  void line(Point from, Point to, const Style& style);
  void polyline(const std::vector<Point>& points, const Style& style);
  // `tooltip` becomes a <title> child, as for text.
  void rect(Point corner, double width, double height, const Style& style,
            std::string_view tooltip = "");
  void circle(Point centre, double radius, const Style& style, std::string_view tooltip = "");
  // A closed shape (markers, bands); `tooltip` as for circle.
  void polygon(const std::vector<Point>& points, const Style& style, std::string_view tooltip = "");
  // `tooltip` becomes a <title> child: shown on hover, read by screen readers.
  void text(Point at, std::string_view content, const Style& style, double rotate_degrees = 0,
            std::string_view tooltip = "");
  void begin_group(std::string_view css_class, std::string_view label = "");
  void end_group();

  double width() const { return width_; }
  double height() const { return height_; }

  // The whole <svg> element (with xmlns), `title` as its accessible name.
  std::string str(std::string_view title = "") const;

 private:
  double width_;
  double height_;
  std::string body_;
  int depth_ = 0;
};

// Maps a domain onto pixels. Log scales need a positive domain.
class Scale {
 public:
  static Scale linear(double domain_min, double domain_max, double range_min, double range_max);
  static Scale log10(double domain_min, double domain_max, double range_min, double range_max);

  double operator()(double value) const;
  bool is_log() const { return log_; }
  double domain_min() const { return domain_min_; }
  double domain_max() const { return domain_max_; }
  double range_min() const { return range_min_; }
  double range_max() const { return range_max_; }

  // Major ticks: every power of ten on a log scale, "nice" steps (1, 2, 5 x 10^k) on a linear
  // one, at most about `target` of them.
  std::vector<double> ticks(int target = 6) const;
  // Minor ticks of a log scale: 2..9 x 10^k inside the domain; none for a linear scale.
  std::vector<double> minor_ticks() const;

 private:
  Scale(double domain_min, double domain_max, double range_min, double range_max, bool log);
  double domain_min_;
  double domain_max_;
  double range_min_;
  double range_max_;
  bool log_;
};

// Tick labels people read at a glance: 0.01, 0.5, 1, 20, 300, 4k, 50k, 1.2M, 3G.
std::string tick_label(double value);
// A linear axis's tick label with as many decimals as its `step` needs and no suffix below a
// million: neighbours 1150 and 1200 stay apart, where tick_label would show both as "1.2k".
std::string linear_tick_label(double value, double step);
// `value` to `digits` significant digits, without trailing zeros: 18.36 -> "18.4", 146.9 ->
// "147", 0.5234 -> "0.523".
std::string significant(double value, int digits = 3);

// Coordinates and numbers as the document writes them: at most two decimals, no trailing zeros.
std::string number(double value);

// Escapes &, <, >, " for text and attribute values.
std::string escape(std::string_view text);

struct AxisLabels {
  std::string x;  // "arithmetic intensity (flop/byte)"
  std::string y;  // "GFLOPS"
};

struct Tick {
  double value = 0;
  std::string label;
};

struct AxisOptions {
  std::vector<Tick> x_ticks;  // given ticks (an axis of runs, dates); empty: the scale's own
  std::vector<Tick> y_ticks;
  bool minor_grid = true;      // a log scale's 2..9 x 10^k lines
  double y_title_offset = 48;  // px left of the plot area: clears the widest y tick label
  double font_size = 11;       // tick labels; axis titles are one px larger
};

// Grid lines, ticks, tick labels and axis titles for the plot area bounded by the scales'
// ranges (x range left to right, y range bottom to top).
void draw_axes(Document& document, const Scale& x, const Scale& y, const AxisLabels& labels);
void draw_axes(Document& document, const Scale& x, const Scale& y, const AxisLabels& labels,
               const AxisOptions& options);

// ---- label placement ----------------------------------------------------------------------
// Plots place their labels themselves, deterministically, so that none overlaps another and
// none leaves the plot; the width of a text is estimated, as there is no font to measure.

// A rectangle in document pixels (y grows downwards).
struct Box {
  double left = 0;
  double top = 0;
  double right = 0;
  double bottom = 0;
  bool overlaps(const Box& other) const;
  bool inside(const Box& bounds) const;
};

// The width of `text` in a sans-serif font of `font_size` px, erring wide (0.6 em a character,
// where digits and lower-case letters take about 0.55).
double text_width(std::string_view text, double font_size);
// The box of a text drawn at `at` (its baseline) with `anchor` start, middle or end.
Box text_box(Point at, std::string_view text, double font_size, std::string_view anchor);

// Takes labels one at a time and gives each the first of its candidate boxes that stays inside
// the bounds and overlaps nothing taken before, so callers list candidates in preference order
// and place the most important labels first.
class LabelPlacer {
 public:
  explicit LabelPlacer(Box bounds) : bounds_(bounds) {}
  // An obstacle: a legend or a marker that labels must not cover.
  void reserve(const Box& box) { taken_.push_back(box); }
  // The index of the candidate taken, nullopt when none fits (the caller drops the label).
  std::optional<std::size_t> place(const std::vector<Box>& candidates);
  // One label made of several boxes (a rotated text, piece by piece): all are taken when every
  // one fits, else none.
  bool place_all(const std::vector<Box>& pieces);

 private:
  Box bounds_;
  std::vector<Box> taken_;
};

// Positions (label baselines) moved apart to at least `gap` from each other, in their order,
// each as close to where it wanted to be as the others allow, within [low, high] when they fit.
std::vector<double> spread(const std::vector<double>& wanted, double gap, double low, double high);

}  // namespace hwcal::svg
