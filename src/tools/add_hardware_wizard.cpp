// The interactive wizard: one prompt per field, defaults from this machine's detection, each
// answer checked on entry (a bad one is asked again), a preview with the validation result, and
// a confirmation before anything is written.
#include <algorithm>
#include <cmath>
#include <functional>

#include <fmt/format.h>

#include "detect/detect.hpp"
#include "hwcal/base/error.hpp"
#include "identify/derive.hpp"
#include "identify/match.hpp"
#include "measure/gpu.hpp"
#include "tools/add_hardware_internal.hpp"

namespace hwcal {
namespace {

// End of input at a prompt: the person left; nothing is written.
struct Aborted {};

class Prompter {
 public:
  explicit Prompter(Io& io) : io_(io) {}

  // Asks until `check` accepts the answer (it returns "" for a good one, else why not). Enter
  // takes the default; "-" clears an optional field (returns "").
  std::string ask(const std::string& label, const std::string& fallback, bool optional,
                  const std::function<std::string(const std::string&)>& check) {
    for (;;) {
      io_.out << label;
      if (!fallback.empty()) io_.out << " [" << fallback << "]";
      io_.out << ": " << std::flush;
      std::string line;
      if (!std::getline(io_.in, line)) throw Aborted{};
      std::string answer = trim(line);
      if (answer.empty()) answer = fallback;
      if (answer == "-" && optional) return "";
      if (answer.empty()) {
        if (optional) return "";
        io_.out << "  a value is required\n";
        continue;
      }
      std::string problem = check(answer);
      if (problem.empty()) return answer;
      io_.out << "  " << problem << "; try again\n";
    }
  }

  bool confirm(const std::string& question, bool fallback) {
    std::string answer =
        ask(question + (fallback ? " (Y/n)" : " (y/N)"), "", true, [](const std::string& text) {
          std::string lower = text;
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          return lower == "y" || lower == "yes" || lower == "n" || lower == "no" ? ""
                                                                                 : "answer y or n";
        });
    if (answer.empty()) return fallback;
    return answer[0] == 'y' || answer[0] == 'Y';
  }

 private:
  static std::string trim(const std::string& text) {
    std::size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    std::size_t end = text.find_last_not_of(" \t\r\n");
    return text.substr(begin, end - begin + 1);
  }

