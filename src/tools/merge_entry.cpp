#include "tools/merge_entry.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include <fmt/format.h>

#include "base/process.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/json/json_io.hpp"
#include "profile/legacy_profile.hpp"
#include "profile/profile_store.hpp"
#include "summary/summary.hpp"
#include "summary/workload_summary.hpp"

extern char** environ;

namespace fs = std::filesystem;

namespace hwcal {
namespace {

// Fields the merge derives instead of merging: the links merge as sets, the summaries are
// computed again from them.
bool is_derived(const std::string& key) {
  return key == "calibration_summary" || key == "calibration_profiles" || key == "workload_summary";
}

// A field both sides changed differently: its pointer and each side's value (nullopt: removed).
struct Conflict {
  std::string pointer;
  std::optional<Json> ours;
  std::optional<Json> theirs;
};

const Json* child(const Json* object, const std::string& key) {
  if (object == nullptr || !object->is_object()) return nullptr;
  auto found = object->find(key);
  return found == object->end() ? nullptr : &*found;
}

// Three-way merge of one value; a conflict keeps our value and is recorded.
Json merge3(const Json* ancestor, const Json& ours, const Json& theirs, const std::string& pointer,
            std::vector<Conflict>& conflicts) {
  if (ours == theirs) return ours;
  if (ancestor != nullptr && *ancestor == ours) return theirs;
  if (ancestor != nullptr && *ancestor == theirs) return ours;
  if (!ours.is_object() || !theirs.is_object()) {
    conflicts.push_back({pointer, ours, theirs});
    return ours;
  }
  Json result = Json::object();
  for (const auto& [key, value] : ours.items()) {
    const Json* was = child(ancestor, key);
    const std::string at = pointer_append(pointer, key);
    if (pointer.empty() && is_derived(key)) {
      result[key] = value;  // holds the place; derive() writes the derived value
      continue;
    }
    if (const Json* other = child(&theirs, key)) {
      result[key] = merge3(was, value, *other, at, conflicts);
    } else if (was == nullptr) {
      result[key] = value;  // only we added it
    } else if (*was != value) {
      conflicts.push_back({at, value, std::nullopt});  // we changed it, they removed it
      result[key] = value;
    }  // else: they removed it and we left it as it was
  }
  for (const auto& [key, value] : theirs.items()) {
    if (ours.contains(key)) continue;
    if (pointer.empty() && is_derived(key)) {
      result[key] = value;  // holds the place; derive() writes the derived value
      continue;
    }
    const Json* was = child(ancestor, key);
    if (was == nullptr) {
      result[key] = value;  // only they added it
    } else if (*was != value) {
      conflicts.push_back({pointer_append(pointer, key), std::nullopt, value});
    }
  }
  return result;
}

using Links = std::map<std::string, std::vector<std::string>>;  // power mode -> paths

Links calibration_links(const Json* document) {
  Links links;
  const Json* modes = child(child(document, "calibration_profiles"), "power_modes");
  if (modes == nullptr || !modes->is_object()) return links;
  for (const auto& [mode, paths] : modes->items()) {
    if (!paths.is_array()) continue;
    for (const Json& path : paths) {
      if (path.is_string()) links[mode].push_back(path.get<std::string>());
    }
  }
  return links;
}

Links workload_links(const Json* document) {
  Links links;
  const Json* modes = child(child(document, "workload_summary"), "by_power_mode");
  if (modes == nullptr || !modes->is_object()) return links;
  for (const auto& [mode, summary] : modes->items()) {
    const Json* paths = child(&summary, "profiles");
    if (paths == nullptr || !paths->is_array()) continue;
    links[mode];
    for (const Json& path : *paths) {
      if (path.is_string()) links[mode].push_back(path.get<std::string>());
    }
  }
  return links;
}

// Both sides' links, less those the ancestor had and one side dropped; sorted, as export
// writes them. Modes left without a link are gone.
Links merge_links(const Links& ancestor, const Links& ours, const Links& theirs) {
  std::set<std::string> modes;
  for (const Links* side : {&ours, &theirs}) {
    for (const auto& [mode, paths] : *side) modes.insert(mode);
  }
  auto set_of = [](const Links& links, const std::string& mode) {
    auto found = links.find(mode);
    return found == links.end() ? std::set<std::string>{}
                                : std::set<std::string>(found->second.begin(), found->second.end());
  };
  Links merged;
  for (const std::string& mode : modes) {
    const std::set<std::string> was = set_of(ancestor, mode);
    const std::set<std::string> a = set_of(ours, mode);
    const std::set<std::string> b = set_of(theirs, mode);
    std::vector<std::string> paths;
    for (const std::set<std::string>* side : {&a, &b}) {
      for (const std::string& path : *side) {
        const bool dropped = was.count(path) && !(a.count(path) && b.count(path));
        if (!dropped) paths.push_back(path);
      }
    }
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    if (!paths.empty()) merged[mode] = paths;
  }
  return merged;
}

// Reads linked profiles from the working tree, else from git (the other side's commit first).
class LinkedProfiles {
 public:
  explicit LinkedProfiles(fs::path base) : base_(std::move(base)) {}
  ~LinkedProfiles() {
    std::error_code ec;
    if (!scratch_.empty()) fs::remove_all(scratch_, ec);
  }
  LinkedProfiles(const LinkedProfiles&) = delete;
  LinkedProfiles& operator=(const LinkedProfiles&) = delete;

