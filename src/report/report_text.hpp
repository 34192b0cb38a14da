// Text helpers the report's renderers share (report.cpp, report_html.cpp, report_workloads.cpp,
// roofline_plot.cpp).
// Private to the library.
#pragma once

#include <string>
#include <string_view>

#include "base/text.hpp"

namespace hwcal::report_text {

using hwcal::lower;

// "NVIDIA H100 SXM5 80GB", without repeating the vendor when the model already names it.
inline std::string device_name(std::string_view vendor, std::string_view model) {
  if (lower(model).rfind(lower(vendor), 0) == 0) return std::string(model);
  return std::string(vendor) + " " + std::string(model);
}

// A CSV field, quoted (with doubled quotes) when it holds a comma, a quote or a line break.
inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace hwcal::report_text
