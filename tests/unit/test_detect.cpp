// Detection: the parsers on captured text, and detect_system on the fixture machines.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>

#include "detect/detect.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

SystemInfo detect_fixture(const std::string& machine) {
  return detect_system(detect_options_for(test::fixtures_dir() / "machines" / machine));
}

bool listed_unreadable(const SystemInfo& info, const std::string& field, const std::string& tried) {
  Json json = system_info_to_json(info);
  for (const Json& item : json["unreadable"]) {
    if (item["field"] == field && item["tried"].get<std::string>().find(tried) != std::string::npos)
      return true;
  }
  return false;
}

TEST(ParseCpuList, RangesAndSingles) {
  EXPECT_EQ(parse_cpu_list("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
  EXPECT_EQ(parse_cpu_list("5"), (std::vector<int>{5}));
  EXPECT_EQ(parse_cpu_list(""), std::vector<int>{});
  EXPECT_FALSE(parse_cpu_list("3-1"));
  EXPECT_FALSE(parse_cpu_list("a-b"));
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 8, 10, 11}), "0-3,8,10-11");
}

TEST(ParseCacheSize, SysfsSpellings) {
  EXPECT_EQ(parse_cache_size_kib("48K"), 48.0);
  EXPECT_EQ(parse_cache_size_kib("2M\n"), 2048.0);
  EXPECT_EQ(parse_cache_size_kib("1024"), 1.0);
  EXPECT_FALSE(parse_cache_size_kib("big"));
}

TEST(ParseCpuinfo, OneMapPerProcessor) {
  auto blocks = parse_cpuinfo(
      "processor\t: 0\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU part\t: 0xd42\n\n"
      "processor\t: 1\nCPU implementer\t: 0x41\nCPU part\t: 0xd42\n");
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0]["CPU part"], "0xd42");
  EXPECT_EQ(blocks[0]["CPU architecture"], "8");
  EXPECT_EQ(blocks[1]["processor"], "1");
}

TEST(ParseNvpmodel, ModesDefaultAndCaps) {
  std::string conf =
      test::read_file(test::fixtures_dir() / "machines/jetson_orin_nano_25w/etc/nvpmodel.conf");
  NvpModelConf parsed = parse_nvpmodel_conf(conf);
  ASSERT_EQ(parsed.modes.size(), 4u);
  EXPECT_EQ(parsed.default_id, 1);
  const NvpModelMode* seven = parsed.find(3);
  ASSERT_NE(seven, nullptr);
  EXPECT_EQ(seven->name, "7W");
  EXPECT_EQ(seven->cpu_max_mhz, 960.0);
  EXPECT_EQ(seven->gpu_max_mhz, 408.0);
  EXPECT_EQ(seven->emc_max_mhz, 2133.0);
  EXPECT_EQ(seven->online_cpus, 4);
  const NvpModelMode* maxn = parsed.find(2);
  ASSERT_NE(maxn, nullptr);
  EXPECT_EQ(maxn->name, "MAXN_SUPER");
  EXPECT_FALSE(maxn->cpu_max_mhz) << "-1 means no cap";
  EXPECT_EQ(parse_nvpmodel_status("pmode:0003\nfmode:quiet\n"), 3);
  EXPECT_FALSE(parse_nvpmodel_status("garbage"));
}

TEST(ParseTegraRelease, FirstLine) {
  EXPECT_EQ(parse_tegra_release("# R36 (release), REVISION: 4.3, GCID: 38968081, BOARD: generic, "
                                "EABI: aarch64, DATE: Wed Jan  8 01:49:37 UTC 2025"),
            "R36.4.3");
  EXPECT_EQ(parse_tegra_release("# R35 (release), REVISION: 5.0, GCID: 35550185"), "R35.5.0");
  EXPECT_FALSE(parse_tegra_release("nothing here"));
}

