// add_hardware --import-registry: the predecessor's newer registry (docs/importing.md), one row
// per file. Device specs become entries (identify/registry_entry.hpp says what is carried and
// what is flagged), calibrations/*.json become stored profiles with the entry's calibration
// summary, the rest is refused with its reason. One file's fault costs no other file its
// import; everything accepted lands in one transaction after the whole tree was read.
#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "base/paths.hpp"
#include "base/pattern.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/tolerances.hpp"
#include "identify/registry_entry.hpp"
#include "profile/legacy_profile.hpp"
#include "summary/summary.hpp"
#include "tools/add_hardware_internal.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

enum class FileKind { spec, board, calibration, efficiency_curves, other };

std::string_view kind_name(FileKind kind) {
  switch (kind) {
    case FileKind::spec: return "spec";
    case FileKind::board: return "board";
    case FileKind::calibration: return "calibration";
    case FileKind::efficiency_curves: return "efficiency curves";
    case FileKind::other: return "other";
  }
  return "other";
}

struct FileRow {
  fs::path path;
  std::string file;  // relative to the registry folder given
  std::string registry;
  FileKind kind = FileKind::other;
  std::string folder_id;  // the <id> folder it belongs to
  bool accepted = false;
  std::string target;  // where it goes
  std::string reason;  // why it is refused: one line
  std::vector<std::string> flags;
  std::vector<std::string> changes;
  std::vector<std::string> not_carried;
  std::vector<std::string> to_fill;
  std::vector<std::string> warnings;
};

// An entry of this import, with the row it came from.
struct Imported {
  EntryCheck check;
  std::size_t row = 0;
};

// A calibration on its way into a profile.
struct PendingRun {
  std::size_t row = 0;
  std::string entry_id;
  std::string mode;
  CalibrationProfile profile;
  std::string stored_path;
  std::string content;
};

FileKind classify(const fs::path& relative) {
  const std::string name = relative.filename().string();
  const std::string parent = relative.parent_path().filename().string();
  if (relative.extension() != ".json") return FileKind::other;
  if (name == "spec.json") return FileKind::spec;
  if (parent == "calibrations") return FileKind::calibration;
  if (name == "efficiency_curves.json") return FileKind::efficiency_curves;
  return FileKind::other;
}

std::vector<FileRow> list_files(const std::vector<fs::path>& roots) {
  std::vector<FileRow> rows;
  for (const fs::path& root : roots) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) {
      throw IoError(fmt::format("{}: not a folder (--import-registry takes a registry folder)",
                                root.string()));
    }
    std::vector<fs::path> found;
    for (fs::recursive_directory_iterator
             it(root, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec)) {
      std::error_code type_ec;
      if (it->is_regular_file(type_ec)) found.push_back(it->path());
    }
    if (ec) throw IoError(fmt::format("{}: cannot list: {}", root.string(), ec.message()));
    std::sort(found.begin(), found.end());
    for (const fs::path& path : found) {
      FileRow row;
      row.path = path;
      const fs::path relative = path.lexically_relative(root);
      row.file = relative.generic_string();
      row.registry = root.generic_string();
      row.kind = classify(relative);
      if (row.kind == FileKind::spec) {
        row.folder_id = relative.parent_path().filename().string();
      } else if (row.kind == FileKind::calibration) {
        row.folder_id = relative.parent_path().parent_path().filename().string();
      } else if (row.kind == FileKind::efficiency_curves) {
        row.folder_id = relative.parent_path().parent_path().filename().string();
      }
      rows.push_back(row);
    }
  }
  return rows;
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The database entry describing the same device as a registry spec: the same id, else the one
// entry whose detection pattern matches its model, else the one whose words hold every word of
// its model. Several candidates give none: there is no single figure to compare with.
std::optional<RegistryReference> find_reference(const Json& spec, const Database& database) {
  if (!spec.is_object()) return std::nullopt;
  auto text = [&](const char* key) {
    auto found = spec.find(key);
    return found != spec.end() && found->is_string() ? found->get<std::string>() : "";
  };
  const std::string id = lower(text("id"));
  const std::string model = text("model");
  std::string type = text("device_type");
  if (type == "tpu") type = "accelerator";
  for (const DatabaseEntry& entry : database.entries()) {
    if (!id.empty() && entry.spec.id == id && !entry.has_errors) {
      return RegistryReference{&entry.spec, entry.display_path};
    }
  }
  if (model.empty()) return std::nullopt;
  std::vector<const DatabaseEntry*> found;
  auto same_kind = [&](const DatabaseEntry& entry) {
    return !entry.has_errors && to_string(entry.spec.device_type) == type;
  };
  for (const DatabaseEntry& entry : database.entries()) {
    const auto& patterns = entry.spec.detection_patterns;
    if (same_kind(entry) && patterns &&
        std::any_of(patterns->begin(), patterns->end(),
                    [&](const std::string& pattern) { return pattern_search(pattern, model); })) {
      found.push_back(&entry);
    }
  }
  if (found.empty()) {
    for (const DatabaseEntry& entry : database.entries()) {
      if (same_kind(entry) && legacy_name_matches(model, entry.spec)) found.push_back(&entry);
    }
  }
  if (found.size() != 1) return std::nullopt;
  return RegistryReference{&found.front()->spec, found.front()->display_path};
}

