#include "measure/telemetry/power.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include <fmt/format.h>

#include "base/sysfs.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

// The power meters keep whole paths (the root already in them): read from "/", and say which
// file failed, "<path>: <problem>".
std::optional<std::string> read_line(const fs::path& path, std::string& problem) {
  Reading<std::string> text = SysRoot("/").text(path.string());
  if (!text.known()) problem = text.source + ": " + text.problem;
  return text.value;
}

std::optional<double> read_number(const fs::path& path, std::string& problem) {
  Reading<double> number = SysRoot("/").number(path.string());
  if (!number.known()) problem = number.source + ": " + number.problem;
  return number.value;
}

// Directory entries sorted naturally (hwmon2 before hwmon10).
std::vector<fs::path> sorted_entries(const fs::path& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(it->path());
  }
  std::sort(entries.begin(), entries.end(), [](const fs::path& a, const fs::path& b) {
    std::string x = a.filename().string();
    std::string y = b.filename().string();
    return std::make_pair(x.size(), x) < std::make_pair(y.size(), y);
  });
  return entries;
}

bool contains_word(const std::string& label, const std::string& word) {
  for (const std::string& part : id_words(label)) {
    if (part == word) return true;
  }
  return false;
}

class NvmlSource : public PowerSource {
 public:
  NvmlSource(std::shared_ptr<Nvml> nvml, Nvml::Device device, bool counter)
      : nvml_(std::move(nvml)), device_(device), counter_(counter) {}
  std::string name() const override { return "nvml"; }
  std::string detail() const override {
    return counter_ ? "nvmlDeviceGetTotalEnergyConsumption" : "nvmlDeviceGetPowerUsage";
  }
  bool has_energy_counter() const override { return counter_; }
  std::optional<double> energy_j(std::string& problem) override {
    auto value = nvml_->energy_j(device_);
    if (!value.known()) problem = value.problem;
    return value.value;
  }
  std::optional<double> power_w(std::string& problem) override {
    auto value = nvml_->power_w(device_);
    if (!value.known()) problem = value.problem;
    return value.value;
  }

 private:
  std::shared_ptr<Nvml> nvml_;
  Nvml::Device device_;
  bool counter_;
};

class RaplSource : public PowerSource {
 public:
  explicit RaplSource(std::vector<RaplZone> zones) : zones_(std::move(zones)) {}
  std::string name() const override { return "rapl"; }
  std::string detail() const override {
    std::string names;
    for (const RaplZone& zone : zones_) names += (names.empty() ? "" : "+") + zone.name;
    return names;
  }
  bool has_energy_counter() const override { return true; }
  // The packages' counters summed; each wraps separately, so a sum of wraps is the sum's wrap
  // only when one package wraps at a time (true over a call's trials, seconds long).
  std::optional<double> energy_j(std::string& problem) override {
    double total = 0;
    for (const RaplZone& zone : zones_) {
      auto microjoules = read_number(zone.energy_file, problem);
      if (!microjoules) return std::nullopt;
      total += *microjoules / 1e6;
    }
    return total;
  }
  double energy_wrap_j() const override {
    double wrap = 0;
    for (const RaplZone& zone : zones_) wrap += zone.max_energy_j;
    return wrap;
  }
  std::optional<double> power_w(std::string& problem) override {
    problem = "RAPL has an energy counter only";
    return std::nullopt;
  }

 private:
  std::vector<RaplZone> zones_;
};

class Ina3221Source : public PowerSource {
 public:
  Ina3221Source(std::vector<PowerRail> rails, std::size_t chosen)
      : rails_(std::move(rails)), chosen_(chosen) {}
  std::string name() const override { return "ina3221"; }
  std::string detail() const override { return rails_[chosen_].label; }
  bool has_energy_counter() const override { return false; }
  std::optional<double> energy_j(std::string& problem) override {
    problem = "ina3221 has no energy counter";
    return std::nullopt;
  }
  std::optional<double> power_w(std::string& problem) override {
    return read_rail_w(rails_[chosen_], problem);
  }
  std::map<std::string, double> rails_w() override {
    std::map<std::string, double> watts;
    for (const PowerRail& rail : rails_) {
      std::string problem;
      if (auto value = read_rail_w(rail, problem)) watts[rail.label] = *value;
    }
    return watts;
  }

