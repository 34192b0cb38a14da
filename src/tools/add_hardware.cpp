#include "tools/add_hardware.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "base/text.hpp"
#include "detect/clock.hpp"
#include "detect/detect.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/json/json_reader.hpp"
#include "identify/derive.hpp"
#include "identify/match.hpp"
#include "json/diff.hpp"
#include "measure/gpu.hpp"
#include "measure/kernels.hpp"
#include "tools/add_hardware_internal.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

// Fields that are strings by definition: "--set compute.compute_capability=8.7" must not become
// the number 8.7.
bool is_string_field(const std::string& key) {
  static const std::vector<std::string> names = {"id",
                                                 "vendor",
                                                 "model",
                                                 "architecture",
                                                 "device_type",
                                                 "platform",
                                                 "default_power_mode",
                                                 "notes",
                                                 "compute.compute_capability",
                                                 "board_signals.compute_capability",
                                                 "memory.type",
                                                 "compute.unit_name"};
  return std::find(names.begin(), names.end(), key) != names.end();
}

std::vector<std::string> split_key(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = key.find('.', start);
    parts.push_back(key.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

bool is_index(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

std::string human_mhz(double mhz) { return fmt::format("{:.0f} MHz", mhz); }

// ---- --detect -----------------------------------------------------------------------------

struct ClockRow {
  ClockLoad load;
  ClockMeasurement one;
  std::optional<ClockMeasurement> all;
};

std::vector<ClockRow> measure_clocks(const SystemInfo& system) {
  std::vector<ClockRow> rows;
  std::vector<int> cores = system.cpu.one_cpu_per_core;
  if (cores.empty()) cores = system.cpu.online_cpus;
  for (ClockLoad load : available_clock_loads()) {
    ClockOptions options;
    options.load = load;
    if (!cores.empty()) options.cpus = {cores.front()};
    ClockRow row{load, measure_core_clock(options), std::nullopt};
    if (cores.size() > 1) {
      options.cpus = cores;
      row.all = measure_core_clock(options);
    }
    rows.push_back(row);
  }
  return rows;
}

Json clock_rows_to_json(const std::vector<ClockRow>& rows) {
  Json out = Json::array();
  for (const ClockRow& row : rows) {
    Json item = Json::object();
    item["load"] = std::string(to_string(row.load));
    item["one_core_mhz"] = std::round(row.one.mhz);
    if (row.all) {
      item["all_cores_mhz"] = std::round(row.all->mhz);
      item["all_cores_min_mhz"] = std::round(row.all->min_mhz);
      item["threads"] = row.all->threads();
    }
    item["runs"] = row.one.runs;
    item["run_s"] = row.one.run_s;
    out.push_back(item);
  }
  return out;
}

std::string render_clock_rows(const std::vector<ClockRow>& rows) {
  if (rows.empty()) return "";
  std::string text = fmt::format(
      "Clocks measured under load (dependent adds beside vector FMAs; best of {} runs of {:g} "
      "ms)\n",
      rows.front().one.runs, rows.front().one.run_s * 1000);
  for (const ClockRow& row : rows) {
    text += fmt::format("  {:<8} 1 core {:>10}", to_string(row.load), human_mhz(row.one.mhz));
    if (row.all) {
      text += fmt::format("   all {} cores {:>10} (slowest core {})", row.all->threads(),
                          human_mhz(row.all->mhz), human_mhz(row.all->min_mhz));
    }
    text += "\n";
  }
  return text;
}

DetectOptions detection_options(const AddHardwareOptions& options) {
  DetectOptions detect = detect_options_for(options.sysroot, default_cuda_probe());
  if (options.nvidia_smi)
    detect.nvidia_smi = *options.nvidia_smi == "none" ? "" : *options.nvidia_smi;
  return detect;
}

bool on_this_machine(const AddHardwareOptions& options) {
  std::error_code ec;
  return fs::equivalent(options.sysroot, "/", ec);
}

int run_detect(const AddHardwareOptions& options, Io& io) {
  if (options.measure_clock && !on_this_machine(options)) {
    throw UsageError("--measure-clock measures this machine: it cannot be combined with --sysroot");
  }
  SystemInfo system = detect_system(detection_options(options));
  Database database = Database::load(options.database);
  MachineMatch match = match_machine(database, system);
  std::vector<ClockRow> clocks;
  if (options.measure_clock) clocks = measure_clocks(system);
  if (options.format == AddHardwareFormat::json) {
    Json out = Json::object();
    out["schema_version"] = kDetectionSchemaVersion;
    out["detection"] = system_info_to_json(system);
    if (options.measure_clock) out["measured_clocks"] = clock_rows_to_json(clocks);
    out["matches"] = machine_match_to_json(match, options.top);
    io.out << dump_json(out);
    return 0;
  }
  io.out << render_system_info(system);
  io.out << render_clock_rows(clocks);
  io.out << render_machine_match(match, options.top);
  return 0;
}

// ---- writing ----------------------------------------------------------------------------------

struct Outcome {
  int exit_code = 0;
  std::string display_path;
  bool written = false;
};

// Checks and writes one document, reporting on io. `to_fill` and `notes` come from a draft.
int finish(const AddHardwareOptions& options, Io& io, Json document,
           const std::vector<std::string>& to_fill, const std::vector<std::string>& notes) {
  if (options.id) document["id"] = *options.id;
  for (const std::string& assignment : options.sets) apply_assignment(document, assignment);
  // A bandwidth given replaces a draft's "unknown" (an entry gives one or the other).
  if (document.is_object() && document.contains("peak_bandwidth_gbps") &&
      document.contains("peak_bandwidth_unknown")) {
    bool reason_given = false;
    for (const std::string& assignment : options.sets) {
      reason_given = reason_given || assignment.rfind("peak_bandwidth_unknown=", 0) == 0;
    }
    if (!reason_given) document.erase("peak_bandwidth_unknown");
  }

  std::optional<DatabaseLock> lock;
  if (!options.dry_run) lock.emplace(options.database);
  Database database = Database::load(options.database);
  EntryCheck check = check_entry(document, database, {}, options.force, !options.drop_calibration);
  const bool ok = !check.diagnostics.has_errors();
  if (ok && !options.dry_run) {
    write_checked(database, check);
  }

  if (options.format == AddHardwareFormat::json) {
    Json out = Json::object();
    out["path"] = check.display_path;
    out["written"] = ok && !options.dry_run;
    out["dry_run"] = options.dry_run;
    out["entry"] = check.document;
    out["diagnostics"] = diagnostics_to_json(check.diagnostics);
    out["to_fill"] = to_fill;
    Json all_notes = notes;
    for (const std::string& note : check.notes) all_notes.push_back(note);
    out["notes"] = all_notes;
    io.out << dump_json(out);
  } else {
    if (options.dry_run) io.out << dump_json(check.document);
    if (!options.quiet) {
      for (const std::string& note : notes) io.out << "note: " << note << "\n";
      for (const std::string& note : check.notes) io.out << "note: " << note << "\n";
      if (!to_fill.empty()) {
        io.out << "Still to fill in or check:\n";
        for (const std::string& item : to_fill) io.out << "  - " << item << "\n";
      }
    }
  }
  print_diagnostics(check.diagnostics, io, options.quiet);
  if (!ok) {
    io.err << fmt::format("add_hardware: not written: {} error{} in {} (nothing was changed)\n",
                          check.diagnostics.error_count(),
                          check.diagnostics.error_count() == 1 ? "" : "s", check.display_path);
    return 1;
  }
  if (options.format == AddHardwareFormat::console && !options.quiet) {
    io.out << (options.dry_run  ? "dry run: would write "
               : check.replaces ? "replaced "
                                : "wrote ")
           << check.display_path << "\n";
  }
  return 0;
}

// The fp32 FMA ceiling of one of this machine's cores: the peak kernel of the widest vector ISA
// on the first of `cpus`, and the clock under the same load there. One core is enough for a
// per-core count, and a single thread is the least disturbed by whatever else the machine runs.
// Like the clock measurement, many short calls (2 ms each, after 50 ms of warm-up) of which the
// fastest counts: a call that the scheduler interrupted is slower, never faster.
std::optional<FmaCeiling> measure_fma_ceiling(const std::vector<int>& cpus, std::string& note) {
  constexpr double kCallS = 0.002;
  constexpr double kWarmupS = 0.05;
  constexpr int kCalls = 100;
  KernelEnv env;
  env.cpu = host_cpu_features();
  if (!cpus.empty()) env.cpus = {cpus.front()};
  // The widest fp32 FMA kernel this CPU runs.
  const KernelDescriptor* kernel = nullptr;
  int vector_bits = 0;
  std::vector<std::string> why_not;
  for (const Fp32FmaKernel& fma : kFp32FmaKernels) {
    const KernelDescriptor* candidate = find_kernel(fma.id);
    if (candidate == nullptr) continue;  // another architecture's
    std::string why = candidate->unavailable_reason ? candidate->unavailable_reason(env) : "";
    if (why.empty()) {
      kernel = candidate;
      vector_bits = fma.vector_bits;
      break;
    }
    why_not.push_back(fmt::format("{}: {}", fma.id, why));
  }
  if (kernel == nullptr) {
    note = why_not.empty() ? "this build has no fp32 FMA peak kernel for this CPU"
                           : fmt::format("{}", fmt::join(why_not, "; "));
    return std::nullopt;
  }
  // Calls of about kCallS, scaled from a probe.
  PeakShape shape{20000};
  double probe_s = 1e30;
  {
    auto probe = kernel->prepare(shape, env);
    probe->run();
    for (int i = 0; i < 5; ++i) probe_s = std::min(probe_s, probe->timed_run());
  }
  shape.iterations = std::max<long long>(
      shape.iterations, static_cast<long long>(static_cast<double>(shape.iterations) * kCallS /
                                               std::max(probe_s, 1e-7)));
  auto prepared = kernel->prepare(shape, env);
  for (double spent = 0; spent < kWarmupS;) spent += prepared->timed_run();
  double best_s = 1e30;
  for (int i = 0; i < kCalls; ++i) best_s = std::min(best_s, prepared->timed_run());
  ClockOptions clock;
  clock.load = widest_clock_load();
  clock.cpus = env.cpus;
  ClockMeasurement measured = measure_core_clock(clock);
  FmaCeiling ceiling;
  ceiling.gflops = kernel->flops(shape, env) / best_s / 1e9;
  ceiling.threads = static_cast<int>(env.threads());
  ceiling.vector_bits = vector_bits;
  ceiling.clock_mhz = std::round(measured.mhz);
  ceiling.kernel = kernel->id;
  note = fmt::format(
      "{} run by add_hardware: the fastest of {} calls of {} iterations; clock "
      "under {} load",
      kernel->id, kCalls, shape.iterations, to_string(measured.load));
  return ceiling;
}

// A whole number of FMA units or bits from a --set value.
int given_count(const std::string& key, const std::string& text, int low, int high) {
  auto value = parse_integer(text);
  if (!value || *value < low || *value > high) {
    throw UsageError(
        fmt::format("--set {}={}: expected a whole number from {} to {}", key, text, low, high));
  }
  return static_cast<int>(*value);
}

// The core design a person gave with --set (the last assignment of a key wins):
// compute.fma_units_per_core, compute.fma_width_bits and, on a hybrid, the units of each core
// type (compute.core_types.I.fma_units_per_core, I as in the drafted list).
GivenCoreDesign given_core_design(const std::vector<std::string>& sets, const CpuDetection& cpu) {
  GivenCoreDesign given;
  const std::string type_prefix = "compute.core_types.";
  const std::string type_suffix = ".fma_units_per_core";
  for (const std::string& assignment : sets) {
    std::size_t equals = assignment.find('=');
    if (equals == std::string::npos) continue;  // apply_assignment reports it
    const std::string key = assignment.substr(0, equals);
    const std::string text = assignment.substr(equals + 1);
    if (key == "compute.fma_units_per_core") {
      given.fma_units = given_count(key, text, 1, 16);
    } else if (key == "compute.fma_width_bits") {
      int bits = given_count(key, text, 64, 2048);
      if (bits % 64 != 0) {
        throw UsageError(
            fmt::format("--set {}={}: expected a vector width in bits (128, 256, "
                        "512)",
                        key, text));
      }
      given.fma_width_bits = bits;
    } else if (key.size() > type_prefix.size() + type_suffix.size() &&
               key.rfind(type_prefix, 0) == 0 &&
               key.compare(key.size() - type_suffix.size(), type_suffix.size(), type_suffix) == 0) {
      std::string index =
          key.substr(type_prefix.size(), key.size() - type_prefix.size() - type_suffix.size());
      auto at = parse_integer(index);
      if (!at || *at < 0 || *at >= static_cast<long long>(cpu.core_types.size())) {
        throw UsageError(fmt::format("--set {}: this CPU has {} core type{}", key,
                                     cpu.core_types.size(), cpu.core_types.size() == 1 ? "" : "s"));
      }
      given.fma_units_by_type[cpu.core_types[static_cast<std::size_t>(*at)].name] =
          given_count(key, text, 1, 16);
    }
  }
  if (given.fma_units && !cpu.core_types.empty()) {
    throw UsageError(
        "--set compute.fma_units_per_core: this CPU is hybrid; give each core type's units with "
        "compute.core_types.I.fma_units_per_core");
  }
  return given;
}

int run_from_detection(const AddHardwareOptions& options, Io& io) {
  SystemInfo system = detect_system(detection_options(options));
  Draft draft;
  if (options.device == "cpu") {
    CpuDraftInputs inputs;
    inputs.given = given_core_design(options.sets, system.cpu);
    if (options.measure && on_this_machine(options)) {
      inputs.clock = [](const std::vector<int>& cpus, std::string& note) -> std::optional<double> {
        ClockOptions clock;
        clock.load = widest_clock_load();
        clock.cpus = cpus;
        ClockMeasurement result = measure_core_clock(clock);
        note =
            fmt::format("{:.0f} MHz under {} load on {} core{}", result.mhz, to_string(result.load),
                        result.threads(), result.threads() == 1 ? "" : "s at once");
        return result.mhz;
      };
      inputs.fma_ceiling = measure_fma_ceiling;
    }
    draft = draft_cpu_entry(system, inputs);
  } else {
    auto gpu = std::find_if(system.gpus.begin(), system.gpus.end(),
                            [&](const GpuDevice& item) { return item.device == options.device; });
    if (gpu == system.gpus.end()) {
      std::string found;
      for (const GpuDevice& item : system.gpus) found += (found.empty() ? "" : ", ") + item.device;
      throw DataError(options.sysroot.string(), "",
                      fmt::format("no GPU {} detected (found: {}); `add_hardware --detect` shows "
                                  "what was looked for",
                                  options.device, found.empty() ? "none" : found));
    }
    draft = draft_gpu_entry(system, *gpu);
  }
  // A second entry for a machine the database already knows makes detection ambiguous.
  MachineMatch match = match_machine(Database::load(options.database), system);
  const DeviceMatch* device = &match.cpu;
  for (const DeviceMatch& gpu : match.gpus) {
    if (gpu.device == options.device) device = &gpu;
  }
  if (device->entry_id) {
    draft.to_fill.insert(draft.to_fill.begin(),
                         fmt::format("check: this machine already matches {} (score {}); a second "
                                     "entry for the same device makes detection ambiguous",
                                     *device->entry_id, device->best()->score));
  }
  Json document = spec_to_json(draft.spec);
  // GPU peaks need the SM count, which only the CUDA runtime reports: derive them once --set
  // supplies it.
  if (draft.spec.device_type == DeviceType::gpu && draft.spec.theoretical_peaks.empty()) {
    Json applied = document;
    if (options.id) applied["id"] = *options.id;
    for (const std::string& assignment : options.sets) apply_assignment(applied, assignment);
    const Json& compute = applied.contains("compute") ? applied["compute"] : Json::object();
    if (compute.contains("units") && compute["units"].is_number() &&
        compute.contains("max_clock_mhz") && compute["max_clock_mhz"].is_number() &&
        compute.contains("compute_capability") && compute["compute_capability"].is_string()) {
      PeakTable peaks;
      DerivationTable derivations;
      std::string reason;
      const double clock = compute["max_clock_mhz"].get<double>();
      const bool detected_clock = draft.spec.compute && draft.spec.compute->max_clock_mhz &&
                                  *draft.spec.compute->max_clock_mhz == clock;
      if (derive_gpu_peaks(applied.value("model", ""),
                           compute["compute_capability"].get<std::string>(),
                           compute["units"].get<long long>(), clock,
                           detected_clock ? "driver" : "given", peaks, derivations, reason)) {
        draft.spec.theoretical_peaks = peaks;
        draft.spec.peak_derivation = derivations;
        draft.notes.push_back("GPU peaks derived from the compute fields given with --set");
        auto stale =
            std::remove_if(draft.to_fill.begin(), draft.to_fill.end(), [](const std::string& item) {
              return item.rfind("theoretical_peaks: not derived", 0) == 0;
            });
        draft.to_fill.erase(stale, draft.to_fill.end());
        draft.to_fill.push_back(fmt::format(
            "check: tensor-core peaks use the SM clock {:g} MHz; NVIDIA quotes some parts' tensor "
            "figures at a lower clock (H100 SXM5: 1830 of 1980 MHz)",
            clock));
        document = spec_to_json(draft.spec);
      } else {
        draft.to_fill.push_back("theoretical_peaks: " + reason);
      }
    }
  }
  return finish(options, io, document, draft.to_fill, draft.notes);
}

int run_from_file(const AddHardwareOptions& options, Io& io) {
  Json document = Json::object();
  if (options.from_file) {
    document = load_json_file(*options.from_file);
    if (!document.is_object()) {
      throw DataError(options.from_file->string(), "", "expected an entry object");
    }
  } else {
    document["schema_version"] = kSpecSchemaVersion;
  }
  return finish(options, io, document, {}, {});
}

// --update ID --set ...: the entry's own file, edited, checked like a new one and written in
// its own layout; its calibration stays unless an assignment removes it.
int run_update(const AddHardwareOptions& options, Io& io) {
  std::optional<DatabaseLock> lock;
  if (!options.dry_run) lock.emplace(options.database);
  Database database = Database::load(options.database);
  const DatabaseEntry& entry = database.get(*options.update);
  const std::string before = read_text_file(entry.path);
  Json document = parse_json(before, entry.display_path);
  for (const std::string& assignment : options.sets) apply_assignment(document, assignment);
  if (!document.is_object() || document.value("id", Json()) != Json(*options.update)) {
    throw UsageError(
        fmt::format("--update {}: an update cannot change the id (add the entry "
                    "under its new id, then remove the old file)",
                    *options.update));
  }
  EntryCheck check = check_entry(document, database, {}, true);
  const bool json = options.format == AddHardwareFormat::json;
  const std::string after =
      check.diagnostics.has_errors() ? before : database.entry_text(check.spec, &check.document);
  const bool write = !check.diagnostics.has_errors() && !options.dry_run && after != before;
  if (write) write_checked(database, check);
  if (json) {
    Json out = Json::object();
    out["path"] = entry.display_path;
    out["written"] = write;
    out["dry_run"] = options.dry_run;
    out["changed"] = after != before;
    out["diff"] = unified_diff(before, after, "a/" + entry.display_path, "b/" + entry.display_path);
    out["entry"] = check.document;
    out["diagnostics"] = diagnostics_to_json(check.diagnostics);
    io.out << dump_json(out);
  }
  print_diagnostics(check.diagnostics, io, options.quiet);
  if (check.diagnostics.has_errors()) {
    io.err << fmt::format("add_hardware: not written: {} error{} in {} (nothing was changed)\n",
                          check.diagnostics.error_count(),
                          check.diagnostics.error_count() == 1 ? "" : "s", check.display_path);
    return 1;
  }
  if (json) return 0;
  if (options.dry_run) {
    const std::string diff =
        unified_diff(before, after, "a/" + entry.display_path, "b/" + entry.display_path);
    io.out << (diff.empty() ? fmt::format("no change to {}\n", entry.display_path) : diff);
    if (!options.quiet) io.out << "dry run: nothing written\n";
    return 0;
  }
  if (after == before) {
    if (!options.quiet) io.out << "no change to " << entry.display_path << "\n";
    return 0;
  }
  if (!options.quiet) io.out << "updated " << entry.display_path << "\n";
  return 0;
}

}  // namespace

void apply_assignment(Json& document, const std::string& assignment) {
  std::size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0) {
    throw UsageError(
        fmt::format("--set expects key=value (e.g. theoretical_peaks.fp32=100), got "
                    "'{}'",
                    assignment));
  }
  const std::string key = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  Json value;
  if (text == "null") {
    value = nullptr;
  } else if (is_string_field(key)) {
    value = text;
  } else {
    try {
      value = parse_json(text, "--set " + key);
    } catch (const DataError&) {
      value = text;  // not JSON: a string
    }
  }
  std::vector<std::string> parts = split_key(key);
  Json* node = &document;
  std::string walked;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& part = parts[i];
    walked += (walked.empty() ? "" : ".") + part;
    if (part.empty()) throw UsageError(fmt::format("--set {}: empty key segment", key));
    if (node->is_array() && is_index(part)) {
      std::size_t index = std::stoul(part);
      if (index >= node->size()) {
        throw UsageError(fmt::format("--set {}: {} has {} items", key, walked, node->size()));
      }
      node = &(*node)[index];
      continue;
    }
    if (!node->is_object()) {
      throw UsageError(fmt::format("--set {}: {} is not an object", key, walked));
    }
    if (!node->contains(part) || (*node)[part].is_null()) (*node)[part] = Json::object();
    node = &(*node)[part];
  }
  const std::string& last = parts.back();
  if (last.empty()) throw UsageError(fmt::format("--set {}: empty key segment", key));
  if (node->is_array() && is_index(last)) {
    std::size_t index = std::stoul(last);
    if (index > node->size()) {
      throw UsageError(fmt::format("--set {}: the array has {} items", key, node->size()));
    }
    if (index == node->size()) {
      node->push_back(value);
    } else {
      (*node)[index] = value;
    }
    return;
  }
  if (!node->is_object()) {
    throw UsageError(fmt::format("--set {}: the parent is not an object", key));
  }
  if (value.is_null()) {
    node->erase(last);
  } else {
    (*node)[last] = value;
  }
}