// The database's entries of the same kind and architecture (case aside): their per-core or
// per-SM rates are the design's.
std::vector<RegistryReference> find_peers(const Json& spec, const Database& database) {
  std::vector<RegistryReference> peers;
  if (!spec.is_object()) return peers;
  auto text = [&](const char* key) {
    auto found = spec.find(key);
    return found != spec.end() && found->is_string() ? found->get<std::string>() : "";
  };
  const std::string architecture = lower(text("architecture"));
  const std::string type = text("device_type");
  if (architecture.empty() || architecture == "unknown") return peers;
  for (const DatabaseEntry& entry : database.entries()) {
    if (entry.has_errors || to_string(entry.spec.device_type) != type) continue;
    if (lower(entry.spec.architecture) != architecture) continue;
    peers.push_back(RegistryReference{&entry.spec, entry.display_path});
  }
  return peers;
}

// "25W_1152MHz_numpy_20260128T205744Z.json": the power mode, the clock measured, the framework
// and the UTC time of the run.
struct CalibrationName {
  std::string mode;
  double clock_mhz = 0;
  std::string framework;
  std::string utc;  // 2026-01-28T20:57:44Z
};

std::optional<CalibrationName> parse_calibration_name(const std::string& stem) {
  static const std::regex pattern(
      R"(^([A-Za-z0-9]+(?:_[A-Za-z0-9]+)*?)_([0-9]+(?:\.[0-9]+)?)MHz_([A-Za-z0-9.+-]+)_((\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z)$)");
  std::smatch match;
  if (!std::regex_match(stem, match, pattern)) return std::nullopt;
  CalibrationName name;
  name.mode = match[1].str();
  name.clock_mhz = std::stod(match[2].str());
  name.framework = match[3].str();
  name.utc = fmt::format("{}-{}-{}T{}:{}:{}Z", match[5].str(), match[6].str(), match[7].str(),
                         match[8].str(), match[9].str(), match[10].str());
  return name;
}

const Json& member(const Json& object, const char* key) {
  static const Json null_value;
  if (!object.is_object()) return null_value;
  auto found = object.find(key);
  return found == object.end() ? null_value : *found;
}

std::string number_text(double value) { return fmt::format("{:g}", value); }

