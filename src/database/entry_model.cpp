#include "hwcal/database/entry_model.hpp"

#include <string>
#include <vector>

namespace hwcal {

struct ResourceModelStorage::Data {
  // Strings first: the views in `model`, `caches` and `modes` point into them, and nothing is
  // added once the views are taken.
  std::string id, vendor, model_name, architecture, platform, unit_name, memory_type, default_mode,
      mapper_class, attachment, host_interface;
  std::vector<std::string> frameworks;
  std::vector<std::string_view> framework_views;
  std::vector<std::string> part_ids, part_roles;
  std::vector<BoardPartModel> parts;
  std::vector<std::string> cache_scopes;
  std::vector<std::string> mode_names;
  std::vector<CacheModel> caches;
  std::vector<std::vector<PrecisionRate>> rates;
  std::vector<PowerModeModel> modes;
  ResourceModel model;
};

ResourceModelStorage::ResourceModelStorage(std::shared_ptr<const Data> data)
    : data_(std::move(data)) {}

const ResourceModel& ResourceModelStorage::model() const { return data_->model; }

namespace {

CacheKind cache_kind(const std::string& kind) {
  if (kind == "data") return CacheKind::data;
  if (kind == "instruction") return CacheKind::instruction;
  return CacheKind::unified;
}

std::vector<PrecisionRate> rates_for_mode(const HardwareSpec& spec, const std::string& mode) {
  const ModeSummary* summary = find_mode_summary(spec, mode);
  std::vector<PrecisionRate> rates;
  for (const auto& [precision, peak] : spec.peaks_for_mode(mode)) {
    PrecisionRate rate;
    rate.precision = precision;
    rate.peak_gflops = peak;
    rate.origin = spec.peak_origin(precision, mode);
    if (summary) {
      auto measured = summary->efficiency.find(precision);
      if (measured != summary->efficiency.end()) {
        rate.efficiency = measured->second;
        rate.calibrated = true;
      }
    }
    rates.push_back(rate);
  }
  return rates;
}

}  // namespace

ResourceModelStorage build_resource_model(const HardwareSpec& spec) {
  auto data = std::make_shared<ResourceModelStorage::Data>();
  data->id = spec.id;
  data->vendor = spec.vendor;
  data->model_name = spec.model;
  data->architecture = spec.architecture;
  data->platform = spec.platform;
  data->default_mode = spec.default_mode_name();
  if (spec.compute && spec.compute->unit_name) data->unit_name = *spec.compute->unit_name;
  if (spec.memory && spec.memory->type) data->memory_type = *spec.memory->type;
  if (spec.mapper) data->mapper_class = spec.mapper->class_name;
  data->attachment = spec.attachment.value_or("");
  data->host_interface = spec.host_interface.value_or("");
  if (spec.frameworks) data->frameworks = *spec.frameworks;
  for (const std::string& name : data->frameworks) data->framework_views.push_back(name);
  if (spec.parts) {
    for (const BoardPart& part : *spec.parts) {
      data->part_ids.push_back(part.id);
      data->part_roles.push_back(part.role.value_or(""));
    }
    for (std::size_t i = 0; i < spec.parts->size(); ++i) {
      BoardPartModel part;
      part.id = data->part_ids[i];
      part.role = data->part_roles[i];
      part.count = (*spec.parts)[i].instances();
      data->parts.push_back(part);
    }
  }

  if (spec.caches) {
    for (const CacheLevel& level : *spec.caches) {
      data->cache_scopes.push_back(level.scope.value_or(""));
    }
  }
  // The device's own clock key in a mode's clocks_mhz is its type: "gpu" for a GPU entry; an
  // accelerator's may also be nvpmodel's "dla" (the Jetson DLA).
  const std::string clock_key(to_string(spec.device_type));
  std::vector<double> clocks_mhz;
  std::vector<double> tdps_watts;
  for (const PowerMode& mode : spec.power_modes) {
    data->mode_names.push_back(mode.name);
    auto clock = mode.clocks_mhz.find(clock_key);
    if (clock == mode.clocks_mhz.end() && is_accelerator_kind(spec.device_type)) {
      clock = mode.clocks_mhz.find("dla");
    }
    clocks_mhz.push_back(clock != mode.clocks_mhz.end() ? clock->second : 0);
    tdps_watts.push_back(mode.tdp_watts.value_or(0));
  }
  // The device itself is the mode "default" when it has no modes (or, against a validation
  // warning, names none as its default), so the default mode is always a mode of the model.
  if (spec.find_power_mode(data->default_mode) == nullptr) {
    data->mode_names.push_back(data->default_mode);
    clocks_mhz.push_back(spec.compute ? spec.compute->max_clock_mhz.value_or(0) : 0);
    tdps_watts.push_back(spec.tdp_watts.value_or(0));
  }
  for (const std::string& mode : data->mode_names)
    data->rates.push_back(rates_for_mode(spec, mode));

  if (spec.caches) {
    for (std::size_t i = 0; i < spec.caches->size(); ++i) {
      const CacheLevel& level = (*spec.caches)[i];
      CacheModel cache;
      cache.level = level.level;
      cache.kind = cache_kind(level.kind);
      cache.size_kib = level.size_kib;
      cache.line_bytes = level.line_bytes.value_or(0);
      cache.count = level.count.value_or(0);
      cache.scope = data->cache_scopes[i];
      data->caches.push_back(cache);
    }
  }
  for (std::size_t i = 0; i < data->mode_names.size(); ++i) {
    const std::string& name = data->mode_names[i];
    PowerModeModel mode;
    mode.name = name;
    mode.clock_mhz = clocks_mhz[i];
    mode.tdp_watts = tdps_watts[i];
    mode.rates = data->rates[i].empty() ? nullptr : data->rates[i].data();
    mode.rate_count = data->rates[i].size();
    mode.bandwidth_gbps = spec.bandwidth_for_mode(name);
    const ModeSummary* summary = find_mode_summary(spec, name);
    if (summary && summary->bandwidth_efficiency) {
      mode.bandwidth_efficiency = *summary->bandwidth_efficiency;
      mode.bandwidth_calibrated = true;
    }
    if (!(mode.bandwidth_gbps > 0)) {
      mode.bandwidth_measured_only = true;
      if (summary && summary->measured_bandwidth_gbps) {
        mode.bandwidth_gbps = *summary->measured_bandwidth_gbps;
        mode.bandwidth_calibrated = true;
      }
    }
    data->modes.push_back(mode);
  }

  ResourceModel& model = data->model;
  model.id = data->id;
  model.vendor = data->vendor;
  model.model = data->model_name;
  model.architecture = data->architecture;
  model.device_type = spec.device_type;
  model.platform = data->platform;
  if (spec.compute) {
    model.compute_units = spec.compute->units.value_or(0);
    model.cores_per_unit = spec.compute->cores_per_unit.value_or(0);
    model.base_clock_mhz = spec.compute->base_clock_mhz.value_or(0);
    model.max_clock_mhz = spec.compute->max_clock_mhz.value_or(0);
  }
  model.unit_name = data->unit_name;
  model.memory_type = data->memory_type;
  if (spec.memory) model.memory_size_gb = spec.memory->size_gb.value_or(0);
  model.tdp_watts = spec.tdp_watts.value_or(0);
  model.caches = data->caches.empty() ? nullptr : data->caches.data();
  model.cache_count = data->caches.size();
  model.modes = data->modes.data();
  model.mode_count = data->modes.size();
  model.default_mode = data->default_mode;
  model.mapper_class = data->mapper_class;
  model.attachment = data->attachment;
  model.host_interface = data->host_interface;
  model.on_chip_memory_mib = spec.on_chip_memory_mib.value_or(0);
  model.typical_power_watts = spec.typical_power_watts.value_or(0);
  model.frameworks = data->framework_views.empty() ? nullptr : data->framework_views.data();
  model.framework_count = data->framework_views.size();
  model.parts = data->parts.empty() ? nullptr : data->parts.data();
  model.part_count = data->parts.size();
  return ResourceModelStorage(std::move(data));
}

}  // namespace hwcal