Json tidy_numbers(const Json& document) {
  if (document.is_object()) {
    Json out = Json::object();
    for (const auto& [key, value] : document.items()) out[key] = tidy_numbers(value);
    return out;
  }
  if (document.is_array()) {
    Json out = Json::array();
    for (const Json& value : document) out.push_back(tidy_numbers(value));
    return out;
  }
  if (document.is_number_float()) {
    double value = document.get<double>();
    if (std::isfinite(value) && std::fabs(value) < 1e15 && value == std::floor(value)) {
      return Json(static_cast<long long>(value));
    }
  }
  return document;
}

namespace {

// The text a pattern written as a literal stands for ("^AMD Ryzen 7 2700X$" -> "AMD Ryzen 7
// 2700X", "Intel\\(R\\)" -> "Intel(R)"); none for a pattern with wildcards.
std::optional<std::string> literal_of(std::string pattern) {
  if (!pattern.empty() && pattern.front() == '^') pattern.erase(0, 1);
  if (!pattern.empty() && pattern.back() == '$') pattern.pop_back();
  std::string text;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      char next = pattern[++i];
      if (next == 'b') continue;  // a word boundary stands for no text
      if (std::isalnum(static_cast<unsigned char>(next))) return std::nullopt;  // \d, \s, ...
      text += next;
    } else if (std::string(".*+?()[]{}|^$").find(c) != std::string::npos) {
      return std::nullopt;
    } else {
      text += c;
    }
  }
  return text;
}

