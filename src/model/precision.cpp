#include "hwcal/model/precision.hpp"

namespace hwcal {

std::string_view to_string(Precision precision) {
  switch (precision) {
    case Precision::fp64: return "fp64";
    case Precision::fp32: return "fp32";
    case Precision::tf32: return "tf32";
    case Precision::fp16: return "fp16";
    case Precision::bf16: return "bf16";
    case Precision::fp8_e4m3: return "fp8_e4m3";
    case Precision::fp8_e5m2: return "fp8_e5m2";
    case Precision::fp4: return "fp4";
    case Precision::int64: return "int64";
    case Precision::int32: return "int32";
    case Precision::int16: return "int16";
    case Precision::int8: return "int8";
    case Precision::int4: return "int4";
  }
  return "unknown";
}

std::optional<Precision> parse_precision(std::string_view name) {
  for (Precision precision : kAllPrecisions) {
    if (to_string(precision) == name) return precision;
  }
  return std::nullopt;
}

std::string precision_names() {
  std::string names;
  for (Precision precision : kAllPrecisions) {
    if (!names.empty()) names += ", ";
    names += to_string(precision);
  }
  return names;
}

bool is_integer(Precision precision) {
  switch (precision) {
    case Precision::int64:
    case Precision::int32:
    case Precision::int16:
    case Precision::int8:
    case Precision::int4: return true;
    default: return false;
  }
}

std::string_view throughput_unit(Precision precision) {
  return is_integer(precision) ? "GIOPS" : "GFLOPS";
}

}  // namespace hwcal
