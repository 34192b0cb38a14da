// Matching a detected machine against the database: every entry of the right device type is
// scored, and each point of its score comes with the evidence behind it (which pattern matched
// which string, which board signal agreed or disagreed). add_hardware --detect shows the
// ranking; match_machine gives calibrate the entry and power mode per device, with the evidence
// to store in the profile.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "detect/detect.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/json/json_io.hpp"

namespace hwcal {

// Score weights: an identity signal (pattern, device-tree model, compatible) is worth more than a
// count that merely agrees; a contradiction costs as much as its agreement would have earned.
inline constexpr int kPatternWeight = 40;
inline constexpr int kDeviceTreeWeight = 30;
inline constexpr int kCompatibleWeight = 30;
inline constexpr int kCapabilityWeight = 20;
inline constexpr int kCountWeight = 10;
inline constexpr int kTegraWeight = 5;
inline constexpr int kPlatformWeight = 50;

struct Evidence {
  std::string signal;  // detection_pattern, device_tree_model, compatible, compute_capability,
                       // cpu_cores, units, platform, tegra_release
  int points = 0;      // what it added to the score: negative for a contradiction, 0 not checked
  std::string text;    // pattern "^Cortex-A78AE$" matched "Cortex-A78AE"
};

struct EntryScore {
  std::string id;
  std::string model;
  int score = 0;
  bool identified = false;  // a pattern, device-tree model or compatible string matched
  std::vector<Evidence> evidence;
};

// One detected device to match: the CPU, or one GPU.
struct DeviceMatch {
  std::string device;                   // "cpu", "cuda:0"
  std::string detected_model;           // what was matched against ("" when unknown)
  std::optional<std::string> entry_id;  // the best identified entry, none when nothing matched
  std::string power_mode;               // nvpmodel's NAME, else "default"
  std::vector<std::string> notes;       // ambiguity, a power mode the entry does not define, ...
  std::vector<EntryScore> ranking;      // every candidate, best first
  const EntryScore* best() const { return ranking.empty() ? nullptr : &ranking.front(); }
};

// A board whose detectable parts (its CPU and GPU entries) are all the entries chosen for this
// machine's devices. Parts hwcal does not detect (a DLA, an NPU, an M.2 accelerator) are listed
// as such: the board is named from the parts that were matched.
struct BoardMatch {
  std::string id;
  std::string model;
  struct Part {
    std::string id;
    std::string device_type;
    std::string matched_device;  // "cpu", "cuda:0"; empty when not detectable
  };
  std::vector<Part> parts;
};

struct MachineMatch {
  DeviceMatch cpu;
  std::vector<DeviceMatch> gpus;
  std::vector<BoardMatch> boards;  // in id order; empty when no board's parts all matched
  std::string power_mode;          // nvpmodel's NAME, else "default"
  std::string power_mode_how;      // where the mode came from
};

// Scores every CPU entry against the detected CPU (and board), best first.
std::vector<EntryScore> score_cpu_entries(const Database& database, const SystemInfo& system);
// Scores every GPU entry against one detected GPU (and the board), best first.
std::vector<EntryScore> score_gpu_entries(const Database& database, const SystemInfo& system,
                                          const GpuDevice& gpu);

// The entry per device, the power mode and the evidence: what calibrate uses when
// --hardware-id or --power-mode is not given. An entry is chosen only when it was identified
// (not merely by counts) and no other entry has the same score.
MachineMatch match_machine(const Database& database, const SystemInfo& system);

// Evidence and choices as JSON, for `add_hardware --detect --format json` and for profiles.
Json device_match_to_json(const DeviceMatch& match, std::size_t ranking_limit);
Json machine_match_to_json(const MachineMatch& match, std::size_t ranking_limit);
// People's form: per device the choice, then the best `ranking_limit` candidates with evidence.
std::string render_machine_match(const MachineMatch& match, std::size_t ranking_limit);

// Matches `text` against a detection pattern as hwcal does everywhere: ECMAScript,
// case-insensitive, anywhere in the string. False for a pattern that does not compile.
bool pattern_matches(const std::string& pattern, const std::string& text);

// `text` with every regular-expression metacharacter escaped: a pattern matching it literally.
std::string regex_escape(const std::string& text);

}  // namespace hwcal
