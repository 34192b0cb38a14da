// The CPU workload backends, one per source file; make_cpu_workload_backend picks among them.
#pragma once

#include <memory>

#include "workloads/workload_runner.hpp"

namespace hwcal {

std::unique_ptr<WorkloadBackend> make_portable_workload_backend();
#if HWCAL_HAVE_ONEDNN
std::unique_ptr<WorkloadBackend> make_onednn_workload_backend();
#endif

}  // namespace hwcal
