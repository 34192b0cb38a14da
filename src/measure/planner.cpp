// Planning: which kernels at which sizes. A pure function of the plan, the machine's features
// and its memory, so it is tested without running anything. What differs between a CPU and a
// GPU is a sizing policy (where the arrays stop, where the sweep starts, which GEMM sizes fit);
// one loop over the kernels turns a policy into calls.
#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/suggest.hpp"
#include "measure/runner.hpp"

namespace hwcal {
namespace {

// Data caches from the smallest level up: what a thread's arrays can live in.
std::vector<const CacheLevel*> data_caches(const std::vector<CacheLevel>& caches) {
  std::vector<const CacheLevel*> levels;
  for (const CacheLevel& cache : caches) {
    if (cache.kind != "instruction") levels.push_back(&cache);
  }
  std::sort(levels.begin(), levels.end(),
            [](const CacheLevel* a, const CacheLevel* b) { return a->level < b->level; });
  return levels;
}

double total_bytes(const CacheLevel& cache) {
  return cache.size_kib * 1024.0 * static_cast<double>(cache.count.value_or(1));
}

// How many arrays a bandwidth kernel touches: bytes of one pass over one byte-sized array.
int arrays_of(const KernelDescriptor& kernel, const KernelEnv& env) {
  const BandwidthShape unit{1 << 20, 1};
  return static_cast<int>(
      std::lround(kernel.bytes(unit, env) / static_cast<double>(unit.array_bytes)));
}

// The GPU's caches as planning sees them: the L2, shared by every SM.
std::vector<CacheLevel> gpu_caches(const GpuFacts& gpu) {
  if (gpu.l2_bytes <= 0) return {};
  CacheLevel l2;
  l2.level = 2;
  l2.kind = "unified";
  l2.size_kib = static_cast<double>(gpu.l2_bytes) / 1024.0;
  l2.count = 1;
  return {l2};
}

std::string mib(double bytes) { return fmt::format("{:.0f} MiB", bytes / (1 << 20)); }

// A bandwidth sweep: first, first x step, ... below `largest`, then `largest`.
std::vector<long long> sweep(bool enabled, long long first, long long step, long long largest) {
  std::vector<long long> sizes;
  if (enabled) {
    for (long long bytes = first; bytes < largest; bytes *= step) sizes.push_back(bytes);
  }
  sizes.push_back(largest);
  return sizes;
}

// How one device's calls are sized: decided once per run from the device's memory, then applied
// to every kernel by plan_calls.
struct SizingPolicy {
  std::vector<CacheLevel> caches;  // what residency is judged against
  std::size_t threads = 1;         // arrays are split over this many threads (a GPU: one)
  long long dram_array = tuning::kMaxDramArrayBytes;  // largest array of STREAM and copies
  long long sweep_first = tuning::kCpuSweepFirstBytes;
  long long transfer_bytes = tuning::kMaxTransferBytes;  // host buffers of transfers
  bool memory_sweep = false;
  std::vector<long long> gemm_sizes;
  // The GPU's GEMM matrices must fit in this many bytes (0: no check, the CPU's), and the free
  // memory it is a share of, for the message.
  double gemm_memory_limit = 0;
  double free_bytes = 0;
};

// The CPU: 4x the last-level cache per array, capped; smaller where memory is short.
SizingPolicy cpu_sizing(const PlanDefaults& defaults, const KernelEnv& env,
                        const MemoryTopology& memory, std::vector<std::string>& warnings) {
  SizingPolicy policy;
  policy.caches = memory.caches;
  policy.threads = env.threads();
  policy.memory_sweep = defaults.memory_sweep;
  policy.gemm_sizes = defaults.gemm_sizes;
  auto levels = data_caches(memory.caches);
  if (!levels.empty()) {
    policy.dram_array = std::min<long long>(
        tuning::kMaxDramArrayBytes,
        static_cast<long long>(tuning::kDramOverLastCache * total_bytes(*levels.back())));
  } else {
    warnings.push_back(
        "no cache sizes were detected: DRAM bandwidth uses 1 GiB arrays and the sweep's levels "
        "are not labelled");
  }
  if (memory.available_bytes > 0) {
    while (3 * policy.dram_array > memory.available_bytes * tuning::kCpuMemoryShareNumerator /
                                       tuning::kCpuMemoryShareDenominator &&
           policy.dram_array > tuning::kCpuMinDramArrayBytes) {
      policy.dram_array /= 2;
    }
    if (residency_of(policy.dram_array, 3, env.threads(), memory.caches) != Residency::dram) {
      warnings.push_back(fmt::format(
          "only {} MiB free: the largest arrays ({} MiB) may not be beyond the caches, so no "
          "measurement counts as DRAM bandwidth",
          memory.available_bytes >> 20, policy.dram_array >> 20));
    }
  }
  return policy;
}

// The GPU: GEMM sizes that fit the free memory, a DRAM size far beyond the L2 (and a sweep below
// it), and host buffers for the transfers.
SizingPolicy gpu_sizing(const PlanDefaults& defaults, const KernelEnv& env,
                        const MemoryTopology& memory, std::vector<std::string>& warnings) {
  const GpuFacts& gpu = env.gpu_facts;
  SizingPolicy policy;
  policy.caches = gpu_caches(gpu);
  policy.sweep_first = tuning::kGpuSweepFirstBytes;
  policy.memory_sweep = defaults.memory_sweep;
  policy.gemm_sizes = defaults.cuda_gemm_sizes;
  policy.free_bytes =
      gpu.free_bytes > 0 ? static_cast<double>(gpu.free_bytes) : tuning::kGpuFreeBytesGuess;
  policy.gemm_memory_limit = tuning::kGpuMemoryShare * policy.free_bytes;
  // One GiB per array where it fits in the share of the free memory (three arrays for triad).
  while (3.0 * static_cast<double>(policy.dram_array) > policy.gemm_memory_limit &&
         policy.dram_array > tuning::kGpuMinDramArrayBytes) {
    policy.dram_array /= 2;
  }
  if (!policy.caches.empty() &&
      residency_of(policy.dram_array, 2, 1, policy.caches) != Residency::dram) {
    warnings.push_back(fmt::format(
        "only {} free on the GPU: the largest arrays ({}) are not 4x beyond its {} L2, so no "
        "measurement counts as DRAM bandwidth",
        mib(policy.free_bytes), mib(static_cast<double>(policy.dram_array)),
        mib(static_cast<double>(gpu.l2_bytes))));
  }
  // Host buffers: pinned memory is locked, so keep it well within what the host has free.
  if (memory.available_bytes > 0) {
    while (tuning::kTransferHostShareDivisor * policy.transfer_bytes > memory.available_bytes &&
           policy.transfer_bytes > tuning::kMinTransferBytes) {
      policy.transfer_bytes /= 2;
    }
  }
  return policy;
}

// The calls of one kernel under a policy: GEMM at each size (skipped where the matrices do not
// fit), bandwidth at each size of the sweep, a peak kernel once (its length is chosen at run
// time).
void plan_kernel(const KernelDescriptor& kernel, const SizingPolicy& policy, const KernelEnv& env,
                 std::vector<PlannedCall>& calls) {
  PlannedCall call;
  call.kernel = &kernel;
  call.unavailable = kernel.unavailable_reason ? kernel.unavailable_reason(env) : "";
  call.shape = empty_shape(kernel.kind);
  if (!call.unavailable.empty()) {
    calls.push_back(call);
    return;
  }
  if (kernel.kind == KernelClass::gemm) {
    for (long long n : policy.gemm_sizes) {
      PlannedCall sized = call;
      sized.shape = GemmShape{n, n, n};
      // A GEMM descriptor's bytes are its matrices' footprint.
      const double needed = kernel.bytes(sized.shape, env);
      if (policy.gemm_memory_limit > 0 && needed > policy.gemm_memory_limit) {
        sized.skipped =
            fmt::format("n={} needs {} of GPU memory; {} of the {} free may be used", n,
                        mib(needed), mib(policy.gemm_memory_limit), mib(policy.free_bytes));
      }
      calls.push_back(sized);
    }
  } else if (is_bandwidth(kernel.kind)) {
    // Transfers cross the host link: their own sizes, and no cache level describes them.
    const bool transfer = kernel.kind == KernelClass::transfer;
    const std::vector<long long> sizes =
        transfer
            ? sweep(policy.memory_sweep, tuning::kTransferSweepFirstBytes,
                    tuning::kTransferSweepStep, policy.transfer_bytes)
            : sweep(policy.memory_sweep, policy.sweep_first, tuning::kSweepStep, policy.dram_array);
    const int arrays = arrays_of(kernel, env);
    for (long long bytes : sizes) {
      PlannedCall sized = call;
      sized.shape = BandwidthShape{bytes, 1};
      if (!transfer) sized.residency = residency_of(bytes, arrays, policy.threads, policy.caches);
      calls.push_back(sized);
    }
  } else {
    calls.push_back(call);
  }
}

// A planned call as a log line shows it: "cpu_stream_triad 64 MiB (dram)".
std::string call_text(const PlannedCall& call) {
  std::string text = call.kernel->id;
  if (const auto* gemm = std::get_if<GemmShape>(&call.shape)) {
    text += fmt::format(" n={}", gemm->n);
  } else if (const auto* bandwidth = std::get_if<BandwidthShape>(&call.shape)) {
    const long long bytes = bandwidth->array_bytes;
    text += bytes >= (1LL << 20) ? fmt::format(" {} MiB", bytes >> 20)
                                 : fmt::format(" {} KiB", bytes >> 10);
    text += call.residency ? fmt::format(" ({})", to_string(*call.residency)) : " (level unknown)";
  }
  return text;
}

}  // namespace

std::vector<const KernelDescriptor*> select_kernels(const CalibrationPlan& plan) {
  std::vector<const KernelDescriptor*> kernels;
  for (const std::string& id : plan.kernels) {
    const KernelDescriptor* kernel = find_kernel(id);
    if (kernel == nullptr) {
      std::string known;
      std::vector<std::string> ids;
      for (const KernelDescriptor& k : builtin_kernels()) {
        ids.push_back(k.id);
        if (k.device == plan.device) known += (known.empty() ? "" : ", ") + k.id;
      }
      throw UsageError(fmt::format("unknown kernel '{}'{} (the {} kernels are: {})", id,
                                   did_you_mean(ids, id), plan.device, known));
    }
    if (kernel->device != plan.device) {
      throw UsageError(
          fmt::format("kernel '{}' runs on {}, not {}", id, kernel->device, plan.device));
    }
    kernels.push_back(kernel);
  }
  if (plan.kernels.empty()) {
    for (const KernelDescriptor& kernel : builtin_kernels()) {
      if (kernel.device == plan.device) kernels.push_back(&kernel);
    }
  } else {
    spdlog::info("planner ({}): --kernels selects {} kernel{}", plan.device, kernels.size(),
                 kernels.size() == 1 ? "" : "s");
  }
  if (!plan.precisions.empty()) {
    std::string names;
    for (Precision precision : plan.precisions) {
      names += (names.empty() ? "" : ",") + std::string(to_string(precision));
    }
    kernels.erase(std::remove_if(kernels.begin(), kernels.end(),
                                 [&](const KernelDescriptor* k) {
                                   const bool left_out =
                                       std::find(plan.precisions.begin(), plan.precisions.end(),
                                                 k->precision) == plan.precisions.end() &&
                                       !is_bandwidth(k->kind);
                                   if (left_out) {
                                     spdlog::info(
                                         "planner ({}): left out {}: {} is not in "
                                         "--precisions {}",
                                         plan.device, k->id, to_string(k->precision), names);
                                   }
                                   return left_out;
                                 }),
                  kernels.end());
  }
  return kernels;
}

PlanDefaults plan_defaults(Plan plan) {
  const PlanPreset& preset = plan_preset(plan);
  PlanDefaults d;
  static_cast<TrialPreset&>(d) = preset.kernels;
  static_cast<PlanSizes&>(d) = preset.sizes;
  return d;
}

std::optional<Residency> residency_of(long long array_bytes, int arrays, std::size_t threads,
                                      const std::vector<CacheLevel>& caches) {
  auto levels = data_caches(caches);
  if (array_bytes >= tuning::kMaxDramArrayBytes) return Residency::dram;
  if (levels.empty()) return std::nullopt;
  const double per_thread = static_cast<double>(array_bytes) * arrays /
                            static_cast<double>(std::max<std::size_t>(threads, 1));
  for (const CacheLevel* cache : levels) {
    // A thread's share: a private cache each (count >= threads), else the shared one split.
    double instances = static_cast<double>(cache->count.value_or(1));
    double share = cache->size_kib * 1024.0 * std::min(instances, static_cast<double>(threads)) /
                   static_cast<double>(threads);
    if (per_thread <= share) {
      switch (cache->level) {
        case 1: return Residency::l1;
        case 2: return Residency::l2;
        default: return Residency::l3;
      }
    }
  }
  const CacheLevel& last = *levels.back();
  if (static_cast<double>(array_bytes) >= tuning::kDramOverLastCache * total_bytes(last)) {
    return Residency::dram;
  }
  // Between the last-level cache and 4x its size the cache still serves part of the traffic.
  return last.level == 1 ? Residency::l1 : last.level == 2 ? Residency::l2 : Residency::l3;
}

PlannedRun plan_run(const CalibrationPlan& plan, const KernelEnv& env,
                    const MemoryTopology& memory) {
  const PlanDefaults defaults = plan_defaults(plan.plan);
  const std::vector<const KernelDescriptor*> kernels = select_kernels(plan);
  PlannedRun planned;
  const SizingPolicy policy = plan.device == "cuda"
                                  ? gpu_sizing(defaults, env, memory, planned.warnings)
                                  : cpu_sizing(defaults, env, memory, planned.warnings);
  spdlog::info(
      "planner ({}): plan {}, {} thread{}, largest bandwidth array {}, GEMM sizes {}, memory "
      "sweep {}",
      plan.device, to_string(plan.plan), policy.threads, policy.threads == 1 ? "" : "s",
      mib(static_cast<double>(policy.dram_array)), fmt::join(policy.gemm_sizes, ","),
      policy.memory_sweep ? "on" : "off");
  for (const std::string& warning : planned.warnings) {
    spdlog::info("planner ({}): {}", plan.device, warning);
  }
  for (const KernelDescriptor* kernel : kernels) plan_kernel(*kernel, policy, env, planned.calls);
  std::size_t runnable = 0;
  for (const PlannedCall& call : planned.calls) {
    if (!call.unavailable.empty()) {
      spdlog::info("planner ({}): {} cannot run here: {}", plan.device, call.kernel->id,
                   call.unavailable);
    } else if (!call.skipped.empty()) {
      spdlog::info("planner ({}): skipped {}: {}", plan.device, call_text(call), call.skipped);
    } else {
      ++runnable;
      spdlog::debug("planner ({}): planned {}", plan.device, call_text(call));
    }
  }
  spdlog::info("planner ({}): {} call{} of {} kernel{} to run, {} not run", plan.device, runnable,
               runnable == 1 ? "" : "s", kernels.size(), kernels.size() == 1 ? "" : "s",
               planned.calls.size() - runnable);
  return planned;
}

}  // namespace hwcal
