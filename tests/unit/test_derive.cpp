// Drafting entries from detection: derived peaks must equal the bundled entries' datasheet-based
// figures for the same machines, and what cannot be known is listed, not invented.
#include <gtest/gtest.h>

#include "detect/detect.hpp"
#include "detect/microarch.hpp"
#include "hwcal/database/database.hpp"
#include "hwcal/database/validate.hpp"
#include "identify/derive.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

SystemInfo detect_fixture(const std::string& machine) {
  return detect_system(detect_options_for(test::fixtures_dir() / "machines" / machine));
}

const HardwareSpec& bundled(const std::string& id) {
  static const Database database = Database::load(test::bundled_database());
  return database.get(id).spec;
}

bool mentions(const std::vector<std::string>& items, const std::string& text) {
  for (const std::string& item : items) {
    if (item.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(DraftCpu, HybridAlderLakeEqualsTheDatasheetEntry) {
  Draft draft = draft_cpu_entry(detect_fixture("x86_workstation"), nullptr);
  const HardwareSpec& reference = bundled("intel_core_i7_12700k");
  for (Precision precision : {Precision::fp64, Precision::fp32, Precision::int8}) {
    ASSERT_TRUE(draft.spec.theoretical_peaks.count(precision)) << to_string(precision);
    EXPECT_NEAR(draft.spec.theoretical_peaks.at(precision),
                reference.theoretical_peaks.at(precision), 0.05)
        << to_string(precision);
  }
  const PeakDerivation& fp32 = draft.spec.peak_derivation.at(Precision::fp32);
  ASSERT_EQ(fp32.terms.size(), 2u);
  EXPECT_EQ(fp32.terms[0].unit, "P-core");
  EXPECT_EQ(fp32.terms[0].clock_mhz, 4900.0);
  EXPECT_EQ(fp32.terms[1].unit, "E-core");
  EXPECT_EQ(fp32.clock_source, "sysfs");
  EXPECT_EQ(draft.spec.detection_patterns->front(),
            "^12th Gen Intel\\(R\\) Core\\(TM\\) i7-12700K$");
  EXPECT_EQ(draft.spec.id, "intel_12th_gen_core_i7_12700k");
  EXPECT_TRUE(mentions(draft.to_fill, "peak_bandwidth_gbps"));
  EXPECT_TRUE(mentions(draft.to_fill, "sources"));
}

TEST(DraftCpu, JetsonPeaksAndPowerModesEqualTheBundledEntry) {
  Draft draft = draft_cpu_entry(detect_fixture("jetson_orin_nano_7w"), nullptr);
  const HardwareSpec& reference = bundled("jetson_orin_nano_cpu");
  EXPECT_EQ(draft.spec.vendor, "NVIDIA");
  EXPECT_EQ(*draft.spec.compute->units, 6) << "offline cores still count for the device";
  for (const auto& [precision, value] : reference.theoretical_peaks) {
    EXPECT_NEAR(draft.spec.theoretical_peaks.at(precision), value, 0.05) << to_string(precision);
  }
  ASSERT_EQ(draft.spec.power_modes.size(), 4u);
  for (const PowerMode& mode : reference.power_modes) {
    const PowerMode* drafted = draft.spec.find_power_mode(mode.name);
    ASSERT_NE(drafted, nullptr) << mode.name;
    EXPECT_EQ(drafted->nvpmodel_id, mode.nvpmodel_id) << mode.name;
    EXPECT_EQ(drafted->online_cpus, mode.online_cpus) << mode.name;
    for (const auto& [precision, value] : mode.theoretical_peaks) {
      EXPECT_NEAR(drafted->theoretical_peaks.at(precision), value, 0.05)
          << mode.name << " " << to_string(precision);
    }
  }
  EXPECT_EQ(draft.spec.default_power_mode, "25W");
  ASSERT_TRUE(draft.spec.board_signals);
  EXPECT_EQ(draft.spec.board_signals->cpu_cores, 6);
  EXPECT_EQ(draft.spec.board_signals->compatible.front(), "nvidia,p3768-0000+p3767-0005-super");
}

TEST(DraftCpu, AltraEqualsTheBundledEntry) {
  Draft draft = draft_cpu_entry(detect_fixture("aarch64_server"), nullptr);
  const HardwareSpec& reference = bundled("ampere_altra_max_m128_30");
  for (const auto& [precision, value] : reference.theoretical_peaks) {
    EXPECT_NEAR(draft.spec.theoretical_peaks.at(precision), value, 0.05) << to_string(precision);
  }
  EXPECT_TRUE(mentions(draft.to_fill, "model: 'Neoverse-N1' names the core"));
}

TEST(DraftCpu, MeasuredClockStandsInWhereNoneIsReadable) {
  std::vector<std::vector<int>> asked;
  ClockMeasurer fake = [&](const std::vector<int>& cpus, std::string& note) {
    asked.push_back(cpus);
    note = "fake";
    return std::optional<double>(cpus.size() == 1 ? 3000.0 : 2900.0);
  };
  Draft draft = draft_cpu_entry(detect_fixture("container"), fake);
  ASSERT_EQ(asked.size(), 2u) << "one core, then all cores";
  const PeakDerivation& fp64 = draft.spec.peak_derivation.at(Precision::fp64);
  EXPECT_EQ(fp64.clock_source, "measured");
  EXPECT_EQ(fp64.terms.at(0).clock_mhz, 3000.0) << "the higher of the two";
  // Zen 3: 2 x 256-bit FMA = 16 fp64 flops per cycle, 4 cores.
  EXPECT_NEAR(draft.spec.theoretical_peaks.at(Precision::fp64), 4 * 16 * 3.0, 0.05);
  EXPECT_TRUE(mentions(draft.to_fill, "virtual machine"));
  EXPECT_TRUE(mentions(draft.to_fill, "measured under vector load"));
}

TEST(DraftCpu, NoClockNoMeasurementMeansNoPeaks) {
  Draft draft = draft_cpu_entry(detect_fixture("container"), nullptr);
  EXPECT_TRUE(draft.spec.theoretical_peaks.empty());
  EXPECT_TRUE(mentions(draft.to_fill, "no maximum clock readable"));
}

TEST(DraftCpu, DraftsValidateOnceBandwidthIsGiven) {
  for (std::string machine :
       {"x86_workstation", "jetson_orin_nano_7w", "jetson_orin_nano_25w", "aarch64_server"}) {
    Draft draft = draft_cpu_entry(detect_fixture(machine), nullptr);
    draft.spec.peak_bandwidth_gbps = 100;
    draft.spec.peak_bandwidth_unknown.reset();
    Diagnostics diagnostics = validate_spec(draft.spec, machine, "");
    EXPECT_FALSE(diagnostics.has_errors())
        << machine << ": " << format_diagnostic(diagnostics.items().front());
  }
}

// What is drafted is what gets written: it must read back and validate as it is, the bandwidth
// unknown where SMBIOS cannot be read.
void expect_valid_as_written(const Draft& draft, const std::string& machine) {
  Diagnostics parsed;
  HardwareSpec spec = parse_spec(spec_to_json(draft.spec), machine, parsed);
  EXPECT_FALSE(parsed.has_errors()) << machine << ": " << format_diagnostic(parsed.items().front());
  Diagnostics diagnostics = validate_spec(spec, machine, "");
  EXPECT_FALSE(diagnostics.has_errors())
      << machine << ": " << format_diagnostic(diagnostics.items().front());
}

TEST(DraftCpu, BandwidthUnknownSaysWhyAndValidates) {
  for (std::string machine : {"x86_workstation", "jetson_orin_nano_7w", "aarch64_server"}) {
    Draft draft = draft_cpu_entry(detect_fixture(machine), nullptr);
    ASSERT_TRUE(draft.spec.peak_bandwidth_unknown) << machine;
    EXPECT_EQ(draft.spec.peak_bandwidth_gbps, 0) << machine;
    EXPECT_NE(draft.spec.peak_bandwidth_unknown->find("no SMBIOS memory records"),
              std::string::npos)
        << *draft.spec.peak_bandwidth_unknown;
    EXPECT_TRUE(mentions(draft.to_fill, "peak_bandwidth_gbps: unknown")) << machine;
    expect_valid_as_written(draft, machine);
  }
}

TEST(DraftCpu, TableDerivationsSayCoreTable) {
  Draft draft = draft_cpu_entry(detect_fixture("x86_workstation"), nullptr);
  ASSERT_FALSE(draft.spec.peak_derivation.empty());
  for (const auto& [precision, derivation] : draft.spec.peak_derivation) {
    EXPECT_EQ(derivation.origin, PeakOrigin::core_table) << to_string(precision);
  }
  EXPECT_EQ(draft.spec.peak_origin(Precision::fp32, "default"), PeakOrigin::core_table);
  Draft jetson = draft_cpu_entry(detect_fixture("jetson_orin_nano_7w"), nullptr);
  for (const PowerMode& mode : jetson.spec.power_modes) {
    EXPECT_EQ(jetson.spec.peak_origin(Precision::fp32, mode.name), PeakOrigin::core_table)
        << mode.name;
  }
}

SystemInfo with_permission_problem(SystemInfo system) {
  system.cpu.hypervisor = false;
  system.memory.devices.clear();
  system.memory.modules = Reading<std::string>::unknown("/sys/firmware/dmi/entries/17-*/raw",
                                                        "/sys/firmware/dmi/entries/17-0/raw: "
                                                        "permission denied (needs root)");
  return system;
}

TEST(SmbiosBandwidth, SaysWhyItIsUnknown) {
  std::string why;
  SystemInfo vm = detect_fixture("x86_amx_vm");
  EXPECT_FALSE(smbios_bandwidth_gbps(vm, why));
  EXPECT_EQ(why, "this is a virtual machine: the hypervisor hides the memory's speed and channels");
  EXPECT_FALSE(smbios_bandwidth_gbps(with_permission_problem(vm), why));
  EXPECT_EQ(why.rfind("SMBIOS is readable only by root", 0), 0u) << why;
  // A VM whose SMBIOS lists devices without a speed (as QEMU's does) is still a VM.
  MemoryDevice slot;
  slot.size_bytes = 8ull << 30;
  slot.data_width_bits = 64;
  vm.memory.devices = {slot};
  EXPECT_FALSE(smbios_bandwidth_gbps(vm, why));
  EXPECT_NE(why.find("virtual machine"), std::string::npos);
}

// ---- Cores the table does not know, and the newer units of those it does -------------------

// A fixed FMA ceiling, recording where it was asked for.
FmaCeilingMeasurer fixed_ceiling(FmaCeiling ceiling, std::vector<std::vector<int>>& asked) {
  return [ceiling, &asked](const std::vector<int>& cpus, std::string& note) {
    asked.push_back(cpus);
    note = "fixed for the test";
    return std::optional<FmaCeiling>(ceiling);
  };
}

TEST(DraftCpu, UnknownIntelModelWithAmxFromFlagsAndAnInferredUnitCount) {
  // 2 vCPUs (one core) of a Xeon reported as family 6 model 0xA7, no cpufreq: the clock is
  // measured (here 3000 MHz), and one core's fp32 FMA ceiling of 185 GFLOPS with AVX-512 gives
  // round(185 / (1 x 3.0 x 16 x 2)) = round(1.93) = 2 units.
  SystemInfo system = detect_fixture("x86_amx_vm");
  ASSERT_FALSE(system.cpu.microarchitecture.known()) << "model 0xA7 must not be in the table";
  std::vector<std::vector<int>> asked;
  CpuDraftInputs inputs;
  inputs.clock = [](const std::vector<int>&, std::string& note) {
    note = "fixed";
    return std::optional<double>(3000.0);
  };
  inputs.fma_ceiling = fixed_ceiling({185.0, 1, 512, 3000.0, "cpu_fma_fp32_avx512"}, asked);
  Draft draft = draft_cpu_entry(system, inputs);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked.front(), std::vector<int>{0}) << "one CPU per core";
  const PeakTable& peaks = draft.spec.theoretical_peaks;
  // 1 core x 3.0 GHz x per cycle: fp64 2 x 8 x 2 = 32, fp32 2 x 16 x 2 = 64, fp16 (AVX512-FP16)
  // 2 x 32 x 2 = 128; bf16 AMX 1024 (VDPBF16PS: 128); int8 AMX 2048 (VNNI: 256).
  EXPECT_NEAR(peaks.at(Precision::fp64), 96.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::fp32), 192.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::fp16), 384.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::bf16), 3072.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::int8), 6144.0, 0.05);
  for (const auto& [precision, derivation] : draft.spec.peak_derivation) {
    EXPECT_EQ(derivation.origin, PeakOrigin::cpu_flags) << to_string(precision);
  }
  const std::string& note = draft.spec.peak_derivation.at(Precision::fp32).note;
  EXPECT_NE(note.find("FMA units per core inferred from the measured FMA ceiling 185.0 GFLOPS at "
                      "3000 MHz: 2"),
            std::string::npos)
      << note;
  EXPECT_NE(draft.spec.peak_derivation.at(Precision::int8).note.find("TDPBSSD"), std::string::npos);
  EXPECT_EQ(draft.spec.compute->extra["fma_units_per_core"], 2);
  EXPECT_EQ(draft.spec.compute->extra["fma_units_origin"], "cpu_flags");
  EXPECT_TRUE(mentions(draft.to_fill, "were inferred from a measured FMA ceiling"));
  EXPECT_EQ(*draft.spec.peak_bandwidth_unknown,
            "this is a virtual machine: the hypervisor hides the memory's speed and channels");
  expect_valid_as_written(draft, "x86_amx_vm");
}

