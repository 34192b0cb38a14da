#include "tools/fleet.hpp"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/stats.hpp"
#include "hwcal/json/json_io.hpp"
#include "hwcal/model/precision.hpp"

namespace hwcal {
namespace {

void finish(FleetFigure& figure) {
  std::vector<double> values;
  std::set<std::string> hosts;
  for (const FleetRun& run : figure.runs) {
    values.push_back(run.value);
    hosts.insert(run.host);
  }
  figure.hosts = hosts.size();
  figure.median = median(values);
  figure.min = *std::min_element(values.begin(), values.end());
  figure.max = *std::max_element(values.begin(), values.end());
  std::vector<double> deviations;
  for (double value : values) deviations.push_back(std::fabs(value - figure.median));
  figure.mad = median(deviations);
  figure.judged = figure.runs.size() >= kFleetMinRuns;
  if (!figure.judged) return;
  for (const FleetRun& run : figure.runs) {
    const double off = std::fabs(run.value - figure.median);
    const bool outlier = figure.mad > 0 ? off > kFleetOutlierMads * figure.mad
                                        : off > 1e-9 * std::fabs(figure.median);
    if (outlier) figure.outliers.push_back(run);
  }
}

std::string host_text(const std::string& host) { return host.empty() ? "unknown host" : host; }

std::string what_text(const FleetFigure& figure) {
  return figure.precision.empty() ? figure.kind : figure.precision + " " + figure.kind;
}

std::string percent_off(double value, double median) {
  return median != 0 ? fmt::format("{:+.1f}%", (value / median - 1) * 100) : std::string("-");
}

std::string xml_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 allows no other control character than tab, newline and carriage return.
        if (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

// Label values: backslash, double quote and newline escaped (the exposition format's rule).
std::string label_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// HELP text: backslash and newline escaped.
std::string help_escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string sample_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// One metric family: HELP, TYPE, then its samples together, as the format requires.
struct Family {
  std::string name;
  std::string help;
  std::vector<std::string> samples;
  void add(const std::vector<std::pair<std::string, std::string>>& labels, double value) {
    std::string text = name;
    if (!labels.empty()) {
      std::vector<std::string> parts;
      for (const auto& [key, label] : labels) {
        parts.push_back(fmt::format("{}=\"{}\"", key, label_escape(label)));
      }
      text += fmt::format("{{{}}}", fmt::join(parts, ","));
    }
    samples.push_back(text + " " + sample_value(value));
  }
  std::string render() const {
    if (samples.empty()) return "";
    std::string text =
        fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help_escape(help), name);
    for (const std::string& sample : samples) text += sample + "\n";
    return text;
  }
};

std::optional<double> unix_seconds(const std::string& utc) {
  std::tm parts{};
  const char* end = strptime(utc.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
  if (end == nullptr) return std::nullopt;
  return static_cast<double>(timegm(&parts));
}

}  // namespace

void add_to_fleet(FleetReport& fleet, const EntryHistory& history) {
  for (const ModeHistory& mode : history.modes) {
    std::map<std::pair<int, std::string>, FleetFigure> figures;  // (precision order, kind)
    auto add = [&](int order, Precision precision, bool has_precision, const std::string& kind,
                   const HistoryRun& run, double value) {
      FleetFigure& figure = figures[{order, kind}];
      if (figure.runs.empty()) {
        figure.id = history.id;
        figure.mode = mode.mode;
        figure.precision = has_precision ? std::string(to_string(precision)) : "";
        figure.kind = kind;
        figure.unit = has_precision ? std::string(throughput_unit(precision)) : "GB/s";
      }
      figure.runs.push_back({run.host, run.path, run.date, value});
    };
    for (const HistoryRun& run : mode.runs) {
      for (const auto& [precision, value] : run.peaks.measured) {
        add(static_cast<int>(precision), precision, true, "gemm", run, value);
      }
      for (const auto& [precision, value] : run.peaks.ceiling) {
        add(static_cast<int>(precision), precision, true, "peak_fma", run, value);
      }
      if (run.peaks.bandwidth_gbps) {
        add(1 << 20, Precision::fp32, false, "stream", run, *run.peaks.bandwidth_gbps);
      }
    }
    for (auto& [key, figure] : figures) {
      finish(figure);
      fleet.figures.push_back(std::move(figure));
    }
  }
}

std::string render_fleet_console(const FleetReport& fleet) {
  std::string text;
  std::string current;
  std::size_t outliers = 0;
  for (const FleetFigure& figure : fleet.figures) {
    const std::string heading = figure.id + " " + figure.mode;
    if (heading != current) {
      current = heading;
      std::set<std::string> hosts;
      std::size_t runs = 0;
      for (const FleetFigure& other : fleet.figures) {
        if (other.id != figure.id || other.mode != figure.mode) continue;
        for (const FleetRun& run : other.runs) hosts.insert(run.path + "\n" + run.host);
      }
      std::set<std::string> names;
      for (const std::string& item : hosts) names.insert(item.substr(item.find('\n') + 1));
      runs = hosts.size();
      text += fmt::format("{} {}: {} run{} on {} host{}\n", figure.id, figure.mode, runs,
                          runs == 1 ? "" : "s", names.size(), names.size() == 1 ? "" : "s");
      text += fmt::format("  {:<16} {:<7} {:>4} {:>5} {:>10} {:>8} {:>21}  {}\n", "figure", "unit",
                          "runs", "hosts", "median", "MAD", "min..max", "outliers");
    }
    std::vector<std::string> named;
    for (const FleetRun& run : figure.outliers) {
      named.push_back(fmt::format("{} {} ({}, {})", host_text(run.host), format_rate(run.value),
                                  percent_off(run.value, figure.median), run.date));
    }
    outliers += figure.outliers.size();
    text += fmt::format("  {:<16} {:<7} {:>4} {:>5} {:>10} {:>8} {:>21}  {}\n", what_text(figure),
                        figure.unit, figure.runs.size(), figure.hosts, format_rate(figure.median),
                        format_rate(figure.mad),
                        format_rate(figure.min) + ".." + format_rate(figure.max),
                        !figure.judged  ? fmt::format("(fewer than {} runs)", kFleetMinRuns)
                        : named.empty() ? std::string("none")
                                        : fmt::format("{}", fmt::join(named, "; ")));
  }
  if (fleet.figures.empty()) return "no stored runs: nothing to compare across hosts\n";
  text += fmt::format("{} outlier{} (|x - median| > {} x MAD, judged with at least {} runs)\n",
                      outliers, outliers == 1 ? "" : "s", kFleetOutlierMads, kFleetMinRuns);
  return text;
}

std::string render_fleet_json(const FleetReport& fleet) {
  Json figures = Json::array();
  for (const FleetFigure& figure : fleet.figures) {
    Json runs = Json::array();
    for (const FleetRun& run : figure.runs) {
      runs.push_back(Json::object(
          {{"host", run.host}, {"path", run.path}, {"date", run.date}, {"value", run.value}}));
    }
    Json outliers = Json::array();
    for (const FleetRun& run : figure.outliers) {
      outliers.push_back(Json::object({{"host", run.host},
                                       {"path", run.path},
                                       {"date", run.date},
                                       {"value", run.value},
                                       {"deviation", run.value - figure.median}}));
    }
    figures.push_back(
        Json::object({{"id", figure.id},
                      {"power_mode", figure.mode},
                      {"precision", figure.precision.empty() ? Json() : Json(figure.precision)},
                      {"kind", figure.kind},
                      {"unit", figure.unit},
                      {"runs", figure.runs.size()},
                      {"hosts", figure.hosts},
                      {"median", figure.median},
                      {"mad", figure.mad},
                      {"min", figure.min},
                      {"max", figure.max},
                      {"judged", figure.judged},
                      {"outliers", outliers},
                      {"values", runs}}));
  }
  Json document = Json::object();
  document["schema_version"] = kReportSchemaVersion;
  document["outlier_rule"] = fmt::format("|x - median| > {} x MAD, with at least {} runs",
                                         kFleetOutlierMads, kFleetMinRuns);
  document["figures"] = figures;
  return dump_json(document);
}

std::string render_junit(const std::vector<JunitSuite>& suites) {
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::string body;
  for (const JunitSuite& suite : suites) {
    std::size_t suite_failures = 0;
    std::string cases;
    for (const JunitCase& item : suite.cases) {
      cases += fmt::format("    <testcase classname=\"{}\" name=\"{}\"", xml_escape(item.classname),
                           xml_escape(item.name));
      if (!item.file.empty()) cases += fmt::format(" file=\"{}\"", xml_escape(item.file));
      if (item.failures.empty() && item.output.empty()) {
        cases += "/>\n";
        continue;
      }
      cases += ">\n";
      if (!item.failures.empty()) {
        ++suite_failures;
        std::string all;
        for (const std::string& line : item.failures) all += line + "\n";
        cases +=
            fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                        xml_escape(item.failures.front()), xml_escape(suite.name), xml_escape(all));
      }
      if (!item.output.empty()) {
        std::string all;
        for (const std::string& line : item.output) all += line + "\n";
        cases += fmt::format("      <system-out>{}</system-out>\n", xml_escape(all));
      }
      cases += "    </testcase>\n";
    }
    tests += suite.cases.size();
    failures += suite_failures;
    body += fmt::format(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">\n{}"
        "  </testsuite>\n",
        xml_escape(suite.name), suite.cases.size(), suite_failures, cases);
  }
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"summarize_database\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n{}"
      "</testsuites>\n",
      tests, failures, body);
}

