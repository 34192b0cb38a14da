#include "gpu_check_report.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

#include <fmt/format.h>

namespace hwcal::bench {
namespace {

// The targets (H100 80GB HBM3).
constexpr double kGemmRatio = 0.97;
constexpr double kInt8Giops = 1250000;
constexpr double kCopyRatio = 0.95;
constexpr double kFmaFraction = 0.95;
constexpr double kHandRatio = 0.50;

// FMA lanes per SM: fp32, fp64, fp16 (through half2), by compute capability.
struct Lanes {
  int fp32;
  int fp64;
  int fp16;
};
std::optional<Lanes> lanes_for(const std::string& compute_capability) {
  if (compute_capability == "9.0") return Lanes{128, 64, 256};  // Hopper
  if (compute_capability == "8.0") return Lanes{64, 32, 256};   // A100
  return std::nullopt;
}

bool usable(const MeasurementRecord& record) {
  return record.status == MeasurementStatus::passed && !record.emulated;
}

bool is_device_bandwidth(const std::string& kernel) {
  return kernel == "cuda_memcpy_d2d" || kernel == "cuda_stream_copy" ||
         kernel == "cuda_stream_triad";
}

// calibrate's best for a kernel: over sizes for GEMM and FMA, over DRAM-resident sizes for device
// bandwidth, at the largest size for transfers. The message of a record that did not pass when
// none did.
std::optional<double> calibrate_best(const CalibrationProfile& profile, const std::string& kernel,
                                     std::string& problem) {
  std::optional<double> best;
  long long largest = -1;
  for (const MeasurementRecord& record : profile.measurements) {
    if (record.kernel != kernel) continue;
    if (!usable(record)) {
      if (problem.empty()) {
        problem = fmt::format("calibrate: {} ({})", to_string(record.status), record.message);
      }
      continue;
    }
    const double value = record.gflops ? record.gflops->best : record.gbps ? record.gbps->best : 0;
    if (kernel_class_of(record) == KernelClass::transfer) {
      const long long size = record.shape.array_bytes.value_or(0);
      if (size > largest) {
        largest = size;
        best = value;
      }
      continue;
    }
    if (is_device_bandwidth(kernel) && record.residency != Residency::dram) continue;
    best = std::max(best.value_or(0.0), value);
  }
  if (best) problem.clear();
  if (!best && problem.empty()) problem = "calibrate: no record";
  return best;
}

std::optional<double> reference_best(const Json& reference, const std::string& kernel) {
  std::optional<double> best;
  if (!reference.is_object() || !reference.contains("results")) return best;
  for (const Json& result : reference["results"]) {
    if (result.value("kernel", "") != kernel) continue;
    best = std::max(best.value_or(0.0), result.value("rate", 0.0));
  }
  return best;
}

std::string rate_text(std::optional<double> value) {
  if (!value) return "-";
  if (*value >= 1e5) return fmt::format("{:.1f}k", *value / 1e3);
  return fmt::format("{:.1f}", *value);
}

// The SM clock during the FMA run: what calibrate sampled through NVML for that record, else the
// highest nvidia-smi sample of the script.
std::optional<double> fma_clock_mhz(const GpuCheckInputs& inputs, const std::string& kernel,
                                    std::string& source) {
  for (const MeasurementRecord& record : inputs.profile.measurements) {
    if (record.kernel == kernel && usable(record) && record.extra.is_object() &&
        record.extra.contains("sm_clock_mhz")) {
      source = "NVML during the run";
      return record.extra["sm_clock_mhz"].value("mean", 0.0);
    }
  }
  if (!inputs.smi_sm_clocks_mhz.empty()) {
    source = "highest nvidia-smi sample";
    return *std::max_element(inputs.smi_sm_clocks_mhz.begin(), inputs.smi_sm_clocks_mhz.end());
  }
  return std::nullopt;
}

void judge(GpuCheckRow& row, bool pass, GpuCheckReport& report) {
  row.result = pass ? "PASS" : "MISS";
  if (!pass) ++report.misses;
}

}  // namespace

GpuCheckReport make_gpu_check_report(const GpuCheckInputs& inputs) {
  GpuCheckReport report;
  const CalibrationProfile& profile = inputs.profile;
  const DeviceInfo* device = profile.devices.empty() ? nullptr : &profile.devices.front();
  report.device = device && device->name ? *device->name : inputs.reference.value("device", "?");
  const std::string capability = device && device->compute_capability
                                     ? *device->compute_capability
                                     : inputs.reference.value("compute_capability", "");
  const long long sms = device && device->multiprocessors
                            ? *device->multiprocessors
                            : inputs.reference.value("multiprocessors", 0LL);

  auto ratio_row = [&](const std::string& kernel, const std::string& reference_kernel,
                       double minimum, const std::string& unit) {
    GpuCheckRow row;
    row.kernel = kernel;
    row.unit = unit;
    std::string problem;
    row.calibrate = calibrate_best(profile, kernel, problem);
    row.reference = reference_best(inputs.reference, reference_kernel);
    if (minimum <= 0) {
      row.target = "info";
      row.result = "INFO";
      row.note = problem;
      return row;
    }
    row.target = fmt::format(">= {:.2f}x ref", minimum);
    if (!row.reference || *row.reference <= 0) {
      row.result = "n/a";
      row.note = "no reference figure (the reference skips what this GPU lacks)";
      ++report.unjudged;
      return row;
    }
    if (!row.calibrate) {
      row.note = problem;
      judge(row, false, report);
      return row;
    }
    judge(row, *row.calibrate >= minimum * *row.reference, report);
    return row;
  };

  for (const char* kernel :
       {"cuda_gemm_fp64_cublas", "cuda_gemm_fp32_cublas", "cuda_gemm_tf32_cublas",
        "cuda_gemm_fp16_cublas", "cuda_gemm_bf16_cublas", "cuda_gemm_int8_cublaslt",
        "cuda_gemm_fp8_e4m3_cublaslt"}) {
    const std::string unit =
        std::string(kernel).find("int8") != std::string::npos ? "GIOPS" : "GFLOPS";
    report.rows.push_back(ratio_row(kernel, kernel, kGemmRatio, unit));
  }
  {
    GpuCheckRow row;
    row.kernel = "cuda_gemm_int8_cublaslt";
    row.unit = "GIOPS";
    std::string problem;
    row.calibrate = calibrate_best(profile, row.kernel, problem);
    row.target = ">= 1250 TOPS";
    if (capability != "9.0") {
      row.result = "n/a";
      row.note = "the 1250 TOPS target is for an H100";
      ++report.unjudged;
    } else {
      judge(row, row.calibrate && *row.calibrate >= kInt8Giops, report);
      row.note = problem;
    }
    report.rows.push_back(row);
  }
  {
    GpuCheckRow row =
        ratio_row("cuda_gemm_fp32_hand", "cuda_gemm_fp32_cublas", kHandRatio, "GFLOPS");
    row.target = ">= 0.50x cuBLAS fp32";
    if (row.calibrate && row.reference && *row.reference > 0) {
      row.note =
          fmt::format("{:.0f}% of cuBLAS fp32 (aim 75%)", 100 * *row.calibrate / *row.reference);
    }
    report.rows.push_back(row);
  }

  const std::optional<Lanes> lanes = lanes_for(capability);
  for (const char* kernel : {"cuda_fma_fp32", "cuda_fma_fp64", "cuda_fma_fp16"}) {
    GpuCheckRow row;
    row.kernel = kernel;
    row.unit = "GFLOPS";
    std::string problem;
    row.calibrate = calibrate_best(profile, kernel, problem);
    row.reference = reference_best(inputs.reference, kernel);
    std::string clock_source;
    const std::optional<double> clock = fma_clock_mhz(inputs, kernel, clock_source);
    if (!lanes || sms <= 0 || !clock) {
      row.target = ">= 95% of SMs x lanes x 2 x clock";
      row.result = "n/a";
      row.note = !lanes ? fmt::format("no lane table for compute capability {}", capability)
                        : "no SM clock was recorded";
      ++report.unjudged;
      report.rows.push_back(row);
      continue;
    }
    const int per_sm = std::string(kernel) == "cuda_fma_fp32"   ? lanes->fp32
                       : std::string(kernel) == "cuda_fma_fp64" ? lanes->fp64
                                                                : lanes->fp16;
    const double ceiling = static_cast<double>(sms) * per_sm * 2 * *clock / 1e3;
    row.target = fmt::format(">= 95% of {:.1f}k", ceiling / 1e3);
    row.note = fmt::format("{} SM x {} x 2 x {:.0f} MHz ({}); {:.1f}% of it", sms, per_sm, *clock,
                           clock_source, row.calibrate ? 100 * *row.calibrate / ceiling : 0.0);
    if (!row.calibrate) row.note = problem;
    judge(row, row.calibrate && *row.calibrate >= kFmaFraction * ceiling, report);
    report.rows.push_back(row);
  }

  report.rows.push_back(ratio_row("cuda_memcpy_d2d", "cuda_memcpy_d2d", kCopyRatio, "GB/s"));
  report.rows.push_back(ratio_row("cuda_stream_copy", "cuda_memcpy_d2d", 0, "GB/s"));
  report.rows.push_back(ratio_row("cuda_stream_triad", "cuda_memcpy_d2d", 0, "GB/s"));
  report.rows.push_back(
      ratio_row("cuda_memcpy_h2d_pinned", "cuda_memcpy_h2d_pinned", kCopyRatio, "GB/s"));
  report.rows.push_back(
      ratio_row("cuda_memcpy_d2h_pinned", "cuda_memcpy_d2h_pinned", kCopyRatio, "GB/s"));
  report.rows.push_back(
      ratio_row("cuda_memcpy_h2d_pageable", "cuda_memcpy_h2d_pageable", 0, "GB/s"));
  report.rows.push_back(
      ratio_row("cuda_memcpy_d2h_pageable", "cuda_memcpy_d2h_pageable", 0, "GB/s"));

  if (inputs.plan_seconds) {
    report.notes.push_back(
        fmt::format("calibrate --device cuda --plan standard: {:.1f} s (target "
                    "under 60 s)",
                    *inputs.plan_seconds));
  } else if (is_utc_timestamp(profile.started_at) && is_utc_timestamp(profile.finished_at)) {
    report.notes.push_back(
        fmt::format("calibrate ran from {} to {}", profile.started_at, profile.finished_at));
  }
  if (inputs.total_seconds) {
    report.notes.push_back(
        fmt::format("gpu_check.sh so far: {:.0f} s (target under 300 s)", *inputs.total_seconds));
  }
  int errors = 0;
  for (const MeasurementRecord& record : profile.measurements) {
    if (record.status == MeasurementStatus::error) ++errors;
  }
  if (errors > 0) {
    report.notes.push_back(fmt::format("{} calibrate record{} ended in error (see the profile)",
                                       errors, errors == 1 ? "" : "s"));
  }
  return report;
}

std::string render_gpu_check_report(const GpuCheckReport& report) {
  std::string out = fmt::format("GPU check: {}\n", report.device);
  out += fmt::format("{:<28} {:>10} {:>10} {:>6} {:<7} {:<20} {:<5} {}\n", "kernel", "calibrate",
                     "reference", "ratio", "unit", "target", "", "note");
  for (const GpuCheckRow& row : report.rows) {
    std::string ratio = "-";
    if (row.calibrate && row.reference && *row.reference > 0) {
      ratio = fmt::format("{:.3f}", *row.calibrate / *row.reference);
    }
    std::string line = fmt::format("{:<28} {:>10} {:>10} {:>6} {:<7} {:<20} {:<5} {}", row.kernel,
                                   rate_text(row.calibrate), rate_text(row.reference), ratio,
                                   row.unit, row.target, row.result, row.note);
    line.erase(line.find_last_not_of(' ') + 1);
    out += line + "\n";
  }
  for (const std::string& note : report.notes) out += note + "\n";
  if (report.misses == 0 && report.unjudged == 0) {
    out += "every target met\n";
  } else {
    out += fmt::format("{} target{} missed, {} could not be judged\n", report.misses,
                       report.misses == 1 ? "" : "s", report.unjudged);
  }
  return out;
}

std::vector<double> parse_smi_clock_log(std::string_view text) {
  std::vector<double> clocks;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t comma = line.find(',');
    std::string first = line.substr(0, comma);
    try {
      std::size_t used = 0;
      double value = std::stod(first, &used);
      if (used > 0) clocks.push_back(value);
    } catch (const std::exception&) {
    }
  }
  return clocks;
}