// The strings an entry stands for: its model, and what its literal patterns spell.
std::vector<std::string> identity_strings(const HardwareSpec& spec) {
  std::vector<std::string> strings = {spec.model};
  if (spec.detection_patterns) {
    for (const std::string& pattern : *spec.detection_patterns) {
      if (auto literal = literal_of(pattern)) strings.push_back(*literal);
    }
  }
  return strings;
}

struct PatternHit {
  std::string pattern;
  std::string text;
};

// A detection pattern of `spec` that matches one of `other`'s identity strings.
std::optional<PatternHit> pattern_hit(const HardwareSpec& spec, const HardwareSpec& other) {
  if (!spec.detection_patterns) return std::nullopt;
  for (const std::string& text : identity_strings(other)) {
    if (text.empty()) continue;
    for (const std::string& pattern : *spec.detection_patterns) {
      if (pattern_matches(pattern, text)) return PatternHit{pattern, text};
    }
  }
  return std::nullopt;
}

// Two boards are told apart by their signals unless they share a compatible string or a
// device-tree pattern of one matches the other's.
bool boards_overlap(const BoardSignals& a, const BoardSignals& b) {
  for (const std::string& item : a.compatible) {
    if (std::find(b.compatible.begin(), b.compatible.end(), item) != b.compatible.end()) {
      return true;
    }
  }
  auto matches = [](const BoardSignals& patterns, const BoardSignals& models) {
    for (const std::string& model : models.device_tree_model) {
      auto literal = literal_of(model);
      if (!literal) continue;
      for (const std::string& pattern : patterns.device_tree_model) {
        if (pattern_matches(pattern, *literal)) return true;
      }
    }
    return false;
  };
  bool distinguishable = !a.compatible.empty() || !a.device_tree_model.empty();
  return !distinguishable || matches(a, b) || matches(b, a);
}

