// Peak arithmetic: register-resident chains of fused multiply-adds (and dot-product
// instructions) for each vector ISA the CPU has, one thread per core. Enough independent
// accumulators to cover the latency of the FMA units (16 chains for 2 units of 4-6 cycles),
// so the loop is bound by FMA throughput alone: the arithmetic ceiling GEMM is compared with.
#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "base/thread_team.hpp"
#include "measure/kernels.hpp"

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

namespace hwcal {
namespace {

// Keeps results alive so the compiler cannot drop the chains.
std::atomic<double> g_sink{0};

using PeakLoop = double (*)(long long iterations);

#define HWCAL_REPEAT16(X) \
  X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define HWCAL_REPEAT12(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)

#if defined(__x86_64__)

// Horizontal sums through memory: GCC 12's _mm512_reduce_add_* trip -Wuninitialized.
__attribute__((target("avx512f"))) double sum_lanes(__m512d v) {
  alignas(64) double lanes[8];
  _mm512_store_pd(lanes, v);
  double total = 0;
  for (double lane : lanes) total += lane;
  return total;
}

__attribute__((target("avx512f"))) double sum_lanes(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  double total = 0;
  for (float lane : lanes) total += static_cast<double>(lane);
  return total;
}

__attribute__((target("avx512f"))) double sum_lanes(__m512i v) {
  alignas(64) int lanes[16];
  _mm512_store_si512(lanes, v);
  double total = 0;
  for (int lane : lanes) total += lane;
  return total;
}

// a = a * m + c converges to c / (1 - m) = 1: no overflow, no denormals, however long it runs.
__attribute__((target("avx512f"))) double fma_avx512_fp64(long long iterations) {
  const __m512d m = _mm512_set1_pd(0.9999999);
  const __m512d c = _mm512_set1_pd(1e-7);
#define DECLARE(i) __m512d a##i = _mm512_set1_pd(0.5 + 0.01 * (i));
  HWCAL_REPEAT16(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) a##i = _mm512_fmadd_pd(a##i, m, c);
    HWCAL_REPEAT16(STEP)
#undef STEP
  }
  __m512d sum = _mm512_setzero_pd();
#define SUM(i) sum = _mm512_add_pd(sum, a##i);
  HWCAL_REPEAT16(SUM)
#undef SUM
  return sum_lanes(sum);
}

__attribute__((target("avx512f"))) double fma_avx512_fp32(long long iterations) {
  const __m512 m = _mm512_set1_ps(0.9999f);
  const __m512 c = _mm512_set1_ps(1e-4f);
#define DECLARE(i) __m512 a##i = _mm512_set1_ps(0.5f + 0.01f * (i));
  HWCAL_REPEAT16(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) a##i = _mm512_fmadd_ps(a##i, m, c);
    HWCAL_REPEAT16(STEP)
#undef STEP
  }
  __m512 sum = _mm512_setzero_ps();
#define SUM(i) sum = _mm512_add_ps(sum, a##i);
  HWCAL_REPEAT16(SUM)
#undef SUM
  return sum_lanes(sum);
}

// 16 ymm registers: 12 accumulators and the two constants.
__attribute__((target("avx2,fma"))) double fma_avx2_fp64(long long iterations) {
  const __m256d m = _mm256_set1_pd(0.9999999);
  const __m256d c = _mm256_set1_pd(1e-7);
#define DECLARE(i) __m256d a##i = _mm256_set1_pd(0.5 + 0.01 * (i));
  HWCAL_REPEAT12(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) a##i = _mm256_fmadd_pd(a##i, m, c);
    HWCAL_REPEAT12(STEP)
#undef STEP
  }
  __m256d sum = _mm256_setzero_pd();
#define SUM(i) sum = _mm256_add_pd(sum, a##i);
  HWCAL_REPEAT12(SUM)
#undef SUM
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

__attribute__((target("avx2,fma"))) double fma_avx2_fp32(long long iterations) {
  const __m256 m = _mm256_set1_ps(0.9999f);
  const __m256 c = _mm256_set1_ps(1e-4f);
#define DECLARE(i) __m256 a##i = _mm256_set1_ps(0.5f + 0.01f * (i));
  HWCAL_REPEAT12(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) a##i = _mm256_fmadd_ps(a##i, m, c);
    HWCAL_REPEAT12(STEP)
#undef STEP
  }
  __m256 sum = _mm256_setzero_ps();
