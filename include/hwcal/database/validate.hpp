// Validation rules of the database (docs/schema.md, "Semantic rules"). Each rule returns
// diagnostics; none throws for bad data.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hwcal/database/database.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/database/tolerances.hpp"
#include "hwcal/json/diagnostics.hpp"

namespace hwcal {

// Rules on one entry. `relative_path` is the file's path below the database root
// ("gpu/nvidia/x.json"), used for the id and folder rules; `file` is how messages name it.
Diagnostics validate_spec(const HardwareSpec& spec, const std::string& file,
                          const std::string& relative_path);

// What the rules across entries need of one entry: kept instead of the whole spec when a large
// database is checked file by file.
struct EntryIdentity {
  std::string id;
  std::string device_key;  // device type and model without the vendor's words
  std::string display_path;
  // What the board rules need: every entry's power modes, a board's parts by id.
  bool is_board = false;
  std::vector<std::string> power_modes;
  std::vector<std::string> parts;
};
EntryIdentity identity_of(const HardwareSpec& spec, const std::string& display_path);

// The rules across entries (unique ids, one entry per device), fed in file order; finish() then
// checks what needs every entry: a board's parts exist, are no boards, and have its power modes.
class CrossEntryRules {
 public:
  void add(const EntryIdentity& entry, Diagnostics& diagnostics);
  void finish(Diagnostics& diagnostics) const;

 private:
  std::vector<EntryIdentity> entries_;
  std::map<std::string, std::string> file_of_id_;
  std::map<std::string, std::string> file_of_device_;
};

// The rules on an entry's workload_summary, which validate_spec applies: modes the entry has, no
// result twice, images/s equal to batch / latency and stack efficiency to predicted / latency
// within 1%.
void validate_workload_summary(const HardwareSpec& spec, const std::string& file,
                               Diagnostics& diagnostics);

// Every rule on every entry, plus the rules across entries (unique ids, duplicate devices) and
// the problems found while loading. Sorted: errors first.
Diagnostics validate_database(const Database& database);

// Compiles a detection pattern as hwcal matches it (ECMAScript, case-insensitive); "" when it
// compiles, else the reason.
std::string regex_problem(const std::string& pattern);

}  // namespace hwcal
