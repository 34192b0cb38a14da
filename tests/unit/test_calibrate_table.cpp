#include <gtest/gtest.h>

#include "tools/calibrate.hpp"

namespace hwcal {
namespace {

MeasurementRecord record(const std::string& kernel, KernelClass kind, Precision precision,
                         double best) {
  MeasurementRecord out;
  out.kernel = kernel;
  out.kernel_class = kind;
  out.precision = precision;
  out.status = MeasurementStatus::passed;
  Throughput rate;
  rate.best = best;
  out.gflops = rate;
  return out;
}

std::string line_of(const std::string& table, const std::string& kernel) {
  const std::size_t at = table.find("\n" + kernel + " ");
  if (at == std::string::npos) return "";
  return table.substr(at + 1, table.find('\n', at + 1) - at - 1);
}

CalibrationProfile two_kernels() {
  CalibrationProfile profile;
  profile.power_mode = "default";
  profile.measurements = {
      record("cpu_fma_fp32_avx512", KernelClass::peak_fma, Precision::fp32, 200),
      record("cpu_gemm_fp32_openblas", KernelClass::gemm, Precision::fp32, 150)};
  return profile;
}

TEST(CalibrateTable, WithoutAPeakItComparesWithTheMeasuredCeiling) {
  const std::string table =
      render_measurement_table(two_kernels(), nullptr, PeakReference::ceiling);
  EXPECT_NE(table.find("% ceiling"), std::string::npos) << table;
  EXPECT_NE(line_of(table, "cpu_gemm_fp32_openblas").find("75.0% measured"), std::string::npos)
      << table;
  EXPECT_NE(line_of(table, "cpu_fma_fp32_avx512").find("100.0% measured"), std::string::npos)
      << table;
}

TEST(CalibrateTable, DerivedPeaksNameTheirOrigin) {
  HardwareSpec spec;
  spec.theoretical_peaks[Precision::fp32] = 250;
  PeakDerivation derivation;
  derivation.terms = {DerivationTerm{"core", 2, 125, 1000}};
  derivation.origin = PeakOrigin::cpu_flags;
  spec.peak_derivation[Precision::fp32] = derivation;
  const std::string table = render_measurement_table(two_kernels(), &spec, PeakReference::derived);
  EXPECT_NE(table.find("% derived"), std::string::npos) << table;
  EXPECT_NE(line_of(table, "cpu_gemm_fp32_openblas").find("60.0% cpu_flags"), std::string::npos)
      << table;
}

}  // namespace
}  // namespace hwcal
