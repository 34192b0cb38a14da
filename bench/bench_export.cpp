// How long export_calibration takes for one profile, and how long summarize_database --check
// takes to re-derive the summaries of many calibrated entries (each with one ~100 KB profile).
// The real programs are timed, best of N. References measured in the same run: the start-up
// of the same program (--version) for the export, and reading + parsing the same files with
// nlohmann::json in this process, on one thread, for both.
//
// usage: bench_export [ENTRIES]   (default 1000)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_common.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/json/json_io.hpp"
#include "profile/profile.hpp"
#include "summary/summary.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kExport = HWCAL_EXPORT_CALIBRATION;
const std::string kSummarize = HWCAL_SUMMARIZE_DATABASE;
const fs::path kSource = HWCAL_SOURCE_DIR;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Best of `repeats` timed calls of `work`, each after an untimed `reset`.
double best_with_reset(int repeats, const std::function<void()>& reset,
                       const std::function<void()>& work) {
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i <= repeats; ++i) {  // the first is a warm-up
    reset();
    auto start = std::chrono::steady_clock::now();
    work();
    if (i > 0) best = std::min(best, seconds_since(start));
  }
  return best;
}

void copy_database(const fs::path& to) {
  fs::remove_all(to);
  fs::create_directories(to);
  fs::copy(kSource / "hardware_database", to, fs::copy_options::recursive);
}

void must(int code, const char* what) {
  if (code != 0) {
    std::fprintf(stderr, "bench_export: %s exited %d\n", what, code);
    std::exit(1);
  }
}

// A calibrate-like profile of about `target_bytes`: the GPU fixture's records repeated over a
// size sweep, 10 samples each, as a standard plan would write them.
hwcal::CalibrationProfile sized_profile(std::size_t target_bytes) {
  hwcal::CalibrationProfile base = hwcal::profile_from_json(
      hwcal::load_json_file(kSource / "tests/fixtures/profiles/jetson_orin_nano_gpu_25W.json"),
      "fixture");
  hwcal::CalibrationProfile profile = base;
  profile.measurements.clear();
  for (long long step = 1; hwcal::dump_json(hwcal::profile_to_json(profile)).size() < target_bytes;
       ++step) {
    for (const hwcal::MeasurementRecord& record : base.measurements) {
      hwcal::MeasurementRecord copy = record;
      const double scale = 1.0 + 0.01 * static_cast<double>(step);
      if (copy.shape.n) copy.shape.m = copy.shape.n = copy.shape.k = *copy.shape.n + 64 * step;
      if (copy.shape.array_bytes) *copy.shape.array_bytes += 4096 * step;
      for (double& sample : copy.samples_s) sample *= scale;
      if (copy.gflops) copy.gflops->best /= scale;
      if (copy.gbps) copy.gbps->best /= scale;
      profile.measurements.push_back(copy);
    }
  }
  return profile;
}

}  // namespace

