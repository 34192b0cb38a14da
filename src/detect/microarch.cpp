#include "detect/microarch.hpp"

#include <algorithm>
#include <array>

namespace hwcal {
namespace {

// Sources of the FMA pipe counts and widths below:
//  - Intel 64 and IA-32 Architectures Optimization Reference Manual (Vol. 1), chapters on
//    Haswell, Skylake (client and server), Ice Lake, Golden Cove and Gracemont: FMA on ports 0
//    and 1 (256-bit), or port 0+1 fused plus port 5 (512-bit, server parts).
//    https://www.intel.com/content/www/us/en/developer/articles/technical/intel64-and-ia32-architectures-optimization.html
//  - AMD Software Optimization Guides: family 17h (pub. 55723: Zen/Zen+ 128-bit datapath, Zen 2
//    256-bit), family 19h (56665: Zen 3; Zen 4 executes 512-bit ops as two 256-bit halves),
//    family 1Ah (58455: Zen 5, full 512-bit FMA datapath on desktop and server parts). Each has
//    two FMA pipes (FP0, FP1); the other FP pipes add only.
//  - Arm Software Optimization Guides: Neoverse N1 (PJDOC-466751330-9707), Cortex-A78/A78AE,
//    Cortex-X1, Neoverse V1, N2 and V2: ASIMD FMLA on V0/V1 (two 128-bit pipes), four pipes on
//    X1, V1 and V2.
// Family and model numbers: Linux arch/x86/include/asm/intel-family.h and AMD's Processor
// Programming References; ARM part numbers: Linux arch/arm64/include/asm/cputype.h and
// util-linux sys-utils/lscpu-arm.c.
constexpr std::string_view kIntelManual =
    "Intel 64 and IA-32 Architectures Optimization Reference Manual";
constexpr std::string_view kAmd17h = "AMD Software Optimization Guide for family 17h (pub. 55723)";
constexpr std::string_view kAmd19h = "AMD Software Optimization Guide for family 19h (pub. 56665)";
constexpr std::string_view kAmd1Ah = "AMD Software Optimization Guide for family 1Ah (pub. 58455)";
constexpr std::string_view kArmGuide = "Arm Software Optimization Guide of the core";
// Neoverse V1 (Graviton 3): ASIMD FMLA, SDOT, SMMLA, BFDOT and BFMMLA issue on V0-V3 (four
// 128-bit pipes), their SVE forms on V0/V1 (two 256-bit pipes): the same bits per cycle either
// way. Arm Neoverse V1 Software Optimization Guide, sections "ASIMD ... instructions" and "SVE
// ... instructions" (as LLVM's AArch64SchedNeoverseV1.td encodes it: V1UnitV for ASIMD,
// V1UnitV01 for SVE).
constexpr std::string_view kNeoverseV1Guide =
    "Arm Neoverse V1 Software Optimization Guide: ASIMD FMLA/SDOT/SMMLA/BFMMLA on V0-V3 (4 x "
    "128-bit), SVE forms on V0/V1 (2 x 256-bit)";

struct IntelRow {
  int model;
  std::string_view core_type;  // "" for non-hybrid parts
  CoreDesign design;
};

constexpr CoreDesign kHaswell{"Haswell", 2, 256, false, kIntelManual, ""};
constexpr CoreDesign kBroadwell{"Broadwell", 2, 256, false, kIntelManual, ""};
constexpr CoreDesign kSkylake{"Skylake", 2, 256, false, kIntelManual, ""};
constexpr CoreDesign kSkylakeServer{
    "Skylake-SP",
    2,
    512,
    false,
    kIntelManual,
    "Xeon Bronze, Silver and some Gold 5xxx parts have one 512-bit FMA unit, not two"};
constexpr CoreDesign kSunnyCove{"Sunny Cove", 2, 256, false, kIntelManual, ""};
constexpr CoreDesign kSunnyCoveServer{"Sunny Cove (server)", 2, 512, false, kIntelManual, ""};
constexpr CoreDesign kGoldenCove{
    "Golden Cove", 2, 256, false, kIntelManual, "AVX-512 is fused off on hybrid client parts"};
constexpr CoreDesign kGoldenCoveServer{"Golden Cove (server)", 2, 512, true, kIntelManual, ""};
constexpr CoreDesign kRaptorCoveServer{"Raptor Cove (server)", 2, 512, true, kIntelManual, ""};
constexpr CoreDesign kRaptorCove{"Raptor Cove", 2, 256, false, kIntelManual, ""};
constexpr CoreDesign kRedwoodCove{"Redwood Cove", 2, 256, false, kIntelManual, ""};
constexpr CoreDesign kRedwoodCoveServer{"Redwood Cove (server)", 2, 512, true, kIntelManual, ""};
constexpr CoreDesign kGracemont{"Gracemont", 2, 128, false, kIntelManual, ""};
constexpr CoreDesign kCrestmont{"Crestmont", 2, 128, false, kIntelManual, ""};

constexpr std::array<IntelRow, 37> kIntel = {{
    {0x3C, "", kHaswell},           {0x3F, "", kHaswell},          {0x45, "", kHaswell},
    {0x46, "", kHaswell},           {0x3D, "", kBroadwell},        {0x47, "", kBroadwell},
    {0x4F, "", kBroadwell},         {0x56, "", kBroadwell},        {0x4E, "", kSkylake},
    {0x5E, "", kSkylake},           {0x8E, "", kSkylake},          {0x9E, "", kSkylake},
    {0xA5, "", kSkylake},           {0xA6, "", kSkylake},          {0x55, "", kSkylakeServer},
    {0x7D, "", kSunnyCove},         {0x7E, "", kSunnyCove},        {0x8C, "", kSunnyCove},
    {0x8D, "", kSunnyCove},         {0x6A, "", kSunnyCoveServer},  {0x6C, "", kSunnyCoveServer},
    {0x8F, "", kGoldenCoveServer},  {0xCF, "", kRaptorCoveServer}, {0xAD, "", kRedwoodCoveServer},
    {0xAE, "", kRedwoodCoveServer}, {0xAF, "", kCrestmont},        {0x97, "P-core", kGoldenCove},
    {0x97, "E-core", kGracemont},   {0x9A, "P-core", kGoldenCove}, {0x9A, "E-core", kGracemont},
    {0xB7, "P-core", kRaptorCove},  {0xB7, "E-core", kGracemont},  {0xBA, "P-core", kRaptorCove},
    {0xBA, "E-core", kGracemont},   {0xBF, "P-core", kRaptorCove}, {0xBF, "E-core", kGracemont},
    {0xAA, "P-core", kRedwoodCove},
}};

struct AmdRow {
  int family;
  int first_model;
  int last_model;
  CoreDesign design;
};

constexpr CoreDesign kZen{"Zen", 2, 128, false, kAmd17h, ""};
constexpr CoreDesign kZenPlus{"Zen+", 2, 128, false, kAmd17h, ""};
constexpr CoreDesign kZen2{"Zen 2", 2, 256, false, kAmd17h, ""};
constexpr CoreDesign kZen3{"Zen 3", 2, 256, false, kAmd19h, ""};
constexpr CoreDesign kZen4{"Zen 4", 2,       256,
                           false,   kAmd19h, "512-bit instructions run as two 256-bit halves"};
constexpr CoreDesign kZen5{"Zen 5", 2, 512, false, kAmd1Ah, ""};
constexpr CoreDesign kZen5Mobile{"Zen 5 (256-bit datapath)",
                                 2,
                                 256,
                                 false,
                                 kAmd1Ah,
                                 "mobile Zen 5 runs 512-bit instructions as two halves"};

constexpr std::array<AmdRow, 13> kAmd = {{
    {0x17, 0x00, 0x07, kZen},
    {0x17, 0x08, 0x08, kZenPlus},
    {0x17, 0x09, 0x17, kZen},
    {0x17, 0x18, 0x18, kZenPlus},
    {0x17, 0x20, 0x2F, kZen},
    {0x17, 0x30, 0xFF, kZen2},
    {0x19, 0x00, 0x0F, kZen3},
    {0x19, 0x10, 0x1F, kZen4},
    {0x19, 0x20, 0x5F, kZen3},
    {0x19, 0x60, 0xAF, kZen4},
    {0x1A, 0x00, 0x1F, kZen5},
    {0x1A, 0x20, 0x2F, kZen5Mobile},
    {0x1A, 0x40, 0x4F, kZen5},
}};

struct ArmRow {
  std::string_view part_name;
  CoreDesign design;
};

constexpr std::array<ArmRow, 12> kArm = {{
    {"Cortex-A76", {"Cortex-A76", 2, 128, true, kArmGuide, ""}},
    {"Cortex-A77", {"Cortex-A77", 2, 128, true, kArmGuide, ""}},
    {"Cortex-A78", {"Cortex-A78", 2, 128, true, kArmGuide, ""}},
    {"Cortex-A78AE", {"Cortex-A78AE", 2, 128, true, kArmGuide, ""}},
    {"Cortex-A78C", {"Cortex-A78C", 2, 128, true, kArmGuide, ""}},
    {"Cortex-X1", {"Cortex-X1", 4, 128, true, kArmGuide, ""}},
    {"Cortex-A710", {"Cortex-A710", 2, 128, true, kArmGuide, ""}},
    {"Cortex-X2", {"Cortex-X2", 4, 128, true, kArmGuide, ""}},
    {"Neoverse-N1", {"Neoverse N1", 2, 128, true, kArmGuide, ""}},
    {"Neoverse-N2", {"Neoverse N2", 2, 128, true, kArmGuide, ""}},
    {"Neoverse-V1", {"Neoverse V1", 4, 128, true, kNeoverseV1Guide, "", 2, 256}},
    {"Neoverse-V2", {"Neoverse V2", 4, 128, true, kArmGuide, ""}},
}};

struct PartRow {
  int implementer;
  int part;
  std::string_view name;
};

// The parts hwcal users run on, named as util-linux's lscpu names them.
constexpr std::array<PartRow, 44> kParts = {{
    {0x41, 0xd03, "Cortex-A53"},   {0x41, 0xd04, "Cortex-A35"},     {0x41, 0xd05, "Cortex-A55"},
    {0x41, 0xd07, "Cortex-A57"},   {0x41, 0xd08, "Cortex-A72"},     {0x41, 0xd09, "Cortex-A73"},
    {0x41, 0xd0a, "Cortex-A75"},   {0x41, 0xd0b, "Cortex-A76"},     {0x41, 0xd0c, "Neoverse-N1"},
    {0x41, 0xd0d, "Cortex-A77"},   {0x41, 0xd0e, "Cortex-A76AE"},   {0x41, 0xd40, "Neoverse-V1"},
    {0x41, 0xd41, "Cortex-A78"},   {0x41, 0xd42, "Cortex-A78AE"},   {0x41, 0xd43, "Cortex-A65AE"},
    {0x41, 0xd44, "Cortex-X1"},    {0x41, 0xd46, "Cortex-A510"},    {0x41, 0xd47, "Cortex-A710"},
    {0x41, 0xd48, "Cortex-X2"},    {0x41, 0xd49, "Neoverse-N2"},    {0x41, 0xd4a, "Neoverse-E1"},
    {0x41, 0xd4b, "Cortex-A78C"},  {0x41, 0xd4c, "Cortex-X1C"},     {0x41, 0xd4d, "Cortex-A715"},
    {0x41, 0xd4e, "Cortex-X3"},    {0x41, 0xd4f, "Neoverse-V2"},    {0x41, 0xd80, "Cortex-A520"},
    {0x41, 0xd81, "Cortex-A720"},  {0x41, 0xd82, "Cortex-X4"},      {0x41, 0xd84, "Neoverse-V3"},
    {0x41, 0xd85, "Cortex-X925"},  {0x41, 0xd87, "Cortex-A725"},    {0x41, 0xd8e, "Neoverse-N3"},
    {0x4e, 0x000, "Denver"},       {0x4e, 0x003, "Denver 2"},       {0x4e, 0x004, "Carmel"},
    {0x48, 0xd01, "TaiShan-v110"}, {0x46, 0x001, "A64FX"},          {0x51, 0x001, "Oryon"},
    {0xc0, 0xac3, "Ampere-1"},     {0xc0, 0xac4, "Ampere-1a"},      {0x61, 0x022, "M1-Icestorm"},
    {0x61, 0x023, "M1-Firestorm"}, {0x43, 0x0af, "ThunderX2-99xx"},
}};

struct ImplementerRow {
  int implementer;
  std::string_view name;
};

constexpr std::array<ImplementerRow, 10> kImplementers = {{
    {0x41, "Arm"},
    {0x42, "Broadcom"},
    {0x43, "Cavium"},
    {0x46, "Fujitsu"},
    {0x48, "HiSilicon"},
    {0x4e, "NVIDIA"},
    {0x50, "APM"},
    {0x51, "Qualcomm"},
    {0x61, "Apple"},
    {0xc0, "Ampere"},
}};

}  // namespace

std::optional<CoreDesign> x86_core_design(std::string_view vendor_id, int family, int model,
                                          std::string_view core_type) {
  if (vendor_id == "GenuineIntel" && family == 6) {
    for (const IntelRow& row : kIntel) {
      if (row.model == model && row.core_type == core_type) return row.design;
    }
    // A hybrid part read without its core types: the P-core row is not the whole truth.
    return std::nullopt;
  }
  if (vendor_id == "AuthenticAMD" || vendor_id == "HygonGenuine") {
    for (const AmdRow& row : kAmd) {
      if (row.family == family && model >= row.first_model && model <= row.last_model) {
        return row.design;
      }
    }
  }
  return std::nullopt;
}

std::optional<CoreDesign> arm_core_design(std::string_view part_name) {
  for (const ArmRow& row : kArm) {
    if (row.part_name == part_name) return row.design;
  }
  return std::nullopt;
}

CoreDesign flags_core_design(std::string_view isa, const std::vector<std::string>& flags) {
  auto has = [&](std::string_view flag) {
    return std::find(flags.begin(), flags.end(), flag) != flags.end();
  };
  CoreDesign design;
  design.name = "this core (from its CPU flags)";
  design.source = "the CPU's ISA flags (/proc/cpuinfo); FMA units per core inferred or given";
  design.caveat = "";
  if (isa == "aarch64") {
    design.fma_width_bits = 128;
    design.fp16_fma = has("asimdhp");
  } else {
    design.fma_width_bits = has("avx512f") ? 512 : (has("avx2") || has("avx")) ? 256 : 128;
    design.fp16_fma = has("avx512_fp16");
  }
  return design;
}

std::string arm_part_name(int implementer, int part) {
  for (const PartRow& row : kParts) {
    if (row.implementer == implementer && row.part == part) return std::string(row.name);
  }
  return "";
}

std::string arm_implementer_name(int implementer) {
  for (const ImplementerRow& row : kImplementers) {
    if (row.implementer == implementer) return std::string(row.name);
  }
  return "";
}

std::string x86_vendor_name(std::string_view vendor_id) {
  if (vendor_id == "GenuineIntel") return "Intel";
  if (vendor_id == "AuthenticAMD") return "AMD";
  if (vendor_id == "HygonGenuine") return "Hygon";
  return std::string(vendor_id);
}

}  // namespace hwcal
