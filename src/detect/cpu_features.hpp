// What the running CPU can execute, read from the processor itself (CPUID and XGETBV on x86,
// the auxiliary vector on aarch64) rather than from /proc/cpuinfo: a kernel is available only
// where its instructions really run, which is what the OS has enabled, not what the chip has.
#pragma once

#include <string>
#include <vector>

namespace hwcal {

struct CpuFeatures {
  // x86_64
  bool avx = false;
  bool fma = false;
  bool avx2 = false;
  bool avx512f = false;
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
  bool avx512_fp16 = false;
  bool avx_vnni = false;
  bool amx_bf16 = false;
  bool amx_int8 = false;
  // aarch64
  bool neon = false;
  bool neon_fp16 = false;  // FEAT_FP16: half-precision arithmetic
  bool neon_dotprod = false;
  bool sve = false;

  // "avx2 fma avx512f ..." for profiles and messages.
  std::vector<std::string> names() const;
};

CpuFeatures host_cpu_features();

}  // namespace hwcal