TEST(DraftCpu, WithoutAnFmaCeilingOnlyTheMatrixUnitsPeaksAreDerived) {
  CpuDraftInputs inputs;
  inputs.clock = [](const std::vector<int>&, std::string&) { return std::optional<double>(3000); };
  Draft draft = draft_cpu_entry(detect_fixture("x86_amx_vm"), inputs);
  EXPECT_EQ(draft.spec.theoretical_peaks.count(Precision::fp32), 0u) << "no invented unit count";
  EXPECT_EQ(draft.spec.theoretical_peaks.count(Precision::fp64), 0u);
  EXPECT_NEAR(draft.spec.theoretical_peaks.at(Precision::bf16), 3072.0, 0.05);
  EXPECT_NEAR(draft.spec.theoretical_peaks.at(Precision::int8), 6144.0, 0.05);
  EXPECT_TRUE(mentions(draft.to_fill, "FMA units per core unknown"));
  expect_valid_as_written(draft, "x86_amx_vm");
}

TEST(DraftCpu, Graviton3FromTheTableWithSveAndSmbiosBandwidth) {
  SystemInfo system = detect_fixture("graviton3");
  EXPECT_EQ(system.cpu.microarchitecture.value_or(""), "Neoverse V1");
  EXPECT_EQ(system.cpu.sve_vector_length_bits.value_or(0), 256);
  Draft draft = draft_cpu_entry(system, nullptr);
  const PeakTable& peaks = draft.spec.theoretical_peaks;
  // 64 cores x 2.6 GHz x per cycle (Arm Neoverse V1 Software Optimization Guide: 4 x 128-bit
  // ASIMD pipes or 2 x 256-bit SVE pipes): fp64 16, fp32 32, fp16 64, bf16 (BFMMLA) 128, int8
  // (SMMLA) 256.
  EXPECT_NEAR(peaks.at(Precision::fp64), 2662.4, 0.05);
  EXPECT_NEAR(peaks.at(Precision::fp32), 5324.8, 0.05);
  EXPECT_NEAR(peaks.at(Precision::fp16), 10649.6, 0.05);
  EXPECT_NEAR(peaks.at(Precision::bf16), 21299.2, 0.05);
  EXPECT_NEAR(peaks.at(Precision::int8), 42598.4, 0.05);
  for (const auto& [precision, derivation] : draft.spec.peak_derivation) {
    EXPECT_EQ(derivation.origin, PeakOrigin::core_table) << to_string(precision);
  }
  EXPECT_NE(draft.spec.peak_derivation.at(Precision::fp32).note.find("SVE, 2 x 256-bit FMA"),
            std::string::npos)
      << draft.spec.peak_derivation.at(Precision::fp32).note;
  EXPECT_EQ(draft.spec.compute->extra["sve_vector_length_bits"], 256);
  // Eight populated DDR5-4800 DIMMs of 64 bits (two empty slots): 8 x 8 x 4800 / 1000.
  EXPECT_NEAR(draft.spec.peak_bandwidth_gbps, 307.2, 0.05);
  EXPECT_FALSE(draft.spec.peak_bandwidth_unknown);
  ASSERT_TRUE(draft.spec.memory);
  EXPECT_EQ(draft.spec.memory->channels, 8);
  EXPECT_EQ(draft.spec.memory->type, "DDR5");
  EXPECT_EQ(draft.spec.memory->size_gb, 128.0);
  EXPECT_TRUE(mentions(draft.to_fill, "one memory channel per populated DIMM"));
  expect_valid_as_written(draft, "graviton3");
}

