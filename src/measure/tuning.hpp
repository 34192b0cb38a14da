// Every number that steers a calibration run, in one table: the plans' presets (trials, budgets,
// sizes) and the thresholds the planner and runner decide by. Each says why it has its value;
// changing one changes what calibrate measures, so the tests that pin plans and messages
// (test_runner.cpp) follow it.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace hwcal {

enum class Plan { quick, standard, full };
std::string_view to_string(Plan plan);
std::optional<Plan> parse_plan(std::string_view name);

// Warm-ups and the stopping rule of one measured thing.
struct TrialPreset {
  int warmups = 1;
  int min_trials = 3;
  int max_trials = 10;
  double target_cv = 0.02;  // stop once the samples' coefficient of variation is below
  double time_budget_s = 8.0;
};

// The sizes a plan measures at.
struct PlanSizes {
  std::vector<long long> gemm_sizes;       // CPU GEMM n (square)
  std::vector<long long> cuda_gemm_sizes;  // GPU GEMM n, dropped where memory is short
  bool memory_sweep = false;               // cache sizes up to DRAM, or one DRAM size only
  double peak_call_s = 0.02;               // how long one call of an FMA kernel lasts
  double memory_call_s = 0.02;             // how long one call of a bandwidth kernel lasts
};

// What a plan does: the kernels' trials (their time budget is the whole run's, first touch of
// the arrays included), the workloads' trials (budget per configuration), and the sizes.
struct PlanPreset {
  TrialPreset kernels;
  TrialPreset workloads;
  PlanSizes sizes;
};
const PlanPreset& plan_preset(Plan plan);

