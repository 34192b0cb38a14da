#include "tools/calibrate.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "base/paths.hpp"
#include "base/suggest.hpp"
#include "base/text.hpp"
#include "base/thread_team.hpp"
#include "base/version.hpp"
#include "detect/clock.hpp"
#include "detect/detect.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/json/json_io.hpp"
#include "identify/derive.hpp"
#include "identify/match.hpp"
#include "measure/conditions.hpp"
#include "measure/environment.hpp"
#include "measure/gpu.hpp"
#include "measure/telemetry/jetson.hpp"
#include "measure/telemetry/nvml.hpp"
#include "measure/telemetry/power.hpp"
#include "profile/quality.hpp"
#include "report/report.hpp"
#include "summary/summary.hpp"
#include "workloads/workload_calibration.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

HostInfo host_info(const SystemInfo& system) {
  HostInfo host;
  const CpuDetection& cpu = system.cpu;
  if (cpu.model.known()) host.cpu_model = *cpu.model;
  if (cpu.vendor_id.known()) host.cpu_vendor = *cpu.vendor_id;
  if (cpu.isa.known()) host.architecture = *cpu.isa;
  if (cpu.physical_cores.known()) host.physical_cores = *cpu.physical_cores;
  if (cpu.logical_cpus.known()) host.logical_cores = *cpu.logical_cpus;
  if (cpu.caches.known()) host.caches = *cpu.caches;
  if (system.memory.total_bytes.known()) {
    host.memory_bytes = static_cast<long long>(*system.memory.total_bytes);
  }
  if (system.os.known()) host.os = *system.os;
  if (system.kernel.known()) host.kernel = *system.kernel;
  if (system.board.device_tree_model.known()) host.board = *system.board.device_tree_model;
  if (cpu.governor.known()) host.governor = *cpu.governor;
  if (cpu.base_clock_mhz.known()) host.clocks_mhz["base"] = *cpu.base_clock_mhz;
  if (cpu.max_clock_mhz.known()) host.clocks_mhz["max"] = *cpu.max_clock_mhz;
  if (cpu.reported_mhz.known()) host.clocks_mhz["reported"] = *cpu.reported_mhz;
  Json extra = Json::object();
  if (cpu.microarchitecture.known()) extra["microarchitecture"] = *cpu.microarchitecture;
  if (cpu.vector_isa.known()) extra["vector_isa"] = *cpu.vector_isa;
  extra["hypervisor"] = cpu.hypervisor;
  if (system.board.tegra_release.known()) extra["tegra_release"] = *system.board.tegra_release;
  host.extra = extra;
  return host;
}

// The profile's default home: profiles/<vendor>/<id>/<power mode>/<stamp>.json beside the
// database; a temp folder when the device has no entry (`temp_suffix` keeps the CPU's and the
// GPU's files of one run apart there).
fs::path default_output(const Database* database, const HardwareSpec* spec,
                        const std::string& power_mode, const std::string& stamp,
                        const std::string& temp_suffix) {
  if (database != nullptr && spec != nullptr) {
    fs::path base = database->root().has_parent_path() ? database->root().parent_path() : ".";
    return base / "profiles" / spec->vendor_slug() / spec->id / power_mode / (stamp + ".json");
  }
  return fs::temp_directory_path() / "hwcal" / (stamp + temp_suffix + ".json");
}

// Creates the folder and checks it can be written, before any long work starts.
void check_writable(const fs::path& output) {
  fs::path folder = output.has_parent_path() ? output.parent_path() : fs::path(".");
  std::error_code ec;
  make_folders(folder, "the output folder");
  if (::access(folder.c_str(), W_OK) != 0) {
    throw IoError(fmt::format("{}: the output folder is not writable", folder.string()));
  }
  if (fs::is_directory(output, ec)) {
    throw IoError(fmt::format("{}: is a folder; --output names the profile file", output.string()));
  }
}

// `--output runs/` (an existing folder, or a name ending in a slash): every profile of the run
// goes into it, named by its start and device.
bool output_is_folder(const std::optional<fs::path>& output) {
  if (!output) return false;
  const std::string text = output->string();
  std::error_code ec;
  return (!text.empty() && text.back() == '/') || fs::is_directory(*output, ec);
}

// Where a device's profile goes: --output's file or folder, else beside the database.
fs::path output_for(const std::optional<fs::path>& output, const Database* database,
                    const HardwareSpec* spec, const std::string& power_mode,
                    const std::string& started_at, const std::string& device_suffix) {
  if (output_is_folder(output)) {
    return *output / (timestamp_stem(started_at) + device_suffix + ".json");
  }
  if (output) return *output;
  return default_output(database, spec, power_mode, timestamp_stem(started_at), device_suffix);
}

class ProgressBar {
 public:
  ProgressBar(std::ostream& err, bool enabled) : err_(err), enabled_(enabled) {}
  void operator()(const RunProgress& progress) {
    if (!enabled_) return;
    const int width = 24;
    int filled =
        progress.total == 0 ? width : static_cast<int>(width * progress.done / progress.total);
    std::string line =
        fmt::format("\r[{}{}] {:>3}/{:<3} ETA {:>4.0f} s  {:<40.40}",
                    std::string(static_cast<std::size_t>(filled), '#'),
                    std::string(static_cast<std::size_t>(width - filled), '.'), progress.done,
                    progress.total, progress.remaining_s, progress.current);
    err_ << line << std::flush;
    if (progress.done == progress.total) err_ << "\r" << std::string(line.size(), ' ') << "\r";
  }

 private:
  std::ostream& err_;
  bool enabled_;
};

}  // namespace

