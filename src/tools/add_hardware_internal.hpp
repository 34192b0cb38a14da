// What the parts of add_hardware share (the main modes, the wizard, the legacy import): the one
// check every new entry passes before it is written. Private to the library.
#pragma once

#include <string>
#include <vector>

#include "base/io.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/transaction.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/json/diagnostics.hpp"
#include "hwcal/json/json_io.hpp"
#include "tools/add_hardware.hpp"

namespace hwcal {

struct EntryCheck {
  HardwareSpec spec;               // as it will be written
  Json document;                   // spec_to_json(spec): the file's content
  std::string display_path;        // hardware_database/<type>/<vendor>/<id>.json
  Diagnostics diagnostics;         // errors block the write; warnings do not
  bool replaces = false;           // an entry with this id exists (and --force was given)
  std::vector<std::string> notes;  // what the check did beyond checking
};

// An entry accepted earlier in the same run but not (yet) in the database: --dry-run imports.
struct PendingEntry {
  HardwareSpec spec;
  std::string display_path;
};

// Parses `document` as an entry, serialises it the way it will be written, parses that again
// (so `covers` pointers are checked against the written file) and validates it: the semantic
// rules, the id and folder rules, and the rules across entries against `database` plus
// `pending`. A device already present is an error: the same model (the duplicate rule of
// summarize_database --check), or a detection pattern of one entry that matches the other's
// model string (detection could not tell them apart). An existing id is an error unless `force`;
// an entry replaced with `force` keeps its calibration_summary, calibration_profiles and
// workload_summary (where the new document has none) unless `keep_calibration` is false.
EntryCheck check_entry(const Json& document, const Database& database,
                       const std::vector<PendingEntry>& pending, bool force,
                       bool keep_calibration = true);

// Integral numbers written as integers (64, not 64.0), as people write them in entries.
Json tidy_numbers(const Json& document);

// Writes a checked entry (no errors) atomically into `database`; with a transaction, stages it
// there for the caller to commit with others (a legacy import's batch).
void write_checked(Database& database, const EntryCheck& check);
void write_checked(Database& database, const EntryCheck& check, Transaction& transaction);

// Prints the diagnostics of a check on io.err, errors first.
// Every diagnostic on stderr; with `errors_only` (--quiet) the errors alone.
void print_diagnostics(const Diagnostics& diagnostics, Io& io, bool errors_only = false);

// The interactive wizard (add_hardware without a mode flag, on a terminal).
int run_wizard(const AddHardwareOptions& options, Io& io);

// --import-legacy.
int run_import_legacy(const AddHardwareOptions& options, Io& io);

// --import-registry: one row per file of the registry folders, imported or refused with a reason,
// and flagged where a figure contradicts its own derivation or a sourced dense one.
int run_import_registry(const AddHardwareOptions& options, Io& io);

}  // namespace hwcal
