#include "measure/tuning.hpp"

namespace hwcal {

std::string_view to_string(Plan plan) {
  switch (plan) {
    case Plan::quick: return "quick";
    case Plan::standard: return "standard";
    case Plan::full: return "full";
  }
  return "standard";
}

std::optional<Plan> parse_plan(std::string_view name) {
  if (name == "quick") return Plan::quick;
  if (name == "standard") return Plan::standard;
  if (name == "full") return Plan::full;
  return std::nullopt;
}

const PlanPreset& plan_preset(Plan plan) {
  // quick: a number per kernel in seconds (one DRAM size, one GEMM size); standard: the cache
  // sweep and a few GEMM sizes within a minute; full: every size and tight spreads, for a
  // reference profile. Trials: {warmups, min_trials, max_trials, target_cv, time_budget_s}.
  // clang-format off
  static const PlanPreset quick{
      /*kernels=*/{1, 3, 8, 0.03, 8}, /*workloads=*/{1, 3, 5, 0.02, 5},
      /*sizes=*/{/*gemm_sizes=*/{2048}, /*cuda_gemm_sizes=*/{4096},
      /*memory_sweep=*/false, /*peak_call_s=*/0.02, /*memory_call_s=*/0.02}};
  static const PlanPreset standard{
      /*kernels=*/{2, 5, 30, 0.01, 55}, /*workloads=*/{1, 3, 10, 0.02, 20},
      /*sizes=*/{/*gemm_sizes=*/{256, 1024, 2048, 4096}, /*cuda_gemm_sizes=*/{1024, 4096, 8192},
      /*memory_sweep=*/true, /*peak_call_s=*/0.05, /*memory_call_s=*/0.03}};
  static const PlanPreset full{
      /*kernels=*/{3, 10, 100, 0.005, 600}, /*workloads=*/{2, 10, 30, 0.01, 60},
      /*sizes=*/{/*gemm_sizes=*/{128, 256, 512, 1024, 2048, 4096, 8192},
      /*cuda_gemm_sizes=*/{256, 512, 1024, 2048, 4096, 8192},
      /*memory_sweep=*/true, /*peak_call_s=*/0.1, /*memory_call_s=*/0.05}};
  // clang-format on
  switch (plan) {
    case Plan::quick: return quick;
    case Plan::standard: return standard;
    case Plan::full: return full;
  }
  return standard;
}

}  // namespace hwcal
