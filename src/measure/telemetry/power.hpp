// Power while kernels run: each measurement's average power and its GFLOPS (or GB/s) per watt,
// where the machine lets power be read, and clocks sampled during the trials. Sources:
//   nvml     a data-centre or desktop GPU: its energy counter (Volta and newer), else its power
//   rapl     an x86 CPU package: /sys/class/powercap/intel-rapl:N/energy_uj (root only since
//            Linux 5.10; AMD Zen exposes the same files)
//   ina3221  a Jetson's power-rail monitors: /sys/class/hwmon/hwmonN (name "ina3221"),
//            in<i>_label, in<i>_input (mV), curr<i>_input (mA)
// A reading that cannot be made is recorded with the reason, never guessed (docs/gpu.md lists the
// record fields). Everything reads under a sysroot so fixture trees drive the tests.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hwcal/json/json_io.hpp"
#include "measure/runner.hpp"
#include "measure/telemetry/nvml.hpp"

namespace hwcal {

// Trials shorter than this give no power figure: the meters update every 10-100 ms.
inline constexpr double kMinPowerWindowS = 0.1;

class PowerSource {
 public:
  virtual ~PowerSource() = default;
  virtual std::string name() const = 0;    // nvml, rapl, ina3221
  virtual std::string detail() const = 0;  // the rail or zones read: "VDD_CPU_GPU_CV"
  // Sources with a cumulative energy counter are read at the start and end of the trials;
  // the others are sampled while the trials run.
  virtual bool has_energy_counter() const = 0;
  // Joules since some fixed point; nullopt with the reason in `problem`.
  virtual std::optional<double> energy_j(std::string& problem) = 0;
  // Where the counter wraps around (RAPL), 0 when it does not.
  virtual double energy_wrap_j() const { return 0; }
  // Watts now; nullopt with the reason in `problem`.
  virtual std::optional<double> power_w(std::string& problem) = 0;
  // Every rail the source can see, for the record (ina3221); empty for single-figure sources.
  virtual std::map<std::string, double> rails_w() { return {}; }
};

// The source chosen for a device, or why there is none.
struct PowerSourceChoice {
  std::unique_ptr<PowerSource> source;
  std::string problem;  // "" when a source was found
};

// ---- the sources ------------------------------------------------------------------------------

// One ina3221 channel: /sys/class/hwmon/hwmon1, channel 2, label VDD_CPU_GPU_CV.
struct PowerRail {
  std::string label;
  std::filesystem::path voltage_file;  // in<i>_input, millivolts
  std::filesystem::path current_file;  // curr<i>_input, milliamperes
};

// Every labelled ina3221 channel under `sysroot` (/sys/class/hwmon/*/name == "ina3221"), in
// hwmon and channel order; `notes` says where it looked and what it skipped.
std::vector<PowerRail> find_ina3221_rails(const std::filesystem::path& sysroot,
                                          std::vector<std::string>& notes);
// Watts of one rail now (mV x mA); nullopt with the reason.
std::optional<double> read_rail_w(const PowerRail& rail, std::string& problem);

// The rail that feeds `device` ("cpu" or "cuda"): a label naming it (VDD_CPU_GPU_CV on an Orin
// Nano, VDD_GPU_SOC on an AGX Orin), else the module input (VDD_IN); nullptr when none fits.
const PowerRail* pick_rail(const std::vector<PowerRail>& rails, const std::string& device);

// One RAPL package zone: /sys/class/powercap/intel-rapl:0 (name package-0).
struct RaplZone {
  std::string name;
  std::filesystem::path energy_file;  // energy_uj
  double max_energy_j = 0;            // max_energy_range_uj: where the counter wraps
};
std::vector<RaplZone> find_rapl_packages(const std::filesystem::path& sysroot,
                                         std::vector<std::string>& notes);

// Energy between two counter readings, across one wrap-around when `wrap_j` > 0.
double energy_delta_j(double start_j, double end_j, double wrap_j);

// The CPU's source: ina3221's CPU rail on a Jetson, else RAPL's packages.
PowerSourceChoice cpu_power_source(const std::filesystem::path& sysroot);
// An integrated GPU's source: ina3221's GPU rail.
PowerSourceChoice jetson_gpu_power_source(const std::filesystem::path& sysroot);
// A discrete GPU's source: NVML's energy counter, else its power reading.
PowerSourceChoice nvml_power_source(std::shared_ptr<Nvml> nvml, Nvml::Device device);

// ---- sampling during the trials ---------------------------------------------------------------

// A value read while the trials run: the SM clock (NVML), a Jetson's devfreq clock.
struct Gauge {
  std::string name;  // the record's key: sm_clock_mhz, gpu_clock_mhz, temperature_c
  std::string source;
  std::function<std::optional<double>()> read;
};

// The trial observer calibrate installs: power over each call's trials and gauges sampled every
// `interval_s`. end() writes record.extra["power"] and one entry per gauge:
//   "power": {"avg_watts", "source", "detail", "method", "window_s", "samples",
//             "gflops_per_watt" | "gbps_per_watt", "rails"} or {"unavailable": "why", "source"}
//   "<gauge>": {"mean", "min", "max", "samples", "source"}
class TrialMonitor : public TrialObserver {
 public:
  TrialMonitor(PowerSourceChoice power, std::vector<Gauge> gauges, double interval_s = 0.02);
  ~TrialMonitor() override;
  void begin() override;
  void end(MeasurementRecord& record) override;
  // The highest value each gauge reached over the whole run (the clock warnings use it).
  std::map<std::string, double> run_max() const;
  std::string power_source_name() const;  // "" when there is none

 private:
  void sample();
  void stop_sampler();

  PowerSourceChoice power_;
  std::vector<Gauge> gauges_;
  double interval_s_;
  std::chrono::steady_clock::time_point started_;
  std::optional<double> energy_start_j_;
  std::string energy_problem_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread sampler_;
  std::vector<double> power_samples_w_;
  std::string power_problem_;
  std::map<std::string, std::vector<double>> rail_samples_w_;
  std::map<std::string, std::vector<double>> gauge_samples_;
  std::map<std::string, double> run_max_;
};

}  // namespace hwcal
