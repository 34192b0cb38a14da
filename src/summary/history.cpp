#include "summary/history.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/json/json_reader.hpp"
#include "profile/legacy_profile.hpp"
#include "profile/quality.hpp"

namespace fs = std::filesystem;

namespace hwcal {
namespace {

constexpr int kRenderSchemaVersion = 1;

std::string rate_text(double value) {
  const double rounded = round_rate(value);
  return std::fabs(rounded) >= 10 ? fmt::format("{:.1f}", rounded) : fmt::format("{:.3f}", rounded);
}

std::string change_text(double fraction) {
  const double percent = std::round(fraction * 1000) / 10;
  return fmt::format("{:+.1f}%", percent == 0 ? 0.0 : percent);  // never "-0.0%"
}

// Left-aligned columns, two spaces apart; the last column is not padded.
std::string table(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::vector<Precision> precisions_of(const ModeHistory& mode) {
  std::set<Precision> precisions;
  for (const HistoryRun& run : mode.runs) {
    for (const auto& [precision, value] : run.peaks.measured) {
      (void)value;
      precisions.insert(precision);
    }
  }
  return {precisions.begin(), precisions.end()};
}

bool has_bandwidth(const ModeHistory& mode) {
  return std::any_of(mode.runs.begin(), mode.runs.end(),
                     [](const HistoryRun& run) { return run.peaks.bandwidth_gbps.has_value(); });
}

// The figure of run `i` and its change against the closest earlier run that has one.
std::optional<double> figure(const HistoryRun& run, std::optional<Precision> precision) {
  if (!precision) return run.peaks.bandwidth_gbps;
  auto found = run.peaks.measured.find(*precision);
  if (found == run.peaks.measured.end()) return std::nullopt;
  return found->second;
}

std::optional<double> change_against_previous(const ModeHistory& mode, std::size_t i,
                                              std::optional<Precision> precision) {
  auto current = figure(mode.runs[i], precision);
  if (!current) return std::nullopt;
  for (std::size_t j = i; j-- > 0;) {
    if (auto previous = figure(mode.runs[j], precision); previous && *previous > 0) {
      return *current / *previous - 1;
    }
  }
  return std::nullopt;
}

std::string kernel_key(const MeasurementRecord& record) {
  return fmt::format("{}|{}|{}", record.kernel, record.device,
                     record.precision ? to_string(*record.precision) : "");
}

std::string record_key(const MeasurementRecord& record) {
  return fmt::format("{}|{}|{}|{}|{}", kernel_key(record), record.shape.m.value_or(-1),
                     record.shape.n.value_or(-1), record.shape.k.value_or(-1),
                     record.shape.array_bytes.value_or(-1));
}

std::string record_label(const MeasurementRecord& record) {
  const MeasurementShape& shape = record.shape;
  std::string label = record.kernel;
  if (shape.m && shape.n && shape.k) {
    label += *shape.m == *shape.n && *shape.n == *shape.k
                 ? fmt::format(" m=n=k={}", *shape.m)
                 : fmt::format(" m={},n={},k={}", *shape.m, *shape.n, *shape.k);
  } else if (shape.n) {
    label += fmt::format(" n={}", *shape.n);
  }
  if (shape.array_bytes) {
    const long long mib = 1024 * 1024;
    label += *shape.array_bytes % mib == 0 ? fmt::format(" {} MiB", *shape.array_bytes / mib)
                                           : fmt::format(" {} B", *shape.array_bytes);
  }
  if (record.device != "cpu" && record.device != "cuda:0") label += " on " + record.device;
  return label;
}

const Throughput* throughput_of(const MeasurementRecord& record, std::string& unit) {
  if (record.gflops) {
    unit = std::string(throughput_unit(record.precision.value_or(Precision::fp32)));
    return &*record.gflops;
  }
  if (record.gbps) {
    unit = "GB/s";
    return &*record.gbps;
  }
  return nullptr;
}

}  // namespace

EntryHistory load_history(const HardwareSpec& spec, const fs::path& base) {
  EntryHistory history;
  history.id = spec.id;
  history.model = spec.model;
  history.folder = fmt::format("profiles/{}/{}", spec.vendor_slug(), spec.id);
  const fs::path folder = base / history.folder;
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) return history;