void check_same_device(const HardwareSpec& spec, const HardwareSpec& other,
                       const std::string& other_path, const std::string& file,
                       Diagnostics& diagnostics) {
  if (other.id == spec.id || other.device_type != spec.device_type) return;
  if (spec.board_signals && other.board_signals &&
      !boards_overlap(*spec.board_signals, *other.board_signals)) {
    return;
  }
  if (auto hit = pattern_hit(other, spec)) {
    diagnostics.error(file, "/model",
                      fmt::format("\"{}\" is already in the database as {} ({}): its pattern "
                                  "\"{}\" matches \"{}\" (if this is another device, make "
                                  "that pattern stricter)",
                                  spec.model, other.id, other_path, hit->pattern, hit->text));
  } else if (auto own = pattern_hit(spec, other)) {
    diagnostics.error(file, "/detection_patterns",
                      fmt::format("pattern \"{}\" also matches \"{}\" of {} ({}): detection "
                                  "could not tell the two apart",
                                  own->pattern, own->text, other.id, other_path));
  }
}

}  // namespace

EntryCheck check_entry(const Json& document, const Database& database,
                       const std::vector<PendingEntry>& pending, bool force,
                       bool keep_calibration) {
  EntryCheck check;
  Diagnostics first_pass;
  HardwareSpec spec = parse_spec(document, "<new entry>", first_pass);
  // The id and the vendor name the file: never a path out of the database.
  fs::path path;
  if (!spec.id.empty()) {
    if (auto problem = entry_path_problem(spec)) {
      first_pass.error("<new entry>", problem->pointer, problem->message);
    } else {
      path = database.path_for(spec);
    }
  }
  check.display_path = path.empty() ? "<new entry>" : database.display_path(path);
  std::string relative = path.lexically_relative(database.root()).generic_string();
  // Replacing an entry (--force) keeps what was measured on it: the calibration is history,
  // not part of the description being replaced.
  const DatabaseEntry* existing = spec.id.empty() ? nullptr : database.find(spec.id);
  if (existing != nullptr && force && keep_calibration && !first_pass.has_errors()) {
    bool kept = false;
    if (!spec.calibration_summary && existing->spec.calibration_summary) {
      spec.calibration_summary = existing->spec.calibration_summary;
      kept = true;
    }
    if (!spec.calibration_profiles && existing->spec.calibration_profiles) {
      spec.calibration_profiles = existing->spec.calibration_profiles;
      kept = true;
    }
    if (!spec.workload_summary && existing->spec.workload_summary) {
      spec.workload_summary = existing->spec.workload_summary;
      kept = true;
    }
    if (kept) {
      check.notes.push_back(fmt::format(
          "kept the calibration of the entry being replaced ({}); --drop-calibration drops it",
          existing->display_path));
    }
  }
  if (first_pass.has_errors() || spec.id.empty()) {
    // Report against the path it would have had.
    Diagnostics renamed;
    for (const Diagnostic& diagnostic : first_pass.items()) {
      renamed.add(Diagnostic{diagnostic.severity, check.display_path, diagnostic.pointer,
                             diagnostic.message});
    }
    check.diagnostics = renamed;
    check.document = document;
    check.spec = spec;
    check.diagnostics.sort();
    return check;
  }
  // What will be written, read back: the same checks summarize_database --check makes.
  check.document = tidy_numbers(spec_to_json(spec));
  check.spec = parse_spec(check.document, check.display_path, check.diagnostics);
  check.diagnostics.append(validate_spec(check.spec, check.display_path, relative));

  if (existing != nullptr) {
    if (!force) {
      check.diagnostics.error(check.display_path, "/id",
                              fmt::format("id '{}' exists ({}); pass --force to replace it",
                                          spec.id, existing->display_path));
    } else if (existing->path != path) {
      check.diagnostics.error(
          check.display_path, "/id",
          fmt::format("id '{}' exists at {}: remove that file first (--force replaces an entry "
                      "in place only)",
                      spec.id, existing->display_path));
    } else {
      check.replaces = true;
    }
  }
  Diagnostics others;
  CrossEntryRules cross;
  for (const DatabaseEntry& entry : database.entries()) {
    if (entry.spec.id == spec.id) continue;  // an existing id is reported above
    cross.add(identity_of(entry.spec, entry.display_path), others);
  }
  for (const PendingEntry& entry : pending) {
    cross.add(identity_of(entry.spec, entry.display_path), others);
  }
  cross.add(identity_of(check.spec, check.display_path), check.diagnostics);
  // A new board's parts and power modes against the database (other boards' problems are not
  // this entry's).
  Diagnostics board_problems;
  cross.finish(board_problems);
  for (const Diagnostic& problem : board_problems.items()) {
    if (problem.file == check.display_path) check.diagnostics.add(problem);
  }
  if (!check.diagnostics.has_errors()) {
    for (const DatabaseEntry& entry : database.entries()) {
      check_same_device(check.spec, entry.spec, entry.display_path, check.display_path,
                        check.diagnostics);
    }
    for (const PendingEntry& entry : pending) {
      check_same_device(check.spec, entry.spec, entry.display_path, check.display_path,
                        check.diagnostics);
    }
  }
  check.diagnostics.sort();
  return check;
}

