// The predecessor tool's calibration profiles (docs/architecture.md, File formats), read as
// CalibrationProfile. Part of the design's `legacy` module; the predecessor's database entries have
// their own reader.
//
// Those files hold `metadata` (hardware_name, calibration_date without a time zone, device_type
// "cpu" or "cuda", framework versions; later files add gpu_clock, cpu_clock and preflight) and
// `operation_profiles` keyed by strings: matmul with per-precision `precision_results`, memory
// copies filed under operation type `add`, STREAM and BLAS suites, plus fusion results and the
// tool's own peaks and efficiencies. Conversion follows this project's rules, not the
// predecessor's, and says what it derived in the profile's `warnings`:
//   - throughput from each trial set's minimum latency (the predecessor used the mean);
//   - a memory copy moves 2 x size bytes, STREAM copy/scale 2 arrays and add/triad 3;
//   - bandwidth counts only DRAM-resident sizes: at least 4x the last-level cache when the
//     caller knows it, otherwise the largest sizes (at least a quarter of the largest);
//   - numpy's fp16 and integer matmul run in generic loops without BLAS: marked emulated, so
//     they stay out of measured peaks;
//   - the power mode comes from the file (metadata or preflight), else from the folder name;
//   - the predecessor's own peaks and efficiencies are kept under source, never used.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "hwcal/database/spec.hpp"
#include "hwcal/json/json_io.hpp"
#include "profile/profile.hpp"

namespace hwcal {

struct LegacyReadOptions {
  // Total bytes of the last-level cache of the machine measured (all instances) and its level,
  // from the database entry's `caches`; unknown when empty.
  std::optional<double> last_level_cache_bytes;
  int last_level = 3;
};

// The last-level cache of an entry as LegacyReadOptions wants it: the highest level's data or
// unified caches, size × count summed. Empty options when the entry lists no caches.
LegacyReadOptions legacy_options_for(const HardwareSpec& spec);

// True when the document has the predecessor's shape (`metadata` and `operation_profiles`, or
// `metadata` with a hardware_name or calibration_date: a file cut short).
bool looks_like_legacy_profile(const Json& document);

// Converts one legacy profile. `path` is the file as found (its folder may name the power
// mode); `display` is how messages name it. hardware_id stays empty: the caller resolves it.
// DataError (file and pointer) for what cannot be read.
CalibrationProfile read_legacy_profile(const Json& document, const std::filesystem::path& path,
                                       const std::string& display,
                                       const LegacyReadOptions& options = {});

// The predecessor's name of the hardware ("NVIDIA-Jetson-Orin-Nano-GPU") of a converted
// profile; "" when the profile is not a converted legacy one.
std::string legacy_hardware_name(const CalibrationProfile& profile);

// Whether a predecessor's hardware name names this entry: every word of the name (letters and
// digits, lowercased) is a word of the entry's id, model or vendor slug. Its names are not what
// CUDA or /proc/cpuinfo report, so the entry's detection patterns do not apply.
bool legacy_name_matches(std::string_view legacy_name, const HardwareSpec& spec);
// Among several matches, the entry whose id has no word beyond the legacy name's (and the
// vendor's): 'NVIDIA-Jetson-Orin-Nano-GPU' is jetson_orin_nano_gpu, not jetson_orin_nano_4gb_gpu.
bool legacy_name_is_exact(std::string_view legacy_name, const HardwareSpec& spec);

// A profile file of either kind, as export_calibration and summarize_database take it.
struct LoadedProfile {
  CalibrationProfile profile;
  bool legacy = false;
  std::string text;  // the file's bytes: a profile calibrate wrote is copied verbatim
};

// Loads a profile file: a profile calibrate wrote, or a legacy one (converted with `options`).
// IoError when it cannot be read; DataError when it is malformed or a JSON file of another
// kind, saying what was expected.
LoadedProfile load_profile_file(const std::filesystem::path& path, const std::string& display,
                                const LegacyReadOptions& options = {});

}  // namespace hwcal
