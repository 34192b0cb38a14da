// Numeric precisions: the canonical list and order, parsing, names and throughput units.
// Floating-point rates are GFLOPS, integer rates GIOPS (10^9 operations per second).
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

enum class Precision {
  fp64,
  fp32,
  tf32,
  fp16,
  bf16,
  fp8_e4m3,
  fp8_e5m2,
  fp4,
  int64,
  int32,
  int16,
  int8,
  int4,
};

// Every precision in canonical order (the order reports and files use).
inline constexpr std::array<Precision, 13> kAllPrecisions = {
    Precision::fp64,     Precision::fp32,     Precision::tf32, Precision::fp16,  Precision::bf16,
    Precision::fp8_e4m3, Precision::fp8_e5m2, Precision::fp4,  Precision::int64, Precision::int32,
    Precision::int16,    Precision::int8,     Precision::int4,
};

std::string_view to_string(Precision precision);

// Exact, case-sensitive canonical name; nullopt for anything else.
std::optional<Precision> parse_precision(std::string_view name);

// "fp64, fp32, ..." for error messages.
std::string precision_names();

bool is_integer(Precision precision);

// "GFLOPS" or "GIOPS".
std::string_view throughput_unit(Precision precision);

}  // namespace hwcal