  const LegacyReadOptions legacy = legacy_options_for(spec);
  std::map<std::string, ModeHistory> found;
  for (const auto& mode_dir : fs::directory_iterator(folder, ec)) {
    if (!mode_dir.is_directory()) continue;
    const std::string mode = mode_dir.path().filename().string();
    ModeHistory& history_mode = found[mode];
    history_mode.mode = mode;
    history_mode.is_default = mode == spec.default_mode_name();
    std::vector<std::string> linked;
    if (spec.calibration_profiles) {
      auto paths = spec.calibration_profiles->power_modes.find(mode);
      if (paths != spec.calibration_profiles->power_modes.end()) linked = paths->second;
    }
    for (const auto& item : fs::directory_iterator(mode_dir.path(), ec)) {
      if (!item.is_regular_file() || item.path().extension() != ".json") continue;
      HistoryRun run;
      run.path = history.folder + "/" + mode + "/" + item.path().filename().string();
      try {
        auto profile = std::make_shared<CalibrationProfile>(
            load_profile_file(item.path(), run.path, legacy).profile);
        run.date = profile->started_at;
        run.peaks = run_peaks(*profile);
        const ProfileQuality quality = assess_profile(*profile);
        run.host = quality.conditions.host_name.value_or("");
        run.problems = quality.problems;
        run.warnings = profile->warnings;
        run.profile = std::move(profile);
      } catch (const Error& error) {
        history.problems.error(run.path, "", error.what());
        continue;
      }
      run.in_summary = std::find(linked.begin(), linked.end(), run.path) != linked.end();
      history_mode.runs.push_back(std::move(run));
    }
    std::sort(history_mode.runs.begin(), history_mode.runs.end(),
              [](const HistoryRun& a, const HistoryRun& b) {
                return std::tie(a.date, a.path) < std::tie(b.date, b.path);
              });
  }
  for (const PowerMode& mode : spec.power_modes) {
    auto it = found.find(mode.name);
    if (it != found.end()) {
      history.modes.push_back(std::move(it->second));
      found.erase(it);
    }
  }
  for (auto& [mode, runs] : found) history.modes.push_back(std::move(runs));
  return history;
}

std::string render_history_console(const EntryHistory& history) {
  std::size_t total = 0;
  for (const ModeHistory& mode : history.modes) total += mode.runs.size();
  std::string out = fmt::format("{}: {}; {} run{} in {}\n", history.id, history.model, total,
                                total == 1 ? "" : "s", history.folder);
  if (total == 0) return out + "  never calibrated\n";
  bool any_linked = false;
  for (const ModeHistory& mode : history.modes) {
    if (mode.runs.empty()) continue;
    out += fmt::format("  mode {}{}: {} run{}\n", mode.mode, mode.is_default ? " (default)" : "",
                       mode.runs.size(), mode.runs.size() == 1 ? "" : "s");
    const std::vector<Precision> precisions = precisions_of(mode);
    std::vector<std::optional<Precision>> columns(precisions.begin(), precisions.end());
    if (has_bandwidth(mode)) columns.push_back(std::nullopt);
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header{"  run"};
    for (const auto& column : columns) {
      header.push_back(column ? fmt::format("{} {}", to_string(*column), throughput_unit(*column))
                              : "bandwidth GB/s");
    }
    header.push_back("profile");
    rows.push_back(header);
    for (std::size_t i = 0; i < mode.runs.size(); ++i) {
      const HistoryRun& run = mode.runs[i];
      any_linked = any_linked || run.in_summary;
      std::vector<std::string> row{(run.in_summary ? "* " : "  ") + run.date};
      for (const auto& column : columns) {
        auto value = figure(run, column);
        auto change = change_against_previous(mode, i, column);
        row.push_back(!value   ? "-"
                      : change ? fmt::format("{} ({})", rate_text(*value), change_text(*change))
                               : rate_text(*value));
      }
      row.push_back(run.path.substr(run.path.rfind('/') + 1));
      rows.push_back(row);
    }
    out += table(rows, "  ");
  }
  if (any_linked) out += "  * a run behind the current calibration summary\n";
  return out;
}

std::string render_history_json(const EntryHistory& history) {
  Json out = Json::object();
  out["schema_version"] = kRenderSchemaVersion;
  out["id"] = history.id;
  out["model"] = history.model;
  out["folder"] = history.folder;
  Json modes = Json::array();
  for (const ModeHistory& mode : history.modes) {
    Json item = Json::object();
    item["mode"] = mode.mode;
    item["default"] = mode.is_default;
    Json runs = Json::array();
    const std::vector<Precision> precisions = precisions_of(mode);
    for (std::size_t i = 0; i < mode.runs.size(); ++i) {
      const HistoryRun& run = mode.runs[i];
      Json entry = Json::object();
      entry["date"] = run.date;
      entry["path"] = run.path;
      entry["in_summary"] = run.in_summary;
      Json peaks = Json::object();
      Json changes = Json::object();
      for (Precision precision : precisions) {
        if (auto value = figure(run, precision)) {
          const std::string name(to_string(precision));
          peaks[name] = round_rate(*value);
          auto change = change_against_previous(mode, i, precision);
          changes[name] = change ? Json(round_efficiency(*change)) : Json(nullptr);
        }
      }
      entry["measured_peaks"] = peaks;
      entry["measured_bandwidth_gbps"] =
          run.peaks.bandwidth_gbps ? Json(round_rate(*run.peaks.bandwidth_gbps)) : Json(nullptr);
      if (run.peaks.bandwidth_gbps) {
        auto change = change_against_previous(mode, i, std::nullopt);
        changes["bandwidth"] = change ? Json(round_efficiency(*change)) : Json(nullptr);
      }
      entry["change_against_previous"] = changes;
      runs.push_back(entry);
    }
    item["runs"] = runs;
    modes.push_back(item);
  }
  out["modes"] = modes;
  return dump_json(out);
}

namespace {

// The record of `run` that set a figure: the precision's best GEMM, or the bandwidth's record.
const MeasurementRecord* figure_record(const HistoryRun& run, std::optional<Precision> column) {
  if (!run.profile) return nullptr;
  std::optional<std::size_t> index = run.peaks.bandwidth_record;
  if (column) {
    auto found = run.peaks.measured_record.find(*column);
    index = found == run.peaks.measured_record.end() ? std::nullopt
                                                     : std::optional<std::size_t>(found->second);
  }
  return index ? &run.profile->measurements[*index] : nullptr;
}

// The same kernel and size in another run.
const MeasurementRecord* same_record(const HistoryRun& run, const MeasurementRecord& like) {
  if (!run.profile) return nullptr;
  const std::string key = record_key(like);
  for (const MeasurementRecord& record : run.profile->measurements) {
    if (record.status == MeasurementStatus::passed && record_key(record) == key) return &record;
  }
  return nullptr;
}

}  // namespace

std::vector<Regression> find_regressions(const EntryHistory& history, double fraction) {
  std::vector<Regression> regressions;
  for (const ModeHistory& mode : history.modes) {
    if (mode.runs.size() < 2) continue;
    const HistoryRun& latest = mode.runs.back();
    std::vector<std::optional<Precision>> columns;
    for (const auto& [precision, value] : latest.peaks.measured) {
      (void)value;
      columns.emplace_back(precision);
    }
    if (latest.peaks.bandwidth_gbps) columns.emplace_back(std::nullopt);
    for (const auto& column : columns) {
      std::vector<double> earlier;
      std::vector<std::string> compared;
      for (std::size_t i = 0; i + 1 < mode.runs.size(); ++i) {
        if (auto value = figure(mode.runs[i], column)) {
          earlier.push_back(*value);
          compared.push_back(mode.runs[i].path);
        }
      }
      if (earlier.empty()) continue;
      const double middle = median(earlier);
      const double value = *figure(latest, column);
      if (value >= middle * (1 - fraction)) continue;
      Regression regression;
      // The trials behind the latest figure against the earlier runs' trials of the same kernel
      // and size, pooled.
      if (const MeasurementRecord* record = figure_record(latest, column)) {
        regression.record = record_label(*record);
        const std::vector<double> now = trial_throughputs(*record);
        std::vector<double> before;
        for (std::size_t i = 0; i + 1 < mode.runs.size(); ++i) {
          if (const MeasurementRecord* other = same_record(mode.runs[i], *record)) {
            for (double rate : trial_throughputs(*other)) before.push_back(rate);
          }
        }
        if (!now.empty() && !before.empty()) {
          regression.test = mann_whitney_u(now, before);
          regression.noise = std::max(compute_stats(now).cv, compute_stats(before).cv);
          const double drop = 1 - median(now) / median(before);
          if (regression.test->p_value >= kSignificanceLevel || drop <= regression.noise) {
            continue;  // not significant, or within the noise: not a regression
          }
        }
      }
      regression.id = history.id;
      regression.mode = mode.mode;
      regression.what = column ? std::string(to_string(*column)) : "bandwidth";
      regression.unit = column ? std::string(throughput_unit(*column)) : "GB/s";
      regression.latest_path = latest.path;
      regression.latest_date = latest.date;
      regression.latest = value;
      regression.earlier_median = middle;
      regression.earlier_runs = earlier.size();
      regression.compared = compared;
      regression.latest_problems = latest.problems;
      regressions.push_back(regression);
    }
  }
  return regressions;
}

std::vector<Regression> find_regressions_over_time(const EntryHistory& history, double fraction) {
  std::vector<Regression> regressions;
  for (const ModeHistory& mode : history.modes) {
    EntryHistory until;
    until.id = history.id;
    until.model = history.model;
    until.folder = history.folder;
    ModeHistory runs_so_far;
    runs_so_far.mode = mode.mode;
    runs_so_far.is_default = mode.is_default;
    for (const HistoryRun& run : mode.runs) {
      runs_so_far.runs.push_back(run);
      until.modes = {runs_so_far};
      for (Regression& regression : find_regressions(until, fraction)) {
        regressions.push_back(std::move(regression));
      }
    }
  }
  return regressions;
}

std::string describe(const Regression& regression) {
  std::string text = fmt::format(
      "{} {} {}: the latest run ({}, {}) measured {} {}, {:.1f}% below the median {} {} of {} "
      "earlier run{}",
      regression.id, regression.mode, regression.what, regression.latest_date,
      regression.latest_path, rate_text(regression.latest), regression.unit,
      (1 - regression.latest / regression.earlier_median) * 100,
      rate_text(regression.earlier_median), regression.unit, regression.earlier_runs,
      regression.earlier_runs == 1 ? "" : "s");
  if (regression.test) {
    text += fmt::format(
        "; {} trials against {} of the same kernel and size ({}): p = {:.4f}{}, "
        "beyond the noise of {:.1f}%",
        regression.test->count_a, regression.test->count_b, regression.record,
        regression.test->p_value, regression.test->exact ? " (exact)" : "", regression.noise * 100);
  } else {
    text +=
        regression.record.empty()
            ? "; not tested: no trials to compare"
            : fmt::format("; not tested: the earlier runs kept no trials of {}", regression.record);
  }
  if (!regression.latest_problems.empty()) {
    text += fmt::format("; the latest run was noisy: {}",
                        fmt::format("{}", fmt::join(regression.latest_problems, "; ")));
  }
  return text;
}

std::vector<double> trial_throughputs(const MeasurementRecord& record) {
  std::vector<double> rates;
  const std::optional<double>& work = record.gbps ? record.bytes : record.flops;
  if (!work || *work <= 0) return rates;
  for (double seconds : record.samples_s) {
    if (seconds > 0) rates.push_back(*work / seconds / 1e9);
  }
  return rates;
}

double KernelComparison::change() const {
  return old_median && new_median && *old_median > 0 ? *new_median / *old_median - 1 : 0;
}

bool KernelComparison::significant() const {
  return test && test->p_value < kSignificanceLevel && std::fabs(change()) > noise;
}

std::string KernelComparison::verdict() const {
  if (!test) return "untested";
  if (test->p_value >= kSignificanceLevel) return "no change";
  if (!significant()) return "within noise";
  return change() > 0 ? "faster" : "slower";
}

ProfileComparison compare_profiles(const CalibrationProfile& old_profile,
                                   const CalibrationProfile& new_profile,
                                   const std::string& old_label, const std::string& new_label) {
  ProfileComparison comparison;
  comparison.old_label = old_label;
  comparison.new_label = new_label;
  std::map<std::string, const MeasurementRecord*> newer;
  for (const MeasurementRecord& record : new_profile.measurements) {
    if (record.status == MeasurementStatus::passed) newer[record_key(record)] = &record;
  }
  std::set<std::string> matched;
  std::vector<const MeasurementRecord*> unmatched_old;
  for (const MeasurementRecord& record : old_profile.measurements) {
    if (record.status != MeasurementStatus::passed) continue;
    const std::string key = record_key(record);
    auto other = newer.find(key);
    std::string unit;
    const Throughput* before = throughput_of(record, unit);
    std::string other_unit;
    const Throughput* after =
        other == newer.end() ? nullptr : throughput_of(*other->second, other_unit);
    if (before == nullptr || after == nullptr || unit != other_unit) {
      unmatched_old.push_back(&record);
      continue;
    }
    matched.insert(key);
    KernelComparison row;
    row.label = record_label(record);
    row.unit = unit;
    row.old_best = before->best;
    row.new_best = after->best;
    const std::vector<double> old_rates = trial_throughputs(record);
    const std::vector<double> new_rates = trial_throughputs(*other->second);
    if (!old_rates.empty() && !new_rates.empty()) {
      row.old_median = median(old_rates);
      row.new_median = median(new_rates);
      row.test = mann_whitney_u(new_rates, old_rates);
      row.noise = std::max(compute_stats(old_rates).cv, compute_stats(new_rates).cv);
    } else {
      row.old_median = before->median;
      row.new_median = after->median;
    }
    comparison.kernels.push_back(row);
  }
  std::vector<const MeasurementRecord*> unmatched_new;
  for (const MeasurementRecord& record : new_profile.measurements) {
    if (record.status == MeasurementStatus::passed && matched.count(record_key(record)) == 0) {
      unmatched_new.push_back(&record);
    }
  }
  // The same kernel at other sizes on both sides: said as such rather than as two lists.
  std::set<std::string> differ;
  for (const MeasurementRecord* before : unmatched_old) {
    for (const MeasurementRecord* after : unmatched_new) {
      if (kernel_key(*before) == kernel_key(*after)) differ.insert(kernel_key(*before));
    }
  }
  for (const std::string& key : differ) {
    std::string old_sizes;
    std::string new_sizes;
    std::string kernel;
    for (const MeasurementRecord* record : unmatched_old) {
      if (kernel_key(*record) != key) continue;
      kernel = record->kernel;
      old_sizes +=
          (old_sizes.empty() ? "" : ", ") + record_label(*record).substr(kernel.size() + 1);
    }
    for (const MeasurementRecord* record : unmatched_new) {
      if (kernel_key(*record) != key) continue;
      new_sizes +=
          (new_sizes.empty() ? "" : ", ") + record_label(*record).substr(kernel.size() + 1);
    }
    comparison.sizes_differ.push_back(
        fmt::format("{}: old {}, new {}", kernel, old_sizes, new_sizes));
  }
  for (const MeasurementRecord* record : unmatched_old) {
    if (differ.count(kernel_key(*record)) == 0)
      comparison.only_old.push_back(record_label(*record));
  }
  for (const MeasurementRecord* record : unmatched_new) {
    if (differ.count(kernel_key(*record)) == 0)
      comparison.only_new.push_back(record_label(*record));
  }
  return comparison;
}

std::string render_comparison_console(const ProfileComparison& comparison) {
  std::string out = fmt::format("old: {}\nnew: {}\n", comparison.old_label, comparison.new_label);
  std::vector<std::vector<std::string>> rows{
      {"kernel", "old best", "new best", "change", "median change", "noise", "p-value", "verdict"}};
  std::vector<const KernelComparison*> changed;
  std::size_t weak = 0;
  std::size_t tested = 0;
  std::size_t within_noise = 0;
  for (const KernelComparison& row : comparison.kernels) {
    std::string p_value = "-";
    if (row.test) {
      ++tested;
      p_value = fmt::format("{:.4f}{}", row.test->p_value, row.test->exact ? " (exact)" : "");
      if (row.test->count_a < kMinSamplesForUTest || row.test->count_b < kMinSamplesForUTest) {
        ++weak;
      }
    }
    if (row.significant()) changed.push_back(&row);
    if (row.verdict() == "within noise") ++within_noise;
    rows.push_back({row.label, fmt::format("{} {}", rate_text(row.old_best), row.unit),
                    fmt::format("{} {}", rate_text(row.new_best), row.unit),
                    row.old_best > 0 ? change_text(row.new_best / row.old_best - 1) : "-",
                    row.old_median && row.new_median ? change_text(row.change()) : "-",
                    row.test ? fmt::format("{:.1f}%", row.noise * 100) : "-", p_value,
                    row.verdict()});
  }
  if (!comparison.kernels.empty()) out += table(rows, "  ");
  const std::string test_name = fmt::format(
      "two-sided Mann-Whitney U on the trials' throughputs, p < {}, and a median change larger "
      "than the noise (the larger cv of the two runs)",
      kSignificanceLevel);
  if (tested == 0) {
    out += "no samples on both sides: no significance test (the predecessor's files keep none)\n";
  } else if (changed.empty()) {
    out += fmt::format("no kernel changed ({}; {} tested{})\n", test_name, tested,
                       within_noise > 0 ? fmt::format(", {} within the noise", within_noise) : "");
  } else {
    out += fmt::format("{} of {} kernels changed ({}):\n", changed.size(), tested, test_name);
    for (const KernelComparison* row : changed) {
      out +=
          fmt::format("  {}: {}, median {}, best {}\n", row->label, row->verdict(),
                      change_text(row->change()), change_text(row->new_best / row->old_best - 1));
    }
  }
  if (weak > 0) {
    out += fmt::format(
        "{} kernel{} had fewer than {} samples on a side: the test has little "
        "power there\n",
        weak, weak == 1 ? "" : "s", kMinSamplesForUTest);
  }
  auto list = [&](const char* title, const std::vector<std::string>& items) {
    if (items.empty()) return;
    out += fmt::format("{}: ", title);
    for (std::size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
    out += "\n";
  };
  list("sizes differ, not compared", comparison.sizes_differ);
  list("only in old", comparison.only_old);
  list("only in new", comparison.only_new);
  return out;
}

std::string render_comparison_json(const ProfileComparison& comparison) {
  Json out = Json::object();
  out["schema_version"] = kRenderSchemaVersion;
  out["old"] = comparison.old_label;
  out["new"] = comparison.new_label;
  out["significance_level"] = kSignificanceLevel;
  Json kernels = Json::array();
  for (const KernelComparison& row : comparison.kernels) {
    Json item = Json::object();
    item["kernel"] = row.label;
    item["unit"] = row.unit;
    item["old_best"] = row.old_best;
    item["new_best"] = row.new_best;
    item["change"] = row.old_best > 0 ? Json(row.new_best / row.old_best - 1) : Json(nullptr);
    item["old_median"] = value_or_null(row.old_median);
    item["new_median"] = value_or_null(row.new_median);
    item["median_change"] = row.old_median && row.new_median ? Json(row.change()) : Json(nullptr);
    item["noise"] = row.test ? Json(row.noise) : Json(nullptr);
    item["u"] = row.test ? Json(row.test->u) : Json(nullptr);
    item["p_value"] = row.test ? Json(row.test->p_value) : Json(nullptr);
    item["exact"] = row.test ? Json(row.test->exact) : Json(nullptr);
    item["significant"] = row.significant();
    item["verdict"] = row.verdict();
    kernels.push_back(item);
  }
  out["kernels"] = kernels;
  out["sizes_differ"] = comparison.sizes_differ;
  out["only_old"] = comparison.only_old;
  out["only_new"] = comparison.only_new;
  return dump_json(out);
}

}  // namespace hwcal
