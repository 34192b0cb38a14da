// The clock measurement's interface. What the clock is depends on the machine: these tests check
// that a measurement happens and is reported consistently, never how fast it is (bench/ and
// `add_hardware --detect --measure-clock` print the numbers).
#include <gtest/gtest.h>

#include <sched.h>

#include <cmath>

#include "detect/clock.hpp"
#include "hwcal/base/error.hpp"

namespace hwcal {
namespace {

std::vector<int> allowed_cpus(std::size_t limit) {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE && cpus.size() < limit; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

TEST(Clock, LoadNamesRoundTrip) {
  for (ClockLoad load : {ClockLoad::scalar, ClockLoad::avx2, ClockLoad::avx512, ClockLoad::neon}) {
    EXPECT_EQ(parse_clock_load(to_string(load)), load);
  }
  EXPECT_FALSE(parse_clock_load("sse"));
}

TEST(Clock, ScalarIsAlwaysAvailableAndTheWidestIsAmongTheAvailable) {
  auto loads = available_clock_loads();
  ASSERT_FALSE(loads.empty());
  EXPECT_EQ(loads.front(), ClockLoad::scalar);
  EXPECT_NE(std::find(loads.begin(), loads.end(), widest_clock_load()), loads.end());
#if defined(__x86_64__)
  EXPECT_FALSE(clock_load_available(ClockLoad::neon));
#else
  EXPECT_TRUE(clock_load_available(ClockLoad::neon));
  EXPECT_FALSE(clock_load_available(ClockLoad::avx2));
#endif
}

TEST(Clock, UnavailableLoadIsAUsageError) {
  ClockOptions options;
#if defined(__x86_64__)
  options.load = ClockLoad::neon;
#else
  options.load = ClockLoad::avx512;
#endif
  EXPECT_THROW(measure_core_clock(options), UsageError);
}

TEST(Clock, EveryAvailableLoadMeasuresOnEveryPinnedThread) {
  std::vector<int> cpus = allowed_cpus(2);
  ASSERT_FALSE(cpus.empty());
  for (ClockLoad load : available_clock_loads()) {
    ClockOptions options;
    options.load = load;
    options.cpus = cpus;
    options.runs = 3;
    options.run_s = 0.001;
    options.warmup_s = 0.002;
    ClockMeasurement result = measure_core_clock(options);
    EXPECT_EQ(result.load, load);
    EXPECT_TRUE(result.pinned);
    ASSERT_EQ(result.threads(), cpus.size());
    for (double mhz : result.per_thread_mhz) {
      EXPECT_TRUE(std::isfinite(mhz) && mhz > 0) << to_string(load);
    }
    EXPECT_LE(result.min_mhz, result.mhz);
    EXPECT_LE(result.mhz, result.max_mhz);
  }
}

}  // namespace
}  // namespace hwcal
