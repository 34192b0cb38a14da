// The CUDA runtime as the rest of hwcal sees it, in both builds: whether this build has CUDA, how
// many GPUs the runtime sees, the facts kernels and planning need (GpuFacts), what a profile
// records of a GPU (DeviceInfo) and the libraries behind the CUDA kernels. The CUDA build
// implements it in src/cuda/gpu_runtime.cpp; the plain build in src/measure/gpu_none.cpp answers
// "this build has no CUDA". Everything a data-centre GPU adds through NVML is in nvml.hpp.
#pragma once

#include <string>
#include <vector>

#include "detect/detect.hpp"
#include "measure/kernels.hpp"
#include "profile/profile.hpp"

namespace hwcal {

// Detection's CudaProbe for this build: what the CUDA runtime lists (src/cuda/gpu_runtime.cpp), or
// empty in a build without CUDA.
CudaProbe default_cuda_probe();

// True when this build was made with CUDA (HWCAL_ENABLE_CUDA).
bool cuda_built();

// The CUDA devices the runtime sees; 0 with the reason in `problem`, e.g. "no CUDA device:
// cudaGetDeviceCount: cudaErrorNoDevice (no CUDA-capable device is detected)".
int cuda_device_count(std::string& problem);

// Planning's and the kernels' view of device `gpu` (free memory included); `present` false with
// the reason when it cannot be used.
GpuFacts cuda_device_facts(int gpu);

// The profile's description of device `gpu` from the runtime: name, compute capability, SMs,
// clocks (cudaDeviceGetAttribute: CUDA 13 removed the clock fields of cudaDeviceProp), memory
// size and bus width, driver and runtime versions; extra: L2, PCI bus id, integrated or discrete,
// ECC, and the environment variables that change cuBLAS (environment.hpp). An id with
// no name and extra.unavailable when the runtime cannot describe it.
DeviceInfo cuda_device_info(int gpu);

// cublas and cublaslt (library versions) and cuda (runtime and driver API versions).
std::vector<BackendInfo> cuda_backends();

}  // namespace hwcal
