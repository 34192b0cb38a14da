// The database report: a plain model of "theoretical against measured" built from specs, and
// renderers that turn it into console text, markdown, JSON, CSV, one self-contained HTML page
// with inline SVG plots (roofline, modes side by side, history), or one entry's roofline as SVG.
// Renderers only format and draw; every figure is computed once, in build_report (rooflines in
// roofline.hpp, regressions in history.hpp).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/text.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/model/precision.hpp"
#include "hwcal/model/resource_model.hpp"
#include "summary/history.hpp"

namespace hwcal {

inline constexpr int kReportSchemaVersion = 1;

enum class ReportFormat { console, markdown, json, csv, html, svg };

// The HTML report marks a run that was more than this fraction below the median of the earlier
// runs of its mode, as `summarize_database --fail-on-regression 10` would fail it.
inline constexpr double kReportRegressionFraction = 0.10;

std::optional<ReportFormat> parse_report_format(std::string_view name);

struct PrecisionRow {
  Precision precision = Precision::fp32;
  std::optional<double> theoretical;
  std::optional<PeakOrigin> origin;  // where `theoretical` came from; set with it
  std::optional<double> measured;
  std::optional<double> efficiency;
  std::optional<std::pair<double, double>> measured_range;
  std::optional<double> ceiling;  // the calibrated FMA ceiling (summary's arithmetic_ceiling)
};

// One power mode of one entry (the device itself is the mode "default" when it has none).
struct ModeReport {
  std::string name;
  bool is_default = false;
  bool calibrated = false;
  std::vector<PrecisionRow> rows;         // canonical order, non-zero figures only
  double theoretical_bandwidth_gbps = 0;  // 0 when unknown: bandwidth_unknown says why
  std::optional<std::string> bandwidth_unknown;
  // An accelerator without external memory of its own (no peak_bandwidth_gbps nor
  // peak_bandwidth_unknown): views say "none"; bandwidth_unknown then says so in words.
  bool no_external_memory = false;
  std::optional<double> measured_bandwidth_gbps;
  std::optional<double> bandwidth_efficiency;
  std::optional<double> avg_efficiency;
  std::string calibration_date;
  std::string framework;
  long long runs = 0;
  // The summary's `quality` (runs that recorded their conditions): how many runs were noisy, the
  // spread of their trials, and each noisy run's problems by date.
  struct Quality {
    long long noisy_runs = 0;
    double max_cv = 0;
    double median_cv = 0;
    std::optional<double> other_cpu_share;  // the largest over the runs
    std::optional<double> drift;
    std::vector<std::string> warnings;
  };
  std::optional<Quality> quality;
};

// "1 of 3 runs noisy; trials' cv up to 4.1% (median 0.8%); other processes up to 45% of the
// CPUs; reference drift up to 3.0%"
std::string quality_text(const ModeReport& mode);

// A layer of a workload result, re-derived from its newest linked run (JSON reports only).
struct WorkloadLayerRow {
  std::string name;
  std::string kind;
  double flops = 0;
  double bytes = 0;
  std::optional<double> best_ms;
  std::optional<double> median_ms;
  RoofPair predicted_ms;
  RoofPair stack_efficiency;
  std::optional<std::string> bound;
  std::optional<std::string> implementation;
};

// One result of the entry's workload_summary (report_workloads.cpp renders them).
struct WorkloadRow {
  std::string power_mode;
  WorkloadResult result;
  std::vector<WorkloadLayerRow> layers;  // filled by add_workload_layers
};

// A part of a board, as the board's views show it.
struct BoardPartRow {
  std::string id;
  std::string role;
  long long count = 1;
  bool found = false;  // the part is an entry of the database
  std::string device_type;
  std::string model;
};

// What was calibrated on a board in one of its power modes: each part's calibration of the same
// mode (a part without power modes: its own default), read from the part's calibration_summary.
// A view: boards store no summary of their own.
struct BoardPartCalibration {
  std::string id;
  std::string part_mode;  // the part's mode this row reads
  bool calibrated = false;
  std::string calibration_date;
  std::optional<double> avg_efficiency;
  long long runs = 0;
  std::string framework;
};

struct BoardModeReport {
  std::string name;
  bool is_default = false;
  std::vector<BoardPartCalibration> parts;
  bool calibrated() const {
    for (const BoardPartCalibration& part : parts) {
      if (part.calibrated) return true;
    }
    return false;
  }
};

struct EntryReport {
  std::string id;
  std::string vendor;
  std::string model;
  std::string architecture;
  std::string device_type;
  std::string platform;
  std::string file;
  std::vector<std::string> power_modes;  // every mode the entry defines
  std::string default_mode;
  std::vector<std::string> modes_calibrated;
  std::string last_calibrated;  // newest calibration_date over the modes, "" when never
  // The mode the summary's top level describes first (else the default mode), then the other
  // calibrated modes, then the default mode if it is not among them.
  std::vector<ModeReport> modes;
  std::vector<WorkloadRow> workloads;  // by mode, then as the summary orders them
  bool calibrated() const { return !modes_calibrated.empty(); }

