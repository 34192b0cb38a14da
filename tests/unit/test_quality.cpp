// How good a run's numbers are (profile/quality.hpp) and the statistics built on the trials:
// --compare on per-trial throughput with the noise of the two runs, and the regression gate's
// test. Every profile here is made by hand, so each expectation follows from the samples written
// in the test.
#include <gtest/gtest.h>

#include <cmath>

#include "profile/quality.hpp"
#include "summary/history.hpp"

namespace hwcal {
namespace {

// Trials around `seconds` with a deterministic spread of +-`spread` (relative): a fixed zigzag,
// so the cv is known and no random numbers make a test flaky.
std::vector<double> trials(double seconds, double spread, int count = 10) {
  static const double kPattern[] = {0.0,  1.0, -1.0, 0.5,  -0.5, 0.8,  -0.8, 0.2,
                                    -0.2, 0.1, 0.6,  -0.6, 0.3,  -0.3, 0.9,  -0.9};
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(seconds * (1 + spread * kPattern[i % 16]));
  return out;
}

MeasurementRecord record(const std::string& kernel, KernelClass kind, double work,
                         std::vector<double> samples) {
  MeasurementRecord r;
  r.kernel = kernel;
  r.kernel_class = kind;
  r.device = "cpu";
  r.backend = "hwcal";
  r.precision = Precision::fp32;
  r.samples_s = std::move(samples);
  const SampleStats stats = compute_stats(r.samples_s);
  r.stats_s = TrialStats::from(stats);
  if (kind == KernelClass::stream) {
    r.bytes = work;
    r.gbps = Throughput{work / stats.min / 1e9, work / stats.median / 1e9};
    r.residency = Residency::dram;
    r.shape.array_bytes = 1LL << 30;
  } else {
    r.flops = work;
    r.gflops = Throughput{work / stats.min / 1e9, work / stats.median / 1e9};
  }
  return r;
}

MeasurementRecord gemm(long long n, std::vector<double> samples) {
  MeasurementRecord r =
      record("cpu_gemm_fp32_openblas", KernelClass::gemm, 2.0 * n * n * n, std::move(samples));
  r.shape.m = r.shape.n = r.shape.k = n;
  return r;
}

CalibrationProfile profile_of(std::vector<MeasurementRecord> records) {
  CalibrationProfile profile;
  profile.started_at = "2026-12-02T10:00:00Z";
  profile.settings.extra = Json::object({{"min_trials", 5}});
  profile.measurements = std::move(records);
  return profile;
}

// ---- --compare ------------------------------------------------------------------------------

// The FMA loop sized its calls differently in the two runs (6.9 M against 0.8 M iterations):
// call times differ 8.6x but the throughput is the same, and so is the verdict.
TEST(Compare, SameKernelDifferentIterationCountsIsNoChange) {
  const double flops_per_iteration = 2 * 16 * 2 * 2;
  MeasurementRecord big = record("cpu_fma_fp32_avx512", KernelClass::peak_fma,
                                 6.9e6 * flops_per_iteration, trials(6.9e6 * 128 / 400e9, 0.01));
  big.shape.extra = Json::object({{"iterations", 6900000}});
  MeasurementRecord small = record("cpu_fma_fp32_avx512", KernelClass::peak_fma,
                                   0.8e6 * flops_per_iteration, trials(0.8e6 * 128 / 400e9, 0.01));
  small.shape.extra = Json::object({{"iterations", 800000}});
  const ProfileComparison comparison =
      compare_profiles(profile_of({big}), profile_of({small}), "old", "new");
  ASSERT_EQ(comparison.kernels.size(), 1u);
  const KernelComparison& row = comparison.kernels[0];
  EXPECT_NEAR(row.change(), 0.0, 1e-9);
  EXPECT_FALSE(row.significant());
  EXPECT_EQ(row.verdict(), "no change");
  EXPECT_NEAR(*row.old_median, 400.0, 0.5);
}

// A real 5% slowdown at 1% noise: every new trial is slower than every old one.
TEST(Compare, FivePercentChangeAtLowNoiseIsDetected) {
  const ProfileComparison comparison =
      compare_profiles(profile_of({gemm(2048, trials(0.100, 0.01))}),
                       profile_of({gemm(2048, trials(0.105, 0.01))}), "old", "new");
  ASSERT_EQ(comparison.kernels.size(), 1u);
  const KernelComparison& row = comparison.kernels[0];
  ASSERT_TRUE(row.test);
  EXPECT_TRUE(row.test->exact);
  EXPECT_LT(row.test->p_value, 0.001);
  EXPECT_NEAR(row.change(), 1 / 1.05 - 1, 1e-9);
  EXPECT_TRUE(row.significant());
  EXPECT_EQ(row.verdict(), "slower");
  EXPECT_NE(render_comparison_console(comparison).find("1 of 1 kernels changed"),
            std::string::npos);
}

// The same 5% inside 20% noise: the samples overlap and the change is smaller than the noise.
TEST(Compare, FivePercentChangeInsideTheNoiseIsNotReported) {
  const ProfileComparison comparison =
      compare_profiles(profile_of({gemm(2048, trials(0.100, 0.20, 16))}),
                       profile_of({gemm(2048, trials(0.105, 0.20, 16))}), "old", "new");
  ASSERT_EQ(comparison.kernels.size(), 1u);
  const KernelComparison& row = comparison.kernels[0];
  ASSERT_TRUE(row.test);
  EXPECT_GT(row.noise, 0.05);
  EXPECT_FALSE(row.significant());
  EXPECT_NE(row.verdict(), "slower");
  EXPECT_NE(render_comparison_console(comparison).find("no kernel changed"), std::string::npos);
}

// Significant but not beyond the noise: a shift of 3% where one run's cv is 6% is "within noise".
TEST(Compare, SignificantButSmallerThanTheNoiseIsWithinNoise) {
  std::vector<double> old_samples = trials(0.100, 0.002, 16);
  old_samples[15] = 0.150;  // one outlier trial makes the old run's cv large
  KernelComparison row;
  const ProfileComparison comparison =
      compare_profiles(profile_of({gemm(1024, old_samples)}),
                       profile_of({gemm(1024, trials(0.103, 0.002, 16))}), "old", "new");
  row = comparison.kernels.at(0);
  ASSERT_TRUE(row.test);
  EXPECT_LT(row.test->p_value, 0.05);
  EXPECT_GT(row.noise, std::fabs(row.change()));
  EXPECT_EQ(row.verdict(), "within noise");
}

// GEMMs of different n are not paired: the comparison says the sizes differ.
TEST(Compare, DifferentSizesAreSaidNotPaired) {
  const ProfileComparison comparison =
      compare_profiles(profile_of({gemm(2048, trials(0.1, 0.01))}),
                       profile_of({gemm(512, trials(0.002, 0.01))}), "old", "new");
  EXPECT_TRUE(comparison.kernels.empty());
  ASSERT_EQ(comparison.sizes_differ.size(), 1u);
  EXPECT_EQ(comparison.sizes_differ[0], "cpu_gemm_fp32_openblas: old m=n=k=2048, new m=n=k=512");
  EXPECT_TRUE(comparison.only_old.empty());
  EXPECT_TRUE(comparison.only_new.empty());
}

// ---- the regression gate --------------------------------------------------------------------

HistoryRun history_run(const std::string& date, std::vector<MeasurementRecord> records) {
  HistoryRun run;
  run.date = date;
  run.path = "profiles/x/e/default/" + date + ".json";
  auto profile = std::make_shared<CalibrationProfile>(profile_of(std::move(records)));
  profile->started_at = date;
  run.peaks = run_peaks(*profile);
  run.problems = assess_profile(*profile).problems;
  run.profile = profile;
  return run;
}

EntryHistory history_of(std::vector<HistoryRun> runs) {
  EntryHistory history;
  history.id = "e";
  ModeHistory mode;
  mode.mode = "default";
  mode.runs = std::move(runs);
  history.modes.push_back(mode);
  return history;
}

TEST(RegressionGate, TestsTheTrialsAndNamesTheRunsItCompared) {
  const EntryHistory history =
      history_of({history_run("2026-12-01", {gemm(2048, trials(0.100, 0.01))}),
                  history_run("2026-12-02", {gemm(2048, trials(0.101, 0.01))}),
                  history_run("2026-12-03", {gemm(2048, trials(0.125, 0.01))})});
  const std::vector<Regression> regressions = find_regressions(history, 0.10);
  ASSERT_EQ(regressions.size(), 1u);
  const Regression& regression = regressions[0];
  ASSERT_TRUE(regression.test);
  EXPECT_EQ(regression.test->count_a, 10u);
  EXPECT_EQ(regression.test->count_b, 20u);  // both earlier runs' trials, pooled
  EXPECT_LT(regression.test->p_value, 0.001);
  EXPECT_EQ(regression.compared,
            (std::vector<std::string>{"profiles/x/e/default/2026-12-01.json",
                                      "profiles/x/e/default/2026-12-02.json"}));
  EXPECT_EQ(regression.record, "cpu_gemm_fp32_openblas m=n=k=2048");
  const std::string text = describe(regression);
  EXPECT_NE(text.find("10 trials against 20 of the same kernel and size"), std::string::npos);
}

// A best-of that fell 12% because of one lucky earlier trial, while the trials overlap: the
// median of the trials did not move beyond the noise, so the gate does not fail.
TEST(RegressionGate, ADropInsideTheNoiseIsNotARegression) {
  std::vector<double> lucky = trials(0.110, 0.15, 16);
  lucky[0] = 0.085;  // the earlier run's best trial
  const EntryHistory history =
      history_of({history_run("2026-12-01", {gemm(2048, lucky)}),
                  history_run("2026-12-02", {gemm(2048, trials(0.110, 0.15, 16))})});
  EXPECT_TRUE(find_regressions(history, 0.10).empty());
}

TEST(RegressionGate, WithoutTrialsTheFractionDecidesAndSaysSo) {
  HistoryRun before = history_run("2026-12-01", {gemm(2048, trials(0.100, 0.01))});
  HistoryRun after = history_run("2026-12-02", {gemm(2048, trials(0.130, 0.01))});
  before.profile = nullptr;  // the predecessor's files: figures only
  after.profile = nullptr;
  const std::vector<Regression> regressions = find_regressions(history_of({before, after}), 0.10);
  ASSERT_EQ(regressions.size(), 1u);
  EXPECT_FALSE(regressions[0].test);
  EXPECT_NE(describe(regressions[0]).find("not tested"), std::string::npos);
}

// ---- quality --------------------------------------------------------------------------------

Json conditions(double other, double steal, double drift) {
  return Json::object(
      {{"host_name", "bench-1"},
       {"virtual_machine", true},
       {"other_cpu_share", Json::object({{"before", 0.0}, {"during", other}, {"max_call", other}})},
       {"steal_share", Json::object({{"during", steal}, {"max_call", steal}})},
       {"reference", Json::object({{"kernel", "cpu_fma_fp32_avx512"},
                                   {"gflops", Json::array({400.0, 400.0, 400.0 * (1 - drift)})},
                                   {"drift", drift}})}});
}

TEST(Quality, AQuietRunIsNotNoisy) {
  CalibrationProfile profile = profile_of({gemm(2048, trials(0.1, 0.01))});
  profile.extra = Json::object({{"conditions", conditions(0.02, 0.0, 0.01)}});
  const ProfileQuality quality = assess_profile(profile);
  EXPECT_FALSE(quality.noisy());
  EXPECT_EQ(quality.passed, 1u);
  EXPECT_EQ(quality.conditions.host_name.value_or(""), "bench-1");
  EXPECT_NE(quality_line(quality).find("other processes 2% of the CPUs"), std::string::npos);
}

TEST(Quality, BusyStolenOrDriftingRunsAreNoisyAndSayWhy) {
  CalibrationProfile profile = profile_of({gemm(2048, trials(0.1, 0.01))});
  profile.extra = Json::object({{"conditions", conditions(0.45, 0.08, 0.12)}});
  const ProfileQuality quality = assess_profile(profile);
  ASSERT_TRUE(quality.noisy());
  ASSERT_EQ(quality.problems.size(), 3u);
  EXPECT_NE(quality.problems[0].find("other processes used 45% of the CPUs"), std::string::npos);
  EXPECT_NE(quality.problems[1].find("stole 8%"), std::string::npos);
  EXPECT_NE(quality.problems[2].find("moved by 12.0%"), std::string::npos);
  EXPECT_TRUE(quality_to_json(quality)["noisy"].get<bool>());
}

TEST(Quality, RecordCaveatsNameTrialsSizeSpreadAndNeighbours) {
  MeasurementRecord r = gemm(1024, {0.01, 0.02});
  r.shape.extra = Json::object({{"planned_n", 2048}});
  r.extra = Json::object({{"conditions", Json::object({{"other_cpu_share", 0.5}})}});
  const RecordQuality quality = record_quality(r, profile_of({}));
  EXPECT_EQ(quality.trials, 2u);
  EXPECT_TRUE(quality.below_min_trials);
  EXPECT_EQ(quality.caveats, (std::vector<std::string>{"2 of 5 trials", "n shrunk from 2048",
                                                       "cv 47%", "others busy 50%"}));
}

// The memory reference (the plan's DRAM triad at the start, middle and end) catches what the
// FMA loop cannot: another tenant saturating the memory while the cores stay free.
TEST(Quality, AMemoryReferenceThatMovedMakesTheRunNoisy) {
  CalibrationProfile profile = profile_of({gemm(2048, trials(0.1, 0.01))});
  Json c = conditions(0.0, 0.0, 0.01);
  c["reference"]["memory"] = Json::object({{"kernel", "cpu_stream_triad"},
                                           {"array_bytes", 1 << 30},
                                           {"gbps", Json::array({60.0, 45.0, 59.0})},
                                           {"drift", 0.25}});
  profile.extra = Json::object({{"conditions", c}});
  ProfileQuality quality = assess_profile(profile);
  ASSERT_TRUE(quality.noisy());
  ASSERT_EQ(quality.problems.size(), 1u);
  EXPECT_NE(quality.problems[0].find("memory reference cpu_stream_triad moved by 25.0%"),
            std::string::npos);
  EXPECT_EQ(*quality.conditions.memory_reference, 59.0);  // the median of the three points
  EXPECT_NE(quality_line(quality).find(", memory 25.0%"), std::string::npos);
  EXPECT_DOUBLE_EQ(quality_to_json(quality)["memory_drift"].get<double>(), 0.25);

  // Within the limit (10%): not noisy.
  profile.extra["conditions"]["reference"]["memory"]["drift"] = 0.08;
  EXPECT_FALSE(assess_profile(profile).noisy());
}

// Run to run: the references of the previous run on the same host say whether the machine moved
// between two runs, and by how much; a change within the limits earns no warning.
TEST(Quality, ReferenceChangeAgainstThePreviousRun) {
  auto with_reference = [](double gflops, double gbps) {
    CalibrationProfile profile = profile_of({gemm(2048, trials(0.1, 0.01))});
    Json c = conditions(0.0, 0.0, 0.0);
    c["reference"]["gflops"] = Json::array({gflops, gflops, gflops});
    c["reference"]["memory"] = Json::object(
        {{"kernel", "cpu_stream_triad"}, {"gbps", Json::array({gbps, gbps})}, {"drift", 0.0}});
    profile.extra = Json::object({{"conditions", c}});
    return profile;
  };
  CalibrationProfile before = with_reference(400, 70);
  before.started_at = "2026-12-02T14:41:54Z";
  const Json change = reference_change(with_reference(396, 50.4), before, "a.json");
  EXPECT_DOUBLE_EQ(change["compute_change"].get<double>(), -0.01);
  EXPECT_DOUBLE_EQ(change["memory_change"].get<double>(), -0.28);
  EXPECT_EQ(change["profile"], "a.json");
  const std::vector<std::string> warnings = reference_change_warnings(change);
  ASSERT_EQ(warnings.size(), 1u);  // compute moved 1%: within 5%
  EXPECT_NE(warnings[0].find("memory reference (DRAM triad) reads 28% below the previous run's on "
                             "this host (a.json, 2026-12-02T14:41:54Z)"),
            std::string::npos)
      << warnings[0];

  EXPECT_TRUE(
      reference_change_warnings(reference_change(with_reference(404, 72), before, "a")).empty());
  // A run without references compares with nothing.
  EXPECT_TRUE(reference_change(profile_of({}), before, "a.json").is_null());
}

// Profiles from before calibrate recorded its conditions are judged on their spread only.
TEST(Quality, OldProfilesWithoutConditionsAreJudgedOnSpread) {
  const ProfileQuality quiet = assess_profile(profile_of({gemm(2048, trials(0.1, 0.01))}));
  EXPECT_FALSE(quiet.noisy());
  EXPECT_FALSE(quiet.conditions.other_cpu_share);
  const ProfileQuality spread = assess_profile(profile_of({gemm(2048, trials(0.1, 0.3))}));
  EXPECT_TRUE(spread.noisy());
}

}  // namespace
}  // namespace hwcal
