#include "detect/clock.hpp"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include <fmt/format.h>

#include "base/enum_table.hpp"
#include "hwcal/base/error.hpp"

namespace hwcal {
namespace {

// Every kernel runs kAddsPerIteration dependent adds per loop iteration and returns the chain's
// value, so nothing can be folded away. One FMA rides beside each add: that keeps two FMA pipes
// half busy, dense enough to hold the vector clock, sparse enough that the FMAs never become the
// bottleneck (with two FMAs per add a Zen 5 core is FMA-bound, and the "clock" drops by 10%).
// The adds take a register operand, never an immediate: Golden Cove folds immediate adds at
// rename, which would break the one-add-per-cycle rule.
constexpr std::uint64_t kAddsPerIteration = 16;

// 1.0e-7 added per FMA keeps the accumulators finite for any run length hwcal uses, and
// non-zero data keeps the FMA units switching as real work does.
const float kFmaMultiplier = 0.999f;
const float kFmaAddend = 1.0e-7f;

// The add and the loop's end in each architecture's assembly; the chains below use them.
#if defined(__x86_64__)
#define HWCAL_ADD "add %[one], %[x]\n\t"
#define HWCAL_LOOP_END "dec %[n]\n\tjnz 1b\n\t"
#elif defined(__aarch64__)
#define HWCAL_ADD "add %[x], %[x], %[one]\n\t"
#define HWCAL_LOOP_END "subs %[n], %[n], #1\n\tb.ne 1b\n\t"
#else
#error "hwcal measures clocks on x86_64 and aarch64 only"
#endif

#define HWCAL_ADD16                                                                         \
  HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD \
      HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD HWCAL_ADD

std::uint64_t chain_scalar(std::uint64_t iterations) {
  std::uint64_t x = 0;
  const std::uint64_t one = 1;
  asm volatile("1:\n\t" HWCAL_ADD16 HWCAL_LOOP_END
               : [x] "+r"(x), [n] "+r"(iterations)
               : [one] "r"(one)
               : "cc");
  return x;
}

#if defined(__x86_64__)
// One add and one FMA on accumulator `r` (eight accumulators: FMA latency is at most 4 cycles,
// and each accumulator is used every 8 cycles, so the FMAs never wait on each other). REG is
// "ymm" or "zmm": the AVX2 and AVX-512 chains differ only in the register width.
// clang-format off
#define HWCAL_FMA(REG, r) HWCAL_ADD "vfmadd231ps %%" REG "8, %%" REG "9, %%" REG #r "\n\t"
#define HWCAL_FMA8(REG) \
  HWCAL_FMA(REG, 0) HWCAL_FMA(REG, 1) HWCAL_FMA(REG, 2) HWCAL_FMA(REG, 3) \
  HWCAL_FMA(REG, 4) HWCAL_FMA(REG, 5) HWCAL_FMA(REG, 6) HWCAL_FMA(REG, 7)
#define HWCAL_INIT(REG, r) "vmovaps %%" REG "9, %%" REG #r "\n\t"
#define HWCAL_INIT8(REG) \
  HWCAL_INIT(REG, 0) HWCAL_INIT(REG, 1) HWCAL_INIT(REG, 2) HWCAL_INIT(REG, 3) \
  HWCAL_INIT(REG, 4) HWCAL_INIT(REG, 5) HWCAL_INIT(REG, 6) HWCAL_INIT(REG, 7)
#define HWCAL_VECTOR_CHAIN(REG)                                                      \
  asm volatile("vbroadcastss %[m], %%" REG "8\n\t"                                  \
               "vbroadcastss %[a], %%" REG "9\n\t"                                  \
               HWCAL_INIT8(REG)                                                      \
               "1:\n\t" HWCAL_FMA8(REG) HWCAL_FMA8(REG)                             \
               HWCAL_LOOP_END                                                        \
               "vzeroupper\n\t"                                                     \
               : [x] "+r"(x), [n] "+r"(iterations)                                   \
               : [one] "r"(one), [m] "m"(kFmaMultiplier), [a] "m"(kFmaAddend)        \
               : "cc", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", \
                 "xmm8", "xmm9")
// clang-format on

__attribute__((target("avx2,fma"))) std::uint64_t chain_avx2(std::uint64_t iterations) {
  std::uint64_t x = 0;
  const std::uint64_t one = 1;
  HWCAL_VECTOR_CHAIN("ymm");
  return x;
}

__attribute__((target("avx512f"))) std::uint64_t chain_avx512(std::uint64_t iterations) {
  std::uint64_t x = 0;
  const std::uint64_t one = 1;
  HWCAL_VECTOR_CHAIN("zmm");
  return x;
}

#elif defined(__aarch64__)

#define HWCAL_NEON(r) HWCAL_ADD "fmla v" #r ".4s, v8.4s, v9.4s\n\t"

std::uint64_t chain_neon(std::uint64_t iterations) {
  std::uint64_t x = 0;
  const std::uint64_t one = 1;
  asm volatile(
      "ld1r {v8.4s}, [%[m]]\n\t"
      "ld1r {v9.4s}, [%[a]]\n\t"
      "mov v0.16b, v9.16b\n\t"
      "mov v1.16b, v9.16b\n\t"
      "mov v2.16b, v9.16b\n\t"
      "mov v3.16b, v9.16b\n\t"
      "mov v4.16b, v9.16b\n\t"
      "mov v5.16b, v9.16b\n\t"
      "mov v6.16b, v9.16b\n\t"
      "mov v7.16b, v9.16b\n\t"
      "1:\n\t" HWCAL_NEON(0) HWCAL_NEON(1) HWCAL_NEON(2) HWCAL_NEON(3) HWCAL_NEON(4) HWCAL_NEON(5)
          HWCAL_NEON(6) HWCAL_NEON(7) HWCAL_NEON(0) HWCAL_NEON(1) HWCAL_NEON(2) HWCAL_NEON(3)
              HWCAL_NEON(4) HWCAL_NEON(5) HWCAL_NEON(6) HWCAL_NEON(7) HWCAL_LOOP_END
      : [x] "+r"(x), [n] "+r"(iterations)
      : [one] "r"(one), [m] "r"(&kFmaMultiplier), [a] "r"(&kFmaAddend)
      : "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9");
  return x;
}

#endif

using Kernel = std::uint64_t (*)(std::uint64_t);

Kernel kernel_for(ClockLoad load) {
  switch (load) {
    case ClockLoad::scalar: return chain_scalar;
#if defined(__x86_64__)
    case ClockLoad::avx2: return chain_avx2;
    case ClockLoad::avx512: return chain_avx512;
    case ClockLoad::neon: return nullptr;
#else
    case ClockLoad::avx2: return nullptr;
    case ClockLoad::avx512: return nullptr;
    case ClockLoad::neon: return chain_neon;
#endif
  }
  return nullptr;
}

constexpr EnumTable<ClockLoad, 4> kLoadNames({"scalar", "avx2", "avx512", "neon"});
constexpr std::array<ClockLoad, 4> kLoads = {ClockLoad::scalar, ClockLoad::avx2, ClockLoad::avx512,
                                             ClockLoad::neon};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Sinks the chains' results so that no run can be optimised away.
std::atomic<std::uint64_t> g_sink{0};

// All threads start each timed run together: an all-core clock needs all cores loaded at once.
class SpinBarrier {
 public:
  explicit SpinBarrier(std::size_t count) : count_(count) {}
  void arrive_and_wait() {
    const std::size_t generation = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == count_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_acq_rel);
      return;
    }
    while (generation_.load(std::memory_order_acquire) == generation) std::this_thread::yield();
  }

