// calibrate against plain programs, side by side in one run (issue 5's performance targets):
//   - SGEMM and DGEMM at n=4096: calibrate's best against cblas_sgemm / cblas_dgemm called
//     directly from this process with the same threads (target: at least 0.97x);
//   - DRAM STREAM triad: calibrate's against a reference STREAM triad (OpenMP, -O3
//     -march=native, first touch in parallel, best of 10, the same array size, threads and
//     huge pages; target: at least 0.95x), and the reference's figure with 4 KiB pages;
//   - every FMA kernel (fp64, fp32, bf16 and int8 dot products): against cores x vector lanes x
//     FMA units x 2 x ops per lane x the clock calibrate measured inside that kernel's own trial
//     window under the same vector load (target: at least 0.95x);
//   - the GEMM roof of each precision and the kernel (library) that set it, oneDNN's fp32 matmul
//     beside OpenBLAS's;
//   - x86: the AMX tile kernels against cores x 1024 bf16 flops or 2048 int8 operations per cycle
//     (one TDPBF16PS / TDPBSSD every 16 cycles on the core's one TMUL, Intel's optimization
//     manual) and the AVX512-FP16 kernel against cores x FMA units x 32 lanes x 2, each at the
//     clock measured under AVX-512 load (target: at least 0.90x); "not offered by this CPU"
//     where the CPU lacks the feature;
//   - with --spread: each peak's spread over three runs of the standard plan (aim: 5% or less).
// The references run before and after calibrate; the better of the two counts, so noise from a
// shared machine makes the ratios conservative rather than flattering.
//
// usage: bench_calibrate [--spread]
#include <cblas.h>
#include <omp.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "base/fill.hpp"
#include "bench_common.hpp"
#include "detect/clock.hpp"
#include "detect/cpu_features.hpp"
#include "detect/detect.hpp"
#include "detect/microarch.hpp"
#include "hwcal/json/json_io.hpp"
#include "profile/profile.hpp"
#include "summary/summary.hpp"

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double direct_gemm_gflops(bool fp64, int n, int threads) {
  openblas_set_num_threads(threads);
  const std::size_t count = static_cast<std::size_t>(n) * n;
  double best = 1e30;
  auto time = [&](auto run) {
    run();  // warm-up
    for (int i = 0; i < 5; ++i) {
      auto start = Clock::now();
      run();
      best = std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
    }
  };
  if (fp64) {
    std::vector<double> a(count), b(count), c(count);
    for (std::size_t i = 0; i < count; ++i) {
      a[i] = hwcal::random_unit(1, i);
      b[i] = hwcal::random_unit(2, i);
    }
    time([&] {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0, a.data(), n, b.data(), n,
                  0.0, c.data(), n);
    });
  } else {
    std::vector<float> a(count), b(count), c(count);
    for (std::size_t i = 0; i < count; ++i) {
      a[i] = static_cast<float>(hwcal::random_unit(1, i));
      b[i] = static_cast<float>(hwcal::random_unit(2, i));
    }
    time([&] {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a.data(), n, b.data(),
                  n, 0.0f, c.data(), n);
    });
  }
  return 2.0 * n * static_cast<double>(n) * n / best / 1e9;
}

// McCalpin's triad as stream.c writes it: a = b + q c, static OpenMP schedule, first touch by
// the same schedule, 3 arrays counted. `huge_pages` asks for transparent huge pages as
// calibrate's STREAM does (the same conditions); without it, the pages stream.c gets where THP is
// "madvise" only.
double reference_triad_gbps(long long array_bytes, int threads, bool huge_pages) {
  const long long n = array_bytes / 8;
  const std::size_t align = huge_pages ? (2u << 20) : 4096;
  const std::size_t bytes = (static_cast<std::size_t>(n) * 8 + align - 1) / align * align;
  auto allocate = [&] {
    void* memory = std::aligned_alloc(align, bytes);
    if (memory == nullptr) std::abort();
    if (huge_pages) madvise(memory, bytes, MADV_HUGEPAGE);
    return static_cast<double*>(memory);
  };
  double* a = allocate();
  double* b = allocate();
  double* c = allocate();
  omp_set_num_threads(threads);
#pragma omp parallel for schedule(static)
  for (long long i = 0; i < n; ++i) {
    a[i] = 1.0;
    b[i] = 2.0 + hwcal::random_unit(3, static_cast<std::uint64_t>(i));
    c[i] = 0.5;
  }
  const double q = 3.0;
  double best = 1e30;
  for (int trial = 0; trial < 11; ++trial) {
    auto start = Clock::now();
#pragma omp parallel for schedule(static)
    for (long long i = 0; i < n; ++i) a[i] = b[i] + q * c[i];
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (trial > 0) best = std::min(best, seconds);  // the first pass is the warm-up
  }
  if (!std::isfinite(a[n / 2])) std::abort();
  std::free(a);
  std::free(b);
  std::free(c);
  return 3.0 * static_cast<double>(n * 8) / best / 1e9;
}