std::string render_measurement_table(const CalibrationProfile& profile, const HardwareSpec* spec,
                                     PeakReference reference) {
  // The ceiling: the best peak kernel of each precision in this run.
  std::map<Precision, double> ceiling;
  if (reference == PeakReference::ceiling) {
    for (const MeasurementRecord& record : profile.measurements) {
      if (record.status != MeasurementStatus::passed || !record.gflops || !record.precision ||
          kernel_class_of(record) != KernelClass::peak_fma) {
        continue;
      }
      double& best = ceiling[*record.precision];
      best = std::max(best, record.gflops->best);
    }
  }
  const char* reference_name = reference == PeakReference::entry     ? "% entry"
                               : reference == PeakReference::derived ? "% derived"
                                                                     : "% ceiling";
  std::string out = fmt::format(
      "{:<28} {:<9} {:>9} {:>11} {:>11} {:<7} {:>3} {:>5} {:>9} {:<10} {}\n", "kernel", "precision",
      "size", "best", "median", "unit", "n", "cv", reference_name, "from", "status");
  for (const MeasurementRecord& record : profile.measurements) {
    std::string precision = record.precision ? std::string(to_string(*record.precision)) : "-";
    std::string best = "-";
    std::string median = "-";
    std::string unit;
    std::string percent = "-";
    std::string from;
    if (record.gflops) {
      unit = record.precision ? std::string(throughput_unit(*record.precision)) : "GFLOPS";
      best = format_rate(record.gflops->best);
      median = record.gflops->median ? format_rate(*record.gflops->median) : "-";
      if (spec != nullptr && record.precision) {
        auto peak = spec->peak_for_mode(*record.precision, profile.power_mode);
        if (peak && *peak > 0) {
          percent = format_percent(record.gflops->best / *peak);
          from = std::string(to_string(spec->peak_origin(*record.precision, profile.power_mode)));
        }
      } else if (record.precision) {
        auto peak = ceiling.find(*record.precision);
        if (peak != ceiling.end() && peak->second > 0) {
          percent = format_percent(record.gflops->best / peak->second);
          from = "measured";
        }
      }
    } else if (record.gbps) {
      unit = "GB/s";
      best = format_rate(record.gbps->best);
      median = record.gbps->median ? format_rate(*record.gbps->median) : "-";
      const double peak_gbps = spec != nullptr ? spec->bandwidth_for_mode(profile.power_mode) : 0;
      if (peak_gbps > 0 && record.residency == Residency::dram) {
        percent = format_percent(record.gbps->best / peak_gbps);
        from = "datasheet";
      }
    }
    std::string status(to_string(record.status));
    if (record.residency) status += fmt::format(" ({})", to_string(*record.residency));
    if (record.status != MeasurementStatus::passed && !record.message.empty()) {
      status += ": " + record.message;
    }
    const RecordQuality quality = record_quality(record, profile);
    if (!quality.caveats.empty())
      status += " [" + fmt::format("{}", fmt::join(quality.caveats, ", ")) + "]";
    const bool timed = quality.trials > 0 && record.status == MeasurementStatus::passed;
    out +=
        fmt::format("{:<28} {:<9} {:>9} {:>11} {:>11} {:<7} {:>3} {:>5} {:>9} {:<10} {}\n",
                    record.kernel, precision, record_size_text(record), best, median, unit,
                    timed ? std::to_string(quality.trials) : "-",
                    timed ? fmt::format("{:.1f}%", quality.cv * 100) : "-", percent, from, status);
  }
  // Which kernel set each precision's GEMM roof: the best library this machine has.
  const RunPeaks peaks = run_peaks(profile);
  std::vector<std::string> roofs;
  for (const auto& [precision, index] : peaks.measured_record) {
    roofs.push_back(
        fmt::format("{} {} ({} {})", to_string(precision), profile.measurements[index].kernel,
                    format_rate(peaks.measured.at(precision)), throughput_unit(precision)));
  }
  if (!roofs.empty()) out += fmt::format("GEMM roofs: {}\n", fmt::join(roofs, ", "));
  const ProfileQuality quality = assess_profile(profile);
  if (quality.passed > 0) out += "quality: " + quality_line(quality) + "\n";
  if (quality.noisy()) {
    out += "NOISY: " + fmt::format("{}", fmt::join(quality.problems, "; ")) +
           "; export_calibration refuses this profile without --accept-noisy\n";
  }
  return out;
}

