// The plain build's GPU workload backends: none. calibrate --device cuda is a usage error there.
#include "hwcal/base/error.hpp"
#include "workloads/workload_runner.hpp"

namespace hwcal {

std::vector<std::string> gpu_workload_backend_names() { return {}; }

std::unique_ptr<WorkloadBackend> make_gpu_workload_backend(std::string_view name, int) {
  throw UsageError("workload backend '" + std::string(name) +
                   "': this build has no CUDA (configure where nvcc is installed, or with "
                   "-DHWCAL_ENABLE_CUDA=ON)");
}

}  // namespace hwcal
