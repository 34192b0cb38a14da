#include <gtest/gtest.h>

#include "hwcal/model/precision.hpp"

namespace hwcal {
namespace {

TEST(Precision, NamesRoundTripInCanonicalOrder) {
  std::string joined;
  for (Precision precision : kAllPrecisions) {
    auto parsed = parse_precision(to_string(precision));
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, precision);
    joined += std::string(to_string(precision)) + " ";
  }
  EXPECT_EQ(joined, "fp64 fp32 tf32 fp16 bf16 fp8_e4m3 fp8_e5m2 fp4 int64 int32 int16 int8 int4 ");
}

TEST(Precision, RejectsNamesOutsideTheCanonicalList) {
  EXPECT_FALSE(parse_precision("fp8").has_value());  // the predecessor's ambiguous name
  EXPECT_FALSE(parse_precision("FP32").has_value());
  EXPECT_FALSE(parse_precision("").has_value());
}

TEST(Precision, IntegersAreGiops) {
  EXPECT_EQ(throughput_unit(Precision::int8), "GIOPS");
  EXPECT_EQ(throughput_unit(Precision::bf16), "GFLOPS");
  EXPECT_TRUE(is_integer(Precision::int4));
  EXPECT_FALSE(is_integer(Precision::fp4));
}

}  // namespace
}  // namespace hwcal