namespace {

// What every device's run shares: the options, the machine as detected, the database and the
// match of each device to an entry.
struct RunContext {
  RunContext(const CalibrateOptions& run_options, Io& run_io, SystemInfo detected)
      : options(run_options), io(run_io), system(std::move(detected)) {}
  const CalibrateOptions& options;
  Io& io;
  SystemInfo system;
  const Database* database = nullptr;
  std::optional<MachineMatch> match;
  std::string power_mode;  // for every profile of this run
};

// One device's run, ready to be written.
struct DeviceRun {
  CalibrationProfile profile;
  const HardwareSpec* spec = nullptr;
  // Without an entry (a CPU): the entry add_hardware --from-detection would draft, with the
  // peaks derived from this machine; what the table and the workloads' roofline compare with.
  std::optional<Draft> derived;
  fs::path output;
  // Not a file --output names: the stamp in `output`'s name becomes the profile's unique stem
  // (profile_stem: stamp, host, hash of the content) when the profile is saved.
  bool named_by_content = false;
};

// The entry a device's profile belongs to: --hardware-id when it names an entry of this device's
// type, else the match (none for an unknown device).
std::string entry_for(const RunContext& context, DeviceType type, const DeviceMatch* matched,
                      std::vector<std::string>& warnings) {
  if (context.database == nullptr) return "";
  if (context.options.hardware_id) {
    const HardwareSpec& spec = context.database->get(*context.options.hardware_id).spec;
    if (spec.device_type == type) return *context.options.hardware_id;
    if (context.options.device != "all") {
      throw UsageError(
          fmt::format("--hardware-id {} is a {} entry; calibrate --device {} needs a {} entry",
                      *context.options.hardware_id, to_string(spec.device_type),
                      context.options.device, to_string(type)));
    }
  }
  if (matched == nullptr) return "";
  for (const std::string& note : matched->notes) warnings.push_back(note);
  return matched->entry_id.value_or("");
}

// The spec of `hardware_id`, checked to define `power_mode` when it defines modes at all.
const HardwareSpec* spec_for(const RunContext& context, const std::string& hardware_id,
                             const std::string& power_mode) {
  if (context.database == nullptr || hardware_id.empty()) return nullptr;
  const HardwareSpec* spec = &context.database->get(hardware_id).spec;
  if (!spec->power_modes.empty() && spec->find_power_mode(power_mode) == nullptr) {
    std::string names;
    for (const PowerMode& mode : spec->power_modes) {
      names += (names.empty() ? "" : ", ") + mode.name;
    }
    std::vector<std::string> known;
    for (const PowerMode& mode : spec->power_modes) known.push_back(mode.name);
    throw DataError(context.database->path_for(*spec).string(), "/power_modes",
                    fmt::format("power mode '{}'{} is not one of {}'s ({}); pass --power-mode",
                                power_mode, did_you_mean(known, power_mode), hardware_id, names));
  }
  return spec;
}

CalibrationProfile new_profile(const RunContext& context, DeviceType type,
                               const std::string& hardware_id) {
  CalibrationProfile profile;
  profile.tool.name = "calibrate";
  profile.tool.version = version();
  profile.tool.git_revision = git_revision();
  profile.tool.extra = build_info();
  profile.hardware_id = hardware_id;
  profile.device_type = type;
  profile.power_mode = context.power_mode;
  profile.host = host_info(context.system);
  profile.settings.plan = std::string(to_string(context.options.plan));
  return profile;
}

void fill_settings(CalibrationProfile& profile, const CalibrationPlan& plan, Json extra) {
  const PlanDefaults defaults = plan_defaults(plan.plan);
  profile.settings.warmup_runs = defaults.warmups;
  profile.settings.trials = defaults.max_trials;
  profile.settings.time_budget_s =
      plan.time_budget_s > 0 ? plan.time_budget_s : defaults.time_budget_s;
  extra["min_trials"] = defaults.min_trials;
  extra["target_cv"] = defaults.target_cv;
  if (!plan.kernels.empty()) extra["kernels"] = plan.kernels;
  profile.settings.extra = extra;
}

CalibrationPlan plan_for(const CalibrateOptions& options, const std::string& device) {
  CalibrationPlan plan;
  plan.plan = options.plan;
  plan.device = device;
  plan.precisions = options.precisions;
  plan.time_budget_s = options.time_budget_s.value_or(0);
  // --kernels may name both devices' kernels: each run takes its own.
  for (const std::string& id : options.kernels) {
    const KernelDescriptor* kernel = find_kernel(id);
    if (kernel == nullptr || kernel->device == device || options.device == device) {
      plan.kernels.push_back(id);  // plan_run reports unknown ids and other devices' kernels
    }
  }
  return plan;
}

bool is_gpu_workload_backend(const std::string& name) {
  return name == "cuda" || name == "cuda-graph";
}

// --workload-backend names one device's backend; the other device takes its own "auto".
std::string workload_backend_for(const CalibrateOptions& options, bool gpu) {
  return is_gpu_workload_backend(options.workload_backend) == gpu ? options.workload_backend
                                                                  : "auto";
}

// True when --kernels names no kernel of `device` although it names some: nothing to run there.
bool kernels_skip_device(const CalibrateOptions& options, const std::string& device) {
  if (options.kernels.empty() || options.device != "all") return false;
  for (const std::string& id : options.kernels) {
    const KernelDescriptor* kernel = find_kernel(id);
    if (kernel == nullptr || kernel->device == device) return false;
  }
  return true;
}

void announce(const RunContext& context, const std::string& device, const std::string& id,
              const std::string& model, const std::string& detail) {
  if (context.options.quiet) return;
  context.io.err << fmt::format("calibrate {}: {} ({}), power mode {}, plan {}, {}\n", device,
                                id.empty() ? "unknown entry" : id, model, context.power_mode,
                                to_string(context.options.plan), detail);
}

// The run's two halves: the planned kernels, then the plan's workloads when there is one, each
// with a progress bar on a terminal. The kernels' warnings join `warnings`.
struct Measured {
  RunResult result;
  std::vector<WorkloadRecord> workloads;
  Json conditions;  // the profile's `conditions` (measure/conditions.hpp)
};

Measured measure_device(const RunContext& context, const PlannedRun& planned,
                        const CalibrationPlan& plan, const KernelEnv& env, TrialObserver& observer,
                        const std::optional<WorkloadPlan>& workload_plan,
                        const NetworkConfig& network, std::vector<std::string>& warnings) {
  const CalibrateOptions& options = context.options;
  const bool bar_shown = options.progress && context.io.err_is_terminal && !options.quiet;
  Measured measured;
  measured.conditions = machine_facts(options.sysroot, context.system.cpu.hypervisor);
  // The warnings known before measuring are said now, not only after the table.
  if (!options.quiet) {
    for (const std::string& warning : warnings) context.io.err << "warning: " << warning << "\n";
  }
  {
    ProgressBar bar(context.io.err, bar_shown);
    MachineStateObserver state(options.sysroot, &observer);
    measured.result = run_plan(planned, plan, env, std::ref(bar), options.stop, &state);
    Json shares = state.summary();
    measured.conditions["other_cpu_share"] = shares["other_cpu_share"];
    measured.conditions["steal_share"] = shares["steal_share"];
    measured.conditions["trial_windows"] = shares["windows"];
    measured.conditions["reference"] = measured.result.reference;
  }
  measured.conditions["load_average"]["end"] = load_average(options.sysroot);
  warnings.insert(warnings.end(), measured.result.warnings.begin(), measured.result.warnings.end());
  if (workload_plan) {
    ProgressBar bar(context.io.err, bar_shown);
    measured.workloads =
        run_workloads(*workload_plan, network, options.sysroot, std::ref(bar), options.stop);
  }
  return measured;
}

// The latest earlier run of the same host, device, entry and power mode in the folder the profile
// goes to, and how this run's references moved against it (quality.hpp, reference_change); null
// without such a run. Files that are not profiles, or do not parse, are passed over: this is a
// comparison offered, not a check of the folder.
Json previous_run_change(const CalibrationProfile& profile, const fs::path& output) {
  const RunConditions now = conditions_of(profile);
  if (!now.host_name || (!now.compute_reference && !now.memory_reference)) return Json();
  std::error_code error;
  const fs::path folder = output.has_parent_path() ? output.parent_path() : fs::path(".");
  std::vector<fs::path> candidates;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const fs::path& path = it->path();
    if (path.extension() == ".json" && path.filename() != output.filename()) {
      candidates.push_back(path);
    }
  }
  // Newest names first (profiles are named by their UTC start): the first that matches is the
  // previous run, and the files behind it are not read; a folder of thousands is not read whole.
  std::sort(candidates.rbegin(), candidates.rend());
  if (candidates.size() > 200) candidates.resize(200);
  for (const fs::path& path : candidates) {
    try {
      const Json document = load_json_file(path);
      if (!looks_like_profile(document)) continue;
      CalibrationProfile before = profile_from_json(document, path.filename().string());
      if (before.device_type != profile.device_type || before.hardware_id != profile.hardware_id ||
          before.power_mode != profile.power_mode || before.started_at >= profile.started_at ||
          conditions_of(before).host_name != now.host_name) {
        continue;
      }
      return reference_change(profile, before, path.filename().string());
    } catch (const std::exception&) {
      continue;
    }
  }
  return Json();
}

