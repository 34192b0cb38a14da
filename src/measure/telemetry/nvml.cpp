#include "measure/telemetry/nvml.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

namespace hwcal {
namespace {

// The few NVML declarations hwcal uses, as nvml.h has them (the toolkit does not ship it).
using nvmlReturn_t = int;
using nvmlDevice_t = void*;
constexpr nvmlReturn_t kNvmlSuccess = 0;
constexpr int kNvmlClockSm = 1;   // NVML_CLOCK_SM
constexpr int kNvmlClockMem = 2;  // NVML_CLOCK_MEM
constexpr int kNvmlTemperatureGpu = 0;

template <typename T>
NvmlValue<T> missing(std::string problem) {
  NvmlValue<T> value;
  value.problem = std::move(problem);
  return value;
}

template <typename T>
NvmlValue<T> found(T value) {
  NvmlValue<T> out;
  out.value = std::move(value);
  return out;
}

}  // namespace

// Function pointers resolved once; a symbol the driver lacks stays null and its readings say so.
struct Nvml::Api {
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  nvmlReturn_t (*system_driver_version)(char*, unsigned) = nullptr;
  nvmlReturn_t (*handle_by_pci_bus_id)(const char*, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*handle_by_index)(unsigned, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*power_usage)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*total_energy)(nvmlDevice_t, unsigned long long*) = nullptr;
  nvmlReturn_t (*enforced_power_limit)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*clock_info)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*max_clock_info)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*curr_pcie_generation)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*curr_pcie_width)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*max_pcie_generation)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*max_pcie_width)(nvmlDevice_t, unsigned*) = nullptr;
  nvmlReturn_t (*ecc_mode)(nvmlDevice_t, int*, int*) = nullptr;
  nvmlReturn_t (*mig_mode)(nvmlDevice_t, unsigned*, unsigned*) = nullptr;
  nvmlReturn_t (*temperature)(nvmlDevice_t, int, unsigned*) = nullptr;
  nvmlReturn_t (*clocks_event_reasons)(nvmlDevice_t, unsigned long long*) = nullptr;
  const char* clocks_event_reasons_name = "nvmlDeviceGetCurrentClocksEventReasons";

  // "nvmlDeviceGetPowerUsage: NVML_ERROR_NOT_SUPPORTED (Not Supported)"
  std::string failure(const char* call, nvmlReturn_t code) const {
    std::string text = error_string != nullptr ? error_string(code) : "";
    return text.empty() ? fmt::format("{}: {}", call, nvml_return_name(code))
                        : fmt::format("{}: {} ({})", call, nvml_return_name(code), text);
  }
};

namespace {

template <typename F>
void resolve(void* dl, F& target, const char* name) {
  // dlsym returns an object pointer; POSIX guarantees it converts to a function pointer.
  void* symbol = ::dlsym(dl, name);
  static_assert(sizeof(symbol) == sizeof(target), "function and object pointers differ in size");
  std::memcpy(&target, &symbol, sizeof(target));
}

}  // namespace

std::string nvml_return_name(int code) {
  switch (code) {
    case 0: return "NVML_SUCCESS";
    case 1: return "NVML_ERROR_UNINITIALIZED";
    case 2: return "NVML_ERROR_INVALID_ARGUMENT";
    case 3: return "NVML_ERROR_NOT_SUPPORTED";
    case 4: return "NVML_ERROR_NO_PERMISSION";
    case 5: return "NVML_ERROR_ALREADY_INITIALIZED";
    case 6: return "NVML_ERROR_NOT_FOUND";
    case 7: return "NVML_ERROR_INSUFFICIENT_SIZE";
    case 8: return "NVML_ERROR_INSUFFICIENT_POWER";
    case 9: return "NVML_ERROR_DRIVER_NOT_LOADED";
    case 10: return "NVML_ERROR_TIMEOUT";
    case 11: return "NVML_ERROR_IRQ_ISSUE";
    case 12: return "NVML_ERROR_LIBRARY_NOT_FOUND";
    case 13: return "NVML_ERROR_FUNCTION_NOT_FOUND";
    case 14: return "NVML_ERROR_CORRUPTED_INFOROM";
    case 15: return "NVML_ERROR_GPU_IS_LOST";
    case 16: return "NVML_ERROR_RESET_REQUIRED";
    case 17: return "NVML_ERROR_OPERATING_SYSTEM";
    case 18: return "NVML_ERROR_LIB_RM_VERSION_MISMATCH";
    case 19: return "NVML_ERROR_IN_USE";
    case 20: return "NVML_ERROR_MEMORY";
    case 21: return "NVML_ERROR_NO_DATA";
    case 22: return "NVML_ERROR_VGPU_ECC_NOT_SUPPORTED";
    case 23: return "NVML_ERROR_INSUFFICIENT_RESOURCES";
    case 999: return "NVML_ERROR_UNKNOWN";
    default: return fmt::format("NVML_ERROR_{}", code);
  }
}

