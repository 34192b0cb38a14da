// The resource model: what a performance model (a mapper) needs to know of one device, taken
// from its database entry: identity, compute units and clocks, caches, and per power mode the
// theoretical peak and calibrated efficiency of each precision and of memory bandwidth.
//
// One literal type serves both sides. sync_mappers writes it as `inline constexpr` data into the
// generated headers under include/hwcal/mappers/, and build_resource_model
// (hwcal/database/entry_model.hpp) makes the same view from a HardwareSpec at run time, so
// roofline.hpp's helpers work on either. Arrays are pointer plus count so that a generated header
// can point a model at `inline constexpr` arrays. This header must stay light (no nlohmann/json):
// every generated header includes it.
#pragma once

#include <cstddef>
#include <string_view>

#include "hwcal/model/device_type.hpp"
#include "hwcal/model/peak_origin.hpp"
#include "hwcal/model/precision.hpp"

namespace hwcal {

// One precision in one power mode.
struct PrecisionRate {
  Precision precision = Precision::fp32;
  double peak_gflops = 0;  // theoretical, dense; GIOPS for integer precisions
  double efficiency = 1;   // measured / theoretical from calibration_summary; 1 when not measured
  bool calibrated = false;
  PeakOrigin origin = PeakOrigin::datasheet;  // where peak_gflops came from
  constexpr double calibrated_gflops() const { return peak_gflops * efficiency; }
};

enum class CacheKind { data, instruction, unified };

std::string_view to_string(CacheKind kind);

struct CacheModel {
  long long level = 0;
  CacheKind kind = CacheKind::unified;
  double size_kib = 0;       // of one instance
  long long line_bytes = 0;  // 0 when the entry does not say
  long long count = 0;       // instances; 0 when the entry does not say
  std::string_view scope;    // "per core", "shared"; empty when the entry does not say
};

// A power mode (nvpmodel's name), or "default": the device itself when it has no modes. Peaks
// the mode does not give are the device's, as the schema defines.
struct PowerModeModel {
  std::string_view name;
  double clock_mhz = 0;  // this device's clock in the mode; 0 when the entry does not say
  double tdp_watts = 0;  // 0 when the entry does not say
  const PrecisionRate* rates = nullptr;  // canonical precision order
  std::size_t rate_count = 0;
  double bandwidth_gbps = 0;  // theoretical DRAM (HBM) bandwidth
  double bandwidth_efficiency = 1;
  bool bandwidth_calibrated = false;
  // The entry does not know its theoretical bandwidth (peak_bandwidth_unknown): bandwidth_gbps is
  // then the measured figure, the only memory roof there is; 0 when nothing was measured either.
  bool bandwidth_measured_only = false;

  constexpr const PrecisionRate* find_rate(Precision precision) const {
    for (std::size_t i = 0; i < rate_count; ++i) {
      if (rates[i].precision == precision) return &rates[i];
    }
    return nullptr;
  }
  constexpr double calibrated_bandwidth_gbps() const {
    return bandwidth_gbps * bandwidth_efficiency;
  }
};

struct ResourceModel;

// One part of a board (DeviceType::board): an entry of the same database. In a generated header
// `model` points at the part's own generated model; in a model built at run time from one spec
// it is nullptr (the builder has no database to look the part up in).
struct BoardPartModel {
  std::string_view id;
  std::string_view role;  // "cpu", "gpu", "dla"; empty when the entry does not say
  long long count = 1;
  const ResourceModel* model = nullptr;
};

struct ResourceModel {
  std::string_view id;
  std::string_view vendor;
  std::string_view model;
  std::string_view architecture;
  DeviceType device_type = DeviceType::cpu;
  std::string_view platform;
  long long compute_units = 0;  // cores or SMs; 0 when the entry does not say
  std::string_view unit_name;   // "core", "SM"
  long long cores_per_unit = 0;
  double base_clock_mhz = 0;
  double max_clock_mhz = 0;
  std::string_view memory_type;
  double memory_size_gb = 0;
  double tdp_watts = 0;
  const CacheModel* caches = nullptr;
  std::size_t cache_count = 0;
  const PowerModeModel* modes = nullptr;  // the entry's order; never empty
  std::size_t mode_count = 0;
  std::string_view default_mode;  // always one of `modes`
  std::string_view mapper_class;  // the entry's mapper.class; empty when none
  // npu / accelerator / dsp (docs/schema.md): how it attaches ("pcie", "m2", "soc", "usb", ...),
  // the link in words, on-chip SRAM, typical power, frameworks and compilers that target it.
  // Empty or 0 when the entry does not say (and on CPU and GPU entries).
  std::string_view attachment;
  std::string_view host_interface;
  double on_chip_memory_mib = 0;
  double typical_power_watts = 0;
  const std::string_view* frameworks = nullptr;
  std::size_t framework_count = 0;
  // A board's parts; none on a device.
  const BoardPartModel* parts = nullptr;
  std::size_t part_count = 0;

  constexpr const PowerModeModel* find_mode(std::string_view name) const {
    for (std::size_t i = 0; i < mode_count; ++i) {
      if (modes[i].name == name) return &modes[i];
    }
    return nullptr;
  }
};

}  // namespace hwcal
