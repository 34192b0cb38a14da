// Running workloads for real: a backend interface per software stack (WorkloadBackend, which
// prepares a PreparedNetwork for one workload, precision and batch) and the device-independent
// measurement that turns one prepared network into a profile's WorkloadRecord: preparation
// (weights in the stack's layout, memory allocated, first touched and filled) outside the
// timing, warm-up passes, then trials of one end-to-end pass and one layer-by-layer pass each.
//
// CPU backends (src/workloads/): `onednn` (convolution, pooling, binary-add and inner-product
// primitives, created once; HWCAL_HAVE_ONEDNN) and `portable` (im2col and OpenBLAS GEMM, direct
// depthwise and pooling loops; fp32 only). GPU backends (src/cuda/workload_cuda.cpp): `cuda` and
// `cuda-graph` (im2col and cuBLAS GEMM, direct kernels; fp32 and fp16), device "cuda:N", their
// timed passes measured with CUDA events.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwcal/database/workload.hpp"
#include "hwcal/model/precision.hpp"
#include "measure/runner.hpp"
#include "measure/telemetry/energy.hpp"
#include "profile/profile.hpp"

namespace hwcal {

struct NetworkConfig {
  long long batch = 1;
  Precision precision = Precision::fp32;
  std::vector<int> cpus;  // the CPUs the threads run on; its size is the thread count
  std::size_t threads() const { return cpus.empty() ? 1 : cpus.size(); }
  int gpu = 0;  // CUDA device index (the GPU step)
  unsigned seed = 20261126;
};

// One workload ready to run: every tensor allocated and filled with random values, weights in
// the stack's preferred layout. Destroying it frees everything.
class PreparedNetwork {
 public:
  virtual ~PreparedNetwork() = default;
  // One pass of the whole network over the batch.
  virtual void run() = 0;
  // Layer `index` alone; its inputs hold what the layers before it wrote.
  virtual void run_layer(std::size_t index) = 0;
  // One pass timed end to end with a monotonic clock (a GPU backend uses events).
  virtual double timed_run();
  // One pass with each layer timed on its own: seconds per layer.
  virtual std::vector<double> timed_layers(std::size_t layer_count);
  // Layer `index`'s output of the last pass as floats in NCHW order (int8 runs: the raw
  // integer values). For spot checks between backends.
  virtual std::vector<float> output(std::size_t index) const = 0;
  // Threads the stack really used.
  virtual std::size_t threads_used() const { return 1; }
  // What ran each layer, e.g. oneDNN's "jit:avx512_core"; empty when the stack does not say.
  virtual std::vector<std::string> implementations() const { return {}; }
};

class WorkloadBackend {
 public:
  virtual ~WorkloadBackend() = default;
  virtual std::string name() const = 0;    // "onednn", "portable" (GPU: "cuda", "cuda-graph")
  virtual std::string device() const = 0;  // "cpu", or "cuda:0"
  virtual std::string description() const = 0;
  // "" when the backend runs `precision` here, else why not (recorded as `unsupported`).
  virtual std::string unsupported_reason(Precision precision) const = 0;
  // KernelUnsupported when the stack turns out to have no implementation after all (e.g. only
  // a reference one): recorded as `unsupported` too.
  virtual std::unique_ptr<PreparedNetwork> prepare(const Workload& workload,
                                                   const NetworkConfig& config) const = 0;
};

// The CPU backends this build has, preferred first: "onednn" (when built with it), "portable".
std::vector<std::string> cpu_workload_backend_names();
// "auto" (the first of those), "onednn" or "portable". UsageError for another name, or for
// "onednn" in a build without it.
std::unique_ptr<WorkloadBackend> make_cpu_workload_backend(std::string_view name);

// The GPU backends this build has (src/cuda/workload_cuda.cpp): "cuda" (the layers launched one
// by one on a stream, as an eager framework does) and "cuda-graph" (the same launches captured
// once in a CUDA graph and replayed); empty in a build without CUDA.
std::vector<std::string> gpu_workload_backend_names();
// "cuda" or "cuda-graph" on CUDA device `gpu`. UsageError for another name, or in a build
// without CUDA. Without a usable GPU the backend exists and unsupported_reason says why.
std::unique_ptr<WorkloadBackend> make_gpu_workload_backend(std::string_view name, int gpu);

// The random tensors every backend starts from, in logical layouts, so that backends computing
// the same network agree: weights of conv layers OIHW (I = input channels / groups) and of fc
// layers [out][C*H*W] (the input flattened in NCHW order); He-uniform, so that activations keep
// their scale through the network. Biases small; the input NCHW in [-1, 1).
std::vector<float> random_weights(const Layer& layer, std::size_t index, unsigned seed);
std::vector<float> random_bias(const Layer& layer, std::size_t index, unsigned seed);
std::vector<float> random_input(const Workload& workload, long long batch, unsigned seed);

// Warm-ups and trials per configuration (one workload, precision and batch).
// target_cv: stop once the end-to-end samples vary less than this. time_budget_s: per
// configuration, warm-up included; min_trials always run.
struct WorkloadSettings : TrialPreset {
  WorkloadSettings() { time_budget_s = 20; }
};
// The plan's preset (measure/tuning.hpp: PlanPreset::workloads).
WorkloadSettings workload_settings(Plan plan);

// Measures one configuration and returns its record, whatever the outcome: an unsupported
// precision or a failure is recorded with its reason. Layer flops and bytes come from
// workload.hpp. When `energy` is given, energy per image is read over the end-to-end passes;
// `energy_unreadable` is recorded otherwise. Interrupted when `stop` is set between passes.
WorkloadRecord measure_workload(const WorkloadBackend& backend, const Workload& workload,
                                const NetworkConfig& config, const WorkloadSettings& settings,
                                EnergyCounter* energy, const std::string& energy_unreadable,
                                const std::atomic<bool>* stop = nullptr);

}  // namespace hwcal
