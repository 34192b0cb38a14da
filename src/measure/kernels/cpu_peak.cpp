// Peak arithmetic: register-resident chains of fused multiply-adds (and dot-product
// instructions) for each vector ISA the CPU has, one thread per core. Enough independent
// accumulators to cover the latency of the FMA units (16 chains for 2 units of 4-6 cycles),
// so the loop is bound by FMA throughput alone: the arithmetic ceiling GEMM is compared with.
#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/thread_team.hpp"
#include "measure/kernels.hpp"

// Set by src/measure/CMakeLists.txt: whether the compiler knows AVX512-FP16.
#ifndef HWCAL_HAVE_AVX512FP16
#define HWCAL_HAVE_AVX512FP16 0
#endif

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

// The loop every peak kernel runs: Isa::kChains independent accumulators, each stepped once per
// iteration by one instruction with the same two operands, then summed. An Isa (below, one per
// instruction set and type) names the vector type and wraps its intrinsics. An intrinsic compiles
// only in a function built for its instruction set, and a template instance takes no target
// attribute from its caller, so each Isa's instance is instantiated explicitly inside its
// `#pragma GCC target` region, which gives the instance that region's target. The accumulators
// are an array indexed by constants (the pack I), so they live in registers as separate
// variables would.
template <class Isa, std::size_t... I>
double chain_loop(long long iterations, std::index_sequence<I...>) {
  using Vector = typename Isa::Vector;
  const auto x = Isa::first();
  const auto y = Isa::second();
  Vector acc[] = {Isa::start(static_cast<int>(I))...};
  for (long long it = 0; it < iterations; ++it) {
    ((acc[I] = Isa::step(acc[I], x, y)), ...);
  }
  Vector sum = Isa::zero();
  ((sum = Isa::add(sum, acc[I])), ...);
  return Isa::sum_lanes(sum);
}

template <class Isa>
using Chains = std::make_index_sequence<Isa::kChains>;

// The PeakLoop of an Isa: a plain call into its instance (built for another target, so never
// inlined here).
template <class Isa>
double run_chains(long long iterations) {
  return chain_loop<Isa>(iterations, Chains<Isa>());
}

#if defined(__x86_64__)

#pragma GCC push_options
#pragma GCC target("avx512f")

// FMA chains: a = a * m + c converges to c / (1 - m) = 1: no overflow, no denormals, however
// long it runs. first() is m, second() is c.
struct Avx512Fp64 {
  using Vector = __m512d;
  static constexpr std::size_t kChains = 16;
  static Vector first() { return _mm512_set1_pd(0.9999999); }
  static Vector second() { return _mm512_set1_pd(1e-7); }
  static Vector start(int i) { return _mm512_set1_pd(0.5 + 0.01 * i); }
  static Vector step(Vector a, Vector m, Vector c) { return _mm512_fmadd_pd(a, m, c); }
  static Vector zero() { return _mm512_setzero_pd(); }
  static Vector add(Vector a, Vector b) { return _mm512_add_pd(a, b); }
  // Horizontal sums through memory: GCC 12's _mm512_reduce_add_* trip -Wuninitialized.
  static double sum_lanes(Vector v) {
    alignas(64) double lanes[8];
    _mm512_store_pd(lanes, v);
    double total = 0;
    for (double lane : lanes) total += lane;
    return total;
  }
};

struct Avx512Fp32 {
  using Vector = __m512;
  static constexpr std::size_t kChains = 16;
  static Vector first() { return _mm512_set1_ps(0.9999f); }
  static Vector second() { return _mm512_set1_ps(1e-4f); }
  static Vector start(int i) { return _mm512_set1_ps(0.5f + 0.01f * static_cast<float>(i)); }
  static Vector step(Vector a, Vector m, Vector c) { return _mm512_fmadd_ps(a, m, c); }
  static Vector zero() { return _mm512_setzero_ps(); }
  static Vector add(Vector a, Vector b) { return _mm512_add_ps(a, b); }
  static double sum_lanes(Vector v) {
    alignas(64) float lanes[16];
    _mm512_store_ps(lanes, v);
    double total = 0;
    for (float lane : lanes) total += static_cast<double>(lane);
    return total;
  }
};

template double chain_loop<Avx512Fp64>(long long, Chains<Avx512Fp64>);
template double chain_loop<Avx512Fp32>(long long, Chains<Avx512Fp32>);

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,fma")