std::shared_ptr<Nvml> Nvml::open(std::string& problem, const std::string& library) {
  void* dl = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (dl == nullptr) {
    const char* why = ::dlerror();
    problem = why != nullptr ? why : library + ": cannot be loaded";
    return nullptr;
  }
  std::shared_ptr<Nvml> nvml(new Nvml());
  nvml->library_ = library;
  nvml->dl_ = dl;
  nvml->api_ = std::make_unique<Api>();
  Api& api = *nvml->api_;
  resolve(dl, api.init, "nvmlInit_v2");
  resolve(dl, api.shutdown, "nvmlShutdown");
  resolve(dl, api.error_string, "nvmlErrorString");
  resolve(dl, api.system_driver_version, "nvmlSystemGetDriverVersion");
  resolve(dl, api.handle_by_pci_bus_id, "nvmlDeviceGetHandleByPciBusId_v2");
  resolve(dl, api.handle_by_index, "nvmlDeviceGetHandleByIndex_v2");
  resolve(dl, api.power_usage, "nvmlDeviceGetPowerUsage");
  resolve(dl, api.total_energy, "nvmlDeviceGetTotalEnergyConsumption");
  resolve(dl, api.enforced_power_limit, "nvmlDeviceGetEnforcedPowerLimit");
  resolve(dl, api.clock_info, "nvmlDeviceGetClockInfo");
  resolve(dl, api.max_clock_info, "nvmlDeviceGetMaxClockInfo");
  resolve(dl, api.curr_pcie_generation, "nvmlDeviceGetCurrPcieLinkGeneration");
  resolve(dl, api.curr_pcie_width, "nvmlDeviceGetCurrPcieLinkWidth");
  resolve(dl, api.max_pcie_generation, "nvmlDeviceGetMaxPcieLinkGeneration");
  resolve(dl, api.max_pcie_width, "nvmlDeviceGetMaxPcieLinkWidth");
  resolve(dl, api.ecc_mode, "nvmlDeviceGetEccMode");
  resolve(dl, api.mig_mode, "nvmlDeviceGetMigMode");
  resolve(dl, api.temperature, "nvmlDeviceGetTemperature");
  // Drivers before 535 name it ...ThrottleReasons; newer ones keep the old name as well.
  resolve(dl, api.clocks_event_reasons, "nvmlDeviceGetCurrentClocksEventReasons");
  if (api.clocks_event_reasons == nullptr) {
    resolve(dl, api.clocks_event_reasons, "nvmlDeviceGetCurrentClocksThrottleReasons");
    api.clocks_event_reasons_name = "nvmlDeviceGetCurrentClocksThrottleReasons";
  }
  if (api.init == nullptr || api.shutdown == nullptr) {
    problem = library + ": has no nvmlInit_v2 (not NVIDIA's NVML?)";
    return nullptr;  // the destructor closes the library
  }
  nvmlReturn_t status = api.init();
  if (status != kNvmlSuccess) {
    problem = api.failure("nvmlInit_v2", status);
    api.shutdown = nullptr;  // nothing to shut down
    return nullptr;
  }
  return nvml;
}

