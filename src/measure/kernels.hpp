// The micro-benchmarks behind one interface and one explicit table. A descriptor carries the
// kernel's metadata as data (id, device, precision, flops and bytes of one call), so throughput
// is computed in one place, by the runner, never inside a kernel. What a kernel counts toward
// (GEMM peak, FMA ceiling, bandwidth) follows from its id (profile.hpp: classify_kernel), so ids
// keep the words `gemm`, `fma`, `stream`, `memcpy`. Ids are join keys in stored profiles:
// never rename one.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "detect/cpu_features.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/model/precision.hpp"

namespace hwcal {

// Thrown by prepare() when the kernel cannot run here after all (a library without an
// implementation for this CPU, a precision this GPU lacks): the measurement's status becomes
// `unsupported`, not `error`.
class KernelUnsupported : public Error {
 public:
  using Error::Error;
};

// The size of one call. GEMM: m, n, k. Bandwidth: array_bytes (per array) and repeats (passes
// per call, so a call of a cache-resident size lasts long enough to time). Peak: iterations
// of the FMA loop per thread.
struct KernelShape {
  long long m = 0;
  long long n = 0;
  long long k = 0;
  long long array_bytes = 0;
  long long repeats = 1;
  long long iterations = 0;
};

// What the CUDA kernels need to know of their GPU: calibrate fills it from the runtime
// (gpu.hpp: cuda_device_facts). In CPU runs and builds without CUDA `present` is false and
// `problem` says why ("no CUDA device: cudaErrorNoDevice ...").
struct GpuFacts {
  bool present = false;
  std::string problem;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  int multiprocessors = 0;
  int max_threads_per_multiprocessor = 0;
  bool integrated = false;  // shares the host's DRAM (Jetson)
  bool can_map_host_memory = false;
  long long memory_bytes = 0;
  long long free_bytes = 0;
  long long l2_bytes = 0;
  double peak_memory_gbps = 0;  // bus width x memory clock x 2; 0 when unknown
  int compute_capability() const { return compute_major * 10 + compute_minor; }
};

// What kernels may use and what their availability depends on.
struct KernelEnv {
  CpuFeatures cpu;
  std::vector<int> cpus;  // the CPUs the kernel's threads run on; its size is the thread count
  std::size_t threads() const { return cpus.empty() ? 1 : cpus.size(); }
  int gpu = 0;  // CUDA device index
  GpuFacts gpu_facts;
  unsigned seed = 20261126;
};

// A kernel set up for one shape: inputs allocated, first-touched by the threads that use them
// and filled with random values. Destroying it frees everything.
class PreparedKernel {
 public:
  virtual ~PreparedKernel() = default;
  // One call, timed by the caller with a monotonic clock. GPU kernels override timed_run to
  // use events instead.
  virtual void run() = 0;
  virtual double timed_run();
  // Checks the last call's result against a reference: "" when right, else what is wrong.
  virtual std::string verify() { return ""; }
  // Threads the call really used (a library may use fewer than asked for).
  virtual std::size_t threads_used() const { return 1; }
};

struct KernelDescriptor {
  std::string id;           // stable snake_case: cpu_gemm_fp32_openblas
  std::string description;  // one line for --help and reports
  std::string device;       // "cpu" or "cuda"
  std::string backend;      // openblas, onednn, eigen, native, cublas, cuda
  Precision precision = Precision::fp32;
  bool emulated = false;  // the backend computes the type through another one
  // "" when the kernel can run here, else why not (recorded as status `unsupported`).
  std::function<std::string(const KernelEnv&)> unavailable_reason;
  std::function<double(const KernelShape&, const KernelEnv&)> flops;  // per call
  std::function<double(const KernelShape&, const KernelEnv&)> bytes;  // per call
  std::function<std::unique_ptr<PreparedKernel>(const KernelShape&, const KernelEnv&)> prepare;
};

// Every kernel this build knows, CPU first, in a fixed order.
const std::vector<KernelDescriptor>& builtin_kernels();
const KernelDescriptor* find_kernel(std::string_view id);

// The tables the registry is made of, one per source file.
std::vector<KernelDescriptor> cpu_gemm_kernels();
std::vector<KernelDescriptor> cpu_peak_kernels();
std::vector<KernelDescriptor> cpu_memory_kernels();
// Only in builds with CUDA (src/cuda/); device "cuda".
std::vector<KernelDescriptor> cuda_gemm_kernels();
std::vector<KernelDescriptor> cuda_peak_kernels();
std::vector<KernelDescriptor> cuda_memory_kernels();

}  // namespace hwcal
