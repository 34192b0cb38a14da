// CPU core designs: how a detected CPU's family, model or part number maps to a
// microarchitecture, and what one core of it can do per cycle (FMA pipes and their width). This
// is the one table behind add_hardware's "cores × vector lanes × FMA units × 2 × clock"; every
// row says where its figures come from. A CPU that is not in the table gets a design built from
// its ISA flags (flags_core_design) whose FMA unit count the caller must supply: inferred from a
// measured FMA ceiling or given by a person, never guessed (a wrong count would put every
// measured efficiency off by a factor of two).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hwcal {

struct CoreDesign {
  std::string_view name;    // "Zen 5", "Golden Cove", "Neoverse N1"
  int fma_units = 0;        // FMA pipes per core
  int fma_width_bits = 0;   // what one pipe does per cycle (512-bit ops split in two: 256)
  bool fp16_fma = false;    // native fp16 FMA at twice the fp32 rate where the ISA has it
  std::string_view source;  // where the pipe count and width come from
  std::string_view caveat;  // "" or what a person should check (SKU differences)
  // Arm cores that execute SVE on other pipes than NEON (Neoverse V1: four 128-bit NEON pipes,
  // two 256-bit SVE pipes): the SVE pipes and their width. 0: no separate SVE figures.
  int sve_units = 0;
  int sve_width_bits = 0;
};

// Intel AMX, per core and cycle. One TMUL per core; TDPBF16PS multiplies a 16x32 bf16 tile by a
// 32x16 one (16 x 16 x 32 = 8192 multiply-adds) and TDPBSSD a 16x64 int8 tile by a 64x16 one
// (16 x 16 x 64 = 16384), each issuing once per 16 cycles: 8192 x 2 / 16 = 1024 bf16 flops and
// 16384 x 2 / 16 = 2048 int8 ops per cycle. TDPFP16PS (AMX-FP16, Granite Rapids) has the bf16
// shape and rate. Intel 64 and IA-32 Architectures Optimization Reference Manual, chapter "Intel
// Advanced Matrix Extensions (Intel AMX)"
// https://www.intel.com/content/www/us/en/developer/articles/technical/intel64-and-ia32-architectures-optimization.html
// (summarized with the same figures at https://en.wikipedia.org/wiki/Advanced_Matrix_Extensions).
inline constexpr int kAmxBf16OpsPerCycle = 1024;
inline constexpr int kAmxInt8OpsPerCycle = 2048;
inline constexpr int kAmxFp16OpsPerCycle = 1024;
inline constexpr std::string_view kAmxSource =
    "Intel 64 and IA-32 Architectures Optimization Reference Manual, Intel AMX chapter: one TMUL "
    "per core, TDPBF16PS 16x16x32 and TDPBSSD 16x16x64 multiply-adds per 16 cycles "
    "(https://www.intel.com/content/www/us/en/developer/articles/technical/"
    "intel64-and-ia32-architectures-optimization.html)";

// x86: vendor_id as /proc/cpuinfo gives it (GenuineIntel, AuthenticAMD), family and model
// numbers, and for Intel hybrids the core type ("P-core", "E-core"; "" otherwise).
std::optional<CoreDesign> x86_core_design(std::string_view vendor_id, int family, int model,
                                          std::string_view core_type = "");

// aarch64: the part name arm_part_name gives ("Cortex-A78AE", "Neoverse-N1").
std::optional<CoreDesign> arm_core_design(std::string_view part_name);

// A core the table does not know, from what its flags say: the widest vector width they allow
// (AVX-512: 512, AVX2: 256, NEON: 128), native fp16 FMA where AVX512-FP16 or the Armv8.2 FP16
// arithmetic (asimdhp) is there. fma_units is 0: the caller infers it from a measured FMA ceiling
// or takes it from the user. `isa` is "x86_64" or "aarch64".
CoreDesign flags_core_design(std::string_view isa, const std::vector<std::string>& flags);

// MIDR implementer and part numbers to names, as the kernel and lscpu know them: 0x41/0xd42 is
// "Cortex-A78AE", 0x41/0xd0c "Neoverse-N1". "" when the part is not known.
std::string arm_part_name(int implementer, int part);
// 0x41 "Arm", 0x4e "NVIDIA", 0xc0 "Ampere", ...; "" when unknown.
std::string arm_implementer_name(int implementer);

// "AMD" for AuthenticAMD, "Intel" for GenuineIntel; the id itself otherwise.
std::string x86_vendor_name(std::string_view vendor_id);

}  // namespace hwcal
