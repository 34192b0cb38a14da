#include "workloads/workload_runner.hpp"

#include <chrono>
#include <cmath>
#include <new>

#include <fmt/format.h>

#include "base/fill.hpp"
#include "base/stats.hpp"
#include "hwcal/base/error.hpp"
#include "measure/kernels.hpp"
#include "workloads/cpu_backends.hpp"

namespace hwcal {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Every layer's tensors get their own stream of random numbers.
std::uint64_t layer_seed(unsigned seed, std::size_t index, unsigned which) {
  return mix64(seed, 4 * static_cast<std::uint64_t>(index) + which);
}

Throughput images_per_second(const SampleStats& stats, long long batch) {
  Throughput throughput;
  throughput.best = static_cast<double>(batch) / stats.min;
  throughput.median = static_cast<double>(batch) / stats.median;
  return throughput;
}

}  // namespace

double PreparedNetwork::timed_run() {
  const auto start = Clock::now();
  run();
  return seconds_since(start);
}

std::vector<double> PreparedNetwork::timed_layers(std::size_t layer_count) {
  std::vector<double> seconds(layer_count);
  for (std::size_t i = 0; i < layer_count; ++i) {
    const auto start = Clock::now();
    run_layer(i);
    seconds[i] = seconds_since(start);
  }
  return seconds;
}

std::vector<std::string> cpu_workload_backend_names() {
  std::vector<std::string> names;
#if HWCAL_HAVE_ONEDNN
  names.emplace_back("onednn");
#endif
  names.emplace_back("portable");
  return names;
}

std::unique_ptr<WorkloadBackend> make_cpu_workload_backend(std::string_view name) {
  if (name == "auto") name = cpu_workload_backend_names().front();
  if (name == "portable") return make_portable_workload_backend();
  if (name == "onednn") {
#if HWCAL_HAVE_ONEDNN
    return make_onednn_workload_backend();
#else
    throw UsageError(
        "--workload-backend onednn: this build has no oneDNN (install libdnnl-dev and "
        "rebuild); the portable backend runs fp32");
#endif
  }
  std::string names;
  for (const std::string& known : cpu_workload_backend_names()) names += ", " + known;
  throw UsageError(fmt::format("unknown workload backend '{}' (expected auto{})", name, names));
}

std::vector<float> random_weights(const Layer& layer, std::size_t index, unsigned seed) {
  const long long fan_in = layer.fan_in();
  std::vector<float> weights(static_cast<std::size_t>(layer.weight_count()));
  if (weights.empty()) return weights;
  // He-uniform where a rectifier follows (it halves the variance), Xavier-like otherwise.
  const double gain = layer.activation == Activation::none ? 3.0 : 6.0;
  const double limit = std::sqrt(gain / static_cast<double>(fan_in));
  const std::uint64_t stream = layer_seed(seed, index, 0);
  for (std::size_t i = 0; i < weights.size(); ++i) {
    weights[i] = static_cast<float>(limit * random_unit(stream, i));
  }
  return weights;
}

std::vector<float> random_bias(const Layer& layer, std::size_t index, unsigned seed) {
  std::vector<float> bias(static_cast<std::size_t>(layer.bias_count()));
  const std::uint64_t stream = layer_seed(seed, index, 1);
  for (std::size_t i = 0; i < bias.size(); ++i) {
    bias[i] = static_cast<float>(0.1 * random_unit(stream, i));
  }
  return bias;
}

std::vector<float> random_input(const Workload& workload, long long batch, unsigned seed) {
  std::vector<float> input(static_cast<std::size_t>(workload.input.elements() * batch));
  const std::uint64_t stream = mix64(seed, 0xfeedULL);
  for (std::size_t i = 0; i < input.size(); ++i) {
    input[i] = static_cast<float>(random_unit(stream, i));
  }
  return input;
}

WorkloadSettings workload_settings(Plan plan) {
  WorkloadSettings settings;
  static_cast<TrialPreset&>(settings) = plan_preset(plan).workloads;
  return settings;
}