std::string render_prometheus(const DatabaseReport& report) {
  Family peak{"hwcal_peak_ops_per_second",
              "Peak throughput in operations per second per precision and power mode: "
              "kind=\"datasheet\" the entry's theoretical peak, \"gemm\" the calibrated GEMM "
              "roof (median over the runs), \"peak_fma\" the measured FMA ceiling",
              {}};
  Family efficiency{"hwcal_efficiency_ratio",
                    "Calibrated over datasheet figure (0..1): kind=\"gemm\" per precision, "
                    "kind=\"stream\" for DRAM bandwidth",
                    {}};
  Family bandwidth{"hwcal_memory_bandwidth_bytes_per_second",
                   "DRAM bandwidth in bytes per second per power mode: kind=\"datasheet\" the "
                   "entry's peak, \"stream\" the measured one (median over the runs)",
                   {}};
  Family runs{"hwcal_calibration_runs", "Calibration runs behind the power mode's summary", {}};
  Family date{"hwcal_calibration_timestamp_seconds",
              "When the newest run behind the power mode's summary started (Unix time)",
              {}};
  for (const EntryReport& entry : report.entries) {
    for (const ModeReport& mode : entry.modes) {
      for (const PrecisionRow& row : mode.rows) {
        const std::string precision(to_string(row.precision));
        auto labels = [&](const char* kind) {
          return std::vector<std::pair<std::string, std::string>>{{"id", entry.id},
                                                                  {"precision", precision},
                                                                  {"power_mode", mode.name},
                                                                  {"kind", kind}};
        };
        // Throughputs are G-operations per second (GFLOPS, GIOPS): base units here.
        if (row.theoretical) peak.add(labels("datasheet"), *row.theoretical * 1e9);
        if (row.measured) peak.add(labels("gemm"), *row.measured * 1e9);
        if (row.ceiling) peak.add(labels("peak_fma"), *row.ceiling * 1e9);
        if (row.efficiency) efficiency.add(labels("gemm"), *row.efficiency);
      }
      auto labels = [&](const char* kind) {
        return std::vector<std::pair<std::string, std::string>>{
            {"id", entry.id}, {"power_mode", mode.name}, {"kind", kind}};
      };
      if (mode.theoretical_bandwidth_gbps > 0) {
        bandwidth.add(labels("datasheet"), mode.theoretical_bandwidth_gbps * 1e9);
      }
      if (mode.measured_bandwidth_gbps) {
        bandwidth.add(labels("stream"), *mode.measured_bandwidth_gbps * 1e9);
      }
      if (mode.bandwidth_efficiency) efficiency.add(labels("stream"), *mode.bandwidth_efficiency);
      if (mode.calibrated) {
        const std::vector<std::pair<std::string, std::string>> mode_labels = {
            {"id", entry.id}, {"power_mode", mode.name}};
        runs.add(mode_labels, static_cast<double>(mode.runs));
        if (auto seconds = unix_seconds(mode.calibration_date)) date.add(mode_labels, *seconds);
      }
    }
  }
  return peak.render() + efficiency.render() + bandwidth.render() + runs.render() + date.render();
}

}  // namespace hwcal
