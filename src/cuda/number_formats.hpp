// Decoding the GPU's narrow number formats on the host, from their bits, for the GEMM spot checks:
// the reference is computed in double from the exact values the GPU multiplied. Written out
// rather than taken from cuda_fp16.h / cuda_fp8.h, whose host paths differ between toolkits.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace hwcal::cuda {

// IEEE binary16: 1 sign, 5 exponent (bias 15), 10 fraction bits.
inline double decode_fp16(std::uint16_t bits) {
  const int sign = (bits >> 15) & 1;
  const int exponent = (bits >> 10) & 0x1f;
  const int fraction = bits & 0x3ff;
  double value = 0;
  if (exponent == 0) {
    value = std::ldexp(fraction, -24);  // subnormal: fraction x 2^-14 x 2^-10
  } else if (exponent == 31) {
    value = fraction == 0 ? std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::quiet_NaN();
  } else {
    value = std::ldexp(1024 + fraction, exponent - 25);
  }
  return sign != 0 ? -value : value;
}

// bfloat16: the upper half of an IEEE binary32.
inline double decode_bf16(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float value = 0;
  std::memcpy(&value, &wide, sizeof(value));
  return static_cast<double>(value);
}

// OCP FP8 E4M3 (NVIDIA's __nv_fp8_e4m3): 1 sign, 4 exponent (bias 7), 3 fraction bits; no
// infinities, S.1111.111 is NaN, the largest value is 448.
inline double decode_e4m3(std::uint8_t bits) {
  const int sign = (bits >> 7) & 1;
  const int exponent = (bits >> 3) & 0xf;
  const int fraction = bits & 0x7;
  double value = 0;
  if (exponent == 15 && fraction == 7) {
    value = std::numeric_limits<double>::quiet_NaN();
  } else if (exponent == 0) {
    value = std::ldexp(fraction, -9);  // subnormal: fraction x 2^-6 x 2^-3
  } else {
    value = std::ldexp(8 + fraction, exponent - 10);
  }
  return sign != 0 ? -value : value;
}

}  // namespace hwcal::cuda