// 16 ymm registers: 12 accumulators and the two constants.
struct Avx2Fp64 {
  using Vector = __m256d;
  static constexpr std::size_t kChains = 12;
  static Vector first() { return _mm256_set1_pd(0.9999999); }
  static Vector second() { return _mm256_set1_pd(1e-7); }
  static Vector start(int i) { return _mm256_set1_pd(0.5 + 0.01 * i); }
  static Vector step(Vector a, Vector m, Vector c) { return _mm256_fmadd_pd(a, m, c); }
  static Vector zero() { return _mm256_setzero_pd(); }
  static Vector add(Vector a, Vector b) { return _mm256_add_pd(a, b); }
  static double sum_lanes(Vector v) {
    alignas(32) double lanes[4];
    _mm256_store_pd(lanes, v);
    return lanes[0] + lanes[1] + lanes[2] + lanes[3];
  }
};

struct Avx2Fp32 {
  using Vector = __m256;
  static constexpr std::size_t kChains = 12;
  static Vector first() { return _mm256_set1_ps(0.9999f); }
  static Vector second() { return _mm256_set1_ps(1e-4f); }
  static Vector start(int i) { return _mm256_set1_ps(0.5f + 0.01f * static_cast<float>(i)); }
  static Vector step(Vector a, Vector m, Vector c) { return _mm256_fmadd_ps(a, m, c); }
  static Vector zero() { return _mm256_setzero_ps(); }
  static Vector add(Vector a, Vector b) { return _mm256_add_ps(a, b); }
  static double sum_lanes(Vector v) {
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, v);
    double total = 0;
    for (float lane : lanes) total += static_cast<double>(lane);
    return total;
  }
};

template double chain_loop<Avx2Fp64>(long long, Chains<Avx2Fp64>);
template double chain_loop<Avx2Fp32>(long long, Chains<Avx2Fp32>);

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx512bf16")

// vdpbf16ps: 32 bf16 products summed pairwise into 16 fp32 lanes = 64 flops per instruction.
// The operands alternate in sign so the accumulators stay near zero.
struct Avx512Bf16Dot : Avx512Fp32 {
  static __m512bh first() {
    return _mm512_cvtne2ps_pbh(_mm512_set1_ps(0.25f), _mm512_set1_ps(0.25f));
  }
  static __m512bh second() {
    const __m512 y = _mm512_set_ps(1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1, 1, -1);
    return _mm512_cvtne2ps_pbh(y, y);
  }
  static Vector start(int i) { return _mm512_set1_ps(0.01f * static_cast<float>(i)); }
  static Vector step(Vector acc, __m512bh a, __m512bh b) { return _mm512_dpbf16_ps(acc, a, b); }
};

template double chain_loop<Avx512Bf16Dot>(long long, Chains<Avx512Bf16Dot>);

#pragma GCC pop_options

#if HWCAL_HAVE_AVX512FP16
#pragma GCC push_options
#pragma GCC target("avx512f,avx512fp16")

// vfmadd231ph: 32 fp16 lanes, the chains of the fp32 kernel at half precision. a = a * 0.99 +
// 0.01 converges to 1 (as the NEON fp16 kernel's do): no overflow, no subnormals.
struct Avx512Fp16 {
  using Vector = __m512h;
  static constexpr std::size_t kChains = 16;
  static Vector first() { return _mm512_set1_ph(static_cast<_Float16>(0.99f)); }
  static Vector second() { return _mm512_set1_ph(static_cast<_Float16>(0.01f)); }
  static Vector start(int i) {
    return _mm512_set1_ph(static_cast<_Float16>(0.5f + 0.01f * static_cast<float>(i)));
  }
  static Vector step(Vector a, Vector m, Vector c) { return _mm512_fmadd_ph(a, m, c); }
  static Vector zero() { return _mm512_setzero_ph(); }
  static Vector add(Vector a, Vector b) { return _mm512_add_ph(a, b); }
  static double sum_lanes(Vector v) {
    alignas(64) _Float16 lanes[32];
    _mm512_store_ph(lanes, v);
    double total = 0;
    for (_Float16 lane : lanes) total += static_cast<double>(lane);
    return total;
  }
};