 private:
  std::vector<PowerRail> rails_;
  std::size_t chosen_;
};

PowerSourceChoice ina3221_choice(const fs::path& sysroot, const std::string& device,
                                 std::vector<std::string>& notes) {
  PowerSourceChoice choice;
  std::vector<PowerRail> rails = find_ina3221_rails(sysroot, notes);
  const PowerRail* rail = pick_rail(rails, device);
  if (rail == nullptr) {
    choice.problem = rails.empty() ? "no ina3221 power monitor"
                                   : fmt::format("no ina3221 rail feeds the {}", device);
    return choice;
  }
  std::string problem;
  if (!read_rail_w(*rail, problem)) {
    choice.problem = problem;
    return choice;
  }
  std::size_t index = static_cast<std::size_t>(rail - rails.data());
  choice.source = std::make_unique<Ina3221Source>(rails, index);
  return choice;
}

Json stats_json(const std::vector<double>& values) {
  double sum = std::accumulate(values.begin(), values.end(), 0.0);
  return Json::object({{"mean", sum / static_cast<double>(values.size())},
                       {"min", *std::min_element(values.begin(), values.end())},
                       {"max", *std::max_element(values.begin(), values.end())},
                       {"samples", values.size()}});
}

}  // namespace

std::vector<PowerRail> find_ina3221_rails(const fs::path& sysroot,
                                          std::vector<std::string>& notes) {
  std::vector<PowerRail> rails;
  const fs::path hwmon = sysroot / "sys/class/hwmon";
  std::vector<fs::path> devices = sorted_entries(hwmon);
  if (devices.empty()) notes.push_back("/sys/class/hwmon: missing or empty");
  for (const fs::path& dir : devices) {
    std::string problem;
    auto name = read_line(dir / "name", problem);
    if (!name || *name != "ina3221") continue;
    for (int channel = 1; channel <= 8; ++channel) {
      auto label = read_line(dir / fmt::format("in{}_label", channel), problem);
      if (!label) continue;
      PowerRail rail;
      rail.label = *label;
      rail.voltage_file = dir / fmt::format("in{}_input", channel);
      rail.current_file = dir / fmt::format("curr{}_input", channel);
      std::error_code ec;
      if (!fs::exists(rail.current_file, ec)) {
        notes.push_back(fmt::format("{}: no curr{}_input", dir.string(), channel));
        continue;
      }
      rails.push_back(rail);
    }
  }
  return rails;
}

std::optional<double> read_rail_w(const PowerRail& rail, std::string& problem) {
  auto millivolts = read_number(rail.voltage_file, problem);
  if (!millivolts) return std::nullopt;
  auto milliamperes = read_number(rail.current_file, problem);
  if (!milliamperes) return std::nullopt;
  return *millivolts * *milliamperes / 1e6;
}

const PowerRail* pick_rail(const std::vector<PowerRail>& rails, const std::string& device) {
  const std::string word = device == "cpu" ? "cpu" : "gpu";
  for (const PowerRail& rail : rails) {
    if (contains_word(rail.label, word)) return &rail;
  }
  for (const PowerRail& rail : rails) {
    if (contains_word(rail.label, "in")) return &rail;  // VDD_IN: the whole module
  }
  return nullptr;
}

std::vector<RaplZone> find_rapl_packages(const fs::path& sysroot, std::vector<std::string>& notes) {
  std::vector<RaplZone> zones;
  const fs::path powercap = sysroot / "sys/class/powercap";
  std::vector<fs::path> entries = sorted_entries(powercap);
  if (entries.empty()) notes.push_back("/sys/class/powercap: missing or empty (no RAPL)");
  for (const fs::path& dir : entries) {
    const std::string base = dir.filename().string();
    // intel-rapl:0 is a package; intel-rapl:0:0 its core or uncore part.
    if (base.rfind("intel-rapl:", 0) != 0 || std::count(base.begin(), base.end(), ':') != 1) {
      continue;
    }
    std::string problem;
    auto name = read_line(dir / "name", problem);
    if (!name || name->rfind("package", 0) != 0) continue;
    RaplZone zone;
    zone.name = *name;
    zone.energy_file = dir / "energy_uj";
    if (auto range = read_number(dir / "max_energy_range_uj", problem)) {
      zone.max_energy_j = *range / 1e6;
    }
    zones.push_back(zone);
  }
  return zones;
}

