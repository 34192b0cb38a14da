#include <cmath>

#include <fmt/format.h>

#include "profile/profile.hpp"

namespace hwcal {
namespace {

constexpr double kMaxFlopsPerCall = 1e18;
constexpr double kMaxBytesPerCall = 1e15;
constexpr double kAgreement = 0.02;

bool positive(double value) { return std::isfinite(value) && value > 0; }

// A count of work per call: finite, at most `limit`, positive when a throughput is made of it.
bool count_ok(double value, double limit, bool makes_a_throughput) {
  if (!std::isfinite(value) || value < 0 || value > limit) return false;
  return !makes_a_throughput || value > 0;
}

void check_samples(const std::vector<double>& samples, const std::string& pointer,
                   std::vector<ProfileProblem>& problems) {
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!positive(samples[i])) {
      problems.push_back({pointer_append(pointer, i),
                          fmt::format("sample {} s: a trial takes a positive time", samples[i])});
      return;  // one per list is enough to refuse it
    }
  }
}

// `work` per call over the fastest sample, against the recorded best.
void check_agreement(double work, const std::vector<double>& samples, double best,
                     const std::string& pointer, const char* unit,
                     std::vector<ProfileProblem>& problems) {
  if (samples.empty()) return;
  double fastest = samples.front();
  for (double sample : samples) fastest = std::min(fastest, sample);
  if (!positive(fastest)) return;
  const double expected = work / fastest / 1e9;
  if (std::fabs(best - expected) > kAgreement * expected) {
    problems.push_back({pointer, fmt::format("best {:.6g} {} disagrees with the samples: the work "
                                             "per call over the fastest sample gives {:.6g}",
                                             best, unit, expected)});
  }
}

}  // namespace

std::vector<ProfileProblem> check_measurements(const CalibrationProfile& profile) {
  std::vector<ProfileProblem> problems;
  const bool legacy = profile.tool.name == "legacy";
  for (std::size_t i = 0; i < profile.measurements.size(); ++i) {
    const MeasurementRecord& record = profile.measurements[i];
    if (record.status != MeasurementStatus::passed) continue;
    const std::string base = pointer_append("/measurements", i);
    check_samples(record.samples_s, pointer_append(base, "samples_s"), problems);
    // A copy does no flops and an FMA kernel moves no bytes: zero is a count, unless the
    // record's throughput is made of it.
    if (record.flops && !count_ok(*record.flops, kMaxFlopsPerCall, record.gflops.has_value())) {
      problems.push_back({pointer_append(base, "flops"),
                          fmt::format("{:.6g} flops per call: expected a {} count of at most "
                                      "{:.0e}",
                                      *record.flops, record.gflops ? "positive" : "non-negative",
                                      kMaxFlopsPerCall)});
    }
    if (record.bytes && !count_ok(*record.bytes, kMaxBytesPerCall, record.gbps.has_value())) {
      problems.push_back({pointer_append(base, "bytes"),
                          fmt::format("{:.6g} bytes per call: expected a {} count of at most "
                                      "{:.0e}",
                                      *record.bytes, record.gbps ? "positive" : "non-negative",
                                      kMaxBytesPerCall)});
    }
    if (record.gflops) {
      const std::string pointer = pointer_append(pointer_append(base, "gflops"), "best");
      if (!positive(record.gflops->best)) {
        problems.push_back({pointer, fmt::format("best {} {}: expected a positive throughput",
                                                 record.gflops->best, "GFLOPS")});
      } else if (!legacy && record.flops && positive(*record.flops)) {
        check_agreement(*record.flops, record.samples_s, record.gflops->best, pointer, "GFLOPS",
                        problems);
      }
    }
    if (record.gbps) {
      const std::string pointer = pointer_append(pointer_append(base, "gbps"), "best");
      if (!positive(record.gbps->best)) {
        problems.push_back({pointer, fmt::format("best {} GB/s: expected a positive throughput",
                                                 record.gbps->best)});
      } else if (!legacy && record.bytes && positive(*record.bytes)) {
        check_agreement(*record.bytes, record.samples_s, record.gbps->best, pointer, "GB/s",
                        problems);
      }
    }
  }
  for (std::size_t i = 0; i < profile.workloads.size(); ++i) {
    const WorkloadRecord& record = profile.workloads[i];
    if (record.status != MeasurementStatus::passed) continue;
    const std::string base = pointer_append("/workloads", i);
    check_samples(record.samples_s, pointer_append(base, "samples_s"), problems);
    for (std::size_t j = 0; j < record.layers.size(); ++j) {
      check_samples(record.layers[j].samples_s,
                    pointer_append(pointer_append(pointer_append(base, "layers"), j), "samples_s"),
                    problems);
    }
  }
  return problems;
}

}  // namespace hwcal