Nvml::~Nvml() {
  if (api_ && api_->shutdown != nullptr) api_->shutdown();
  if (dl_ != nullptr) ::dlclose(dl_);
}

#define HWCAL_NVML_CALL(T, pointer, name, ...)                                                   \
  do {                                                                                           \
    if (api_->pointer == nullptr) return missing<T>(std::string(name) + ": not in " + library_); \
    nvmlReturn_t status_ = api_->pointer(__VA_ARGS__);                                           \
    if (status_ != kNvmlSuccess) return missing<T>(api_->failure(name, status_));                \
  } while (false)

NvmlValue<Nvml::Device> Nvml::device_by_pci_bus_id(const std::string& bus_id) {
  nvmlDevice_t handle = nullptr;
  HWCAL_NVML_CALL(Device, handle_by_pci_bus_id, "nvmlDeviceGetHandleByPciBusId_v2", bus_id.c_str(),
                  &handle);
  return found(Device{handle});
}

NvmlValue<Nvml::Device> Nvml::device_by_index(unsigned index) {
  nvmlDevice_t handle = nullptr;
  HWCAL_NVML_CALL(Device, handle_by_index, "nvmlDeviceGetHandleByIndex_v2", index, &handle);
  return found(Device{handle});
}

NvmlValue<std::string> Nvml::driver_version() {
  char text[96] = {};
  HWCAL_NVML_CALL(std::string, system_driver_version, "nvmlSystemGetDriverVersion", text,
                  static_cast<unsigned>(sizeof(text)));
  return found(std::string(text));
}

NvmlValue<double> Nvml::power_w(Device device) {
  unsigned milliwatts = 0;
  HWCAL_NVML_CALL(double, power_usage, "nvmlDeviceGetPowerUsage", device.handle, &milliwatts);
  return found(milliwatts / 1000.0);
}

NvmlValue<double> Nvml::energy_j(Device device) {
  unsigned long long millijoules = 0;
  HWCAL_NVML_CALL(double, total_energy, "nvmlDeviceGetTotalEnergyConsumption", device.handle,
                  &millijoules);
  return found(static_cast<double>(millijoules) / 1000.0);
}

NvmlValue<double> Nvml::power_limit_w(Device device) {
  unsigned milliwatts = 0;
  HWCAL_NVML_CALL(double, enforced_power_limit, "nvmlDeviceGetEnforcedPowerLimit", device.handle,
                  &milliwatts);
  return found(milliwatts / 1000.0);
}

NvmlValue<double> Nvml::sm_clock_mhz(Device device) {
  unsigned mhz = 0;
  HWCAL_NVML_CALL(double, clock_info, "nvmlDeviceGetClockInfo", device.handle, kNvmlClockSm, &mhz);
  return found(static_cast<double>(mhz));
}

NvmlValue<double> Nvml::memory_clock_mhz(Device device) {
  unsigned mhz = 0;
  HWCAL_NVML_CALL(double, clock_info, "nvmlDeviceGetClockInfo", device.handle, kNvmlClockMem, &mhz);
  return found(static_cast<double>(mhz));
}

NvmlValue<double> Nvml::max_sm_clock_mhz(Device device) {
  unsigned mhz = 0;
  HWCAL_NVML_CALL(double, max_clock_info, "nvmlDeviceGetMaxClockInfo", device.handle, kNvmlClockSm,
                  &mhz);
  return found(static_cast<double>(mhz));
}

NvmlValue<int> Nvml::unsigned_query(UnsignedQuery Api::*pointer, const char* name, Device device) {
  unsigned value = 0;
  if (api_.get()->*pointer == nullptr)
    return missing<int>(std::string(name) + ": not in " + library_);
  nvmlReturn_t status = (api_.get()->*pointer)(device.handle, &value);
  if (status != kNvmlSuccess) return missing<int>(api_->failure(name, status));
  return found(static_cast<int>(value));
}

NvmlValue<int> Nvml::pcie_generation(Device device) {
  return unsigned_query(&Api::curr_pcie_generation, "nvmlDeviceGetCurrPcieLinkGeneration", device);
}

