#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <set>

#include "hwcal/runner.hpp"
#include "hwcal/thread_team.hpp"

namespace hwcal {
namespace {

KernelEnv two_threads() {
  KernelEnv env;
  env.cpu = host_cpu_features();
  env.cpus = {0, 1};
  return env;
}

// An i7-12700K-like hierarchy: 48 KiB L1d and 1.25 MiB L2 per core, 25 MiB L3 shared.
std::vector<CacheLevel> workstation_caches() {
  CacheLevel l1;
  l1.level = 1;
  l1.kind = "data";
  l1.size_kib = 48;
  l1.count = 12;
  CacheLevel l2;
  l2.level = 2;
  l2.kind = "unified";
  l2.size_kib = 1280;
  l2.count = 12;
  CacheLevel l3;
  l3.level = 3;
  l3.kind = "unified";
  l3.size_kib = 25600;
  l3.count = 1;
  return {l1, l2, l3};
}

TEST(Runner, EveryKernelIdClassifiesAsItsFamily) {
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    KernelClass kind = classify_kernel(kernel.id);
    if (kernel.id.find("_gemm_") != std::string::npos) {
      EXPECT_EQ(kind, KernelClass::gemm) << kernel.id;
    } else if (kernel.id.find("_fma_") != std::string::npos) {
      EXPECT_EQ(kind, KernelClass::peak_fma) << kernel.id;
    } else if (kernel.id.find("_stream_") != std::string::npos) {
      EXPECT_EQ(kind, KernelClass::stream) << kernel.id;
    } else {
      EXPECT_EQ(kind, KernelClass::copy) << kernel.id;
    }
    EXPECT_FALSE(kernel.description.empty()) << kernel.id;
    EXPECT_TRUE(kernel.prepare || kernel.unavailable_reason(two_threads()) != "") << kernel.id;
  }
}

TEST(Runner, KernelIdsAreUniqueSnakeCase) {
  std::set<std::string> ids;
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    EXPECT_TRUE(ids.insert(kernel.id).second) << kernel.id;
    for (char c : kernel.id)
      EXPECT_TRUE(std::islower(c) || std::isdigit(c) || c == '_') << kernel.id;
  }
}

TEST(Runner, ResidencyFollowsThePerThreadFootprint) {
  auto caches = workstation_caches();
  EXPECT_EQ(residency_of(16 << 10, 2, 2, caches), Residency::l1);  // 16 KiB per thread
  EXPECT_EQ(residency_of(256 << 10, 3, 2, caches), Residency::l2);
  EXPECT_EQ(residency_of(4 << 20, 3, 2, caches), Residency::l3);
  // Beyond the L3 but below 4x it the cache still helps: not DRAM.
  EXPECT_EQ(residency_of(64LL << 20, 3, 2, caches), Residency::l3);
  EXPECT_EQ(residency_of(100LL << 20, 3, 2, caches), Residency::dram);
  // Without cache sizes only the 1 GiB cap counts as DRAM.
  EXPECT_FALSE(residency_of(64LL << 20, 3, 2, {}).has_value());
  EXPECT_EQ(residency_of(kMaxDramArrayBytes, 3, 2, {}), Residency::dram);
}

TEST(Runner, QuickPlanMeasuresOneDramSizeAndOneGemmSize) {
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  MemoryTopology memory{workstation_caches(), 16LL << 30};
  PlannedRun planned = plan_run(plan, two_threads(), memory);
  int triad_sizes = 0;
  int sgemm_sizes = 0;
  for (const PlannedCall& call : planned.calls) {
    if (call.kernel->id == "cpu_stream_triad") {
      ++triad_sizes;
      EXPECT_EQ(call.shape.array_bytes, 100LL << 20);  // 4 x 25 MiB
      EXPECT_EQ(call.residency, Residency::dram);
    }
    if (call.kernel->id == "cpu_gemm_fp32_openblas") {
      ++sgemm_sizes;
      EXPECT_EQ(call.shape.n, 2048);
    }
  }
  EXPECT_EQ(triad_sizes, 1);
  EXPECT_EQ(sgemm_sizes, 1);
  EXPECT_TRUE(planned.warnings.empty());
}

TEST(Runner, StandardPlanSweepsFromL1ToDram) {
  CalibrationPlan plan;
  plan.plan = Plan::standard;
  plan.kernels = {"cpu_stream_copy"};
  PlannedRun planned = plan_run(plan, two_threads(), {workstation_caches(), 16LL << 30});
  ASSERT_GE(planned.calls.size(), 5u);
  EXPECT_EQ(planned.calls.front().shape.array_bytes, 16 << 10);
  EXPECT_EQ(planned.calls.front().residency, Residency::l1);
  EXPECT_EQ(planned.calls.back().residency, Residency::dram);
  std::set<Residency> seen;
  for (const PlannedCall& call : planned.calls) {
    if (call.residency) seen.insert(*call.residency);
  }
  EXPECT_EQ(seen.size(), 4u);  // l1, l2, l3 and dram all appear
}