// What every device's profile ends with: the settings, the records, the workloads' predictions,
// the match and the warnings (the run's own before predict_workloads').
void finish_profile(DeviceRun& run, const CalibrationPlan& plan, Json settings_extra,
                    const std::optional<WorkloadPlan>& workload_plan, Measured measured,
                    const DeviceMatch* matched, const std::vector<std::string>& warnings) {
  CalibrationProfile& profile = run.profile;
  if (workload_plan) settings_extra["workloads"] = workload_settings_json(*workload_plan);
  fill_settings(profile, plan, settings_extra);
  profile.measurements = std::move(measured.result.measurements);
  profile.workloads = std::move(measured.workloads);
  predict_workloads(profile, run.spec, run.output.generic_string());
  profile.extra = Json::object();
  if (matched != nullptr) profile.extra["match"] = device_match_to_json(*matched, 3);
  profile.extra["conditions"] = std::move(measured.conditions);
  // The record of the kernel that set each precision's GEMM roof, so a reader of the profile
  // sees which library it was without re-deriving it.
  const RunPeaks peaks = run_peaks(profile);
  Json roofs = Json::object();
  for (const auto& [precision, index] : peaks.measured_record) {
    const MeasurementRecord& record = profile.measurements[index];
    roofs[std::string(to_string(precision))] = Json::object({{"kernel", record.kernel},
                                                             {"backend", record.backend},
                                                             {"size", record_size_text(record)},
                                                             {"best", record.gflops->best}});
  }
  if (!roofs.empty()) profile.extra["gemm_roofs"] = roofs;
  profile.warnings.insert(profile.warnings.begin(), warnings.begin(), warnings.end());
  // Did the machine itself move since its previous run? Then the profile says so.
  if (Json change = previous_run_change(profile, run.output); !change.is_null()) {
    for (std::string& warning : reference_change_warnings(change)) {
      profile.warnings.push_back(std::move(warning));
    }
    profile.extra["conditions"]["reference"]["previous"] = std::move(change);
  }
  // The run's conditions, judged as export will judge them.
  for (const std::string& problem : assess_profile(profile).problems) {
    profile.warnings.push_back(problem);
  }
}

// Without an entry the CPU's table still compares with theoretical peaks: those add_hardware
// would derive from detection (cores x lanes x FMA units x 2 x the clock measured in the run; for
// a core missing from hwcal's table, FMA units inferred from this run's own fp32 FMA ceiling).
std::optional<Draft> derived_cpu_entry(const RunContext& context, const DeviceRun& run) {
  if (run.spec != nullptr || run.profile.device_type != DeviceType::cpu) return std::nullopt;
  const auto& clocks = run.profile.host.clocks_mhz;
  auto measured = clocks.find(fmt::format("measured_{}", to_string(widest_clock_load())));
  CpuDraftInputs inputs;
  inputs.clock = [&](const std::vector<int>&, std::string& note) {
    if (measured == clocks.end()) return std::optional<double>();
    note = "the clock calibrate measured under vector load";
    return std::optional<double>(measured->second);
  };
  inputs.fma_ceiling = [&](const std::vector<int>&, std::string& note) {
    if (measured == clocks.end()) {
      note = "calibrate measured no clock under vector load";
      return std::optional<FmaCeiling>();
    }
    // The widest fp32 FMA kernel this run measured.
    std::optional<FmaCeiling> best;
    for (const Fp32FmaKernel& fma : kFp32FmaKernels) {
      for (const MeasurementRecord& record : run.profile.measurements) {
        if (record.kernel == fma.id && record.status == MeasurementStatus::passed &&
            record.gflops && record.threads) {
          best = FmaCeiling{record.gflops->best, static_cast<int>(*record.threads), fma.vector_bits,
                            measured->second, record.kernel};
          break;
        }
      }
      if (best) break;
    }
    if (!best)
      note = "this run measured no fp32 FMA peak kernel (cpu_fma_fp32_*)";
    else
      note = "this run's " + best->kernel;
    return best;
  };
  std::optional<Draft> draft = draft_cpu_entry(context.system, inputs);
  if (draft->spec.theoretical_peaks.empty()) return std::nullopt;
  return draft;
}

// A CPU without an entry: derive its peaks now (with this run's clock and FMA ceiling) for the
// table, and give the workloads a roofline on them.
void use_derived_peaks(const RunContext& context, DeviceRun& run) {
  if (run.spec != nullptr) return;
  run.derived = derived_cpu_entry(context, run);
  if (!run.derived || run.profile.workloads.empty()) return;
  predict_workloads(run.profile, &run.derived->spec, run.output.generic_string());
  run.profile.warnings.push_back(
      "no database entry: the workloads' roofline stands on the peaks derived from detecting this "
      "machine" +
      std::string(run.derived->spec.peak_bandwidth_gbps > 0
                      ? ""
                      : " and on the bandwidth measured in this run (the theoretical one is "
                        "unknown)"));
}

DeviceRun calibrate_cpu(const RunContext& context, const std::string& started_at,
                        const std::string& output_suffix) {
  const CalibrateOptions& options = context.options;
  std::vector<std::string> warnings;
  const std::string hardware_id =
      entry_for(context, DeviceType::cpu, context.match ? &context.match->cpu : nullptr, warnings);
  const HardwareSpec* spec = spec_for(context, hardware_id, context.power_mode);

  // Threads: one per physical core unless told otherwise, never more than the cores.
  // (Under a fixture sysroot the detected CPUs are another machine's: run on this one's.)
  const SystemInfo& system = context.system;
  std::vector<int> cpus = system.cpu.one_cpu_per_core.empty() || options.sysroot != "/"
                              ? allowed_cpus()
                              : system.cpu.one_cpu_per_core;
  if (options.threads) {
    if (*options.threads == 0 || *options.threads > cpus.size()) {
      throw UsageError(fmt::format("--threads {}: this machine has {} physical cores available",
                                   *options.threads, cpus.size()));
    }
    cpus.resize(*options.threads);
  }
  KernelEnv env;
  env.cpu = host_cpu_features();
  env.cpus = cpus;

  CalibrationPlan plan = plan_for(options, "cpu");
  MemoryTopology memory;
  if (system.cpu.caches.known()) memory.caches = *system.cpu.caches;
  if (system.memory.total_bytes.known()) {
    memory.available_bytes = static_cast<long long>(*system.memory.total_bytes) / 2;
  }
  // --kernels none: workloads only; their roofs then come from the entry's stored calibration.
  const bool no_kernels = options.kernels == std::vector<std::string>{"none"};
  PlannedRun planned;
  if (!no_kernels) planned = plan_run(plan, env, memory);  // UsageError for unknown kernels
  std::optional<WorkloadPlan> workload_plan;
  if (!options.workloads.empty()) {
    workload_plan = plan_workloads(options.workloads, options.batches, options.precisions,
                                   workload_backend_for(options, false), options.plan);
  }

  DeviceRun run;
  run.spec = spec;
  run.output = output_for(options.output, context.database, spec, context.power_mode, started_at,
                          output_suffix);
  run.named_by_content = !options.output || output_is_folder(options.output);
  check_writable(run.output);
  announce(context, "cpu", hardware_id, system.cpu.model.value_or("cpu model unknown"),
           fmt::format("{} thread{}", env.threads(), env.threads() == 1 ? "" : "s"));

  // Conditions of the run: what else is busy, the clock under vector load.
  EnvironmentFacts facts =
      environment_facts(system.cpu.governor.value_or(""), busy_fraction(options.sysroot, 0.25));
  for (const std::string& warning : environment_warnings(facts)) warnings.push_back(warning);
  CalibrationProfile& profile = run.profile;
  profile = new_profile(context, DeviceType::cpu, hardware_id);
  profile.started_at = started_at;
  for (ClockLoad load : {ClockLoad::scalar, widest_clock_load()}) {
    if (!clock_load_available(load)) continue;
    ClockOptions clock;
    clock.load = load;
    clock.cpus = cpus;
    ClockMeasurement measured = measure_core_clock(clock);
    profile.host.clocks_mhz[fmt::format("measured_{}", to_string(load))] = std::round(measured.mhz);
    if (load == ClockLoad::scalar && widest_clock_load() == ClockLoad::scalar) break;
  }

  TrialMonitor monitor(cpu_power_source(options.sysroot), {});
  NetworkConfig network;
  network.cpus = cpus;
  network.seed = env.seed;
  Measured measured =
      measure_device(context, planned, plan, env, monitor, workload_plan, network, warnings);

  profile.finished_at = utc_now();
  profile.backends = cpu_backends(env);
  profile.settings.threads = static_cast<long long>(env.threads());
  measured.conditions["other_cpu_share"]["before"] =
      facts.busy_fraction < 0 ? Json() : Json(std::round(facts.busy_fraction * 1000) / 1000);
  finish_profile(run, plan, Json::object({{"cpus", cpus}, {"cpu_features", env.cpu.names()}}),
                 workload_plan, std::move(measured), context.match ? &context.match->cpu : nullptr,
                 warnings);
  use_derived_peaks(context, run);
  return run;
}

