// The predecessor tool's files (docs/architecture.md, File formats). Its database entries come in
// two layouts: flat (peak_bandwidth_gbps at the top) and nested (system, core_info,
// memory_subsystem, mapper). Conversion carries what is trustworthy into this schema and reports,
// per file, what it changed (patterns escaped so they match their own model string), what it could
// not carry (zero peaks, precision names outside the canonical list, cache figures) and what a
// person must fill in.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hwcal/json/json_io.hpp"

namespace hwcal {

struct LegacyConversion {
  std::string layout;                    // "flat" or "nested"
  std::optional<Json> entry;             // the entry document; none when no valid entry can be made
  std::string failure;                   // why there is no entry ("" when there is one)
  std::vector<std::string> changes;      // what was changed on the way
  std::vector<std::string> not_carried;  // what was left behind, and why
  std::vector<std::string> to_fill;      // what a person must still supply
};

// True for the predecessor's schema.json (a JSON Schema, not an entry).
bool is_legacy_schema(const Json& document);

// Converts one legacy entry; `file` names it in messages.
LegacyConversion convert_legacy_entry(const Json& legacy, const std::string& file);

}  // namespace hwcal