#define SUM(i) sum = _mm256_add_ps(sum, a##i);
  HWCAL_REPEAT12(SUM)
#undef SUM
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  double total = 0;
  for (float lane : lanes) total += static_cast<double>(lane);
  return total;
}

// vdpbf16ps: 32 bf16 products summed pairwise into 16 fp32 lanes = 64 flops per instruction.
// The operands alternate in sign so the accumulators stay near zero.
__attribute__((target("avx512f,avx512bf16"))) double dot_avx512_bf16(long long iterations) {
  const __m512 x = _mm512_set1_ps(0.25f);
  const __m512 y = _mm512_set_ps(1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1);
  const __m512bh a = _mm512_cvtne2ps_pbh(x, x);
  const __m512bh b = _mm512_cvtne2ps_pbh(y, y);
#define DECLARE(i) __m512 acc##i = _mm512_set1_ps(0.01f * (i));
  HWCAL_REPEAT16(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) acc##i = _mm512_dpbf16_ps(acc##i, a, b);
    HWCAL_REPEAT16(STEP)
#undef STEP
  }
  __m512 sum = _mm512_setzero_ps();
#define SUM(i) sum = _mm512_add_ps(sum, acc##i);
  HWCAL_REPEAT16(SUM)
#undef SUM
  return sum_lanes(sum);
}

// vpdpbusd: 64 u8 x s8 products summed four at a time into 16 int32 lanes = 128 operations.
__attribute__((target("avx512f,avx512vnni"))) double dot_avx512_int8(long long iterations) {
  const __m512i a = _mm512_set1_epi8(1);
  const __m512i b = _mm512_set1_epi32(0x01ff01ff);  // +1, -1, +1, -1: each sum of four is 0
#define DECLARE(i) __m512i acc##i = _mm512_set1_epi32(i);
  HWCAL_REPEAT16(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) acc##i = _mm512_dpbusd_epi32(acc##i, a, b);
    HWCAL_REPEAT16(STEP)
#undef STEP
  }
  __m512i sum = _mm512_setzero_si512();
#define SUM(i) sum = _mm512_add_epi32(sum, acc##i);
  HWCAL_REPEAT16(SUM)
#undef SUM
  return sum_lanes(sum);
}

// The 256-bit VEX form (Alder Lake, Zen 5): 32 products = 64 operations per instruction.
__attribute__((target("avx2,avxvnni"))) double dot_avxvnni_int8(long long iterations) {
  const __m256i a = _mm256_set1_epi8(1);
  const __m256i b = _mm256_set1_epi32(0x01ff01ff);
#define DECLARE(i) __m256i acc##i = _mm256_set1_epi32(i);
  HWCAL_REPEAT12(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) acc##i = _mm256_dpbusd_avx_epi32(acc##i, a, b);
    HWCAL_REPEAT12(STEP)
#undef STEP
  }
  __m256i sum = _mm256_setzero_si256();
#define SUM(i) sum = _mm256_add_epi32(sum, acc##i);
  HWCAL_REPEAT12(SUM)
#undef SUM
  alignas(32) int lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), sum);
  double total = 0;
  for (int lane : lanes) total += lane;
  return total;
}

#endif  // __x86_64__

#if defined(__aarch64__)

#define HWCAL_REPEAT24(X) HWCAL_REPEAT16(X) X(16) X(17) X(18) X(19) X(20) X(21) X(22) X(23)

double fma_neon_fp64(long long iterations) {
  const float64x2_t m = vdupq_n_f64(0.9999999);
  const float64x2_t c = vdupq_n_f64(1e-7);
#define DECLARE(i) float64x2_t a##i = vdupq_n_f64(0.5 + 0.01 * (i));
  HWCAL_REPEAT24(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) a##i = vfmaq_f64(c, a##i, m);
    HWCAL_REPEAT24(STEP)
#undef STEP
  }
  float64x2_t sum = vdupq_n_f64(0);
