// calibrate: measures this machine with the micro-benchmarks of the kernel table and writes one
// calibration profile (docs/architecture.md, File formats) per database entry it ran for: the
// CPU's, and the GPU's when the build has CUDA and the runtime sees one (--device cpu|cuda|all,
// --gpu N); export_calibration folds each into the database. The hardware id and power mode come
// from the flags, else from matching the detected machine; an unknown machine still calibrates,
// with a hint to add it. On a Jetson, --all-power-modes switches through every nvpmodel mode,
// calibrating each, and restores the original mode.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/io.hpp"
#include "hwcal/model/precision.hpp"
#include "measure/runner.hpp"

namespace hwcal {

enum class CalibrateFormat { console, json };

struct CalibrateOptions {
  std::filesystem::path database;  // empty: calibrate without a database (unknown machine)
  std::filesystem::path sysroot = "/";
  Plan plan = Plan::standard;
  std::string device = "all";          // cpu, cuda, or all: the CPU and the GPU when there is one
  std::optional<int> gpu;              // CUDA device index (default 0)
  std::vector<std::string> kernels;    // {"none"}: no micro-benchmarks (workloads only)
  std::vector<Precision> precisions;   // micro-benchmarks and workloads alike
  std::optional<std::size_t> threads;  // default: one per physical core
  std::optional<double> time_budget_s;
  std::optional<std::string> hardware_id;
  std::optional<std::string> power_mode;
  std::optional<std::filesystem::path> output;
  CalibrateFormat format = CalibrateFormat::console;
  bool quiet = false;
  bool progress = true;                     // a progress bar when stderr is a terminal
  const std::atomic<bool>* stop = nullptr;  // set by Ctrl-C: stop between trials
  bool all_power_modes = false;             // every nvpmodel mode in turn (Jetson, root)
  std::string nvpmodel = "nvpmodel";        // the program that switches modes
  double power_mode_settle_s = 2;           // wait after a switch
  // --workloads: whole networks, after the micro-benchmarks (workload_calibration.hpp).
  std::vector<std::string> workloads;     // bundled names or .json files
  std::vector<long long> batches;         // empty: 1, 8, 32
  std::string workload_backend = "auto";  // auto, onednn, portable (CPU); cuda, cuda-graph
  bool workload_layers = false;           // print each configuration's layers too
};

// 0 when the profiles were written (kernels that failed or were unsupported are recorded in
// them; with --all-power-modes, when every mode was calibrated or skipped and the original mode
// is back); 1 when the run could not be done; 2 bad usage; 130 interrupted (the mode being
// measured writes nothing).
int run_calibrate(const CalibrateOptions& options, Io& io);

// What calibrate's percent column compares with, best first: the matched database entry, else
// the peaks derived from detecting this machine (what add_hardware --from-detection drafts),
// else the arithmetic ceiling this run measured (the best peak kernel of each precision).
enum class PeakReference { entry, derived, ceiling };

// The table calibrate prints at the end: kernel, precision, size, best and median throughput,
// percent of the reference ("% entry", "% derived" or "% ceiling"), where that reference figure
// came from (datasheet, core_table, cpu_flags, user; "measured" for the ceiling), status. `spec`
// is the entry or the derived draft; null with the ceiling.
std::string render_measurement_table(const CalibrationProfile& profile, const HardwareSpec* spec,
                                     PeakReference reference = PeakReference::entry);

}  // namespace hwcal
