// The micro-benchmarks behind one interface and one explicit table. A descriptor carries the
// kernel's metadata as data (id, device, class, precision, flops and bytes of one call), so
// throughput is computed in one place, by the runner, never inside a kernel. What a kernel
// counts toward (GEMM peak, FMA ceiling, bandwidth) is its descriptor's `kind`, recorded in
// every measurement as `class`: ids need no particular words (classify_kernel reads them only in
// files from before the class was recorded). Ids are join keys in stored profiles: never rename
// one.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "detect/cpu_features.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/model/precision.hpp"
#include "profile/profile.hpp"

namespace hwcal {

// Thrown by prepare() when the kernel cannot run here after all (a library without an
// implementation for this CPU, a precision this GPU lacks): the measurement's status becomes
// `unsupported`, not `error`.
class KernelUnsupported : public Error {
 public:
  using Error::Error;
};

// The size of one call, one alternative per kind of kernel. GEMM: m, n, k. Bandwidth:
// array_bytes (per array) and repeats (passes per call, so a call of a cache-resident size lasts
// long enough to time). Peak: iterations of the FMA loop per thread. monostate: a kernel of
// class `other`, which has no size (none is built in).
struct GemmShape {
  long long m = 0;
  long long n = 0;
  long long k = 0;
};
struct BandwidthShape {
  long long array_bytes = 0;
  long long repeats = 1;
};
struct PeakShape {
  long long iterations = 0;
};
using KernelShape = std::variant<std::monostate, GemmShape, BandwidthShape, PeakShape>;

// For messages: "GEMM shape", "bandwidth shape", "peak shape", "shapeless call".
const char* shape_name(std::monostate);
const char* shape_name(const GemmShape&);
const char* shape_name(const BandwidthShape&);
const char* shape_name(const PeakShape&);

// The empty shape of a kernel class: the alternative its kernels read.
KernelShape empty_shape(KernelClass kind);

// A kernel's own alternative of the shape; an Error naming both when the planner gave another
// (a kernel table and the planner disagreeing about a kernel's class).
template <class Shape>
const Shape& shape_as(const KernelShape& shape) {
  if (const Shape* found = std::get_if<Shape>(&shape)) return *found;
  throw Error(std::string("a kernel expecting a ") + shape_name(Shape()) + " was given a " +
              std::visit([](const auto& given) { return shape_name(given); }, shape));
}
template <class Shape>
Shape& shape_as(KernelShape& shape) {
  return const_cast<Shape&>(shape_as<Shape>(static_cast<const KernelShape&>(shape)));
}
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
  std::string id;                         // stable snake_case: cpu_gemm_fp32_openblas
  std::string description;                // one line for --help and reports
  std::string device;                     // "cpu" or "cuda"
  std::string backend;                    // openblas, onednn, eigen, native, cublas, cuda
  KernelClass kind = KernelClass::other;  // what it measures; decides its shape and summary
  Precision precision = Precision::fp32;
  bool emulated = false;  // the backend computes the type through another one
  // "" when the kernel can run here, else why not (recorded as status `unsupported`).
  std::function<std::string(const KernelEnv&)> unavailable_reason;
  std::function<double(const KernelShape&, const KernelEnv&)> flops;  // per call
  std::function<double(const KernelShape&, const KernelEnv&)> bytes;  // per call
  std::function<std::unique_ptr<PreparedKernel>(const KernelShape&, const KernelEnv&)> prepare;
};

// The fields every descriptor sets; the callbacks are the caller's.
KernelDescriptor kernel_descriptor(std::string id, std::string description, std::string device,
                                   std::string backend, Precision precision, KernelClass kind);

// A descriptor callback written for the kernel's own shape: `with_shape<GemmShape>(gemm_flops)`
// takes the KernelShape, checks and unwraps it, and calls gemm_flops(const GemmShape&, env).
template <class Shape, class Function>
auto with_shape(Function function) {
  return [function](const KernelShape& shape, const KernelEnv& env) {
    return function(shape_as<Shape>(shape), env);
  };
}

// Kernels judged in bytes per second: STREAM, copies and host-device transfers.
inline bool is_bandwidth(KernelClass kind) {
  return kind == KernelClass::stream || kind == KernelClass::copy || kind == KernelClass::transfer;
}

// Every kernel this build knows, CPU first, in a fixed order.
const std::vector<KernelDescriptor>& builtin_kernels();
const KernelDescriptor* find_kernel(std::string_view id);
// calibrate --list-kernels: a line per kernel (id, device, precision, description), and under
// each CPU kernel this machine cannot run a line saying why (checked with `cpu`, the host's
// features).
std::string kernel_list_text(const CpuFeatures& cpu);
// calibrate --list-kernels --format json: the same as an array of objects (id, device, class,
// precision, backend, description, and "unavailable" with the reason where this CPU cannot run
// the kernel).
Json kernel_list_json(const CpuFeatures& cpu);

// The fp32 FMA peak kernels (kernels/cpu_peak.cpp), widest vector first: what infers a core's
// FMA units per core from a measured ceiling (identify/derive.hpp).
struct Fp32FmaKernel {
  std::string_view id;
  int vector_bits;
};
inline constexpr std::array<Fp32FmaKernel, 3> kFp32FmaKernels = {
    {{"cpu_fma_fp32_avx512", 512}, {"cpu_fma_fp32_avx2", 256}, {"cpu_fma_fp32_neon", 128}}};

// The tables the registry is made of, one per source file.
std::vector<KernelDescriptor> cpu_gemm_kernels();
std::vector<KernelDescriptor> cpu_peak_kernels();
std::vector<KernelDescriptor> cpu_amx_kernels();  // x86_64 Linux only; empty elsewhere
std::vector<KernelDescriptor> cpu_memory_kernels();
// Whether the compiler that built cpu_peak.cpp knew AVX512-FP16 (GCC 12 or later): without it
// cpu_fma_fp16_avx512fp16 is listed but unavailable.
bool built_with_avx512_fp16();
// Only in builds with CUDA (src/cuda/); device "cuda".
std::vector<KernelDescriptor> cuda_gemm_kernels();
std::vector<KernelDescriptor> cuda_peak_kernels();
std::vector<KernelDescriptor> cuda_memory_kernels();

}  // namespace hwcal
