// The CUDA build's answers to gpu.hpp, and detection's CudaProbe: what the CUDA runtime says of
// each device. Clocks come from cudaDeviceGetAttribute because CUDA 13 removed clockRate and
// memoryClockRate from cudaDeviceProp.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <fmt/format.h>

#include "cuda_support.hpp"
#include "measure/environment.hpp"
#include "measure/gpu.hpp"

namespace hwcal {
namespace {

// 13000 -> "13.0"; 12060 -> "12.6"
std::string cuda_version_text(int version) {
  return fmt::format("{}.{}", version / 1000, (version % 1000) / 10);
}

std::optional<int> attribute(cudaDeviceAttr which, int gpu) {
  int value = 0;
  if (cudaDeviceGetAttribute(&value, which, gpu) != cudaSuccess) {
    (void)cudaGetLastError();
    return std::nullopt;
  }
  return value;
}

std::string uuid_text(const cudaUUID_t& uuid) {
  std::string hex;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) hex += "-";
    hex += fmt::format("{:02x}", static_cast<unsigned char>(uuid.bytes[i]));
  }
  return "GPU-" + hex;
}

std::optional<std::string> pci_bus_id(int gpu) {
  char text[32] = {};
  if (cudaDeviceGetPCIBusId(text, static_cast<int>(sizeof(text)), gpu) != cudaSuccess) {
    (void)cudaGetLastError();
    return std::nullopt;
  }
  return std::string(text);
}

// Bus width x memory clock x 2 (double data rate), in GB/s; 0 when either is unknown.
double peak_memory_gbps(int gpu) {
  auto clock_khz = attribute(cudaDevAttrMemoryClockRate, gpu);
  auto bus_bits = attribute(cudaDevAttrGlobalMemoryBusWidth, gpu);
  if (!clock_khz || !bus_bits || *clock_khz <= 0 || *bus_bits <= 0) return 0;
  return static_cast<double>(*clock_khz) * 1e3 * 2.0 * (*bus_bits / 8.0) / 1e9;
}

std::optional<std::vector<GpuDevice>> probe_devices(std::string& problem) {
  const int count = cuda_device_count(problem);
  if (count == 0) return std::nullopt;
  std::vector<GpuDevice> gpus;
  for (int gpu = 0; gpu < count; ++gpu) {
    GpuDevice device;
    device.index = gpu;
    device.device = fmt::format("cuda:{}", gpu);
    device.source = "cuda";
    const std::string source = fmt::format("cudaGetDeviceProperties({})", gpu);
    cudaDeviceProp prop{};
    cudaError_t status = cudaGetDeviceProperties(&prop, gpu);
    if (status != cudaSuccess) {
      (void)cudaGetLastError();
      const std::string why = cuda::describe("cudaGetDeviceProperties", status);
      device.name = Reading<std::string>::unknown(source, why);
      gpus.push_back(device);
      continue;
    }
    device.name = Reading<std::string>::found(prop.name, source);
    device.compute_capability =
        Reading<std::string>::found(fmt::format("{}.{}", prop.major, prop.minor), source);
    device.multiprocessors = Reading<int>::found(prop.multiProcessorCount, source);
    device.memory_bytes =
        Reading<std::uint64_t>::found(static_cast<std::uint64_t>(prop.totalGlobalMem), source);
    device.memory_bus_width_bits = Reading<int>::found(prop.memoryBusWidth, source);
    const std::string attributes = fmt::format("cudaDeviceGetAttribute({})", gpu);
    if (auto khz = attribute(cudaDevAttrClockRate, gpu)) {
      device.max_clock_mhz = Reading<double>::found(*khz / 1000.0, attributes);
    }
    if (auto khz = attribute(cudaDevAttrMemoryClockRate, gpu)) {
      device.memory_clock_mhz = Reading<double>::found(*khz / 1000.0, attributes);
    }
    device.uuid = Reading<std::string>::found(uuid_text(prop.uuid), source);
    if (auto bus = pci_bus_id(gpu)) {
      device.pci_bus_id = Reading<std::string>::found(*bus, "cudaDeviceGetPCIBusId");
    }
    device.driver_version = Reading<std::string>::unknown(
        "cudaDriverGetVersion",
        "the CUDA runtime reports the driver API version, not the driver's");
    gpus.push_back(device);
  }
  return gpus;
}

}  // namespace

bool cuda_built() { return true; }

int cuda_device_count(std::string& problem) {
  int count = 0;
  cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    problem = "no CUDA device: " + cuda::describe("cudaGetDeviceCount", status);
    return 0;
  }
  if (count == 0) problem = "no CUDA device: cudaGetDeviceCount found none";
  return count;
}

