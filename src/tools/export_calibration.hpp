// export_calibration: folds calibration profiles into the database. Each profile is matched to
// its entry and power mode, copied (converted, for the predecessor's files) into
// profiles/<vendor>/<id>/<power_mode>/<YYYYMMDDTHHMMSSZ>_<host>_<hash>.json (profile_stem) next
// to the database, and the entry gets calibration_summary (with by_power_mode) and
// calibration_profiles derived from the runs of each exported mode; nothing else in the entry
// changes, byte for byte. The whole read-modify-write runs under the database lock, so concurrent
// exports all land.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/io.hpp"

namespace hwcal {

struct ExportOptions {
  std::filesystem::path database;
  std::vector<std::filesystem::path> calibrations;       // --calibration FILE...
  std::optional<std::filesystem::path> calibration_dir;  // --calibration-dir DIR (recursive)
  std::optional<std::string> hardware_id;  // else the profile's, else a match on its model
  std::optional<std::string> power_mode;   // else the profile's (legacy: its folder's name)
  bool dry_run = false;                    // print the change as a diff, write nothing
  bool make_default = false;               // --default: this mode becomes default_power_mode
  bool allow_over_peak = false;            // write measured values > 2% above the peak
  bool accept_noisy = false;               // export a profile whose quality says noisy
  bool quiet = false;
  bool json = false;  // --format json: the result as one JSON object on stdout
};

// 0 on success (also when nothing changed). Throws UsageError for contradictory flags,
// DataError / IoError for what cannot be exported; nothing is written then.
int run_export_calibration(const ExportOptions& options, Io& io);

}  // namespace hwcal
