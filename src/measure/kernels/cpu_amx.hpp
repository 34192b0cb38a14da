// Intel AMX (Advanced Matrix Extensions) on x86_64 Linux: what the peak kernels in cpu_amx.cpp
// need before they may run, and one tile product each for the tests to compare with a scalar
// reference. Elsewhere the kernels do not exist and these functions say so.
#pragma once

#include <cstdint>
#include <string>

#include "detect/cpu_features.hpp"

namespace hwcal {

// A tile as the kernels configure it: 16 rows of 64 bytes.
inline constexpr int kAmxTileRows = 16;
inline constexpr int kAmxTileRowBytes = 64;
inline constexpr int kAmxTileBytes = kAmxTileRows * kAmxTileRowBytes;

// "" when this process may run AMX tile instructions that `feature` (&CpuFeatures::amx_bf16 or
// amx_int8, called `name` in the message) needs, else why not: the CPU or the OS (XCR0 bits 17
// and 18) does not offer it, or Linux refused the tile data state
// (arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA), asked once per process, here).
std::string amx_unavailable_reason(const CpuFeatures& cpu, bool CpuFeatures::*feature,
                                   const char* name);

// One TDPBF16PS, c += a b, on the host's AMX unit. a: 16 rows of 32 bf16 (raw bits), row-major
// (A[m][k] at a[m * 32 + k]). b: B (32 x 16) in the pair layout TDPBF16PS reads, 16 rows of 16
// pairs: B[2r + i][n] at b[r * 32 + 2n + i]. c: 16 x 16 fp32, row-major. KernelUnsupported when
// amx_unavailable_reason says no (never an illegal instruction).
void amx_tile_dpbf16ps(const std::uint16_t* a, const std::uint16_t* b, float* c);

// One TDPBSSD, c += a b with signed bytes. a: 16 rows of 64 int8. b: B (64 x 16) in groups of
// four: B[4r + i][n] at b[r * 64 + 4n + i]. c: 16 x 16 int32. KernelUnsupported as above.
void amx_tile_dpbssd(const std::int8_t* a, const std::int8_t* b, std::int32_t* c);

}  // namespace hwcal
