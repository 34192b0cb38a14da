#include "hwcal/tools/calibrate.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "hwcal/clock.hpp"
#include "hwcal/database.hpp"
#include "hwcal/derive.hpp"
#include "hwcal/detect.hpp"
#include "hwcal/environment.hpp"
#include "hwcal/error.hpp"
#include "hwcal/json_io.hpp"
#include "hwcal/match.hpp"
#include "hwcal/report.hpp"
#include "hwcal/thread_team.hpp"
#include "hwcal/version.hpp"
#include "hwcal/workload_calibration.hpp"

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
// database; a temp folder when the machine has no entry.
fs::path default_output(const Database* database, const HardwareSpec* spec,
                        const std::string& power_mode, const std::string& stamp) {
  if (database != nullptr && spec != nullptr) {
    fs::path base = database->root().has_parent_path() ? database->root().parent_path() : ".";
    return base / "profiles" / spec->vendor_slug() / spec->id / power_mode / (stamp + ".json");
  }
  return fs::temp_directory_path() / "hwcal" / (stamp + ".json");
}

// Creates the folder and checks it can be written, before any long work starts.
void check_writable(const fs::path& output) {
  fs::path folder = output.has_parent_path() ? output.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) {
    throw IoError(
        fmt::format("{}: cannot create the output folder: {}", folder.string(), ec.message()));
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw IoError(fmt::format("{}: the output folder is not writable", folder.string()));
  }
  if (fs::is_directory(output, ec)) {
    throw IoError(fmt::format("{}: is a folder; --output names the profile file", output.string()));
  }
}

