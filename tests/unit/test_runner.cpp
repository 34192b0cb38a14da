#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <set>

#include "base/thread_team.hpp"
#include "measure/gpu.hpp"
#include "measure/runner.hpp"
#include "summary/summary.hpp"

namespace hwcal {
namespace {

long long array_bytes_of(const KernelShape& shape) {
  return std::get<BandwidthShape>(shape).array_bytes;
}
long long n_of(const KernelShape& shape) { return std::get<GemmShape>(shape).n; }

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
    } else if (kernel.id.find("_h2d_") != std::string::npos ||
               kernel.id.find("_d2h_") != std::string::npos) {
      EXPECT_EQ(kind, KernelClass::transfer) << kernel.id;
    } else {
      EXPECT_EQ(kind, KernelClass::copy) << kernel.id;
    }
    // The descriptor's class is what the id's words said before it was recorded: profiles from
    // before and after read the same.
    EXPECT_EQ(kernel.kind, kind) << kernel.id;
    EXPECT_FALSE(kernel.description.empty()) << kernel.id;
    EXPECT_TRUE(kernel.prepare || kernel.unavailable_reason(two_threads()) != "") << kernel.id;
  }
}

// A kernel whose id has none of the words classify_kernel reads: a GEMM by its descriptor.
class TinyGemm : public PreparedKernel {
 public:
  void run() override {
    volatile double sink = 0;
    for (int i = 0; i < 1000; ++i) sink = sink + i;
  }
};

KernelDescriptor tiled_gemm_without_the_word() {
  KernelDescriptor d = kernel_descriptor("cpu_tile_mm_bf16", "made up: tiled bf16 multiply", "cpu",
                                         "native", Precision::bf16, KernelClass::gemm);
  d.flops = with_shape<GemmShape>([](const GemmShape& s, const KernelEnv&) {
    return 2.0 * static_cast<double>(s.m * s.n * s.k);
  });
  d.bytes = [](const KernelShape&, const KernelEnv&) { return 0.0; };
  d.prepare = [](const KernelShape&, const KernelEnv&) {
    return std::unique_ptr<PreparedKernel>(new TinyGemm);
  };
  return d;
}

TEST(Runner, TheDescriptorsClassNotTheIdDecidesWhereAMeasurementCounts) {
  // The fallback for files without `class` reads words: these ids would miscount by it.
  EXPECT_EQ(classify_kernel("cpu_tile_mm_bf16"), KernelClass::other);
  EXPECT_EQ(classify_kernel("cuda_hgemm_wmma"), KernelClass::gemm);
  EXPECT_EQ(classify_kernel("cpu_sgemv"), KernelClass::other);

  const KernelDescriptor tiled = tiled_gemm_without_the_word();
  PlannedRun planned;
  PlannedCall call;
  call.kernel = &tiled;
  call.shape = GemmShape{64, 64, 64};
  planned.calls.push_back(call);
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  RunResult result = run_plan(planned, plan, two_threads(), nullptr);
  ASSERT_EQ(result.measurements.size(), 1u);
  const MeasurementRecord& measured = result.measurements[0];
  ASSERT_EQ(measured.status, MeasurementStatus::passed) << measured.message;
  EXPECT_EQ(measured.kernel_class, KernelClass::gemm);
  EXPECT_EQ(measured.shape.n, 64);

  // Summarized: the made-up kernel is bf16's measured GEMM peak; a gemv of class other with a
  // higher rate is not, and a GPU GEMM without the word `gemm` in its class-less id still is
  // (the fallback).
  CalibrationProfile profile;
  profile.measurements.push_back(measured);
  MeasurementRecord gemv = measured;
  gemv.kernel = "cpu_sgemv";
  gemv.kernel_class = KernelClass::other;
  gemv.gflops = Throughput{measured.gflops->best * 10, measured.gflops->best * 10};
  profile.measurements.push_back(gemv);
  MeasurementRecord wmma = measured;
  wmma.kernel = "cuda_hgemm_wmma";
  wmma.kernel_class.reset();  // a schema 1 file
  wmma.precision = Precision::fp16;
  wmma.gflops = Throughput{50000, 40000};
  profile.measurements.push_back(wmma);
  RunPeaks peaks = run_peaks(profile);
  ASSERT_EQ(peaks.measured.count(Precision::bf16), 1u);
  EXPECT_EQ(peaks.measured.at(Precision::bf16), measured.gflops->best);
  ASSERT_EQ(peaks.measured.count(Precision::fp16), 1u);
  EXPECT_EQ(peaks.measured.at(Precision::fp16), 50000);
}