template double chain_loop<Avx512Fp16>(long long, Chains<Avx512Fp16>);

#pragma GCC pop_options
#endif  // HWCAL_HAVE_AVX512FP16

#pragma GCC push_options
#pragma GCC target("avx512f,avx512vnni")

// vpdpbusd: 64 u8 x s8 products summed four at a time into 16 int32 lanes = 128 operations.
struct Avx512Int8Dot {
  using Vector = __m512i;
  static constexpr std::size_t kChains = 16;
  static Vector first() { return _mm512_set1_epi8(1); }
  static Vector second() { return _mm512_set1_epi32(0x01ff01ff); }  // +1, -1, +1, -1: sums 0
  static Vector start(int i) { return _mm512_set1_epi32(i); }
  // In assembly, not the intrinsic: GCC 12 copies each accumulator around the intrinsic's
  // destructive form (a vmovdqa per vpdpbusd), which cost 5% of the peak (docs/calibrate.md).
  static Vector step(Vector acc, Vector a, Vector b) {
    asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
    return acc;
  }
  static Vector zero() { return _mm512_setzero_si512(); }
  static Vector add(Vector a, Vector b) { return _mm512_add_epi32(a, b); }
  static double sum_lanes(Vector v) {
    alignas(64) int lanes[16];
    _mm512_store_si512(lanes, v);
    double total = 0;
    for (int lane : lanes) total += lane;
    return total;
  }
};

template double chain_loop<Avx512Int8Dot>(long long, Chains<Avx512Int8Dot>);

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx2,avxvnni")

// The 256-bit VEX form (Alder Lake, Zen 5): 32 products = 64 operations per instruction.
struct AvxVnniInt8Dot {
  using Vector = __m256i;
  static constexpr std::size_t kChains = 12;
  static Vector first() { return _mm256_set1_epi8(1); }
  static Vector second() { return _mm256_set1_epi32(0x01ff01ff); }
  static Vector start(int i) { return _mm256_set1_epi32(i); }
  // In assembly: with the intrinsic GCC 12 spilled the accumulators to the stack every iteration
  // (0.64 of the peak on Zen 5); 12 accumulators and the two operands fit the 16 ymm registers.
  static Vector step(Vector acc, Vector a, Vector b) {
    asm("%{vex%} vpdpbusd %2, %1, %0" : "+x"(acc) : "x"(a), "x"(b));
    return acc;
  }
  static Vector zero() { return _mm256_setzero_si256(); }
  static Vector add(Vector a, Vector b) { return _mm256_add_epi32(a, b); }
  static double sum_lanes(Vector v) {
    alignas(32) int lanes[8];
    _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), v);
    double total = 0;
    for (int lane : lanes) total += lane;
    return total;
  }
};

template double chain_loop<AvxVnniInt8Dot>(long long, Chains<AvxVnniInt8Dot>);

#pragma GCC pop_options

#endif  // __x86_64__

#if defined(__aarch64__)

// 32 NEON registers: 24 accumulators, the two operands and room to spare.
struct NeonFp64 {
  using Vector = float64x2_t;
  static constexpr std::size_t kChains = 24;
  static Vector first() { return vdupq_n_f64(0.9999999); }
  static Vector second() { return vdupq_n_f64(1e-7); }
  static Vector start(int i) { return vdupq_n_f64(0.5 + 0.01 * i); }
  static Vector step(Vector a, Vector m, Vector c) { return vfmaq_f64(c, a, m); }
  static Vector zero() { return vdupq_n_f64(0); }
  static Vector add(Vector a, Vector b) { return vaddq_f64(a, b); }
  static double sum_lanes(Vector v) { return vaddvq_f64(v); }
};

struct NeonFp32 {
  using Vector = float32x4_t;
  static constexpr std::size_t kChains = 24;
  static Vector first() { return vdupq_n_f32(0.9999f); }
  static Vector second() { return vdupq_n_f32(1e-4f); }
  static Vector start(int i) { return vdupq_n_f32(0.5f + 0.01f * static_cast<float>(i)); }
  static Vector step(Vector a, Vector m, Vector c) { return vfmaq_f32(c, a, m); }
  static Vector zero() { return vdupq_n_f32(0); }
  static Vector add(Vector a, Vector b) { return vaddq_f32(a, b); }
  static double sum_lanes(Vector v) { return static_cast<double>(vaddvq_f32(v)); }
};