// The GPU's power source and the clocks sampled during its trials: ina3221 and devfreq on a
// Jetson, NVML on other GPUs.
struct GpuMonitoring {
  PowerSourceChoice power;
  std::vector<Gauge> gauges;
  Json device_facts;  // NVML's facts for the profile's device (null when NVML is unavailable)
  std::shared_ptr<Nvml> nvml;
  std::optional<Nvml::Device> nvml_device;
};

GpuMonitoring gpu_monitoring(const RunContext& context, const GpuFacts& facts,
                             const DeviceInfo& info) {
  GpuMonitoring monitoring;
  const fs::path sysroot = context.options.sysroot;
  if (facts.integrated) {
    monitoring.power = jetson_gpu_power_source(sysroot);
    JetsonClocks clocks = read_jetson_clocks(sysroot);
    if (!clocks.devfreq.empty()) {
      const fs::path cur_freq = sysroot / (clocks.devfreq.substr(1) + "/cur_freq");
      monitoring.gauges.push_back({"gpu_clock_mhz", clocks.devfreq + "/cur_freq", [cur_freq] {
                                     std::ifstream in(cur_freq);
                                     double hz = 0;
                                     if (!(in >> hz)) return std::optional<double>();
                                     return std::optional<double>(hz / 1e6);
                                   }});
    }
    return monitoring;
  }
  std::string problem;
  monitoring.nvml = Nvml::open(problem);
  if (!monitoring.nvml) {
    monitoring.power.problem = "NVML: " + problem;
    monitoring.device_facts = Json::object({{"unavailable", "NVML: " + problem}});
    return monitoring;
  }
  NvmlValue<Nvml::Device> device;
  if (info.extra.is_object() && info.extra.contains("pci_bus_id")) {
    device = monitoring.nvml->device_by_pci_bus_id(info.extra["pci_bus_id"].get<std::string>());
  } else {
    device.problem = "the CUDA runtime gave no PCI bus id to find the device in NVML by";
  }
  if (!device.known()) {
    monitoring.power.problem = device.problem;
    monitoring.device_facts = Json::object({{"unavailable", device.problem}});
    return monitoring;
  }
  monitoring.nvml_device = *device.value;
  monitoring.power = nvml_power_source(monitoring.nvml, *device.value);
  monitoring.device_facts = nvml_device_facts(*monitoring.nvml, *device.value);
  std::shared_ptr<Nvml> nvml = monitoring.nvml;
  Nvml::Device handle = *device.value;
  monitoring.gauges.push_back(
      {"sm_clock_mhz", "nvml", [nvml, handle] { return nvml->sm_clock_mhz(handle).value; }});
  monitoring.gauges.push_back(
      {"temperature_c", "nvml", [nvml, handle] { return nvml->temperature_c(handle).value; }});
  return monitoring;
}

