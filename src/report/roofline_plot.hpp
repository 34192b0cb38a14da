// Roofline plots: the roofs of one device in one power mode as a deterministic SVG, drawn with
// svg.hpp. Every roof, ridge point and attainable rate comes from roofline.hpp (roof_limits,
// RoofLimits::attainable_gflops and ridge_flops_per_byte on the entry's resource model); this
// module groups, scales and labels them and computes nothing of its own.
//
// The plot is log-log: arithmetic intensity (flop/byte) on x, the rate on y in the unit the
// chart's highest roof needs (GFLOPS, TFLOPS or PFLOPS; GIOPS, TOPS or POPS for integer
// precisions, which never share a label with floating-point ones). Solid lines are the
// theoretical roofs (datasheet or derived peaks and bandwidth), dashed lines the calibrated GEMM
// roofs and the measured bandwidths (DRAM and the cache levels the STREAM sweep reached), dotted
// lines the measured FMA ceilings; shaded bands the spread of the linked runs. Every roof is
// labelled with its origin. Measured points: each GEMM and STREAM record of the linked runs at
// its arithmetic intensity (flops / bytes per call as recorded) and its best rate, a whisker
// down to its median trial; each workload layer of the latest workload run, sized by its share
// of the time and coloured by the limit that binds it. Each point carries data-* attributes
// (its record's figures) and a <title>. Several plot models overlay on one set of axes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hwcal/json/json_io.hpp"
#include "hwcal/model/precision.hpp"
#include "hwcal/model/resource_model.hpp"
#include "hwcal/model/roofline.hpp"
#include "profile/profile.hpp"

