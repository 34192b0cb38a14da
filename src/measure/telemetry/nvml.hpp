// NVML, the NVIDIA driver's management library, loaded at run time with dlopen
// (libnvidia-ml.so.1 comes with the driver, not the toolkit, and the toolkit has no nvml.h): power
// and energy for the per-kernel energy figures, the SM clock during a run, and the facts a profile
// records about a data-centre GPU (PCIe link, power limit, ECC and MIG state, driver version).
// Every call answers a value or why there is none ("nvmlDeviceGetMigMode: NVML_ERROR_NOT_SUPPORTED
// (Not Supported)"); a machine without the library works, with each reading unavailable.
// Both builds have it: it needs no CUDA headers.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "hwcal/json/json_io.hpp"

namespace hwcal {

// A value from NVML, or why there is none.
template <typename T>
struct NvmlValue {
  std::optional<T> value;
  std::string problem;  // "" when known
  bool known() const { return value.has_value(); }
};

// The name of an nvmlReturn_t code: 3 -> "NVML_ERROR_NOT_SUPPORTED" ("NVML_ERROR_999" for codes
// this list does not know).
std::string nvml_return_name(int code);

class Nvml {
 public:
  // Loads `library` and calls nvmlInit_v2; nullptr with the reason in `problem` when either fails
  // ("libnvidia-ml.so.1: cannot open shared object file ..." on machines without the driver).
  static std::shared_ptr<Nvml> open(std::string& problem,
                                    const std::string& library = "libnvidia-ml.so.1");
  ~Nvml();
  Nvml(const Nvml&) = delete;
  Nvml& operator=(const Nvml&) = delete;

  // An opaque device handle (nvmlDevice_t).
  struct Device {
    void* handle = nullptr;
  };

  // The device on this PCI bus ("0000:65:00.0", as cudaDeviceGetPCIBusId writes it): NVML
  // numbers devices in PCI order, the CUDA runtime by speed unless CUDA_DEVICE_ORDER says
  // otherwise, so the bus id is the only safe join.
  NvmlValue<Device> device_by_pci_bus_id(const std::string& bus_id);
  NvmlValue<Device> device_by_index(unsigned index);

  NvmlValue<std::string> driver_version();
  NvmlValue<double> power_w(Device device);           // nvmlDeviceGetPowerUsage
  NvmlValue<double> energy_j(Device device);          // nvmlDeviceGetTotalEnergyConsumption
  NvmlValue<double> power_limit_w(Device device);     // nvmlDeviceGetEnforcedPowerLimit
  NvmlValue<double> sm_clock_mhz(Device device);      // current, nvmlDeviceGetClockInfo
  NvmlValue<double> memory_clock_mhz(Device device);  // current
  NvmlValue<double> max_sm_clock_mhz(Device device);  // nvmlDeviceGetMaxClockInfo
  NvmlValue<int> pcie_generation(Device device);      // current link
  NvmlValue<int> pcie_width(Device device);           // current link
  NvmlValue<int> max_pcie_generation(Device device);  // what the device supports
  NvmlValue<int> max_pcie_width(Device device);       // what the device supports
  NvmlValue<bool> ecc_enabled(Device device);         // current mode
  NvmlValue<bool> mig_enabled(Device device);         // current mode
  NvmlValue<double> temperature_c(Device device);     // GPU core
  NvmlValue<unsigned long long> throttle_reasons(Device device);  // clocks event reason bits

  const std::string& library() const { return library_; }

 private:
  struct Api;
  // The shape of the PCIe link queries: nvmlReturn_t (*)(nvmlDevice_t, unsigned int*).
  using UnsignedQuery = int (*)(void*, unsigned*);
  Nvml() = default;
  NvmlValue<int> unsigned_query(UnsignedQuery Api::*pointer, const char* name, Device device);
  std::string library_;
  void* dl_ = nullptr;
  std::unique_ptr<Api> api_;
};

// What a profile's device records from NVML: {"pcie": {"generation", "width", "max_generation",
// "max_width"}, "power_limit_watts", "ecc_enabled", "mig_enabled", "max_sm_clock_mhz",
// "driver_version"}; a value NVML does not give is left out and its reason listed under
// "unavailable" ({"field": "why"}).
Json nvml_device_facts(Nvml& nvml, Nvml::Device device);

// Names the bits of nvmlDeviceGetCurrentClocksEventReasons that lower clocks (power cap,
// thermal, ...); idle and application-clock bits are left out. "" when none are set.
std::string describe_throttle_reasons(unsigned long long reasons);

}  // namespace hwcal