  CalibrationRun load(const std::string& path, const HardwareSpec& spec, const std::string& file) {
    const LinkedRun linked = locate_linked_run(path, base_);
    if (linked.problem == LinkedRunProblem::not_posix_relative) {
      throw DataError(file, "",
                      fmt::format("linked profile '{}' is not a POSIX path relative to the "
                                  "folder that holds the database",
                                  path));
    }
    fs::path location = linked.file;
    if (linked.problem == LinkedRunProblem::missing) location = from_git(path, file);
    return {load_profile_file(location, path, legacy_options_for(spec)).profile, path};
  }

 private:
  std::vector<std::string> revisions() {
    std::vector<std::string> revs;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string text = *entry;
      if (text.rfind("GITHEAD_", 0) == 0) {
        revs.push_back(text.substr(8, text.find('=') - 8));
      }
    }
    for (const char* name : {"MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "REBASE_HEAD"}) {
      revs.emplace_back(name);
    }
    revs.emplace_back("HEAD");
    return revs;
  }

  std::string repository_path(const std::string& path) {
    if (toplevel_.empty()) {
      const CommandResult top = run_command({"git", "rev-parse", "--show-toplevel"}, 30);
      if (!top.started || top.exit_code != 0) return "";
      std::string text = top.out;
      while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
      toplevel_ = fs::weakly_canonical(text);
    }
    return fs::weakly_canonical(fs::absolute(base_ / path))
        .lexically_relative(toplevel_)
        .generic_string();
  }

  fs::path from_git(const std::string& path, const std::string& file) {
    const std::string in_repository = repository_path(path);
    std::optional<std::string> content;
    if (!in_repository.empty()) {
      std::vector<std::string> revs = revisions();
      const CommandResult any =
          run_command({"git", "rev-list", "-1", "--all", "--", in_repository}, 60);
      if (any.started && any.exit_code == 0 && any.out.size() >= 40) {
        revs.push_back(any.out.substr(0, any.out.find('\n')));
      }
      for (const std::string& rev : revs) {
        const CommandResult blob =
            run_command({"git", "cat-file", "blob", rev + ":" + in_repository}, 60);
        if (blob.started && blob.exit_code == 0) {
          content = blob.out;
          break;
        }
      }
    }
    if (!content) {
      throw DataError(file, "",
                      fmt::format("linked profile {} is neither in the working tree ({}) nor in "
                                  "either side's commits",
                                  path, base_.string()));
    }
    if (scratch_.empty()) {
      std::string pattern = (fs::temp_directory_path() / "hwcal-merge-XXXXXX").string();
      if (::mkdtemp(pattern.data()) == nullptr) {
        throw IoError(fmt::format("{}: cannot create a temporary folder", pattern));
      }
      scratch_ = pattern;
    }
    const fs::path copy = scratch_ / std::to_string(copies_++) / fs::path(path).filename();
    fs::create_directories(copy.parent_path());
    write_file_atomic(copy, *content);
    return copy;
  }