template double chain_loop<NeonFp64>(long long, Chains<NeonFp64>);
template double chain_loop<NeonFp32>(long long, Chains<NeonFp32>);

#pragma GCC push_options
#pragma GCC target("+fp16")

struct NeonFp16 {
  using Vector = float16x8_t;
  static constexpr std::size_t kChains = 24;
  static Vector first() { return vdupq_n_f16(0.99f); }
  static Vector second() { return vdupq_n_f16(0.01f); }
  static Vector start(int i) { return vdupq_n_f16(0.5f + 0.01f * static_cast<float>(i)); }
  static Vector step(Vector a, Vector m, Vector c) { return vfmaq_f16(c, a, m); }
  static Vector zero() { return vdupq_n_f16(0); }
  static Vector add(Vector a, Vector b) { return vaddq_f16(a, b); }
  static double sum_lanes(Vector v) { return static_cast<double>(vgetq_lane_f16(v, 0)); }
};

template double chain_loop<NeonFp16>(long long, Chains<NeonFp16>);

#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("+dotprod")

// sdot: 16 s8 products summed four at a time into 4 int32 lanes = 32 operations.
struct NeonInt8Dot {
  using Vector = int32x4_t;
  static constexpr std::size_t kChains = 24;
  static int8x16_t first() { return vdupq_n_s8(1); }
  static int8x16_t second() { return vreinterpretq_s8_s32(vdupq_n_s32(0x01ff01ff)); }
  static Vector start(int i) { return vdupq_n_s32(i); }
  static Vector step(Vector acc, int8x16_t a, int8x16_t b) { return vdotq_s32(acc, a, b); }
  static Vector zero() { return vdupq_n_s32(0); }
  static Vector add(Vector a, Vector b) { return vaddq_s32(a, b); }
  static double sum_lanes(Vector v) { return static_cast<double>(vaddvq_s32(v)); }
};

template double chain_loop<NeonInt8Dot>(long long, Chains<NeonInt8Dot>);

#pragma GCC pop_options

#endif  // __aarch64__

// Every thread of the team runs the loop; one call ends when the slowest thread is done.
class PeakKernel : public PreparedKernel {
 public:
  PeakKernel(PeakLoop loop, const PeakShape& shape, const KernelEnv& env)
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
  KernelDescriptor d =
      kernel_descriptor(id, description, "cpu", "native", precision, KernelClass::peak_fma);
  d.unavailable_reason = std::move(unavailable);
  d.flops = with_shape<PeakShape>([ops_per_iteration](const PeakShape& s, const KernelEnv& env) {
    return ops_per_iteration * static_cast<double>(s.iterations) *
           static_cast<double>(env.threads());
  });
  d.bytes = [](const KernelShape&, const KernelEnv&) { return 0.0; };
  d.prepare = with_shape<PeakShape>(
      [name = std::string(id), loop](const PeakShape& s, const KernelEnv& env) {
        if (loop == nullptr) throw KernelUnsupported(name + " is not in this build");
        return std::unique_ptr<PreparedKernel>(new PeakKernel(loop, s, env));
      });
  return d;
}

std::function<std::string(const KernelEnv&)> needs(bool CpuFeatures::*feature, const char* name) {
  return [feature, name](const KernelEnv& env) {
    return env.cpu.*feature ? std::string()
                            : fmt::format("this CPU (or the OS) does not offer {}", name);
  };
}

[[maybe_unused]] std::function<std::string(const KernelEnv&)> not_built(const char* what) {
  return [what](const KernelEnv&) { return std::string(what); };
}

[[maybe_unused]] std::function<std::string(const KernelEnv&)> other_isa(const char* isa) {
  return [isa](const KernelEnv&) { return fmt::format("{} kernels exist only on {}", isa, isa); };
}

}  // namespace

bool built_with_avx512_fp16() { return HWCAL_HAVE_AVX512FP16 != 0; }

