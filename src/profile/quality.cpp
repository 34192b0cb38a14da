#include "profile/quality.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace hwcal {
namespace {

std::optional<double> number_at(const Json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  auto found = object.find(key);
  if (found == object.end() || !found->is_number()) return std::nullopt;
  const double value = found->get<double>();
  if (!std::isfinite(value)) return std::nullopt;
  return value;
}

const Json& member(const Json& object, const char* key) {
  static const Json kNull;
  if (!object.is_object()) return kNull;
  auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

std::optional<long long> plan_min_trials(const CalibrationProfile& profile) {
  if (auto value = number_at(profile.settings.extra, "min_trials")) {
    return static_cast<long long>(*value);
  }
  return std::nullopt;
}

// The median of an array of numbers (the reference's points); nullopt without any.
std::optional<double> median_of(const Json& values) {
  if (!values.is_array()) return std::nullopt;
  std::vector<double> numbers;
  for (const Json& value : values) {
    if (value.is_number() && std::isfinite(value.get<double>()) && value.get<double>() > 0) {
      numbers.push_back(value.get<double>());
    }
  }
  if (numbers.empty()) return std::nullopt;
  return median(numbers);
}

std::string percent(double fraction) { return fmt::format("{:.0f}%", fraction * 100); }
std::string percent1(double fraction) { return fmt::format("{:.1f}%", fraction * 100); }

}  // namespace

std::string record_size_text(const MeasurementRecord& record) {
  if (record.shape.n) return fmt::format("n={}", *record.shape.n);
  if (record.shape.array_bytes) {
    const long long bytes = *record.shape.array_bytes;
    if (bytes >= (1LL << 20)) return fmt::format("{} MiB", bytes >> 20);
    return fmt::format("{} KiB", bytes >> 10);
  }
  return "-";
}

RunConditions conditions_of(const CalibrationProfile& profile) {
  RunConditions conditions;
  const Json& block = member(profile.extra, "conditions");
  if (!block.is_object()) return conditions;
  if (const Json& name = member(block, "host_name"); name.is_string()) {
    conditions.host_name = name.get<std::string>();
  }
  if (const Json& vm = member(block, "virtual_machine"); vm.is_boolean()) {
    conditions.virtual_machine = vm.get<bool>();
  }
  const Json& other = member(block, "other_cpu_share");
  conditions.other_cpu_share_before = number_at(other, "before");
  conditions.other_cpu_share = number_at(other, "during");
  conditions.other_cpu_share_max = number_at(other, "max_call");
  conditions.steal_share = number_at(member(block, "steal_share"), "during");
  const Json& reference = member(block, "reference");
  conditions.drift = number_at(reference, "drift");
  if (const Json& kernel = member(reference, "kernel"); kernel.is_string()) {
    conditions.reference_kernel = kernel.get<std::string>();
  }
  conditions.compute_reference = median_of(member(reference, "gflops"));
  const Json& memory = member(reference, "memory");
  conditions.memory_drift = number_at(memory, "drift");
  if (const Json& kernel = member(memory, "kernel"); kernel.is_string()) {
    conditions.memory_reference_kernel = kernel.get<std::string>();
  }
  conditions.memory_reference = median_of(member(memory, "gbps"));
  return conditions;
}

Json reference_change(const CalibrationProfile& now, const CalibrationProfile& before,
                      const std::string& before_name) {
  const RunConditions a = conditions_of(now);
  const RunConditions b = conditions_of(before);
  auto change = [](const std::optional<double>& x, const std::optional<double>& y) {
    return x && y && *y > 0 ? Json(std::round((*x / *y - 1) * 1000) / 1000) : Json();
  };
  Json compute = change(a.compute_reference, b.compute_reference);
  Json memory = change(a.memory_reference, b.memory_reference);
  if (compute.is_null() && memory.is_null()) return Json();
  return Json::object({{"profile", before_name},
                       {"started_at", before.started_at},
                       {"compute_change", compute},
                       {"memory_change", memory}});
}

std::vector<std::string> reference_change_warnings(const Json& change) {
  std::vector<std::string> warnings;
  if (!change.is_object()) return warnings;
  const std::string previous = fmt::format(
      "the previous run's on this host ({}, {})",
      member(change, "profile").is_string() ? change["profile"].get<std::string>() : "?",
      member(change, "started_at").is_string() ? change["started_at"].get<std::string>() : "?");
  auto say = [&](const char* what, const char* key, double limit) {
    const std::optional<double> moved = number_at(change, key);
    if (!moved || std::fabs(*moved) <= limit) return;
    warnings.push_back(fmt::format(
        "the {} reads {} {} {}: the machine itself moved between the two runs (limit {}), so "
        "their figures differ by as much without any change in what they measure",
        what, percent(std::fabs(*moved)), *moved < 0 ? "below" : "above", previous,
        percent(limit)));
  };
  say("compute reference (fp32 FMA loop)", "compute_change", kMovedComputeReference);
  say("memory reference (DRAM triad)", "memory_change", kMovedMemoryReference);
  return warnings;
}

RecordQuality record_quality(const MeasurementRecord& record, const CalibrationProfile& profile) {
  RecordQuality quality;
  quality.trials = record.samples_s.size();
  if (record.status != MeasurementStatus::passed || record.samples_s.empty()) return quality;
  quality.cv = record.stats_s ? record.stats_s->cv : compute_stats(record.samples_s).cv;
  if (auto min_trials = plan_min_trials(profile)) {
    quality.below_min_trials = static_cast<long long>(quality.trials) < *min_trials;
    if (quality.below_min_trials) {
      quality.caveats.push_back(fmt::format("{} of {} trials", quality.trials, *min_trials));
    }
  }
  if (auto planned = number_at(record.shape.extra, "planned_n")) {
    quality.planned_n = static_cast<long long>(*planned);
    quality.caveats.push_back(fmt::format("n shrunk from {}", *quality.planned_n));
  }
  if (quality.cv > kNoisyRecordCv) quality.caveats.push_back("cv " + percent(quality.cv));
  quality.other_cpu_share = number_at(member(record.extra, "conditions"), "other_cpu_share");
  if (quality.other_cpu_share && *quality.other_cpu_share > kNoisyOtherCpuShare) {
    quality.caveats.push_back("others busy " + percent(*quality.other_cpu_share));
  }
  return quality;
}

ProfileQuality assess_profile(const CalibrationProfile& profile) {
  ProfileQuality quality;
  quality.conditions = conditions_of(profile);
  std::vector<double> cvs;
  for (const MeasurementRecord& record : profile.measurements) {
    if (record.status != MeasurementStatus::passed || record.samples_s.empty()) continue;
    const RecordQuality one = record_quality(record, profile);
    ++quality.passed;
    cvs.push_back(one.cv);
    if (one.below_min_trials) ++quality.below_min_trials;
    if (one.planned_n) ++quality.shrunk;
    if (one.cv > kNoisyRecordCv) ++quality.spread;
    if (one.cv > quality.max_cv) {
      quality.max_cv = one.cv;
      quality.max_cv_record = record.kernel + " " + record_size_text(record);
    }
  }
  if (!cvs.empty()) quality.median_cv = median(cvs);

  const RunConditions& c = quality.conditions;
  if (c.other_cpu_share && *c.other_cpu_share > kNoisyOtherCpuShare) {
    quality.problems.push_back(
        fmt::format("other processes used {} of the CPUs during the trials{} (limit {})",
                    percent(*c.other_cpu_share),
                    c.other_cpu_share_max
                        ? fmt::format(", up to {} in one kernel's", percent(*c.other_cpu_share_max))
                        : "",
                    percent(kNoisyOtherCpuShare)));
  }
  if (c.steal_share && *c.steal_share > kNoisyStealShare) {
    quality.problems.push_back(
        fmt::format("the hypervisor stole {} of the CPUs' time during the trials (limit {})",
                    percent(*c.steal_share), percent(kNoisyStealShare)));
  }
  if (c.drift && *c.drift > kNoisyDrift) {
    quality.problems.push_back(fmt::format(
        "the reference kernel{} moved by {} between the start and the end of the run (limit {}): "
        "the machine's speed changed while it measured",
        c.reference_kernel ? " " + *c.reference_kernel : "", percent1(*c.drift),
        percent(kNoisyDrift)));
  }
  if (c.memory_drift && *c.memory_drift > kNoisyMemoryDrift) {
    quality.problems.push_back(fmt::format(
        "the memory reference{} moved by {} between the start and the end of the run (limit {}): "
        "the machine's memory bandwidth changed while it measured",
        c.memory_reference_kernel ? " " + *c.memory_reference_kernel : "",
        percent1(*c.memory_drift), percent(kNoisyMemoryDrift)));
  }
  if (quality.passed > 0 && quality.median_cv > kNoisyMedianCv) {
    quality.problems.push_back(fmt::format("the median cv of the kernels' samples is {} (limit {})",
                                           percent1(quality.median_cv), percent(kNoisyMedianCv)));
  }
  return quality;
}

std::string quality_line(const ProfileQuality& q) {
  std::string line = fmt::format("{} kernel{} passed", q.passed, q.passed == 1 ? "" : "s");
  if (q.below_min_trials > 0) {
    line += fmt::format("; {} below the plan's trials", q.below_min_trials);
  }
  if (q.shrunk > 0) line += fmt::format("; {} size{} shrunk", q.shrunk, q.shrunk == 1 ? "" : "s");
  if (q.passed > 0) {
    line += fmt::format("; largest cv {} ({}), median {}", percent1(q.max_cv), q.max_cv_record,
                        percent1(q.median_cv));
  }
  const RunConditions& c = q.conditions;
  if (c.other_cpu_share) {
    line += fmt::format("; other processes {} of the CPUs during the trials",
                        percent(*c.other_cpu_share));
  }
  if (c.steal_share && *c.steal_share > 0) line += "; steal " + percent(*c.steal_share);
  if (c.drift) line += "; reference drift " + percent1(*c.drift);
  if (c.memory_drift) line += ", memory " + percent1(*c.memory_drift);
  return line;
}

Json quality_to_json(const ProfileQuality& q) {
  auto optional = [](const std::optional<double>& value) {
    return value ? Json(std::round(*value * 1000) / 1000) : Json();
  };
  return Json::object({{"noisy", q.noisy()},
                       {"problems", q.problems},
                       {"passed", q.passed},
                       {"below_min_trials", q.below_min_trials},
                       {"shrunk", q.shrunk},
                       {"max_cv", std::round(q.max_cv * 1000) / 1000},
                       {"median_cv", std::round(q.median_cv * 1000) / 1000},
                       {"other_cpu_share", optional(q.conditions.other_cpu_share)},
                       {"steal_share", optional(q.conditions.steal_share)},
                       {"drift", optional(q.conditions.drift)},
                       {"memory_drift", optional(q.conditions.memory_drift)}});
}

}  // namespace hwcal