namespace hwcal {

// One roof line: a precision's compute roof with the memory roof it meets. Precisions whose
// roofs coincide (fp16 and bf16 on most GPUs) share one line and one label.
struct RooflineRoof {
  std::vector<Precision> precisions;  // canonical order; all integer or all floating-point
  std::string label;                  // "fp16/bf16"; the fp8 variants together read "fp8"
  RoofLimits limits;                  // from roof_limits
  bool calibrated = false;  // dashed: the measured peak, on the measured bandwidth where known
  std::string origin;       // "datasheet", "derived: core table", ...; "measured" when calibrated
  // Calibrated roofs: the spread of the linked runs, from the slowest run's median trial of the
  // record behind the figure (its mean where the record kept no median) to the fastest run's
  // best; absent when no run is linked.
  std::optional<std::pair<double, double>> band;
};

// A measured bandwidth below the DRAM roof's: a cache level the STREAM sweep stayed in.
struct BandwidthRoof {
  std::string level;  // "L1", "L2", "L3", "DRAM"
  double gbps = 0;    // the median over the linked runs of each run's best at this level
  std::optional<std::pair<double, double>> band;  // as RooflineRoof::band
  std::string source;                             // "cpu_stream_copy, 4 sizes, 1 run"
};

// The measured arithmetic ceiling of a precision (the peak-FMA kernels): a compute roof met by
// the measured memory roof (the theoretical one where bandwidth was not measured).
struct CeilingRoof {
  Precision precision = Precision::fp32;
  double gflops = 0;  // the median over the linked runs of each run's best FMA kernel
  std::optional<std::pair<double, double>> band;  // [min, max] over the runs
};

// One measured record or workload layer on the plot.
struct RooflinePoint {
  std::string kind;    // "gemm", "stream", "layer"
  std::string kernel;  // the record's kernel id; a layer: "resnet18/conv1"
  std::string size;    // "m=n=k=4096", "array 64 MiB", "batch 1"
  Precision precision = Precision::fp32;
  std::string run;   // the profile's path (relative to the database's parent); layers: a date
  double flops = 0;  // per call, as recorded
  double bytes = 0;  // per call, as recorded (GEMM records without bytes: see bytes_from_shape)
  // The record gave no bytes (the predecessor's GEMM records): (m*k + k*n + m*n) elements of the
  // precision's size, each matrix moved once, the traffic calibrate itself records for a GEMM.
  bool bytes_from_shape = false;
  double best_s = 0;                 // the fastest trial (samples_s; stats_s.min without samples)
  std::optional<double> spread_s;    // the median trial; the mean where no median was kept
  std::string spread_statistic;      // "median", "mean" or "" (none)
  double roof_gflops = 0;            // the theoretical roof of its precision at its intensity
  std::optional<std::string> bound;  // layers: "compute" or "memory"
  double time_share = 0;             // layers: of their workload's summed layer medians
  double intensity() const { return flops / bytes; }
  double best_gflops() const { return flops / best_s / 1e9; }
  std::optional<double> spread_gflops() const {
    if (!spread_s) return std::nullopt;
    return flops / *spread_s / 1e9;
  }
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
  std::string memory_type;  // "LPDDR5", "HBM3"; "" when the entry does not say
  // Where the bandwidth was measured, the roof the dashed memory slope runs up to: the highest
  // calibrated one, or when no peak was measured, the highest peak on the measured bandwidth.
  std::optional<RoofLimits> calibrated_memory_roof;
  std::string y_unit;      // "TFLOPS", "GIOPS", or "TFLOPS (float) / TOPS (integer)" when both show
  double unit_scale = 1;   // GFLOPS per y_unit: 1, 1e3 or 1e6
  std::string float_unit;  // "TFLOPS": the unit of floating-point rates on this chart
  std::string integer_unit;  // "TOPS"
  // Measured figures from the linked runs and the workload results (add_measurements).
  std::vector<BandwidthRoof> bandwidth_roofs;  // cache levels, fastest first; DRAM last
  std::vector<CeilingRoof> ceilings;
  std::vector<RooflinePoint> points;
  std::optional<std::pair<double, double>> bandwidth_band;  // the DRAM roof's spread
  // Provenance, printed in the figure.
  std::size_t runs = 0;          // linked runs of this mode
  std::string date;              // the newest linked run's start, "" when none
  std::size_t copy_records = 0;  // bandwidth records without flops (copies): no point
  std::string unit_for(Precision precision) const;
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

// One linked calibration run of the plotted mode.
struct RooflineRun {
  const CalibrationProfile* profile = nullptr;
  std::string path;
};

// A workload layer as the report holds it (report.hpp's WorkloadLayerRow, without the header).
struct RooflineLayer {
  std::string workload;  // "resnet18"
  std::string name;
  Precision precision = Precision::fp32;
  std::string run;  // the newest workload run's start (the summary keeps no path per result)
  double flops = 0;
  double bytes = 0;
  double best_s = 0;
  std::optional<double> median_s;
  std::optional<std::string> bound;
  double time_share = 0;
};

// Adds the runs' GEMM and STREAM points, cache roofs, FMA ceilings and bands, and the layers;
// widens the domain to hold them and chooses the unit again.
void add_measurements(RooflinePlotModel& plot, const ResourceModel& model,
                      const std::vector<RooflineRun>& runs,
                      const std::vector<RooflineLayer>& layers = {});

// The point of a GEMM or STREAM record, nullopt for a record that has none: not passed, no
// precision, no trials, no flops (a copy) or no bytes and no GEMM shape.
std::optional<RooflinePoint> record_point(const MeasurementRecord& record, const std::string& run);

struct RooflinePlotOptions {
  double width_px = 860;
  double height_px = 500;
};

// The whole <svg> element with a visible title, provenance line and legend, and an accessible
// <title>.
std::string render_roofline_svg(const RooflinePlotModel& plot,
                                const RooflinePlotOptions& options = {});
// Several plots on one set of axes (two entries, or two modes of one), each in its own colour.
std::string render_roofline_overlay_svg(const std::vector<RooflinePlotModel>& plots,
                                        const RooflinePlotOptions& options = {});

// The figures the HTML report's overlay script draws from: name, domain, roofs with their
// origins, bandwidths, points with their titles, provenance.
Json roofline_plot_json(const RooflinePlotModel& plot);

// "jetson_orin_nano_gpu, power mode 25W: 1 linked calibration run, newest ...": what the
// figure says of its sources.
std::string roofline_provenance(const RooflinePlotModel& plot);

// The colour of a precision on every plot (roofs, history charts): fixed, so a reader learns it.
std::string_view precision_colour(Precision precision);

}  // namespace hwcal