void write_checked(Database& database, const EntryCheck& check, Transaction& transaction) {
  database.write_entry(check.spec, transaction, &check.document);
}

void write_checked(Database& database, const EntryCheck& check) {
  Transaction transaction(database.root());
  write_checked(database, check, transaction);
  transaction.commit();
}

void print_diagnostics(const Diagnostics& diagnostics, Io& io, bool errors_only) {
  for (const Diagnostic& diagnostic : diagnostics.items()) {
    if (errors_only && diagnostic.severity != Severity::error) continue;
    io.err << format_diagnostic(diagnostic) << "\n";
  }
}

int run_add_hardware(const AddHardwareOptions& options, Io& io) {
  std::error_code ec;
  if (!fs::is_directory(options.sysroot, ec)) {
    throw UsageError(fmt::format("--sysroot {}: no such folder", options.sysroot.string()));
  }
  switch (options.mode) {
    case AddHardwareMode::detect: return run_detect(options, io);
    case AddHardwareMode::from_detection: return run_from_detection(options, io);
    case AddHardwareMode::from_file:
    case AddHardwareMode::set_only: return run_from_file(options, io);
    case AddHardwareMode::import_legacy: return run_import_legacy(options, io);
    case AddHardwareMode::update: return run_update(options, io);
    case AddHardwareMode::wizard: return run_wizard(options, io);
  }
  return 2;
}

}  // namespace hwcal