TEST(DraftCpu, UnknownArmPartFromFlagsAndAnInferredUnitCount) {
  // Part 0xfff, 4 cores at 2 GHz: 124 GFLOPS of NEON fp32 FMA on 4 cores gives
  // round(124 / (4 x 2.0 x 4 x 2)) = round(1.94) = 2 units of 128 bits.
  std::vector<std::vector<int>> asked;
  CpuDraftInputs inputs;
  inputs.fma_ceiling = fixed_ceiling({124.0, 4, 128, 2000.0, "cpu_fma_fp32_neon"}, asked);
  Draft draft = draft_cpu_entry(detect_fixture("arm_unknown_part"), inputs);
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked.front(), (std::vector<int>{0, 1, 2, 3}));
  const PeakTable& peaks = draft.spec.theoretical_peaks;
  // 4 cores x 2.0 GHz x per cycle: fp64 2 x 2 x 2 = 8, fp32 16, fp16 (asimdhp) 32, bf16 (BFMMLA)
  // 2 x 32 = 64, int8 (SMMLA) 2 x 64 = 128.
  EXPECT_NEAR(peaks.at(Precision::fp64), 64.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::fp32), 128.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::fp16), 256.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::bf16), 512.0, 0.05);
  EXPECT_NEAR(peaks.at(Precision::int8), 1024.0, 0.05);
  for (const auto& [precision, derivation] : draft.spec.peak_derivation) {
    EXPECT_EQ(derivation.origin, PeakOrigin::cpu_flags) << to_string(precision);
  }
  EXPECT_TRUE(mentions(draft.notes, "part 0xfff"));
  EXPECT_NE(draft.spec.peak_bandwidth_unknown->find("no SMBIOS memory records"), std::string::npos);
  expect_valid_as_written(draft, "arm_unknown_part");
}