double energy_delta_j(double start_j, double end_j, double wrap_j) {
  if (end_j >= start_j || wrap_j <= 0) return end_j - start_j;
  return wrap_j - start_j + end_j;
}

PowerSourceChoice cpu_power_source(const fs::path& sysroot) {
  std::vector<std::string> notes;
  PowerSourceChoice jetson = ina3221_choice(sysroot, "cpu", notes);
  if (jetson.source) return jetson;
  PowerSourceChoice choice;
  std::vector<RaplZone> zones = find_rapl_packages(sysroot, notes);
  if (zones.empty()) {
    choice.problem = "no power meter for the CPU: no ina3221 rail and no RAPL package zone under " +
                     (sysroot / "sys/class/powercap").string();
    return choice;
  }
  std::string problem;
  for (const RaplZone& zone : zones) {
    if (!read_number(zone.energy_file, problem)) {
      // Linux 5.10 made energy_uj readable by root only (CVE-2020-8694).
      choice.problem = problem + (problem.find("ermission") != std::string::npos
                                      ? " (RAPL counters are readable by root only)"
                                      : "");
      return choice;
    }
  }
  choice.source = std::make_unique<RaplSource>(zones);
  return choice;
}

PowerSourceChoice jetson_gpu_power_source(const fs::path& sysroot) {
  std::vector<std::string> notes;
  return ina3221_choice(sysroot, "cuda", notes);
}

PowerSourceChoice nvml_power_source(std::shared_ptr<Nvml> nvml, Nvml::Device device) {
  PowerSourceChoice choice;
  auto energy = nvml->energy_j(device);
  if (energy.known()) {
    choice.source = std::make_unique<NvmlSource>(nvml, device, true);
    return choice;
  }
  auto power = nvml->power_w(device);
  if (power.known()) {
    choice.source = std::make_unique<NvmlSource>(nvml, device, false);
    return choice;
  }
  choice.problem = energy.problem + "; " + power.problem;
  return choice;
}

// ---- TrialMonitor -----------------------------------------------------------------------------

TrialMonitor::TrialMonitor(PowerSourceChoice power, std::vector<Gauge> gauges, double interval_s)
    : power_(std::move(power)), gauges_(std::move(gauges)), interval_s_(interval_s) {}

TrialMonitor::~TrialMonitor() { stop_sampler(); }

std::string TrialMonitor::power_source_name() const {
  return power_.source ? power_.source->name() : "";
}

std::map<std::string, double> TrialMonitor::run_max() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return run_max_;
}

void TrialMonitor::sample() {
  std::map<std::string, double> gauge_values;
  for (const Gauge& gauge : gauges_) {
    if (auto value = gauge.read()) gauge_values[gauge.name] = *value;
  }
  std::optional<double> watts;
  std::string problem;
  std::map<std::string, double> rails;
  if (power_.source && !power_.source->has_energy_counter()) {
    watts = power_.source->power_w(problem);
    rails = power_.source->rails_w();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& [name, value] : gauge_values) {
    gauge_samples_[name].push_back(value);
    auto [it, inserted] = run_max_.emplace(name, value);
    if (!inserted) it->second = std::max(it->second, value);
  }
  if (watts) power_samples_w_.push_back(*watts);
  if (!problem.empty()) power_problem_ = problem;
  for (const auto& [label, value] : rails) rail_samples_w_[label].push_back(value);
}

