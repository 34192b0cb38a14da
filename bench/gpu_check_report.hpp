// The table scripts/gpu_check.sh ends with: calibrate's best figure per CUDA kernel beside the
// direct reference (bench/gpu_reference) measured in the same script, their ratio, the issue's
// target and PASS or MISS. Pure: inputs are the calibrate profile, the reference's JSON, an
// nvidia-smi clock log and the timings, so the unit tests drive it with captured files.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hwcal/json/json_io.hpp"
#include "profile/profile.hpp"

namespace hwcal::bench {

struct GpuCheckInputs {
  CalibrationProfile profile;             // calibrate --device cuda --plan standard
  Json reference;                         // gpu_reference's output
  std::vector<double> smi_sm_clocks_mhz;  // nvidia-smi's SM clock samples during the script
  std::optional<double> plan_seconds;     // wall time of the calibrate run
  std::optional<double> total_seconds;    // the whole script so far
};

struct GpuCheckRow {
  std::string kernel;
  std::optional<double> calibrate;  // best figure
  std::optional<double> reference;
  std::string unit;    // GFLOPS, GIOPS, GB/s
  std::string target;  // ">= 0.97x ref", ">= 95% of 65.0 TF (132 SM x 128 x 2 x 1.92 GHz)"
  std::string result;  // PASS, MISS, INFO
  std::string note;    // why MISS, what the clock was, a kernel's error
};

struct GpuCheckReport {
  std::string device;
  std::vector<GpuCheckRow> rows;
  std::vector<std::string> notes;
  int misses = 0;
  int unjudged = 0;  // rows without a reference figure or a target for this GPU
};

GpuCheckReport make_gpu_check_report(const GpuCheckInputs& inputs);
std::string render_gpu_check_report(const GpuCheckReport& report);

// The workload part (issue 9): per workload, precision and batch of a `calibrate --device cuda
// --workloads` profile, the layer-by-layer ("cuda") median, the graph-captured one
// ("cuda-graph", the record's extra `graph`), the launch-overhead share, PyTorch eager's figure
// from the issue and the targets: at batch 1 the graph at least 2x faster than eager, at batch 32
// no slower; other batches are shown (INFO). Eager figures are the H100 numbers: on
// another GPU the rows are INFO too.
struct WorkloadCheckRow {
  std::string workload;
  std::string precision;
  long long batch = 1;
  std::optional<double> layer_ms;  // layer by layer, median
  std::optional<double> graph_ms;  // graph-captured, median
  std::optional<double> launch_overhead_share;
  std::optional<double> eager_ms;  // PyTorch eager (issue 9)
  std::string target;              // "graph <= eager / 2", "graph <= eager"
  std::string result;              // PASS, MISS, INFO
  std::string note;                // a failed record's message
};

struct WorkloadCheckReport {
  std::string device;
  std::vector<WorkloadCheckRow> rows;
  int misses = 0;
  int unjudged = 0;  // a target row without both figures
};

// PyTorch 2.11 + cuDNN 9.19 eager on an H100 80GB HBM3, median of 50 runs (issue 9), in ms.
std::optional<double> pytorch_eager_h100_ms(std::string_view workload, std::string_view precision,
                                            long long batch);
WorkloadCheckReport make_workload_check_report(const CalibrationProfile& profile);
std::string render_workload_check_report(const WorkloadCheckReport& report);

// `nvidia-smi --query-gpu=clocks.sm,... --format=csv,noheader,nounits -lms N` lines: the first
// column of each line that starts with a number.
std::vector<double> parse_smi_clock_log(std::string_view text);

}  // namespace hwcal::bench