TEST(DraftCpu, GivenUnitsReplaceTheTablesAndTheInferredAndSayUser) {
  // The Altra's Neoverse N1 has 2 units in the table; a person says 4: every vector peak doubles.
  Draft table = draft_cpu_entry(detect_fixture("aarch64_server"), nullptr);
  CpuDraftInputs inputs;
  inputs.given.fma_units = 4;
  Draft given = draft_cpu_entry(detect_fixture("aarch64_server"), inputs);
  EXPECT_NEAR(given.spec.theoretical_peaks.at(Precision::fp32),
              2 * table.spec.theoretical_peaks.at(Precision::fp32), 0.05);
  EXPECT_EQ(given.spec.peak_derivation.at(Precision::fp32).origin, PeakOrigin::user);
  EXPECT_NE(given.spec.peak_derivation.at(Precision::fp32)
                .note.find("FMA units per core given by the user: 4 (the table says 2)"),
            std::string::npos)
      << given.spec.peak_derivation.at(Precision::fp32).note;
  EXPECT_EQ(given.spec.compute->extra["fma_units_origin"], "user");

  // For a core the table does not know, no ceiling is measured when the user gives the units.
  std::vector<std::vector<int>> asked;
  inputs.given.fma_units = 2;
  inputs.fma_ceiling = fixed_ceiling({999.0, 4, 128, 2000.0, "cpu_fma_fp32_neon"}, asked);
  Draft unknown = draft_cpu_entry(detect_fixture("arm_unknown_part"), inputs);
  EXPECT_TRUE(asked.empty());
  EXPECT_NEAR(unknown.spec.theoretical_peaks.at(Precision::fp32), 128.0, 0.05);
  EXPECT_EQ(unknown.spec.peak_derivation.at(Precision::fp32).origin, PeakOrigin::user);
}