  // npu / accelerator / dsp: what the entry says beyond peaks (absent or empty where it does not).
  std::optional<std::string> attachment;
  std::optional<std::string> host_interface;
  std::optional<double> on_chip_memory_mib;
  std::optional<double> typical_power_watts;
  std::optional<double> tdp_watts;
  std::vector<std::string> frameworks;
  bool has_accelerator_facts() const {
    return attachment || host_interface || on_chip_memory_mib || typical_power_watts ||
           !frameworks.empty();
  }

  // A board: its parts and what was calibrated on it (compose_board fills both; `modes` stays
  // empty, a board has no figures of its own).
  bool is_board = false;
  std::vector<BoardPartRow> parts;
  std::vector<BoardModeReport> board_modes;

  // What the HTML and SVG renderers draw; filled when EntryReportOptions asks for it.
  std::optional<ResourceModelStorage> resource;  // the rooflines' source (roofline.hpp)
  // Every mode the entry defines, in its order, then calibrated modes it no longer defines.
  std::vector<ModeReport> modes_side_by_side;
  std::optional<EntryHistory> history;  // the stored runs (profiles beside the database)
  // Runs that regressed when they were the latest (history.hpp's find_regressions_over_time).
  std::vector<Regression> regressions;
};

struct DatabaseReport {
  std::string database;  // the root as given
  std::vector<EntryReport> entries;
  std::string generator;  // "summarize_database (hwcal) 0.1.0, git ..." for the HTML footer
  double regression_fraction = kReportRegressionFraction;
};

struct EntryReportOptions {
  bool graphics = false;  // the resource model and every mode side by side (HTML, SVG)
  // Where profiles/ lies (the database root's parent): loads the entry's history.
  std::optional<std::filesystem::path> history_base;
  double regression_fraction = kReportRegressionFraction;
};

struct ReportFilter {
  std::vector<std::string> ids;
  std::optional<std::string> device_type;
  std::optional<std::string> vendor;  // slug or name, case-insensitive
};

bool matches(const ReportFilter& filter, const HardwareSpec& spec);

// Entries in id order. An id in the filter that is not in the database throws DataError.
DatabaseReport build_report(const Database& database, const ReportFilter& filter,
                            const EntryReportOptions& options = {});
EntryReport build_entry_report(const HardwareSpec& spec, const std::string& file,
                               const EntryReportOptions& options = {});

// Fills a board's parts and per-mode calibration view from its parts' reports (`part_of` gives
// the report of an entry by id, nullptr when the database has none), and its modes_calibrated
// and last_calibrated from them. Nothing for an entry that is not a board.
void compose_board(EntryReport& board,
                   const std::function<const EntryReport*(const std::string&)>& part_of);

// Per-layer detail of the entry's workload results from the runs they link (under `base`, the
// database's parent): what JSON reports show. Results whose runs cannot be read keep none.
void add_workload_layers(EntryReport& entry, const HardwareSpec& spec,
                         const std::filesystem::path& base);

std::string render_console(const DatabaseReport& report);
std::string render_markdown(const DatabaseReport& report);
std::string render_json(const DatabaseReport& report);
std::string render_csv(const DatabaseReport& report);
// One self-contained page (inline CSS and SVG, an optional inline script to sort the overview
// table): entries built with EntryReportOptions::graphics; history where it was loaded.
std::string render_html(const DatabaseReport& report);
// The roofline of the report's one entry (built with graphics) in its headline mode. DataError
// when the report does not hold exactly one entry or the entry has nothing to draw.
std::string render_svg(const DatabaseReport& report);
std::string render(const DatabaseReport& report, ReportFormat format);

// The low precision (below 32 bits: tf32, fp16, bf16, fp8, fp4, int16, int8, int4) that leads
// the overview: the fastest measured one, else the one with the highest theoretical peak.
std::optional<PrecisionRow> best_low_precision(const ModeReport& mode);

}  // namespace hwcal