namespace tuning {

// ---- Planning: the sizes of bandwidth calls ---------------------------------------------------
// Per array: at least 4x the last-level cache (so the cache serves a negligible share), at most
// 1 GiB (longer only costs time: the plateau is reached long before).
inline constexpr long long kMaxDramArrayBytes = 1LL << 30;
inline constexpr double kDramOverLastCache = 4.0;
// CPU: the three arrays of triad use at most 7/10 of MemAvailable (the OS and page cache keep
// the rest); never below 16 MiB, where no cache is that large in a single level.
inline constexpr long long kCpuMemoryShareNumerator = 7;
inline constexpr long long kCpuMemoryShareDenominator = 10;
inline constexpr long long kCpuMinDramArrayBytes = 16LL << 20;
// GPU arrays and matrices together use at most this share of the GPU's free memory (cuBLAS
// workspaces and the driver take the rest); arrays never below 8 MiB.
inline constexpr double kGpuMemoryShare = 0.6;
inline constexpr long long kGpuMinDramArrayBytes = 8LL << 20;
// Free GPU memory assumed where the runtime does not say: a small Jetson's.
inline constexpr double kGpuFreeBytesGuess = 2e9;
// Host buffers of the host-device transfers: at most 256 MiB (the link is saturated far below),
// at most a quarter of MemAvailable (pinned memory is locked), at least 4 MiB.
inline constexpr long long kMaxTransferBytes = 256LL << 20;
inline constexpr long long kTransferHostShareDivisor = 4;
inline constexpr long long kMinTransferBytes = 4LL << 20;
// The sweep below the DRAM size: from inside L1 (CPU) or well inside L2 (GPU), x4 a step so
// every cache level gets a point or two; transfers from 64 KiB in x16 steps (latency to
// bandwidth, a few points).
inline constexpr long long kCpuSweepFirstBytes = 16LL << 10;
inline constexpr long long kGpuSweepFirstBytes = 256LL << 10;
inline constexpr long long kSweepStep = 4;
inline constexpr long long kTransferSweepFirstBytes = 64LL << 10;
inline constexpr long long kTransferSweepStep = 16;

// ---- Sizing one call --------------------------------------------------------------------------
// The FMA probe: 20000 iterations take about a millisecond on any CPU core. GPUs differ a
// thousandfold (an Orin Nano's fp64 units against an H100's), so their probe starts at 64 and
// grows 8x until one call lasts a millisecond (or the count is absurd).
inline constexpr long long kCpuPeakProbeIterations = 20000;
inline constexpr long long kGpuPeakProbeIterations = 64;
inline constexpr long long kGpuPeakProbeGrowth = 8;
inline constexpr double kGpuPeakProbeMinS = 1e-3;
inline constexpr long long kMaxPeakProbeIterations = 1LL << 40;
inline constexpr int kPeakProbeRuns = 3;    // the best of three: one warm call is not enough
inline constexpr double kMinProbeS = 1e-7;  // a timer's floor: no division by zero
// Rough bandwidths per CPU thread, only to size a bandwidth call: overestimates give longer
// calls, which only cost time. DRAM sizes need one pass per call.
inline constexpr double kCpuL1GbpsPerThread = 200;
inline constexpr double kCpuL2GbpsPerThread = 100;
inline constexpr double kCpuOtherGbpsPerThread = 50;
// GPUs: the device's own peak where known, else 100 GB/s; a discrete GPU's host link about
// 25 GB/s (PCIe 4 x16), an integrated one's half its DRAM; L2-resident copies about 2.5x DRAM;
// a launch costs a few microseconds whatever the size.
inline constexpr double kGpuDramGbpsGuess = 100;
inline constexpr double kGpuPcieGbps = 25;
inline constexpr double kGpuCacheOverDram = 2.5;
inline constexpr double kGpuLaunchS = 4e-6;

// ---- The time budget --------------------------------------------------------------------------
// Each remaining call's share of the remaining budget, never below 50 ms (a few trials always
// run, even when the budget is spent).
inline constexpr double kMinShareS = 0.05;
// A GEMM size runs when its warm-ups and minimum trials fit in slack x its share, or in this
// fraction of the whole budget (the larger).
inline constexpr double kGemmBudgetFraction = 0.2;
// The slack when the prediction comes from the kernel's previous size (close), and when it
// comes from the small probe (large sizes run faster per flop than the probe, so it
// overestimates: only calls far over the share are caught).
inline constexpr double kGemmSlack = 2.0;
inline constexpr double kGemmProbeSlack = 6.0;
// The probe is timed as the best of this many calls, after the warm-up below.
inline constexpr int kGemmProbeRuns = 3;
// The probe's size, and the smallest size the first GEMM size shrinks to.
inline constexpr long long kGemmProbeN = 256;
inline constexpr long long kGemmMinShrinkN = 128;

// ---- Warnings after the run -------------------------------------------------------------------
// The sweep should flatten out at DRAM sizes: arrays from 64 MiB are beyond any cache, and two
// such sizes differing by more than 10% say the plateau was not reached.
inline constexpr long long kPlateauMinBytes = 64LL << 20;
inline constexpr double kPlateauChange = 0.10;

// ---- Warm-up ----------------------------------------------------------------------------------
// Before the timed trials a call runs the plan's warm-ups and, for short calls, until 0.1 s has
// passed (at most 1000 calls): first-call costs and the previous kernel's threads stay out of
// the samples.
inline constexpr double kMinWarmupS = 0.1;
inline constexpr int kMaxWarmupCalls = 1000;

// ---- The machine's own drift ------------------------------------------------------------------
// The reference kernel (the device's fp32 FMA loop) is timed at the start, the middle and the end
// of a run: calls of 20 ms, the best of 5 at each point, about 0.3 s in all.
inline constexpr double kReferenceCallS = 0.02;
inline constexpr int kReferenceRuns = 5;
// The memory reference: the plan's DRAM STREAM triad, prepared at each point (first touch), one
// warm-up pass and the best of 3 (on 1 GiB arrays about 0.5-1 s a point, most of it first touch).
inline constexpr int kReferenceMemoryRuns = 3;

// ---- The clock inside an FMA kernel's trial window --------------------------------------------
// After each timed trial of a CPU FMA kernel the core clock is measured under the same vector
// load on the same cores: a short warm-up and a few 2 ms runs (about 15 ms).
inline constexpr int kWindowClockRuns = 5;
inline constexpr double kWindowClockWarmupS = 0.005;

}  // namespace tuning

// The names the rest of the code knows these by.
inline constexpr long long kMaxDramArrayBytes = tuning::kMaxDramArrayBytes;
inline constexpr double kGpuMemoryShare = tuning::kGpuMemoryShare;
inline constexpr long long kMaxTransferBytes = tuning::kMaxTransferBytes;

}  // namespace hwcal
