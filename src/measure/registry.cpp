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

const char* shape_name(std::monostate) { return "shapeless call"; }
const char* shape_name(const GemmShape&) { return "GEMM shape"; }
const char* shape_name(const BandwidthShape&) { return "bandwidth shape"; }
const char* shape_name(const PeakShape&) { return "peak shape"; }

KernelShape empty_shape(KernelClass kind) {
  if (kind == KernelClass::gemm) return GemmShape{};
  if (kind == KernelClass::peak_fma) return PeakShape{};
  if (is_bandwidth(kind)) return BandwidthShape{};
  return std::monostate{};
}

KernelDescriptor kernel_descriptor(std::string id, std::string description, std::string device,
                                   std::string backend, Precision precision, KernelClass kind) {
  KernelDescriptor d;
  d.id = std::move(id);
  d.description = std::move(description);
  d.device = std::move(device);
  d.backend = std::move(backend);
  d.precision = precision;
  d.kind = kind;
  return d;
}

const std::vector<KernelDescriptor>& builtin_kernels() {
  static const std::vector<KernelDescriptor> kernels = [] {
    std::vector<KernelDescriptor> all;
    for (auto part :
         {cpu_gemm_kernels(), cpu_peak_kernels(), cpu_amx_kernels(), cpu_memory_kernels()}) {
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

std::string kernel_list_text(const CpuFeatures& cpu) {
  // A CUDA kernel's availability needs the GPU's facts from the runtime: calibrate --device cuda
  // records it.
  KernelEnv env;
  env.cpu = cpu;
  std::string text;
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    text += fmt::format("{:<28} {:<5} {:<9} {}\n", kernel.id, kernel.device,
                        to_string(kernel.precision), kernel.description);
    if (kernel.device == "cpu" && kernel.unavailable_reason) {
      const std::string reason = kernel.unavailable_reason(env);
      if (!reason.empty()) text += fmt::format("{:<28} unavailable here: {}\n", "", reason);
    }
  }
  return text;
}

Json kernel_list_json(const CpuFeatures& cpu) {
  KernelEnv env;
  env.cpu = cpu;
  Json list = Json::array();
  for (const KernelDescriptor& kernel : builtin_kernels()) {
    Json item = Json::object();
    item["id"] = kernel.id;
    item["device"] = kernel.device;
    item["class"] = to_string(kernel.kind);
    item["precision"] = to_string(kernel.precision);
    item["backend"] = kernel.backend;
    item["description"] = kernel.description;
    if (kernel.device == "cpu" && kernel.unavailable_reason) {
      const std::string reason = kernel.unavailable_reason(env);
      if (!reason.empty()) item["unavailable"] = reason;
    }
    list.push_back(std::move(item));
  }
  return list;
}

}  // namespace hwcal