  fs::path base_;
  fs::path toplevel_;
  fs::path scratch_;
  int copies_ = 0;
};

// The non-derived part of an entry, for "did this side change anything the summaries read".
Json inputs_of(const Json& document) {
  Json copy = document;
  if (copy.is_object()) {
    for (const char* key : {"calibration_summary", "calibration_profiles", "workload_summary"}) {
      copy.erase(key);
    }
  }
  return copy;
}

struct Side {
  const Json* document = nullptr;
  Links calibration;
  std::optional<HardwareSpec> spec;  // parsed when a mode's summary can be taken from it
};

// The merged entry's text: `merged` (every non-derived field merged) with the summaries derived
// from the merged links. A mode whose links and inputs are one side's keeps that side's summary
// (what export left there); every other mode is derived again from its runs.
std::string derive(Json merged, const Json* ancestor, std::vector<Side>& sides,
                   const Links& calibration, const Links& workloads, const std::string& file,
                   LinkedProfiles& source) {
  // The derived fields' layout (key position, unknown fields): the ancestor's, else a side's.
  for (const char* key : {"calibration_summary", "calibration_profiles", "workload_summary"}) {
    const Json* layout = child(ancestor, key);
    for (const Side& side : sides) {
      if (layout == nullptr) layout = child(side.document, key);
    }
    if (layout != nullptr) merged[key] = *layout;
  }
  HardwareSpec spec = spec_from_json(merged, file);
  const Json inputs = inputs_of(merged);

  std::map<std::string, ModeSummary> by_mode;
  for (const auto& [mode, paths] : calibration) {
    bool taken = false;
    for (Side& side : sides) {
      auto links = side.calibration.find(mode);
      if (links == side.calibration.end() || links->second != paths) continue;
      if (inputs_of(*side.document) != inputs) continue;
      if (!side.spec) side.spec = spec_from_json(*side.document, file);
      if (!side.spec->calibration_summary) continue;
      auto found = side.spec->calibration_summary->by_power_mode.find(mode);
      if (found == side.spec->calibration_summary->by_power_mode.end()) continue;
      by_mode[mode] = found->second;
      taken = true;
      break;
    }
    if (taken) continue;
    std::vector<CalibrationRun> runs;
    for (const std::string& path : paths) runs.push_back(source.load(path, spec, file));
    by_mode[mode] = summarize_mode(spec, mode, runs).summary;
  }
  if (calibration.empty()) {
    spec.calibration_summary.reset();
    spec.calibration_profiles.reset();
  } else {
    EntryCalibration result = build_entry_calibration(spec, by_mode, calibration);
    spec.calibration_summary = result.summary;
    spec.calibration_profiles = result.profiles;
  }

  if (workloads.empty()) {
    spec.workload_summary.reset();
  } else {
    // As export does: every mode derived from its runs on the merged calibration; the unknown
    // fields of modes and results kept.
    WorkloadSummary summary = spec.workload_summary.value_or(WorkloadSummary{});
    WorkloadSummary updated;
    updated.extra = summary.extra;
    for (const auto& [mode, paths] : workloads) {
      std::vector<CalibrationRun> runs;
      for (const std::string& path : paths) runs.push_back(source.load(path, spec, file));
      WorkloadModeSummary derived = summarize_workloads(spec, mode, runs);
      auto stored = summary.by_power_mode.find(mode);
      if (stored != summary.by_power_mode.end()) {
        for (WorkloadResult& result : derived.results) {
          for (const WorkloadResult& old : stored->second.results) {
            if (old.workload == result.workload && old.precision == result.precision &&
                old.batch == result.batch && old.device == result.device) {
              result.extra = old.extra;
            }
          }
        }
        derived.extra = stored->second.extra;
      }
      updated.by_power_mode[mode] = derived;
    }
    spec.workload_summary = updated;
  }
  return dump_json(spec_to_json(spec, merged));
}

// Both versions between conflict markers around the lines where they differ.
std::string with_markers(const std::string& ours, const std::string& theirs,
                         const std::string& label) {
  auto lines = [](const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size() - 1;
      out.push_back(text.substr(start, end - start + 1));
      start = end + 1;
    }
    return out;
  };
  const std::vector<std::string> a = lines(ours);
  const std::vector<std::string> b = lines(theirs);
  std::size_t head = 0;
  while (head < a.size() && head < b.size() && a[head] == b[head]) ++head;
  std::size_t tail = 0;
  while (tail < a.size() - head && tail < b.size() - head &&
         a[a.size() - 1 - tail] == b[b.size() - 1 - tail]) {
    ++tail;
  }
  std::string text;
  for (std::size_t i = 0; i < head; ++i) text += a[i];
  text += fmt::format("<<<<<<< ours ({})\n", label);
  for (std::size_t i = head; i < a.size() - tail; ++i) text += a[i];
  text += "=======\n";
  for (std::size_t i = head; i < b.size() - tail; ++i) text += b[i];
  text += fmt::format(">>>>>>> theirs ({})\n", label);
  for (std::size_t i = a.size() - tail; i < a.size(); ++i) text += a[i];
  return text;
}

void set_at(Json& document, const std::string& pointer, const std::optional<Json>& value) {
  const Json::json_pointer at(pointer);
  if (value) {
    document[at] = *value;
  } else if (document.contains(at)) {
    document[at.parent_pointer()].erase(at.back());
  }
}

std::string short_json(const std::optional<Json>& value) {
  if (!value) return "(removed)";
  std::string text = value->dump();
  return text.size() > 60 ? text.substr(0, 57) + "..." : text;
}

// An entry is <root>/<device type>/<vendor>/<id>.json: the profiles' paths are relative to the
// root's parent.
fs::path profiles_base(const MergeEntryOptions& options) {
  if (!options.path.empty()) {
    const fs::path entry(options.path);
    const fs::path root = entry.parent_path().parent_path().parent_path();
    return root.has_parent_path() ? root.parent_path() : fs::path(".");
  }
  return calibration_base(options.database);
}

// Not an entry (a schema file, say): git's own text merge.
int merge_as_text(const MergeEntryOptions& options, Io& io) {
  const CommandResult result =
      run_command({"git", "merge-file", "-L", "ours", "-L", "ancestor", "-L", "theirs",
                   options.ours.string(), options.ancestor.string(), options.theirs.string()},
                  60);
  if (!result.started) {
    throw IoError(fmt::format("merge-entry: cannot run git merge-file: {}", result.problem));
  }
  if (result.exit_code != 0 && !options.quiet) {
    io.err << fmt::format("merge-entry: {}: not a database entry; merged as text, with conflicts\n",
                          options.path.empty() ? options.ours.string() : options.path);
  }
  return result.exit_code == 0 ? 0 : 1;
}

}  // namespace

