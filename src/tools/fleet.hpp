// What summarize_database gives fleets, CI and monitoring (docs/fleet.md):
//
// - the fleet view (--fleet): every stored run of a device across hosts and time, per power mode
//   and figure (GEMM roof and FMA ceiling per precision, DRAM bandwidth): the median, the spread
//   (min, max, MAD) and the runs that stand out, named by host. A run is an outlier when
//   |x - median| > 3 x MAD (MAD: the median of |x - median| over the runs, unscaled), judged
//   only with at least kFleetMinRuns runs; a MAD of 0 (most runs identical) makes any run off
//   the median an outlier.
// - JUnit XML of --check and of the regression gate (--junit FILE): one test case per entry.
// - the Prometheus text exposition format of the summaries (--prometheus FILE): gauges named
//   hwcal_*, labelled id, precision, power_mode and kind, ready for node_exporter's textfile
//   collector.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hwcal/json/diagnostics.hpp"
#include "report/report.hpp"
#include "summary/history.hpp"

namespace hwcal {

inline constexpr double kFleetOutlierMads = 3;
inline constexpr std::size_t kFleetMinRuns = 3;

struct FleetRun {
  std::string host;  // "" when the run recorded none (shown as "unknown host")
  std::string path;
  std::string date;
  double value = 0;
};

// One figure of one device in one power mode over every stored run.
struct FleetFigure {
  std::string id;
  std::string mode;
  std::string precision;       // "" for bandwidth
  std::string kind;            // "gemm", "peak_fma" or "stream"
  std::string unit;            // GFLOPS, GIOPS, GB/s
  std::vector<FleetRun> runs;  // oldest first
  double median = 0;
  double mad = 0;
  double min = 0;
  double max = 0;
  std::size_t hosts = 0;
  bool judged = false;             // enough runs to name outliers
  std::vector<FleetRun> outliers;  // |value - median| > kFleetOutlierMads x mad
};

struct FleetReport {
  std::vector<FleetFigure> figures;  // by entry, mode, then precision order, bandwidth last
};

void add_to_fleet(FleetReport& fleet, const EntryHistory& history);
std::string render_fleet_console(const FleetReport& fleet);
std::string render_fleet_json(const FleetReport& fleet);

// A JUnit XML test case: a failure when `failures` is not empty.
struct JunitCase {
  std::string classname;
  std::string name;
  std::string file;
  std::vector<std::string> failures;  // one line each
  std::vector<std::string> output;    // for system-out (warnings, notes)
};
struct JunitSuite {
  std::string name;
  std::vector<JunitCase> cases;
};
// <testsuites> with each suite, counts and escaping as the JUnit schema (Jenkins', GitLab's,
// GitHub's reporters) reads them.
std::string render_junit(const std::vector<JunitSuite>& suites);

// The report's figures in the Prometheus text exposition format (version 0.0.4).
std::string render_prometheus(const DatabaseReport& report);

}  // namespace hwcal