int main(int argc, char** argv) {
  const int entries = argc > 1 ? std::atoi(argv[1]) : 1000;
  hwcal::bench::TempFolder temp;

  // ---- 1. one export into a copy of the bundled database -------------------------------------
  const fs::path one = temp.path() / "one" / "hardware_database";
  const fs::path native = kSource / "tests/fixtures/profiles/jetson_orin_nano_gpu_25W.json";
  const fs::path legacy = kSource /
                          "tests/fixtures/legacy_profiles/nvidia/jetson_orin_nano/25W/"
                          "nvidia_jetson_orin_nano_gpu_pytorch.json";
  auto reset = [&] {
    copy_database(one);
    fs::remove_all(one.parent_path() / "profiles");
  };
  auto export_one = [&](const fs::path& profile) {
    return best_with_reset(5, reset, [&] {
      must(hwcal::bench::run_quietly(
               kExport, {"--database", one.string(), "--calibration", profile.string()}),
           "export_calibration");
    });
  };
  const double export_native = export_one(native);
  const double export_legacy = export_one(legacy);
  const double startup = hwcal::bench::best_seconds(5, [&] {
    must(hwcal::bench::run_quietly(kExport, {"--version"}), "export_calibration --version");
  });
  reset();
  std::vector<fs::path> export_files{native};
  for (const auto& item : fs::recursive_directory_iterator(one)) {
    if (item.path().extension() == ".json") export_files.push_back(item.path());
  }
  const double export_parse = hwcal::bench::best_seconds(5, [&] {
    for (const fs::path& path : export_files) {
      if (hwcal::Json::parse(hwcal::read_text_file(path)).is_null()) std::abort();
    }
  });

  // ---- 2. --check over N calibrated entries with one ~100 KB profile each -------------------
  const fs::path root = temp.path() / "many" / "hardware_database";
  const fs::path base = root.parent_path();
  hwcal::Database bundled = hwcal::Database::load(kSource / "hardware_database");
  hwcal::HardwareSpec templ = bundled.get("jetson_orin_nano_gpu").spec;
  templ.calibration_summary.reset();
  templ.calibration_profiles.reset();
  hwcal::CalibrationProfile profile = sized_profile(100 * 1000);
  std::size_t profile_bytes = 0;
  std::vector<fs::path> files;
  for (int i = 0; i < entries; ++i) {
    hwcal::HardwareSpec spec = templ;
    spec.id = fmt::format("jetson_orin_nano_gpu_{:05d}", i);
    spec.model = fmt::format("{} variant {}", templ.model, i);
    profile.hardware_id = spec.id;
    const std::string relative = fmt::format("profiles/nvidia/{}/25W/{}.json", spec.id,
                                             hwcal::timestamp_stem(profile.started_at));
    const std::string text = hwcal::dump_json(hwcal::profile_to_json(profile));
    profile_bytes = text.size();
    fs::create_directories((base / relative).parent_path());
    hwcal::write_file_atomic(base / relative, text);
    hwcal::ModeSummary summary = hwcal::summarize_mode(spec, "25W", {{profile, relative}}).summary;
    hwcal::EntryCalibration calibration =
        hwcal::build_entry_calibration(spec, {{"25W", summary}}, {{"25W", {relative}}});
    spec.calibration_summary = calibration.summary;
    spec.calibration_profiles = calibration.profiles;
    const fs::path entry = root / "gpu" / "nvidia" / (spec.id + ".json");
    fs::create_directories(entry.parent_path());
    hwcal::write_file_atomic(entry, hwcal::dump_json(hwcal::spec_to_json(spec)));
    files.push_back(entry);
    files.push_back(base / relative);
  }
  const double parse_all = hwcal::bench::best_seconds(3, [&] {
    for (const fs::path& path : files) {
      if (hwcal::Json::parse(hwcal::read_text_file(path)).is_null()) std::abort();
    }
  });
  const double check = hwcal::bench::best_seconds(3, [&] {
    must(hwcal::bench::run_quietly(kSummarize, {"--database", root.string(), "--check"}),
         "summarize_database --check");
  });
  const double check_strict_gate = hwcal::bench::best_seconds(3, [&] {
    must(hwcal::bench::run_quietly(kSummarize, {"--database", root.string(), "--check", "--strict",
                                                "--fail-on-regression", "10"}),
         "summarize_database --check --fail-on-regression");
  });

  fmt::print("bench_export: best of 5 (export) and 3 (check), {} hardware threads\n",
             std::thread::hardware_concurrency());
  fmt::print("export one profile into the bundled database ({} entries):\n",
             bundled.entries().size());
  fmt::print("  {:<52} {:>8.1f} ms\n", "reference: export_calibration --version (start-up)",
             startup * 1e3);
  fmt::print("  {:<52} {:>8.1f} ms\n", "reference: read + parse profile and entries, in-process",
             export_parse * 1e3);
  fmt::print("  {:<52} {:>8.1f} ms  {:>5.2f}x start-up  (aim < 100 ms)\n",
             "export_calibration, a calibrate profile", export_native * 1e3,
             export_native / startup);
  fmt::print("  {:<52} {:>8.1f} ms  {:>5.2f}x start-up  (aim < 100 ms)\n",
             "export_calibration, a legacy profile (converted)", export_legacy * 1e3,
             export_legacy / startup);
  fmt::print("check {} calibrated entries, one {:.0f} KB profile each ({:.0f} MB in all):\n",
             entries, static_cast<double>(profile_bytes) / 1000,
             static_cast<double>(profile_bytes) * entries / 1e6);
  fmt::print("  {:<52} {:>8.3f} s\n", "reference: read + parse every file, 1 thread", parse_all);
  fmt::print("  {:<52} {:>8.3f} s  {:>5.2f}x reference  (aim < 2 s on 2 cores)\n",
             "summarize_database --check", check, check / parse_all);
  fmt::print("  {:<52} {:>8.3f} s  {:>5.2f}x reference\n", "  ... --strict --fail-on-regression 10",
             check_strict_gate, check_strict_gate / parse_all);
  return 0;
}
