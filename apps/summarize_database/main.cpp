// summarize_database: theoretical against measured for every database entry; --check for CI.
#include <CLI/CLI.hpp>

#include "cli.hpp"
#include "hwcal/base/error.hpp"
#include "hwcal/database/spec.hpp"
#include "tools/summarize_database.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "Show each hardware entry's theoretical peaks against its measured (calibrated) ones, per "
      "precision and power mode, with efficiencies and bandwidth.\n\n"
      "Examples:\n"
      "  summarize_database                          every entry, console tables\n"
      "  summarize_database --id jetson_orin_nano_gpu\n"
      "  summarize_database --format markdown --output summary.md\n"
      "  summarize_database --format html --output report.html\n"
      "  summarize_database --format svg --id jetson_orin_nano_gpu --output roofline.svg\n"
      "  summarize_database --format svg --id jetson_orin_nano_gpu --power-mode 15W "
      "--power-mode 25W\n"
      "  summarize_database --format svg --id A --id B   two entries on one chart\n"
      "  summarize_database --check                  validate the database (CI gate)\n"
      "  summarize_database --history jetson_orin_nano_gpu\n"
      "  summarize_database --check --fail-on-regression 10\n"
      "  summarize_database --compare old_run.json new_run.json\n"
      "  summarize_database --fleet --id jetson_orin_nano_gpu   every run across hosts\n"
      "  summarize_database --check --fail-on-regression 10 --junit results.xml\n"
      "  summarize_database --quiet --prometheus /var/lib/node_exporter/hwcal.prom",
      "summarize_database"};
  hwcal::cli::CommonOptions common;
  hwcal::cli::add_common_options(app, common, "summarize_database");

  hwcal::SummarizeOptions options;
  std::string format = "console";
  std::string output;
  std::string device_type;
  std::string vendor;
  app.add_option("--id", options.filter.ids, "Only these entries (repeatable)");
  app.add_option("--device-type", device_type, "Only entries of this device type")
      ->check(hwcal::cli::one_of({"cpu", "gpu", "npu", "dsp", "fpga", "accelerator"}));
  app.add_option("--vendor", vendor, "Only entries of this vendor (name or folder, any case)");
  app.add_option("--format", format,
                 "Output form: console, markdown, json, csv, html (one self-contained page with "
                 "roofline plots) or svg (one entry's roofline, or up to four overlaid: --id "
                 "given up to four times, or --power-mode more than once)")
      ->check(hwcal::cli::one_of({"console", "markdown", "json", "csv", "html", "svg"}));
  app.add_option("--power-mode", options.power_modes,
                 "With --format html or svg: the power mode(s) to chart (repeatable). SVG: one "
                 "mode for every --id, one per --id in order, or several modes of one entry "
                 "overlaid; HTML: the charts of these modes side by side");
  app.add_option("--output", output,
                 "Write the result to FILE as well; stdout then gets a one-line summary");
  app.add_flag("--check", options.check,
               "Validate the whole database, print every diagnostic, exit 1 on any error");
  app.add_flag("--strict", options.strict, "With --check: warnings fail too");
  std::string mappers_dir;
  app.add_option("--mappers-dir", mappers_dir,
                 "With --check: the generated mapper headers to check (default: "
                 "include/hwcal/mappers beside the database folder, when it exists)");
  std::string history;
  double regression_percent = 0;
  std::vector<std::string> compare;
  app.add_option("--history", history,
                 "Every stored calibration run of entry ID per power mode and precision, with "
                 "the change against the previous run");
  auto* regression =
      app.add_option(
             "--fail-on-regression", regression_percent,
             "Exit 1 when the latest run of a calibrated entry is more than PCT percent below the "
             "median of its earlier runs (alone, with --check or with --history)")
          // CLI11 reads "nan" and "inf" as numbers: a threshold must be a percent.
          ->check(hwcal::cli::finite_range(0, 100));
  app.add_option("--compare", compare,
                 "Two profiles side by side per kernel and size (OLD NEW): each trial as a "
                 "throughput, a Mann-Whitney U test (exact for small samples), and a change "
                 "reported only when significant and larger than the two runs' noise. Or two "
                 "entry ids: their datasheet peaks, GEMM roofs, FMA ceilings and bandwidth side "
                 "by side")
      ->expected(2);
  app.add_flag("--fleet", options.fleet,
               "Every stored run of the selected entries across hosts and time, per power mode "
               "and figure (GEMM, FMA ceiling, bandwidth): median, MAD, min..max, and the runs "
               "with |x - median| > 3 x MAD named by host (judged with 3 runs or more)");
  std::string junit;
  std::string prometheus;
  app.add_option("--junit", junit,
                 "With --check or --fail-on-regression: write the results as JUnit XML to FILE "
                 "too (one test case per entry; errors, and with --strict warnings, fail it)");
  app.add_option("--prometheus", prometheus,
                 "Write the summaries to FILE in the Prometheus text format too (gauges "
                 "hwcal_peak_ops_per_second, hwcal_efficiency_ratio, "
                 "hwcal_memory_bandwidth_bytes_per_second, hwcal_calibration_runs, "
                 "hwcal_calibration_timestamp_seconds; labels id, precision, power_mode, kind)");

  return hwcal::cli::run(app, argc, argv, common, [&] {
    if (options.strict && !options.check) throw hwcal::UsageError("--strict needs --check");
    options.database = hwcal::cli::database_root(common);
    options.format = *hwcal::parse_report_format(format);
    if (!mappers_dir.empty() && !options.check)
      throw hwcal::UsageError("--mappers-dir needs --check");
    if (!mappers_dir.empty()) options.mappers_dir = mappers_dir;
    if (!output.empty()) options.output = output;
    if (!device_type.empty()) options.filter.device_type = device_type;
    if (!vendor.empty()) options.filter.vendor = vendor;
    options.quiet = common.quiet;
    if (!history.empty()) options.history = history;
    if (regression->count() > 0) options.fail_on_regression_percent = regression_percent;
    for (const std::string& file : compare) options.compare.emplace_back(file);
    if (!junit.empty()) options.junit = junit;
    if (!prometheus.empty()) options.prometheus = prometheus;
    hwcal::Io io = hwcal::standard_io();
    return hwcal::run_summarize_database(options, io);
  });
}
