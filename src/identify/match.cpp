#include "identify/match.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

#include "base/pattern.hpp"
#include "base/text.hpp"

namespace hwcal {
namespace {

std::string quoted_list(const std::vector<std::string>& items) {
  std::vector<std::string> quoted;
  for (const std::string& item : items) quoted.push_back("\"" + item + "\"");
  return fmt::format("{}", fmt::join(quoted, ", "));
}

void add(EntryScore& score, std::string signal, int points, std::string text) {
  score.score += points;
  score.evidence.push_back(Evidence{std::move(signal), points, std::move(text)});
}

void score_platform(EntryScore& score, const HardwareSpec& spec, const SystemInfo& system) {
  if (system.cpu.isa.known() && spec.platform != *system.cpu.isa) {
    add(score, "platform", -kPlatformWeight,
        fmt::format("the entry is for {} hosts, this machine is {}", spec.platform,
                    *system.cpu.isa));
  }
}

// Detection patterns against the detected model string; `what` names the string for messages.
bool score_patterns(EntryScore& score, const HardwareSpec& spec, const Reading<std::string>& model,
                    const std::string& what) {
  if (!spec.detection_patterns || spec.detection_patterns->empty()) return false;
  if (!model.known()) {
    add(score, "detection_pattern", 0,
        fmt::format("{} is unknown ({}: {}): patterns not checked", what, model.source,
                    model.problem));
    return false;
  }
  for (const std::string& pattern : *spec.detection_patterns) {
    if (pattern_matches(pattern, *model)) {
      add(score, "detection_pattern", kPatternWeight,
          fmt::format("pattern \"{}\" matched {} \"{}\"", pattern, what, *model));
      return true;
    }
  }
  add(score, "detection_pattern", -kPatternWeight,
      fmt::format("no pattern ({}) matched {} \"{}\"", quoted_list(*spec.detection_patterns), what,
                  *model));
  return false;
}

std::optional<std::string> detected_capability(const SystemInfo& system) {
  for (const GpuDevice& gpu : system.gpus) {
    if (gpu.compute_capability.known()) return *gpu.compute_capability;
  }
  return std::nullopt;
}

void score_capability(EntryScore& score, const std::string& expected,
                      const std::optional<std::string>& detected, const std::string& where) {
  if (!detected) {
    add(score, "compute_capability", 0,
        fmt::format("CUDA capability {} not checked: {}", expected, where));
  } else if (*detected == expected) {
    add(score, "compute_capability", kCapabilityWeight,
        fmt::format("CUDA capability {}, as the entry says", expected));
  } else {
    add(score, "compute_capability", -kCapabilityWeight,
        fmt::format("CUDA capability {} here, the entry says {}", *detected, expected));
  }
}

// A signal the detection could not read scores nothing and says why; true when it was read.
template <typename T>
bool readable(EntryScore& score, const std::string& signal, const Reading<T>& reading,
              const std::string& what) {
  if (reading.known()) return true;
  add(score, signal, 0,
      fmt::format("{} not checked ({}: {})", what, reading.source, reading.problem));
  return false;
}

void score_count(EntryScore& score, const std::string& signal, long long expected,
                 const Reading<int>& detected, const std::string& what) {
  if (!readable(score, signal, detected, what)) return;
  if (*detected == expected) {
    add(score, signal, kCountWeight, fmt::format("{}: {}, as the entry says", what, *detected));
  } else {
    add(score, signal, -kCountWeight,
        fmt::format("{}: {} here, the entry says {}", what, *detected, expected));
  }
}

// Board signals: how a Jetson is told apart when its CPU and GPU report generic names.
bool score_board(EntryScore& score, const HardwareSpec& spec, const SystemInfo& system,
                 bool check_capability) {
  if (!spec.board_signals) return false;
  const BoardSignals& signals = *spec.board_signals;
  const BoardDetection& board = system.board;
  bool identified = false;
  if (!signals.device_tree_model.empty()) {
    if (readable(score, "device_tree_model", board.device_tree_model, "device-tree model")) {
      bool matched = false;
      for (const std::string& pattern : signals.device_tree_model) {
        if (pattern_matches(pattern, *board.device_tree_model)) {
          add(score, "device_tree_model", kDeviceTreeWeight,
              fmt::format("device-tree model \"{}\" matched \"{}\"", *board.device_tree_model,
                          pattern));
          matched = identified = true;
          break;
        }
      }
      if (!matched) {
        add(score, "device_tree_model", -kDeviceTreeWeight,
            fmt::format("device-tree model \"{}\" matched none of {}", *board.device_tree_model,
                        quoted_list(signals.device_tree_model)));
      }
    }
  }
  if (!signals.compatible.empty()) {
    if (readable(score, "compatible", board.compatible, "compatible strings")) {
      std::optional<std::string> hit;
      for (const std::string& item : *board.compatible) {
        if (std::find(signals.compatible.begin(), signals.compatible.end(), item) !=
            signals.compatible.end()) {
          hit = item;
          break;
        }
      }
      if (hit) {
        add(score, "compatible", kCompatibleWeight,
            fmt::format("compatible string \"{}\" is listed", *hit));
        identified = true;
      } else {
        add(score, "compatible", -kCompatibleWeight,
            fmt::format("none of the board's compatible strings ({}) is listed",
                        quoted_list(*board.compatible)));
      }
    }
  }
  if (check_capability && signals.compute_capability) {
    score_capability(score, *signals.compute_capability, detected_capability(system),
                     "no GPU capability detected (the CUDA runtime reports it)");
  }
  if (signals.cpu_cores) {
    // Present, not online: a Jetson in 7W takes two of its six cores offline.
    const Reading<int>& cores = system.cpu.logical_cpus_present.known()
                                    ? system.cpu.logical_cpus_present
                                    : system.cpu.physical_cores;
    score_count(score, "cpu_cores", *signals.cpu_cores, cores, "CPU cores present");
  }
  if (board.tegra_release.known()) {
    add(score, "tegra_release", kTegraWeight,
        fmt::format("L4T {} installed: an NVIDIA Jetson", *board.tegra_release));
  }
  return identified;
}

std::optional<std::string> entry_capability(const HardwareSpec& spec) {
  if (spec.compute && spec.compute->extra.is_object()) {
    auto found = spec.compute->extra.find("compute_capability");
    if (found != spec.compute->extra.end() && found->is_string()) return found->get<std::string>();
  }
  return std::nullopt;
}

void sort_scores(std::vector<EntryScore>& scores) {
  std::stable_sort(scores.begin(), scores.end(), [](const EntryScore& a, const EntryScore& b) {
    if (a.identified != b.identified) return a.identified;
    if (a.score != b.score) return a.score > b.score;
    return a.id < b.id;
  });
}

DeviceMatch choose(std::string device, std::string detected_model, std::vector<EntryScore> ranking,
                   const MachineMatch& machine, const Database& database) {
  DeviceMatch match;
  match.device = std::move(device);
  match.detected_model = std::move(detected_model);
  match.ranking = std::move(ranking);
  match.power_mode = machine.power_mode;
  const EntryScore* best = match.best();
  if (best == nullptr) {
    match.notes.push_back("the database has no entry of this device type");
    return match;
  }
  if (!best->identified || best->score <= 0) {
    match.notes.push_back(
        "no entry matched: add one with `add_hardware --from-detection`, or pass --hardware-id");
    return match;
  }
  if (match.ranking.size() > 1 && match.ranking[1].identified &&
      match.ranking[1].score == best->score) {
    match.notes.push_back(fmt::format("ambiguous: {} and {} both score {}; pass --hardware-id",
                                      best->id, match.ranking[1].id, best->score));
    return match;
  }
  match.entry_id = best->id;
  if (const DatabaseEntry* entry = database.find(best->id)) {
    const HardwareSpec& spec = entry->spec;
    std::vector<std::string> names;
    for (const PowerMode& mode : spec.power_modes) names.push_back(mode.name);
    if (!spec.power_modes.empty() && spec.find_power_mode(match.power_mode) == nullptr) {
      match.notes.push_back(
          machine.power_mode == "default"
              ? fmt::format("{} has power modes ({}) but nvpmodel's mode could not be read: pass "
                            "--power-mode",
                            spec.id, fmt::join(names, ", "))
              : fmt::format("power mode {} is not one of {}'s modes ({})", match.power_mode,
                            spec.id, fmt::join(names, ", ")));
    } else if (spec.power_modes.empty() && match.power_mode != "default") {
      match.notes.push_back(fmt::format("{} defines no power modes; nvpmodel's mode is {}", spec.id,
                                        match.power_mode));
    }
  }
  return match;
}

Json evidence_to_json(const EntryScore& score) {
  Json item = Json::object();
  item["id"] = score.id;
  item["model"] = score.model;
  item["score"] = score.score;
  item["identified"] = score.identified;
  Json evidence = Json::array();
  for (const Evidence& e : score.evidence) {
    Json entry = Json::object();
    entry["signal"] = e.signal;
    entry["points"] = e.points;
    entry["text"] = e.text;
    evidence.push_back(entry);
  }
  item["evidence"] = evidence;
  return item;
}

std::string render_device(const DeviceMatch& match, std::size_t limit) {
  std::string text;
  std::string choice = match.entry_id
                           ? fmt::format("{} (score {})", *match.entry_id, match.best()->score)
                           : "no entry";
  text += fmt::format("  {}: {}, power mode {}\n", match.device, choice, match.power_mode);
  if (!match.detected_model.empty()) {
    text += fmt::format("    detected as \"{}\"\n", match.detected_model);
  }
  for (const std::string& note : match.notes) text += fmt::format("    note: {}\n", note);
  for (std::size_t i = 0; i < match.ranking.size() && i < limit; ++i) {
    const EntryScore& score = match.ranking[i];
    text += fmt::format("    {:>4}  {}{}\n", score.score, score.id,
                        score.identified ? "" : "  (not identified)");
    for (const Evidence& e : score.evidence) {
      text += fmt::format("          {:>+4}  {}\n", e.points, e.text);
    }
  }
  if (match.ranking.size() > limit) {
    text +=
        fmt::format("    ... {} more entr{} (--top N shows more)\n", match.ranking.size() - limit,
                    match.ranking.size() - limit == 1 ? "y" : "ies");
  }
  return text;
}

}  // namespace

bool pattern_matches(const std::string& pattern, const std::string& text) {
  return pattern_search(pattern, text);
}

std::string regex_escape(const std::string& text) {
  static const std::string special = "\\^$.|?*+()[]{}";
  std::string escaped;
  for (char c : text) {
    if (special.find(c) != std::string::npos) escaped += '\\';
    escaped += c;
  }
  return escaped;
}

// Scores every entry of one device type: the id, model and platform the same way for all, then
// `score_device` adds the device's own evidence.
template <typename ScoreDevice>
std::vector<EntryScore> score_entries(const Database& database, DeviceType type,
                                      const SystemInfo& system, ScoreDevice score_device) {
  std::vector<EntryScore> scores;
  for (const DatabaseEntry& entry : database.entries()) {
    const HardwareSpec& spec = entry.spec;
    if (spec.device_type != type) continue;
    EntryScore score;
    score.id = spec.id;
    score.model = spec.model;
    score_platform(score, spec, system);
    score_device(score, spec);
    scores.push_back(std::move(score));
  }
  sort_scores(scores);
  return scores;
}

std::vector<EntryScore> score_cpu_entries(const Database& database, const SystemInfo& system) {
  return score_entries(
      database, DeviceType::cpu, system, [&](EntryScore& score, const HardwareSpec& spec) {
        bool by_pattern = score_patterns(score, spec, system.cpu.model, "the CPU model");
        bool by_board = score_board(score, spec, system, true);
        score.identified = by_pattern || by_board;
        bool counted = spec.board_signals && spec.board_signals->cpu_cores;
        if (!counted && spec.compute && spec.compute->units) {
          score_count(score, "units", *spec.compute->units, system.cpu.physical_cores,
                      "physical cores");
        }
      });
}

std::vector<EntryScore> score_gpu_entries(const Database& database, const SystemInfo& system,
                                          const GpuDevice& gpu) {
  return score_entries(
      database, DeviceType::gpu, system, [&](EntryScore& score, const HardwareSpec& spec) {
        bool by_pattern = score_patterns(score, spec, gpu.name, "the GPU name");
        // The board's capability signal and the entry's compute capability say the same thing:
        // this GPU's capability is checked once, after the other board signals.
        bool by_board = score_board(score, spec, system, false);
        std::optional<std::string> capability =
            spec.board_signals && spec.board_signals->compute_capability
                ? spec.board_signals->compute_capability
                : entry_capability(spec);
        if (capability) {
          score_capability(
              score, *capability,
              gpu.compute_capability.known() ? std::optional<std::string>(*gpu.compute_capability)
                                             : std::nullopt,
              fmt::format("{}: {}", gpu.compute_capability.source, gpu.compute_capability.problem));
        }
        if (spec.compute && spec.compute->units && gpu.multiprocessors.known()) {
          score_count(score, "units", *spec.compute->units, gpu.multiprocessors, "SMs");
        }
        score.identified = by_pattern || by_board;
      });
}

// Boards whose CPU and GPU parts are exactly among the entries chosen for the devices (each
// detectable part matched, at least one part detectable).
static std::vector<BoardMatch> match_boards(const Database& database, const MachineMatch& machine) {
  std::vector<BoardMatch> boards;
  auto device_of = [&](const std::string& id) -> std::string {
    if (machine.cpu.entry_id == id) return machine.cpu.device;
    for (const DeviceMatch& gpu : machine.gpus) {
      if (gpu.entry_id == id) return gpu.device;
    }
    return "";
  };
  for (const DatabaseEntry& entry : database.entries()) {
    const HardwareSpec& spec = entry.spec;
    if (!spec.is_board() || !spec.parts) continue;
    BoardMatch board;
    board.id = spec.id;
    board.model = spec.model;
    bool all = true;
    bool any = false;
    for (const BoardPart& part : *spec.parts) {
      const DatabaseEntry* found = database.find(part.id);
      BoardMatch::Part row;
      row.id = part.id;
      if (found != nullptr) row.device_type = std::string(to_string(found->spec.device_type));
      const bool detectable = found != nullptr && (found->spec.device_type == DeviceType::cpu ||
                                                   found->spec.device_type == DeviceType::gpu);
      if (detectable) {
        row.matched_device = device_of(part.id);
        if (row.matched_device.empty()) all = false;
        any = true;
      }
      board.parts.push_back(row);
    }
    if (all && any) boards.push_back(std::move(board));
  }
  std::sort(boards.begin(), boards.end(),
            [](const BoardMatch& a, const BoardMatch& b) { return a.id < b.id; });
  return boards;
}

MachineMatch match_machine(const Database& database, const SystemInfo& system) {
  MachineMatch machine;
  const PowerModeDetection& mode = system.board.power_mode;
  if (mode.name.known()) {
    machine.power_mode = *mode.name;
    machine.power_mode_how = mode.how;
  } else {
    machine.power_mode = "default";
    machine.power_mode_how =
        fmt::format("no nvpmodel power mode ({}: {})", mode.name.source, mode.name.problem);
  }
  machine.cpu = choose("cpu", system.cpu.model.value_or(""), score_cpu_entries(database, system),
                       machine, database);
  for (const GpuDevice& gpu : system.gpus) {
    machine.gpus.push_back(choose(gpu.device, gpu.name.value_or(""),
                                  score_gpu_entries(database, system, gpu), machine, database));
  }
  machine.boards = match_boards(database, machine);
  return machine;
}

Json device_match_to_json(const DeviceMatch& match, std::size_t ranking_limit) {
  Json out = Json::object();
  out["device"] = match.device;
  out["detected_model"] = match.detected_model;
  out["entry_id"] = match.entry_id ? Json(*match.entry_id) : Json(nullptr);
  out["power_mode"] = match.power_mode;
  out["notes"] = match.notes;
  Json ranking = Json::array();
  for (std::size_t i = 0; i < match.ranking.size() && i < ranking_limit; ++i) {
    ranking.push_back(evidence_to_json(match.ranking[i]));
  }
  out["ranking"] = ranking;
  return out;
}

Json machine_match_to_json(const MachineMatch& match, std::size_t ranking_limit) {
  Json out = Json::object();
  out["power_mode"] = match.power_mode;
  out["power_mode_how"] = match.power_mode_how;
  out["cpu"] = device_match_to_json(match.cpu, ranking_limit);
  Json gpus = Json::array();
  for (const DeviceMatch& gpu : match.gpus)
    gpus.push_back(device_match_to_json(gpu, ranking_limit));
  out["gpus"] = gpus;
  if (!match.boards.empty()) {
    Json boards = Json::array();
    for (const BoardMatch& board : match.boards) {
      Json parts = Json::array();
      for (const BoardMatch::Part& part : board.parts) {
        parts.push_back(Json::object(
            {{"id", part.id},
             {"device_type", part.device_type},
             {"matched_device",
              part.matched_device.empty() ? Json(nullptr) : Json(part.matched_device)}}));
      }
      boards.push_back(Json::object({{"id", board.id}, {"model", board.model}, {"parts", parts}}));
    }
    out["boards"] = boards;
  }
  return out;
}

std::string render_machine_match(const MachineMatch& match, std::size_t ranking_limit) {
  std::string text = "Matches\n";
  text += fmt::format("  power mode: {} ({})\n", match.power_mode, match.power_mode_how);
  text += render_device(match.cpu, ranking_limit);
  for (const DeviceMatch& gpu : match.gpus) text += render_device(gpu, ranking_limit);
  for (const BoardMatch& board : match.boards) {
    text += fmt::format("  board: {} ({})\n", board.id, board.model);
    for (const BoardMatch::Part& part : board.parts) {
      text += part.matched_device.empty()
                  ? fmt::format("    part {}: {}, not detected (hwcal detects CPUs and GPUs)\n",
                                part.id, part.device_type.empty() ? "?" : part.device_type)
                  : fmt::format("    part {}: matched {}\n", part.id, part.matched_device);
    }
  }
  return text;
}

}  // namespace hwcal