hwcal::CalibrationProfile run_calibrate(const std::vector<std::string>& extra, const fs::path& out,
                                        double* seconds) {
  std::vector<std::string> args = {"--quiet", "--output", out.string()};
  args.insert(args.end(), extra.begin(), extra.end());
  auto start = Clock::now();
  int code = hwcal::bench::run_quietly(HWCAL_CALIBRATE, args);
  if (seconds) *seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (code != 0) {
    fmt::print(stderr, "calibrate exited with {}\n", code);
    std::exit(1);
  }
  return hwcal::profile_from_json(hwcal::load_json_file(out), out.string());
}

const hwcal::MeasurementRecord* find(const hwcal::CalibrationProfile& profile,
                                     const std::string& kernel, long long n = 0) {
  const hwcal::MeasurementRecord* best = nullptr;
  for (const hwcal::MeasurementRecord& record : profile.measurements) {
    if (record.kernel != kernel || record.status != hwcal::MeasurementStatus::passed) continue;
    if (n != 0 && record.shape.n != n) continue;
    if (record.residency && record.residency != hwcal::Residency::dram) continue;
    best = &record;
  }
  return best;
}

void row(const std::string& what, double measured, double reference, double target,
         const std::string& unit) {
  double ratio = reference > 0 ? measured / reference : 0;
  fmt::print("  {:<34} {:>9.1f} {:>9.1f} {:<7} {:>6.3f}x  target >= {:.2f}x  {}\n", what, measured,
             reference, unit, ratio, target, ratio >= target ? "PASS" : "MISS");
}

// A matrix-unit or half-precision kernel against its formula (target 0.90x): the ratio where
// it ran, else why not (the CPU lacks the feature, or calibrate's message: no permission for the
// tile data, a compiler without the ISA).
void matrix_row(const hwcal::CalibrationProfile& profile, const std::string& what,
                const std::string& kernel, bool offered, double reference,
                const std::string& unit) {
  if (!offered) {
    fmt::print("  {:<34} not offered by this CPU\n", what);
    return;
  }
  if (const hwcal::MeasurementRecord* record = find(profile, kernel)) {
    if (reference > 0) {
      row(what, record->gflops->best, reference, 0.90, unit);
    } else {
      fmt::print("  {:<34} {:>9.1f} {:>9} {:<7} no formula: no core design or clock\n", what,
                 record->gflops->best, "-", unit);
    }
    return;
  }
  std::string why = "no measurement";
  for (const hwcal::MeasurementRecord& record : profile.measurements) {
    if (record.kernel == kernel) {
      why = fmt::format("{}: {}", to_string(record.status), record.message);
    }
  }
  fmt::print("  {:<34} did not run: {}  MISS\n", what, why);
}

}  // namespace

