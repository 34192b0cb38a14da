// The matrix-unit and half-precision peak kernels (AMX tiles, AVX512-FP16): their availability
// follows the host's CPUID and OS, with the reason spelled out where they cannot run; where they
// can, they run, give a rate and come back with the accumulators they must, and one tile product
// of each matches a scalar reference.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "base/thread_team.hpp"
#include "measure/kernels.hpp"
#include "measure/kernels/cpu_amx.hpp"
#include "measure/runner.hpp"
#include "measure/tuning.hpp"

namespace hwcal {
namespace {

KernelEnv one_thread() {
  KernelEnv env;
  env.cpu = host_cpu_features();
  const std::vector<int> cpus = allowed_cpus();
  env.cpus = {cpus.empty() ? -1 : cpus.front()};
  return env;
}

// Runs a kernel that says it is available: a call of `iterations`, a finite positive rate, and
// the kernel's own check of its accumulators.
void expect_runs(const KernelDescriptor& kernel, const KernelEnv& env, long long iterations) {
  const KernelShape shape = PeakShape{iterations};
  auto prepared = kernel.prepare(shape, env);
  prepared->run();  // the first call pays for the tile state and the clock's ramp
  const double seconds = prepared->timed_run();
  const double rate = kernel.flops(shape, env) / seconds / 1e9;
  EXPECT_TRUE(std::isfinite(rate)) << kernel.id;
  EXPECT_GT(rate, 0) << kernel.id;
  EXPECT_EQ(prepared->verify(), "") << kernel.id;
}

#if defined(__x86_64__) && defined(__linux__)

// On this host: available exactly when CPUID and XCR0 say so (and then Linux must grant the tile
// data: a refusal there fails the test), else unavailable with the feature named.
TEST(PeakKernels, AmxAvailabilityFollowsTheHost) {
  const KernelEnv env = one_thread();
  struct Case {
    const char* id;
    bool offered;
    const char* name;
  };
  for (const Case& c : {Case{"cpu_fma_bf16_amx", env.cpu.amx_bf16, "AMX-BF16"},
                        Case{"cpu_fma_int8_amx", env.cpu.amx_int8, "AMX-INT8"}}) {
    const KernelDescriptor* kernel = find_kernel(c.id);
    ASSERT_NE(kernel, nullptr) << c.id;
    EXPECT_EQ(kernel->kind, KernelClass::peak_fma);
    const std::string reason = kernel->unavailable_reason(env);
    if (c.offered) {
      EXPECT_EQ(reason, "") << c.id;
      if (reason.empty()) expect_runs(*kernel, env, 20000);
    } else {
      EXPECT_EQ(reason, std::string("this CPU (or the OS) does not offer ") + c.name) << c.id;
      EXPECT_THROW(kernel->prepare(PeakShape{1000}, env), KernelUnsupported) << c.id;
    }
  }
}

// Features that claim AMX (a CPUID a hypervisor got wrong): Linux has the last word. Where the
// host has no AMX it refuses the tile data, the kernel says so with the errno's text and prepare
// throws rather than run a tile instruction (SIGILL).
TEST(PeakKernels, AmxNeedsLinuxToGrantTheTileData) {
  KernelEnv env = one_thread();
  const bool host_has_amx = env.cpu.amx_bf16;
  env.cpu.amx_bf16 = true;
  const KernelDescriptor* kernel = find_kernel("cpu_fma_bf16_amx");
  ASSERT_NE(kernel, nullptr);
  const std::string reason = kernel->unavailable_reason(env);
  if (host_has_amx) {
    EXPECT_EQ(reason, "");
  } else {
    EXPECT_EQ(reason.rfind("arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA) failed: ", 0), 0u) << reason;
    EXPECT_GT(reason.size(),
              std::string("arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA) failed: ").size());
    EXPECT_THROW(kernel->prepare(PeakShape{1000}, env), KernelUnsupported);
  }
}

TEST(PeakKernels, Avx512Fp16AvailabilityFollowsTheHostAndTheCompiler) {
  const KernelEnv env = one_thread();
  const KernelDescriptor* kernel = find_kernel("cpu_fma_fp16_avx512fp16");
  ASSERT_NE(kernel, nullptr);
  EXPECT_EQ(kernel->precision, Precision::fp16);
  const std::string reason = kernel->unavailable_reason(env);
  if (!built_with_avx512_fp16()) {
    EXPECT_EQ(reason, "built with a compiler without AVX512-FP16 support (GCC 12 or later needed)");
    EXPECT_THROW(kernel->prepare(PeakShape{1000}, env), KernelUnsupported);
  } else if (!env.cpu.avx512_fp16) {
    EXPECT_EQ(reason, "this CPU (or the OS) does not offer AVX512-FP16");
  } else {
    EXPECT_EQ(reason, "");
    expect_runs(*kernel, env, 20000);
  }
}

// Every plan's default kernel list (every CPU kernel) has them, planned once each with the
// availability the kernel itself gives.
TEST(PeakKernels, EveryPlanHasThem) {
  const KernelEnv env = one_thread();
  for (Plan preset : {Plan::quick, Plan::standard, Plan::full}) {
    CalibrationPlan plan;
    plan.plan = preset;
    const PlannedRun planned = plan_run(plan, env, {{}, 8LL << 30});
    for (const char* id : {"cpu_fma_bf16_amx", "cpu_fma_int8_amx", "cpu_fma_fp16_avx512fp16"}) {
      int calls = 0;
      for (const PlannedCall& call : planned.calls) {
        if (call.kernel->id != id) continue;
        ++calls;
        EXPECT_EQ(call.unavailable, call.kernel->unavailable_reason(env)) << id;
        EXPECT_TRUE(std::holds_alternative<PeakShape>(call.shape)) << id;
      }
      EXPECT_EQ(calls, 1) << id << " in the " << to_string(preset) << " plan";
    }
  }
}

// A CPU without the features (as a profile's features or a test's would say): unavailable, and
// --list-kernels says why under each.
TEST(PeakKernels, ListSaysWhyAKernelCannotRun) {
  const std::string text = kernel_list_text(CpuFeatures{});
  for (const char* line : {"cpu_fma_bf16_amx", "cpu_fma_int8_amx", "cpu_fma_fp16_avx512fp16",
                           "unavailable here: this CPU (or the OS) does not offer AMX-BF16\n",
                           "unavailable here: this CPU (or the OS) does not offer AMX-INT8\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

std::uint16_t bf16(float value) {  // the values below are exact in bf16
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return static_cast<std::uint16_t>(bits >> 16);
}

float from_bf16(std::uint16_t bits) {
  const std::uint32_t wide = static_cast<std::uint32_t>(bits) << 16;
  float value = 0;
  std::memcpy(&value, &wide, sizeof value);
  return value;
}

// One TDPBF16PS against C += A B in double. Operands are multiples of 1/4 and 1/2 up to 2 and 4,
// so every product, partial sum and result is exact in fp32 whatever order the unit adds in.
TEST(PeakKernels, AmxBf16TileProductMatchesAScalarReference) {
  const std::string reason =
      amx_unavailable_reason(host_cpu_features(), &CpuFeatures::amx_bf16, "AMX-BF16");
  if (!reason.empty()) {
    std::vector<std::uint16_t> a(512), b(512);
    std::vector<float> c(256);
    EXPECT_THROW(amx_tile_dpbf16ps(a.data(), b.data(), c.data()), KernelUnsupported);
    GTEST_SKIP() << reason;
  }
  alignas(64) std::uint16_t a[16 * 32];  // A: 16 x 32
  alignas(64) std::uint16_t b[16 * 32];  // B: 32 x 16 as 16 rows of 16 pairs
  alignas(64) float c[16 * 16];
  float big_b[32][16];
  for (int m = 0; m < 16; ++m) {
    for (int k = 0; k < 32; ++k)
      a[m * 32 + k] = bf16(0.25f * static_cast<float>((m * 7 + k * 3) % 17 - 8));
  }
  for (int k = 0; k < 32; ++k) {
    for (int n = 0; n < 16; ++n) {
      big_b[k][n] = 0.5f * static_cast<float>((k * 5 + n * 11) % 15 - 7);
      b[(k / 2) * 32 + 2 * n + k % 2] = bf16(big_b[k][n]);
    }
  }
  for (int i = 0; i < 256; ++i) c[i] = static_cast<float>(i % 13 - 6);
  float expected[256];
  for (int m = 0; m < 16; ++m) {
    for (int n = 0; n < 16; ++n) {
      double sum = c[m * 16 + n];
      for (int k = 0; k < 32; ++k) {
        sum += static_cast<double>(from_bf16(a[m * 32 + k])) * static_cast<double>(big_b[k][n]);
      }
      expected[m * 16 + n] = static_cast<float>(sum);
    }
  }
  amx_tile_dpbf16ps(a, b, c);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(c[i], expected[i]) << "row " << i / 16 << " col " << i % 16;
}

// One TDPBSSD against C += A B in 64-bit integers, over the whole signed range.
TEST(PeakKernels, AmxInt8TileProductMatchesAScalarReference) {
  const std::string reason =
      amx_unavailable_reason(host_cpu_features(), &CpuFeatures::amx_int8, "AMX-INT8");
  if (!reason.empty()) {
    std::vector<std::int8_t> a(1024), b(1024);
    std::vector<std::int32_t> c(256);
    EXPECT_THROW(amx_tile_dpbssd(a.data(), b.data(), c.data()), KernelUnsupported);
    GTEST_SKIP() << reason;
  }
  alignas(64) std::int8_t a[16 * 64];  // A: 16 x 64
  alignas(64) std::int8_t b[16 * 64];  // B: 64 x 16 as 16 rows of 16 groups of four
  alignas(64) std::int32_t c[16 * 16];
  int big_b[64][16];
  for (int m = 0; m < 16; ++m) {
    for (int k = 0; k < 64; ++k)
      a[m * 64 + k] = static_cast<std::int8_t>((m * 37 + k * 101) % 256 - 128);
  }
  for (int k = 0; k < 64; ++k) {
    for (int n = 0; n < 16; ++n) {
      big_b[k][n] = (k * 53 + n * 29) % 256 - 128;
      b[(k / 4) * 64 + 4 * n + k % 4] = static_cast<std::int8_t>(big_b[k][n]);
    }
  }
  for (int i = 0; i < 256; ++i) c[i] = 1000 * (i % 9) - 4000;
  std::int64_t expected[256];
  for (int m = 0; m < 16; ++m) {
    for (int n = 0; n < 16; ++n) {
      std::int64_t sum = c[m * 16 + n];
      for (int k = 0; k < 64; ++k) sum += static_cast<std::int64_t>(a[m * 64 + k]) * big_b[k][n];
      expected[m * 16 + n] = sum;
    }
  }
  amx_tile_dpbssd(a, b, c);
  for (int i = 0; i < 256; ++i)
    EXPECT_EQ(c[i], expected[i]) << "row " << i / 16 << " col " << i % 16;
}

#else

// Elsewhere the x86 kernels do not exist, as the AVX kernels do not.
TEST(PeakKernels, NoX86MatrixKernelsHere) {
  EXPECT_EQ(find_kernel("cpu_fma_bf16_amx"), nullptr);
  EXPECT_EQ(find_kernel("cpu_fma_int8_amx"), nullptr);
  EXPECT_EQ(find_kernel("cpu_fma_fp16_avx512fp16"), nullptr);
  (void)&expect_runs;
  (void)&one_thread;
}

#endif

}  // namespace
}  // namespace hwcal
