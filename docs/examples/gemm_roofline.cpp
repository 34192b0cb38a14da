// docs/mappers.md's example: how long a 4096 x 4096 x 4096 GEMM takes on a Jetson Orin Nano GPU
// in two power modes, in fp32 and fp16, estimated twice: from the generated constexpr model
// (the compiler computes those estimates) and from the model built at run time from the database
// entry. The document shows this program's output; a test fails when the two differ.
//
// usage: gemm_roofline [DATABASE]   (default: the checkout's hardware_database)
#include <array>
#include <cstdio>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/entry_model.hpp"
#include "hwcal/mappers/jetson_orin_nano_gpu.hpp"
#include "hwcal/model/resource_model.hpp"
#include "hwcal/model/roofline.hpp"

namespace {

using hwcal::Precision;
using hwcal::Roof;

constexpr double kSize = 4096;  // M = N = K

// C = A x B reads A and B and writes C once (the least traffic; caches and tiling decide how
// close a real kernel gets).
constexpr double gemm_flops() { return 2 * kSize * kSize * kSize; }
constexpr double gemm_bytes(Precision precision) {
  const double element_bytes = precision == Precision::fp16 ? 2 : 4;
  return 3 * kSize * kSize * element_bytes;
}

struct Case {
  std::string_view mode;
  Precision precision;
  Roof roof;
};

constexpr std::array<Case, 8> kCases = {{
    {"25W", Precision::fp32, Roof::theoretical},
    {"25W", Precision::fp32, Roof::calibrated},
    {"25W", Precision::fp16, Roof::theoretical},
    {"25W", Precision::fp16, Roof::calibrated},
    {"MAXN_SUPER", Precision::fp32, Roof::theoretical},
    {"MAXN_SUPER", Precision::fp32, Roof::calibrated},
    {"MAXN_SUPER", Precision::fp16, Roof::theoretical},
    {"MAXN_SUPER", Precision::fp16, Roof::calibrated},
}};

using Estimates = std::array<hwcal::RooflineEstimate, kCases.size()>;

constexpr Estimates estimate_all(const hwcal::ResourceModel& model) {
  Estimates estimates{};
  for (std::size_t i = 0; i < kCases.size(); ++i) {
    const Case& item = kCases[i];
    estimates[i] = hwcal::estimate(model, gemm_flops(), gemm_bytes(item.precision), item.precision,
                                   item.mode, item.roof);
  }
  return estimates;
}

// The generated model is a constant: these estimates are made by the compiler.
constexpr const hwcal::ResourceModel& kOrinNano = hwcal::mappers::jetson_orin_nano_gpu::kModel;
constexpr hwcal::RooflineEstimate kFp32At25W =
    hwcal::estimate(kOrinNano, gemm_flops(), gemm_bytes(Precision::fp32), Precision::fp32, "25W");
static_assert(kFp32At25W.bound == hwcal::Bound::compute, "far right of the ridge point");
constexpr Estimates kCompileTime = estimate_all(kOrinNano);

void print_table(const Estimates& estimates) {
  fmt::print("  {:<11} {:<9} {:<12} {:>11} {:>9} {:>11} {:>9}  {}\n", "mode", "precision", "roof",
             "GFLOPS", "GB/s", "ridge F/B", "time ms", "bound");
  for (std::size_t i = 0; i < kCases.size(); ++i) {
    const hwcal::RooflineEstimate& estimate = estimates[i];
    std::string roof(hwcal::to_string(kCases[i].roof));
    if (kCases[i].roof == Roof::calibrated && !estimate.compute_calibrated) roof += "*";
    fmt::print("  {:<11} {:<9} {:<12} {:>11.1f} {:>9.1f} {:>11.1f} {:>9.2f}  {}\n", kCases[i].mode,
               hwcal::to_string(kCases[i].precision), roof, estimate.peak_gflops,
               estimate.bandwidth_gbps, estimate.ridge_flops_per_byte, estimate.seconds * 1e3,
               hwcal::to_string(estimate.bound));
  }
}

bool same(const Estimates& a, const Estimates& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].seconds != b[i].seconds || a[i].bound != b[i].bound ||
        a[i].peak_gflops != b[i].peak_gflops || a[i].bandwidth_gbps != b[i].bandwidth_gbps) {
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::filesystem::path root =
        argc > 1 ? std::filesystem::path(argv[1]) : hwcal::find_default_database().root;
    const hwcal::Database database = hwcal::Database::load(root);
    const hwcal::ResourceModelStorage storage =
        hwcal::build_resource_model(database.get("jetson_orin_nano_gpu").spec);
    const Estimates run_time = estimate_all(storage.model());

    fmt::print(
        "GEMM {0:.0f} x {0:.0f} x {0:.0f} on {1}: {2:.1f} GFLOP; {3:.1f} MB (fp32) or "
        "{4:.1f} MB (fp16) moved\n\n",
        kSize, kOrinNano.model, gemm_flops() / 1e9, gemm_bytes(Precision::fp32) / 1e6,
        gemm_bytes(Precision::fp16) / 1e6);
    fmt::print(
        "At compile time, from the generated header hwcal/mappers/jetson_orin_nano_gpu.hpp:\n");
    print_table(kCompileTime);
    fmt::print(
        "\nAt run time, from build_resource_model(database.get(\"jetson_orin_nano_gpu\").spec):\n");
    print_table(run_time);
    fmt::print("\n* not calibrated: efficiency 1, so the calibrated roof is the theoretical one\n");
    fmt::print("compile-time and run-time estimates agree: {}\n",
               same(kCompileTime, run_time) ? "yes" : "NO");
    return same(kCompileTime, run_time) ? 0 : 1;
  } catch (const hwcal::Error& error) {
    std::fprintf(stderr, "gemm_roofline: %s\n", error.what());
    return 1;
  }
}
