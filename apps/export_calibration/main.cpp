// export_calibration: fold calibration profiles (calibrate's, or the predecessor's) into the
// hardware database: copy them under profiles/ and write the entry's calibration summary.
#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "tools/export_calibration.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Fold calibration profiles into the hardware database: each profile is copied to "
      "profiles/<vendor>/<id>/<power_mode>/ next to the database and the entry's "
      "calibration_summary and calibration_profiles are derived from the runs of each exported "
      "power mode. Nothing else in the entry changes.\n\n"
      "Examples:\n"
      "  export_calibration --calibration run.json\n"
      "  export_calibration --calibration-dir results/ --dry-run\n"
      "  export_calibration --calibration a.json b.json c.json --power-mode 25W --default\n"
      "  export_calibration --calibration old/25W/orin_gpu.json --hardware-id jetson_orin_nano_gpu",
      "export_calibration"};
  hwcal::cli::CommonOptions common;
  hwcal::cli::add_common_options(app, common, "export_calibration");

  hwcal::ExportOptions options;
  std::vector<std::string> calibrations;
  std::string calibration_dir;
  std::string hardware_id;
  std::string power_mode;
  auto* files = app.add_option("--calibration", calibrations,
                               "Profile files (calibrate's, or the predecessor tool's); several "
                               "of one entry and power mode are aggregated");
  auto* dir = app.add_option("--calibration-dir", calibration_dir,
                             "Export every .json file under DIR (recursively)");
  files->excludes(dir);
  app.add_option("--hardware-id", hardware_id,
                 "The database entry (default: the profile's hardware_id, else a match on the "
                 "model it recorded)");
  app.add_option("--power-mode", power_mode,
                 "The power mode the runs were measured in (default: the profile's; for the "
                 "predecessor's files, the folder name)");
  app.add_flag("--dry-run", options.dry_run, "Print the change as a diff and write nothing");
  app.add_flag("--default", options.make_default,
               "Make this power mode the entry's default_power_mode");
  app.add_flag("--allow-over-peak", options.allow_over_peak,
               "Write measured values more than 2% above the theoretical peak (normally refused)");
  app.add_flag("--accept-noisy", options.accept_noisy,
               "Export a profile whose run was noisy (other processes busy, CPU time stolen, the "
               "reference kernel drifting, or a median cv above 5%: its `quality` says which); "
               "normally refused. The summary's quality records it");

  std::string format = "console";
  app.add_option("--format", format,
                 "Output form: console (lines, or the diff with --dry-run) or json (one object: "
                 "each profile with where it is stored and its quality, each entry with whether "
                 "it changed and, with --dry-run, its diff; the notes)")
      ->check(hwcal::cli::one_of({"console", "json"}));

  return hwcal::cli::run(app, argc, argv, common, [&] {
    options.json = format == "json";
    options.database = hwcal::cli::database_root(common);
    for (const std::string& file : calibrations) options.calibrations.emplace_back(file);
    if (!calibration_dir.empty()) options.calibration_dir = calibration_dir;
    if (!hardware_id.empty()) options.hardware_id = hardware_id;
    if (!power_mode.empty()) options.power_mode = power_mode;
    options.quiet = common.quiet;
    hwcal::Io io = hwcal::standard_io();
    return hwcal::run_export_calibration(options, io);
  });
}
