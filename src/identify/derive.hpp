// Drafting a database entry from a detected device: identity, compute, caches, power modes, and
// theoretical peaks with the formula of the device kind (CPU: cores × vector lanes × FMA units ×
// 2 × clock, and the matrix units' rates; NVIDIA GPU: SMs × cores per SM × 2 × clock, and the
// tensor-core rates of the architecture), each with its peak_derivation and where it came from
// (PeakOrigin). What detection cannot know (bandwidth without SMBIOS, sources, a product name
// behind a generic string) is listed for a person to fill in, never invented.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detect/detect.hpp"
#include "detect/microarch.hpp"
#include "hwcal/database/spec.hpp"

namespace hwcal {

struct Draft {
  HardwareSpec spec;
  std::vector<std::string> to_fill;  // what a person must still supply or check
  std::vector<std::string> notes;    // how the figures were obtained
};

// A clock measured on `cpus` (all at once) under the widest vector load, in MHz; nullopt with a
// reason when it cannot be measured. add_hardware passes measure_core_clock; tests a fixed value.
using ClockMeasurer =
    std::function<std::optional<double>(const std::vector<int>& cpus, std::string& note)>;

// The fp32 FMA ceiling the FMA units per core of a core missing from the table are inferred from:
// the best rate of the FMA peak kernel of the widest vector ISA (cpu_fma_fp32_avx512, _avx2,
// _neon) on `threads` cores at once, and the clock measured under vector load beside it.
struct FmaCeiling {
  double gflops = 0;     // all threads together
  int threads = 0;       // one per core
  int vector_bits = 0;   // the kernel's vector width: 512, 256 or 128
  double clock_mhz = 0;  // the clock the cores ran at
  std::string kernel;    // "cpu_fma_fp32_avx512"
};
// Measures it on `cpus` (one per core, all at once); nullopt with the reason in `note`.
// add_hardware runs the kernel; calibrate takes its own run's record; tests a fixed value.
using FmaCeilingMeasurer =
    std::function<std::optional<FmaCeiling>(const std::vector<int>& cpus, std::string& note)>;

// round(gflops / (threads × clock_GHz × fp32 lanes × 2)), at least 1.
int infer_fma_units(const FmaCeiling& ceiling);

// What a person gave for the cores (add_hardware --set compute.fma_units_per_core=N,
// compute.fma_width_bits=W, compute.core_types.I.fma_units_per_core=N): it replaces the table's
// or the inferred figure, and the peaks it gives have origin `user`.
struct GivenCoreDesign {
  std::optional<int> fma_units;                  // every core (a CPU of one core type)
  std::optional<int> fma_width_bits;             // the width of one FMA pipe
  std::map<std::string, int> fma_units_by_type;  // a hybrid's core type ("P-core") -> units
  bool empty() const { return !fma_units && !fma_width_bits && fma_units_by_type.empty(); }
};

struct CpuDraftInputs {
  ClockMeasurer clock;             // called only where no maximum clock is readable; empty: never
  FmaCeilingMeasurer fma_ceiling;  // called only for a core the table does not know; empty: never
  GivenCoreDesign given;
};

Draft draft_cpu_entry(const SystemInfo& system, const CpuDraftInputs& inputs);
// The same with only a clock measurer: `measure` is called only where no maximum clock is
// readable (no cpufreq); empty: never.
Draft draft_cpu_entry(const SystemInfo& system, const ClockMeasurer& measure);

// What one core of `design` does per cycle in `precision`, as `cpu`'s flags allow: the best of its
// vector units (NEON or AVX FMA pipes; SVE at the run-time vector length where the design has
// SVE figures; dot-product and matrix-multiply instructions: VDPBF16PS, VNNI, SDOT, SMMLA,
// BFMMLA) and its matrix units (Intel AMX). nullopt when the core cannot do the precision (or
// only with FMA units, and design.fma_units is 0).
struct CoreRate {
  double ops_per_cycle = 0;
  std::string note;            // "Zen 5: 2 x 512-bit FMA x 16 fp32 lanes x 2 (FMA)"
  bool assumed = false;        // rests on an issue assumption a person should check
  bool uses_fma_units = true;  // false for the matrix units (AMX), which need no unit count
  std::string way;             // "4 x 128-bit FMA", "SVE, 2 x 256-bit FMA (...)", "AMX"
};
std::optional<CoreRate> core_ops_per_cycle(const CoreDesign& design, Precision precision,
                                           const CpuDetection& cpu);

// The DRAM bandwidth the SMBIOS memory devices give: populated devices × data width / 8 × MT/s
// (the configured speed where known), assuming one channel per populated device. nullopt with
// why it is unknown ("this is a virtual machine: ...", "SMBIOS is readable only by root: ...").
std::optional<double> smbios_bandwidth_gbps(const SystemInfo& system, std::string& why);
Draft draft_gpu_entry(const SystemInfo& system, const GpuDevice& gpu);

// GPU peaks from the compute fields: per precision SMs × ops per SM per cycle × clock, for the
// architecture of `compute_capability`. GeForce parts (by name) get their halved tensor rates
// with fp32 accumulation. Returns false (and a reason) when the architecture is not in the table.
bool derive_gpu_peaks(const std::string& name, const std::string& compute_capability, long long sms,
                      double clock_mhz, const std::string& clock_source, PeakTable& peaks,
                      DerivationTable& derivations, std::string& reason);

// CUDA cores per SM and the architecture name of a compute capability; nullopt when unknown.
std::optional<int> cuda_cores_per_sm(const std::string& compute_capability);
std::optional<std::string> gpu_architecture(const std::string& compute_capability);

// A database id from vendor and model: lower case, words joined by '_', trademarks and filler
// ("(R)", "(TM)", "CPU", "Processor") dropped: "intel_12th_gen_core_i7_12700k".
std::string suggest_id(const std::string& vendor, const std::string& model);

}  // namespace hwcal
