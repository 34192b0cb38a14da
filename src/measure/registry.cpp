// The one table of kernels: CPU GEMM, peak arithmetic, memory bandwidth (and the CUDA kernels
// when the build has them). Explicit rather than self-registering static objects, which vanish
// when a static library is linked.
#include <chrono>

#include <cblas.h>

#include <fmt/format.h>
#include <Eigen/Core>

#include "measure/kernels.hpp"

namespace hwcal {

double PreparedKernel::timed_run() {
  auto start = std::chrono::steady_clock::now();
  run();
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count();
}

const std::vector<KernelDescriptor>& builtin_kernels() {
  static const std::vector<KernelDescriptor> kernels = [] {
    std::vector<KernelDescriptor> all;
    for (auto part : {cpu_gemm_kernels(), cpu_peak_kernels(), cpu_memory_kernels()}) {
      all.insert(all.end(), part.begin(), part.end());
    }
#if HWCAL_HAVE_CUDA
    for (auto part : {cuda_gemm_kernels(), cuda_peak_kernels(), cuda_memory_kernels()}) {
      all.insert(all.end(), part.begin(), part.end());
    }
#endif
    return all;
  }();
  return kernels;
}

const KernelDescriptor* find_kernel(std::string_view id) {
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    if (kernel.id == id) return &kernel;
  }
  return nullptr;
}

}  // namespace hwcal