TEST(InferFmaUnits, RoundsToWholeUnitsAndAtLeastOne) {
  EXPECT_EQ(infer_fma_units({185.0, 1, 512, 3000.0, ""}), 2);  // 185 / 96 = 1.93
  EXPECT_EQ(infer_fma_units({140.0, 1, 512, 3000.0, ""}), 1);  // 1.46
  EXPECT_EQ(infer_fma_units({10.0, 2, 256, 3000.0, ""}), 1);   // 0.10: at least one
  EXPECT_EQ(infer_fma_units({768.0, 8, 256, 3000.0, ""}), 2);  // 8 cores x 3 x 8 x 2 = 384/unit
}

// ---- One core's rate per precision, each against a hand computation ------------------------

CpuDetection cpu_with(const std::string& isa, std::vector<std::string> flags,
                      std::optional<int> sve_bits = std::nullopt) {
  CpuDetection cpu;
  cpu.isa = Reading<std::string>::found(isa, "test");
  cpu.flags = std::move(flags);
  if (sve_bits) {
    cpu.sve_vector_length_bits = Reading<int>::found(*sve_bits, "test");
  }
  return cpu;
}

double per_cycle(const CoreDesign& design, Precision precision, const CpuDetection& cpu) {
  auto rate = core_ops_per_cycle(design, precision, cpu);
  return rate ? rate->ops_per_cycle : 0.0;
}

