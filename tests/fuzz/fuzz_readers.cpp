#include "fuzz_readers.hpp"

#include <stdexcept>

#include "hwcal/base/error.hpp"
#include "hwcal/database/spec.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/database/workload.hpp"
#include "hwcal/json/diagnostics.hpp"
#include "hwcal/json/json_io.hpp"
#include "identify/legacy_entry.hpp"
#include "profile/legacy_profile.hpp"
#include "profile/profile.hpp"

namespace hwcal::fuzz {
namespace {

// What the messages call the input. The legacy profile reader takes a power mode from its folder.
const std::string kFile = "fuzz.json";

// Runs `body` on the parsed bytes; hwcal::Error (bad JSON included) is the expected failure.
template <typename Body>
void guarded(std::string_view bytes, Body body) {
  try {
    Json document = parse_json(bytes, kFile);
    body(document);
  } catch (const Error&) {
  }
}

// What is written must read back: a writer that makes text parse_json refuses is a finding.
void reparse(const Json& written) {
  std::string text = dump_json(written);
  try {
    (void)parse_json(text, "written.json");
  } catch (const Error& error) {
    throw std::logic_error(std::string("written JSON does not read back: ") + error.what());
  }
}

}  // namespace

void fuzz_entry(std::string_view bytes) {
  guarded(bytes, [](const Json& document) {
    Diagnostics diagnostics;
    HardwareSpec spec = parse_spec(document, kFile, diagnostics);
    diagnostics.append(validate_spec(spec, kFile, "gpu/nvidia/fuzz.json"));
    reparse(spec_to_json(spec, document));
    reparse(spec_to_json(spec));
  });
}

void fuzz_profile(std::string_view bytes) {
  guarded(bytes, [](const Json& document) {
    Diagnostics diagnostics;
    CalibrationProfile profile = parse_profile(document, kFile, diagnostics);
    reparse(profile_to_json(profile));
    reparse(profile_to_json(profile_from_json(document, kFile)));
  });
}

void fuzz_legacy_entry(std::string_view bytes) {
  guarded(bytes, [](const Json& document) {
    (void)is_legacy_schema(document);
    LegacyConversion conversion = convert_legacy_entry(document, kFile);
    if (conversion.entry) reparse(*conversion.entry);
  });
}

void fuzz_legacy_profile(std::string_view bytes) {
  guarded(bytes, [](const Json& document) {
    (void)looks_like_legacy_profile(document);
    const std::filesystem::path path = "legacy/25W/fuzz.json";
    reparse(profile_to_json(read_legacy_profile(document, path, kFile)));
    LegacyReadOptions cache;
    cache.last_level_cache_bytes = 25.0 * 1024 * 1024;
    reparse(profile_to_json(read_legacy_profile(document, path, kFile, cache)));
  });
}

void fuzz_workload(std::string_view bytes) {
  guarded(bytes, [](const Json& document) {
    Workload workload = parse_workload(document, kFile);
    // What calibrate and the summaries compute from every workload they read.
    (void)workload.macs();
    (void)workload.parameters();
    (void)workload.trained_parameters();
    for (Precision precision : workload_precisions()) (void)network_work(workload, 1, precision);
  });
}

const std::vector<std::string>& reader_names() {
  static const std::vector<std::string> names = {"entry", "profile", "legacy_entry",
                                                 "legacy_profile", "workload"};
  return names;
}

void run_reader(std::string_view reader, std::string_view bytes) {
  if (reader == "entry") return fuzz_entry(bytes);
  if (reader == "profile") return fuzz_profile(bytes);
  if (reader == "legacy_entry") return fuzz_legacy_entry(bytes);
  if (reader == "legacy_profile") return fuzz_legacy_profile(bytes);
  if (reader == "workload") return fuzz_workload(bytes);
  throw std::invalid_argument("no reader called '" + std::string(reader) + "'");
}

}  // namespace hwcal::fuzz