WorkloadRecord measure_workload(const WorkloadBackend& backend, const Workload& workload,
                                const NetworkConfig& config, const WorkloadSettings& settings,
                                EnergyCounter* energy, const std::string& energy_unreadable,
                                const std::atomic<bool>* stop) {
  WorkloadRecord record;
  record.workload = workload.name;
  record.device = backend.device();
  record.backend = backend.name();
  record.precision = config.precision;
  record.batch = config.batch;
  record.input = workload.input;
  if (!tensor_bytes(config.precision)) {
    record.status = MeasurementStatus::unsupported;
    record.message = fmt::format("workloads run in fp32, fp16, bf16 or int8, not {}",
                                 to_string(config.precision));
    return record;
  }
  for (const Layer& layer : workload.layers) {
    const Work work = layer_work(layer, config.batch, config.precision);
    LayerRecord layer_record;
    layer_record.name = layer.name;
    layer_record.kind = std::string(layer.kind());
    layer_record.flops = work.flops;
    layer_record.bytes = work.bytes;
    record.flops += work.flops;
    record.bytes += work.bytes;
    record.layers.push_back(std::move(layer_record));
  }
  const std::string reason = backend.unsupported_reason(config.precision);
  if (!reason.empty()) {
    record.status = MeasurementStatus::unsupported;
    record.message = reason;
    return record;
  }

  const auto started = Clock::now();
  std::unique_ptr<PreparedNetwork> network;
  try {
    network = backend.prepare(workload, config);
  } catch (const KernelUnsupported& unsupported) {
    record.status = MeasurementStatus::unsupported;
    record.message = unsupported.what();
    return record;
  } catch (const std::bad_alloc&) {
    record.status = MeasurementStatus::error;
    record.message = "not enough memory for this batch";
    return record;
  } catch (const std::exception& error) {
    record.status = MeasurementStatus::error;
    record.message = error.what();
    return record;
  }

  const std::size_t layer_count = workload.layers.size();
  std::vector<std::vector<double>> layer_samples(layer_count);
  double joules = 0;
  try {
    for (int i = 0; i < settings.warmups; ++i) network->run();
    while (static_cast<int>(record.samples_s.size()) < settings.max_trials) {
      if (stop != nullptr && stop->load()) throw Interrupted("interrupted: nothing was written");
      const double before = energy != nullptr ? energy->joules() : 0;
      record.samples_s.push_back(network->timed_run());
      if (energy != nullptr) joules += energy->joules() - before;
      const std::vector<double> layers = network->timed_layers(layer_count);
      for (std::size_t i = 0; i < layer_count; ++i) layer_samples[i].push_back(layers[i]);
      if (static_cast<int>(record.samples_s.size()) < settings.min_trials) continue;
      if (compute_stats(record.samples_s).cv < settings.target_cv ||
          seconds_since(started) > settings.time_budget_s) {
        break;
      }
    }
  } catch (const Interrupted&) {
    throw;
  } catch (const std::exception& error) {
    record.status = MeasurementStatus::error;
    record.message = error.what();
    record.samples_s.clear();
    return record;
  }

  const SampleStats stats = compute_stats(record.samples_s);
  record.stats_s = TrialStats::from(stats);
  record.images_per_s = images_per_second(stats, config.batch);
  record.threads = static_cast<long long>(network->threads_used());
  const std::vector<std::string> implementations = network->implementations();
  for (std::size_t i = 0; i < layer_count; ++i) {
    LayerRecord& layer = record.layers[i];
    layer.samples_s = layer_samples[i];
    layer.stats_s = TrialStats::from(compute_stats(layer.samples_s));
    if (i < implementations.size() && !implementations[i].empty()) {
      layer.implementation = implementations[i];
    }
  }
  EnergyRecord energy_record;
  if (energy == nullptr) {
    energy_record.message = energy_unreadable;
  } else if (joules > 0) {
    energy_record.counter = energy->name();
    energy_record.joules_per_image =
        joules /
        static_cast<double>(record.samples_s.size() * static_cast<std::size_t>(config.batch));
  } else {
    energy_record.counter = energy->name();
    energy_record.message = "the counter did not advance during the passes";
  }
  record.energy = energy_record;
  return record;
}

}  // namespace hwcal