std::optional<double> pytorch_eager_h100_ms(std::string_view workload, std::string_view precision,
                                            long long batch) {
  struct Figure {
    const char* workload;
    const char* precision;
    double ms[3];  // batch 1, 8, 32
  };
  static const Figure figures[] = {{"resnet18", "fp32", {1.19, 1.41, 1.61}},
                                   {"resnet18", "fp16", {1.56, 1.46, 2.87}},
                                   {"mobilenetv2", "fp32", {5.16, 3.04, 3.14}},
                                   {"mobilenetv2", "fp16", {3.66, 5.66, 3.53}}};
  const int column = batch == 1 ? 0 : batch == 8 ? 1 : batch == 32 ? 2 : -1;
  if (column < 0) return std::nullopt;
  for (const Figure& figure : figures) {
    if (workload == figure.workload && precision == figure.precision) return figure.ms[column];
  }
  return std::nullopt;
}

WorkloadCheckReport make_workload_check_report(const CalibrationProfile& profile) {
  WorkloadCheckReport report;
  if (!profile.devices.empty()) report.device = profile.devices.front().name.value_or("");
  // The figures were measured on an H100; elsewhere they are shown, not judged.
  const bool h100 = report.device.find("H100") != std::string::npos;
  for (const WorkloadRecord& record : profile.workloads) {
    WorkloadCheckRow row;
    row.workload = record.workload;
    row.precision = std::string(to_string(record.precision));
    row.batch = record.batch;
    if (record.status == MeasurementStatus::passed && record.stats_s && record.stats_s->median) {
      (record.backend == "cuda-graph" ? row.graph_ms : row.layer_ms) =
          *record.stats_s->median * 1e3;
    } else {
      row.note = fmt::format("{}: {}", to_string(record.status), record.message);
    }
    if (record.extra.is_object() && record.extra.contains("graph")) {
      const Json& graph = record.extra["graph"];
      if (graph.contains("median_s")) row.graph_ms = graph["median_s"].get<double>() * 1e3;
      if (graph.value("status", std::string()) != "passed" && graph.contains("message")) {
        row.note +=
            (row.note.empty() ? "graph: " : "; graph: ") + graph["message"].get<std::string>();
      }
      if (record.extra.contains("launch_overhead_share")) {
        row.launch_overhead_share = record.extra["launch_overhead_share"].get<double>();
      }
    }
    row.eager_ms = pytorch_eager_h100_ms(row.workload, row.precision, row.batch);
    double factor = 0;
    if (row.batch == 1) {
      row.target = "graph <= eager / 2";
      factor = 0.5;
    } else if (row.batch == 32) {
      row.target = "graph <= eager";
      factor = 1.0;
    }
    if (factor == 0 || !row.eager_ms || !h100) {
      row.result = "INFO";
    } else if (!row.graph_ms) {
      row.result = "MISS";
      ++report.unjudged;
    } else if (*row.graph_ms <= *row.eager_ms * factor) {
      row.result = "PASS";
    } else {
      row.result = "MISS";
      ++report.misses;
    }
    report.rows.push_back(row);
  }
  return report;
}

