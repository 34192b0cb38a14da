#include <gtest/gtest.h>

#include <array>
#include <limits>

#include "hwcal/base/error.hpp"
#include "hwcal/model/roofline.hpp"

namespace hwcal {
namespace {

// A device with round numbers: fp32 1000 GFLOPS measured at half, fp16 4000 never measured,
// 100 GB/s measured at 80%.
constexpr std::array<PrecisionRate, 2> kRates = {{
    {Precision::fp32, 1000.0, 0.5, true},
    {Precision::fp16, 4000.0, 1.0, false},
}};

constexpr std::array<PowerModeModel, 1> kModes = {[] {
  PowerModeModel mode;
  mode.name = "fast";
  mode.rates = kRates.data();
  mode.rate_count = kRates.size();
  mode.bandwidth_gbps = 100.0;
  mode.bandwidth_efficiency = 0.8;
  mode.bandwidth_calibrated = true;
  return mode;
}()};

constexpr ResourceModel kModel = [] {
  ResourceModel model;
  model.id = "round_numbers";
  model.modes = kModes.data();
  model.mode_count = kModes.size();
  model.default_mode = "fast";
  return model;
}();

// Usable in constant expressions: the generated headers rely on it.
constexpr RooflineEstimate kCompileTime =
    estimate(kModel, 1e12, 1e9, Precision::fp32, "fast", Roof::theoretical);
static_assert(kCompileTime.bound == Bound::compute);
static_assert(kCompileTime.seconds == 1.0);
static_assert(
    roof_limits(kModel, Precision::fp16, "fast", Roof::theoretical).ridge_flops_per_byte() == 40.0);

TEST(Roofline, ComputeBoundWorkTakesFlopsOverThePeak) {
  RooflineEstimate result = estimate(kModel, 2e12, 1e9, Precision::fp32, "fast", Roof::theoretical);
  EXPECT_EQ(result.bound, Bound::compute);
  EXPECT_DOUBLE_EQ(result.compute_seconds, 2.0);
  EXPECT_DOUBLE_EQ(result.memory_seconds, 0.01);
  EXPECT_DOUBLE_EQ(result.seconds, 2.0);
  EXPECT_EQ(result.peak_gflops, 1000.0);
  EXPECT_EQ(result.bandwidth_gbps, 100.0);
  EXPECT_DOUBLE_EQ(result.ridge_flops_per_byte, 10.0);
  EXPECT_FALSE(result.compute_calibrated);  // the theoretical roof applies no efficiency
}

TEST(Roofline, MemoryBoundWorkTakesBytesOverTheBandwidth) {
  // A STREAM triad: 2 flops per 24 bytes, far left of the ridge.
  RooflineEstimate result = estimate(kModel, 2e9, 24e9, Precision::fp32, "fast", Roof::theoretical);
  EXPECT_EQ(result.bound, Bound::memory);
  EXPECT_DOUBLE_EQ(result.seconds, 0.24);
  EXPECT_EQ(to_string(result.bound), "memory");
}

TEST(Roofline, TheCalibratedRoofAppliesMeasuredEfficiencies) {
  RooflineEstimate result = estimate(kModel, 1e12, 0, Precision::fp32, "fast");
  EXPECT_EQ(result.peak_gflops, 500.0);
  EXPECT_EQ(result.bandwidth_gbps, 80.0);
  EXPECT_DOUBLE_EQ(result.seconds, 2.0);
  EXPECT_TRUE(result.compute_calibrated);
  EXPECT_TRUE(result.bandwidth_calibrated);
  // fp16 was never measured: its calibrated roof is the theoretical one, and says so.
  RooflineEstimate fp16 = estimate(kModel, 4e12, 0, Precision::fp16, "fast");
  EXPECT_EQ(fp16.peak_gflops, 4000.0);
  EXPECT_FALSE(fp16.compute_calibrated);
}

TEST(Roofline, AttainableRateFollowsBothRoofs) {
  RoofLimits limits = roof_limits(kModel, Precision::fp32, "fast", Roof::theoretical);
  EXPECT_DOUBLE_EQ(limits.ridge_flops_per_byte(), 10.0);
  EXPECT_DOUBLE_EQ(limits.attainable_gflops(1.0), 100.0);  // on the memory roof
  EXPECT_DOUBLE_EQ(limits.attainable_gflops(10.0), 1000.0);
  EXPECT_DOUBLE_EQ(limits.attainable_gflops(1000.0), 1000.0);  // on the compute roof
}

TEST(Roofline, ATieIsComputeBound) {
  RooflineEstimate result =
      estimate(kModel, 1e12, 1e11, Precision::fp32, "fast", Roof::theoretical);
  EXPECT_EQ(result.bound, Bound::compute);
  EXPECT_DOUBLE_EQ(result.seconds, 1.0);
}

TEST(Roofline, UnknownModeAndMissingPrecisionNameWhatExists) {
  try {
    estimate(kModel, 1, 1, Precision::fp32, "slow");
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(), "round_numbers has no power mode 'slow' (modes: fast)");
  }
  try {
    estimate(kModel, 1, 1, Precision::fp64, "fast");
    FAIL() << "no error";
  } catch (const DataError& error) {
    EXPECT_STREQ(error.what(),
                 "round_numbers has no fp64 rate in power mode fast (it has: fp32, fp16)");
  }
}

TEST(Roofline, NegativeOrNonNumericWorkIsAnError) {
  EXPECT_THROW(estimate(kModel, -1, 0, Precision::fp32, "fast"), DataError);
  EXPECT_THROW(
      estimate(kModel, 0, std::numeric_limits<double>::quiet_NaN(), Precision::fp32, "fast"),
      DataError);
}

TEST(Roofline, RoofNames) {
  EXPECT_EQ(parse_roof("theoretical"), Roof::theoretical);
  EXPECT_EQ(parse_roof("calibrated"), Roof::calibrated);
  EXPECT_EQ(parse_roof("measured"), std::nullopt);
  EXPECT_EQ(to_string(Roof::calibrated), "calibrated");
}

}  // namespace
}  // namespace hwcal