TEST(Runner, AKernelGivenAnotherClassesShapeSaysSo) {
  const KernelDescriptor* triad = find_kernel("cpu_stream_triad");
  ASSERT_NE(triad, nullptr);
  try {
    triad->bytes(GemmShape{8, 8, 8}, two_threads());
    FAIL();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "a kernel expecting a bandwidth shape was given a GEMM shape");
  }
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    EXPECT_EQ(empty_shape(kernel.kind).index() == 0, kernel.kind == KernelClass::other)
        << kernel.id;
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
      EXPECT_EQ(array_bytes_of(call.shape), 100LL << 20);  // 4 x 25 MiB
      EXPECT_EQ(call.residency, Residency::dram);
    }
    if (call.kernel->id == "cpu_gemm_fp32_openblas") {
      ++sgemm_sizes;
      EXPECT_EQ(n_of(call.shape), 2048);
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
  EXPECT_EQ(array_bytes_of(planned.calls.front().shape), 16 << 10);
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
  EXPECT_LT(array_bytes_of(planned.calls[0].shape) * 3, 200LL << 20);
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
    KernelClass kind = call.kernel->kind;
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

// ---- the GPU's plan: pure planning from the GPU's facts, no GPU needed -----------------------

GpuFacts h100() {
  GpuFacts gpu;
  gpu.present = true;
  gpu.name = "NVIDIA H100 80GB HBM3";
  gpu.compute_major = 9;
  gpu.compute_minor = 0;
  gpu.multiprocessors = 132;
  gpu.max_threads_per_multiprocessor = 2048;
  gpu.memory_bytes = 85LL << 30;
  gpu.free_bytes = 84LL << 30;
  gpu.l2_bytes = 50LL << 20;
  gpu.peak_memory_gbps = 3352;
  return gpu;
}

GpuFacts orin_nano() {
  GpuFacts gpu;
  gpu.present = true;
  gpu.name = "Orin";
  gpu.compute_major = 8;
  gpu.compute_minor = 7;
  gpu.multiprocessors = 8;
  gpu.max_threads_per_multiprocessor = 1536;
  gpu.integrated = true;
  gpu.can_map_host_memory = true;
  gpu.memory_bytes = 7LL << 30;
  gpu.free_bytes = 1LL << 30;
  gpu.l2_bytes = 2LL << 20;
  gpu.peak_memory_gbps = 102;
  return gpu;
}

KernelEnv gpu_env(const GpuFacts& facts) {
  KernelEnv env;
  env.cpu = host_cpu_features();
  env.gpu_facts = facts;
  return env;
}

std::vector<const PlannedCall*> calls_of(const PlannedRun& planned, const std::string& id) {
  std::vector<const PlannedCall*> calls;
  for (const PlannedCall& call : planned.calls) {
    if (call.kernel->id == id) calls.push_back(&call);
  }
  return calls;
}

TEST(RunnerCuda, StandardPlanOnAnH100) {
  if (!cuda_built()) GTEST_SKIP() << "this build has no CUDA kernels";
  CalibrationPlan plan;
  plan.plan = Plan::standard;
  plan.device = "cuda";
  PlannedRun planned = plan_run(plan, gpu_env(h100()), {{}, 64LL << 30});
  EXPECT_TRUE(planned.warnings.empty());
  auto dgemm = calls_of(planned, "cuda_gemm_fp64_cublas");
  ASSERT_EQ(dgemm.size(), 3u);
  EXPECT_EQ(n_of(dgemm.back()->shape), 8192);
  EXPECT_EQ(dgemm.back()->skipped, "");
  auto fp8 = calls_of(planned, "cuda_gemm_fp8_e4m3_cublaslt");
  ASSERT_FALSE(fp8.empty());
  EXPECT_EQ(fp8.front()->unavailable, "");
  // Device memory: a sweep from the L2 up to 1 GiB arrays, 20x the 50 MiB L2.
  auto d2d = calls_of(planned, "cuda_memcpy_d2d");
  ASSERT_GE(d2d.size(), 5u);
  EXPECT_EQ(array_bytes_of(d2d.front()->shape), 256 << 10);
  EXPECT_EQ(d2d.front()->residency, Residency::l2);
  EXPECT_EQ(array_bytes_of(d2d.back()->shape), 1LL << 30);
  EXPECT_EQ(d2d.back()->residency, Residency::dram);
  // Transfers: no cache level, 256 MiB host buffers at most.
  auto h2d = calls_of(planned, "cuda_memcpy_h2d_pinned");
  ASSERT_EQ(h2d.size(), 4u);
  EXPECT_EQ(array_bytes_of(h2d.back()->shape), 256LL << 20);
  EXPECT_FALSE(h2d.back()->residency.has_value());
  // Zero-copy measures shared DRAM: on a discrete GPU it says why it does not run.
  auto zerocopy = calls_of(planned, "cuda_stream_copy_zerocopy");
  ASSERT_EQ(zerocopy.size(), 1u);
  EXPECT_NE(zerocopy[0]->unavailable.find("integrated GPUs"), std::string::npos);
}

TEST(RunnerCuda, ASmallGpuSkipsWhatDoesNotFitAndSaysWhy) {
  if (!cuda_built()) GTEST_SKIP() << "this build has no CUDA kernels";
  CalibrationPlan plan;
  plan.plan = Plan::standard;
  plan.device = "cuda";
  PlannedRun planned = plan_run(plan, gpu_env(orin_nano()), {{}, 3LL << 30});
  auto dgemm = calls_of(planned, "cuda_gemm_fp64_cublas");
  ASSERT_EQ(dgemm.size(), 3u);
  EXPECT_EQ(dgemm[1]->skipped, "");  // 4096: 384 MiB
  EXPECT_EQ(dgemm[2]->skipped,
            "n=8192 needs 1536 MiB of GPU memory; 614 MiB of the 1024 MiB free may be used");
  auto fp8 = calls_of(planned, "cuda_gemm_fp8_e4m3_cublaslt");
  ASSERT_EQ(fp8.size(), 1u);
  EXPECT_EQ(fp8[0]->unavailable,
            "FP8 tensor cores needs compute capability 8.9 or newer; this GPU has 8.7");
  // Three 128 MiB arrays fit in 60% of 1 GiB and are 64x the L2: DRAM.
  auto triad = calls_of(planned, "cuda_stream_triad");
  EXPECT_EQ(array_bytes_of(triad.back()->shape), 128LL << 20);
  EXPECT_EQ(triad.back()->residency, Residency::dram);
  auto zerocopy = calls_of(planned, "cuda_stream_copy_zerocopy");
  ASSERT_FALSE(zerocopy.empty());
  EXPECT_EQ(zerocopy.back()->unavailable, "");
  // Host buffers take at most a quarter of the host's spare 3 GiB: 256 MiB still fits.
  auto h2d = calls_of(planned, "cuda_memcpy_h2d_pageable");
  EXPECT_EQ(array_bytes_of(h2d.back()->shape), 256LL << 20);
}

TEST(RunnerCuda, WithoutAGpuEveryKernelSaysWhy) {
  if (!cuda_built()) GTEST_SKIP() << "this build has no CUDA kernels";
  GpuFacts none;
  none.problem =
      "no CUDA device: cudaGetDeviceCount: cudaErrorNoDevice (no CUDA-capable device "
      "is detected)";
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  plan.device = "cuda";
  PlannedRun planned = plan_run(plan, gpu_env(none), {});
  ASSERT_FALSE(planned.calls.empty());
  for (const PlannedCall& call : planned.calls) {
    EXPECT_EQ(call.unavailable, none.problem) << call.kernel->id;
  }
}

TEST(RunnerCuda, SkippedCallsAreRecordedNotRun) {
  PlannedRun planned;
  PlannedCall call;
  call.kernel = find_kernel("cpu_gemm_fp64_openblas");
  ASSERT_NE(call.kernel, nullptr);
  call.shape = GemmShape{1 << 20, 1 << 20, 1 << 20};  // would never finish
  call.skipped = "does not fit";
  planned.calls.push_back(call);
  CalibrationPlan plan;
  plan.plan = Plan::quick;
  RunResult result = run_plan(planned, plan, two_threads(), nullptr);
  ASSERT_EQ(result.measurements.size(), 1u);
  EXPECT_EQ(result.measurements[0].status, MeasurementStatus::skipped);
  EXPECT_EQ(result.measurements[0].message, "does not fit");
  EXPECT_EQ(result.measurements[0].shape.n, 1 << 20);
}

// Runs one small call of every kernel this machine offers and checks its result: what the
// real run does, at sizes that take milliseconds.
TEST(Kernels, EveryAvailableKernelRunsAndVerifies) {
  KernelEnv env = two_threads();
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    if (!kernel.unavailable_reason(env).empty()) continue;
    KernelShape shape;
    const long long n = kernel.emulated ? 64 : 256;
    if (kernel.kind == KernelClass::gemm) shape = GemmShape{n, n, n};
    if (kernel.kind == KernelClass::peak_fma) shape = PeakShape{10000};
    if (kernel.kind == KernelClass::stream || kernel.kind == KernelClass::copy) {
      shape = BandwidthShape{1 << 20, 2};
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
