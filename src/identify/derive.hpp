// Drafting a database entry from a detected device: identity, compute, caches, power modes, and
// theoretical peaks with the formula of the device kind (CPU: cores × vector lanes × FMA units ×
// 2 × clock; NVIDIA GPU: SMs × cores per SM × 2 × clock, and the tensor-core rates of the
// architecture), each with its peak_derivation. What detection cannot know (bandwidth, sources,
// a product name behind a generic string) is listed for a person to fill in, never invented.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "detect/detect.hpp"
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

// `measure` is called only where no maximum clock is readable (no cpufreq); empty: never.
Draft draft_cpu_entry(const SystemInfo& system, const ClockMeasurer& measure);
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
