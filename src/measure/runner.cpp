#include "measure/runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <new>

#include <fmt/format.h>

#include "base/stats.hpp"

namespace hwcal {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Kernels judged in bytes per second: STREAM, copies, and host-device transfers.
bool is_bandwidth(KernelClass kind) {
  return kind == KernelClass::stream || kind == KernelClass::copy || kind == KernelClass::transfer;
}

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
  KernelShape unit;
  unit.array_bytes = 1 << 20;
  unit.repeats = 1;
  return static_cast<int>(
      std::lround(kernel.bytes(unit, env) / static_cast<double>(unit.array_bytes)));
}

std::string describe(const KernelDescriptor& kernel, const KernelShape& shape) {
  KernelClass kind = classify_kernel(kernel.id);
  if (kind == KernelClass::gemm) return fmt::format("{} n={}", kernel.id, shape.n);
  if (is_bandwidth(kind)) {
    return fmt::format("{} {} KiB", kernel.id, shape.array_bytes >> 10);
  }
  return kernel.id;
}

MeasurementRecord base_record(const KernelDescriptor& kernel, const KernelEnv& env) {
  MeasurementRecord record;
  record.kernel = kernel.id;
  record.kernel_class = classify_kernel(kernel.id);
  record.device = kernel.device == "cpu" ? "cpu" : fmt::format("{}:{}", kernel.device, env.gpu);
  record.backend = kernel.backend;
  record.precision = kernel.precision;
  record.emulated = kernel.emulated;
  return record;
}

MeasurementShape shape_record(const KernelDescriptor& kernel, const KernelShape& shape) {
  MeasurementShape out;
  KernelClass kind = classify_kernel(kernel.id);
  if (kind == KernelClass::gemm) {
    out.m = shape.m;
    out.n = shape.n;
    out.k = shape.k;
  } else if (is_bandwidth(kind)) {
    out.array_bytes = shape.array_bytes;
    out.extra = Json::object({{"repeats", shape.repeats}});
  } else if (kind == KernelClass::peak_fma) {
    out.extra = Json::object({{"iterations", shape.iterations}});
  }
  return out;
}

// The FMA loop runs long enough to time (the plan's call length): scaled from a short run.
// GPUs differ a thousandfold (an Orin Nano's fp64 units against an H100's), so their probe
// starts small and grows until it lasts a millisecond.
long long choose_iterations(const KernelDescriptor& kernel, const KernelEnv& env, double call_s) {
  KernelShape probe;
  const bool gpu = kernel.device != "cpu";
  probe.iterations = gpu ? 64 : 20000;
  double best = 1e30;
  while (true) {
    auto prepared = kernel.prepare(probe, env);
    prepared->run();
    best = 1e30;
    for (int i = 0; i < 3; ++i) best = std::min(best, prepared->timed_run());
    if (!gpu || best >= 1e-3 || probe.iterations >= (1LL << 40)) break;
    probe.iterations *= 8;
  }
  double scaled = static_cast<double>(probe.iterations) * call_s / std::max(best, 1e-7);
  return std::max<long long>(probe.iterations, static_cast<long long>(scaled));
}

