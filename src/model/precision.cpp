#include "hwcal/model/precision.hpp"

#include "base/enum_table.hpp"

namespace hwcal {

namespace {

constexpr EnumTable<Precision, 13> kPrecisionNames({"fp64", "fp32", "tf32", "fp16", "bf16",
                                                    "fp8_e4m3", "fp8_e5m2", "fp4", "int64", "int32",
                                                    "int16", "int8", "int4"});

}  // namespace

std::string_view to_string(Precision precision) { return kPrecisionNames.name(precision); }

std::optional<Precision> parse_precision(std::string_view name) {
  return kPrecisionNames.parse(name);
}

std::string precision_names() { return kPrecisionNames.alternatives(", "); }

bool is_integer(Precision precision) {
  switch (precision) {
    case Precision::int64:
    case Precision::int32:
    case Precision::int16:
    case Precision::int8:
    case Precision::int4: return true;
    default: return false;
  }
}

std::string_view throughput_unit(Precision precision) {
  return is_integer(precision) ? "GIOPS" : "GFLOPS";
}

}  // namespace hwcal
