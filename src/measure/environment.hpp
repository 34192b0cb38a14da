// What a calibration run records about the conditions it ran in: the libraries behind the
// kernels (versions, core type, threads, ISA), how hwcal itself was built, and the warnings a
// reader of the numbers needs (frequency scaling, an unoptimised build, a busy machine,
// environment variables that change the libraries' behaviour).
#pragma once

#include <string>
#include <vector>

#include "measure/kernels.hpp"
#include "profile/profile.hpp"

namespace hwcal {

// OpenBLAS (version, core type, threads), Eigen, oneDNN (version, ISA) as this build has them.
std::vector<BackendInfo> cpu_backends(const KernelEnv& env);

// Compiler and build type of this hwcal: {"compiler": "GCC 12.2.0", "build_type": "Release"}.
Json build_info();

// The share of the CPUs' time other processes used over `window_s` (from /proc/stat under
// `sysroot`; this process's own time left out on this machine); -1 when it cannot be read.
double busy_fraction(const std::string& sysroot, double window_s);

struct EnvironmentFacts {
  std::string governor;       // "" when unreadable
  double busy_fraction = -1;  // from busy_fraction(), -1 unknown
  bool optimised_build = true;
  std::vector<std::string> set_variables;  // OPENBLAS_NUM_THREADS=4 ...
};

// Facts of this process and machine (governor comes from detection).
EnvironmentFacts environment_facts(const std::string& governor, double busy);

// The warnings those facts call for, in plain words.
std::vector<std::string> environment_warnings(const EnvironmentFacts& facts);

// Environment variables that change what the CUDA kernels compute or how fast, each that is set
// with its value: NVIDIA_TF32_OVERRIDE=0 turns the tf32 GEMM into fp32,
// CUBLAS_EMULATE_SINGLE_PRECISION lets cuBLAS emulate fp32, CUDA_LAUNCH_BLOCKING serialises
// launches, CUDA_VISIBLE_DEVICES renumbers the GPUs.
std::vector<std::pair<std::string, std::string>> cuda_environment_variables();
// Warnings for those of them that change the numbers.
std::vector<std::string> cuda_environment_warnings();

}  // namespace hwcal
