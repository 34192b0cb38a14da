// The predecessor's newer registry (`hardware_registry/<type>/<id>/spec.json`, docs/importing.md):
// one spec.json per device or board, with `ops_per_clock` per precision, a derivation in words per
// precision (`ops_per_clock_notes`: "132 SMs x 128 CUDA cores/SM x 2 (FMA) = 33,792"), totals in
// `theoretical_peaks` (GFLOPS / GIOPS, 0 meaning none) at the clock `theoretical_peaks_notes`
// names, clocks, power profiles, and free-text notes.
//
// Conversion trusts no figure on its own. A precision is carried only when everything the file
// says about it agrees: the arithmetic of its derivation in words, that derivation's result
// against `ops_per_clock`, and `ops_per_clock` × the clock against the total (within the
// database's derivation tolerance, 1%); and, where the database already holds the same device,
// the total against that entry's sourced dense figure. A figure that fails one of these is
// flagged and left out, never carried silently: the importer cannot tell which side of a
// contradiction is right, and a figure twice a sourced dense one is a vendor's sparse figure.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hwcal/database/spec.hpp"
#include "hwcal/json/json_io.hpp"

namespace hwcal {

// What the database accepts beyond cpu and gpu. The kinds branch adds npu / accelerator / dsp
// entries and boards; until then such files are refused with that reason.
struct RegistryKinds {
  bool accelerators = false;  // npu, accelerator, dsp
  bool boards = false;
};
RegistryKinds registry_kinds_supported();

// An entry the converted figures are compared with: the database's entry for the same device.
struct RegistryReference {
  const HardwareSpec* spec = nullptr;
  std::string display_path;
};

struct RegistryConversion {
  std::string kind;                      // device_type as the file writes it ("tpu", "board")
  std::string id;                        // the entry id it would have
  std::optional<Json> entry;             // none when the file is refused
  std::string failure;                   // why it is refused: one line, naming the field
  std::vector<std::string> flags;        // figures that contradict themselves or a sourced one
  std::vector<std::string> changes;      // what was changed on the way
  std::vector<std::string> not_carried;  // what was left behind, and why
  std::vector<std::string> to_fill;      // what a person must still supply
  std::vector<std::string> parts;        // a board's part ids (they must exist)
};

// Converts one spec.json. `file` names it in messages; `folder_id` is the <id> folder it sits in.
// `reference` is the database's entry for the same device (its totals are compared), `peers`
// the database's entries of the same kind and architecture (their per-core or per-SM rates
// are compared where they agree among themselves; a contradicted one leaves out every per-unit
// figure no peer confirms).
// Malformed or hostile values (a wrong type, a negative, non-finite or absurdly large figure)
// refuse the file with a failure naming the field.
RegistryConversion convert_registry_spec(const Json& spec, const std::string& file,
                                         const std::string& folder_id,
                                         const std::optional<RegistryReference>& reference,
                                         const RegistryKinds& kinds,
                                         const std::vector<RegistryReference>& peers = {});

// One derivation in words, "32 dataflow units x 500 INT8 ops/unit/clock = 16,000 INT8
// ops/clock": the factors before '=' and the stated result after it. nullopt when the text has
// no '=' or no number on either side.
struct WordDerivation {
  std::vector<double> factors;
  double stated = 0;
  double product() const;
};
std::optional<WordDerivation> parse_word_derivation(const std::string& text);

}  // namespace hwcal