std::string render_workload_check_report(const WorkloadCheckReport& report) {
  const auto ms = [](const std::optional<double>& value) {
    return value ? fmt::format("{:.3f}", *value) : std::string("-");
  };
  std::string out = fmt::format(
      "workloads on {} (medians, ms; eager: PyTorch 2.11 on an H100, "
      "issue 9)\n",
      report.device.empty() ? "the GPU" : report.device);
  out += fmt::format("{:<12} {:<5} {:>5} {:>10} {:>9} {:>9} {:>9} {:>12} {:<19} {:<6} {}\n",
                     "workload", "prec", "batch", "layer ms", "graph ms", "overhead", "eager ms",
                     "eager/graph", "target", "result", "note");
  for (const WorkloadCheckRow& row : report.rows) {
    const std::string share =
        row.launch_overhead_share ? fmt::format("{:.1f}%", *row.launch_overhead_share * 100) : "-";
    const std::string speedup = row.eager_ms && row.graph_ms && *row.graph_ms > 0
                                    ? fmt::format("{:.2f}x", *row.eager_ms / *row.graph_ms)
                                    : std::string("-");
    out += fmt::format("{:<12} {:<5} {:>5} {:>10} {:>9} {:>9} {:>9} {:>12} {:<19} {:<6} {}\n",
                       row.workload, row.precision, row.batch, ms(row.layer_ms), ms(row.graph_ms),
                       share, ms(row.eager_ms), speedup, row.target.empty() ? "-" : row.target,
                       row.result, row.note);
  }
  out +=
      "overhead = 1 - graph / layer by layer: the share of the layer-by-layer time spent "
      "launching\n";
  return out;
}

}  // namespace hwcal::bench
