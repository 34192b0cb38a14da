// Where a theoretical figure came from (docs/architecture.md, "Where each figure came from"):
// - datasheet: a person wrote it from the entry's sources (a figure without a derivation, or a
//   derivation without an origin, as in every hand-written entry);
// - core_table: derived from detection with hwcal's table of core designs (detect/microarch.cpp),
//   whose rows cite their sources;
// - cpu_flags: derived from what the CPU says it can do (ISA flags) for a core the table does not
//   know, with the FMA units per core inferred from a measured FMA ceiling: to be checked;
// - user: derived from figures a person gave on the command line (--set).
// Kept in the model layer so that generated mapper headers can carry it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

enum class PeakOrigin { datasheet, core_table, cpu_flags, user };

std::string_view to_string(PeakOrigin origin);
std::optional<PeakOrigin> parse_peak_origin(std::string_view name);
std::string peak_origin_names();  // "datasheet, core_table, cpu_flags or user"
// What a person reads: "datasheet", "derived: core table", "derived: CPU flags, inferred units",
// "derived: given by the user".
std::string_view origin_label(PeakOrigin origin);
// The same for a narrow column: "datasheet", "core table", "CPU flags (inferred)", "user".
std::string_view origin_short_label(PeakOrigin origin);

}  // namespace hwcal