int main(int argc, char** argv) {
  const bool spread = argc > 1 && std::string(argv[1]) == "--spread";
  hwcal::bench::TempFolder temp;
  hwcal::SystemInfo system = hwcal::detect_system(hwcal::detect_options_for("/"));
  const int threads = static_cast<int>(
      system.cpu.one_cpu_per_core.empty() ? 1 : system.cpu.one_cpu_per_core.size());
  const hwcal::CpuFeatures features = hwcal::host_cpu_features();
  const std::string isa = features.avx512f ? "avx512" : features.fma ? "avx2" : "neon";

  fmt::print("bench_calibrate: {} ({}), {} threads, {}\n", system.cpu.model.value_or("?"),
             system.cpu.microarchitecture.value_or("?"), threads,
             std::getenv("OPENBLAS_CORETYPE")
                 ? fmt::format("OPENBLAS_CORETYPE={}", std::getenv("OPENBLAS_CORETYPE"))
                 : "OPENBLAS_CORETYPE unset");

  double sgemm_before = direct_gemm_gflops(false, 4096, threads);
  double dgemm_before = direct_gemm_gflops(true, 4096, threads);
  double calibrate_s = 0;
  // x86: the matrix-unit and fp16 kernels too (recorded as unsupported where they cannot run).
  const bool x86 = isa != "neon";
  const std::string matrix_kernels =
      x86 ? ",cpu_fma_bf16_amx,cpu_fma_int8_amx,cpu_fma_fp16_avx512fp16" : "";
  hwcal::CalibrationProfile profile =
      run_calibrate({"--plan", "standard", "--kernels",
                     fmt::format("cpu_gemm_fp32_openblas,cpu_gemm_fp64_openblas,"
                                 "cpu_gemm_fp32_onednn,cpu_stream_triad,cpu_fma_fp64_{},"
                                 "cpu_fma_fp32_{}{}{}",
                                 isa, isa,
                                 x86 ? ",cpu_fma_fp64_avx2,cpu_fma_fp32_avx2,"
                                       "cpu_fma_bf16_avx512bf16,"
                                       "cpu_fma_int8_avx512vnni,cpu_fma_int8_avxvnni"
                                     : "",
                                 matrix_kernels),
                     "--time-budget", "120"},
                    temp.path() / "run.json", &calibrate_s);
  const hwcal::MeasurementRecord* triad = find(profile, "cpu_stream_triad");
  const long long triad_bytes = triad ? *triad->shape.array_bytes : (1LL << 30);
  double triad_reference = reference_triad_gbps(triad_bytes, threads, true);
  const double triad_small_pages = reference_triad_gbps(triad_bytes, threads, false);
  double sgemm_after = direct_gemm_gflops(false, 4096, threads);
  double dgemm_after = direct_gemm_gflops(true, 4096, threads);
  triad_reference = std::max(triad_reference, reference_triad_gbps(triad_bytes, threads, true));

  fmt::print("calibrate --plan standard ({} kernels) took {:.1f} s\n", profile.measurements.size(),
             calibrate_s);
  fmt::print("  {:<34} {:>9} {:>9} {:<7} {:>7}\n", "", "calibrate", "reference", "unit", "ratio");
  const hwcal::MeasurementRecord* sgemm = find(profile, "cpu_gemm_fp32_openblas", 4096);
  const hwcal::MeasurementRecord* dgemm = find(profile, "cpu_gemm_fp64_openblas", 4096);
  row("SGEMM n=4096 vs direct cblas_sgemm", sgemm ? sgemm->gflops->best : 0,
      std::max(sgemm_before, sgemm_after), 0.97, "GFLOPS");
  row("DGEMM n=4096 vs direct cblas_dgemm", dgemm ? dgemm->gflops->best : 0,
      std::max(dgemm_before, dgemm_after), 0.97, "GFLOPS");
  row(fmt::format("triad {} MiB vs reference STREAM", triad_bytes >> 20),
      triad ? triad->gbps->best : 0, triad_reference, 0.95, "GB/s");
  fmt::print(
      "  (reference STREAM with huge pages, as calibrate allocates; with 4 KiB pages it "
      "gets {:.1f} GB/s)\n",
      triad_small_pages);

  // Every FMA kernel against the formula at the clock measured inside its own trial window
  // (the record's clock_mhz: between the timed trials, under the kernel's vector load):
  // cores x fp64 lanes of the pipe x FMA units x 2 x (ops per fp64 lane of the instruction).
  auto design =
      hwcal::x86_core_design(system.cpu.vendor_id.value_or(""), system.cpu.family.value_or(0),
                             system.cpu.model_number.value_or(0));
  if (!design && system.cpu.model.known()) design = hwcal::arm_core_design(*system.cpu.model);
  auto clock = profile.host.clocks_mhz.find("measured_" + isa);
  if (design) {
    fmt::print(
        "  FMA formula: threads x min({} bit pipe, ISA width)/64 x {} FMA units x 2 x "
        "(1 fp64, 2 fp32, 4 bf16 dot, 8 int8 dot) x the clock in the kernel's window ({})\n",
        design->fma_width_bits, design->fma_units, design->name);
    for (const hwcal::MeasurementRecord& record : profile.measurements) {
      if (hwcal::kernel_class_of(record) != hwcal::KernelClass::peak_fma ||
          record.status != hwcal::MeasurementStatus::passed || !record.gflops ||
          !record.precision || record.kernel.find("amx") != std::string::npos ||
          record.kernel.find("fp16") != std::string::npos) {
        continue;
      }
      const int isa_bits = record.kernel.find("avx512") != std::string::npos ? 512
                           : record.kernel.find("avx") != std::string::npos  ? 256
                                                                             : 128;
      const double pipe_lanes64 = std::min(design->fma_width_bits, isa_bits) / 64.0;
      const hwcal::Precision p = *record.precision;
      const double per_lane = p == hwcal::Precision::fp64   ? 1
                              : p == hwcal::Precision::fp32 ? 2
                              : p == hwcal::Precision::bf16 ? 4
                                                            : 8;
      const bool windowed = record.extra.contains("clock_mhz");
      const double mhz = windowed ? record.extra["clock_mhz"]["median"].get<double>()
                         : clock != profile.host.clocks_mhz.end() ? clock->second
                                                                  : 0;
      const double formula = static_cast<double>(record.threads.value_or(threads)) * pipe_lanes64 *
                             design->fma_units * 2 * per_lane * mhz / 1000.0;
      row(fmt::format("{} vs formula ({:.0f} MHz{})", record.kernel, mhz,
                      windowed ? "" : ", before the run"),
          record.gflops->best, formula, 0.95, std::string(hwcal::throughput_unit(p)));
    }
  } else {
    fmt::print("  FMA formula: no core design for this CPU\n");
  }
  // The fp32 GEMM roof: the best library this machine has, as the summary takes it.
  const hwcal::RunPeaks roofs = hwcal::run_peaks(profile);
  for (const auto& [precision, index] : roofs.measured_record) {
    fmt::print("  {} GEMM roof: {:.1f} {} from {}\n", hwcal::to_string(precision),
               roofs.measured.at(precision), hwcal::throughput_unit(precision),
               profile.measurements[index].kernel);
  }
  if (x86) {
    const bool clocked = clock != profile.host.clocks_mhz.end();
    const double ghz = clocked ? clock->second / 1000.0 : 0;
    // 32 fp16 lanes in a 512-bit pipe, 16 in a 256-bit one.
    const double fp16_peak = design ? threads * (std::min(design->fma_width_bits, 512) / 16.0) *
                                          design->fma_units * 2 * ghz
                                    : 0;
    matrix_row(profile, "FMA fp16 (AVX512-FP16) vs formula", "cpu_fma_fp16_avx512fp16",
               features.avx512_fp16, fp16_peak, "GFLOPS");
    // One TMUL per core (Intel 64 and IA-32 Architectures Optimization Reference Manual, AMX
    // chapter): a 16x16x32 bf16 product (16384 flops) or a 16x16x64 int8 one (32768 operations)
    // every 16 cycles. The clock is the one measured under AVX-512 load: where the TMUL runs at a
    // lower licence clock, a MISS here says so.
    if (clocked && (features.amx_bf16 || features.amx_int8)) {
      fmt::print(
          "  AMX formula: {} cores x 1024 bf16 flops (2048 int8 ops) per cycle x {:.0f} MHz\n",
          threads, clock->second);
    }
    matrix_row(profile, "AMX bf16 vs formula", "cpu_fma_bf16_amx", features.amx_bf16,
               threads * 1024 * ghz, "GFLOPS");
    matrix_row(profile, "AMX int8 vs formula", "cpu_fma_int8_amx", features.amx_int8,
               threads * 2048 * ghz, "GIOPS");
  }
  for (const std::string& warning : profile.warnings) fmt::print("  warning: {}\n", warning);

  if (spread) {
    // Each peak over three standard runs of every kernel: (max - min) / median.
    std::map<std::string, std::vector<double>> peaks;
    for (int run = 0; run < 3; ++run) {
      double seconds = 0;
      hwcal::CalibrationProfile p = run_calibrate(
          {"--plan", "standard"}, temp.path() / fmt::format("s{}.json", run), &seconds);
      fmt::print("standard plan run {}: {:.1f} s\n", run + 1, seconds);
      std::map<std::string, double> best;
      for (const hwcal::MeasurementRecord& r : p.measurements) {
        if (r.status != hwcal::MeasurementStatus::passed || r.emulated) continue;
        std::string key;
        double value = 0;
        if (r.gflops && r.precision) {
          key = fmt::format("{} {}",
                            hwcal::kernel_class_of(r) == hwcal::KernelClass::gemm ? "gemm" : "fma",
                            hwcal::to_string(*r.precision));
          value = r.gflops->best;
        } else if (r.gbps && r.residency == hwcal::Residency::dram) {
          key = "dram " + r.kernel.substr(4);
          value = r.gbps->best;
        }
        if (!key.empty()) best[key] = std::max(best[key], value);
      }
      for (const auto& [key, value] : best) peaks[key].push_back(value);
    }
    fmt::print("  {:<28} {:>9} {:>9} {:>9} {:>8}\n", "peak (3 standard runs)", "min", "median",
               "max", "spread");
    for (auto& [key, values] : peaks) {
      std::sort(values.begin(), values.end());
      double median = values[values.size() / 2];
      fmt::print("  {:<28} {:>9.1f} {:>9.1f} {:>9.1f} {:>7.1f}%\n", key, values.front(), median,
                 values.back(), (values.back() - values.front()) / median * 100);
    }
  }
  return 0;
}
