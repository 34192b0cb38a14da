// How long summarize_database and summarize_database --check take on a large database.
// Generates N entries (copies of the bundled ones under new ids, spread over vendors) in a temp
// folder, then times the real program. The references are the floor any tool pays: reading and
// parsing the same files with nlohmann::json and nothing else, in this process, on one thread
// and on as many as the tool uses. Each round runs all four side by side; the best round counts,
// with CPU seconds beside wall-clock ones (a shared machine's load inflates the latter more) and
// the load average before and after. The aim (issue 16): both programs under 1 s for 10,000
// entries on the 2-core build machine. Printed, never asserted: timings are not tests.
//
// usage: bench_database [ENTRIES [ROUNDS]]   (default 10000 entries, 5 rounds)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <string>
#include <thread>
#include <utility>
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
  const int rounds = argc > 2 ? std::max(1, std::atoi(argv[2])) : 5;
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

  // The references: what any tool pays to read and parse the same files with nlohmann::json and
  // nothing else, on one thread and on as many threads as the tool uses (scan_database's
  // workers), in this process.
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  auto parse_files = [&](unsigned workers) {
    std::vector<std::thread> team;
    for (unsigned w = 0; w < workers; ++w) {
      team.emplace_back([&, w] {
        for (std::size_t i = w; i < files.size(); i += workers) {
          hwcal::Json document = hwcal::Json::parse(hwcal::read_text_file(files[i]));
          if (document.is_null()) std::abort();
        }
      });
    }
    for (std::thread& thread : team) thread.join();
  };

  // Side by side: each round times the references and both programs one after the other, so a
  // change in the machine's load shows in all of them; the best of the rounds counts.
  struct Figure {
    double wall_s = std::numeric_limits<double>::infinity();
    double cpu_s = std::numeric_limits<double>::infinity();
    void add(double wall, double cpu) {
      wall_s = std::min(wall_s, wall);
      cpu_s = std::min(cpu_s, cpu);
    }
  };
  Figure parse_one;
  Figure parse_all;
  Figure summarize;
  Figure check;
  const double load_before = hwcal::bench::load_average();
  parse_files(threads);  // warm the page cache
  for (int round = 0; round < rounds; ++round) {
    for (auto [figure, workers] : {std::pair{&parse_one, 1u}, std::pair{&parse_all, threads}}) {
      const double cpu = hwcal::bench::process_cpu_seconds();
      const auto start = std::chrono::steady_clock::now();
      parse_files(workers);
      figure->add(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                  hwcal::bench::process_cpu_seconds() - cpu);
    }
    for (auto [figure, args] :
         {std::pair{&summarize, std::vector<std::string>{"--database", root.string()}},
          std::pair{&check, std::vector<std::string>{"--database", root.string(), "--check"}}}) {
      hwcal::bench::TimedRun run = hwcal::bench::run_timed(program, args);
      if (run.exit_code != 0) std::abort();
      figure->add(run.wall_s, run.cpu_s);
    }
  }
  const double load_after = hwcal::bench::load_average();

  // In-process breakdown of the same work, to show where the time goes.
  double load = hwcal::bench::best_seconds(1, [&] { hwcal::Database::load(root); });
  hwcal::Database database = hwcal::Database::load(root);
  double validate = hwcal::bench::best_seconds(1, [&] { hwcal::validate_database(database); });
  double report = hwcal::bench::best_seconds(1, [&] {
    std::string text = hwcal::render_console(hwcal::build_report(database, {}));
    if (text.empty()) std::abort();
  });

  fmt::print(
      "bench_database: {} entries ({} templates), best of {} rounds, {} hardware threads, load "
      "average {:.2f} before, {:.2f} after\n",
      entries, bundled.entries().size(), rounds, threads, load_before, load_after);
  fmt::print("  {:<44} {:>8} {:>8}  {:>8} {:>8}\n", "", "wall s", "CPU s", "x ref 1", "x ref N");
  auto line = [&](const std::string& name, const Figure& figure, bool aim) {
    fmt::print("  {:<44} {:>8.3f} {:>8.3f}  {:>8.2f} {:>8.2f}{}\n", name, figure.wall_s,
               figure.cpu_s, figure.wall_s / parse_one.wall_s, figure.wall_s / parse_all.wall_s,
               aim ? (figure.wall_s < 1.0 ? "  (aim < 1 s: met)" : "  (aim < 1 s: NOT met)") : "");
  };
  line("reference 1: read + parse every file, 1 thread", parse_one, false);
  line(fmt::format("reference N: the same on {} threads", threads), parse_all, false);
  line("summarize_database", summarize, entries == 10000);
  line("summarize_database --check", check, entries == 10000);
  fmt::print("  in-process breakdown: load {:.3f} s, validate {:.3f} s, report {:.3f} s\n", load,
             validate, report);
  return 0;
}
