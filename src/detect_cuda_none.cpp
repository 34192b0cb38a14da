// The CPU-only build's CUDA probe: none. The CUDA build compiles src/cuda/ instead of this
// file, whose default_cuda_probe lists devices through cudaGetDeviceProperties.
#include "hwcal/detect.hpp"

namespace hwcal {

CudaProbe default_cuda_probe() { return nullptr; }

}  // namespace hwcal