GpuFacts cuda_device_facts(int gpu) {
  GpuFacts facts;
  const int count = cuda_device_count(facts.problem);
  if (count == 0) return facts;
  if (gpu < 0 || gpu >= count) {
    facts.problem = fmt::format("no CUDA device {}: the runtime sees {}", gpu, count);
    return facts;
  }
  cudaDeviceProp prop{};
  cudaError_t status = cudaGetDeviceProperties(&prop, gpu);
  if (status == cudaSuccess) status = cudaSetDevice(gpu);
  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  // The first call that needs a context creates it: a driver too old for this runtime, or a
  // GPU in exclusive use, shows up here.
  if (status == cudaSuccess) status = cudaMemGetInfo(&free_bytes, &total_bytes);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    facts.problem = fmt::format("CUDA device {} cannot be used: {}", gpu,
                                cuda::describe("cudaGetDeviceProperties/cudaMemGetInfo", status));
    return facts;
  }
  facts.present = true;
  facts.name = prop.name;
  facts.compute_major = prop.major;
  facts.compute_minor = prop.minor;
  facts.multiprocessors = prop.multiProcessorCount;
  facts.max_threads_per_multiprocessor = prop.maxThreadsPerMultiProcessor;
  facts.integrated = prop.integrated != 0;
  facts.can_map_host_memory = prop.canMapHostMemory != 0;
  facts.memory_bytes = static_cast<long long>(prop.totalGlobalMem);
  facts.free_bytes = static_cast<long long>(free_bytes);
  facts.l2_bytes = prop.l2CacheSize;
  facts.peak_memory_gbps = peak_memory_gbps(gpu);
  return facts;
}

DeviceInfo cuda_device_info(int gpu) {
  DeviceInfo info;
  info.id = fmt::format("cuda:{}", gpu);
  Json extra = Json::object();
  std::string problem;
  if (cuda_device_count(problem) <= gpu) {
    extra["unavailable"] = problem.empty() ? fmt::format("no CUDA device {}", gpu) : problem;
    info.extra = extra;
    return info;
  }
  cudaDeviceProp prop{};
  cudaError_t status = cudaGetDeviceProperties(&prop, gpu);
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    extra["unavailable"] = cuda::describe("cudaGetDeviceProperties", status);
    info.extra = extra;
    return info;
  }
  info.name = prop.name;
  info.compute_capability = fmt::format("{}.{}", prop.major, prop.minor);
  info.multiprocessors = prop.multiProcessorCount;
  if (auto khz = attribute(cudaDevAttrClockRate, gpu)) info.clocks_mhz["sm_max"] = *khz / 1000.0;
  if (auto khz = attribute(cudaDevAttrMemoryClockRate, gpu)) {
    info.clocks_mhz["memory_max"] = *khz / 1000.0;
  }
  info.memory_bytes = static_cast<long long>(prop.totalGlobalMem);
  info.memory_bus_width_bits = prop.memoryBusWidth;
  int runtime = 0;
  if (cudaRuntimeGetVersion(&runtime) == cudaSuccess) {
    info.runtime_version = cuda_version_text(runtime);
  }
  int driver = 0;
  if (cudaDriverGetVersion(&driver) == cudaSuccess) {
    extra["cuda_driver_version"] = cuda_version_text(driver);
  }
  extra["integrated"] = prop.integrated != 0;
  extra["l2_bytes"] = prop.l2CacheSize;
  extra["max_threads_per_multiprocessor"] = prop.maxThreadsPerMultiProcessor;
  extra["ecc_enabled"] = prop.ECCEnabled != 0;
  extra["uuid"] = uuid_text(prop.uuid);
  if (auto bus = pci_bus_id(gpu)) extra["pci_bus_id"] = *bus;
  if (double gbps = peak_memory_gbps(gpu); gbps > 0) extra["peak_memory_gbps"] = gbps;
  Json environment = Json::object();
  for (const auto& [name, value] : cuda_environment_variables()) environment[name] = value;
  extra["environment"] = environment;
  info.extra = extra;
  return info;
}

std::vector<BackendInfo> cuda_backends() {
  std::vector<BackendInfo> backends;
  int major = 0;
  int minor = 0;
  int patch = 0;
  BackendInfo cublas;
  cublas.name = "cublas";
  if (cublasGetProperty(MAJOR_VERSION, &major) == CUBLAS_STATUS_SUCCESS &&
      cublasGetProperty(MINOR_VERSION, &minor) == CUBLAS_STATUS_SUCCESS &&
      cublasGetProperty(PATCH_LEVEL, &patch) == CUBLAS_STATUS_SUCCESS) {
    cublas.version = fmt::format("{}.{}.{}", major, minor, patch);
  }
  backends.push_back(cublas);
  BackendInfo lt;
  lt.name = "cublaslt";
  const std::size_t lt_version = cublasLtGetVersion();
  lt.version =
      fmt::format("{}.{}.{}", lt_version / 10000, (lt_version / 100) % 100, lt_version % 100);
  backends.push_back(lt);
  BackendInfo runtime;
  runtime.name = "cuda";
  int version = 0;
  if (cudaRuntimeGetVersion(&version) == cudaSuccess) runtime.version = cuda_version_text(version);
  int driver = 0;
  if (cudaDriverGetVersion(&driver) == cudaSuccess) {
    runtime.extra = Json::object({{"driver_api_version", cuda_version_text(driver)}});
  }
  backends.push_back(runtime);
  return backends;
}

CudaProbe default_cuda_probe() { return probe_devices; }

}  // namespace hwcal