DeviceRun calibrate_gpu(const RunContext& context, int gpu, const std::string& started_at,
                        const std::string& output_suffix) {
  const CalibrateOptions& options = context.options;
  std::vector<std::string> warnings;
  const std::string device_name = fmt::format("cuda:{}", gpu);
  const DeviceMatch* matched = nullptr;
  if (context.match) {
    for (const DeviceMatch& candidate : context.match->gpus) {
      if (candidate.device == device_name) matched = &candidate;
    }
  }
  const std::string hardware_id = entry_for(context, DeviceType::gpu, matched, warnings);
  const HardwareSpec* spec = spec_for(context, hardware_id, context.power_mode);

  KernelEnv env;
  env.cpu = host_cpu_features();
  env.gpu = gpu;
  env.gpu_facts = cuda_device_facts(gpu);
  CalibrationPlan plan = plan_for(options, "cuda");
  MemoryTopology host_memory;
  if (context.system.memory.total_bytes.known()) {
    host_memory.available_bytes = static_cast<long long>(*context.system.memory.total_bytes) / 2;
  }
  // --kernels none: workloads only; their roofs then come from the entry's stored calibration.
  const bool no_kernels = options.kernels == std::vector<std::string>{"none"};
  PlannedRun planned;
  if (!no_kernels) planned = plan_run(plan, env, host_memory);
  std::optional<WorkloadPlan> workload_plan;
  if (!options.workloads.empty()) {
    workload_plan = plan_gpu_workloads(options.workloads, options.batches, options.precisions,
                                       workload_backend_for(options, true), options.plan, gpu);
  }

  DeviceRun run;
  run.spec = spec;
  run.output = output_for(options.output, context.database, spec, context.power_mode, started_at,
                          output_suffix);
  run.named_by_content = !options.output || output_is_folder(options.output);
  check_writable(run.output);
  const std::string model = env.gpu_facts.present ? env.gpu_facts.name : "no GPU";
  announce(context, device_name, hardware_id, model,
           env.gpu_facts.present
               ? fmt::format("{} SMs, {:.1f} of {:.1f} GiB free", env.gpu_facts.multiprocessors,
                             static_cast<double>(env.gpu_facts.free_bytes) / (1 << 30),
                             static_cast<double>(env.gpu_facts.memory_bytes) / (1 << 30))
               : env.gpu_facts.problem);
  if (!env.gpu_facts.present) warnings.push_back(env.gpu_facts.problem);

  CalibrationProfile& profile = run.profile;
  profile = new_profile(context, DeviceType::gpu, hardware_id);
  profile.started_at = started_at;
  DeviceInfo device = cuda_device_info(gpu);
  for (const std::string& warning : cuda_environment_warnings()) warnings.push_back(warning);

  GpuMonitoring monitoring = gpu_monitoring(context, env.gpu_facts, device);
  if (!device.extra.is_object()) device.extra = Json::object();
  if (!monitoring.device_facts.is_null()) {
    device.extra["nvml"] = monitoring.device_facts;
    if (monitoring.device_facts.contains("driver_version")) {
      device.driver_version = monitoring.device_facts["driver_version"].get<std::string>();
    }
  }
  if (!device.driver_version) {
    for (const GpuDevice& detected : context.system.gpus) {
      if (detected.device == device_name && detected.driver_version.known()) {
        device.driver_version = *detected.driver_version;
      }
    }
  }
  const NvpModelMode* mode = nullptr;
  const PowerModeDetection& detected_mode = context.system.board.power_mode;
  if (detected_mode.conf && detected_mode.id.known() &&
      detected_mode.name.value_or("") == context.power_mode) {
    mode = detected_mode.conf->find(*detected_mode.id);
  }
  if (env.gpu_facts.integrated && context.system.board.is_jetson()) {
    JetsonClocks clocks = read_jetson_clocks(options.sysroot);
    device.extra["jetson_clocks"] = jetson_clocks_to_json(clocks);
    for (const std::string& warning : jetson_clock_warnings(clocks, mode)) {
      warnings.push_back(warning);
    }
  }

  TrialMonitor monitor(std::move(monitoring.power), monitoring.gauges);
  NetworkConfig network;
  network.gpu = gpu;
  network.seed = env.seed;
  Measured measured =
      measure_device(context, planned, plan, env, monitor, workload_plan, network, warnings);
  const std::map<std::string, double> highest = monitor.run_max();
  if (auto clock = highest.find("gpu_clock_mhz"); clock != highest.end()) {
    if (auto warning = jetson_load_clock_warning(clock->second, mode, context.power_mode)) {
      warnings.push_back(*warning);
    }
    device.extra["highest_gpu_clock_mhz"] = clock->second;
  }
  if (auto clock = highest.find("sm_clock_mhz"); clock != highest.end()) {
    device.extra["highest_sm_clock_mhz"] = clock->second;
  }
  if (monitoring.nvml && monitoring.nvml_device) {
    auto reasons = monitoring.nvml->throttle_reasons(*monitoring.nvml_device);
    if (reasons.known()) {
      std::string named = describe_throttle_reasons(*reasons.value);
      if (!named.empty()) {
        warnings.push_back("after the run the GPU's clocks were held back by: " + named);
      }
    }
  }

  profile.finished_at = utc_now();
  profile.devices = {device};
  profile.backends = cuda_backends();
  profile.settings.threads = 1;
  finish_profile(run, plan, Json::object({{"gpu", gpu}}), workload_plan, std::move(measured),
                 matched, warnings);
  return run;
}

// A rate above the entry's theoretical peak means a wrong peak or a wrong kernel: say so.
void check_against_peaks(DeviceRun& run) {
  if (run.spec == nullptr) return;
  CalibrationProfile& profile = run.profile;
  for (const MeasurementRecord& record : profile.measurements) {
    if (record.status != MeasurementStatus::passed || !record.gflops || !record.precision ||
        record.emulated) {
      continue;
    }
    auto peak = run.spec->peak_for_mode(*record.precision, profile.power_mode);
    if (peak && record.gflops->best > *peak * 1.02) {
      profile.warnings.push_back(fmt::format(
          "{} reached {} {}, above {}'s theoretical {} peak of {} in mode {}: the database's "
          "peak or the kernel is wrong; export_calibration will refuse it",
          record.kernel, format_rate(record.gflops->best), throughput_unit(*record.precision),
          profile.hardware_id, to_string(*record.precision), format_rate(*peak),
          profile.power_mode));
    }
  }
}

void report(const RunContext& context, const DeviceRun& run) {
  const CalibrationProfile& profile = run.profile;
  // The table is the result: --quiet keeps it and drops what stderr says after it.
  if (context.options.format == CalibrateFormat::console) {
    if (!profile.measurements.empty()) {
      if (run.spec != nullptr) {
        context.io.out << render_measurement_table(profile, run.spec, PeakReference::entry);
      } else if (run.derived) {
        context.io.out << render_measurement_table(profile, &run.derived->spec,
                                                   PeakReference::derived);
        context.io.out << "% derived: against the peaks derived from detecting this machine (no "
                          "database entry; add_hardware --from-detection drafts the same). from: "
                          "core_table = hwcal's table of core designs, cpu_flags = the CPU's ISA "
                          "flags with FMA units inferred from the measured FMA ceiling\n";
      } else {
        context.io.out << render_measurement_table(profile, nullptr, PeakReference::ceiling);
        context.io.out << "% ceiling: no entry and no derivable peak for this device, so against "
                          "the best peak kernel of each precision measured in this run\n";
      }
    }
    if (!profile.workloads.empty()) {
      if (!profile.measurements.empty()) context.io.out << "\n";
      context.io.out << render_workload_table(profile);
      if (context.options.workload_layers) {
        for (const WorkloadRecord& record : profile.workloads) {
          if (record.status == MeasurementStatus::passed) {
            context.io.out << "\n" << render_workload_layers(record);
          }
        }
      }
    }
  }
  if (context.options.quiet) return;
  for (const std::string& warning : run.profile.warnings) {
    context.io.err << "warning: " << warning << "\n";
  }
  context.io.err << fmt::format("profile written to {}\n", run.output.string());
  if (run.spec == nullptr) {
    context.io.err << "no database entry matches this "
                   << (run.profile.device_type == DeviceType::cpu ? "CPU" : "GPU")
                   << ": add one with `add_hardware --from-detection`, then `export_calibration "
                      "--calibration "
                   << run.output.string() << " --hardware-id ID`\n";
  }
}

// Which devices this run measures.
struct DeviceChoice {
  bool cpu = false;
  bool gpu = false;
  int gpu_index = 0;
};