  Io& io_;
};

std::optional<double> parse_number(const std::string& text) {
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string number_text(double value) { return fmt::format("{:g}", value); }

std::string one_of(const std::string& answer, const std::vector<std::string>& allowed,
                   const std::string& what) {
  if (std::find(allowed.begin(), allowed.end(), answer) != allowed.end()) return "";
  std::string list;
  for (const std::string& item : allowed) list += (list.empty() ? "" : ", ") + item;
  return fmt::format("{} must be one of {}", what, list);
}

bool valid_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Defaults: a draft of this machine's CPU (or its first GPU), or nothing.
HardwareSpec defaults_for(DeviceType type, const SystemInfo& system, std::string& detected_model) {
  // The id is suggested from the vendor and model the person gives, not from the draft's.
  if (type == DeviceType::cpu && system.cpu.model.known()) {
    detected_model = *system.cpu.model;
    HardwareSpec spec = draft_cpu_entry(system, nullptr).spec;
    spec.id.clear();
    return spec;
  }
  if (type == DeviceType::gpu && !system.gpus.empty()) {
    detected_model = system.gpus.front().name.value_or("");
    HardwareSpec spec = draft_gpu_entry(system, system.gpus.front()).spec;
    spec.id.clear();
    return spec;
  }
  HardwareSpec spec;
  spec.device_type = type;
  spec.platform = system.cpu.isa.value_or("");
  return spec;
}

void ask_fields(Prompter& prompt, HardwareSpec& spec, const std::string& detected_model,
                const Database& database, bool force) {
  spec.vendor =
      prompt.ask("vendor (e.g. NVIDIA, Intel, AMD, Ampere Computing)", spec.vendor, false,
                 [](const std::string& text) {
                   return vendor_slug(text).empty() ? "the vendor needs a letter or digit" : "";
                 });
  spec.model = prompt.ask("model (the product name)", spec.model, false,
                          [](const std::string&) { return ""; });
  spec.architecture = prompt.ask("architecture (e.g. Zen 4, Hopper)", spec.architecture, false,
                                 [](const std::string&) { return ""; });
  spec.platform = prompt.ask("platform", spec.platform, false, [](const std::string& text) {
    return one_of(text, {"x86_64", "aarch64"}, "platform");
  });
  std::string suggested = spec.id.empty() ? suggest_id(spec.vendor, spec.model) : spec.id;
  spec.id = prompt.ask("id", suggested, false, [&](const std::string& text) -> std::string {
    if (!valid_id(text)) return "an id has only lower-case letters, digits and '_'";
    if (!force && database.find(text) != nullptr) {
      return fmt::format("id '{}' exists (run with --force to replace it)", text);
    }
    return "";
  });

  std::string pattern_default;
  if (spec.detection_patterns && !spec.detection_patterns->empty()) {
    pattern_default = spec.detection_patterns->front();
  }
  std::string pattern = prompt.ask(
      "detection pattern (regular expression for the model string; '-' for none)", pattern_default,
      true, [&](const std::string& text) -> std::string {
        std::string problem = regex_problem(text);
        if (!problem.empty()) return problem;
        if (pattern_matches(text, spec.model)) return "";
        if (!detected_model.empty() && pattern_matches(text, detected_model)) return "";
        return fmt::format(
            "the pattern matches neither the model \"{}\"{}", spec.model,
            detected_model.empty() ? "" : " nor the detected \"" + detected_model + "\"");
      });
  if (pattern.empty()) {
    spec.detection_patterns.reset();
  } else {
    spec.detection_patterns = std::vector<std::string>{pattern};
  }

  for (Precision precision : kAllPrecisions) {
    auto current = spec.theoretical_peaks.find(precision);
    std::string fallback =
        current == spec.theoretical_peaks.end() ? "" : number_text(current->second);
    std::string answer = prompt.ask(fmt::format("theoretical_peaks.{} ({}, dense; Enter skips)",
                                                to_string(precision), throughput_unit(precision)),
                                    fallback, true, [](const std::string& text) -> std::string {
                                      auto value = parse_number(text);
                                      if (!value || *value < 0) return "expected a number >= 0";
                                      return "";
                                    });
    if (answer.empty()) {
      spec.theoretical_peaks.erase(precision);
      spec.peak_derivation.erase(precision);
      continue;
    }
    double value = *parse_number(answer);
    spec.theoretical_peaks[precision] = value;
    // A changed figure no longer follows from its derivation.
    auto derivation = spec.peak_derivation.find(precision);
    if (derivation != spec.peak_derivation.end() &&
        relative_error(derivation->second.derived_gflops(), value) > kDerivationTolerance) {
      spec.peak_derivation.erase(derivation);
    }
  }

  std::string bandwidth =
      prompt.ask("peak_bandwidth_gbps (DRAM GB/s from the datasheet)",
                 spec.peak_bandwidth_gbps > 0 ? number_text(spec.peak_bandwidth_gbps) : "", false,
                 [](const std::string& text) -> std::string {
                   auto value = parse_number(text);
                   if (!value || *value <= 0) return "expected a positive number of GB/s";
                   return "";
                 });
  spec.peak_bandwidth_gbps = *parse_number(bandwidth);
  spec.peak_bandwidth_unknown.reset();  // a draft's "unknown" gives way to the figure given

  std::string source = prompt.ask(
      "source of the peaks and bandwidth (datasheet URL or title; '-' "
      "for none)",
      "", true, [](const std::string&) { return ""; });
  if (!source.empty()) {
    Source item;
    bool url = source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
    item.title = url ? "Datasheet" : source;
    if (url) item.url = source;
    item.covers = {"/theoretical_peaks", "/peak_bandwidth_gbps"};
    if (!spec.sources) spec.sources = std::vector<Source>{};
    spec.sources->push_back(item);
  }
}

}  // namespace

int run_wizard(const AddHardwareOptions& options, Io& io) {
  if (!io.in_is_terminal) {
    throw UsageError(
        "nothing to do: pass --detect, --from-detection, --from-file, --set or --import-legacy "
        "(the interactive wizard needs a terminal)");
  }
  if (options.format == AddHardwareFormat::json) {
    throw UsageError(
        "the wizard asks on the terminal: --format json goes with --detect, --from-detection, "
        "--from-file, --set, --update or --import-legacy");
  }
  Database database = Database::load(options.database);
  DetectOptions detect = detect_options_for(options.sysroot, default_cuda_probe());
  detect.nvidia_smi.clear();  // the wizard only wants defaults: no commands
  SystemInfo system = detect_system(detect);
  Prompter prompt(io);
  io.out << "add_hardware: a new entry for " << database.root().string()
         << ", field by field.\nEnter keeps the [default]; '-' clears an optional field; "
            "end of input (Ctrl-D) leaves without writing.\n";
  try {
    std::string type_name = prompt.ask("device_type", "cpu", false, [](const std::string& text) {
      return parse_device_type(text) ? "" : "device_type must be one of " + device_type_names();
    });
    std::string detected_model;
    HardwareSpec spec = defaults_for(*parse_device_type(type_name), system, detected_model);
    spec.device_type = *parse_device_type(type_name);
    if (!detected_model.empty()) {
      io.out << "Defaults come from this machine's " << type_name << ": \"" << detected_model
             << "\"\n";
    }
    for (;;) {
      ask_fields(prompt, spec, detected_model, database, options.force);
      EntryCheck check = check_entry(spec_to_json(spec), database, {}, options.force);
      io.out << "\nPreview of " << check.display_path << ":\n" << dump_json(check.document);
      for (const Diagnostic& diagnostic : check.diagnostics.items()) {
        io.out << format_diagnostic(diagnostic) << "\n";
      }
      if (check.diagnostics.has_errors()) {
        io.out << "The entry has errors and cannot be written.\n";
        if (prompt.confirm("Edit the fields again?", true)) continue;
        io.err << "add_hardware: nothing written\n";
        return 1;
      }
      if (!prompt.confirm(fmt::format("Write {}?", check.display_path), false)) {
        if (prompt.confirm("Edit the fields again?", false)) continue;
        io.out << "nothing written\n";
        return 0;
      }
      DatabaseLock lock(options.database);
      Database fresh = Database::load(options.database);
      EntryCheck final_check = check_entry(check.document, fresh, {}, options.force);
      if (final_check.diagnostics.has_errors()) {
        print_diagnostics(final_check.diagnostics, io);
        io.err << "add_hardware: the database changed meanwhile; nothing written\n";
        return 1;
      }
      write_checked(fresh, final_check);
      io.out << (final_check.replaces ? "replaced " : "wrote ") << final_check.display_path << "\n";
      return 0;
    }
  } catch (const Aborted&) {
    io.out << "\n";
    io.err << "add_hardware: end of input: nothing written\n";
    return 1;
  }
}

}  // namespace hwcal
