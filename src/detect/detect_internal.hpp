// The pieces of detect_system, one source file each (detect_cpu.cpp, detect_memory.cpp,
// detect_board.cpp, detect_gpu.cpp), all reading under the same root. Private to src/detect/.
#pragma once

#include <string>
#include <vector>

#include "base/sysfs.hpp"
#include "detect/detect.hpp"

namespace hwcal {

CpuDetection detect_cpu(const SysRoot& root);
MemoryDetection detect_memory(const SysRoot& root);
BoardDetection detect_board(const SysRoot& root);
// The power mode nvpmodel has set; the CPUs and GPUs it reports against come from the others.
void detect_power_mode(BoardDetection& board, const SysRoot& root, const CpuDetection& cpu,
                       const std::vector<GpuDevice>& gpus);
std::vector<GpuDevice> detect_gpus(const DetectOptions& options, const SysRoot& root,
                                   const BoardDetection& board, std::vector<std::string>& notes);

}  // namespace hwcal