DeviceChoice choose_devices(const CalibrateOptions& options) {
  if (options.device != "cpu" && options.device != "cuda" && options.device != "all") {
    throw UsageError(fmt::format("--device {}: expected cpu, cuda or all", options.device));
  }
  if (options.device == "cuda" && !cuda_built()) {
    std::string problem;
    cuda_device_count(problem);
    throw UsageError("--device cuda: " + problem);
  }
  const bool no_kernels = options.kernels == std::vector<std::string>{"none"};
  if (no_kernels && options.workloads.empty()) {
    throw UsageError("--kernels none leaves nothing to run: add --workloads");
  }
  if (!options.batches.empty() && options.workloads.empty()) {
    throw UsageError("--batch goes with --workloads");
  }
  // (--device cuda in a build without CUDA is refused above.)
  if (!options.workloads.empty() && options.device != "all") {
    const bool gpu_name = is_gpu_workload_backend(options.workload_backend);
    if (options.device == "cuda" && options.workload_backend != "auto" && !gpu_name) {
      throw UsageError(fmt::format(
          "--workload-backend {} runs on the CPU: on the GPU it is auto, cuda or cuda-graph",
          options.workload_backend));
    }
    if (options.device == "cpu" && gpu_name) {
      throw UsageError(fmt::format("--workload-backend {} runs on the GPU: add --device cuda",
                                   options.workload_backend));
    }
  }
  DeviceChoice choice;
  choice.gpu_index = options.gpu.value_or(0);
  choice.cpu = options.device != "cuda" && !kernels_skip_device(options, "cpu");
  std::string problem;
  const int gpus = cuda_built() ? cuda_device_count(problem) : 0;
  if (options.gpu && (*options.gpu < 0 || (gpus > 0 && *options.gpu >= gpus))) {
    throw UsageError(fmt::format("--gpu {}: the CUDA runtime sees {} device{}", *options.gpu, gpus,
                                 gpus == 1 ? "" : "s"));
  }
  // --device cuda without a usable GPU still runs: every kernel records why it cannot.
  // Under --device all the GPU runs when it has kernels or workloads to run.
  const bool gpu_kernels = !no_kernels && !kernels_skip_device(options, "cuda");
  choice.gpu = options.device == "cuda" ||
               (options.device == "all" && gpus > 0 && (gpu_kernels || !options.workloads.empty()));
  if (!no_kernels) {
    // The filters must leave something to measure (unknown kernel ids are usage errors here).
    const bool cpu_empty = choice.cpu && select_kernels(plan_for(options, "cpu")).empty();
    const bool gpu_empty = choice.gpu && select_kernels(plan_for(options, "cuda")).empty();
    if (cpu_empty && choice.gpu && !gpu_empty) {
      spdlog::info("calibrate: the filters leave no cpu kernel: the GPU only");
      choice.cpu = false;
    } else if (gpu_empty && choice.cpu && !cpu_empty) {
      spdlog::info("calibrate: the filters leave no cuda kernel: the CPU only");
      choice.gpu = false;
    } else if (cpu_empty || gpu_empty) {
      std::vector<std::string> precisions;
      for (Precision precision : options.precisions) {
        precisions.emplace_back(to_string(precision));
      }
      throw Error(fmt::format(
          "--kernels {} and --precisions {} together select no {} kernel: nothing to measure "
          "(`calibrate --list-kernels` shows each kernel's precision)",
          fmt::join(options.kernels, ","), fmt::join(precisions, ","), cpu_empty ? "cpu" : "cuda"));
    }
  }
  if (options.output && choice.cpu && choice.gpu && !output_is_folder(options.output)) {
    throw UsageError(fmt::format(
        "--output {} names one profile, but this run writes two (the CPU's and cuda:{}'s): pass "
        "a folder (--output runs/), --device cpu or --device cuda",
        options.output->string(), choice.gpu_index));
  }
  return choice;
}

// Detection, the database and the match: everything a run of the chosen devices needs to know.
RunContext make_context(const CalibrateOptions& options, Io& io,
                        const std::optional<Database>& database) {
  RunContext context(options, io,
                     detect_system(detect_options_for(options.sysroot, default_cuda_probe())));
  context.database = database ? &*database : nullptr;
  if (database) context.match = match_machine(*database, context.system);
  context.power_mode = options.power_mode.value_or("");
  if (context.power_mode.empty() && context.match) context.power_mode = context.match->power_mode;
  if (context.power_mode.empty()) context.power_mode = "default";
  // The mode names a folder of profiles: never a way out of the tree.
  if (auto problem = path_component_problem(context.power_mode)) {
    if (options.power_mode) {
      throw UsageError(fmt::format("--power-mode '{}' {}: it names a folder of profiles",
                                   context.power_mode, *problem));
    }
    throw DataError("the detected power mode", "",
                    fmt::format("'{}' {}: give --power-mode", context.power_mode, *problem));
  }
  return context;
}

bool writes_into_tree(const RunContext& context, const fs::path& output) {
  return context.database != nullptr && is_inside(fs::absolute(output).lexically_normal(),
                                                  calibration_base(context.database->root()));
}

// The records of `run` that ended in status error: "cpu_gemm_bf16_onednn n=1024 (message)".
std::vector<std::string> failed_records(const DeviceRun& run) {
  std::vector<std::string> failed;
  for (const MeasurementRecord& record : run.profile.measurements) {
    if (record.status != MeasurementStatus::error) continue;
    const std::string size = record_size_text(record);
    failed.push_back(
        fmt::format("{}{} ({})", record.kernel, size == "-" ? "" : " " + size, record.message));
  }
  for (const WorkloadRecord& record : run.profile.workloads) {
    if (record.status != MeasurementStatus::error) continue;
    failed.push_back(
        fmt::format("workload {} batch {} ({})", record.workload, record.batch, record.message));
  }
  return failed;
}