// The predecessor's per-layer TensorRT runs (DLA): what they hold, as a refusal.
std::string layer_benchmarks_reason(const Json& document) {
  const Json& layers = member(document, "layer_benchmarks");
  std::size_t passed = 0;
  std::set<std::string> errors;
  if (layers.is_array()) {
    for (const Json& layer : layers) {
      const Json& status = member(layer, "status");
      if (status.is_string() && status.get<std::string>() == "success") ++passed;
      const Json& error = member(layer, "error");
      if (error.is_string()) errors.insert(error.get<std::string>());
    }
  }
  const std::size_t total = layers.is_array() ? layers.size() : 0;
  if (passed == 0) {
    return fmt::format(
        "/layer_benchmarks: per-layer TensorRT runs, {} of {} succeeded{}: nothing "
        "was measured",
        passed, total, errors.empty() ? "" : fmt::format(" (\"{}\")", fmt::join(errors, "\", \"")));
  }
  return fmt::format(
      "/layer_benchmarks: per-layer TensorRT runs ({} of {} succeeded) have no counterpart in a "
      "profile: hwcal profiles hold GEMM, FMA and memory kernels, and whole networks",
      passed, total);
}

std::string first_error(const Diagnostics& diagnostics) {
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    if (diagnostic.severity == Severity::error) {
      return (diagnostic.pointer.empty() ? "" : diagnostic.pointer + ": ") + diagnostic.message;
    }
  }
  return "";
}

// Measured figures above the entry's peaks of the mode by more than kOverPeakTolerance.
std::optional<std::string> over_peak(const ModeSummary& summary, const HardwareSpec& spec) {
  for (const auto& [precision, measured] : summary.measured_peaks) {
    auto peak = spec.peak_for_mode(precision, summary.power_mode);
    if (peak && *peak > 0 && measured > *peak * (1 + kOverPeakTolerance)) {
      return fmt::format("measured {} {:.1f} is {:.1f}% above {}'s theoretical {:.1f} in {}",
                         to_string(precision), measured, (measured / *peak - 1) * 100, spec.id,
                         *peak, summary.power_mode);
    }
  }
  return std::nullopt;
}

Json row_to_json(const FileRow& row, bool dry_run) {
  Json item = Json::object();
  item["file"] = row.file;
  item["registry"] = row.registry;
  item["kind"] = std::string(kind_name(row.kind));
  item["outcome"] = row.accepted ? (dry_run ? "would import" : "imported") : "refused";
  item["flagged"] = !row.flags.empty();
  item["target"] = row.target;
  item["reason"] = row.reason;
  item["flags"] = row.flags;
  item["changes"] = row.changes;
  item["not_carried"] = row.not_carried;
  item["to_fill"] = row.to_fill;
  item["warnings"] = row.warnings;
  return item;
}

}  // namespace

