#include "tools/export_calibration.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/paths.hpp"
#include "base/pattern.hpp"
#include "base/text.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/transaction.hpp"
#include "hwcal/database/validate.hpp"
#include "json/diff.hpp"
#include "profile/legacy_profile.hpp"
#include "profile/quality.hpp"
#include "summary/summary.hpp"
#include "summary/workload_summary.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

// One input file on its way into the database.
struct Pending {
  std::string display;   // the file as given
  fs::path source;       // where it was read
  LoadedProfile loaded;  // the profile with hardware_id and power_mode resolved
  const DatabaseEntry* entry = nullptr;
  std::string mode;
  std::string stored_path;  // profiles/<vendor>/<id>/<mode>/<stamp>.json
  std::string content;      // what the stored copy holds
  bool needs_copy = false;  // false when an identical copy is already stored
};

std::vector<fs::path> input_files(const ExportOptions& options) {
  if (options.calibration_dir && !options.calibrations.empty()) {
    throw UsageError("give --calibration FILE... or --calibration-dir DIR, not both");
  }
  if (!options.calibration_dir) {
    if (options.calibrations.empty()) {
      throw UsageError("nothing to export: give --calibration FILE... or --calibration-dir DIR");
    }
    return options.calibrations;
  }
  const fs::path& dir = *options.calibration_dir;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw IoError(fmt::format("{}: not a folder (--calibration-dir)", dir.string()));
  }
  std::vector<fs::path> files;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  if (ec) throw IoError(fmt::format("{}: cannot list: {}", dir.string(), ec.message()));
  if (files.empty()) {
    throw DataError(dir.string(), "", "no .json files in this folder (--calibration-dir)");
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Validation reports patterns that cannot be used; they match nothing here.
bool pattern_matches(const std::string& pattern, const std::string& text) {
  return pattern_search(pattern, text);
}

std::vector<const DatabaseEntry*> candidates(const Database& database, DeviceType type) {
  std::vector<const DatabaseEntry*> out;
  for (const DatabaseEntry& entry : database.entries()) {
    if (entry.spec.device_type == type) out.push_back(&entry);
  }
  return out;
}

std::vector<std::string> ids_of(const std::vector<const DatabaseEntry*>& entries) {
  std::vector<std::string> ids;
  for (const DatabaseEntry* entry : entries) ids.push_back(entry->spec.id);
  return ids;
}

// --hardware-id, else the profile's own id, else a match on what it recorded.
const DatabaseEntry& resolve_entry(const Database& database, const Pending& item,
                                   const ExportOptions& options, Io& io) {
  const CalibrationProfile& profile = item.loaded.profile;
  if (options.hardware_id) {
    if (!profile.hardware_id.empty() && profile.hardware_id != *options.hardware_id) {
      io.err << fmt::format(
          "warning: {}: the profile says hardware id '{}'; exporting to '{}' "
          "as --hardware-id says\n",
          item.display, profile.hardware_id, *options.hardware_id);
    }
    return database.get(*options.hardware_id);
  }
  if (!profile.hardware_id.empty()) return database.get(profile.hardware_id);

  std::vector<const DatabaseEntry*> matches;
  std::string what;
  if (item.loaded.legacy) {
    const std::string name = legacy_hardware_name(profile);
    if (name.empty()) {
      throw DataError(item.display, "/metadata/hardware_name",
                      "the legacy profile names no hardware: give --hardware-id");
    }
    what = fmt::format("the legacy hardware name '{}'", name);
    for (const DatabaseEntry* entry : candidates(database, profile.device_type)) {
      if (legacy_name_matches(name, entry->spec)) matches.push_back(entry);
    }
    if (matches.size() > 1) {
      std::vector<const DatabaseEntry*> exact;
      for (const DatabaseEntry* entry : matches) {
        if (legacy_name_is_exact(name, entry->spec)) exact.push_back(entry);
      }
      if (exact.size() == 1) matches = exact;
    }
  } else {
    const std::string model = profile.recorded_model();
    if (model.empty()) {
      throw DataError(item.display, "",
                      "the profile has no hardware_id and records no model to match: give "
                      "--hardware-id");
    }
    what = fmt::format("the recorded model '{}'", model);
    for (const DatabaseEntry* entry : candidates(database, profile.device_type)) {
      const auto& patterns = entry->spec.detection_patterns;
      if (patterns && std::any_of(patterns->begin(), patterns->end(), [&](const std::string& p) {
            return pattern_matches(p, model);
          })) {
        matches.push_back(entry);
      }
    }
    // Boards share chips (every Orin GPU is "Orin"): the device-tree model tells them apart.
    if (matches.size() > 1 && profile.host.board) {
      std::vector<const DatabaseEntry*> on_board;
      for (const DatabaseEntry* entry : matches) {
        const auto& signals = entry->spec.board_signals;
        if (signals && std::any_of(signals->device_tree_model.begin(),
                                   signals->device_tree_model.end(), [&](const std::string& p) {
                                     return pattern_matches(p, *profile.host.board);
                                   })) {
          on_board.push_back(entry);
        }
      }
      if (!on_board.empty()) matches = on_board;
    }
  }
  if (matches.empty()) {
    throw DataError(item.display, "",
                    fmt::format("{} matches no {} entry of {}: give --hardware-id", what,
                                to_string(profile.device_type), database.root().string()));
  }
  if (matches.size() > 1) {
    throw DataError(item.display, "",
                    fmt::format("{} matches several entries ({}): give --hardware-id", what,
                                fmt::join(ids_of(matches), ", ")));
  }
  return *matches.front();
}

// --power-mode, else the profile's; an entry without modes has only "default".
std::string resolve_mode(const Pending& item, const HardwareSpec& spec,
                         const ExportOptions& options, Io& io) {
  const std::string& recorded = item.loaded.profile.power_mode;
  std::string mode = options.power_mode.value_or(recorded);
  if (options.power_mode && !recorded.empty() && recorded != *options.power_mode) {
    io.err << fmt::format(
        "warning: {}: the profile says power mode {}; exporting it as {} as --power-mode says\n",
        item.display, recorded, *options.power_mode);
  }
  std::vector<std::string> names;
  for (const PowerMode& power_mode : spec.power_modes) names.push_back(power_mode.name);
  if (names.empty()) {
    if (mode.empty()) mode = "default";
    if (mode != "default") {
      throw DataError(item.display, "/power_mode",
                      fmt::format("power mode {} but entry {} has no power modes (its runs are "
                                  "stored as 'default')",
                                  mode, spec.id));
    }
    return mode;
  }
  if (auto problem = path_component_problem(mode); problem && !mode.empty()) {
    throw DataError(
        item.display, "/power_mode",
        fmt::format("power mode '{}' {}: it would name a folder of profiles", mode, *problem));
  }
  if (mode.empty()) {
    throw DataError(item.display, "/power_mode",
                    fmt::format("the profile does not say which power mode it was measured in: "
                                "give --power-mode (entry {} has {})",
                                spec.id, fmt::join(names, ", ")));
  }
  if (spec.find_power_mode(mode) == nullptr) {
    throw DataError(item.display, "/power_mode",
                    fmt::format("power mode {} is not one of entry {}'s modes ({})", mode, spec.id,
                                fmt::join(names, ", ")));
  }
  return mode;
}

// What the stored copy holds: a profile calibrate wrote is copied byte for byte when it already
// names its entry and mode; otherwise (converted, or completed by export) it is rewritten in
// the original's layout.
std::string stored_content(const Pending& item, const std::string& original_id,
                           const std::string& original_mode) {
  const CalibrationProfile& profile = item.loaded.profile;
  if (item.loaded.legacy) return dump_json(profile_to_json(profile));
  if (original_id == profile.hardware_id && original_mode == profile.power_mode) {
    return item.loaded.text;
  }
  return dump_json(preserve_layout(profile_to_json(profile), parse_json(item.loaded.text, "")));
}

bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

std::string rate(double value) { return fmt::format("{:.1f}", value); }

std::string describe(const ModeSummary& summary, const HardwareSpec& spec) {
  std::vector<std::string> parts;
  for (const auto& [precision, measured] : summary.measured_peaks) {
    auto efficiency = summary.efficiency.find(precision);
    auto peak = spec.peak_for_mode(precision, summary.power_mode);
    parts.push_back(efficiency != summary.efficiency.end() && peak
                        ? fmt::format("{} {} {} ({:.1f}% of {})", to_string(precision),
                                      rate(measured), throughput_unit(precision),
                                      efficiency->second * 100, rate(*peak))
                        : fmt::format("{} {} {}", to_string(precision), rate(measured),
                                      throughput_unit(precision)));
  }
  if (summary.measured_bandwidth_gbps) {
    parts.push_back(summary.bandwidth_efficiency
                        ? fmt::format("bandwidth {} GB/s ({:.1f}% of {})",
                                      rate(*summary.measured_bandwidth_gbps),
                                      *summary.bandwidth_efficiency * 100,
                                      rate(spec.bandwidth_for_mode(summary.power_mode)))
                        : fmt::format("bandwidth {} GB/s", rate(*summary.measured_bandwidth_gbps)));
  }
  return fmt::format("{} {}: {}; {} run{}", spec.id, summary.power_mode, fmt::join(parts, ", "),
                     summary.runs, summary.runs == 1 ? "" : "s");
}

// Measured figures more than kOverPeakTolerance above the database's peaks of the mode.
std::vector<std::string> over_peak(const ModeSummary& summary, const HardwareSpec& spec) {
  std::vector<std::string> problems;
  for (const auto& [precision, measured] : summary.measured_peaks) {
    auto peak = spec.peak_for_mode(precision, summary.power_mode);
    if (peak && *peak > 0 && measured > *peak * (1 + kOverPeakTolerance)) {
      problems.push_back(fmt::format(
          "{} {}: measured {} {} {} is {:.1f}% above the database's theoretical peak {} {}",
          spec.id, summary.power_mode, to_string(precision), rate(measured),
          throughput_unit(precision), (measured / *peak - 1) * 100, rate(*peak),
          throughput_unit(precision)));
    }
  }
  if (summary.measured_bandwidth_gbps) {
    const double peak = spec.bandwidth_for_mode(summary.power_mode);
    if (peak > 0 && *summary.measured_bandwidth_gbps > peak * (1 + kOverPeakTolerance)) {
      problems.push_back(
          fmt::format("{} {}: measured bandwidth {} GB/s is {:.1f}% above the database's {} GB/s",
                      spec.id, summary.power_mode, rate(*summary.measured_bandwidth_gbps),
                      (*summary.measured_bandwidth_gbps / peak - 1) * 100, rate(peak)));
    }
  }
  return problems;
}

std::string describe(const WorkloadResult& result, const std::string& id, const std::string& mode) {
  std::string text = fmt::format("{} {}: {} {} batch {}: {:.4g} ms, {:.4g} images/s", id, mode,
                                 result.workload, to_string(result.precision), result.batch,
                                 result.latency_ms, result.images_per_s);
  if (result.stack_efficiency.calibrated) {
    text += fmt::format(", stack efficiency {:.1f}% ({}-bound)",
                        *result.stack_efficiency.calibrated * 100, result.bound.value_or("?"));
  }
  return text;
}

// The entry's workload summary after this export: the exported modes from their new runs, the
// others re-derived from the runs they link (the calibrated roofs may have changed). Unknown
// fields of modes and of results are kept.
WorkloadSummary updated_workload_summary(
    const HardwareSpec& updated, const std::map<std::string, std::vector<CalibrationRun>>& exported,
    const fs::path& base, std::vector<std::string>& lines, const fs::path& database) {
  WorkloadSummary summary = updated.workload_summary.value_or(WorkloadSummary{});
  for (auto& [mode, stored] : summary.by_power_mode) {
    auto fresh = exported.find(mode);
    WorkloadModeSummary derived;
    try {
      derived = summarize_workloads(
          updated, mode,
          fresh != exported.end() ? fresh->second : load_workload_runs(stored, base));
    } catch (const DataError& error) {
      throw DataError(database.string(), pointer_append("/workload_summary/by_power_mode", mode),
                      fmt::format("{}: {}", updated.id, error.what()));
    }
    for (WorkloadResult& result : derived.results) {
      for (const WorkloadResult& old : stored.results) {
        if (old.workload == result.workload && old.precision == result.precision &&
            old.batch == result.batch && old.device == result.device) {
          result.extra = old.extra;
        }
      }
    }
    derived.extra = stored.extra;
    stored = derived;
  }
  for (const auto& [mode, runs] : exported) {
    if (summary.by_power_mode.count(mode) == 0) {
      summary.by_power_mode[mode] = summarize_workloads(updated, mode, runs);
    }
    for (const WorkloadResult& result : summary.by_power_mode[mode].results) {
      lines.push_back(describe(result, updated.id, mode));
    }
  }
  return summary;
}

// One entry's change: the new text next to the old.
struct EntryChange {
  const DatabaseEntry* entry = nullptr;
  std::string display;
  std::string before;
  std::string after;
};

// Figures that no run can produce: refused before they reach a summary.
void refuse_bad_measurements(const Pending& item) {
  std::vector<ProfileProblem> problems = check_measurements(item.loaded.profile);
  if (problems.empty()) return;
  std::string more = problems.size() > 1
                         ? fmt::format(" (and {} more problem{})", problems.size() - 1,
                                       problems.size() == 2 ? "" : "s")
                         : "";
  throw DataError(item.display, problems.front().pointer,
                  fmt::format("{}{}: not exported", problems.front().message, more));
}

// --format json: what export did (or, dry, would do) as one object: every profile with where it
// is stored and its quality, every entry with whether it changed (dry: the diff), the notes.
Json export_result_json(const std::vector<Pending>& pending,
                        const std::vector<EntryChange>& changes,
                        const std::vector<std::string>& lines, bool dry_run, std::size_t copied,
                        std::size_t updated) {
  Json profiles = Json::array();
  for (const Pending& item : pending) {
    profiles.push_back(
        Json::object({{"file", item.display},
                      {"hardware_id", item.entry != nullptr ? item.entry->spec.id : ""},
                      {"power_mode", item.mode},
                      {"stored_as", item.stored_path},
                      {"already_stored", !item.needs_copy},
                      {"quality", quality_to_json(assess_profile(item.loaded.profile))}}));
  }
  Json entries = Json::array();
  for (const EntryChange& change : changes) {
    Json entry =
        Json::object({{"file", change.display}, {"changed", change.after != change.before}});
    if (dry_run) {
      entry["diff"] =
          unified_diff(change.before, change.after, "a/" + change.display, "b/" + change.display);
    }
    entries.push_back(std::move(entry));
  }
  return Json::object({{"dry_run", dry_run},
                       {"profiles", profiles},
                       {"entries", entries},
                       {"notes", lines},
                       {"written", Json::object({{"entries", dry_run ? 0 : updated},
                                                 {"profiles", dry_run ? 0 : copied}})}});
}

// A profile's warnings and quality are said as it is read; a noisy one (quality.hpp: other
// processes busy, steal, drift, spread) is refused unless --accept-noisy, naming why.
void judge_quality(const Pending& item, const ExportOptions& options, Io& io) {
  const CalibrationProfile& profile = item.loaded.profile;
  const ProfileQuality quality = assess_profile(profile);
  if (!options.quiet) {
    for (const std::string& warning : profile.warnings) {
      io.err << fmt::format("warning: {}: {}\n", item.display, warning);
    }
    if (quality.passed > 0) {
      io.err << fmt::format("{}: quality: {}\n", item.display, quality_line(quality));
    }
  }
  if (!quality.noisy()) return;
  const std::string problems = fmt::format("{}", fmt::join(quality.problems, "; "));
  if (!options.accept_noisy) {
    throw DataError(item.display, "/conditions",
                    fmt::format("a noisy run: {}; calibrate again on a quiet machine, or pass "
                                "--accept-noisy to export it anyway",
                                problems));
  }
  if (!options.quiet) {
    io.err << fmt::format("warning: {}: exported although noisy (--accept-noisy): {}\n",
                          item.display, problems);
  }
}

// Errors of an entry's own (--check fails on it already): export does not pile onto them.
// Figures above the peak are let through with --allow-over-peak, which wrote them.
bool is_over_peak(const Diagnostic& diagnostic) {
  return diagnostic.message.find("above the theoretical") != std::string::npos;
}

void refuse_failing_entry(const DatabaseEntry& entry, const std::string& relative,
                          const ExportOptions& options) {
  const Diagnostics diagnostics = validate_spec(entry.spec, entry.display_path, relative);
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    if (diagnostic.severity != Severity::error) continue;
    if (options.allow_over_peak && is_over_peak(diagnostic)) continue;
    throw DataError(diagnostic.file, diagnostic.pointer,
                    fmt::format("{}; the entry fails `summarize_database --check`: fix it before "
                                "exporting into it",
                                diagnostic.message));
  }
}

}  // namespace

