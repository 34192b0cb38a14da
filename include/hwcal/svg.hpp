// A small SVG drawing module: a document of shapes and text, linear and log10 scales with
// readable ticks, and axes. Output is deterministic (fixed number formatting, attributes in a
// fixed order, no ids from counters or clocks), so golden files can compare it byte for byte.
// It knows nothing of hardware: report.cpp and roofline plots draw with it.
#pragma once

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
};

class Document {
 public:
  Document(double width, double height);

  void line(Point from, Point to, const Style& style);
  void polyline(const std::vector<Point>& points, const Style& style);
  void rect(Point corner, double width, double height, const Style& style);
  void circle(Point centre, double radius, const Style& style);
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

// Coordinates and numbers as the document writes them: at most two decimals, no trailing zeros.
std::string number(double value);

// Escapes &, <, >, " for text and attribute values.
std::string escape(std::string_view text);

struct AxisLabels {
  std::string x;  // "arithmetic intensity (flop/byte)"
  std::string y;  // "GFLOPS"
};

// Grid lines, ticks, tick labels and axis titles for the plot area bounded by the scales'
// ranges (x range left to right, y range bottom to top).
void draw_axes(Document& document, const Scale& x, const Scale& y, const AxisLabels& labels);

}  // namespace hwcal::svg