std::vector<KernelDescriptor> cpu_peak_kernels() {
  std::vector<KernelDescriptor> kernels;
#if defined(__x86_64__)
  // ops per iteration = chains x lanes x 2 (an FMA is two operations)
  kernels.push_back(peak("cpu_fma_fp64_avx512", "fp64 FMA chains, AVX-512 (16 x 8 lanes)",
                         Precision::fp64, 16 * 8 * 2, run_chains<Avx512Fp64>,
                         needs(&CpuFeatures::avx512f, "AVX-512F")));
  kernels.push_back(peak("cpu_fma_fp32_avx512", "fp32 FMA chains, AVX-512 (16 x 16 lanes)",
                         Precision::fp32, 16 * 16 * 2, run_chains<Avx512Fp32>,
                         needs(&CpuFeatures::avx512f, "AVX-512F")));
  kernels.push_back(peak("cpu_fma_fp64_avx2", "fp64 FMA chains, AVX2 (12 x 4 lanes)",
                         Precision::fp64, 12 * 4 * 2, run_chains<Avx2Fp64>,
                         needs(&CpuFeatures::fma, "FMA3 with AVX2")));
  kernels.push_back(peak("cpu_fma_fp32_avx2", "fp32 FMA chains, AVX2 (12 x 8 lanes)",
                         Precision::fp32, 12 * 8 * 2, run_chains<Avx2Fp32>,
                         needs(&CpuFeatures::fma, "FMA3 with AVX2")));
  kernels.push_back(peak("cpu_fma_bf16_avx512bf16",
                         "bf16 dot products, AVX512_BF16 vdpbf16ps (16 x 64 flops)",
                         Precision::bf16, 16 * 64, run_chains<Avx512Bf16Dot>,
                         needs(&CpuFeatures::avx512_bf16, "AVX512_BF16")));
  kernels.push_back(peak("cpu_fma_int8_avx512vnni",
                         "int8 dot products, AVX512_VNNI vpdpbusd (16 x 128 ops)", Precision::int8,
                         16 * 128, run_chains<Avx512Int8Dot>,
                         needs(&CpuFeatures::avx512_vnni, "AVX512_VNNI")));
#if HWCAL_HAVE_AVX512FP16
  kernels.push_back(peak("cpu_fma_fp16_avx512fp16", "fp16 FMA chains, AVX512-FP16 (16 x 32 lanes)",
                         Precision::fp16, 16 * 32 * 2, run_chains<Avx512Fp16>,
                         needs(&CpuFeatures::avx512_fp16, "AVX512-FP16")));
#else
  // Listed all the same, so a profile from this build says why there is no fp16 ceiling.
  kernels.push_back(peak("cpu_fma_fp16_avx512fp16", "fp16 FMA chains, AVX512-FP16 (16 x 32 lanes)",
                         Precision::fp16, 16 * 32 * 2, nullptr,
                         not_built("built with a compiler without AVX512-FP16 support (GCC 12 or "
                                   "later needed)")));
#endif
  kernels.push_back(peak(
      "cpu_fma_int8_avxvnni", "int8 dot products, AVX-VNNI vpdpbusd (12 x 64 ops)", Precision::int8,
      12 * 64, run_chains<AvxVnniInt8Dot>, needs(&CpuFeatures::avx_vnni, "AVX-VNNI")));
#elif defined(__aarch64__)
  kernels.push_back(peak("cpu_fma_fp64_neon", "fp64 FMA chains, NEON (24 x 2 lanes)",
                         Precision::fp64, 24 * 2 * 2, run_chains<NeonFp64>,
                         needs(&CpuFeatures::neon, "NEON (ASIMD)")));
  kernels.push_back(peak("cpu_fma_fp32_neon", "fp32 FMA chains, NEON (24 x 4 lanes)",
                         Precision::fp32, 24 * 4 * 2, run_chains<NeonFp32>,
                         needs(&CpuFeatures::neon, "NEON (ASIMD)")));
  kernels.push_back(peak("cpu_fma_fp16_neon", "fp16 FMA chains, NEON FP16 (24 x 8 lanes)",
                         Precision::fp16, 24 * 8 * 2, run_chains<NeonFp16>,
                         needs(&CpuFeatures::neon_fp16, "half-precision NEON arithmetic")));
  kernels.push_back(peak("cpu_fma_int8_neondot", "int8 dot products, NEON sdot (24 x 32 ops)",
                         Precision::int8, 24 * 32, run_chains<NeonInt8Dot>,
                         needs(&CpuFeatures::neon_dotprod, "the NEON dot-product extension")));
#endif
  return kernels;
}

}  // namespace hwcal