TEST(CoreRates, IntelAmx) {
  // Intel 64 and IA-32 Architectures Optimization Reference Manual, Intel AMX chapter: one TMUL
  // per core; TDPBF16PS does 16 x 16 x 32 = 8192 bf16 multiply-adds and TDPBSSD 16 x 16 x 64 =
  // 16384 int8 multiply-adds, each once per 16 cycles.
  const double bf16 = 16 * 16 * 32 * 2 / 16.0;                         // 1024
  const double int8 = 16 * 16 * 64 * 2 / 16.0;                         // 2048
  CoreDesign golden_cove = *x86_core_design("GenuineIntel", 6, 0x8F);  // Sapphire Rapids
  CpuDetection cpu =
      cpu_with("x86_64", {"avx512f", "avx512_bf16", "avx512_vnni", "amx_bf16", "amx_int8"});
  auto rate = core_ops_per_cycle(golden_cove, Precision::bf16, cpu);
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->ops_per_cycle, bf16);
  EXPECT_FALSE(rate->uses_fma_units);
  EXPECT_NE(rate->note.find("TDPBF16PS"), std::string::npos);
  EXPECT_EQ(per_cycle(golden_cove, Precision::int8, cpu), int8);
  // The same core without AMX flags (hidden by a hypervisor): the vector rates, VDPBF16PS
  // 2 x 16 fp32 lanes x 2 products x 2 = 128 and VPDPBUSD 2 x 16 lanes x 4 MACs x 2 = 256.
  CpuDetection no_amx = cpu_with("x86_64", {"avx512f", "avx512_bf16", "avx512_vnni"});
  EXPECT_EQ(per_cycle(golden_cove, Precision::bf16, no_amx), 2 * 16 * 2 * 2);
  EXPECT_EQ(per_cycle(golden_cove, Precision::int8, no_amx), 2 * 16 * 4 * 2);
  // AMX-FP16 (Granite Rapids): TDPFP16PS has TDPBF16PS's shape and rate.
  CpuDetection fp16 = cpu_with("x86_64", {"avx512f", "avx512_fp16", "amx_fp16"});
  EXPECT_EQ(per_cycle(golden_cove, Precision::fp16, fp16), bf16);
}

TEST(CoreRates, Avx512Fp16) {
  // AVX512-FP16 VFMADD*PH: 32 fp16 lanes per 512-bit FMA unit, 2 operations each; Golden Cove
  // server cores have two 512-bit FMA units (Intel optimization manual): 2 x 32 x 2 = 128.
  CoreDesign golden_cove = *x86_core_design("GenuineIntel", 6, 0x8F);
  EXPECT_EQ(per_cycle(golden_cove, Precision::fp16, cpu_with("x86_64", {"avx512f", "avx512_fp16"})),
            128);
  EXPECT_EQ(per_cycle(golden_cove, Precision::fp16, cpu_with("x86_64", {"avx512f"})), 0)
      << "no fp16 peak without the flag";
  // Zen 5 has no AVX512-FP16 (AMD family 1Ah guide): none, whatever the flags.
  CoreDesign zen5 = *x86_core_design("AuthenticAMD", 0x1A, 0x02);
  EXPECT_EQ(per_cycle(zen5, Precision::fp16, cpu_with("x86_64", {"avx512f", "avx512_fp16"})), 0);
}

