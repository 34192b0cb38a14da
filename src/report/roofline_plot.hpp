// Roofline plots: the roofs of one device in one power mode as a deterministic SVG, drawn with
// svg.hpp. Every roof, ridge point and attainable rate comes from roofline.hpp (roof_limits,
// RoofLimits::attainable_gflops and ridge_flops_per_byte on the entry's resource model); this
// module groups, scales and labels them and computes nothing of its own.
//
// The plot is log-log: arithmetic intensity (flop/byte) on x, GFLOPS (GIOPS for integer
// precisions) on y. Solid lines are the theoretical roofs (datasheet peaks and bandwidth), dashed
// lines the calibrated ones (the same scaled by the measured efficiencies), drawn only where the
// mode was measured; dots mark the ridge points, labelled with their intensity.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwcal/model/precision.hpp"
#include "hwcal/model/resource_model.hpp"
#include "hwcal/model/roofline.hpp"

namespace hwcal {

// One roof line: a precision's compute roof with the memory roof it meets. Precisions whose
// roofs coincide (fp16 and bf16 on most GPUs) share one line and one label.
struct RooflineRoof {
  std::vector<Precision> precisions;  // canonical order
  std::string label;                  // "fp16/bf16"; the fp8 variants together read "fp8"
  RoofLimits limits;                  // from roof_limits
  bool calibrated = false;  // dashed: the measured peak, on the measured bandwidth where known
};

// What one plot shows, before any pixel: tests check it, render_roofline_svg lays it out.
struct RooflinePlotModel {
  std::string id;
  std::string device;  // "NVIDIA Jetson Orin Nano 8GB GPU"
  std::string mode;    // the power mode, "default" for a device without modes
  bool mode_is_default = false;
  // The theoretical roofs, lowest peak first, then the calibrated ones (precisions measured in
  // this mode), lowest first.
  std::vector<RooflineRoof> roofs;
  double bandwidth_gbps = 0;  // the theoretical memory roof
  // The entry does not know its theoretical bandwidth: bandwidth_gbps is the measured one, drawn
  // once and labelled so (PowerModeModel::bandwidth_measured_only).
  bool bandwidth_measured_only = false;
  std::optional<double> calibrated_bandwidth_gbps;  // only when bandwidth was measured
  // Where the bandwidth was measured, the roof the dashed memory slope runs up to: the highest
  // calibrated one, or when no peak was measured, the highest peak on the measured bandwidth.
  std::optional<RoofLimits> calibrated_memory_roof;
  std::string y_unit;  // "GFLOPS", "GIOPS", or "GFLOPS / GIOPS" when both kinds show
  // Log domain in whole decades: a decade below the lowest ridge point to a decade above the
  // highest, and from the lowest memory roof's rate at x_min to above the highest peak.
  double x_min = 0;
  double x_max = 0;
  double y_min = 0;
  double y_max = 0;
  bool calibrated() const;  // anything dashed at all
};

// The roofs of `mode` ("default" for a device without modes); nullopt when the mode has no
// memory bandwidth or no peak, as then there is no roofline to draw. An unknown mode throws
// DataError (from roof_limits).
std::optional<RooflinePlotModel> roofline_plot_model(const ResourceModel& model,
                                                     std::string_view mode);

struct RooflinePlotOptions {
  double width_px = 760;
  double height_px = 440;
};

// The whole <svg> element with a visible title and legend, and an accessible <title>.
std::string render_roofline_svg(const RooflinePlotModel& plot,
                                const RooflinePlotOptions& options = {});

// The colour of a precision on every plot (roofs, history charts): fixed, so a reader learns it.
std::string_view precision_colour(Precision precision);

}  // namespace hwcal
