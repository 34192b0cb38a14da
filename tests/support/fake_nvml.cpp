// A stand-in for the driver's libnvidia-ml.so.1 on machines without an NVIDIA driver (the build
// machine, CI): the functions hwcal's NVML loader resolves, with the signatures nvml.h gives them,
// answering for one H100-like device at PCI bus 00000000:65:00.0. Its energy counter advances by
// 700 J per reading; MIG answers NVML_ERROR_NOT_SUPPORTED. Tests load it by path.
#include <cstring>

namespace {
int device_token = 0;  // the handle is this object's address
unsigned long long energy_mj = 1000000;
bool initialised = false;
}  // namespace

extern "C" {

int nvmlInit_v2() {
  initialised = true;
  return 0;
}
int nvmlShutdown() {
  initialised = false;
  return 0;
}
const char* nvmlErrorString(int code) {
  switch (code) {
    case 3: return "Not Supported";
    case 6: return "Not Found";
    default: return "Unknown Error";
  }
}
int nvmlSystemGetDriverVersion(char* text, unsigned length) {
  std::strncpy(text, "580.65.06", length);
  return 0;
}
int nvmlDeviceGetHandleByPciBusId_v2(const char* bus_id, void** device) {
  if (!initialised) return 1;
  // NVML spells the domain with 8 digits, the CUDA runtime with 4: both name the device.
  if (std::strcmp(bus_id, "00000000:65:00.0") != 0 && std::strcmp(bus_id, "0000:65:00.0") != 0) {
    return 6;
  }
  *device = &device_token;
  return 0;
}
int nvmlDeviceGetHandleByIndex_v2(unsigned index, void** device) {
  if (index != 0) return 2;
  *device = &device_token;
  return 0;
}
int nvmlDeviceGetPowerUsage(void*, unsigned* milliwatts) {
  *milliwatts = 412345;
  return 0;
}
int nvmlDeviceGetTotalEnergyConsumption(void*, unsigned long long* millijoules) {
  energy_mj += 700000;
  *millijoules = energy_mj;
  return 0;
}
int nvmlDeviceGetEnforcedPowerLimit(void*, unsigned* milliwatts) {
  *milliwatts = 700000;
  return 0;
}
int nvmlDeviceGetClockInfo(void*, int type, unsigned* mhz) {
  *mhz = type == 1 ? 1755 : 2619;  // SM, memory
  return 0;
}
int nvmlDeviceGetMaxClockInfo(void*, int type, unsigned* mhz) {
  *mhz = type == 1 ? 1980 : 2619;
  return 0;
}
int nvmlDeviceGetCurrPcieLinkGeneration(void*, unsigned* value) {
  *value = 5;
  return 0;
}
int nvmlDeviceGetCurrPcieLinkWidth(void*, unsigned* value) {
  *value = 16;
  return 0;
}
int nvmlDeviceGetMaxPcieLinkGeneration(void*, unsigned* value) {
  *value = 5;
  return 0;
}
int nvmlDeviceGetMaxPcieLinkWidth(void*, unsigned* value) {
  *value = 16;
  return 0;
}
int nvmlDeviceGetEccMode(void*, int* current, int* pending) {
  *current = 1;
  *pending = 1;
  return 0;
}
int nvmlDeviceGetMigMode(void*, unsigned*, unsigned*) { return 3; }
int nvmlDeviceGetTemperature(void*, int, unsigned* celsius) {
  *celsius = 41;
  return 0;
}
int nvmlDeviceGetCurrentClocksEventReasons(void*, unsigned long long* reasons) {
  *reasons = 0x4 | 0x1;  // software power cap, idle
  return 0;
}
}