 private:
  const std::size_t count_;
  std::atomic<std::size_t> arrived_{0};
  std::atomic<std::size_t> generation_{0};
};

bool pin_to(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

}  // namespace

std::string_view to_string(ClockLoad load) { return kLoadNames.name(load); }

std::optional<ClockLoad> parse_clock_load(std::string_view name) { return kLoadNames.parse(name); }

std::string clock_load_names() { return kLoadNames.alternatives(", "); }

bool clock_load_available(ClockLoad load) {
  if (kernel_for(load) == nullptr) return false;
#if defined(__x86_64__)
  __builtin_cpu_init();
  // libgcc's checks include the operating system's support (XGETBV) for the register state.
  if (load == ClockLoad::avx2) {
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }
  if (load == ClockLoad::avx512) return __builtin_cpu_supports("avx512f");
#endif
  // ASIMD is mandatory in AArch64; scalar runs everywhere.
  return true;
}

std::vector<ClockLoad> available_clock_loads() {
  std::vector<ClockLoad> loads;
  for (ClockLoad load : kLoads) {
    if (clock_load_available(load)) loads.push_back(load);
  }
  return loads;
}

ClockLoad widest_clock_load() {
  for (ClockLoad load : {ClockLoad::avx512, ClockLoad::avx2, ClockLoad::neon}) {
    if (clock_load_available(load)) return load;
  }
  return ClockLoad::scalar;
}

ClockMeasurement measure_core_clock(const ClockOptions& options) {
  if (!clock_load_available(options.load)) {
    throw UsageError(fmt::format("clock load '{}' is not available on this CPU (available: {})",
                                 to_string(options.load), [] {
                                   std::string names;
                                   for (ClockLoad load : available_clock_loads()) {
                                     names +=
                                         (names.empty() ? "" : ", ") + std::string(to_string(load));
                                   }
                                   return names;
                                 }()));
  }
  if (options.runs < 1 || options.run_s <= 0) {
    throw UsageError("a clock measurement needs at least one run of positive length");
  }
  const Kernel kernel = kernel_for(options.load);
  const std::size_t threads = std::max<std::size_t>(1, options.cpus.size());

  ClockMeasurement result;
  result.load = options.load;
  result.cpus = options.cpus;
  result.runs = options.runs;
  result.run_s = options.run_s;
  result.per_thread_mhz.assign(threads, 0.0);
  std::vector<char> pinned(threads, options.cpus.empty() ? 0 : 1);

  SpinBarrier barrier(threads);
  auto work = [&](std::size_t index) {
    if (!options.cpus.empty()) pinned[index] = pin_to(options.cpus[index]) ? 1 : 0;
    // Warm up until the clock has settled, and size one run from the warm-up's rate.
    std::uint64_t chunk = 1000;
    std::uint64_t done = 0;
    Clock::time_point start = Clock::now();
    while (seconds_since(start) < options.warmup_s) {
      g_sink.fetch_add(kernel(chunk), std::memory_order_relaxed);
      done += chunk;
    }
    double rate = static_cast<double>(done) / std::max(seconds_since(start), 1e-9);
    auto iterations = static_cast<std::uint64_t>(std::max(1000.0, rate * options.run_s));
    double best_mhz = 0;
    for (int run = 0; run < options.runs; ++run) {
      barrier.arrive_and_wait();
      Clock::time_point begin = Clock::now();
      g_sink.fetch_add(kernel(iterations), std::memory_order_relaxed);
      double elapsed = seconds_since(begin);
      double mhz = static_cast<double>(iterations * kAddsPerIteration) / elapsed / 1e6;
      best_mhz = std::max(best_mhz, mhz);
    }
    result.per_thread_mhz[index] = best_mhz;
  };

  // Every worker is a new thread: pinning the caller would change its affinity for good.
  std::vector<std::thread> pool;
  for (std::size_t i = 0; i < threads; ++i) pool.emplace_back(work, i);
  for (std::thread& thread : pool) thread.join();

  result.pinned = !options.cpus.empty() &&
                  std::all_of(pinned.begin(), pinned.end(), [](char p) { return p != 0; });
  double sum = 0;
  for (double mhz : result.per_thread_mhz) sum += mhz;
  result.mhz = sum / static_cast<double>(threads);
  result.min_mhz = *std::min_element(result.per_thread_mhz.begin(), result.per_thread_mhz.end());
  result.max_mhz = *std::max_element(result.per_thread_mhz.begin(), result.per_thread_mhz.end());
  return result;
}

}  // namespace hwcal