void TrialMonitor::begin() {
  stop_sampler();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    power_samples_w_.clear();
    rail_samples_w_.clear();
    gauge_samples_.clear();
    power_problem_.clear();
    stopping_ = false;
  }
  energy_start_j_.reset();
  energy_problem_.clear();
  if (power_.source && power_.source->has_energy_counter()) {
    energy_start_j_ = power_.source->energy_j(energy_problem_);
  }
  const bool sampled = !gauges_.empty() || (power_.source && !power_.source->has_energy_counter());
  started_ = std::chrono::steady_clock::now();
  if (!sampled) return;
  sampler_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      sample();
      lock.lock();
      wake_.wait_for(lock, std::chrono::duration<double>(interval_s_),
                     [this] { return stopping_; });
    }
  });
}

void TrialMonitor::stop_sampler() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
}

void TrialMonitor::end(MeasurementRecord& record) {
  const double window_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  stop_sampler();
  if (!gauges_.empty()) sample();  // one reading at the end, so even short calls get a value

  if (!record.extra.is_object()) record.extra = Json::object();
  Json power = Json::object();
  if (!power_.source) {
    power["unavailable"] = power_.problem;
  } else {
    power["source"] = power_.source->name();
    power["detail"] = power_.source->detail();
    std::optional<double> avg_watts;
    std::string problem;
    if (power_.source->has_energy_counter()) {
      power["method"] = "energy counter";
      std::optional<double> end_j = power_.source->energy_j(problem);
      if (!energy_start_j_) {
        problem = energy_problem_;
      } else if (end_j) {
        double joules = energy_delta_j(*energy_start_j_, *end_j, power_.source->energy_wrap_j());
        if (joules > 0) {
          avg_watts = joules / window_s;
        } else {
          problem = fmt::format("the energy counter did not advance in {:.3f} s", window_s);
        }
      }
    } else {
      power["method"] = fmt::format("sampled every {:.0f} ms", interval_s_ * 1000);
      std::lock_guard<std::mutex> lock(mutex_);
      power["samples"] = power_samples_w_.size();
      if (!power_samples_w_.empty()) {
        avg_watts = std::accumulate(power_samples_w_.begin(), power_samples_w_.end(), 0.0) /
                    static_cast<double>(power_samples_w_.size());
        Json rails = Json::object();
        for (const auto& [label, values] : rail_samples_w_) {
          rails[label] = std::accumulate(values.begin(), values.end(), 0.0) /
                         static_cast<double>(values.size());
        }
        if (!rails.empty()) power["rails"] = rails;
      } else {
        problem = power_problem_.empty() ? "no sample was taken" : power_problem_;
      }
    }
    power["window_s"] = window_s;
    if (window_s < kMinPowerWindowS) {
      avg_watts.reset();
      problem = fmt::format("the trials lasted {:.3f} s, under the {} s a power reading needs",
                            window_s, kMinPowerWindowS);
    }
    if (avg_watts && *avg_watts > 0) {
      power["avg_watts"] = *avg_watts;
      // Work over energy, both taken over the same window: GFLOP per joule = GFLOPS per watt.
      const double trials = static_cast<double>(record.samples_s.size());
      const KernelClass kind = kernel_class_of(record);
      const bool bandwidth =
          kind == KernelClass::stream || kind == KernelClass::copy || kind == KernelClass::transfer;
      if (bandwidth && record.bytes) {
        power["gbps_per_watt"] = *record.bytes * trials / 1e9 / (*avg_watts * window_s);
      } else if (!bandwidth && record.flops) {
        power["gflops_per_watt"] = *record.flops * trials / 1e9 / (*avg_watts * window_s);
      }
    } else {
      power["unavailable"] = problem.empty() ? "no reading" : problem;
    }
  }
  record.extra["power"] = power;

  std::lock_guard<std::mutex> lock(mutex_);
  for (const Gauge& gauge : gauges_) {
    auto found = gauge_samples_.find(gauge.name);
    if (found == gauge_samples_.end() || found->second.empty()) continue;
    Json values = stats_json(found->second);
    values["source"] = gauge.source;
    record.extra[gauge.name] = values;
  }
}

}  // namespace hwcal
