// Deterministic pseudo-random fills that any thread can compute for any index: inputs are never
// zeros or uninitialised memory (docs/architecture.md, Measurement rules), and a thread can
// first-touch and fill its own part.
#pragma once

#include <cstdint>

namespace hwcal {

// splitmix64 of (seed, index): a well-mixed 64-bit value.
inline std::uint64_t mix64(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// Uniform in [-1, 1).
inline double random_unit(std::uint64_t seed, std::uint64_t index) {
  return static_cast<double>(mix64(seed, index) >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

// Uniform integer in [low, high].
inline int random_int(std::uint64_t seed, std::uint64_t index, int low, int high) {
  return low + static_cast<int>(mix64(seed, index) % static_cast<std::uint64_t>(high - low + 1));
}

}  // namespace hwcal
