#include "detect/cpu_features.hpp"

#if defined(__x86_64__)
#include <cpuid.h>
#elif defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace hwcal {

#if defined(__x86_64__)
namespace {

struct Registers {
  unsigned eax = 0;
  unsigned ebx = 0;
  unsigned ecx = 0;
  unsigned edx = 0;
};

Registers cpuid(unsigned leaf, unsigned subleaf) {
  Registers r;
  __cpuid_count(leaf, subleaf, r.eax, r.ebx, r.ecx, r.edx);
  return r;
}

unsigned long long xgetbv0() {
  unsigned eax = 0;
  unsigned edx = 0;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

bool bit(unsigned value, int index) { return ((value >> index) & 1u) != 0; }

}  // namespace

CpuFeatures host_cpu_features() {
  CpuFeatures features;
  const unsigned max_leaf = __get_cpuid_max(0, nullptr);
  if (max_leaf < 1) return features;
  Registers leaf1 = cpuid(1, 0);
  const bool osxsave = bit(leaf1.ecx, 27);
  const unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
  // The OS must save the registers: XMM and YMM state for AVX, opmask and ZMM state for AVX-512.
  const bool os_avx = (xcr0 & 0x6) == 0x6;
  const bool os_avx512 = os_avx && (xcr0 & 0xe0) == 0xe0;
  const bool os_amx = (xcr0 & 0x60000) == 0x60000;  // XTILECFG (17) and XTILEDATA (18)
  features.avx = os_avx && bit(leaf1.ecx, 28);
  features.fma = os_avx && bit(leaf1.ecx, 12);
  if (max_leaf >= 7) {
    Registers leaf7 = cpuid(7, 0);
    features.avx2 = os_avx && bit(leaf7.ebx, 5);
    features.avx512f = os_avx512 && bit(leaf7.ebx, 16);
    features.avx512_vnni = features.avx512f && bit(leaf7.ecx, 11);
    features.avx512_fp16 = features.avx512f && bit(leaf7.edx, 23);
    // AMX: the tile architecture (LDTILECFG, TILELOADD: EDX bit 24) and its products, bf16 (bit
    // 22) and int8 (bit 25), with the OS saving the tile state (XCR0 bits 17 and 18 above). Linux
    // also wants each process to ask for the tile data first (measure/kernels/cpu_amx.cpp).
    const bool amx_tile = os_amx && bit(leaf7.edx, 24);
    features.amx_bf16 = amx_tile && bit(leaf7.edx, 22);
    features.amx_int8 = amx_tile && bit(leaf7.edx, 25);
    if (leaf7.eax >= 1) {
      Registers leaf7_1 = cpuid(7, 1);
      features.avx_vnni = os_avx && bit(leaf7_1.eax, 4);
      features.avx512_bf16 = features.avx512f && bit(leaf7_1.eax, 5);
    }
  }
  return features;
}

#elif defined(__aarch64__)

CpuFeatures host_cpu_features() {
  CpuFeatures features;
  const unsigned long hwcap = getauxval(AT_HWCAP);
  features.neon = (hwcap & HWCAP_ASIMD) != 0;
  features.neon_fp16 = (hwcap & HWCAP_ASIMDHP) != 0;
  features.neon_dotprod = (hwcap & HWCAP_ASIMDDP) != 0;
  features.sve = (hwcap & HWCAP_SVE) != 0;
  return features;
}

#else

CpuFeatures host_cpu_features() { return {}; }

#endif

std::vector<std::string> CpuFeatures::names() const {
  std::vector<std::string> out;
  auto add = [&out](bool present, const char* name) {
    if (present) out.emplace_back(name);
  };
  add(avx, "avx");
  add(fma, "fma");
  add(avx2, "avx2");
  add(avx512f, "avx512f");
  add(avx512_vnni, "avx512_vnni");
  add(avx512_bf16, "avx512_bf16");
  add(avx512_fp16, "avx512_fp16");
  add(avx_vnni, "avx_vnni");
  add(amx_bf16, "amx_bf16");
  add(amx_int8, "amx_int8");
  add(neon, "neon");
  add(neon_fp16, "neon_fp16");
  add(neon_dotprod, "neon_dotprod");
  add(sve, "sve");
  return out;
}

}  // namespace hwcal