TEST(CoreRates, NeoverseV1SveAtTheRunTimeVectorLength) {
  // Arm Neoverse V1 Software Optimization Guide: SVE FMLA on V0/V1, two 256-bit pipes (ASIMD
  // FMLA on V0-V3, four 128-bit pipes). SVE fp32 at 256 bits: 2 x 8 lanes x 2 = 32.
  CoreDesign v1 = *arm_core_design("Neoverse-V1");
  CpuDetection sve256 = cpu_with("aarch64", {"asimd", "asimdhp", "sve"}, 256);
  auto fp32 = core_ops_per_cycle(v1, Precision::fp32, sve256);
  ASSERT_TRUE(fp32);
  EXPECT_EQ(fp32->ops_per_cycle, 2 * 8 * 2);
  EXPECT_NE(fp32->note.find("SVE, 2 x 256-bit FMA (vector length 256 bits)"), std::string::npos)
      << fp32->note;
  // With the vector length set to 128 bits, SVE does 2 x 4 x 2 = 16: NEON's 4 x 4 x 2 = 32 counts.
  CpuDetection sve128 = cpu_with("aarch64", {"asimd", "asimdhp", "sve"}, 128);
  auto narrow = core_ops_per_cycle(v1, Precision::fp32, sve128);
  EXPECT_EQ(narrow->ops_per_cycle, 4 * 4 * 2);
  EXPECT_EQ(narrow->note.rfind("Neoverse V1: 4 x 128-bit FMA x 4 fp32 lanes", 0), 0u)
      << narrow->note;
  EXPECT_NE(narrow->note.find("SVE, 2 x 128-bit FMA (vector length 128 bits) gives 16"),
            std::string::npos)
      << narrow->note;
  EXPECT_EQ(per_cycle(v1, Precision::fp64, sve256), 2 * 4 * 2);
}

TEST(CoreRates, ArmI8mmDoublesTheDotProductRate) {
  // SDOT: per 128-bit vector 4 int32 lanes x 4 int8 MACs = 16 MACs; SMMLA (FEAT_I8MM): a 2x8 by
  // 8x2 product = 32 MACs per 128 bits, on the same pipes (Neoverse V1 guide: both on V0-V3).
  CoreDesign v1 = *arm_core_design("Neoverse-V1");
  EXPECT_EQ(per_cycle(v1, Precision::int8, cpu_with("aarch64", {"asimd", "asimddp"})), 4 * 16 * 2);
  EXPECT_EQ(per_cycle(v1, Precision::int8, cpu_with("aarch64", {"asimd", "asimddp", "i8mm"})),
            4 * 32 * 2);
  // The SVE forms at 256 bits reach the same: 2 pipes x 2 segments x 32 MACs x 2.
  EXPECT_EQ(per_cycle(v1, Precision::int8,
                      cpu_with("aarch64", {"asimd", "asimddp", "sve", "svei8mm"}, 256)),
            2 * 2 * 32 * 2);
}

TEST(CoreRates, Bf16DotAndMatrixInstructions) {
  // Arm BFMMLA (FEAT_BF16): a 2x4 by 4x2 bf16 product into 2x2 fp32 = 16 MACs per 128 bits;
  // Neoverse V1 issues it on its four 128-bit pipes: 4 x 16 x 2 = 128.
  CoreDesign v1 = *arm_core_design("Neoverse-V1");
  EXPECT_EQ(per_cycle(v1, Precision::bf16, cpu_with("aarch64", {"asimd", "bf16"})), 4 * 16 * 2);
  EXPECT_EQ(per_cycle(v1, Precision::bf16, cpu_with("aarch64", {"asimd"})), 0);
  // x86 VDPBF16PS (AVX512_BF16): each fp32 lane sums two bf16 products; Zen 5 has two 512-bit
  // FMA pipes (AMD family 1Ah guide): 2 x 16 lanes x 2 products x 2 = 128.
  CoreDesign zen5 = *x86_core_design("AuthenticAMD", 0x1A, 0x02);
  auto rate =
      core_ops_per_cycle(zen5, Precision::bf16, cpu_with("x86_64", {"avx512f", "avx512_bf16"}));
  ASSERT_TRUE(rate);
  EXPECT_EQ(rate->ops_per_cycle, 2 * 16 * 2 * 2);
  EXPECT_TRUE(rate->assumed);
}