#define SUM(i) sum = vaddq_f64(sum, a##i);
  HWCAL_REPEAT24(SUM)
#undef SUM
  return vaddvq_f64(sum);
}

double fma_neon_fp32(long long iterations) {
  const float32x4_t m = vdupq_n_f32(0.9999f);
  const float32x4_t c = vdupq_n_f32(1e-4f);
#define DECLARE(i) float32x4_t a##i = vdupq_n_f32(0.5f + 0.01f * (i));
  HWCAL_REPEAT24(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) a##i = vfmaq_f32(c, a##i, m);
    HWCAL_REPEAT24(STEP)
#undef STEP
  }
  float32x4_t sum = vdupq_n_f32(0);
#define SUM(i) sum = vaddq_f32(sum, a##i);
  HWCAL_REPEAT24(SUM)
#undef SUM
  return static_cast<double>(vaddvq_f32(sum));
}

__attribute__((target("+fp16"))) double fma_neon_fp16(long long iterations) {
  const float16x8_t m = vdupq_n_f16(0.99f);
  const float16x8_t c = vdupq_n_f16(0.01f);
#define DECLARE(i) float16x8_t a##i = vdupq_n_f16(0.5f + 0.01f * (i));
  HWCAL_REPEAT24(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) a##i = vfmaq_f16(c, a##i, m);
    HWCAL_REPEAT24(STEP)
#undef STEP
  }
  float16x8_t sum = vdupq_n_f16(0);
#define SUM(i) sum = vaddq_f16(sum, a##i);
  HWCAL_REPEAT24(SUM)
#undef SUM
  return static_cast<double>(vgetq_lane_f16(sum, 0));
}

// sdot: 16 s8 products summed four at a time into 4 int32 lanes = 32 operations.
__attribute__((target("+dotprod"))) double dot_neon_int8(long long iterations) {
  const int8x16_t a = vdupq_n_s8(1);
  const int8x16_t b = vreinterpretq_s8_s32(vdupq_n_s32(0x01ff01ff));
#define DECLARE(i) int32x4_t acc##i = vdupq_n_s32(i);
  HWCAL_REPEAT24(DECLARE)
#undef DECLARE
  for (long long it = 0; it < iterations; ++it) {
#define STEP(i) acc##i = vdotq_s32(acc##i, a, b);
    HWCAL_REPEAT24(STEP)
#undef STEP
  }
  int32x4_t sum = vdupq_n_s32(0);
#define SUM(i) sum = vaddq_s32(sum, acc##i);
  HWCAL_REPEAT24(SUM)
#undef SUM
  return static_cast<double>(vaddvq_s32(sum));
}

#endif  // __aarch64__

// Every thread of the team runs the loop; one call ends when the slowest thread is done.
class PeakKernel : public PreparedKernel {
 public:
  PeakKernel(PeakLoop loop, const KernelShape& shape, const KernelEnv& env)
      : loop_(loop), iterations_(shape.iterations), team_(env.cpus) {}
  void run() override {
    team_.run([this](std::size_t) { g_sink.store(loop_(iterations_), std::memory_order_relaxed); });
  }
  std::size_t threads_used() const override { return team_.size(); }

 private:
  PeakLoop loop_;
  long long iterations_;
  ThreadTeam team_;
};

KernelDescriptor peak(const char* id, const char* description, Precision precision,
                      double ops_per_iteration, PeakLoop loop,
                      std::function<std::string(const KernelEnv&)> unavailable) {
  KernelDescriptor d;
  d.id = id;
  d.description = description;
  d.device = "cpu";
  d.backend = "native";
  d.precision = precision;
  d.unavailable_reason = std::move(unavailable);
  d.flops = [ops_per_iteration](const KernelShape& s, const KernelEnv& env) {
    return ops_per_iteration * static_cast<double>(s.iterations) *
           static_cast<double>(env.threads());
  };
  d.bytes = [](const KernelShape&, const KernelEnv&) { return 0.0; };
  d.prepare = [loop](const KernelShape& s, const KernelEnv& env) {
    return std::unique_ptr<PreparedKernel>(new PeakKernel(loop, s, env));
  };
  return d;
}

