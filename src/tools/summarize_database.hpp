// summarize_database: theoretical against measured for every entry, and --check, the gate CI
// runs on the database.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "base/io.hpp"
#include "report/report.hpp"

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
  // --history ID: every stored run of one entry per power mode, with the change between runs.
  std::optional<std::string> history;
  // --fail-on-regression PCT: exit 1 when the latest run of a calibrated entry (of those the
  // filter selects) is more than PCT percent below the median of its earlier runs.
  std::optional<double> fail_on_regression_percent;
  // --compare OLD NEW: two profiles kernel by kernel, with a Mann-Whitney U test on samples.
  std::vector<std::filesystem::path> compare;
  // --fleet: every stored run of the selected entries across hosts (fleet.hpp): median, spread
  // and outliers named by host.
  bool fleet = false;
  // --junit FILE: --check's and the regression gate's results as JUnit XML as well.
  std::optional<std::filesystem::path> junit;
  // --prometheus FILE: the summaries in the Prometheus text format as well.
  std::optional<std::filesystem::path> prometheus;
  // --power-mode (repeatable): the modes the HTML and SVG roofline charts draw.
  std::vector<std::string> power_modes;
};

// 0 success; 1 when the database has errors (or, with --check --strict, warnings), or when
// --fail-on-regression finds a regression. UsageError for flags that do not go together.
int run_summarize_database(const SummarizeOptions& options, Io& io);

}  // namespace hwcal