int run_merge_entry(const MergeEntryOptions& options, Io& io) {
  const std::string file = options.path.empty() ? options.ours.string() : options.path;
  const std::string ancestor_text = read_text_file(options.ancestor);
  const std::string ours_text = read_text_file(options.ours);
  const std::string theirs_text = read_text_file(options.theirs);
  // Only one side changed the file: that side's bytes (git rarely asks then).
  if (theirs_text == ours_text || theirs_text == ancestor_text) return 0;
  if (ours_text == ancestor_text) {
    write_file_atomic(options.ours, theirs_text);
    return 0;
  }
  Json ancestor;
  Json ours;
  Json theirs;
  try {
    if (!ancestor_text.empty()) ancestor = parse_json(ancestor_text, file + " (ancestor)");
    ours = parse_json(ours_text, file + " (ours)");
    theirs = parse_json(theirs_text, file + " (theirs)");
  } catch (const DataError& error) {
    if (!options.quiet) {
      io.err << fmt::format("merge-entry: {}; merging as text\n", error.what());
    }
    return merge_as_text(options, io);
  }
  if (!ours.is_object() || !ours.contains("id") || !theirs.is_object() || !theirs.contains("id")) {
    return merge_as_text(options, io);
  }
  const Json* base = ancestor.is_null() ? nullptr : &ancestor;

  std::vector<Conflict> conflicts;
  Json merged = merge3(base, ours, theirs, "", conflicts);
  const Links calibration =
      merge_links(calibration_links(base), calibration_links(&ours), calibration_links(&theirs));
  const Links workloads =
      merge_links(workload_links(base), workload_links(&ours), workload_links(&theirs));
  LinkedProfiles source(profiles_base(options));
  std::vector<Side> sides = {{&ours, calibration_links(&ours), std::nullopt},
                             {&theirs, calibration_links(&theirs), std::nullopt}};

  if (conflicts.empty()) {
    std::string text;
    try {
      text = derive(merged, base, sides, calibration, workloads, file, source);
    } catch (const Error& error) {
      // A linked profile nowhere to be found, a summary that cannot be derived: git's text
      // merge, and the reason.
      io.err << fmt::format("merge-entry: {}: cannot derive the summaries: {}; merging as text\n",
                            file, error.what());
      const int code = merge_as_text(options, io);
      return code == 0 ? 1 : code;
    }
    write_file_atomic(options.ours, text);
    if (!options.quiet) {
      std::size_t runs = 0;
      for (const auto& [mode, paths] : calibration) runs += paths.size();
      io.err << fmt::format("merge-entry: {}: merged; {} linked profile{} in {} power mode{}\n",
                            file, runs, runs == 1 ? "" : "s", calibration.size(),
                            calibration.size() == 1 ? "" : "s");
    }
    return 0;
  }

  // Each version consistent in itself: the conflicting fields as that side has them, the
  // summaries derived for them; where that cannot be derived, the side's own summaries.
  Json theirs_variant = merged;
  for (const Conflict& conflict : conflicts)
    set_at(theirs_variant, conflict.pointer, conflict.theirs);
  auto variant = [&](const Json& document, const Json& side) {
    try {
      return derive(document, base, sides, calibration, workloads, file, source);
    } catch (const Error&) {
      Json copy = document;
      for (const char* key : {"calibration_summary", "calibration_profiles", "workload_summary"}) {
        if (const Json* value = child(&side, key)) copy[key] = *value;
      }
      return dump_json(copy);
    }
  };
  const std::string text =
      with_markers(variant(merged, ours), variant(theirs_variant, theirs), file);
  write_file_atomic(options.ours, text);
  io.err << fmt::format("merge-entry: {}: both sides changed {} field{} differently:\n", file,
                        conflicts.size(), conflicts.size() == 1 ? "" : "s");
  for (const Conflict& conflict : conflicts) {
    io.err << fmt::format("  {}: ours {}, theirs {}\n", conflict.pointer, short_json(conflict.ours),
                          short_json(conflict.theirs));
  }
  io.err << "merge-entry: left as a conflict: keep one version (each has its summaries derived "
            "for its figures), then `summarize_database --check`\n";
  return 1;
}

}  // namespace hwcal