std::string size_text(const MeasurementRecord& record) {
  if (record.shape.n) return fmt::format("n={}", *record.shape.n);
  if (record.shape.array_bytes) {
    long long bytes = *record.shape.array_bytes;
    if (bytes >= (1LL << 20)) return fmt::format("{} MiB", bytes >> 20);
    return fmt::format("{} KiB", bytes >> 10);
  }
  return "-";
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

std::string render_measurement_table(const CalibrationProfile& profile, const HardwareSpec* spec) {
  std::string out = fmt::format("{:<28} {:<9} {:>9} {:>11} {:>11} {:<7} {:>7}  {}\n", "kernel",
                                "precision", "size", "best", "median", "unit", "% peak", "status");
  for (const MeasurementRecord& record : profile.measurements) {
    std::string precision = record.precision ? std::string(to_string(*record.precision)) : "-";
    std::string best = "-";
    std::string median = "-";
    std::string unit;
    std::string percent = "-";
    if (record.gflops) {
      unit = record.precision ? std::string(throughput_unit(*record.precision)) : "GFLOPS";
      best = format_rate(record.gflops->best);
      median = record.gflops->median ? format_rate(*record.gflops->median) : "-";
      if (spec != nullptr && record.precision) {
        auto peak = spec->peak_for_mode(*record.precision, profile.power_mode);
        if (peak && *peak > 0) percent = format_percent(record.gflops->best / *peak);
      }
    } else if (record.gbps) {
      unit = "GB/s";
      best = format_rate(record.gbps->best);
      median = record.gbps->median ? format_rate(*record.gbps->median) : "-";
      const double peak_gbps = spec != nullptr ? spec->bandwidth_for_mode(profile.power_mode) : 0;
      if (peak_gbps > 0 && record.residency == Residency::dram) {
        percent = format_percent(record.gbps->best / peak_gbps);
      }
    }
    std::string status(to_string(record.status));
    if (record.residency) status += fmt::format(" ({})", to_string(*record.residency));
    if (record.status != MeasurementStatus::passed && !record.message.empty()) {
      status += ": " + record.message;
    }
    out += fmt::format("{:<28} {:<9} {:>9} {:>11} {:>11} {:<7} {:>7}  {}\n", record.kernel,
                       precision, size_text(record), best, median, unit, percent, status);
  }
  return out;
}

int run_calibrate(const CalibrateOptions& options, Io& io) {
  if (options.device != "cpu") {
    throw UsageError(
        fmt::format("--device {}: this build calibrates the cpu only", options.device));
  }
  // Detection first: the hardware id, power mode, cores and caches all come from it.
  SystemInfo system = detect_system(detect_options_for(options.sysroot));

  std::optional<Database> database;
  if (!options.database.empty()) {
    try {
      database = Database::load(options.database);
    } catch (const Error& error) {
      if (options.hardware_id) throw;
      spdlog::warn("no database ({}): the profile will not name a hardware entry", error.what());
    }
  }

  std::vector<std::string> warnings;
  std::string hardware_id;
  std::string power_mode = options.power_mode.value_or("");
  Json match_evidence;
  if (database) {
    MachineMatch match = match_machine(*database, system);
    match_evidence = device_match_to_json(match.cpu, 3);
    if (options.hardware_id) {
      hardware_id = *options.hardware_id;
      const HardwareSpec& spec = database->get(hardware_id).spec;  // DataError when unknown
      if (spec.device_type != DeviceType::cpu) {
        throw UsageError(
            fmt::format("--hardware-id {} is a {} entry; calibrate --device cpu needs "
                        "a cpu entry",
                        hardware_id, to_string(spec.device_type)));
      }
    } else if (match.cpu.entry_id) {
      hardware_id = *match.cpu.entry_id;
    }
    for (const std::string& note : match.cpu.notes) warnings.push_back(note);
    if (power_mode.empty()) power_mode = match.power_mode;
  }
  if (power_mode.empty()) power_mode = "default";
  const HardwareSpec* spec =
      database && !hardware_id.empty() ? &database->get(hardware_id).spec : nullptr;
  if (spec != nullptr && !spec->power_modes.empty() &&
      spec->find_power_mode(power_mode) == nullptr) {
    std::string names;
    for (const PowerMode& mode : spec->power_modes)
      names += (names.empty() ? "" : ", ") + mode.name;
    throw DataError(database->path_for(*spec).string(), "/power_modes",
                    fmt::format("power mode '{}' is not one of {}'s ({}); pass --power-mode",
                                power_mode, hardware_id, names));
  }

  // Threads: one per physical core unless told otherwise, never more than the cores.
  // (Under a fixture sysroot the detected CPUs are another machine's: run on this one's.)
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

  CalibrationPlan plan;
  plan.plan = options.plan;
  plan.device = options.device;
  plan.kernels = options.kernels;
  plan.precisions = options.precisions;
  plan.time_budget_s = options.time_budget_s.value_or(0);
  MemoryTopology memory;
  if (system.cpu.caches.known()) memory.caches = *system.cpu.caches;
  if (system.memory.total_bytes.known()) {
    memory.available_bytes = static_cast<long long>(*system.memory.total_bytes) / 2;
  }
  // --kernels none: workloads only; their roofs then come from the entry's stored calibration.
  const bool no_kernels = options.kernels == std::vector<std::string>{"none"};
  if (no_kernels && options.workloads.empty()) {
    throw UsageError("--kernels none leaves nothing to run: add --workloads");
  }
  PlannedRun planned;
  if (!no_kernels) planned = plan_run(plan, env, memory);  // UsageError for unknown kernels
  std::optional<WorkloadPlan> workload_plan;
  if (!options.workloads.empty()) {
    workload_plan = plan_workloads(options.workloads, options.batches, options.precisions,
                                   options.workload_backend, options.plan);
  } else if (!options.batches.empty()) {
    throw UsageError("--batch goes with --workloads");
  }

  const std::string started_at = utc_now();
  const fs::path output = options.output ? *options.output
                                         : default_output(database ? &*database : nullptr, spec,
                                                          power_mode, timestamp_stem(started_at));
  check_writable(output);

  if (!options.quiet) {
    io.err << fmt::format("calibrate: {} ({}), power mode {}, plan {}, {} thread{}\n",
                          hardware_id.empty() ? "unknown machine" : hardware_id,
                          system.cpu.model.value_or("cpu model unknown"), power_mode,
                          to_string(options.plan), env.threads(), env.threads() == 1 ? "" : "s");
  }

  // Conditions of the run: what else is busy, the clock under vector load.
  EnvironmentFacts facts =
      environment_facts(system.cpu.governor.value_or(""), busy_fraction(options.sysroot, 0.25));
  for (const std::string& warning : environment_warnings(facts)) warnings.push_back(warning);
  HostInfo host = host_info(system);
  for (ClockLoad load : {ClockLoad::scalar, widest_clock_load()}) {
    if (!clock_load_available(load)) continue;
    ClockOptions clock;
    clock.load = load;
    clock.cpus = cpus;
    ClockMeasurement measured = measure_core_clock(clock);
    host.clocks_mhz[fmt::format("measured_{}", to_string(load))] = std::round(measured.mhz);
    if (load == ClockLoad::scalar && widest_clock_load() == ClockLoad::scalar) break;
  }

  ProgressBar bar(io.err, options.progress && io.err_is_terminal && !options.quiet);
  RunResult result;
  try {
    result = run_plan(planned, plan, env, std::ref(bar), options.stop);
  } catch (const Interrupted& interrupted) {
    io.err << "\ncalibrate: " << interrupted.what() << "\n";
    return 130;
  }
  for (const std::string& warning : result.warnings) warnings.push_back(warning);
  std::vector<WorkloadRecord> workload_records;
  if (workload_plan) {
    NetworkConfig network;
    network.cpus = cpus;
    network.seed = env.seed;
    try {
      workload_records =
          run_workloads(*workload_plan, network, options.sysroot, std::ref(bar), options.stop);
    } catch (const Interrupted& interrupted) {
      io.err << "\ncalibrate: " << interrupted.what() << "\n";
      return 130;
    }
  }

  CalibrationProfile profile;
  profile.tool.name = "calibrate";
  profile.tool.version = version();
  profile.tool.git_revision = git_revision();
  profile.tool.extra = build_info();
  profile.hardware_id = hardware_id;
  profile.device_type = DeviceType::cpu;
  profile.power_mode = power_mode;
  profile.started_at = started_at;
  profile.finished_at = utc_now();
  profile.host = host;
  profile.backends = cpu_backends(env);
  profile.settings.plan = std::string(to_string(options.plan));
  const PlanDefaults defaults = plan_defaults(options.plan);
  profile.settings.warmup_runs = defaults.warmups;
  profile.settings.trials = defaults.max_trials;
  profile.settings.threads = static_cast<long long>(env.threads());
  profile.settings.time_budget_s =
      plan.time_budget_s > 0 ? plan.time_budget_s : defaults.time_budget_s;
  Json settings_extra = Json::object({{"min_trials", defaults.min_trials},
                                      {"target_cv", defaults.target_cv},
                                      {"cpus", cpus},
                                      {"cpu_features", env.cpu.names()}});
  if (!options.kernels.empty()) settings_extra["kernels"] = options.kernels;
  if (workload_plan) {
    std::vector<std::string> names;
    for (const Workload& workload : workload_plan->workloads) names.push_back(workload.name);
    std::vector<std::string> precisions;
    for (Precision precision : workload_plan->precisions) {
      precisions.emplace_back(to_string(precision));
    }
    const WorkloadSettings& trials = workload_plan->settings;
    settings_extra["workloads"] = Json::object({{"names", names},
                                                {"precisions", precisions},
                                                {"batches", workload_plan->batches},
                                                {"backend", workload_plan->backend->name()},
                                                {"warmup_runs", trials.warmups},
                                                {"min_trials", trials.min_trials},
                                                {"max_trials", trials.max_trials},
                                                {"target_cv", trials.target_cv},
                                                {"time_budget_s", trials.time_budget_s}});
  }
  profile.settings.extra = settings_extra;
  profile.measurements = std::move(result.measurements);
  profile.workloads = std::move(workload_records);
  predict_workloads(profile, spec, output.generic_string());
  if (!match_evidence.is_null()) profile.extra = Json::object({{"match", match_evidence}});

  // A rate above the entry's theoretical peak means a wrong peak or a wrong kernel: say so.
  if (spec != nullptr) {
    for (const MeasurementRecord& record : profile.measurements) {
      if (record.status != MeasurementStatus::passed || !record.gflops || !record.precision ||
          record.emulated) {
        continue;
      }
      auto peak = spec->peak_for_mode(*record.precision, power_mode);
      if (peak && record.gflops->best > *peak * 1.02) {
        warnings.push_back(fmt::format(
            "{} reached {} {}, above {}'s theoretical {} peak of {} in mode {}: the database's "
            "peak or the kernel is wrong; export_calibration will refuse it",
            record.kernel, format_rate(record.gflops->best), throughput_unit(*record.precision),
            hardware_id, to_string(*record.precision), format_rate(*peak), power_mode));
      }
    }
  }
  profile.warnings = warnings;

  save_json_atomic(output, profile_to_json(profile));

  // Without an entry the table still compares with theoretical peaks: those add_hardware would
  // derive from detection (cores x lanes x FMA units x 2 x the clock measured above), said so.
  std::optional<Draft> draft;
  if (spec == nullptr && options.format != CalibrateFormat::json && !options.quiet) {
    auto measured =
        host.clocks_mhz.find(fmt::format("measured_{}", to_string(widest_clock_load())));
    ClockMeasurer clock_from_run = [&](const std::vector<int>&, std::string& note) {
      if (measured == host.clocks_mhz.end()) return std::optional<double>();
      note = "the clock calibrate measured under vector load";
      return std::optional<double>(measured->second);
    };
    draft = draft_cpu_entry(system, clock_from_run);
    if (draft->spec.theoretical_peaks.empty()) draft.reset();
  }
  if (options.format == CalibrateFormat::json) {
    io.out << dump_json(profile_to_json(profile));
  } else if (!options.quiet) {
    if (!profile.measurements.empty()) {
      io.out << render_measurement_table(profile, spec != nullptr ? spec
                                                  : draft         ? &draft->spec
                                                                  : nullptr);
      if (draft) {
        io.out << "% peak: against peaks derived from detection (no database entry; "
                  "add_hardware --from-detection drafts the same)\n";
      }
    }
    if (!profile.workloads.empty()) {
      if (!profile.measurements.empty()) io.out << "\n";
      io.out << render_workload_table(profile);
      if (options.workload_layers) {
        for (const WorkloadRecord& record : profile.workloads) {
          if (record.status == MeasurementStatus::passed) {
            io.out << "\n" << render_workload_layers(record);
          }
        }
      }
    }
  }
  if (!options.quiet) {
    for (const std::string& warning : profile.warnings) io.err << "warning: " << warning << "\n";
    io.err << fmt::format("profile written to {}\n", output.string());
    if (spec == nullptr) {
      io.err << "no database entry matches this machine: add one with `add_hardware "
                "--from-detection`, then `export_calibration --calibration "
             << output.string() << " --hardware-id ID`\n";
    }
  }
  return 0;
}

}  // namespace hwcal