TEST(Runner, ShortMemoryShrinksTheDramSizeAndSaysSo) {
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  plan.kernels = {"cpu_stream_triad"};
  PlannedRun planned = plan_run(plan, two_threads(), {workstation_caches(), 200LL << 20});
  ASSERT_EQ(planned.calls.size(), 1u);
  EXPECT_LT(planned.calls[0].shape.array_bytes * 3, 200LL << 20);
  ASSERT_EQ(planned.warnings.size(), 1u);
  EXPECT_NE(planned.warnings[0].find("no measurement counts as DRAM bandwidth"), std::string::npos);
}

TEST(Runner, UnknownKernelsAndOtherDevicesAreUsageErrors) {
  CalibrationPlan plan;
  plan.kernels = {"cpu_gemm_fp32_cublas"};
  try {
    plan_run(plan, two_threads(), {});
    FAIL();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("unknown kernel 'cpu_gemm_fp32_cublas'"),
              std::string::npos);
    EXPECT_NE(std::string(error.what()).find("cpu_gemm_fp32_openblas"), std::string::npos);
  }
}

TEST(Runner, PrecisionFilterKeepsBandwidthKernels) {
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  plan.precisions = {Precision::fp32};
  PlannedRun planned = plan_run(plan, two_threads(), {workstation_caches(), 16LL << 30});
  for (const PlannedCall& call : planned.calls) {
    KernelClass kind = classify_kernel(call.kernel->id);
    if (kind == KernelClass::gemm || kind == KernelClass::peak_fma) {
      EXPECT_EQ(call.kernel->precision, Precision::fp32) << call.kernel->id;
    }
  }
}

TEST(Runner, FractionOfCeilingUsesTheBestFmaKernelOfThePrecision) {
  auto record = [](const char* kernel, Precision precision, double gflops) {
    MeasurementRecord r;
    r.kernel = kernel;
    r.precision = precision;
    r.gflops = Throughput{gflops, gflops};
    return r;
  };
  std::vector<MeasurementRecord> records = {record("cpu_fma_fp32_avx2", Precision::fp32, 200),
                                            record("cpu_fma_fp32_avx512", Precision::fp32, 400),
                                            record("cpu_gemm_fp32_openblas", Precision::fp32, 360),
                                            record("cpu_gemm_fp64_openblas", Precision::fp64, 180)};
  add_fractions_of_ceiling(records);
  ASSERT_TRUE(records[2].fraction_of_ceiling.has_value());
  EXPECT_DOUBLE_EQ(*records[2].fraction_of_ceiling, 0.9);
  EXPECT_FALSE(records[3].fraction_of_ceiling.has_value());  // no fp64 ceiling measured
}

// Runs one small call of every kernel this machine offers and checks its result: what the
// real run does, at sizes that take milliseconds.
TEST(Kernels, EveryAvailableKernelRunsAndVerifies) {
  KernelEnv env = two_threads();
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    if (!kernel.unavailable_reason(env).empty()) continue;
    KernelShape shape;
    KernelClass kind = classify_kernel(kernel.id);
    if (kind == KernelClass::gemm) shape.m = shape.n = shape.k = kernel.emulated ? 64 : 256;
    if (kind == KernelClass::peak_fma) shape.iterations = 10000;
    if (kind == KernelClass::stream || kind == KernelClass::copy) {
      shape.array_bytes = 1 << 20;
      shape.repeats = 2;
    }
    try {
      auto prepared = kernel.prepare(shape, env);
      double seconds = prepared->timed_run();
      EXPECT_GT(seconds, 0) << kernel.id;
      EXPECT_EQ(prepared->verify(), "") << kernel.id;
      EXPECT_GE(prepared->threads_used(), 1u) << kernel.id;
      EXPECT_GT(kernel.flops(shape, env) + kernel.bytes(shape, env), 0) << kernel.id;
    } catch (const KernelUnsupported& unsupported) {
      // A library without an implementation for this CPU says so: allowed, with a reason.
      EXPECT_FALSE(std::string(unsupported.what()).empty()) << kernel.id;
    }
  }
}

TEST(Kernels, ThreadTeamRunsEveryWorkerAndRethrows) {
  ThreadTeam team({-1, -1, -1});
  std::atomic<int> calls{0};
  team.run([&](std::size_t) { ++calls; });
  team.run([&](std::size_t) { ++calls; });
  EXPECT_EQ(calls.load(), 6);
  EXPECT_THROW(team.run([](std::size_t index) {
    if (index == 1) throw std::runtime_error("worker failed");
  }),
               std::runtime_error);
}

}  // namespace
}  // namespace hwcal