// The same for a GPU's copies: passes per call from the device's own peak bandwidth (its bus
// width and memory clock; a guess where those are unknown) and a launch's few microseconds.
long long choose_gpu_repeats(double bytes_per_pass, KernelClass kind,
                             std::optional<Residency> residency, const GpuFacts& gpu,
                             double call_s) {
  double dram_gbps = gpu.peak_memory_gbps > 0 ? gpu.peak_memory_gbps : 100;
  double gbps = dram_gbps;
  if (kind == KernelClass::transfer) gbps = gpu.integrated ? dram_gbps / 2 : 25;
  if (residency == Residency::l2 || residency == Residency::l1) gbps = 2.5 * dram_gbps;
  double seconds_per_pass = std::max(bytes_per_pass / (gbps * 1e9), 4e-6);
  return std::max<long long>(1, static_cast<long long>(std::ceil(call_s / seconds_per_pass)));
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

// The GPU side of plan_run: GEMM sizes that fit the free memory, a DRAM size far beyond the L2
// (and a sweep below it), and host buffers for the transfers.
void plan_cuda_calls(const std::vector<const KernelDescriptor*>& kernels,
                     const PlanDefaults& defaults, const KernelEnv& env,
                     const MemoryTopology& memory, PlannedRun& planned) {
  const GpuFacts& gpu = env.gpu_facts;
  const double free_bytes = gpu.free_bytes > 0 ? static_cast<double>(gpu.free_bytes) : 2e9;
  const std::vector<CacheLevel> caches = gpu_caches(gpu);
  // One GiB per array where it fits in the share of the free memory (three arrays for triad).
  long long dram_array = kMaxDramArrayBytes;
  while (3.0 * static_cast<double>(dram_array) > kGpuMemoryShare * free_bytes &&
         dram_array > (8LL << 20)) {
    dram_array /= 2;
  }
  if (!caches.empty() && residency_of(dram_array, 2, 1, caches) != Residency::dram) {
    planned.warnings.push_back(fmt::format(
        "only {} free on the GPU: the largest arrays ({}) are not 4x beyond its {} L2, so no "
        "measurement counts as DRAM bandwidth",
        mib(free_bytes), mib(static_cast<double>(dram_array)),
        mib(static_cast<double>(gpu.l2_bytes))));
  }
  // Host buffers: pinned memory is locked, so keep it well within what the host has free.
  long long transfer_bytes = kMaxTransferBytes;
  if (memory.available_bytes > 0) {
    while (4 * transfer_bytes > memory.available_bytes && transfer_bytes > (4LL << 20)) {
      transfer_bytes /= 2;
    }
  }

  for (const KernelDescriptor* kernel : kernels) {
    std::string reason = kernel->unavailable_reason ? kernel->unavailable_reason(env) : "";
    if (!reason.empty()) {
      PlannedCall call;
      call.kernel = kernel;
      call.unavailable = reason;
      planned.calls.push_back(call);
      continue;
    }
    const KernelClass kind = classify_kernel(kernel->id);
    if (kind == KernelClass::gemm) {
      for (long long n : defaults.cuda_gemm_sizes) {
        PlannedCall call;
        call.kernel = kernel;
        call.shape.m = call.shape.n = call.shape.k = n;
        // A GEMM descriptor's bytes are its matrices' footprint.
        const double needed = kernel->bytes(call.shape, env);
        if (needed > kGpuMemoryShare * free_bytes) {
          call.skipped =
              fmt::format("n={} needs {} of GPU memory; {} of the {} free may be used", n,
                          mib(needed), mib(kGpuMemoryShare * free_bytes), mib(free_bytes));
        }
        planned.calls.push_back(call);
      }
    } else if (is_bandwidth(kind)) {
      const bool transfer = kind == KernelClass::transfer;
      const long long largest = transfer ? transfer_bytes : dram_array;
      std::vector<long long> sizes;
      if (defaults.memory_sweep) {
        const long long first = transfer ? (64LL << 10) : (256LL << 10);
        const long long step = transfer ? 16 : 4;
        for (long long bytes = first; bytes < largest; bytes *= step) sizes.push_back(bytes);
      }
      sizes.push_back(largest);
      const int arrays = arrays_of(*kernel, env);
      for (long long bytes : sizes) {
        PlannedCall call;
        call.kernel = kernel;
        call.shape.array_bytes = bytes;
        // Transfers cross the host link: no cache level describes them.
        if (!transfer) call.residency = residency_of(bytes, arrays, 1, caches);
        planned.calls.push_back(call);
      }
    } else {
      PlannedCall call;
      call.kernel = kernel;
      planned.calls.push_back(call);
    }
  }
}

// Passes per call so a cache-resident size lasts long enough to time; DRAM sizes need one.
long long choose_repeats(double bytes_per_pass, std::optional<Residency> residency,
                         std::size_t threads, double call_s) {
  // Rough bandwidths per thread, only to size the call: overestimates give longer calls.
  double per_thread_gbps = 50;
  if (residency == Residency::l1) per_thread_gbps = 200;
  if (residency == Residency::l2) per_thread_gbps = 100;
  if (residency == Residency::dram) return 1;
  double seconds_per_pass = bytes_per_pass / (per_thread_gbps * 1e9 * static_cast<double>(threads));
  return std::max<long long>(1, static_cast<long long>(std::ceil(call_s / seconds_per_pass)));
}

}  // namespace