TEST(GpuPeaks, EqualTheDatasheetEntries) {
  struct Case {
    std::string id;
    std::string name;
    std::string capability;
    long long sms;
    Precision precision;
    double clock_mhz;
  };
  for (const Case& c : std::vector<Case>{
           {"nvidia_h100_sxm5_80gb", "NVIDIA H100 80GB HBM3", "9.0", 132, Precision::fp16, 1830},
           {"nvidia_h100_sxm5_80gb", "NVIDIA H100 80GB HBM3", "9.0", 132, Precision::fp64, 1980},
           {"nvidia_a100_sxm4_80gb", "NVIDIA A100-SXM4-80GB", "8.0", 108, Precision::fp64, 1410},
           {"nvidia_a100_sxm4_80gb", "NVIDIA A100-SXM4-80GB", "8.0", 108, Precision::int8, 1410},
           {"nvidia_geforce_rtx_4090", "NVIDIA GeForce RTX 4090", "8.9", 128, Precision::fp16,
            2520},
           {"nvidia_geforce_rtx_4090", "NVIDIA GeForce RTX 4090", "8.9", 128, Precision::int8,
            2520},
           {"nvidia_l4", "NVIDIA L4", "8.9", 58, Precision::fp16, 2040},
           {"jetson_orin_nano_gpu", "Orin", "8.7", 8, Precision::int8, 1020},
       }) {
    PeakTable peaks;
    DerivationTable derivations;
    std::string reason;
    ASSERT_TRUE(derive_gpu_peaks(c.name, c.capability, c.sms, c.clock_mhz, "datasheet", peaks,
                                 derivations, reason))
        << reason;
    EXPECT_NEAR(peaks.at(c.precision), bundled(c.id).theoretical_peaks.at(c.precision),
                bundled(c.id).theoretical_peaks.at(c.precision) * 0.001)
        << c.id << " " << to_string(c.precision);
  }
  PeakTable peaks;
  DerivationTable derivations;
  std::string reason;
  EXPECT_FALSE(
      derive_gpu_peaks("Future GPU", "13.0", 100, 2000, "driver", peaks, derivations, reason));
  EXPECT_NE(reason.find("13.0"), std::string::npos);
}

TEST(DraftGpu, JetsonWithoutCudaListsWhatIsMissing) {
  SystemInfo system = detect_fixture("jetson_orin_nano_25w");
  Draft draft = draft_gpu_entry(system, system.gpus.at(0));
  EXPECT_TRUE(draft.spec.theoretical_peaks.empty());
  EXPECT_TRUE(mentions(draft.to_fill, "the SM count"));
  EXPECT_EQ(*draft.spec.compute->max_clock_mhz, 1020.0);
  EXPECT_EQ(draft.spec.model,
            "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super (GPU)");
}

TEST(SuggestId, ReadableIds) {
  EXPECT_EQ(suggest_id("Intel", "12th Gen Intel(R) Core(TM) i7-12700K"),
            "intel_12th_gen_core_i7_12700k");
  EXPECT_EQ(suggest_id("AMD", "AMD Ryzen 7 2700X Eight-Core Processor"), "amd_ryzen_7_2700x");
  EXPECT_EQ(suggest_id("AMD", "AMD EPYC 7763 64-Core Processor"), "amd_epyc_7763");
  EXPECT_EQ(suggest_id("Intel", "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz"),
            "intel_xeon_e5_2680_v4");
  EXPECT_EQ(suggest_id("NVIDIA", "NVIDIA H100 80GB HBM3"), "nvidia_h100_80gb_hbm3");
}

}  // namespace
}  // namespace hwcal