TEST(ParseNvidiaSmi, CapturedQueryOutput) {
  std::string text = test::read_file(test::fixtures_dir() / "nvidia_smi/h100_query_nounits.csv");
  auto gpus = parse_nvidia_smi_csv(text, "nvidia-smi --query-gpu");
  ASSERT_EQ(gpus.size(), 1u);
  const GpuDevice& gpu = gpus[0];
  EXPECT_EQ(gpu.device, "cuda:0");
  EXPECT_EQ(*gpu.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(*gpu.compute_capability, "9.0");
  EXPECT_EQ(*gpu.max_clock_mhz, 1980.0);
  EXPECT_EQ(*gpu.current_clock_mhz, 345.0) << "the header calls clocks.sm clocks.current.sm";
  EXPECT_EQ(*gpu.memory_bytes, 81559ull * 1024 * 1024);
  EXPECT_EQ(*gpu.driver_version, "580.159.04");
  EXPECT_EQ(*gpu.power_limit_watts, 700.0);
  EXPECT_FALSE(gpu.multiprocessors.known()) << "nvidia-smi does not report SMs";
  // The same query with units: the same values.
  auto with_units = parse_nvidia_smi_csv(
      test::read_file(test::fixtures_dir() / "nvidia_smi/h100_query_units.csv"), "smi");
  ASSERT_EQ(with_units.size(), 1u);
  EXPECT_EQ(*with_units[0].max_clock_mhz, 1980.0);
  EXPECT_EQ(*with_units[0].memory_bytes, *gpu.memory_bytes);
}

TEST(ParseNvidiaSmi, NotSupportedFieldsAreUnknown) {
  auto gpus = parse_nvidia_smi_csv(
      "index, name, clocks.max.sm [MHz], compute_cap\n0, Orin (nvgpu), [N/A], [N/A]\n", "smi");
  ASSERT_EQ(gpus.size(), 1u);
  EXPECT_EQ(*gpus[0].name, "Orin (nvgpu)");
  EXPECT_FALSE(gpus[0].max_clock_mhz.known());
  EXPECT_EQ(gpus[0].max_clock_mhz.problem, "[N/A]");
  EXPECT_FALSE(gpus[0].compute_capability.known());
}

TEST(DetectFixture, X86Workstation) {
  SystemInfo info = detect_fixture("x86_workstation");
  const CpuDetection& cpu = info.cpu;
  EXPECT_EQ(*cpu.isa, "x86_64");
  EXPECT_EQ(*cpu.vendor, "Intel");
  EXPECT_EQ(*cpu.model, "12th Gen Intel(R) Core(TM) i7-12700K");
  EXPECT_EQ(*cpu.microarchitecture, "Golden Cove + Gracemont");
  EXPECT_EQ(*cpu.physical_cores, 12);
  EXPECT_EQ(*cpu.logical_cpus, 20);
  EXPECT_EQ(*cpu.sockets, 1);
  ASSERT_EQ(cpu.core_types.size(), 2u);
  EXPECT_EQ(cpu.core_types[0].name, "P-core");
  EXPECT_EQ(*cpu.core_types[0].physical_cores, 8);
  EXPECT_EQ(*cpu.core_types[0].max_clock_mhz, 4900.0) << "most cores, not the favoured two";
  EXPECT_EQ(*cpu.core_types[1].max_clock_mhz, 3800.0);
  EXPECT_EQ(*cpu.highest_max_clock_mhz, 5000.0);
  EXPECT_EQ(*cpu.base_clock_mhz, 3600.0);
  EXPECT_EQ(*cpu.vector_isa, "AVX2+FMA");
  EXPECT_EQ(cpu.one_cpu_per_core.size(), 12u);
  ASSERT_TRUE(cpu.caches.known());
  const auto& caches = *cpu.caches;
  auto find = [&](long long level, const std::string& kind, double size) -> const CacheLevel* {
    for (const CacheLevel& cache : caches) {
      if (cache.level == level && cache.kind == kind && cache.size_kib == size) return &cache;
    }
    return nullptr;
  };
  ASSERT_NE(find(2, "unified", 1280), nullptr);
  EXPECT_EQ(find(2, "unified", 1280)->count, 8);
  EXPECT_EQ(find(2, "unified", 1280)->scope, "per P-core");
  ASSERT_NE(find(2, "unified", 2048), nullptr);
  EXPECT_EQ(find(2, "unified", 2048)->count, 1);
  EXPECT_EQ(find(2, "unified", 2048)->scope, "per 4 E-cores");
  EXPECT_EQ(find(3, "unified", 25600)->scope, "shared");
  EXPECT_EQ(*info.memory.total_bytes, 32563840ull * 1024);
  ASSERT_EQ(info.gpus.size(), 1u);
  EXPECT_EQ(*info.gpus[0].name, "NVIDIA GeForce RTX 4090");
  EXPECT_EQ(*info.gpus[0].driver_version, "550.78");
  EXPECT_FALSE(info.board.is_jetson());
  EXPECT_FALSE(info.board.power_mode.name.known());
}

TEST(DetectFixture, JetsonOrinNano7W) {
  SystemInfo info = detect_fixture("jetson_orin_nano_7w");
  const CpuDetection& cpu = info.cpu;
  EXPECT_EQ(*cpu.isa, "aarch64");
  EXPECT_EQ(*cpu.model, "Cortex-A78AE");
  EXPECT_EQ(cpu.implementer, 0x41);
  EXPECT_EQ(cpu.part, 0xd42);
  EXPECT_EQ(*cpu.logical_cpus, 4);
  EXPECT_EQ(*cpu.logical_cpus_present, 6);
  EXPECT_EQ(*cpu.max_clock_mhz, 1728.0);
  EXPECT_EQ(*cpu.cap_clock_mhz, 960.0);
  EXPECT_TRUE(info.board.is_jetson());
  EXPECT_EQ(*info.board.device_tree_model,
            "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super");
  EXPECT_EQ(*info.board.compatible,
            (std::vector<std::string>{"nvidia,p3768-0000+p3767-0005-super", "nvidia,p3767-0005",
                                      "nvidia,tegra234"}));
  EXPECT_EQ(*info.board.tegra_release, "R36.4.3");
  EXPECT_EQ(*info.board.power_mode.name, "7W");
  EXPECT_EQ(*info.board.power_mode.id, 3);
  ASSERT_EQ(info.board.power_mode.checks.size(), 3u);
  for (const std::string& check : info.board.power_mode.checks) {
    EXPECT_NE(check.find("agrees"), std::string::npos) << check;
  }
  ASSERT_EQ(info.gpus.size(), 1u);
  const GpuDevice& gpu = info.gpus[0];
  EXPECT_EQ(gpu.source, "tegra devfreq");
  EXPECT_FALSE(gpu.name.known()) << "the name comes from the CUDA runtime, never guessed";
  EXPECT_EQ(*gpu.cap_clock_mhz, 408.0);
  EXPECT_EQ(*gpu.max_clock_mhz, 1020.0);
}

TEST(DetectFixture, JetsonOrinNano25W) {
  SystemInfo info = detect_fixture("jetson_orin_nano_25w");
  EXPECT_EQ(*info.board.power_mode.name, "25W");
  EXPECT_EQ(*info.cpu.logical_cpus, 6);
  EXPECT_EQ(*info.cpu.cap_clock_mhz, 1344.0);
  EXPECT_EQ(*info.gpus.at(0).cap_clock_mhz, 918.0);
  ASSERT_TRUE(info.cpu.caches.known());
  // Two L3 slices: one per cluster (4 cores and 2 cores).
  int l3 = 0;
  for (const CacheLevel& cache : *info.cpu.caches) l3 += cache.level == 3 ? *cache.count : 0;
  EXPECT_EQ(l3, 2);
}

TEST(DetectFixture, PowerModeFromDefaultWithoutStatusFile) {
  test::TempDir dir;
  test::copy_tree(test::fixtures_dir() / "machines/jetson_orin_nano_25w", dir.path());
  fs::remove(dir / "var/lib/nvpmodel/status");
  SystemInfo info = detect_system(detect_options_for(dir.path()));
  EXPECT_EQ(*info.board.power_mode.name, "25W");
  EXPECT_NE(info.board.power_mode.how.find("PM_CONFIG DEFAULT=1"), std::string::npos);
}

TEST(DetectFixture, Aarch64Server) {
  SystemInfo info = detect_fixture("aarch64_server");
  EXPECT_EQ(*info.cpu.model, "Neoverse-N1");
  EXPECT_EQ(*info.cpu.microarchitecture, "Neoverse N1");
  EXPECT_EQ(*info.cpu.physical_cores, 128);
  EXPECT_EQ(*info.cpu.max_clock_mhz, 3000.0);
  EXPECT_EQ(*info.cpu.base_clock_mhz, 3000.0) << "ACPI CPPC nominal_freq";
  EXPECT_EQ(*info.cpu.scaling_driver, "cppc_cpufreq");
  EXPECT_TRUE(info.cpu.core_types.empty());
  EXPECT_FALSE(info.board.device_tree_model.known()) << "ACPI machines have no device tree";
  EXPECT_TRUE(info.gpus.empty());
}

TEST(DetectFixture, Graviton3SveLengthAndSmbiosMemory) {
  SystemInfo info = detect_fixture("graviton3");
  EXPECT_EQ(*info.cpu.microarchitecture, "Neoverse V1");
  EXPECT_EQ(*info.cpu.vector_isa, "SVE");
  EXPECT_EQ(*info.cpu.sve_vector_length_bits, 256) << "32 bytes";
  ASSERT_EQ(info.memory.devices.size(), 10u);
  const MemoryDevice& first = info.memory.devices.front();
  EXPECT_EQ(first.locator, "DIMM_0");
  EXPECT_EQ(first.type, "DDR5");
  EXPECT_EQ(first.size_bytes, 16ull << 30);
  EXPECT_EQ(first.data_width_bits, 64);
  EXPECT_EQ(first.speed_mts, 4800);
  EXPECT_EQ(first.configured_speed_mts, 4800);
  EXPECT_FALSE(info.memory.devices.back().populated()) << "an empty slot: size 0";
  ASSERT_TRUE(info.memory.modules.known()) << info.memory.modules.problem;
  EXPECT_EQ(*info.memory.modules, "8 of 10 slots populated: 8 x 16 GiB DDR5, 64-bit, 4800 MT/s");
  Json json = system_info_to_json(info);
  EXPECT_EQ(json["cpu"]["sve_vector_length_bits"], 256);
  EXPECT_EQ(json["memory"]["devices"].size(), 10u);
}

TEST(DetectFixture, UnknownCoresKeepTheirIdentity) {
  SystemInfo vm = detect_fixture("x86_amx_vm");
  EXPECT_TRUE(vm.cpu.hypervisor);
  EXPECT_EQ(*vm.cpu.model_number, 0xA7);
  EXPECT_FALSE(vm.cpu.microarchitecture.known());
  EXPECT_EQ(*vm.cpu.physical_cores, 1) << "two vCPUs, one core";
  EXPECT_TRUE(vm.cpu.sve_vector_length_bits.source.empty()) << "no SVE: nothing tried";
  EXPECT_TRUE(vm.memory.devices.empty());
  SystemInfo arm = detect_fixture("arm_unknown_part");
  EXPECT_EQ(*arm.cpu.part, 0xfff);
  EXPECT_EQ(*arm.cpu.model, "0x41/0xfff");
}

// A type 17 record of SMBIOS 3.3, with the extended size and speeds.
std::string smbios_33_record(unsigned size, std::uint32_t extended_size, unsigned speed,
                             std::uint32_t extended_speed) {
  std::string raw(0x5C, '\0');
  auto put16 = [&](std::size_t at, unsigned value) {
    raw[at] = static_cast<char>(value & 0xFF);
    raw[at + 1] = static_cast<char>((value >> 8) & 0xFF);
  };
  auto put32 = [&](std::size_t at, std::uint32_t value) {
    put16(at, value & 0xFFFF);
    put16(at + 2, value >> 16);
  };
  raw[0] = 17;
  raw[1] = 0x5C;
  put16(0x0A, 64);
  put16(0x0C, size);
  raw[0x10] = 1;
  raw[0x12] = 0x22;
  put16(0x15, speed);
  put32(0x1C, extended_size);
  put16(0x20, speed);
  put32(0x54, extended_speed);
  put32(0x58, extended_speed);
  return raw + std::string("CPU0_DIMM_A1\0\0", 14);
}

TEST(SmbiosMemoryDevice, ExtendedFieldsAndBadRecords) {
  std::string problem;
  // Size 0x7FFF: the extended size (MiB) counts; speed 0xFFFF: the extended speed counts.
  auto device = parse_smbios_memory_device(smbios_33_record(0x7FFF, 65536, 0xFFFF, 8800), problem);
  ASSERT_TRUE(device) << problem;
  EXPECT_EQ(device->size_bytes, 64ull << 30);
  EXPECT_EQ(device->speed_mts, 8800);
  EXPECT_EQ(device->configured_speed_mts, 8800);
  EXPECT_EQ(device->locator, "CPU0_DIMM_A1");
  // Bit 15 of the size: KiB rather than MiB.
  device = parse_smbios_memory_device(smbios_33_record(0x8000 | 512, 0, 3200, 0), problem);
  ASSERT_TRUE(device) << problem;
  EXPECT_EQ(device->size_bytes, 512ull << 10);
  EXPECT_EQ(device->speed_mts, 3200);
  EXPECT_FALSE(parse_smbios_memory_device(std::string("\x10\x20", 2), problem));
  EXPECT_EQ(problem, "not an SMBIOS type 17 (memory device) record");
  EXPECT_FALSE(parse_smbios_memory_device(std::string("\x11\x10xxxxxxxxxxxxxx", 16), problem));
  EXPECT_NE(problem.find("too short"), std::string::npos) << problem;
}

TEST(DetectFixture, ContainerRecordsWhatItCouldNotRead) {
  SystemInfo info = detect_fixture("container");
  EXPECT_TRUE(info.container);
  EXPECT_TRUE(info.cpu.hypervisor);
  EXPECT_EQ(*info.cpu.model, "AMD EPYC 7763 64-Core Processor");
  EXPECT_EQ(*info.cpu.microarchitecture, "Zen 3");
  EXPECT_EQ(*info.cpu.logical_cpus, 4) << "from /proc/cpuinfo when sysfs is missing";
  EXPECT_EQ(*info.cpu.physical_cores, 4) << "from /proc/cpuinfo's core ids";
  EXPECT_FALSE(info.cpu.caches.known());
  EXPECT_FALSE(info.cpu.max_clock_mhz.known());
  EXPECT_FALSE(info.cpu.logical_cpus_present.known());
  EXPECT_TRUE(listed_unreadable(info, "cpu.caches", "/sys/devices/system/cpu/cpu0/cache"));
  EXPECT_TRUE(listed_unreadable(info, "cpu.max_clock_mhz", "cpufreq/cpuinfo_max_freq"));
  EXPECT_TRUE(listed_unreadable(info, "kernel", "/proc/sys/kernel/osrelease"));
  EXPECT_TRUE(listed_unreadable(info, "board.power_mode.name", "/etc/nvpmodel.conf"));
  EXPECT_TRUE(listed_unreadable(info, "memory.modules", "/sys/firmware/dmi/tables/DMI"));
  std::string text = render_system_info(info);
  EXPECT_NE(text.find("unknown (/sys/devices/system/cpu/cpu0/cache: missing"), std::string::npos)
      << text;
}

TEST(DetectFixture, H100ServerCapturedFromAVirtualMachine) {
  SystemInfo info = detect_fixture("h100_server");
  EXPECT_EQ(*info.cpu.model, "Intel(R) Xeon(R) Processor") << "KVM hides the SKU";
  EXPECT_TRUE(info.cpu.hypervisor);
  EXPECT_EQ(*info.cpu.microarchitecture, "Raptor Cove (server)");
  EXPECT_EQ(*info.cpu.physical_cores, 16);
  EXPECT_EQ(*info.cpu.vector_isa, "AVX-512");
  EXPECT_FALSE(info.cpu.max_clock_mhz.known()) << "no cpufreq in the guest";
  ASSERT_TRUE(info.cpu.caches.known());
  EXPECT_EQ(info.cpu.caches->back().size_kib, 307200.0) << "the host's whole L3";
  ASSERT_EQ(info.gpus.size(), 1u);
  EXPECT_EQ(info.gpus[0].source, "/proc/driver/nvidia");
  EXPECT_EQ(*info.gpus[0].name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(*info.gpus[0].driver_version, "580.159.04");
  EXPECT_FALSE(info.gpus[0].compute_capability.known());
}

DetectOptions with_fake_nvidia_smi(const std::string& machine) {
  DetectOptions options = detect_options_for(test::fixtures_dir() / "machines" / machine);
  options.nvidia_smi = (test::fixtures_dir() / "nvidia_smi/fake_nvidia_smi.sh").string();
  return options;
}

TEST(DetectNvidiaSmi, RunsTheProgramAndParsesItsAnswer) {
  SystemInfo info = detect_system(with_fake_nvidia_smi("h100_server"));
  ASSERT_EQ(info.gpus.size(), 1u);
  EXPECT_EQ(info.gpus[0].source, "nvidia-smi");
  EXPECT_EQ(*info.gpus[0].compute_capability, "9.0");
  EXPECT_EQ(*info.gpus[0].max_clock_mhz, 1980.0);
}

TEST(DetectNvidiaSmi, OldDriverWithoutComputeCapIsAskedAgain) {
  ::setenv("FAKE_NVIDIA_SMI_OLD_DRIVER", "1", 1);
  SystemInfo info = detect_system(with_fake_nvidia_smi("h100_server"));
  ::unsetenv("FAKE_NVIDIA_SMI_OLD_DRIVER");
  ASSERT_EQ(info.gpus.size(), 1u);
  EXPECT_EQ(info.gpus[0].source, "nvidia-smi");
  EXPECT_FALSE(info.gpus[0].compute_capability.known());
  EXPECT_EQ(info.gpus[0].compute_capability.problem, "not queried");
  EXPECT_EQ(*info.gpus[0].max_clock_mhz, 1980.0);
}

TEST(DetectNvidiaSmi, MissingProgramFallsBackToTheDriverFiles) {
  DetectOptions options = with_fake_nvidia_smi("h100_server");
  options.nvidia_smi = "/nonexistent/nvidia-smi";
  SystemInfo info = detect_system(options);
  ASSERT_EQ(info.gpus.size(), 1u);
  EXPECT_EQ(info.gpus[0].source, "/proc/driver/nvidia");
  bool noted = false;
  for (const std::string& note : info.gpu_notes) {
    noted = noted || note == "/nonexistent/nvidia-smi: not found";
  }
  EXPECT_TRUE(noted);
}

TEST(DetectFixture, EmptyRootIsAllUnknownNotAnError) {
  test::TempDir dir;
  SystemInfo info = detect_system(detect_options_for(dir.path()));
  EXPECT_FALSE(info.cpu.model.known());
  EXPECT_EQ(info.cpu.model.source, "/proc/cpuinfo");
  EXPECT_EQ(info.cpu.model.problem, "missing");
  EXPECT_TRUE(info.gpus.empty());
}

TEST(DetectFixture, CpuFilesUnreadableByPermissionSayWhy) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  test::TempDir dir;
  test::copy_tree(test::fixtures_dir() / "machines/container", dir.path());
  fs::permissions(dir / "proc/cpuinfo", fs::perms::none);
  SystemInfo info = detect_system(detect_options_for(dir.path()));
  EXPECT_EQ(info.cpu.model.problem, "permission denied (needs root)");
}

}  // namespace
}  // namespace hwcal

namespace hwcal {
namespace {

// The machine the tests run on: whatever it is, detection finishes and reads /proc/cpuinfo.
TEST(DetectThisMachine, FinishesAndKnowsTheInstructionSet) {
  SystemInfo info = detect_system(detect_options_for("/"));
  ASSERT_TRUE(info.cpu.isa.known()) << info.cpu.isa.problem;
#if defined(__x86_64__)
  EXPECT_EQ(*info.cpu.isa, "x86_64");
#elif defined(__aarch64__)
  EXPECT_EQ(*info.cpu.isa, "aarch64");
#endif
  EXPECT_TRUE(info.cpu.logical_cpus.known());
  Json json = system_info_to_json(info);
  EXPECT_TRUE(json["unreadable"].is_array());
}

}  // namespace
}  // namespace hwcal
