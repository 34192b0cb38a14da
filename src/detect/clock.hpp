// The core clock, measured under load (docs/architecture.md, Measurement rules). A chain of
// dependent integer adds retires one add per cycle on every core hwcal targets, so adds / seconds
// is the clock the core ran at; independent vector FMAs interleaved with the chain hold the core at
// the clock it keeps for vector code (the AVX-512 and AVX2 licences on Intel, power and current
// limits elsewhere). /proc/cpuinfo shows the nominal clock and virtual machines lack cpufreq, so
// this is the clock calibrate records and the one add_hardware falls back to when no maximum clock
// is readable.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hwcal {

// What runs beside the add chain: nothing, 256-bit FMAs, 512-bit FMAs, or 128-bit NEON FMAs.
enum class ClockLoad { scalar, avx2, avx512, neon };

std::string_view to_string(ClockLoad load);
std::optional<ClockLoad> parse_clock_load(std::string_view name);
// "scalar, avx2, avx512, neon"
std::string clock_load_names();

// Compiled for this architecture and supported by this CPU and operating system.
bool clock_load_available(ClockLoad load);
// The available loads, narrowest first.
std::vector<ClockLoad> available_clock_loads();
// The widest available vector load (the one a GEMM would run at): avx512, avx2, neon or scalar.
ClockLoad widest_clock_load();

struct ClockOptions {
  ClockLoad load = ClockLoad::scalar;
  // One thread pinned to each CPU listed, all running at once (all-core clocks are lower than
  // one-core clocks). Empty: one thread, not pinned.
  std::vector<int> cpus;
  int runs = 20;           // timed runs per thread; the best counts
  double run_s = 0.002;    // length of one timed run: short, so some run sees no interruption
  double warmup_s = 0.03;  // load before the first timed run, so that the clock settles
};

struct ClockMeasurement {
  ClockLoad load = ClockLoad::scalar;
  std::vector<int> cpus;               // as asked (empty: one unpinned thread)
  bool pinned = false;                 // every thread ran where it was asked to
  std::vector<double> per_thread_mhz;  // each thread's best run
  double mhz = 0;                      // mean of per_thread_mhz
  double min_mhz = 0;
  double max_mhz = 0;
  int runs = 0;
  double run_s = 0;
  std::size_t threads() const { return per_thread_mhz.empty() ? 0 : per_thread_mhz.size(); }
};

// Runs the measurement (about warmup_s + runs × run_s per thread, threads concurrently).
// UsageError when the load is not available here.
ClockMeasurement measure_core_clock(const ClockOptions& options);

}  // namespace hwcal
