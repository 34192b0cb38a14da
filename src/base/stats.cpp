#include "base/stats.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace hwcal {

SampleStats compute_stats(const std::vector<double>& samples) {
  if (samples.empty()) throw std::invalid_argument("statistics of no samples");
  for (double sample : samples) {
    if (!std::isfinite(sample)) throw std::invalid_argument("a sample is not a finite number");
  }
  SampleStats stats;
  const auto [low, high] = std::minmax_element(samples.begin(), samples.end());
  stats.min = *low;
  stats.max = *high;
  stats.median = median(samples);
  const double count = static_cast<double>(samples.size());
  stats.mean = std::accumulate(samples.begin(), samples.end(), 0.0) / count;
  if (samples.size() > 1) {
    double squares = 0;
    for (double sample : samples) squares += (sample - stats.mean) * (sample - stats.mean);
    stats.stddev = std::sqrt(squares / (count - 1));
  }
  stats.cv = stats.mean != 0 ? stats.stddev / stats.mean : 0;
  return stats;
}

double median(std::vector<double> values) {
  if (values.empty()) throw std::invalid_argument("median of no values");
  const std::size_t middle = values.size() / 2;
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle),
                   values.end());
  const double upper = values[middle];
  if (values.size() % 2 == 1) return upper;
  const double lower =
      *std::max_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(middle));
  return (lower + upper) / 2;
}

double mann_whitney_exact_p(double u, std::size_t m, std::size_t n) {
  if (m == 0 || n == 0) throw std::invalid_argument("Mann-Whitney U of an empty sample");
  // The number of orderings of m a's and n b's with U = k is the coefficient of q^k in the
  // Gaussian binomial [m + n, m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i), computed as a power
  // series cut at degree m*n (the polynomial's degree, so the cut loses nothing).
  const std::size_t top = m * n;
  std::vector<double> count(top + 1, 0.0);
  count[0] = 1;
  for (std::size_t i = 1; i <= m; ++i) {
    for (std::size_t k = top; k >= n + i && k <= top; --k) count[k] -= count[k - (n + i)];
    for (std::size_t k = i; k <= top; ++k) count[k] += count[k - i];
  }
  double total = 0;
  for (double c : count) total += c;
  // Both tails: P(U <= u) and P(U >= u), the smaller doubled (the distribution is symmetric).
  const auto k = static_cast<std::size_t>(std::llround(std::min(u, static_cast<double>(top))));
  double low = 0;
  for (std::size_t j = 0; j <= k; ++j) low += count[j];
  double high = 0;
  for (std::size_t j = k; j <= top; ++j) high += count[j];
  return std::min(1.0, 2 * std::min(low, high) / total);
}

MannWhitneyResult mann_whitney_u(const std::vector<double>& a, const std::vector<double>& b,
                                 MannWhitneyMethod method) {
  if (a.empty() || b.empty()) throw std::invalid_argument("Mann-Whitney U of an empty sample");
  // Rank the pooled samples; tied values share the mean of their ranks.
  std::vector<std::pair<double, bool>> pooled;  // value, from a
  pooled.reserve(a.size() + b.size());
  for (double value : a) pooled.emplace_back(value, true);
  for (double value : b) pooled.emplace_back(value, false);
  std::sort(pooled.begin(), pooled.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });

  const double n1 = static_cast<double>(a.size());
  const double n2 = static_cast<double>(b.size());
  const double n = n1 + n2;
  double rank_sum_a = 0;
  double tie_term = 0;  // sum of t^3 - t over groups of t tied values
  for (std::size_t i = 0; i < pooled.size();) {
    std::size_t j = i;
    while (j < pooled.size() && pooled[j].first == pooled[i].first) ++j;
    const double tied = static_cast<double>(j - i);
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2;
    for (std::size_t k = i; k < j; ++k) {
      if (pooled[k].second) rank_sum_a += mean_rank;
    }
    tie_term += tied * tied * tied - tied;
    i = j;
  }

  MannWhitneyResult result;
  result.count_a = a.size();
  result.count_b = b.size();
  result.u = rank_sum_a - n1 * (n1 + 1) / 2;
  const bool small = a.size() <= kMaxExactSamples && b.size() <= kMaxExactSamples;
  if (tie_term == 0 && method != MannWhitneyMethod::asymptotic &&
      (small || method == MannWhitneyMethod::exact)) {
    result.p_value = mann_whitney_exact_p(result.u, a.size(), b.size());
    result.exact = true;
    return result;
  }
  const double mean_u = n1 * n2 / 2;
  const double variance = n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1)));
  if (variance <= 0) return result;  // every value tied: no evidence of a difference
  // Continuity correction towards the mean, then both tails.
  const double distance = std::max(std::fabs(result.u - mean_u) - 0.5, 0.0);
  const double z = distance / std::sqrt(variance);
  result.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return result;
}

}  // namespace hwcal
