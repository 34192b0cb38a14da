// Statistics of timing samples: min, median, mean, max, standard deviation and coefficient of
// variation of one kernel's trials, the median used to aggregate several runs, and the
// Mann-Whitney U test that `summarize_database --compare` applies to two runs' samples (as
// google/benchmark's compare.py does). Pure functions, no I/O.
#pragma once

#include <cstddef>
#include <vector>

namespace hwcal {

struct SampleStats {
  double min = 0;
  double median = 0;
  double mean = 0;
  double max = 0;
  double stddev = 0;  // sample standard deviation (n - 1); 0 for a single sample
  double cv = 0;      // stddev / mean; 0 when the mean is 0
};

// Statistics of `samples`; std::invalid_argument when empty or when a sample is not finite.
SampleStats compute_stats(const std::vector<double>& samples);

// The middle value, or the mean of the two middle values; std::invalid_argument when empty.
double median(std::vector<double> values);

struct MannWhitneyResult {
  double u = 0;        // U of the first sample: pairs (a, b) with a > b, ties counting 1/2
  double p_value = 1;  // two-sided
  std::size_t count_a = 0;
  std::size_t count_b = 0;
  bool exact = false;  // from U's exact distribution, not the normal approximation
};

// Samples up to this size on both sides, without ties, get the exact p-value (automatic; exact
// with ties falls back to the asymptotic method as well).
inline constexpr std::size_t kMaxExactSamples = 50;

// Two-sided Mann-Whitney U test. Without ties and with at most kMaxExactSamples on each side the
// p-value is exact (scipy.stats.mannwhitneyu's method="exact"); otherwise the normal
// approximation with tie and continuity correction (its "asymptotic" method, which
// google/benchmark's compare.py relies on). std::invalid_argument when either sample is empty.
// Where every value is tied the p-value is 1.
enum class MannWhitneyMethod { automatic, exact, asymptotic };
MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                                 MannWhitneyMethod method = MannWhitneyMethod::automatic);

// The exact two-sided p-value of U for samples of m and n values without ties:
// 2 min(P(U <= u), P(U >= u)), at most 1.
double mann_whitney_exact_p(double u, std::size_t m, std::size_t n);

// google/benchmark's compare.py asks for at least this many samples on each side before it
// trusts the U test; fewer still give a p-value, reported as weak.
inline constexpr std::size_t kMinSamplesForUTest = 9;

}  // namespace hwcal
