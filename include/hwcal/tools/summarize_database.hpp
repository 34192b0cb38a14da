// summarize_database: theoretical against measured for every entry, and --check, the gate CI
// runs on the database.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "hwcal/io.hpp"
#include "hwcal/report.hpp"

namespace hwcal {

struct SummarizeOptions {
  std::filesystem::path database;
  ReportFilter filter;
  ReportFormat format = ReportFormat::console;
  std::optional<std::filesystem::path> output;
  bool check = false;
  bool strict = false;  // with --check: warnings fail too
  // With --check: the folder of generated mapper headers to check against the entries. Default:
  // <database root's parent>/include/hwcal/mappers when that folder exists (fixture databases
  // without headers are not flagged).
  std::optional<std::filesystem::path> mappers_dir;
  bool quiet = false;
};

// 0 success; 1 when the database has errors (or, with --check --strict, warnings).
int run_summarize_database(const SummarizeOptions& options, Io& io);

}  // namespace hwcal
