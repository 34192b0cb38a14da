// The plain build's answers to gpu.hpp: no CUDA. calibrate --device cuda is then a usage error
// and --device all calibrates the CPU.
#include "measure/gpu.hpp"

namespace hwcal {
namespace {
constexpr const char* kNoCuda =
    "this build has no CUDA (configure where nvcc is installed, or with -DHWCAL_ENABLE_CUDA=ON)";
}

bool cuda_built() { return false; }

CudaProbe default_cuda_probe() { return nullptr; }

int cuda_device_count(std::string& problem) {
  problem = kNoCuda;
  return 0;
}

GpuFacts cuda_device_facts(int) {
  GpuFacts facts;
  facts.problem = kNoCuda;
  return facts;
}

DeviceInfo cuda_device_info(int gpu) {
  DeviceInfo info;
  info.id = "cuda:" + std::to_string(gpu);
  info.extra = Json::object({{"unavailable", kNoCuda}});
  return info;
}

std::vector<BackendInfo> cuda_backends() { return {}; }

}  // namespace hwcal