std::string_view to_string(Plan plan) {
  switch (plan) {
    case Plan::quick: return "quick";
    case Plan::standard: return "standard";
    case Plan::full: return "full";
  }
  return "standard";
}

std::optional<Plan> parse_plan(std::string_view name) {
  if (name == "quick") return Plan::quick;
  if (name == "standard") return Plan::standard;
  if (name == "full") return Plan::full;
  return std::nullopt;
}

PlanDefaults plan_defaults(Plan plan) {
  PlanDefaults d;
  switch (plan) {
    case Plan::quick:
      d.warmups = 1;
      d.min_trials = 3;
      d.max_trials = 8;
      d.target_cv = 0.03;
      d.time_budget_s = 8;
      d.gemm_sizes = {2048};
      d.cuda_gemm_sizes = {4096};
      d.memory_sweep = false;
      d.peak_call_s = 0.02;
      d.memory_call_s = 0.02;
      break;
    case Plan::standard:
      d.warmups = 2;
      d.min_trials = 5;
      d.max_trials = 30;
      d.target_cv = 0.01;
      d.time_budget_s = 55;
      d.gemm_sizes = {256, 1024, 2048, 4096};
      d.cuda_gemm_sizes = {1024, 4096, 8192};
      d.memory_sweep = true;
      d.peak_call_s = 0.05;
      d.memory_call_s = 0.03;
      break;
    case Plan::full:
      d.warmups = 3;
      d.min_trials = 10;
      d.max_trials = 100;
      d.target_cv = 0.005;
      d.time_budget_s = 600;
      d.gemm_sizes = {128, 256, 512, 1024, 2048, 4096, 8192};
      d.cuda_gemm_sizes = {256, 512, 1024, 2048, 4096, 8192};
      d.memory_sweep = true;
      d.peak_call_s = 0.1;
      d.memory_call_s = 0.05;
      break;
  }
  return d;
}

std::optional<Residency> residency_of(long long array_bytes, int arrays, std::size_t threads,
                                      const std::vector<CacheLevel>& caches) {
  auto levels = data_caches(caches);
  if (array_bytes >= kMaxDramArrayBytes) return Residency::dram;
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
  if (static_cast<double>(array_bytes) >= 4.0 * total_bytes(last)) return Residency::dram;
  // Between the last-level cache and 4x its size the cache still serves part of the traffic.
  return last.level == 1 ? Residency::l1 : last.level == 2 ? Residency::l2 : Residency::l3;
}

