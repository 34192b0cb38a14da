// export_calibration: fold calibration profiles (calibrate's, or the predecessor's) into the
// hardware database: copy them under profiles/ and write the entry's calibration summary.
#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "tools/export_calibration.hpp"
#include "tools/merge_entry.hpp"

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
      "  export_calibration --calibration old/25W/orin_gpu.json --hardware-id "
      "jetson_orin_nano_gpu\n\n"
      "As git's merge driver for database entries (docs/fleet.md):\n"
      "  git config merge.hwcal-entry.driver \"export_calibration merge-entry %O %A %B %P\"",
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

  hwcal::MergeEntryOptions merge;
  std::vector<std::string> merge_files;
  auto* merge_entry = app.add_subcommand(
      "merge-entry",
      "Git merge driver for entries: merges ANCESTOR, OURS and THEIRS (git's %O %A %B) into "
      "OURS. Fields merge three-way, each power mode's linked profiles as a set (both sides' "
      "links, less those one side dropped), and calibration_summary and workload_summary are "
      "derived again from the merged links, byte for byte as one export of all the profiles. "
      "Exit 0 when clean; 1 with conflict markers in OURS when both sides changed a field "
      "differently (the fields are named on stderr). Register it with\n"
      "  git config merge.hwcal-entry.driver \"export_calibration merge-entry %O %A %B %P\"\n"
      "and the repository's .gitattributes (hardware_database/** merge=hwcal-entry)");
  merge_entry->add_option("files", merge_files, "ANCESTOR OURS THEIRS [PATH] (%O %A %B %P)")
      ->required()
      ->expected(3, 4);

  return hwcal::cli::run(app, argc, argv, common, [&] {
    options.json = format == "json";
    if (*merge_entry) {
      merge.ancestor = merge_files[0];
      merge.ours = merge_files[1];
      merge.theirs = merge_files[2];
      if (merge_files.size() > 3) merge.path = merge_files[3];
      if (merge.path.empty()) merge.database = hwcal::cli::database_root(common);
      merge.quiet = common.quiet;
      hwcal::Io io = hwcal::standard_io();
      return hwcal::run_merge_entry(merge, io);
    }
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
