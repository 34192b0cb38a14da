// add_hardware: knows this machine (--detect), drafts an entry from it (--from-detection),
// takes one from a file or --set assignments, imports the predecessor's entries
// (--import-legacy) and its newer registry (--import-registry), or asks for one field by field on a
// terminal (the wizard). Every path validates the entry exactly as it will be written, refuses to
// replace an existing id without
// --force, and writes atomically under the database lock.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/io.hpp"
#include "hwcal/json/json_io.hpp"

namespace hwcal {

enum class AddHardwareMode {
  wizard,
  detect,
  from_detection,
  from_file,
  set_only,
  import_legacy,
  import_registry,
  update
};

enum class AddHardwareFormat { console, json };

struct AddHardwareOptions {
  std::filesystem::path database;
  AddHardwareMode mode = AddHardwareMode::wizard;
  AddHardwareFormat format = AddHardwareFormat::console;
  std::filesystem::path sysroot = "/";
  std::optional<std::string> nvidia_smi;  // the program to run; "none" runs none
  std::size_t top = 3;                    // --detect: candidates shown per device
  bool measure_clock = false;             // --detect: measure clocks under each load
  bool measure = true;                    // --from-detection: measure a clock nobody can read
  std::string device = "cpu";             // --from-detection: cpu or cuda:N
  std::optional<std::string> id;
  std::vector<std::string> sets;  // key=value, dotted keys for nested fields
  std::optional<std::filesystem::path> from_file;
  std::vector<std::filesystem::path> legacy_paths;
  std::vector<std::filesystem::path> registry_paths;  // --import-registry DIR...
  std::optional<std::string> update;                  // --update ID
  bool dry_run = false;
  bool force = false;
  bool drop_calibration = false;  // --force without keeping the replaced entry's calibration
  bool quiet = false;
};

int run_add_hardware(const AddHardwareOptions& options, Io& io);

// Applies one --set assignment to an entry document: "theoretical_peaks.fp32=100" sets a number,
// "vendor=AMD" a string, "detection_patterns=[\"^X$\"]" an array (JSON values are taken as
// JSON, anything else as a string; fields that are strings by definition always stay strings);
// "key=null" removes the key. Numeric segments index arrays ("sources.0.url=..."). UsageError
// on a malformed assignment.
void apply_assignment(Json& document, const std::string& assignment);

}  // namespace hwcal
