// How long summarize_database and summarize_database --check take on a large database.
// Generates N entries (copies of the bundled ones under new ids, spread over vendors) in a temp
// folder, then times the real program, best of 3. The reference is the floor any tool pays:
// reading and parsing the same files with nlohmann::json and nothing else, in this process.
//
// usage: bench_database [ENTRIES]   (default 10000)
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "bench_common.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/validate.hpp"
#include "hwcal/json/json_io.hpp"
#include "report/report.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  const int entries = argc > 1 ? std::atoi(argv[1]) : 10000;
  const std::string program = HWCAL_SUMMARIZE_DATABASE;
  hwcal::bench::TempFolder temp;
  const fs::path root = temp.path() / "hardware_database";

  // Templates: every bundled entry, renamed so ids, models and folders stay consistent.
  hwcal::Database bundled = hwcal::Database::load(fs::path(HWCAL_SOURCE_DIR) / "hardware_database");
  std::vector<fs::path> files;
  for (int i = 0; i < entries; ++i) {
    const hwcal::DatabaseEntry& source = bundled.entries()[i % bundled.entries().size()];
    hwcal::Json document = hwcal::spec_to_json(source.spec);
    // The copies have no profiles of their own to link (bench_export times calibrated entries).
    document.erase("calibration_summary");
    document.erase("calibration_profiles");
    std::string id = fmt::format("{}_{:05d}", source.spec.id, i);
    document["id"] = id;
    document["model"] = fmt::format("{} variant {}", source.spec.model, i);
    fs::path path = root / std::string(hwcal::to_string(source.spec.device_type)) /
                    source.spec.vendor_slug() / (id + ".json");
    fs::create_directories(path.parent_path());
    hwcal::write_file_atomic(path, hwcal::dump_json(document));
    files.push_back(path);
  }

  double parse_only = hwcal::bench::best_seconds(3, [&] {
    for (const fs::path& path : files) {
      hwcal::Json document = hwcal::Json::parse(hwcal::read_text_file(path));
      if (document.is_null()) std::abort();
    }
  });
  double summarize = hwcal::bench::best_seconds(3, [&] {
    if (hwcal::bench::run_quietly(program, {"--database", root.string()}) != 0) std::abort();
  });
  double check = hwcal::bench::best_seconds(3, [&] {
    if (hwcal::bench::run_quietly(program, {"--database", root.string(), "--check"}) != 0) {
      std::abort();
    }
  });

  // In-process breakdown of the same work, to show where the time goes.
  double load = hwcal::bench::best_seconds(1, [&] { hwcal::Database::load(root); });
  hwcal::Database database = hwcal::Database::load(root);
  double validate = hwcal::bench::best_seconds(1, [&] { hwcal::validate_database(database); });
  double report = hwcal::bench::best_seconds(1, [&] {
    std::string text = hwcal::render_console(hwcal::build_report(database, {}));
    if (text.empty()) std::abort();
  });

  fmt::print("bench_database: {} entries ({} templates), best of 3, {} hardware threads\n", entries,
             bundled.entries().size(), std::thread::hardware_concurrency());
  fmt::print("  {:<44} {:>8.3f} s\n", "reference: read + parse every file, 1 thread", parse_only);
  fmt::print("  {:<44} {:>8.3f} s  {:>5.2f}x reference  (aim < 1 s)\n", "summarize_database",
             summarize, summarize / parse_only);
  fmt::print("  {:<44} {:>8.3f} s  {:>5.2f}x reference  (aim < 1 s)\n",
             "summarize_database --check", check, check / parse_only);
  fmt::print("  in-process breakdown: load {:.3f} s, validate {:.3f} s, report {:.3f} s\n", load,
             validate, report);
  return 0;
}