PlannedRun plan_run(const CalibrationPlan& plan, const KernelEnv& env,
                    const MemoryTopology& memory) {
  const PlanDefaults defaults = plan_defaults(plan.plan);
  PlannedRun planned;

  std::vector<const KernelDescriptor*> kernels;
  for (const std::string& id : plan.kernels) {
    const KernelDescriptor* kernel = find_kernel(id);
    if (kernel == nullptr) {
      std::string known;
      for (const KernelDescriptor& k : builtin_kernels()) {
        if (k.device == plan.device) known += (known.empty() ? "" : ", ") + k.id;
      }
      throw UsageError(
          fmt::format("unknown kernel '{}' (the {} kernels are: {})", id, plan.device, known));
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
  }
  if (!plan.precisions.empty()) {
    kernels.erase(std::remove_if(kernels.begin(), kernels.end(),
                                 [&](const KernelDescriptor* k) {
                                   return std::find(plan.precisions.begin(), plan.precisions.end(),
                                                    k->precision) == plan.precisions.end() &&
                                          !is_bandwidth(classify_kernel(k->id));
                                 }),
                  kernels.end());
  }
  if (plan.device == "cuda") {
    plan_cuda_calls(kernels, defaults, env, memory, planned);
    return planned;
  }

  // The DRAM size: 4x the last-level cache per array, capped; smaller where memory is short.
  auto levels = data_caches(memory.caches);
  long long dram_array = kMaxDramArrayBytes;
  if (!levels.empty()) {
    dram_array = std::min<long long>(kMaxDramArrayBytes,
                                     static_cast<long long>(4.0 * total_bytes(*levels.back())));
  } else {
    planned.warnings.push_back(
        "no cache sizes were detected: DRAM bandwidth uses 1 GiB arrays and the sweep's levels "
        "are not labelled");
  }
  if (memory.available_bytes > 0) {
    while (3 * dram_array > memory.available_bytes * 7 / 10 && dram_array > (16LL << 20)) {
      dram_array /= 2;
    }
    if (residency_of(dram_array, 3, env.threads(), memory.caches) != Residency::dram) {
      planned.warnings.push_back(fmt::format(
          "only {} MiB free: the largest arrays ({} MiB) may not be beyond the caches, so no "
          "measurement counts as DRAM bandwidth",
          memory.available_bytes >> 20, dram_array >> 20));
    }
  }

  for (const KernelDescriptor* kernel : kernels) {
    std::string reason = kernel->unavailable_reason ? kernel->unavailable_reason(env) : "";
    if (!reason.empty()) {
      PlannedCall call;
      call.kernel = kernel;
      call.unavailable = reason;
      planned.calls.push_back(call);
      continue;
    }
    KernelClass kind = classify_kernel(kernel->id);
    if (kind == KernelClass::gemm) {
      for (long long n : defaults.gemm_sizes) {
        PlannedCall call;
        call.kernel = kernel;
        call.shape.m = call.shape.n = call.shape.k = n;
        planned.calls.push_back(call);
      }
    } else if (is_bandwidth(kind)) {
      const int arrays = arrays_of(*kernel, env);
      std::vector<long long> sizes;
      if (defaults.memory_sweep) {
        for (long long bytes = 16LL << 10; bytes < dram_array; bytes *= 4) sizes.push_back(bytes);
      }
      sizes.push_back(dram_array);
      for (long long bytes : sizes) {
        PlannedCall call;
        call.kernel = kernel;
        call.shape.array_bytes = bytes;
        call.residency = residency_of(bytes, arrays, env.threads(), memory.caches);
        planned.calls.push_back(call);
      }
    } else {
      PlannedCall call;
      call.kernel = kernel;
      planned.calls.push_back(call);
    }
  }
  return planned;
}

RunResult run_plan(const PlannedRun& planned, const CalibrationPlan& plan, const KernelEnv& env,
                   const std::function<void(const RunProgress&)>& progress,
                   const std::atomic<bool>* stop, TrialObserver* observer) {
  const PlanDefaults defaults = plan_defaults(plan.plan);
  const double budget_s = plan.time_budget_s > 0 ? plan.time_budget_s : defaults.time_budget_s;
  const auto start = Clock::now();
  RunResult result;
  result.warnings = planned.warnings;

  std::size_t runnable_left = 0;
  for (const PlannedCall& call : planned.calls) {
    runnable_left += call.unavailable.empty() && call.skipped.empty() ? 1 : 0;
  }
  // The rate each kernel reached at its last size, to predict the next size's call time.
  std::map<std::string, double> last_rate;

  auto check_stop = [stop]() {
    if (stop != nullptr && stop->load()) throw Interrupted("interrupted: nothing was written");
  };

  for (std::size_t i = 0; i < planned.calls.size(); ++i) {
    check_stop();
    const PlannedCall& call = planned.calls[i];
    const KernelDescriptor& kernel = *call.kernel;
    MeasurementRecord record = base_record(kernel, env);
    const double elapsed = seconds_since(start);
    if (progress) {
      progress({i, planned.calls.size(), describe(kernel, call.shape), elapsed,
                std::max(0.0, budget_s - elapsed)});
    }
    if (!call.unavailable.empty()) {
      record.status = MeasurementStatus::unsupported;
      record.message = call.unavailable;
      result.measurements.push_back(record);
      continue;
    }
    if (!call.skipped.empty()) {
      record.shape = shape_record(kernel, call.shape);
      record.status = MeasurementStatus::skipped;
      record.message = call.skipped;
      result.measurements.push_back(record);
      continue;
    }
    const double share_s =
        std::max(0.05, (budget_s - elapsed) / static_cast<double>(runnable_left));
    --runnable_left;
    const KernelClass kind = classify_kernel(kernel.id);
    KernelShape shape = call.shape;
    record.residency = call.residency;
    try {
      if (kind == KernelClass::peak_fma) {
        shape.iterations = choose_iterations(kernel, env, defaults.peak_call_s);
      }
      if (is_bandwidth(kind)) {
        KernelShape one = shape;
        one.repeats = 1;
        shape.repeats = kernel.device == "cpu"
                            ? choose_repeats(kernel.bytes(one, env), call.residency, env.threads(),
                                             defaults.memory_call_s)
                            : choose_gpu_repeats(kernel.bytes(one, env), kind, call.residency,
                                                 env.gpu_facts, defaults.memory_call_s);
      }
      record.shape = shape_record(kernel, shape);
      record.flops = kernel.flops(shape, env);
      record.bytes = kernel.bytes(shape, env);

      // Skip a size whose calls would not fit in this kernel's share of the budget, predicted
      // from the kernel's previous size or, for its first size, from a small probe (which
      // underestimates large sizes, so it only catches calls far over the share: an emulated
      // type a hundred times slower than the native ones).
      double slack = 2.0;
      if (kind == KernelClass::gemm && last_rate.count(kernel.id) == 0 && shape.n > 256) {
        KernelShape probe;
        probe.m = probe.n = probe.k = 256;
        auto prepared_probe = kernel.prepare(probe, env);
        prepared_probe->run();
        last_rate[kernel.id] = kernel.flops(probe, env) / prepared_probe->timed_run();
        slack = 6.0;
      }
      auto rate = last_rate.find(kernel.id);
      if (kind == KernelClass::gemm && rate != last_rate.end() && rate->second > 0) {
        const int calls = defaults.warmups + defaults.min_trials;
        const double limit_s = std::max(slack * share_s, 0.2 * budget_s);
        auto needed_s = [&](long long n) {
          KernelShape trial = shape;
          trial.m = trial.n = trial.k = n;
          return kernel.flops(trial, env) / rate->second * calls;
        };
        if (needed_s(shape.n) > limit_s) {
          // The first size of a kernel shrinks until it fits, so every kernel gets a number;
          // later sizes of a sweep are skipped.
          long long n = shape.n;
          const std::vector<long long>& sizes =
              kernel.device == "cpu" ? defaults.gemm_sizes : defaults.cuda_gemm_sizes;
          const bool first_size = call.shape.n == sizes.front();
          while (first_size && n > 128 && needed_s(n) > limit_s) n /= 2;
          if (!first_size || needed_s(n) > limit_s) {
            record.status = MeasurementStatus::skipped;
            record.message = fmt::format(
                "predicted {:.2f} s per call ({} calls) exceeds this size's share of the time "
                "budget ({:.1f} s); a larger --time-budget or the full plan runs it",
                needed_s(shape.n) / calls, calls, limit_s);
            result.measurements.push_back(record);
            continue;
          }
          record.message =
              fmt::format("n reduced from {} to {} to fit the time budget", shape.n, n);
          shape.m = shape.n = shape.k = n;
          record.shape = shape_record(kernel, shape);
          record.flops = kernel.flops(shape, env);
          record.bytes = kernel.bytes(shape, env);
        }
      }
      const double flops_per_call = *record.flops;
      const double bytes_per_call = *record.bytes;

      const auto call_start = Clock::now();
      std::unique_ptr<PreparedKernel> prepared = kernel.prepare(shape, env);
      record.threads = static_cast<long long>(prepared->threads_used());
      for (int w = 0; w < defaults.warmups; ++w) {
        check_stop();
        prepared->timed_run();
      }
      std::vector<double> samples;
      if (observer != nullptr) observer->begin();
      try {
        while (true) {
          check_stop();
          samples.push_back(prepared->timed_run());
          const int n = static_cast<int>(samples.size());
          if (n >= defaults.max_trials) break;
          const bool spent = seconds_since(call_start) >= share_s;
          if (spent && n >= 1) break;
          if (n >= defaults.min_trials && compute_stats(samples).cv <= defaults.target_cv) break;
        }
      } catch (...) {
        if (observer != nullptr) observer->end(record);
        throw;
      }
      record.samples_s = samples;
      if (observer != nullptr) observer->end(record);
      SampleStats stats = compute_stats(samples);
      record.stats_s = TrialStats::from(stats);
      if (is_bandwidth(kind)) {
        record.gbps =
            Throughput{bytes_per_call / stats.min / 1e9, bytes_per_call / stats.median / 1e9};
      } else {
        record.gflops =
            Throughput{flops_per_call / stats.min / 1e9, flops_per_call / stats.median / 1e9};
        last_rate[kernel.id] = flops_per_call / stats.min;
      }
      std::string wrong = prepared->verify();
      if (!wrong.empty()) {
        record.status = MeasurementStatus::error;
        record.message = "result check failed: " + wrong;
      } else if (samples.size() < static_cast<std::size_t>(defaults.min_trials)) {
        if (!record.message.empty()) record.message += "; ";
        record.message += fmt::format("{} trials (fewer than the plan's {}: time budget spent)",
                                      samples.size(), defaults.min_trials);
      }
    } catch (const Interrupted&) {
      throw;
    } catch (const KernelUnsupported& error) {
      record.status = MeasurementStatus::unsupported;
      record.message = error.what();
    } catch (const std::bad_alloc&) {
      record.status = MeasurementStatus::error;
      record.message = "out of memory for this size";
    } catch (const std::exception& error) {
      record.status = MeasurementStatus::error;
      record.message = error.what();
    }
    result.measurements.push_back(record);
  }
  if (progress) {
    double elapsed = seconds_since(start);
    progress({planned.calls.size(), planned.calls.size(), "", elapsed, 0});
  }

  // The sweep should flatten out at the DRAM sizes (design §6): say so where it does not.
  std::map<std::string, std::vector<const MeasurementRecord*>> dram_like;
  for (const MeasurementRecord& record : result.measurements) {
    if (record.status == MeasurementStatus::passed && record.gbps && record.shape.array_bytes &&
        *record.shape.array_bytes >= (64LL << 20) &&
        kernel_class_of(record) != KernelClass::transfer) {
      dram_like[record.kernel].push_back(&record);
    }
  }
  for (const auto& [kernel, records] : dram_like) {
    if (records.size() < 2) continue;
    const MeasurementRecord& largest = *records.back();
    const MeasurementRecord& before = *records[records.size() - 2];
    double change = largest.gbps->best / before.gbps->best - 1.0;
    if (std::fabs(change) > 0.10) {
      result.warnings.push_back(fmt::format(
          "{}: bandwidth changed by {:+.0f}% from {} MiB to {} MiB arrays: the DRAM plateau may "
          "not be reached",
          kernel, change * 100, *before.shape.array_bytes >> 20, *largest.shape.array_bytes >> 20));
    }
  }
  add_fractions_of_ceiling(result.measurements);
  return result;
}

void add_fractions_of_ceiling(std::vector<MeasurementRecord>& records) {
  std::map<Precision, double> ceiling;
  for (const MeasurementRecord& record : records) {
    if (record.status == MeasurementStatus::passed && record.gflops && record.precision &&
        kernel_class_of(record) == KernelClass::peak_fma) {
      double& best = ceiling[*record.precision];
      best = std::max(best, record.gflops->best);
    }
  }
  for (MeasurementRecord& record : records) {
    if (record.status != MeasurementStatus::passed || !record.gflops || !record.precision ||
        kernel_class_of(record) != KernelClass::gemm) {
      continue;
    }
    auto found = ceiling.find(*record.precision);
    if (found != ceiling.end() && found->second > 0) {
      record.fraction_of_ceiling = record.gflops->best / found->second;
    }
  }
}

}  // namespace hwcal
