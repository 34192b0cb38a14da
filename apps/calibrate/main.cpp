// calibrate: measure this machine's GEMM, peak arithmetic and memory bandwidth and write a
// calibration profile.
#include <csignal>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "base/suggest.hpp"
#include "cli.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/workload.hpp"
#include "hwcal/json/json_io.hpp"
#include "tools/calibrate.hpp"

namespace {

std::atomic<bool> g_stop{false};

void on_interrupt(int) { g_stop.store(true); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Measure this machine (CPU: GEMM through OpenBLAS, oneDNN and Eigen, FMA peak arithmetic, "
      "STREAM and memcpy bandwidth over the cache levels; NVIDIA GPU: cuBLAS and cuBLASLt GEMM, "
      "a hand-written CUDA matmul, FMA peaks, device and host-device copies) and write one "
      "calibration profile per device that export_calibration folds into the database.\n\n"
      "Examples:\n"
      "  calibrate --plan quick                        about 10 s per device\n"
      "  calibrate                                     the standard plan, about a minute each\n"
      "  calibrate --device cuda --gpu 1               the second GPU only\n"
      "  calibrate --kernels cpu_gemm_fp32_openblas,cpu_stream_triad --threads 4\n"
      "  calibrate --hardware-id intel_core_i7_12700k --output run.json --device cpu\n"
      "  sudo calibrate --all-power-modes              a Jetson: every nvpmodel mode in turn\n"
      "  calibrate --list-kernels\n"
      "  calibrate --workloads resnet18,mobilenetv2 --batch 1,8     networks against the roofline\n"
      "  calibrate --workloads resnet18 --kernels none             networks only",
      "calibrate"};
  hwcal::cli::CommonOptions common;
  hwcal::cli::add_common_options(app, common, "calibrate");

  hwcal::CalibrateOptions options;
  std::string plan = "standard";
  std::string format = "console";
  std::string sysroot = "/";
  std::string output;
  std::string hardware_id;
  std::string power_mode;
  std::vector<std::string> precisions;
  std::size_t threads = 0;
  double time_budget = 0;
  int gpu = 0;
  bool list_kernels = false;
  bool list_workloads = false;
  app.add_option("--plan", plan, "quick (one size each, ~10 s), standard (~60 s) or full")
      ->check(hwcal::cli::one_of({"quick", "standard", "full"}));
  app.add_option("--device", options.device,
                 "What to calibrate: cpu, cuda, or all (default: the CPU and, in a build with "
                 "CUDA, the GPU when there is one); one profile per device")
      ->check(hwcal::cli::one_of({"cpu", "cuda", "all"}));
  app.add_option("--gpu", gpu, "The CUDA device to calibrate (default 0)");
  app.add_option("--kernels", options.kernels,
                 "Only these kernel ids (comma-separated); none: no micro-benchmarks")
      ->delimiter(',');
  app.add_option("--workloads", options.workloads,
                 "Also run these networks (comma-separated bundled names or .json files) and "
                 "compare them with the roofline")
      ->delimiter(',');
  app.add_option("--batch", options.batches, "Batch sizes of the workloads (default 1,8,32)")
      ->delimiter(',');
  app.add_option("--workload-backend", options.workload_backend,
                 "What runs the workloads: auto (CPU: oneDNN where built; GPU: cuda and "
                 "cuda-graph), onednn or portable (im2col + OpenBLAS, fp32); on the GPU cuda "
                 "(layer by layer) or cuda-graph (one CUDA graph)")
      ->check(hwcal::cli::one_of({"auto", "onednn", "portable", "cuda", "cuda-graph"}));
  app.add_flag("--workload-layers", options.workload_layers,
               "Print every layer of every workload configuration");
  app.add_option("--precisions", precisions, "Only these precisions (comma-separated)")
      ->delimiter(',');
  app.add_option("--threads", threads, "CPU threads (default: one per physical core)");
  app.add_option("--time-budget", time_budget, "Seconds for the whole run (default: the plan's)")
      ->check(hwcal::cli::finite_range(0.001, 1e6));
  app.add_option("--hardware-id", hardware_id,
                 "The database entry (default: matched by detection)");
  app.add_option("--power-mode", power_mode, "The power mode (default: nvpmodel's, else default)");
  app.add_option("--output", output,
                 "The profile file (default: profiles/<vendor>/<id>/<mode>/<UTC time>.json "
                 "beside the database)");
  app.add_option("--format", format, "stdout: console (a table) or json (the profile)")
      ->check(hwcal::cli::one_of({"console", "json"}));
  app.add_option("--sysroot", sysroot, "Read the machine's files under this root (tests)");
  app.add_flag("--all-power-modes", options.all_power_modes,
               "Jetson: calibrate every nvpmodel mode in turn (switches with nvpmodel -m, needs "
               "root), skip modes that need a reboot, restore the original mode");
  app.add_option("--nvpmodel", options.nvpmodel, "The nvpmodel program (default: from PATH)");
  app.add_option("--power-mode-settle", options.power_mode_settle_s,
                 "Seconds to wait after switching power modes (default 2)");
  app.add_flag("--list-kernels", list_kernels, "List the kernels this build has and exit");
  app.add_flag("--list-workloads", list_workloads, "List the bundled workloads and exit");

  return hwcal::cli::run(app, argc, argv, common, [&] {
    if (list_kernels) {
      if (format == "json") {
        std::cout << hwcal::dump_json(hwcal::kernel_list_json(hwcal::host_cpu_features()));
      } else {
        std::cout << hwcal::kernel_list_text(hwcal::host_cpu_features());
      }
      return 0;
    }
    if (list_workloads) {
      hwcal::Json list = hwcal::Json::array();
      for (const std::string& name : hwcal::bundled_workload_names()) {
        hwcal::Workload workload = hwcal::resolve_workload(name);
        if (format == "json") {
          list.push_back({{"name", workload.name},
                          {"title", workload.title},
                          {"layers", workload.layers.size()},
                          {"multiply_adds", workload.macs()},
                          {"parameters", workload.trained_parameters()}});
          continue;
        }
        std::cout << fmt::format(
            "{:<14} {:>3} layers {:>7.3f} G multiply-adds {:>6.2f} M "
            "parameters  {}\n",
            workload.name, workload.layers.size(), static_cast<double>(workload.macs()) / 1e9,
            static_cast<double>(workload.trained_parameters()) / 1e6, workload.title);
      }
      if (format == "json") std::cout << hwcal::dump_json(list);
      return 0;
    }
    options.plan = *hwcal::parse_plan(plan);
    for (const std::string& name : precisions) {
      auto precision = hwcal::parse_precision(name);
      if (!precision) {
        std::vector<std::string> known;
        for (hwcal::Precision each : hwcal::kAllPrecisions) known.emplace_back(to_string(each));
        throw hwcal::UsageError(
            fmt::format("--precisions: unknown precision '{}'{} (expected one "
                        "of {})",
                        name, hwcal::did_you_mean(known, name), hwcal::precision_names()));
      }
      options.precisions.push_back(*precision);
    }
    if (threads > 0 || app.count("--threads") > 0) options.threads = threads;
    if (app.count("--gpu") > 0) options.gpu = gpu;
    if (time_budget > 0) options.time_budget_s = time_budget;
    if (!hardware_id.empty()) options.hardware_id = hardware_id;
    if (!power_mode.empty()) options.power_mode = power_mode;
    if (!output.empty()) options.output = output;
    options.format =
        format == "json" ? hwcal::CalibrateFormat::json : hwcal::CalibrateFormat::console;
    options.sysroot = sysroot;
    options.quiet = common.quiet;
    try {
      options.database = hwcal::cli::database_root(common);
    } catch (const hwcal::UsageError&) {
      if (!hardware_id.empty()) throw;  // no database: an unknown machine still calibrates
    }
    std::signal(SIGINT, on_interrupt);
    options.stop = &g_stop;
    hwcal::Io io = hwcal::standard_io();
    return hwcal::run_calibrate(options, io);
  });
}
