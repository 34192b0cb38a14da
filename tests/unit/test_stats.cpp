#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>

#include "base/stats.hpp"

namespace hwcal {
namespace {

TEST(Stats, SummarisesSamples) {
  SampleStats stats = compute_stats({0.4, 0.1, 0.3, 0.2});
  EXPECT_DOUBLE_EQ(stats.min, 0.1);
  EXPECT_DOUBLE_EQ(stats.max, 0.4);
  EXPECT_DOUBLE_EQ(stats.median, 0.25);
  EXPECT_DOUBLE_EQ(stats.mean, 0.25);
  // Sample standard deviation: sqrt((0.0225 + 0.0025 + 0.0025 + 0.0225) / 3).
  EXPECT_NEAR(stats.stddev, 0.129099444873580, 1e-12);
  EXPECT_NEAR(stats.cv, 0.129099444873580 / 0.25, 1e-12);
}

TEST(Stats, OneSampleHasNoSpread) {
  SampleStats stats = compute_stats({2.0});
  EXPECT_DOUBLE_EQ(stats.median, 2.0);
  EXPECT_DOUBLE_EQ(stats.stddev, 0.0);
  EXPECT_DOUBLE_EQ(stats.cv, 0.0);
}

TEST(Stats, RejectsNoSamplesAndNonFiniteOnes) {
  EXPECT_THROW(compute_stats({}), std::invalid_argument);
  EXPECT_THROW(compute_stats({1.0, std::nan("")}), std::invalid_argument);
  EXPECT_THROW(median({}), std::invalid_argument);
}

TEST(Stats, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median({5, 1, 3}), 3);
  EXPECT_DOUBLE_EQ(median({5, 1, 3, 100}), 4);
}

// scipy.stats.mannwhitneyu's documented example, method="asymptotic": U1 = 17, p = 0.11134688.
TEST(Stats, MannWhitneyMatchesScipysAsymptoticExample) {
  MannWhitneyResult result =
      mann_whitney_u({19, 22, 16, 29, 24}, {20, 11, 17, 12}, MannWhitneyMethod::asymptotic);
  EXPECT_DOUBLE_EQ(result.u, 17);
  EXPECT_NEAR(result.p_value, 0.11134688653314041, 1e-9);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(result.count_a, 5u);
  EXPECT_EQ(result.count_b, 4u);
}

// The same example with method="exact" (scipy's documented result, and what small samples
// without ties get by default): 14 of the 126 orderings have U <= 3 or U >= 17, p = 1/9.
TEST(Stats, MannWhitneyMatchesScipysExactExample) {
  MannWhitneyResult result = mann_whitney_u({19, 22, 16, 29, 24}, {20, 11, 17, 12});
  EXPECT_DOUBLE_EQ(result.u, 17);
  EXPECT_TRUE(result.exact);
  EXPECT_NEAR(result.p_value, 0.1111111111111111, 1e-12);
}

// By hand: 3 against 3 with every a above every b is one ordering of C(6, 3) = 20, so each
// tail holds 1/20 and p = 0.1; U = 4 of 9: P(U <= 4) = 10/20, P(U >= 4) = 13/20 (counts
// 1 1 2 3 3 3 3 2 1 1 for U = 0..9).
TEST(Stats, MannWhitneyExactDistributionByHand) {
  EXPECT_NEAR(mann_whitney_exact_p(9, 3, 3), 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_exact_p(0, 3, 3), 0.1, 1e-12);
  EXPECT_NEAR(mann_whitney_exact_p(4, 3, 3), 1.0, 1e-12);  // 2 * min(10/20, 13/20)
  EXPECT_NEAR(mann_whitney_exact_p(2, 3, 3), 2 * 4.0 / 20, 1e-12);
  // Larger samples agree with the normal approximation where it is good.
  std::vector<double> a;
  std::vector<double> b;
  for (int i = 0; i < 40; ++i) {
    a.push_back(i * 1.0 + 0.5 * (i % 3));
    b.push_back(i * 1.0 + 3.25);
  }
  const double exact = mann_whitney_u(a, b).p_value;
  const double asymptotic = mann_whitney_u(a, b, MannWhitneyMethod::asymptotic).p_value;
  EXPECT_NEAR(exact, asymptotic, 0.01);
}

// With ties the variance shrinks. By hand: pooled {1,2,2,3 | 2,3,3,4} ranks a at 1+3+3+6 = 13,
// U_a = 13 - 10 = 3, mean 8; tie groups of 3 and 3 give variance 16/12 * (9 - 48/56) = 10.857;
// z = (5 - 0.5) / sqrt(10.857).
TEST(Stats, MannWhitneyCorrectsForTies) {
  MannWhitneyResult result = mann_whitney_u({1, 2, 2, 3}, {2, 3, 3, 4});
  EXPECT_DOUBLE_EQ(result.u, 3);
  const double variance = 16.0 / 12.0 * (9.0 - 48.0 / 56.0);
  EXPECT_NEAR(result.p_value, std::erfc(4.5 / std::sqrt(variance) / std::sqrt(2.0)), 1e-12);
}

TEST(Stats, MannWhitneySeparatesDisjointSamples) {
  std::vector<double> fast{1.00, 1.01, 1.02, 1.01, 1.00, 1.02, 1.01, 1.00, 1.02, 1.01};
  std::vector<double> slow{1.10, 1.11, 1.12, 1.11, 1.10, 1.12, 1.11, 1.10, 1.12, 1.11};
  EXPECT_LT(mann_whitney_u(fast, slow).p_value, 0.001);
  EXPECT_DOUBLE_EQ(mann_whitney_u(fast, slow).u, 0);
  EXPECT_GT(mann_whitney_u(fast, fast).p_value, 0.9);
}

TEST(Stats, MannWhitneyOfAllTiedValuesFindsNoDifference) {
  EXPECT_DOUBLE_EQ(mann_whitney_u({1, 1, 1}, {1, 1}).p_value, 1.0);
  EXPECT_THROW(mann_whitney_u({}, {1}), std::invalid_argument);
}

}  // namespace
}  // namespace hwcal