NvmlValue<int> Nvml::pcie_width(Device device) {
  return unsigned_query(&Api::curr_pcie_width, "nvmlDeviceGetCurrPcieLinkWidth", device);
}

NvmlValue<int> Nvml::max_pcie_generation(Device device) {
  return unsigned_query(&Api::max_pcie_generation, "nvmlDeviceGetMaxPcieLinkGeneration", device);
}

NvmlValue<int> Nvml::max_pcie_width(Device device) {
  return unsigned_query(&Api::max_pcie_width, "nvmlDeviceGetMaxPcieLinkWidth", device);
}

NvmlValue<bool> Nvml::ecc_enabled(Device device) {
  int current = 0;
  int pending = 0;
  HWCAL_NVML_CALL(bool, ecc_mode, "nvmlDeviceGetEccMode", device.handle, &current, &pending);
  return found(current != 0);
}

NvmlValue<bool> Nvml::mig_enabled(Device device) {
  unsigned current = 0;
  unsigned pending = 0;
  HWCAL_NVML_CALL(bool, mig_mode, "nvmlDeviceGetMigMode", device.handle, &current, &pending);
  return found(current != 0);
}

NvmlValue<double> Nvml::temperature_c(Device device) {
  unsigned celsius = 0;
  HWCAL_NVML_CALL(double, temperature, "nvmlDeviceGetTemperature", device.handle,
                  kNvmlTemperatureGpu, &celsius);
  return found(static_cast<double>(celsius));
}

NvmlValue<unsigned long long> Nvml::throttle_reasons(Device device) {
  unsigned long long reasons = 0;
  HWCAL_NVML_CALL(unsigned long long, clocks_event_reasons, api_->clocks_event_reasons_name,
                  device.handle, &reasons);
  return found(reasons);
}

#undef HWCAL_NVML_CALL

Json nvml_device_facts(Nvml& nvml, Nvml::Device device) {
  Json facts = Json::object();
  Json unavailable = Json::object();
  auto put = [&](Json& into, const char* key, const auto& reading, const char* field) {
    if (reading.known()) {
      into[key] = *reading.value;
    } else {
      unavailable[field] = reading.problem;
    }
  };
  Json pcie = Json::object();
  put(pcie, "generation", nvml.pcie_generation(device), "pcie.generation");
  put(pcie, "width", nvml.pcie_width(device), "pcie.width");
  put(pcie, "max_generation", nvml.max_pcie_generation(device), "pcie.max_generation");
  put(pcie, "max_width", nvml.max_pcie_width(device), "pcie.max_width");
  if (!pcie.empty()) facts["pcie"] = pcie;
  put(facts, "power_limit_watts", nvml.power_limit_w(device), "power_limit_watts");
  put(facts, "ecc_enabled", nvml.ecc_enabled(device), "ecc_enabled");
  put(facts, "mig_enabled", nvml.mig_enabled(device), "mig_enabled");
  put(facts, "max_sm_clock_mhz", nvml.max_sm_clock_mhz(device), "max_sm_clock_mhz");
  put(facts, "driver_version", nvml.driver_version(), "driver_version");
  put(facts, "temperature_c", nvml.temperature_c(device), "temperature_c");
  if (!unavailable.empty()) facts["unavailable"] = unavailable;
  return facts;
}

std::string describe_throttle_reasons(unsigned long long reasons) {
  static const std::pair<unsigned long long, const char*> kReasons[] = {
      {0x4ULL, "software power cap"},
      {0x8ULL, "hardware slowdown"},
      {0x10ULL, "sync boost"},
      {0x20ULL, "software thermal slowdown"},
      {0x40ULL, "hardware thermal slowdown"},
      {0x80ULL, "power brake"},
  };
  std::string text;
  for (const auto& [bit, name] : kReasons) {
    if ((reasons & bit) != 0) text += (text.empty() ? "" : ", ") + std::string(name);
  }
  return text;
}

}  // namespace hwcal