int run_import_registry(const AddHardwareOptions& options, Io& io) {
  std::vector<FileRow> rows = list_files(options.registry_paths);
  std::optional<DatabaseLock> lock;
  if (!options.dry_run) lock.emplace(options.database);
  Database database = Database::load(options.database);
  const fs::path base = calibration_base(options.database);
  const RegistryKinds kinds = registry_kinds_supported();

  std::vector<Imported> imported;
  std::vector<PendingEntry> pending;
  std::map<std::string, std::string> folder_to_id;  // <id> folder -> the entry it became

  auto refuse = [](FileRow& row, std::string reason) {
    row.accepted = false;
    row.reason = std::move(reason);
  };
  auto load = [&](FileRow& row) -> std::optional<Json> {
    try {
      return load_json_file(row.path, row.file);
    } catch (const Error& error) {
      // load_json_file names the file and the position: keep the message, drop the path.
      std::string message = error.what();
      const std::string prefix = row.file + ": ";
      if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
      refuse(row, message);
      return std::nullopt;
    }
  };

  // 1. Devices, then boards (whose parts may be devices of this import).
  std::vector<std::size_t> spec_rows;
  std::vector<std::size_t> board_rows;
  std::map<std::size_t, Json> documents;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].kind != FileKind::spec) continue;
    auto document = load(rows[i]);
    if (!document) continue;
    const Json& type = member(*document, "device_type");
    if (type.is_string() && type.get<std::string>() == "board") {
      rows[i].kind = FileKind::board;
      board_rows.push_back(i);
    } else {
      spec_rows.push_back(i);
    }
    documents[i] = *document;
  }
  std::vector<std::size_t> order = spec_rows;
  order.insert(order.end(), board_rows.begin(), board_rows.end());
  for (std::size_t index : order) {
    FileRow& row = rows[index];
    const Json& document = documents[index];
    RegistryConversion conversion;
    try {
      conversion = convert_registry_spec(document, row.file, row.folder_id,
                                         find_reference(document, database), kinds,
                                         find_peers(document, database));
    } catch (const std::exception& error) {
      refuse(row, error.what());
      continue;
    }
    row.flags = conversion.flags;
    row.changes = conversion.changes;
    row.not_carried = conversion.not_carried;
    row.to_fill = conversion.to_fill;
    if (!conversion.entry) {
      refuse(row, conversion.failure);
      continue;
    }
    bool parts_ok = true;
    for (const std::string& part : conversion.parts) {
      const bool known =
          database.find(part) != nullptr ||
          std::any_of(pending.begin(), pending.end(),
                      [&](const PendingEntry& entry) { return entry.spec.id == part; });
      if (!known) {
        refuse(row, fmt::format("/compute_units: part {} is neither in the database nor imported "
                                "here",
                                part));
        parts_ok = false;
        break;
      }
    }
    if (!parts_ok) continue;
    EntryCheck check = check_entry(*conversion.entry, database, pending, options.force);
    row.target = check.display_path;
    for (const Diagnostic& diagnostic : check.diagnostics.items()) {
      if (diagnostic.severity != Severity::error) {
        row.warnings.push_back((diagnostic.pointer.empty() ? "" : diagnostic.pointer + ": ") +
                               diagnostic.message);
      }
    }
    if (check.diagnostics.has_errors()) {
      refuse(row, first_error(check.diagnostics));
      row.target.clear();
      continue;
    }
    row.accepted = true;
    folder_to_id[row.folder_id] = check.spec.id;
    pending.push_back(PendingEntry{check.spec, check.display_path});
    imported.push_back(Imported{check, index});
  }

  // 2. Calibrations: profiles of an entry of this import or of the database.
  std::vector<PendingRun> runs;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    FileRow& row = rows[i];
    if (row.kind != FileKind::calibration) continue;
    auto document = load(row);
    if (!document) continue;
    if (document->is_object() && document->contains("layer_benchmarks")) {
      refuse(row, layer_benchmarks_reason(*document));
      continue;
    }
    if (!looks_like_legacy_profile(*document)) {
      refuse(row,
             "/: not a calibration the importer knows (expected the predecessor's metadata "
             "and operation_profiles)");
      continue;
    }
    const std::string stem = row.path.stem().string();
    auto name = parse_calibration_name(stem);
    if (!name) {
      refuse(row, fmt::format("file name '{}' does not say <MODE>_<CLOCK>MHz_<FRAMEWORK>_"
                              "<YYYYMMDDTHHMMSSZ>: the power mode and time of the run are unknown",
                              row.path.filename().string()));
      continue;
    }
    // The entry: the one this import made from the same folder, else the database's of that id.
    std::string id = lower(row.folder_id);
    if (auto found = folder_to_id.find(row.folder_id); found != folder_to_id.end()) {
      id = found->second;
    }
    const HardwareSpec* spec = nullptr;
    std::string target_path;
    for (const Imported& item : imported) {
      if (item.check.spec.id == id) {
        spec = &item.check.spec;
        target_path = item.check.display_path;
      }
    }
    if (spec == nullptr) {
      if (const DatabaseEntry* entry = database.find(id); entry != nullptr && !entry->has_errors) {
        spec = &entry->spec;
        target_path = entry->display_path;
      }
    }
    if (spec == nullptr) {
      refuse(row, fmt::format("no entry '{}' in the database or in this import: the run has no "
                              "entry to belong to",
                              id));
      continue;
    }
    CalibrationProfile profile;
    try {
      profile = read_legacy_profile(*document, row.path, row.file, legacy_options_for(*spec));
    } catch (const DataError& error) {
      refuse(row, fmt::format("{}: {}", error.pointer().empty() ? "/" : error.pointer(),
                              error.detail()));
      continue;
    }
    if (profile.device_type != spec->device_type) {
      refuse(row,
             fmt::format("/metadata/device_type: a {} run cannot calibrate {}, a {} entry",
                         to_string(profile.device_type), spec->id, to_string(spec->device_type)));
      continue;
    }
    // What the name says against what the file recorded.
    const Json& metadata = member(*document, "metadata");
    const Json& clock =
        member(metadata, spec->device_type == DeviceType::gpu ? "gpu_clock" : "cpu_clock");
    const Json& recorded_mode = member(clock, "power_mode_name");
    if (recorded_mode.is_string() && recorded_mode.get<std::string>() != name->mode) {
      row.flags.push_back(
          fmt::format("power mode: the file name says {}, metadata records {}; the name's is used",
                      name->mode, recorded_mode.get<std::string>()));
    }
    const Json& current = member(clock, "current_freq_mhz");
    if (current.is_number() && relative_error(current.get<double>(), name->clock_mhz) > 0.01) {
      row.flags.push_back(fmt::format("clock: the file name says {} MHz, metadata records {} MHz",
                                      number_text(name->clock_mhz),
                                      number_text(current.get<double>())));
    }
    const Json& framework = member(metadata, "framework");
    if (framework.is_string() && lower(framework.get<std::string>()) != lower(name->framework)) {
      row.flags.push_back(fmt::format("framework: the file name says {}, metadata records {}",
                                      name->framework, framework.get<std::string>()));
    }
    const Json& preflight = member(metadata, "preflight");
    if (member(preflight, "passed").is_boolean() && !member(preflight, "passed").get<bool>()) {
      std::vector<std::string> failed;
      const Json& checks = member(preflight, "checks");
      if (checks.is_array()) {
        for (const Json& check : checks) {
          if (member(check, "status") == Json("failed")) {
            failed.push_back(fmt::format(
                "{}: {}",
                member(check, "name").is_string() ? member(check, "name").get<std::string>() : "?",
                member(check, "message").is_string() ? member(check, "message").get<std::string>()
                                                     : "failed"));
          }
        }
      }
      row.flags.push_back(fmt::format(
          "the predecessor's preflight failed{} and the run was {}: carried, but read its figures "
          "with that in mind",
          failed.empty() ? "" : fmt::format(" ({})", fmt::join(failed, "; ")),
          member(preflight, "forced") == Json(true) ? "forced" : "kept"));
    }
    profile.hardware_id = spec->id;
    profile.power_mode = name->mode;
    const std::string recorded_start = profile.started_at;
    profile.started_at = name->utc;
    profile.host
        .clocks_mhz[spec->device_type == DeviceType::gpu ? "gpu_measured" : "cpu_measured"] =
        name->clock_mhz;
    profile.warnings.push_back(fmt::format(
        "imported by add_hardware --import-registry from {}: power mode {}, measured clock {} MHz, "
        "framework {} and the UTC time {} from the file name (the file's own calibration_date, "
        "{} as read, has no time zone)",
        row.file, name->mode, number_text(name->clock_mhz), name->framework, name->utc,
        recorded_start));
    if (spec->power_modes.empty() || spec->find_power_mode(name->mode) == nullptr) {
      std::vector<std::string> names;
      for (const PowerMode& mode : spec->power_modes) names.push_back(mode.name);
      refuse(row, fmt::format("power mode {} (from the file name) is not a mode of {} ({})",
                              name->mode, spec->id,
                              names.empty() ? std::string("it has none")
                                            : fmt::format("{}", fmt::join(names, ", "))));
      continue;
    }
    std::vector<ProfileProblem> problems = check_measurements(profile);
    if (!problems.empty()) {
      refuse(row, fmt::format("{}: {}", problems.front().pointer, problems.front().message));
      continue;
    }
    PendingRun run;
    run.row = i;
    run.entry_id = spec->id;
    run.mode = name->mode;
    run.stored_path = fmt::format("profiles/{}/{}/{}/{}.json", spec->vendor_slug(), spec->id,
                                  name->mode, timestamp_stem(profile.started_at));
    run.content = dump_json(profile_to_json(profile));
    run.profile = std::move(profile);
    row.target = run.stored_path;
    std::error_code ec;
    if (fs::exists(base / run.stored_path, ec) &&
        read_text_file(base / run.stored_path) != run.content) {
      refuse(row, fmt::format("{} already exists with other content: stored profiles are "
                              "immutable history",
                              run.stored_path));
      row.target.clear();
      continue;
    }
    row.accepted = true;
    (void)target_path;
    runs.push_back(std::move(run));
  }

  // 3. Efficiency curves and anything else: no place for them.
  for (FileRow& row : rows) {
    if (row.kind == FileKind::efficiency_curves) {
      if (!load(row)) continue;
      refuse(row,
             "efficiency curves (efficiency against FLOPs per operation type, aggregated over "
             "models) have no place in hwcal: a profile holds one run's timed kernels, an entry "
             "its peaks; not carried");
    } else if (row.kind == FileKind::other) {
      refuse(row, row.path.extension() == ".json"
                      ? "not a registry file (expected <type>/<id>/spec.json, "
                        "<type>/<id>/calibrations/*.json or <precision>/efficiency_curves.json)"
                      : "not registry data (documentation or another file type)");
    }
  }

  // 4. Summaries: each calibrated mode of each entry from the runs of this import, as
  // export_calibration writes them.
  std::map<std::string, std::map<std::string, std::vector<const PendingRun*>>> groups;
  for (const PendingRun& run : runs) groups[run.entry_id][run.mode].push_back(&run);
  std::map<std::string, std::string> updated_texts;  // database entry id -> new text
  for (const auto& [id, modes] : groups) {
    Imported* own = nullptr;
    for (Imported& item : imported) {
      if (item.check.spec.id == id) own = &item;
    }
    const DatabaseEntry* entry = own == nullptr ? database.find(id) : nullptr;
    HardwareSpec spec = own != nullptr ? own->check.spec : entry->spec;
    std::map<std::string, ModeSummary> by_mode;
    std::map<std::string, std::vector<std::string>> paths;
    if (spec.calibration_summary) by_mode = spec.calibration_summary->by_power_mode;
    if (spec.calibration_profiles) paths = spec.calibration_profiles->power_modes;
    auto refuse_mode = [&](const std::vector<const PendingRun*>& group, const std::string& why) {
      for (const PendingRun* run : group) {
        refuse(rows[run->row], why);
        rows[run->row].target.clear();
      }
    };
    bool any = false;
    for (const auto& [mode, group] : modes) {
      std::vector<CalibrationRun> calibration_runs;
      std::vector<std::string> mode_paths;
      for (const PendingRun* run : group) {
        calibration_runs.push_back({run->profile, run->stored_path});
        mode_paths.push_back(run->stored_path);
      }
      ModeSummaryResult result;
      try {
        result = summarize_mode(spec, mode, calibration_runs);
      } catch (const DataError& error) {
        refuse_mode(group, fmt::format("nothing to summarize: {}", error.detail()));
        continue;
      }
      if (auto problem = over_peak(result.summary, spec)) {
        refuse_mode(group, *problem + ": the entry's peak or the run is wrong");
        continue;
      }
      for (const PendingRun* run : group) {
        for (const std::string& note : result.notes) rows[run->row].warnings.push_back(note);
      }
      std::sort(mode_paths.begin(), mode_paths.end());
      by_mode[mode] = result.summary;
      paths[mode] = mode_paths;
      any = true;
    }
    if (!any) continue;
    EntryCalibration calibration = build_entry_calibration(spec, by_mode, paths);
    spec.calibration_summary = calibration.summary;
    spec.calibration_profiles = calibration.profiles;
    const std::string display = own != nullptr ? own->check.display_path : entry->display_path;
    const fs::path path = own != nullptr ? database.path_for(spec) : entry->path;
    const std::string relative = path.lexically_relative(options.database).generic_string();
    std::string after;
    if (own != nullptr) {
      after = dump_json(tidy_numbers(spec_to_json(spec)));
    } else {
      after = dump_json(spec_to_json(spec, parse_json(read_text_file(entry->path), display)));
    }
    Diagnostics diagnostics;
    const HardwareSpec reread = parse_spec(parse_json(after, display), display, diagnostics);
    diagnostics.append(validate_spec(reread, display, relative));
    if (diagnostics.has_errors()) {
      for (const auto& [mode, group] : modes) {
        refuse_mode(group, "the summary would not validate: " + first_error(diagnostics));
      }
      continue;
    }
    if (own != nullptr) {
      own->check.spec = spec;
      own->check.document = tidy_numbers(spec_to_json(spec));
    } else {
      updated_texts[id] = after;
    }
  }

  // 5. Everything accepted, in one change.
  std::size_t accepted = 0;
  std::size_t flagged = 0;
  for (const FileRow& row : rows) {
    accepted += row.accepted ? 1 : 0;
    flagged += row.flags.empty() ? 0 : 1;
  }
  if (!options.dry_run) {
    Transaction transaction(options.database);
    for (const Imported& item : imported) write_checked(database, item.check, transaction);
    std::set<std::string> written;
    for (const PendingRun& run : runs) {
      if (!rows[run.row].accepted || !written.insert(run.stored_path).second) continue;
      std::error_code ec;
      if (fs::exists(base / run.stored_path, ec)) continue;  // the same run, stored before
      transaction.write(base / run.stored_path, run.content);
    }
    for (const auto& [id, text] : updated_texts) transaction.write(database.find(id)->path, text);
    transaction.commit();
  }

  const std::size_t refused = rows.size() - accepted;
  if (options.format == AddHardwareFormat::json) {
    Json out = Json::object();
    out["database"] = options.database.string();
    out["dry_run"] = options.dry_run;
    Json items = Json::array();
    for (const FileRow& row : rows) items.push_back(row_to_json(row, options.dry_run));
    out["files"] = items;
    out["imported"] = accepted;
    out["refused"] = refused;
    out["flagged"] = flagged;
    io.out << dump_json(out);
    return refused > 0 ? 1 : 0;
  }
  // The table: one row per file, then its flags and (unless --quiet) the detail.
  std::size_t width = 4;
  for (const FileRow& row : rows) width = std::max(width, row.file.size());
  const std::string accepted_word = options.dry_run ? "would import" : "imported";
  io.out << fmt::format("{:<{}}  {:<17}  {:<12}  {}\n", "FILE", width, "KIND", "OUTCOME",
                        "TARGET / REASON");
  for (const FileRow& row : rows) {
    io.out << fmt::format("{:<{}}  {:<17}  {:<12}  {}\n", row.file, width, kind_name(row.kind),
                          row.accepted ? accepted_word : "refused",
                          row.accepted ? row.target : row.reason);
    for (const std::string& flag : row.flags) io.out << "    flagged: " << flag << "\n";
    if (options.quiet) continue;
    for (const std::string& item : row.changes) io.out << "    changed: " << item << "\n";
    for (const std::string& item : row.not_carried) io.out << "    not carried: " << item << "\n";
    if (row.accepted) {
      for (const std::string& item : row.to_fill) io.out << "    to fill in: " << item << "\n";
      for (const std::string& item : row.warnings) io.out << "    warning: " << item << "\n";
    }
  }
  io.out << fmt::format("{} file{}: {} {}, {} refused, {} flagged{}\n", rows.size(),
                        rows.size() == 1 ? "" : "s", accepted, accepted_word, refused, flagged,
                        options.dry_run ? " (dry run: nothing written)" : "");
  return refused > 0 ? 1 : 0;
}

}  // namespace hwcal