// Measures every chosen device and writes one profile each; the number of records (kernels and
// workloads) that ended in error, which fail the run (exit 1) after their profiles are written.
std::size_t calibrate_devices(const RunContext& context, const DeviceChoice& choice) {
  // Checked before any device runs, so a bad --hardware-id fails before the first measurement.
  std::vector<std::string> ignored;
  if (choice.cpu) entry_for(context, DeviceType::cpu, nullptr, ignored);
  if (choice.gpu) entry_for(context, DeviceType::gpu, nullptr, ignored);

  const std::string started_at = utc_now();
  // Suffixes keep the files of one run apart where they share a folder (--output runs/, the temp
  // folder of unknown devices): the device, and the mode when every mode is calibrated. The
  // profiles/<vendor>/<entry>/<mode>/ folders need none.
  const bool suffix = (choice.cpu && choice.gpu) || output_is_folder(context.options.output);
  const std::string mode = context.options.all_power_modes ? "-" + context.power_mode : "";
  std::vector<DeviceRun> runs;
  if (choice.cpu) runs.push_back(calibrate_cpu(context, started_at, suffix ? mode + "-cpu" : ""));
  if (choice.gpu) {
    runs.push_back(calibrate_gpu(context, choice.gpu_index, utc_now(),
                                 fmt::format("{}-cuda{}", mode, choice.gpu_index)));
  }
  Json printed = Json::array();
  std::size_t records = 0;
  std::vector<std::string> failed;
  for (DeviceRun& run : runs) {
    check_against_peaks(run);
    {
      // Into the database's tree (profiles/...) only under its lock, like every other write
      // there: an export sweeping up dead writers' temp files must not take this one's.
      std::optional<DatabaseLock> lock;
      const std::string content = dump_json(profile_to_json(run.profile));
      if (run.named_by_content) {
        const std::string name = run.output.filename().string();
        const std::string stamp = timestamp_stem(run.profile.started_at);
        if (name.rfind(stamp, 0) == 0) {
          run.output.replace_filename(profile_stem(run.profile, content) +
                                      name.substr(stamp.size()));
        }
      }
      if (writes_into_tree(context, run.output)) lock.emplace(context.database->root());
      write_file_atomic(run.output, content);
    }
    printed.push_back(profile_to_json(run.profile));
    report(context, run);
    records += run.profile.measurements.size() + run.profile.workloads.size();
    for (std::string& record : failed_records(run)) failed.push_back(std::move(record));
  }
  if (context.options.format == CalibrateFormat::json) {
    context.io.out << dump_json(printed.size() == 1 ? printed[0] : printed);
  }
  if (!failed.empty()) {
    context.io.err << fmt::format("calibrate: {} of {} measurement{} ended in error (exit 1): {}\n",
                                  failed.size(), records, records == 1 ? "" : "s",
                                  fmt::join(failed, "; "));
  }
  return failed.size();
}

int calibrate_all_power_modes(const CalibrateOptions& options, Io& io,
                              const std::optional<Database>& database, const DeviceChoice& choice) {
  SystemInfo system = detect_system(detect_options_for(options.sysroot, default_cuda_probe()));
  const PowerModeDetection& detected = system.board.power_mode;
  if (!detected.conf || detected.conf->modes.empty()) {
    throw Error(fmt::format(
        "--all-power-modes: no nvpmodel modes ({}: {})", detected.name.source,
        detected.name.problem.empty() ? "no POWER_MODEL blocks" : detected.name.problem));
  }
  if (!detected.id.known()) {
    throw Error(
        fmt::format("--all-power-modes: the current mode is unknown ({}: {}), so it could "
                    "not be restored afterwards",
                    detected.id.source, detected.id.problem));
  }
  if (options.nvpmodel == "nvpmodel" && ::geteuid() != 0) {
    throw Error(
        "--all-power-modes switches modes with nvpmodel, which needs root: run it with "
        "sudo");
  }
  PowerModeSwitcher switcher;
  switcher.nvpmodel = options.nvpmodel;
  switcher.settle_s = options.power_mode_settle_s;
  const int original = *detected.id;
  if (!options.quiet) {
    io.err << fmt::format(
        "calibrate: {} power modes; the current one ({}) is restored at the end\n",
        detected.conf->modes.size(), detected.name.value_or("id " + std::to_string(original)));
  }
  // --format json: each mode's document is kept and all are printed as one at the end, with
  // each mode's status, instead of one document after another.
  const bool json = options.format == CalibrateFormat::json;
  std::map<std::string, Json> documents;
  AllModesResult all =
      for_each_power_mode(*detected.conf, original, switcher, [&](const NvpModelMode& mode) {
        if (!options.quiet) {
          io.err << fmt::format("calibrate: power mode {} (id {})\n", mode.name, mode.id);
        }
        CalibrateOptions in_mode = options;
        in_mode.power_mode = mode.name;
        std::ostringstream out;
        Io mode_io{json ? out : io.out, io.err,           io.in, !json && io.out_is_terminal,
                   io.err_is_terminal,  io.in_is_terminal};
        RunContext context = make_context(in_mode, mode_io, database);
        const std::size_t errors = calibrate_devices(context, choice);
        if (json) documents[mode.name] = parse_json(out.str(), "calibrate's output");
        if (errors > 0) throw Error("measurements ended in error (the profiles are written)");
      });
  bool failed = !all.restored;
  std::string table = "power mode        id  status      note\n";
  for (const ModeRun& run : all.modes) {
    table += fmt::format("{:<17} {:>2}  {:<10}  {}\n", run.name, run.id, run.status, run.message);
    failed = failed || run.status == "failed";
  }
  if (!options.quiet) {
    io.err << table << "calibrate: " << all.restore_message << "\n";
  }
  if (!all.restored) {
    io.err << "calibrate: the board is NOT in its original power mode: run `sudo nvpmodel -m "
           << original << "`\n";
  }
  if (json) {
    Json modes = Json::array();
    for (const ModeRun& run : all.modes) {
      auto found = documents.find(run.name);
      modes.push_back(
          Json::object({{"power_mode", run.name},
                        {"id", run.id},
                        {"status", run.status},
                        {"message", run.message},
                        {"result", found != documents.end() ? found->second : Json()}}));
    }
    io.out << dump_json(Json::object({{"power_modes", modes},
                                      {"restored", all.restored},
                                      {"restore_message", all.restore_message}}));
  }
  return failed ? 1 : 0;
}

}  // namespace

int run_calibrate(const CalibrateOptions& options, Io& io) {
  const DeviceChoice choice = choose_devices(options);
  if (options.all_power_modes && options.power_mode) {
    throw UsageError("--all-power-modes calibrates every mode: it takes no --power-mode");
  }
  if (options.all_power_modes && options.output && !output_is_folder(options.output)) {
    throw UsageError(
        "--all-power-modes writes one profile per mode and device: --output must name a folder "
        "(--output runs/), or be left out to write under profiles/");
  }
  std::optional<Database> database;
  if (!options.database.empty()) {
    try {
      database = Database::load(options.database);
    } catch (const Error& error) {
      if (options.hardware_id) throw;
      spdlog::warn("no database ({}): the profile will not name a hardware entry", error.what());
    }
  }
  try {
    if (options.all_power_modes) return calibrate_all_power_modes(options, io, database, choice);
    RunContext context = make_context(options, io, database);
    if (calibrate_devices(context, choice) > 0) return 1;
  } catch (const Interrupted& interrupted) {
    io.err << "\ncalibrate: " << interrupted.what() << "\n";
    return 130;
  }
  return 0;
}

}  // namespace hwcal