std::function<std::string(const KernelEnv&)> needs(bool CpuFeatures::*feature, const char* name) {
  return [feature, name](const KernelEnv& env) {
    return env.cpu.*feature ? std::string()
                            : fmt::format("this CPU (or the OS) does not offer {}", name);
  };
}

[[maybe_unused]] std::function<std::string(const KernelEnv&)> other_isa(const char* isa) {
  return [isa](const KernelEnv&) { return fmt::format("{} kernels exist only on {}", isa, isa); };
}

}  // namespace

std::vector<KernelDescriptor> cpu_peak_kernels() {
  std::vector<KernelDescriptor> kernels;
#if defined(__x86_64__)
  // ops per iteration = chains x lanes x 2 (an FMA is two operations)
  kernels.push_back(peak("cpu_fma_fp64_avx512", "fp64 FMA chains, AVX-512 (16 x 8 lanes)",
                         Precision::fp64, 16 * 8 * 2, fma_avx512_fp64,
                         needs(&CpuFeatures::avx512f, "AVX-512F")));
  kernels.push_back(peak("cpu_fma_fp32_avx512", "fp32 FMA chains, AVX-512 (16 x 16 lanes)",
                         Precision::fp32, 16 * 16 * 2, fma_avx512_fp32,
                         needs(&CpuFeatures::avx512f, "AVX-512F")));
  kernels.push_back(peak("cpu_fma_fp64_avx2", "fp64 FMA chains, AVX2 (12 x 4 lanes)",
                         Precision::fp64, 12 * 4 * 2, fma_avx2_fp64,
                         needs(&CpuFeatures::fma, "FMA3 with AVX2")));
  kernels.push_back(peak("cpu_fma_fp32_avx2", "fp32 FMA chains, AVX2 (12 x 8 lanes)",
                         Precision::fp32, 12 * 8 * 2, fma_avx2_fp32,
                         needs(&CpuFeatures::fma, "FMA3 with AVX2")));
  kernels.push_back(peak(
      "cpu_fma_bf16_avx512bf16", "bf16 dot products, AVX512_BF16 vdpbf16ps (16 x 64 flops)",
      Precision::bf16, 16 * 64, dot_avx512_bf16, needs(&CpuFeatures::avx512_bf16, "AVX512_BF16")));
  kernels.push_back(peak(
      "cpu_fma_int8_avx512vnni", "int8 dot products, AVX512_VNNI vpdpbusd (16 x 128 ops)",
      Precision::int8, 16 * 128, dot_avx512_int8, needs(&CpuFeatures::avx512_vnni, "AVX512_VNNI")));
  kernels.push_back(peak("cpu_fma_int8_avxvnni",
                         "int8 dot products, AVX-VNNI vpdpbusd (12 x 64 ops)", Precision::int8,
                         12 * 64, dot_avxvnni_int8, needs(&CpuFeatures::avx_vnni, "AVX-VNNI")));
#elif defined(__aarch64__)
  kernels.push_back(peak("cpu_fma_fp64_neon", "fp64 FMA chains, NEON (24 x 2 lanes)",
                         Precision::fp64, 24 * 2 * 2, fma_neon_fp64,
                         needs(&CpuFeatures::neon, "NEON (ASIMD)")));
  kernels.push_back(peak("cpu_fma_fp32_neon", "fp32 FMA chains, NEON (24 x 4 lanes)",
                         Precision::fp32, 24 * 4 * 2, fma_neon_fp32,
                         needs(&CpuFeatures::neon, "NEON (ASIMD)")));
  kernels.push_back(peak("cpu_fma_fp16_neon", "fp16 FMA chains, NEON FP16 (24 x 8 lanes)",
                         Precision::fp16, 24 * 8 * 2, fma_neon_fp16,
                         needs(&CpuFeatures::neon_fp16, "half-precision NEON arithmetic")));
  kernels.push_back(peak("cpu_fma_int8_neondot", "int8 dot products, NEON sdot (24 x 32 ops)",
                         Precision::int8, 24 * 32, dot_neon_int8,
                         needs(&CpuFeatures::neon_dotprod, "the NEON dot-product extension")));
#endif
  return kernels;
}

}  // namespace hwcal