int run_export_calibration(const ExportOptions& options, Io& io) {
  const std::vector<fs::path> files = input_files(options);
  // The lock covers reading the entries as well as writing them: an export that read an entry
  // before another one wrote it would undo the other's work.
  std::optional<DatabaseLock> lock;
  if (!options.dry_run) lock.emplace(options.database);
  const Database database = Database::load(options.database);
  const fs::path base = calibration_base(options.database);

  std::vector<Pending> pending;
  for (const fs::path& file : files) {
    Pending item;
    item.display = file.string();
    item.source = file;
    item.loaded = load_profile_file(file, item.display);
    refuse_bad_measurements(item);
    judge_quality(item, options, io);
    const DatabaseEntry& entry = resolve_entry(database, item, options, io);
    if (entry.has_errors) {
      throw DataError(entry.display_path, "",
                      "the entry has errors; fix them first (summarize_database --check)");
    }
    const HardwareSpec& spec = entry.spec;
    if (item.loaded.profile.device_type != spec.device_type) {
      throw DataError(item.display, "/device_type",
                      fmt::format("a {} profile cannot calibrate {}, a {} entry",
                                  to_string(item.loaded.profile.device_type), spec.id,
                                  to_string(spec.device_type)));
    }
    if (item.loaded.legacy) {
      // Residency depends on the entry's last-level cache: convert again knowing it.
      item.loaded = load_profile_file(file, item.display, legacy_options_for(spec));
    }
    item.entry = &entry;
    item.mode = resolve_mode(item, spec, options, io);
    const std::string original_id = item.loaded.profile.hardware_id;
    const std::string original_mode = item.loaded.profile.power_mode;
    item.loaded.profile.hardware_id = spec.id;
    item.loaded.profile.power_mode = item.mode;
    // A profile already stored in its folder keeps its name (older ones are named by the stamp
    // alone); any other is stored under its unique name (profile_stem: stamp, host, hash).
    const std::string folder =
        fmt::format("profiles/{}/{}/{}", spec.vendor_slug(), spec.id, item.mode);
    item.content = stored_content(item, original_id, original_mode);
    if (item.content == item.loaded.text && same_file(file.parent_path(), base / folder)) {
      item.stored_path = folder + "/" + file.filename().string();
    } else {
      item.stored_path = folder + "/" + profile_stem(item.loaded.profile, item.content) + ".json";
      // The same bytes stored before under the older name (the stamp alone): stored once.
      const std::string older =
          folder + "/" + timestamp_stem(item.loaded.profile.started_at) + ".json";
      std::error_code ec;
      if (!fs::exists(base / item.stored_path, ec) && fs::is_regular_file(base / older, ec) &&
          read_text_file(base / older) == item.content) {
        item.stored_path = older;
      }
    }
    const fs::path target = base / item.stored_path;
    if (!same_file(file, target)) {
      std::error_code ec;
      if (fs::exists(target, ec)) {
        if (read_text_file(target) != item.content) {
          throw DataError(item.display, "",
                          fmt::format("{} already exists with other content: stored profiles "
                                      "are immutable history",
                                      item.stored_path));
        }
      } else {
        item.needs_copy = true;
      }
    }
    for (const Pending& other : pending) {
      if (other.stored_path == item.stored_path && other.content != item.content) {
        throw DataError(item.display, "",
                        fmt::format("{} and {} are different runs: both would be stored as {}",
                                    other.display, item.display, item.stored_path));
      }
    }
    pending.push_back(std::move(item));
  }

  // Group by entry and mode; a file given twice (or already stored) counts once.
  std::map<std::string, std::map<std::string, std::vector<const Pending*>>> groups;
  for (const Pending& item : pending) {
    auto& runs = groups[item.entry->spec.id][item.mode];
    const bool seen = std::any_of(runs.begin(), runs.end(), [&](const Pending* other) {
      return other->stored_path == item.stored_path;
    });
    if (!seen) runs.push_back(&item);
  }

  std::vector<EntryChange> changes;
  std::vector<std::string> lines;
  std::vector<std::string> over;
  for (const auto& [id, modes] : groups) {
    const DatabaseEntry& entry = *database.find(id);
    const std::string relative =
        entry.path.lexically_relative(fs::path(options.database)).generic_string();
    refuse_failing_entry(entry, relative, options);
    HardwareSpec spec = entry.spec;
    if (options.make_default) {
      if (modes.size() != 1) {
        throw UsageError(
            fmt::format("--default with profiles of {} power modes of {}: export "
                        "the mode that should be the default on its own",
                        modes.size(), id));
      }
      if (spec.power_modes.empty()) {
        throw UsageError(fmt::format("--default: entry {} has no power modes", id));
      }
      spec.default_power_mode = modes.begin()->first;
    }
    std::map<std::string, ModeSummary> by_mode;
    std::map<std::string, std::vector<std::string>> paths;
    if (spec.calibration_summary) by_mode = spec.calibration_summary->by_power_mode;
    if (spec.calibration_profiles) paths = spec.calibration_profiles->power_modes;
    std::map<std::string, std::vector<CalibrationRun>> workload_runs;
    bool calibrated = false;
    for (const auto& [mode, items] : modes) {
      std::vector<CalibrationRun> runs;
      std::vector<std::string> mode_paths;
      for (const Pending* item : items) {
        const CalibrationProfile& profile = item->loaded.profile;
        // A run of workloads only (calibrate --kernels none) leaves the calibration summary be.
        if (!has_workloads(profile) || !profile.measurements.empty()) {
          runs.push_back({profile, item->stored_path});
          mode_paths.push_back(item->stored_path);
        }
        if (has_workloads(profile)) workload_runs[mode].push_back({profile, item->stored_path});
      }
      if (runs.empty()) continue;
      calibrated = true;
      std::sort(mode_paths.begin(), mode_paths.end());
      ModeSummaryResult result = summarize_mode(spec, mode, runs);
      for (const std::string& note : result.notes) {
        io.err << fmt::format("warning: {} {}: {}\n", id, mode, note);
      }
      std::vector<std::string> problems = over_peak(result.summary, spec);
      over.insert(over.end(), problems.begin(), problems.end());
      lines.push_back(describe(result.summary, spec));
      by_mode[mode] = result.summary;
      paths[mode] = mode_paths;
    }
    HardwareSpec updated = spec;
    if (calibrated) {
      EntryCalibration calibration = build_entry_calibration(spec, by_mode, paths);
      updated.calibration_summary = calibration.summary;
      updated.calibration_profiles = calibration.profiles;
    }
    if (!workload_runs.empty() || spec.workload_summary) {
      // Results depend on the calibrated roofs: modes not exported now are re-derived too.
      updated.workload_summary =
          updated_workload_summary(updated, workload_runs, base, lines, options.database);
    }

    EntryChange change;
    change.entry = &entry;
    change.display = entry.display_path;
    change.before = read_text_file(entry.path);
    change.after = dump_json(spec_to_json(updated, parse_json(change.before, entry.display_path)));

    // The new text must validate exactly as the next reader will read it. Figures above the
    // peak are refused (or allowed) below, with both numbers.
    Diagnostics after;
    const HardwareSpec reread =
        parse_spec(parse_json(change.after, entry.display_path), entry.display_path, after);
    after.append(validate_spec(reread, entry.display_path, relative));
    for (const Diagnostic& diagnostic : after.items()) {
      if (diagnostic.severity == Severity::error && !is_over_peak(diagnostic)) {
        throw DataError(diagnostic.file, diagnostic.pointer,
                        "the exported summary would not validate: " + diagnostic.message);
      }
    }
    changes.push_back(std::move(change));
  }

  if (!over.empty()) {
    if (!options.allow_over_peak) {
      std::string message =
          "refusing to export a measurement above its theoretical peak by more "
          "than 2%: the database's peak or the measurement is wrong:";
      for (const std::string& problem : over) message += "\n  " + problem;
      message +=
          "\nfix the entry's peak (or find the fault in the run), or pass "
          "--allow-over-peak to record it anyway";
      throw DataError(options.database.string(), "", message);
    }
    for (const std::string& problem : over) {
      io.err << "warning: " << problem
             << " (written: --allow-over-peak; summarize_database "
                "--check reports it until the peak is fixed)\n";
    }
  }

  if (options.dry_run && options.json) {
    io.out << dump_json(export_result_json(pending, changes, lines, true, 0, 0));
    return 0;
  }
  if (options.dry_run) {
    for (const Pending& item : pending) {
      io.out << (item.needs_copy
                     ? fmt::format("would copy {} to {}\n", item.display, item.stored_path)
                     : fmt::format("already stored: {}\n", item.stored_path));
    }
    for (const EntryChange& change : changes) {
      const std::string diff =
          unified_diff(change.before, change.after, "a/" + change.display, "b/" + change.display);
      io.out << (diff.empty() ? fmt::format("no change to {}\n", change.display) : diff);
    }
    if (!options.quiet) {
      for (const std::string& line : lines) io.out << line << "\n";
      io.out << "dry run: nothing written\n";
    }
    return 0;
  }

  // Profiles and entries as one change (transaction.hpp): a kill, a full disk or a failed
  // write at any moment leaves every file as it was, or every file as exported.
  Transaction transaction(options.database);
  std::size_t copied = 0;
  std::set<std::string> written;
  for (const Pending& item : pending) {
    if (!item.needs_copy || !written.insert(item.stored_path).second) continue;
    transaction.write(base / item.stored_path, item.content);
    ++copied;
  }
  std::size_t updated = 0;
  for (const EntryChange& change : changes) {
    if (change.after == change.before) continue;
    transaction.write(change.entry->path, change.after);
    ++updated;
  }
  transaction.commit();
  if (options.json) {
    io.out << dump_json(export_result_json(pending, changes, lines, false, copied, updated));
    return 0;
  }
  if (!options.quiet) {
    for (const std::string& line : lines) io.out << line << "\n";
    if (updated == 0 && copied == 0) {
      io.out << "nothing changed: these profiles were exported before\n";
    } else {
      io.out << fmt::format("wrote {} entr{} and {} profile{} under {}\n", updated,
                            updated == 1 ? "y" : "ies", copied, copied == 1 ? "" : "s",
                            (base / "profiles").string());
    }
  }
  return 0;
}

}  // namespace hwcal
