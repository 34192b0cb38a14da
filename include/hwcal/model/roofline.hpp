// The roofline of a resource model: the one place that turns peaks, bandwidths and efficiencies
// into roofs, ridge points and time estimates. Reports (the HTML roofline) and workload
// estimates use these functions rather than computing their own.
//
// A piece of work of `flops` operations moving `bytes` to and from memory takes the larger of
// flops / compute roof and bytes / memory roof; the larger term names the binding limit. The
// theoretical roof is the datasheet peak; the calibrated roof multiplies it by the measured
// efficiency (1 where the entry has no calibration, so both roofs agree there).
//
// Everything here is constexpr: on a generated model (include/hwcal/mappers/) an estimate can
// be a compile-time constant. An unknown mode, a precision the mode has no rate for, or negative
// work throws DataError (and so does not compile in a constant expression).
#pragma once

#include <optional>
#include <string_view>

#include "hwcal/model/resource_model.hpp"

namespace hwcal {

enum class Roof { theoretical, calibrated };
enum class Bound { compute, memory };

std::string_view to_string(Roof roof);
std::optional<Roof> parse_roof(std::string_view name);
std::string_view to_string(Bound bound);

// The two roofs of one precision in one power mode.
struct RoofLimits {
  double peak_gflops = 0;     // compute roof (GIOPS for integer precisions)
  double bandwidth_gbps = 0;  // memory roof
  // Whether each roof applied a measured efficiency (always false on the theoretical roof).
  bool compute_calibrated = false;
  bool bandwidth_calibrated = false;

  // The arithmetic intensity (operations per byte) where the two roofs meet.
  constexpr double ridge_flops_per_byte() const { return peak_gflops / bandwidth_gbps; }
  // The roofline itself: the best rate attainable at an arithmetic intensity.
  constexpr double attainable_gflops(double flops_per_byte) const {
    double memory_gflops = bandwidth_gbps * flops_per_byte;
    return memory_gflops < peak_gflops ? memory_gflops : peak_gflops;
  }
};

struct RooflineEstimate {
  double seconds = 0;
  double compute_seconds = 0;  // flops / compute roof
  double memory_seconds = 0;   // bytes / memory roof
  Bound bound = Bound::compute;
  double peak_gflops = 0;  // the roofs used
  double bandwidth_gbps = 0;
  double ridge_flops_per_byte = 0;
  bool compute_calibrated = false;
  bool bandwidth_calibrated = false;
};

namespace detail {
// Not constexpr on purpose: reaching one of these in a constant expression is a compile error.
[[noreturn]] void throw_unknown_mode(const ResourceModel& model, std::string_view mode);
[[noreturn]] void throw_no_rate(const ResourceModel& model, const PowerModeModel& mode,
                                Precision precision);
[[noreturn]] void throw_no_bandwidth(const ResourceModel& model, const PowerModeModel& mode);
[[noreturn]] void throw_bad_work(const ResourceModel& model, double flops, double bytes);
}  // namespace detail

// The roofs of `precision` in power mode `mode` ("default" for a device without modes).
constexpr RoofLimits roof_limits(const ResourceModel& model, Precision precision,
                                 std::string_view mode, Roof roof = Roof::calibrated) {
  const PowerModeModel* power_mode = model.find_mode(mode);
  if (power_mode == nullptr) detail::throw_unknown_mode(model, mode);
  const PrecisionRate* rate = power_mode->find_rate(precision);
  if (rate == nullptr || !(rate->peak_gflops * rate->efficiency > 0)) {
    detail::throw_no_rate(model, *power_mode, precision);
  }
  if (!(power_mode->bandwidth_gbps * power_mode->bandwidth_efficiency > 0)) {
    detail::throw_no_bandwidth(model, *power_mode);
  }
  RoofLimits limits;
  if (roof == Roof::calibrated) {
    limits.peak_gflops = rate->calibrated_gflops();
    limits.bandwidth_gbps = power_mode->calibrated_bandwidth_gbps();
    limits.compute_calibrated = rate->calibrated;
    limits.bandwidth_calibrated = power_mode->bandwidth_calibrated;
  } else {
    limits.peak_gflops = rate->peak_gflops;
    limits.bandwidth_gbps = power_mode->bandwidth_gbps;
    // With the theoretical bandwidth unknown, both roofs stand on the measured one.
    limits.bandwidth_calibrated = power_mode->bandwidth_measured_only;
  }
  return limits;
}

// The time of `flops` operations of `precision` moving `bytes` in power mode `mode`.
constexpr RooflineEstimate estimate(const ResourceModel& model, double flops, double bytes,
                                    Precision precision, std::string_view mode,
                                    Roof roof = Roof::calibrated) {
  if (!(flops >= 0) || !(bytes >= 0)) detail::throw_bad_work(model, flops, bytes);
  RoofLimits limits = roof_limits(model, precision, mode, roof);
  RooflineEstimate result;
  result.compute_seconds = flops / (limits.peak_gflops * 1e9);
  result.memory_seconds = bytes / (limits.bandwidth_gbps * 1e9);
  result.bound = result.memory_seconds > result.compute_seconds ? Bound::memory : Bound::compute;
  result.seconds = result.bound == Bound::memory ? result.memory_seconds : result.compute_seconds;
  result.peak_gflops = limits.peak_gflops;
  result.bandwidth_gbps = limits.bandwidth_gbps;
  result.ridge_flops_per_byte = limits.ridge_flops_per_byte();
  result.compute_calibrated = limits.compute_calibrated;
  result.bandwidth_calibrated = limits.bandwidth_calibrated;
  return result;
}

}  // namespace hwcal
