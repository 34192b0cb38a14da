// gpu_check_table: the last step of scripts/gpu_check.sh. Reads calibrate's GPU profile and
// gpu_reference's JSON, prints the comparison table; with --workloads-profile, the workload
// table (layer by layer, graph, launch overhead, PyTorch eager) of a `calibrate --workloads` run.
// Exit 0 when every target is met, 1 when one is missed or could not be judged, 2 on bad
// arguments.
#include <cstdio>
#include <iostream>
#include <string>

#include "gpu_check_report.hpp"
#include "hwcal/base/error.hpp"

int main(int argc, char** argv) {
  hwcal::bench::GpuCheckInputs inputs;
  std::string profile;
  std::string reference;
  std::string workloads;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--profile") {
      profile = value;
    } else if (flag == "--workloads-profile") {
      workloads = value;
    } else if (flag == "--reference") {
      reference = value;
    } else if (flag == "--smi-log") {
      inputs.smi_sm_clocks_mhz = hwcal::bench::parse_smi_clock_log(hwcal::read_text_file(value));
    } else if (flag == "--plan-seconds") {
      inputs.plan_seconds = std::stod(value);
    } else if (flag == "--total-seconds") {
      inputs.total_seconds = std::stod(value);
    } else {
      std::cerr << "gpu_check_table: unknown flag " << flag << "\n";
      return 2;
    }
  }
  if ((profile.empty() && workloads.empty()) || argc % 2 == 0) {
    std::cerr << "usage: gpu_check_table --profile P [--reference R] [--smi-log L] "
                 "[--plan-seconds S] [--total-seconds T] | --workloads-profile W\n";
    return 2;
  }
  try {
    if (!workloads.empty()) {
      const hwcal::CalibrationProfile run =
          hwcal::profile_from_json(hwcal::load_json_file(workloads), workloads);
      const hwcal::bench::WorkloadCheckReport report =
          hwcal::bench::make_workload_check_report(run);
      std::cout << hwcal::bench::render_workload_check_report(report);
      if (profile.empty()) return report.misses == 0 && report.unjudged == 0 ? 0 : 1;
      std::cout << "\n";
    }
    inputs.profile = hwcal::profile_from_json(hwcal::load_json_file(profile), profile);
    if (!reference.empty()) inputs.reference = hwcal::load_json_file(reference);
    hwcal::bench::GpuCheckReport report = hwcal::bench::make_gpu_check_report(inputs);
    std::cout << hwcal::bench::render_gpu_check_report(report);
    return report.misses == 0 && report.unjudged == 0 ? 0 : 1;
  } catch (const hwcal::Error& error) {
    std::cerr << "gpu_check_table: " << error.what() << "\n";
    return 1;
  }
}
