#include "measure/environment.hpp"

#include <cblas.h>

#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#if HWCAL_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include "base/sysfs.hpp"
#include "measure/conditions.hpp"

namespace hwcal {
namespace {

#if HWCAL_HAVE_ONEDNN
std::string onednn_isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return fmt::format("isa code {}", static_cast<int>(isa));
  }
}
#endif

}  // namespace

std::vector<BackendInfo> cpu_backends(const KernelEnv& env) {
  std::vector<BackendInfo> backends;
  openblas_set_num_threads(static_cast<int>(env.threads()));
  BackendInfo openblas;
  openblas.name = "openblas";
  std::string config = openblas_get_config();
  // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ... Haswell MAX_THREADS=64": the second word.
  std::istringstream words(config);
  std::string first;
  std::string second;
  words >> first >> second;
  openblas.version = second.empty() ? config : second;
  openblas.extra = Json::object({{"config", config},
                                 {"core_type", openblas_get_corename()},
                                 {"threads", openblas_get_num_threads()}});
  backends.push_back(openblas);

  BackendInfo eigen;
  eigen.name = "eigen";
  eigen.version =
      fmt::format("{}.{}.{}", EIGEN_WORLD_VERSION, EIGEN_MAJOR_VERSION, EIGEN_MINOR_VERSION);
#if HWCAL_HAVE_OPENMP
  eigen.extra = Json::object({{"threads", env.threads()}, {"parallel", "OpenMP"}});
#else
  eigen.extra = Json::object({{"threads", 1}, {"parallel", "none (built without OpenMP)"}});
#endif
  backends.push_back(eigen);

#if HWCAL_HAVE_ONEDNN
  const dnnl_version_t* version = dnnl_version();
  BackendInfo onednn;
  onednn.name = "onednn";
  onednn.version = fmt::format("{}.{}.{}", version->major, version->minor, version->patch);
  onednn.extra =
      Json::object({{"isa", onednn_isa_name(dnnl::get_effective_cpu_isa())},
                    {"runtime", version->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP" : "other"},
                    {"threads", env.threads()}});
  backends.push_back(onednn);
#endif
  return backends;
}

Json build_info() {
  Json info = Json::object();
#if defined(__clang__)
  info["compiler"] =
      fmt::format("Clang {}.{}.{}", __clang_major__, __clang_minor__, __clang_patchlevel__);
#elif defined(__GNUC__)
  info["compiler"] = fmt::format("GCC {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
#endif
  info["build_type"] = HWCAL_BUILD_TYPE;
#if defined(__OPTIMIZE__)
  info["optimised"] = true;
#else
  info["optimised"] = false;
#endif
  return info;
}

double busy_fraction(const std::string& sysroot, double window_s) {
  const CpuTicks before = read_cpu_ticks(sysroot);
  std::this_thread::sleep_for(std::chrono::duration<double>(window_s));
  return cpu_shares(before, read_cpu_ticks(sysroot)).other;
}

EnvironmentFacts environment_facts(const std::string& governor, double busy) {
  EnvironmentFacts facts;
  facts.governor = governor;
  facts.busy_fraction = busy;
#if !defined(__OPTIMIZE__)
  facts.optimised_build = false;
#endif
  for (const char* name :
       {"OPENBLAS_CORETYPE", "OPENBLAS_NUM_THREADS", "OPENBLAS_VERBOSE", "OMP_NUM_THREADS",
        "OMP_PROC_BIND", "GOMP_CPU_AFFINITY", "DNNL_MAX_CPU_ISA", "ONEDNN_MAX_CPU_ISA"}) {
    if (const char* value = std::getenv(name)) {
      facts.set_variables.push_back(fmt::format("{}={}", name, value));
    }
  }
  return facts;
}

std::vector<std::string> environment_warnings(const EnvironmentFacts& facts) {
  std::vector<std::string> warnings;
  if (!facts.governor.empty() && facts.governor != "performance") {
    warnings.push_back(fmt::format(
        "frequency scaling is on (governor '{}'): clocks may vary between and within kernels; "
        "set the 'performance' governor for stable numbers",
        facts.governor));
  }
  if (!facts.optimised_build) {
    warnings.push_back(
        "this hwcal build is not optimised (a Debug build): its own kernels run "
        "slower than they should");
  }
  if (facts.busy_fraction > 0.10) {
    warnings.push_back(fmt::format(
        "other processes used {:.0f}% of the CPUs just before the run: measurements may be low",
        facts.busy_fraction * 100));
  }
  for (const std::string& variable : facts.set_variables) {
    warnings.push_back(fmt::format("{} is set: it changes how the libraries run", variable));
  }
  return warnings;
}

std::vector<std::pair<std::string, std::string>> cuda_environment_variables() {
  std::vector<std::pair<std::string, std::string>> variables;
  for (const char* name :
       {"NVIDIA_TF32_OVERRIDE", "CUBLAS_EMULATE_SINGLE_PRECISION", "CUBLAS_WORKSPACE_CONFIG",
        "CUBLASLT_HEURISTICS_CACHE_CAPACITY", "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER",
        "CUDA_LAUNCH_BLOCKING", "CUDA_MODULE_LOADING", "CUDA_DEVICE_MAX_CONNECTIONS"}) {
    if (const char* value = std::getenv(name)) variables.emplace_back(name, value);
  }
  return variables;
}

std::vector<std::string> cuda_environment_warnings() {
  std::vector<std::string> warnings;
  for (const auto& [name, value] : cuda_environment_variables()) {
    if (name == "NVIDIA_TF32_OVERRIDE" && value == "0") {
      warnings.push_back(
          "NVIDIA_TF32_OVERRIDE=0: TF32 is disabled, so cuda_gemm_tf32_cublas computes in fp32");
    } else if (name == "CUBLAS_EMULATE_SINGLE_PRECISION") {
      warnings.push_back(fmt::format(
          "CUBLAS_EMULATE_SINGLE_PRECISION={}: cuBLAS may emulate fp32 GEMM with bf16 tensor "
          "cores, so cuda_gemm_fp32_cublas may not measure the fp32 units",
          value));
    } else if (name == "CUDA_LAUNCH_BLOCKING" && value != "0") {
      warnings.push_back(
          "CUDA_LAUNCH_BLOCKING is set: every launch waits for the previous one, so short kernels "
          "measure low");
    }
  }
  return warnings;
}

}  // namespace hwcal
