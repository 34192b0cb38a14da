// CPU core designs: how a detected CPU's family, model or part number maps to a
// microarchitecture, and what one core of it can do per cycle (FMA pipes and their width). This
// is the one table behind add_hardware's "cores × vector lanes × FMA units × 2 × clock"; every
// row says where its figures come from. A CPU that is not in the table gets no derived peak:
// a wrong FMA count would put every measured efficiency off by a factor of two.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hwcal {

struct CoreDesign {
  std::string_view name;    // "Zen 5", "Golden Cove", "Neoverse N1"
  int fma_units = 0;        // FMA pipes per core
  int fma_width_bits = 0;   // what one pipe does per cycle (512-bit ops split in two: 256)
  bool fp16_fma = false;    // native fp16 FMA at twice the fp32 rate where the ISA has it
  std::string_view source;  // where the pipe count and width come from
  std::string_view caveat;  // "" or what a person should check (SKU differences)
};

// x86: vendor_id as /proc/cpuinfo gives it (GenuineIntel, AuthenticAMD), family and model
// numbers, and for Intel hybrids the core type ("P-core", "E-core"; "" otherwise).
std::optional<CoreDesign> x86_core_design(std::string_view vendor_id, int family, int model,
                                          std::string_view core_type = "");

// aarch64: the part name arm_part_name gives ("Cortex-A78AE", "Neoverse-N1").
std::optional<CoreDesign> arm_core_design(std::string_view part_name);

// MIDR implementer and part numbers to names, as the kernel and lscpu know them: 0x41/0xd42 is
// "Cortex-A78AE", 0x41/0xd0c "Neoverse-N1". "" when the part is not known.
std::string arm_part_name(int implementer, int part);
// 0x41 "Arm", 0x4e "NVIDIA", 0xc0 "Ampere", ...; "" when unknown.
std::string arm_implementer_name(int implementer);

// "AMD" for AuthenticAMD, "Intel" for GenuineIntel; the id itself otherwise.
std::string x86_vendor_name(std::string_view vendor_id);

}  // namespace hwcal
