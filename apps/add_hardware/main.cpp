// add_hardware: detect this machine and match it against the database, or create an entry
// (from detection, a file, --set assignments, the predecessor's files, or a wizard).
#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "hwcal/base/error.hpp"
#include "tools/add_hardware.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Know this machine and add database entries.\n\n"
      "Examples:\n"
      "  add_hardware --detect                     what this machine is, and the best matches\n"
      "  add_hardware --detect --measure-clock     ... plus clocks measured under vector load\n"
      "  add_hardware --from-detection --id my_cpu --set peak_bandwidth_gbps=76.8\n"
      "  add_hardware --from-detection --id my_cpu --set compute.fma_units_per_core=2 --dry-run\n"
      "  add_hardware --from-file entry.json --set theoretical_peaks.fp32=1497.6\n"
      "  add_hardware --import-legacy ../shared/legacy/hardware_database --dry-run\n"
      "  add_hardware --import-registry ../shared/legacy/registry --dry-run\n"
      "  add_hardware                              the interactive wizard (on a terminal)",
      "add_hardware"};
  hwcal::cli::CommonOptions common;
  hwcal::cli::add_common_options(app, common, "add_hardware");

  hwcal::AddHardwareOptions options;
  bool detect = false;
  bool from_detection = false;
  bool no_measure = false;
  std::string from_file;
  std::string format = "console";
  std::string sysroot = "/";
  std::string nvidia_smi;
  std::string id;
  std::string device;
  std::vector<std::string> legacy;
  std::vector<std::string> registry;
  std::string update;
  app.add_flag("--detect", detect, "Print what was detected and the best-matching entries");
  app.add_flag("--from-detection", from_detection,
               "Draft a new entry from this machine's detection (peaks derived where the formula "
               "is known) and write it");
  app.add_option("--from-file", from_file, "Add the entry in FILE (JSON)");
  app.add_option("--import-legacy", legacy,
                 "Import the predecessor's entries (files or folders), with a report per file")
      ->expected(1, -1);
  app.add_option("--import-registry", registry,
                 "Import the predecessor's newer registry (folders of <type>/<id>/spec.json, "
                 "calibrations/*.json, <precision>/efficiency_curves.json): one row per file, "
                 "imported or refused with its reason; figures that contradict their own "
                 "derivation, or that are twice a sourced dense figure (a vendor's sparse one), "
                 "are flagged and left out; calibrations become profiles of their entry, with "
                 "the power mode, clock and time from their file name; exit 1 when a file is "
                 "refused (docs/importing.md)")
      ->expected(1, -1);
  app.add_option("--set", options.sets,
                 "KEY=VALUE for the new entry; dotted keys for nested fields "
                 "(theoretical_peaks.fp32=100); JSON values are taken as JSON; KEY=null removes "
                 "(repeatable). With --from-detection the CPU peaks are derived again from "
                 "compute.fma_units_per_core=N (FMA pipes per core), compute.fma_width_bits=W "
                 "(the width of one pipe: 128, 256, 512) and, on a hybrid CPU, "
                 "compute.core_types.I.fma_units_per_core=N; such peaks say origin 'user'. "
                 "peak_bandwidth_gbps=X replaces a drafted peak_bandwidth_unknown");
  app.add_option("--update", update,
                 "Edit the existing entry ID with --set assignments, keeping its layout and its "
                 "calibration (--dry-run shows the change as a diff)");
  app.add_option("--id", id, "The new entry's id (default: derived from vendor and model)");
  app.add_option("--device", device, "With --from-detection: cpu (default) or a GPU as cuda:N");
  app.add_flag("--dry-run", options.dry_run, "Check and show the entry; write nothing");
  app.add_flag("--force", options.force,
               "Replace an entry with the same id (its calibration_summary, "
               "calibration_profiles and workload_summary are kept)");
  app.add_flag("--drop-calibration", options.drop_calibration,
               "With --force: drop the replaced entry's calibration instead of keeping it");
  app.add_option("--format", format, "Output form: console or json")
      ->check(hwcal::cli::one_of({"console", "json"}));
  app.add_option("--sysroot", sysroot,
                 "Read /proc, /sys and /etc under DIR instead of / (runs no commands)");
  app.add_option("--nvidia-smi", nvidia_smi, "The nvidia-smi to run, or 'none'");
  app.add_option("--top", options.top, "With --detect: candidates shown per device (default 3)");
  app.add_flag("--measure-clock", options.measure_clock,
               "With --detect: measure the core clock under scalar and each vector load");
  app.add_flag("--no-measure", no_measure,
               "With --from-detection: measure nothing (no clock where cpufreq has none, no FMA "
               "ceiling for a core missing from hwcal's table: those peaks are then left out)");

  return hwcal::cli::run(app, argc, argv, common, [&] {
    int modes = (detect ? 1 : 0) + (from_detection ? 1 : 0) + (from_file.empty() ? 0 : 1) +
                (legacy.empty() ? 0 : 1) + (registry.empty() ? 0 : 1) + (update.empty() ? 0 : 1);
    if (modes > 1) {
      throw hwcal::UsageError(
          "--detect, --from-detection, --from-file, --import-legacy, --import-registry and "
          "--update exclude each other");
    }
    if (!update.empty()) {
      if (options.sets.empty()) {
        throw hwcal::UsageError("--update ID edits with --set KEY=VALUE: give at least one");
      }
      if (!id.empty() || options.force) {
        throw hwcal::UsageError("--update edits ID in place: not with --id or --force");
      }
      options.mode = hwcal::AddHardwareMode::update;
      options.update = update;
    } else if (detect) {
      options.mode = hwcal::AddHardwareMode::detect;
    } else if (from_detection) {
      options.mode = hwcal::AddHardwareMode::from_detection;
    } else if (!from_file.empty()) {
      options.mode = hwcal::AddHardwareMode::from_file;
      options.from_file = from_file;
    } else if (!legacy.empty()) {
      options.mode = hwcal::AddHardwareMode::import_legacy;
      for (const std::string& path : legacy) options.legacy_paths.emplace_back(path);
    } else if (!registry.empty()) {
      options.mode = hwcal::AddHardwareMode::import_registry;
      for (const std::string& path : registry) options.registry_paths.emplace_back(path);
    } else if (!options.sets.empty()) {
      options.mode = hwcal::AddHardwareMode::set_only;
    } else {
      options.mode = hwcal::AddHardwareMode::wizard;
    }
    const bool writes = options.mode != hwcal::AddHardwareMode::detect;
    if (!writes && (options.dry_run || options.force || !id.empty() || !options.sets.empty())) {
      throw hwcal::UsageError(
          "--dry-run, --force, --id and --set create entries: not with --detect");
    }
    if (options.drop_calibration && !options.force) {
      throw hwcal::UsageError("--drop-calibration goes with --force");
    }
    if (options.measure_clock && options.mode != hwcal::AddHardwareMode::detect) {
      throw hwcal::UsageError("--measure-clock goes with --detect");
    }
    if (!device.empty() && options.mode != hwcal::AddHardwareMode::from_detection) {
      throw hwcal::UsageError("--device goes with --from-detection");
    }
    const bool batch = options.mode == hwcal::AddHardwareMode::import_legacy ||
                       options.mode == hwcal::AddHardwareMode::import_registry;
    const char* batch_flag = options.mode == hwcal::AddHardwareMode::import_legacy
                                 ? "--import-legacy"
                                 : "--import-registry";
    if (!id.empty() && batch) {
      throw hwcal::UsageError(std::string("--id names one entry: not with ") + batch_flag +
                              " (ids come from the files)");
    }
    if (!options.sets.empty() && batch) {
      throw hwcal::UsageError(std::string("--set applies to one entry: not with ") + batch_flag);
    }
    if (!device.empty()) {
      if (device != "cpu" && device.rfind("cuda:", 0) != 0) {
        throw hwcal::UsageError("--device must be cpu or cuda:N, got '" + device + "'");
      }
      options.device = device;
    }
    if (!id.empty()) options.id = id;
    if (!nvidia_smi.empty()) options.nvidia_smi = nvidia_smi;
    options.measure = !no_measure;
    options.sysroot = sysroot;
    options.format =
        format == "json" ? hwcal::AddHardwareFormat::json : hwcal::AddHardwareFormat::console;
    options.quiet = common.quiet;
    options.database = hwcal::cli::database_root(common);
    hwcal::Io io = hwcal::standard_io();
    return hwcal::run_add_hardware(options, io);
  });
}
