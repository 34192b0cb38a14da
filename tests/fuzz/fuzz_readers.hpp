// The readers of untrusted files, as the fuzzers (tests/fuzz/fuzz_*.cpp) and the replay test
// (tests/unit/test_fuzz_replay.cpp) drive them: bytes in, the reader run to the end. An expected
// failure is a hwcal::Error (bad JSON, a wrong type, a missing field) and is swallowed; anything
// else (nlohmann's type_error, std::out_of_range, a crash) escapes: that is a finding.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hwcal::fuzz {

// A database entry: parse_spec, validate_spec, then written back (spec_to_json, dump_json).
void fuzz_entry(std::string_view bytes);
// A calibration profile: parse_profile and profile_from_json, then profile_to_json.
void fuzz_profile(std::string_view bytes);
// One of the predecessor's database entries: convert_legacy_entry.
void fuzz_legacy_entry(std::string_view bytes);
// One of the predecessor's calibration profiles: read_legacy_profile, with and without a known
// last-level cache.
void fuzz_legacy_profile(std::string_view bytes);
// A workload description: parse_workload.
void fuzz_workload(std::string_view bytes);

// The reader names ("entry", "profile", ...), as the seed manifest (tests/fuzz/seeds.txt) and the
// regression folders (tests/fuzz/regressions/<reader>/) name them.
const std::vector<std::string>& reader_names();
// Runs the named reader; std::invalid_argument for an unknown name.
void run_reader(std::string_view reader, std::string_view bytes);

}  // namespace hwcal::fuzz
