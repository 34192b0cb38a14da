#include "identify/derive.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "base/text.hpp"
#include "detect/microarch.hpp"
#include "identify/match.hpp"

namespace hwcal {
namespace {

bool has_flag(const std::vector<std::string>& flags, std::string_view flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

double round1(double value) { return std::round(value * 10.0) / 10.0; }

// ---- CPU ------------------------------------------------------------------------------------

// The widest vector registers the ISA flags allow: a VM may hide AVX-512 from a core that has it.
int isa_width_bits(const CpuDetection& cpu) {
  if (cpu.isa.value_or("") == "aarch64") return 128;
  if (has_flag(cpu.flags, "avx512f")) return 512;
  if (has_flag(cpu.flags, "avx2") || has_flag(cpu.flags, "avx")) return 256;
  return 128;
}

// One way a core reaches a precision's rate: a set of vector pipes (NEON/AVX, or SVE) or a
// matrix unit.
struct VectorPath {
  int units = 0;
  int width = 0;     // bits one pipe does per instruction
  std::string what;  // "2 x 512-bit FMA", "SVE, 2 x 256-bit FMA (vector length 256 bits)"
  bool sve = false;
};

std::vector<VectorPath> vector_paths(const CoreDesign& design, const CpuDetection& cpu) {
  std::vector<VectorPath> paths;
  if (design.fma_units > 0) {
    const int width = std::min(design.fma_width_bits, isa_width_bits(cpu));
    paths.push_back(
        {design.fma_units, width, fmt::format("{} x {}-bit FMA", design.fma_units, width), false});
  }
  // SVE runs at the vector length the kernel gives processes, on pipes no wider than the core's.
  if (cpu.isa.value_or("") == "aarch64" && has_flag(cpu.flags, "sve") && design.sve_units > 0 &&
      cpu.sve_vector_length_bits.known()) {
    const int length = *cpu.sve_vector_length_bits;
    const int width = std::min(design.sve_width_bits, length);
    paths.push_back({design.sve_units, width,
                     fmt::format("SVE, {} x {}-bit FMA (vector length {} bits)", design.sve_units,
                                 width, length),
                     true});
  }
  return paths;
}

// Every way `design` reaches `precision`, one CoreRate each.
std::vector<CoreRate> core_rates(const CoreDesign& design, Precision precision,
                                 const CpuDetection& cpu) {
  const bool arm = cpu.isa.value_or("") == "aarch64";
  auto has = [&](std::string_view flag) { return has_flag(cpu.flags, flag); };
  std::vector<CoreRate> rates;
  const std::string name(design.name);
  for (const VectorPath& path : vector_paths(design, cpu)) {
    auto lanes = [&](int bits) { return path.width / bits; };
    // The SVE figures are the row's own: cite where they come from.
    const std::string cited = path.sve ? fmt::format(" [{}]", design.source) : "";
    auto add = [&](double ops, std::string note, bool assumed) {
      rates.push_back(CoreRate{ops, name + ": " + note + cited, assumed, true, path.what});
    };
    switch (precision) {
      case Precision::fp64:
        add(path.units * lanes(64) * 2.0,
            fmt::format("{} x {} fp64 lanes x 2 (FMA)", path.what, lanes(64)), false);
        break;
      case Precision::fp32:
        add(path.units * lanes(32) * 2.0,
            fmt::format("{} x {} fp32 lanes x 2 (FMA)", path.what, lanes(32)), false);
        break;
      case Precision::fp16:
        // SVE's FMLA has a half-precision form of its own; NEON needs FEAT_FP16 (asimdhp).
        if (design.fp16_fma && (arm ? (path.sve || has("asimdhp")) : has("avx512_fp16"))) {
          add(path.units * lanes(16) * 2.0,
              fmt::format("{} x {} fp16 lanes x 2 ({})", path.what, lanes(16),
                          !arm       ? "AVX512-FP16 VFMADD*PH"
                          : path.sve ? "SVE FMLA, half precision"
                                     : "Armv8.2 FP16 FMLA"),
              false);
        }
        break;
      case Precision::bf16:
        if (!arm && has("avx512_bf16")) {
          add(path.units * lanes(32) * 4.0,
              fmt::format("VDPBF16PS, {} x {} fp32 lanes x 2 bf16 products x 2; assumes it issues "
                          "on every FMA pipe",
                          path.what, lanes(32)),
              true);
        } else if (arm && has(path.sve ? "svebf16" : "bf16")) {
          // BFMMLA: per 128-bit segment a 2x4 by 4x2 bf16 product into 2x2 fp32 = 16 MACs, twice
          // BFDOT's 8 (Arm Architecture Reference Manual, FEAT_BF16).
          add(path.units * (path.width / 128) * 32.0,
              fmt::format("BFMMLA, {} x {} 128-bit segments x 16 bf16 multiply-adds x 2; "
                          "assumes it issues on every FMA pipe",
                          path.what, path.width / 128),
              true);
        }
        break;
      case Precision::int8: {
        if (arm && has(path.sve ? "svei8mm" : "i8mm")) {
          // SMMLA: per 128-bit segment a 2x8 by 8x2 int8 product into 2x2 int32 = 32 MACs, twice
          // SDOT's 16 (Arm Architecture Reference Manual, FEAT_I8MM).
          add(path.units * (path.width / 128) * 64.0,
              fmt::format("SMMLA (I8MM), {} x {} 128-bit segments x 32 int8 multiply-adds x 2; "
                          "assumes it issues on every FMA pipe",
                          path.what, path.width / 128),
              true);
          break;
        }
        int dot_width = 0;
        std::string instruction;
        if (arm && (path.sve || has("asimddp"))) {
          dot_width = path.width;
          instruction = "SDOT";
        } else if (!arm && has("avx512_vnni")) {
          dot_width = path.width;
          instruction = "VPDPBUSD (AVX512-VNNI)";
        } else if (!arm && has("avx_vnni")) {
          dot_width = std::min(path.width, 256);
          instruction = "VPDPBUSD (AVX-VNNI)";
        }
        if (dot_width == 0) break;
        std::string what = path.what;
        if (dot_width != path.width) {
          what = fmt::format("{} x {}-bit", path.units, dot_width);
        }
        add(path.units * (dot_width / 32) * 8.0,
            fmt::format("{}, {} x {} 32-bit lanes x 4 int8 MACs x 2; assumes it issues on every "
                        "FMA pipe",
                        instruction, what, dot_width / 32),
            true);
        break;
      }
      default: break;
    }
  }
  // Intel AMX: one tile unit per core, whatever the FMA pipes (microarch.hpp, kAmx*).
  if (!arm) {
    auto amx = [&](std::string_view flag, int ops, std::string_view instruction,
                   std::string_view shape) {
      if (!has(flag)) return;
      rates.push_back(CoreRate{
          static_cast<double>(ops),
          fmt::format("{}: {}, 1 TMUL x {} ops per cycle ({} multiply-adds x 2 per 16 cycles; {})",
                      name, instruction, ops, shape, kAmxSource),
          false, false, "AMX"});
    };
    if (precision == Precision::bf16) {
      amx("amx_bf16", kAmxBf16OpsPerCycle, "AMX-BF16 TDPBF16PS", "16x16x32");
    } else if (precision == Precision::int8) {
      amx("amx_int8", kAmxInt8OpsPerCycle, "AMX-INT8 TDPBSSD", "16x16x64");
    } else if (precision == Precision::fp16) {
      amx("amx_fp16", kAmxFp16OpsPerCycle, "AMX-FP16 TDPFP16PS", "16x16x32");
    }
  }
  return rates;
}

constexpr std::array<Precision, 5> kCpuPrecisions = {
    Precision::fp64, Precision::fp32, Precision::fp16, Precision::bf16, Precision::int8};

struct CoreGroup {
  std::string unit;  // "core", "P-core", "E-core"
  long long units = 0;
  CoreDesign design;
  double clock_mhz = 0;
  std::vector<int> cpus;
  PeakOrigin design_origin = PeakOrigin::core_table;  // the table's row, or the CPU's flags
  PeakOrigin units_origin = PeakOrigin::core_table;   // where design.fma_units came from
  std::string units_note{};  // how a unit count not from the table was obtained
};

// The more a figure must be checked, the later: user, then cpu_flags, then core_table.
PeakOrigin weaker(PeakOrigin a, PeakOrigin b) {
  auto rank = [](PeakOrigin origin) {
    switch (origin) {
      case PeakOrigin::user: return 3;
      case PeakOrigin::cpu_flags: return 2;
      case PeakOrigin::core_table: return 1;
      case PeakOrigin::datasheet: return 0;
    }
    return 0;
  };
  return rank(a) >= rank(b) ? a : b;
}

// Peaks of a set of core groups at their clocks; a precision only when every group has it.
void cpu_peaks(const std::vector<CoreGroup>& groups, const CpuDetection& cpu,
               const std::string& clock_source, PeakTable& peaks, DerivationTable& derivations,
               bool& assumed) {
  for (Precision precision : kCpuPrecisions) {
    PeakDerivation derivation;
    std::string note;
    std::optional<PeakOrigin> origin;
    bool complete = true;
    bool group_assumed = false;
    for (const CoreGroup& group : groups) {
      auto per_cycle = core_ops_per_cycle(group.design, precision, cpu);
      if (!per_cycle) {
        complete = false;
        break;
      }
      group_assumed = group_assumed || per_cycle->assumed;
      derivation.terms.push_back(DerivationTerm{group.unit, static_cast<double>(group.units),
                                                per_cycle->ops_per_cycle, group.clock_mhz});
      note += (note.empty() ? "" : "; ") + per_cycle->note;
      PeakOrigin group_origin =
          per_cycle->uses_fma_units ? group.units_origin : group.design_origin;
      if (per_cycle->uses_fma_units && !group.units_note.empty()) {
        note += "; " + group.units_note;
      }
      origin = origin ? weaker(*origin, group_origin) : group_origin;
    }
    if (!complete || groups.empty()) continue;
    assumed = assumed || group_assumed;
    derivation.written_as_terms = groups.size() > 1;
    derivation.clock_source = clock_source;
    derivation.origin = origin;
    derivation.note = note;
    // Rounded to 0.1 like the bundled entries; the derivation stays within validation's 1%.
    peaks[precision] = round1(derivation.derived_gflops());
    derivations[precision] = derivation;
  }
}

std::optional<CoreDesign> design_for(const CpuDetection& cpu, const std::string& core_type) {
  if (cpu.isa.value_or("") == "x86_64") {
    if (!cpu.family || !cpu.model_number) return std::nullopt;
    return x86_core_design(cpu.vendor_id.value_or(""), *cpu.family, *cpu.model_number, core_type);
  }
  if (cpu.isa.value_or("") == "aarch64") {
    return arm_core_design(core_type.empty() ? (cpu.parts.empty() ? "" : cpu.parts.front())
                                             : core_type);
  }
  return std::nullopt;
}

// "GenuineIntel family 6 model 0xa7", "Arm part 0xfff": what the table was asked for.
std::string core_identity(const CpuDetection& cpu) {
  if (cpu.isa.value_or("") == "aarch64") {
    if (cpu.implementer && cpu.part) {
      std::string name = cpu.parts.empty() ? "" : cpu.parts.front();
      return fmt::format("implementer 0x{:02x} part 0x{:03x}{}", *cpu.implementer, *cpu.part,
                         name.empty() ? "" : " (" + name + ")");
    }
    return "this Arm core";
  }
  if (cpu.family && cpu.model_number) {
    return fmt::format("{} family 0x{:x} model 0x{:x}", cpu.vendor_id.value_or("?"), *cpu.family,
                       *cpu.model_number);
  }
  return cpu.model.value_or("this CPU");
}

// ---- GPU ------------------------------------------------------------------------------------

struct GpuRates {
  std::string_view capability;
  std::string_view architecture;
  int cores_per_sm;
  int fp64;  // ops per SM per clock (tensor cores where they are faster)
  // Tensor cores, dense, fp32 accumulation; professional and data-centre parts.
  int tf32, fp16, bf16, fp8, int8, int4;
  // GeForce parts halve the fp32-accumulate rates of 7.5, 8.6 and 8.9; -1 where they do not.
  int geforce_tf32, geforce_fp16, geforce_fp8;
  std::string_view source;
};

// Per-SM rates from NVIDIA's architecture whitepapers (Volta V100, Turing, A100 "NVIDIA Ampere
// GA100", GA102 "NVIDIA Ampere GA102 GPU Architecture", Ada "NVIDIA Ada GPU Architecture",
// H100 "NVIDIA H100 Tensor Core GPU Architecture"); the Orin iGPU (8.7) has A100-class tensor
// cores (see hardware_database/gpu/nvidia/jetson_orin_nano_gpu.json). Checks: A100 108 SMs x 2048
// x 1410 MHz = 312 TFLOPS fp16; H100 SXM5 132 x 4096 x 1830 = 989; RTX 4090 128 x 512 x 2520 =
// 165; L4 58 x 1024 x 2040 = 121.
constexpr std::array<GpuRates, 7> kGpuRates = {{
    {"7.0", "Volta", 64, 64, 0, 1024, 0, 0, 0, 0, -1, -1, -1, "NVIDIA Tesla V100 GPU Architecture"},
    {"7.5", "Turing", 64, 4, 0, 1024, 0, 0, 2048, 4096, -1, 512, -1,
     "NVIDIA Turing GPU Architecture"},
    {"8.0", "Ampere", 64, 128, 1024, 2048, 2048, 0, 4096, 8192, -1, -1, -1,
     "NVIDIA A100 Tensor Core GPU Architecture"},
    {"8.6", "Ampere", 128, 4, 512, 1024, 1024, 0, 2048, 4096, 256, 512, -1,
     "NVIDIA Ampere GA102 GPU Architecture"},
    {"8.7", "Ampere", 128, 0, 1024, 2048, 2048, 0, 4096, 0, -1, -1, -1,
     "NVIDIA A100 whitepaper (Orin's A100-class tensor cores)"},
    {"8.9", "Ada Lovelace", 128, 4, 512, 1024, 1024, 2048, 2048, 4096, 256, 512, 1024,
     "NVIDIA Ada GPU Architecture"},
    {"9.0", "Hopper", 128, 256, 2048, 4096, 4096, 8192, 8192, 0, -1, -1, -1,
     "NVIDIA H100 Tensor Core GPU Architecture"},
}};

const GpuRates* rates_for(const std::string& capability) {
  for (const GpuRates& rates : kGpuRates) {
    if (rates.capability == capability) return &rates;
  }
  return nullptr;
}

std::string product_model(const SystemInfo& system, const std::string& part) {
  if (system.board.device_tree_model.known()) {
    return fmt::format("{} ({})", *system.board.device_tree_model, part);
  }
  return "";
}

// Board signals for a Jetson: the device-tree model and its most specific compatible string.
std::optional<BoardSignals> jetson_signals(const SystemInfo& system) {
  if (!system.board.is_jetson()) return std::nullopt;
  BoardSignals signals;
  if (system.board.device_tree_model.known()) {
    signals.device_tree_model.push_back(regex_escape(*system.board.device_tree_model));
  }
  if (system.board.compatible.known() && !system.board.compatible->empty()) {
    signals.compatible.push_back(system.board.compatible->front());
  }
  for (const GpuDevice& gpu : system.gpus) {
    if (gpu.compute_capability.known()) {
      signals.compute_capability = *gpu.compute_capability;
      break;
    }
  }
  if (system.cpu.logical_cpus_present.known()) {
    signals.cpu_cores = *system.cpu.logical_cpus_present;
  }
  return signals;
}

std::string mhz_text(double mhz) { return fmt::format("{:g} MHz", mhz); }

}  // namespace

std::optional<CoreRate> core_ops_per_cycle(const CoreDesign& design, Precision precision,
                                           const CpuDetection& cpu) {
  std::vector<CoreRate> rates = core_rates(design, precision, cpu);
  if (rates.empty()) return std::nullopt;
  // The best rate counts; at a tie the later one (SVE over NEON, AMX over the vector units).
  std::size_t best = 0;
  for (std::size_t i = 1; i < rates.size(); ++i) {
    if (rates[i].ops_per_cycle >= rates[best].ops_per_cycle) best = i;
  }
  CoreRate rate = rates[best];
  std::string others;
  for (std::size_t i = 0; i < rates.size(); ++i) {
    if (i == best) continue;
    others += fmt::format("{}{} gives {:g}", others.empty() ? "" : ", ", rates[i].way,
                          rates[i].ops_per_cycle);
  }
  if (!others.empty()) {
    // "... x 2 = 128 per cycle, the best of the core's ways (...); assumes ..."
    const std::string best_of = fmt::format(" = {:g} per cycle, the best of the core's ways ({})",
                                            rate.ops_per_cycle, others);
    const std::size_t assumption = rate.note.find("; assumes");
    rate.note.insert(assumption == std::string::npos ? rate.note.size() : assumption, best_of);
  }
  return rate;
}

int infer_fma_units(const FmaCeiling& ceiling) {
  const double lanes = ceiling.vector_bits / 32.0;
  const double per_unit = ceiling.threads * ceiling.clock_mhz / 1000.0 * lanes * 2.0;
  if (per_unit <= 0) return 1;
  return std::max(1, static_cast<int>(std::lround(ceiling.gflops / per_unit)));
}

std::optional<double> smbios_bandwidth_gbps(const SystemInfo& system, std::string& why) {
  const MemoryDetection& memory = system.memory;
  int populated = 0;
  int width = 0;
  int speed = 0;
  for (const MemoryDevice& device : memory.devices) {
    if (!device.populated()) continue;
    ++populated;
    if (width == 0 || device.data_width_bits < width) width = device.data_width_bits;
    // The slowest module sets the pace of all of them.
    if (speed == 0 || device.effective_speed_mts() < speed) speed = device.effective_speed_mts();
  }
  if (populated > 0 && width > 0 && speed > 0) {
    return populated * (width / 8.0) * speed / 1000.0;
  }
  if (system.cpu.hypervisor) {
    why = "this is a virtual machine: the hypervisor hides the memory's speed and channels";
  } else if (memory.modules.problem.find("permission denied") != std::string::npos) {
    why = fmt::format(
        "SMBIOS is readable only by root ({}): run add_hardware --from-detection as root, or give "
        "the datasheet's figure",
        memory.modules.source);
  } else if (populated > 0) {
    why = fmt::format("SMBIOS gives no {} for the memory devices ({})",
                      width == 0 ? "data width" : "speed", memory.modules.value_or(""));
  } else if (!memory.modules.known()) {
    why = fmt::format("no SMBIOS memory records ({}: {})", memory.modules.source,
                      memory.modules.problem);
  } else {
    why = "SMBIOS lists no populated memory device";
  }
  return std::nullopt;
}

std::optional<int> cuda_cores_per_sm(const std::string& compute_capability) {
  if (const GpuRates* rates = rates_for(compute_capability)) return rates->cores_per_sm;
  return std::nullopt;
}

std::optional<std::string> gpu_architecture(const std::string& compute_capability) {
  if (const GpuRates* rates = rates_for(compute_capability)) {
    return std::string(rates->architecture);
  }
  return std::nullopt;
}

bool derive_gpu_peaks(const std::string& name, const std::string& compute_capability, long long sms,
                      double clock_mhz, const std::string& clock_source, PeakTable& peaks,
                      DerivationTable& derivations, std::string& reason) {
  const GpuRates* rates = rates_for(compute_capability);
  if (rates == nullptr) {
    reason = fmt::format("compute capability {} is not in hwcal's per-SM rate table",
                         compute_capability);
    return false;
  }
  const bool geforce = lower(name).find("geforce") != std::string::npos;
  auto put = [&](Precision precision, int per_sm, int geforce_per_sm, const std::string& note) {
    int ops = geforce && geforce_per_sm > 0 ? geforce_per_sm : per_sm;
    if (ops <= 0) return;
    PeakDerivation derivation;
    derivation.terms.push_back(
        DerivationTerm{"SM", static_cast<double>(sms), static_cast<double>(ops), clock_mhz});
    derivation.clock_source = clock_source;
    derivation.note = note + (geforce && geforce_per_sm > 0 ? " (GeForce rate)" : "") + "; " +
                      std::string(rates->source);
    peaks[precision] = round1(derivation.derived_gflops());
    derivations[precision] = derivation;
  };
  put(Precision::fp64, rates->fp64, -1,
      rates->fp64 >= 128 ? "fp64 tensor cores, per SM per clock" : "FP64 units per SM x 2 (FMA)");
  put(Precision::fp32, rates->cores_per_sm * 2, -1,
      fmt::format("{} FP32 cores per SM x 2 (FMA)", rates->cores_per_sm));
  put(Precision::tf32, rates->tf32, rates->geforce_tf32, "dense TF32 tensor ops per SM per clock");
  put(Precision::fp16, rates->fp16, rates->geforce_fp16,
      "dense FP16 tensor ops per SM per clock, fp32 accumulate");
  put(Precision::bf16, rates->bf16, rates->geforce_fp16,
      "dense BF16 tensor ops per SM per clock, fp32 accumulate");
  put(Precision::fp8_e4m3, rates->fp8, rates->geforce_fp8, "dense FP8 tensor ops per SM per clock");
  put(Precision::fp8_e5m2, rates->fp8, rates->geforce_fp8, "dense FP8 tensor ops per SM per clock");
  put(Precision::int8, rates->int8, -1, "dense INT8 tensor ops per SM per clock");
  put(Precision::int4, rates->int4, -1, "dense INT4 tensor ops per SM per clock");
  return true;
}

std::string suggest_id(const std::string& vendor, const std::string& model) {
  std::string text = model;
  for (const char* mark : {"(R)", "(r)", "(TM)", "(tm)"}) {
    for (std::size_t at = text.find(mark); at != std::string::npos; at = text.find(mark)) {
      text.erase(at, std::string(mark).size());
    }
  }
  if (std::size_t at = text.find(" @ "); at != std::string::npos) text.erase(at);
  text = std::regex_replace(text, std::regex("\\S+-Core\\b", std::regex::icase), " ");
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    static const std::vector<std::string> filler = {"cpu", "processor", "with", "graphics"};
    if (!word.empty() && std::find(filler.begin(), filler.end(), word) == filler.end()) {
      words.push_back(word);
    }
    word.clear();
  };
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      flush();
    }
  }
  flush();
  std::string slug = vendor_slug(vendor);
  std::string id = slug;
  for (const std::string& item : words) {
    if (item == slug) continue;
    id += (id.empty() ? "" : "_") + item;
  }
  return id.empty() ? "new_device" : id;
}

Draft draft_cpu_entry(const SystemInfo& system, const ClockMeasurer& measure) {
  CpuDraftInputs inputs;
  inputs.clock = measure;
  return draft_cpu_entry(system, inputs);
}

Draft draft_cpu_entry(const SystemInfo& system, const CpuDraftInputs& inputs) {
  Draft draft;
  const CpuDetection& cpu = system.cpu;
  HardwareSpec& spec = draft.spec;
  const bool jetson = system.board.is_jetson();
  spec.device_type = DeviceType::cpu;
  spec.platform = cpu.isa.value_or("");
  if (spec.platform.empty()) draft.to_fill.push_back("platform: /proc/cpuinfo could not be read");

  // Identity.
  if (jetson) {
    spec.vendor = "NVIDIA";
  } else {
    spec.vendor = cpu.vendor.value_or("");
    if (cpu.isa.value_or("") == "aarch64" && !spec.vendor.empty()) {
      draft.to_fill.push_back(fmt::format(
          "vendor: '{}' designed the cores; give the chip's vendor (e.g. Ampere Computing)",
          spec.vendor));
    }
  }
  if (spec.vendor.empty()) draft.to_fill.push_back("vendor: not readable");
  std::string model_string = cpu.model.value_or("");
  if (cpu.isa.value_or("") == "aarch64") {
    spec.model = product_model(system, "CPU");
    if (spec.model.empty()) {
      spec.model = model_string;
      draft.to_fill.push_back(fmt::format(
          "model: '{}' names the core, not the product: give the product name", model_string));
    }
  } else {
    spec.model = model_string;
  }
  if (spec.model.empty()) draft.to_fill.push_back("model: not readable");
  spec.architecture = cpu.microarchitecture.value_or("");
  if (spec.architecture.empty()) {
    spec.architecture = "unknown";
    draft.to_fill.push_back(fmt::format("architecture: {} ({})", cpu.microarchitecture.problem,
                                        cpu.microarchitecture.source));
  }
  spec.id = suggest_id(spec.vendor, spec.model);
  if (!model_string.empty()) {
    spec.detection_patterns = std::vector<std::string>{"^" + regex_escape(model_string) + "$"};
  }
  if (cpu.hypervisor) {
    draft.to_fill.push_back(fmt::format(
        "this is a virtual machine: '{}' may be the hypervisor's generic name rather than the "
        "SKU, and the pattern matches every machine that reports it; caches and clocks may be "
        "the host's or hidden",
        model_string));
  }
  spec.board_signals = jetson_signals(system);

  // Compute and caches.
  ComputeInfo compute;
  compute.unit_name = "core";
  long long units = cpu.physical_cores.value_or(0);
  if (jetson && cpu.logical_cpus_present.known() && cpu.logical_cpus.known() &&
      cpu.physical_cores.known() && *cpu.logical_cpus == *cpu.physical_cores &&
      *cpu.logical_cpus_present > *cpu.logical_cpus) {
    draft.notes.push_back(
        fmt::format("{} of {} CPUs are offline in this power mode; the device's peaks count all {}",
                    *cpu.logical_cpus_present - *cpu.logical_cpus, *cpu.logical_cpus_present,
                    *cpu.logical_cpus_present));
    units = *cpu.logical_cpus_present;
  }
  if (units > 0) compute.units = units;
  if (cpu.core_types.empty() && cpu.physical_cores.known() && cpu.logical_cpus.known() &&
      *cpu.physical_cores > 0 && *cpu.logical_cpus % *cpu.physical_cores == 0) {
    compute.threads_per_unit = *cpu.logical_cpus / *cpu.physical_cores;
  }
  if (cpu.base_clock_mhz.known()) compute.base_clock_mhz = *cpu.base_clock_mhz;
  if (cpu.max_clock_mhz.known()) compute.max_clock_mhz = *cpu.max_clock_mhz;
  compute.extra = Json::object();
  if (cpu.vector_isa.known()) compute.extra["vector_isa"] = *cpu.vector_isa;
  if (cpu.caches.known()) {
    spec.caches = *cpu.caches;
    if (cpu.logical_cpus_present.known() && cpu.logical_cpus.known() &&
        *cpu.logical_cpus_present > *cpu.logical_cpus) {
      draft.to_fill.push_back(fmt::format(
          "caches: the kernel lists the caches of online CPUs only ({} of {}): add the others'",
          *cpu.logical_cpus, *cpu.logical_cpus_present));
    }
  }

  // Core groups and their clocks. A core the table knows has its row (origin core_table); one it
  // does not is built from the CPU's flags, its FMA units given by the user or inferred below from
  // a measured FMA ceiling (origin cpu_flags).
  std::vector<CoreGroup> groups;
  std::string clock_source = "sysfs";
  bool derivable = true;
  std::string design_source;
  std::vector<std::string> caveats;
  const GivenCoreDesign& given = inputs.given;
  // A person's figures replace the table's; the derivation says so.
  auto apply_given = [&](CoreGroup& group, std::optional<int> given_units) {
    if (given.fma_width_bits && *given.fma_width_bits != group.design.fma_width_bits) {
      group.units_note =
          fmt::format("FMA width {} bits given by the user ({}: {})", *given.fma_width_bits,
                      group.design_origin == PeakOrigin::core_table
                          ? "the table says " + std::to_string(group.design.fma_width_bits)
                          : "the flags allow " + std::to_string(group.design.fma_width_bits),
                      group.unit);
      group.design.fma_width_bits = *given.fma_width_bits;
      group.units_origin = PeakOrigin::user;
    }
    if (given_units) {
      std::string was = group.design.fma_units > 0
                            ? fmt::format(" (the table says {})", group.design.fma_units)
                            : "";
      group.units_note +=
          fmt::format("{}FMA units per {} given by the user: {}{}",
                      group.units_note.empty() ? "" : "; ", group.unit, *given_units, was);
      group.design.fma_units = *given_units;
      group.units_origin = PeakOrigin::user;
    }
  };
  auto flags_group = [&](const std::string& unit, long long count, double clock,
                         std::vector<int> cpus) {
    CoreGroup group{unit, count, flags_core_design(cpu.isa.value_or(""), cpu.flags), clock,
                    std::move(cpus)};
    group.design.name = "CPU flags";
    group.design_origin = PeakOrigin::cpu_flags;
    group.units_origin = PeakOrigin::cpu_flags;
    return group;
  };
  if (!cpu.core_types.empty()) {
    Json types = Json::array();
    for (const CoreType& type : cpu.core_types) {
      auto design = design_for(cpu, type.name);
      auto units_given = given.fma_units_by_type.find(type.name);
      std::optional<int> type_units;
      if (units_given != given.fma_units_by_type.end()) type_units = units_given->second;
      Json item = Json::object();
      item["type"] = type.name;
      if (!type.microarchitecture.empty()) item["microarchitecture"] = type.microarchitecture;
      item["count"] = type.physical_cores.value_or(0);
      if (type.physical_cores.known() && *type.physical_cores > 0) {
        item["threads_per_core"] = static_cast<long long>(type.cpus.size()) / *type.physical_cores;
      }
      if (type.base_clock_mhz.known()) item["base_clock_mhz"] = *type.base_clock_mhz;
      if (type.max_clock_mhz.known()) item["max_clock_mhz"] = *type.max_clock_mhz;
      if (!type.physical_cores.known() || (!design && !type_units)) {
        derivable = false;
        types.push_back(item);
        draft.to_fill.push_back(fmt::format(
            "theoretical_peaks: core type {} is not in hwcal's core table (FMA units unknown; a "
            "hybrid's FMA ceiling mixes its core types, so none is inferred): give them with "
            "--set compute.core_types.N.fma_units_per_core=U",
            type.name));
        continue;
      }
      CoreGroup group = design ? CoreGroup{type.name, *type.physical_cores, *design,
                                           type.max_clock_mhz.value_or(0), type.cpus}
                               : flags_group(type.name, *type.physical_cores,
                                             type.max_clock_mhz.value_or(0), type.cpus);
      apply_given(group, type_units);
      item["fma_units_per_core"] = group.design.fma_units;
      item["fma_width_bits"] = std::min(group.design.fma_width_bits, isa_width_bits(cpu));
      item["fma_units_origin"] = std::string(to_string(group.units_origin));
      if (design) {
        design_source = std::string(design->source);
        if (!design->caveat.empty()) caveats.push_back(std::string(design->caveat));
      }
      types.push_back(item);
      groups.push_back(group);
    }
    compute.extra["core_types"] = types;
  } else if (units <= 0) {
    derivable = false;
    draft.to_fill.push_back("theoretical_peaks: the core count is not readable");
  } else {
    auto design = design_for(cpu, "");
    CoreGroup group =
        design
            ? CoreGroup{"core", units, *design, cpu.max_clock_mhz.value_or(0), cpu.one_cpu_per_core}
            : flags_group("core", units, cpu.max_clock_mhz.value_or(0), cpu.one_cpu_per_core);
    if (design) {
      design_source = std::string(design->source);
      if (!design->caveat.empty()) caveats.push_back(std::string(design->caveat));
    } else {
      draft.notes.push_back(fmt::format(
          "{} ({}) is not in hwcal's core table: the peaks are derived from the CPU's flags ({}), "
          "with FMA units per core {}",
          core_identity(cpu), cpu.microarchitecture.value_or(cpu.model.value_or("unknown")),
          cpu.vector_isa.value_or("no vector ISA"),
          given.fma_units ? "given by the user"
                          : "inferred from a measured FMA ceiling (or given with --set "
                            "compute.fma_units_per_core=N)"));
    }
    apply_given(group, given.fma_units);
    groups.push_back(group);
  }

  // Clocks nobody could read are measured under vector load, where that is allowed.
  for (CoreGroup& group : groups) {
    if (group.clock_mhz > 0) continue;
    std::string note;
    std::optional<double> measured;
    const ClockMeasurer& measure = inputs.clock;
    if (measure) {
      std::vector<int> all = group.cpus;
      std::vector<int> one = all.empty() ? std::vector<int>{} : std::vector<int>{all.front()};
      std::string one_note;
      std::optional<double> single = measure(one, one_note);
      std::optional<double> every = all.size() > 1 ? measure(all, note) : std::nullopt;
      if (single || every) {
        // The higher of the two: no run of the same code may exceed its peak.
        measured = std::max(single.value_or(0.0), every.value_or(0.0));
        note = one_note + (note.empty() ? "" : "; " + note);
      } else {
        note = one_note;
      }
    } else {
      note = "no clock measurement (detection under a sysroot describes another machine)";
    }
    if (!measured) {
      derivable = false;
      draft.to_fill.push_back(
          fmt::format("theoretical_peaks: no maximum clock readable ({}: {}) and {}",
                      cpu.max_clock_mhz.source, cpu.max_clock_mhz.problem, note));
      continue;
    }
    group.clock_mhz = std::round(*measured);
    clock_source = "measured";
    draft.notes.push_back(fmt::format("{} clock measured under vector load: {}", group.unit, note));
    draft.to_fill.push_back(fmt::format(
        "compute.max_clock_mhz: no cpufreq maximum was readable ({}), so the peaks use a clock "
        "measured under vector load ({:g} MHz); replace it with the datasheet's if you know it",
        cpu.max_clock_mhz.problem, group.clock_mhz));
    if (groups.size() == 1) compute.extra["measured_clock_mhz"] = group.clock_mhz;
  }

  // A core the table does not know: its FMA units from the fp32 FMA ceiling measured at the
  // measured clock, rounded to whole units; without a measurement only the matrix units' peaks
  // (which need no unit count) are derived.
  for (CoreGroup& group : groups) {
    if (group.design.fma_units > 0) continue;
    std::string note;
    std::optional<FmaCeiling> ceiling;
    if (inputs.fma_ceiling && derivable) {
      ceiling = inputs.fma_ceiling(group.cpus, note);
    } else if (!inputs.fma_ceiling) {
      note =
          "no FMA measurement (detection under a sysroot describes another machine, or "
          "--no-measure)";
    } else {
      note = "no clock to measure it at";
    }
    if (!ceiling || ceiling->gflops <= 0 || ceiling->threads <= 0 || ceiling->clock_mhz <= 0 ||
        ceiling->vector_bits <= 0) {
      if (ceiling) note = fmt::format("the measurement gave nothing usable ({})", note);
      draft.to_fill.push_back(fmt::format(
          "theoretical_peaks: FMA units per {} unknown ({} is not in hwcal's core table and {}); "
          "the peaks that need them are left out: give them with --set "
          "compute.fma_units_per_core=N",
          group.unit, core_identity(cpu), note));
      continue;
    }
    const int inferred = infer_fma_units(*ceiling);
    group.design.fma_units = inferred;
    group.design.fma_width_bits = ceiling->vector_bits;
    group.units_note = fmt::format(
        "FMA units per core inferred from the measured FMA ceiling {:.1f} GFLOPS at {:g} MHz: {} "
        "({} on {} core{}: {:.1f} / ({} x {:g} GHz x {} fp32 lanes x 2) = {:.2f})",
        ceiling->gflops, ceiling->clock_mhz, inferred, ceiling->kernel, ceiling->threads,
        ceiling->threads == 1 ? "" : "s", ceiling->gflops, ceiling->threads,
        ceiling->clock_mhz / 1000.0, ceiling->vector_bits / 32,
        ceiling->gflops /
            (ceiling->threads * ceiling->clock_mhz / 1000.0 * (ceiling->vector_bits / 32) * 2.0));
    draft.notes.push_back(group.units_note + (note.empty() ? "" : " [" + note + "]"));
    draft.to_fill.push_back(fmt::format(
        "check: FMA units per {} ({}) were inferred from a measured FMA ceiling, not read from a "
        "datasheet; correct them with --set compute.fma_units_per_core=N{}",
        group.unit, inferred,
        cpu.hypervisor ? " (on a virtual machine a vCPU may be one SMT thread of a core, which "
                         "halves the ceiling)"
                       : ""));
    design_source = "the CPU's flags, FMA units inferred from a measured FMA ceiling";
  }
  for (const CoreGroup& group : groups) {
    if (group.design_origin == PeakOrigin::cpu_flags && group.units_origin == PeakOrigin::user &&
        design_source.empty()) {
      design_source = "the CPU's flags, FMA units given by the user";
    }
  }
  if (groups.size() == 1 && cpu.core_types.empty()) {
    const CoreGroup& group = groups.front();
    if (group.design.fma_units > 0) {
      compute.extra["fma_units_per_core"] = group.design.fma_units;
      compute.extra["fma_width_bits"] = std::min(group.design.fma_width_bits, isa_width_bits(cpu));
      compute.extra["fma_units_origin"] = std::string(to_string(group.units_origin));
    }
  }
  if (cpu.sve_vector_length_bits.known()) {
    compute.extra["sve_vector_length_bits"] = *cpu.sve_vector_length_bits;
    bool sve_counted = false;
    for (const CoreGroup& group : groups) sve_counted = sve_counted || group.design.sve_units > 0;
    if (!sve_counted) {
      draft.to_fill.push_back(fmt::format(
          "check: SVE ({} bits) is not counted: hwcal's table has no SVE pipe figures for this "
          "core, so the peaks are the NEON ones (the same on Neoverse N2 and V2, whose SVE runs "
          "on the NEON pipes; not on A64FX)",
          *cpu.sve_vector_length_bits));
    }
  } else if (!cpu.sve_vector_length_bits.source.empty()) {
    draft.to_fill.push_back(fmt::format(
        "check: the SVE vector length is unknown ({}: {}): the peaks use NEON's 128 bits",
        cpu.sve_vector_length_bits.source, cpu.sve_vector_length_bits.problem));
  }
  spec.compute = compute;

  bool assumed = false;
  if (derivable && !groups.empty()) {
    cpu_peaks(groups, cpu, clock_source, spec.theoretical_peaks, spec.peak_derivation, assumed);
  }
  if (assumed) {
    draft.to_fill.push_back(
        "check: the int8 and bf16 peaks assume the dot-product instructions issue on every FMA "
        "pipe (see each peak_derivation note)");
  }
  for (const std::string& caveat : caveats) draft.to_fill.push_back("check: " + caveat);

  // A Jetson's power modes come from its nvpmodel conf: each caps CPU clock and online CPUs.
  const auto& conf = system.board.power_mode.conf;
  if (jetson && conf && !conf->modes.empty() && groups.size() == 1 && derivable) {
    for (const NvpModelMode& item : conf->modes) {
      PowerMode mode;
      mode.name = item.name;
      mode.nvpmodel_id = item.id;
      double cpu_mhz = item.cpu_max_mhz.value_or(groups.front().clock_mhz);
      mode.clocks_mhz["cpu"] = cpu_mhz;
      if (item.gpu_max_mhz) {
        mode.clocks_mhz["gpu"] = *item.gpu_max_mhz;
      } else if (!system.gpus.empty() && system.gpus.front().max_clock_mhz.known()) {
        mode.clocks_mhz["gpu"] = *system.gpus.front().max_clock_mhz;
      }
      if (item.emc_max_mhz) mode.clocks_mhz["emc"] = *item.emc_max_mhz;
      if (item.online_cpus) mode.online_cpus = *item.online_cpus;
      CoreGroup group = groups.front();
      group.units = item.online_cpus.value_or(group.units);
      group.clock_mhz = cpu_mhz;
      bool ignored = false;
      cpu_peaks({group}, cpu, "nvpmodel", mode.theoretical_peaks, mode.peak_derivation, ignored);
      spec.power_modes.push_back(mode);
    }
    if (conf->default_id) {
      if (const NvpModelMode* item = conf->find(*conf->default_id)) {
        spec.default_power_mode = item->name;
      }
    }
    draft.notes.push_back(
        fmt::format("{} power modes from /etc/nvpmodel.conf", conf->modes.size()));
    draft.to_fill.push_back(
        "power_modes: peak_bandwidth_gbps and tdp_watts per mode (EMC caps are in clocks_mhz)");
  }

  // DRAM bandwidth: from SMBIOS where it is readable, else unknown with the reason.
  std::string unknown_why;
  if (auto bandwidth = smbios_bandwidth_gbps(system, unknown_why)) {
    spec.peak_bandwidth_gbps = round1(*bandwidth);
    MemoryInfo memory;
    long long populated = 0;
    int narrowest = 0;
    int slowest = 0;
    std::uint64_t bytes = 0;
    for (const MemoryDevice& device : system.memory.devices) {
      if (!device.populated()) continue;
      ++populated;
      bytes += device.size_bytes;
      if (!device.type.empty()) memory.type = device.type;
      if (narrowest == 0 || device.data_width_bits < narrowest) narrowest = device.data_width_bits;
      if (slowest == 0 || device.effective_speed_mts() < slowest) {
        slowest = device.effective_speed_mts();
      }
    }
    memory.bus_width_bits = populated * narrowest;
    memory.data_rate_mts = slowest;
    memory.channels = populated;
    memory.size_gb = round1(static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
    spec.memory = memory;
    draft.notes.push_back(fmt::format(
        "peak_bandwidth_gbps from SMBIOS: {} populated memory devices x {} bits / 8 x {} MT/s = "
        "{:.1f} GB/s ({})",
        populated, narrowest, slowest, *bandwidth, system.memory.modules.value_or("")));
    draft.to_fill.push_back(
        "check: peak_bandwidth_gbps assumes one memory channel per populated DIMM (SMBIOS does not "
        "say how the controller groups them); correct it with the datasheet's figure");
  } else {
    spec.peak_bandwidth_gbps = 0;
    spec.peak_bandwidth_unknown = unknown_why;
    draft.to_fill.push_back(fmt::format(
        "peak_bandwidth_gbps: unknown ({}); where you know it, give the datasheet figure, e.g. "
        "--set peak_bandwidth_gbps=76.8",
        unknown_why));
  }

  // What detection read is its own source; the datasheet figures are a person's to add.
  Source detected;
  detected.title = "Detected on this machine by hwcal add_hardware --from-detection";
  std::vector<std::string> covers = {"/compute"};
  if (spec.caches) covers.push_back("/caches");
  if (!spec.peak_derivation.empty()) covers.push_back("/peak_derivation");
  if (spec.memory) {
    covers.push_back("/memory");
    covers.push_back("/peak_bandwidth_gbps");
  }
  if (!spec.power_modes.empty()) covers.push_back("/power_modes");
  if (spec.default_power_mode) covers.push_back("/default_power_mode");
  detected.covers = covers;
  std::string how = "CPU from /proc/cpuinfo and /sys/devices/system/cpu";
  if (!design_source.empty()) how += "; FMA units per core: " + design_source;
  how += clock_source == "measured" ? "; clock measured under vector load (no cpufreq)"
                                    : "; clocks from cpufreq (cpuinfo_max_freq)";
  if (!spec.power_modes.empty()) how += "; power modes from /etc/nvpmodel.conf";
  if (spec.memory) how += "; memory from SMBIOS type 17 (/sys/firmware/dmi/entries)";
  detected.note = how;
  spec.sources = std::vector<Source>{detected};

  draft.to_fill.push_back(
      "sources: a datasheet for the bandwidth and for the clocks the peaks use");
  if (system.memory.total_bytes.known() && !spec.memory) {
    draft.notes.push_back(fmt::format(
        "the OS manages {:.1f} GiB (MemTotal); memory.size_gb is the installed size: give it",
        static_cast<double>(*system.memory.total_bytes) / (1024.0 * 1024.0 * 1024.0)));
  }
  return draft;
}

Draft draft_gpu_entry(const SystemInfo& system, const GpuDevice& gpu) {
  Draft draft;
  HardwareSpec& spec = draft.spec;
  const bool jetson = system.board.is_jetson();
  spec.device_type = DeviceType::gpu;
  spec.vendor = "NVIDIA";
  spec.platform = system.cpu.isa.value_or("");
  std::string name = gpu.name.value_or("");
  spec.model = jetson ? product_model(system, "GPU") : name;
  if (spec.model.empty()) spec.model = name;
  if (spec.model.empty()) {
    draft.to_fill.push_back(fmt::format("model: the GPU's name is unknown ({}: {})",
                                        gpu.name.source, gpu.name.problem));
  }
  std::string capability = gpu.compute_capability.value_or("");
  spec.architecture = gpu_architecture(capability).value_or("unknown");
  if (spec.architecture == "unknown") {
    draft.to_fill.push_back(
        capability.empty()
            ? fmt::format("architecture: the compute capability is unknown ({}: {})",
                          gpu.compute_capability.source, gpu.compute_capability.problem)
            : fmt::format("architecture: compute capability {} is not in hwcal's table",
                          capability));
  }
  spec.id = suggest_id(spec.vendor, spec.model.empty() ? "gpu" : spec.model);
  if (!name.empty())
    spec.detection_patterns = std::vector<std::string>{"^" + regex_escape(name) + "$"};
  spec.board_signals = jetson_signals(system);

  ComputeInfo compute;
  compute.unit_name = "SM";
  if (gpu.multiprocessors.known()) compute.units = *gpu.multiprocessors;
  if (auto cores = cuda_cores_per_sm(capability)) compute.cores_per_unit = *cores;
  if (gpu.max_clock_mhz.known()) compute.max_clock_mhz = *gpu.max_clock_mhz;
  compute.extra = Json::object();
  if (!capability.empty()) compute.extra["compute_capability"] = capability;
  spec.compute = compute;

  const std::string clock_source = gpu.source == "tegra devfreq" ? "sysfs" : "driver";
  if (gpu.multiprocessors.known() && gpu.max_clock_mhz.known() && !capability.empty()) {
    std::string reason;
    if (!derive_gpu_peaks(name, capability, *gpu.multiprocessors, *gpu.max_clock_mhz, clock_source,
                          spec.theoretical_peaks, spec.peak_derivation, reason)) {
      draft.to_fill.push_back("theoretical_peaks: " + reason);
    } else {
      draft.to_fill.push_back(fmt::format(
          "check: tensor-core peaks use the SM clock {}; NVIDIA quotes some parts' tensor "
          "figures at a lower clock (H100 SXM5: 1830 of 1980 MHz)",
          mhz_text(*gpu.max_clock_mhz)));
    }
  } else {
    std::vector<std::string> missing;
    if (!gpu.multiprocessors.known()) {
      missing.push_back(fmt::format("the SM count ({})", gpu.multiprocessors.problem));
    }
    if (!gpu.max_clock_mhz.known()) {
      missing.push_back(fmt::format("the maximum clock ({})", gpu.max_clock_mhz.problem));
    }
    if (capability.empty()) missing.push_back("the compute capability");
    std::string list;
    for (const std::string& item : missing) list += (list.empty() ? "" : ", ") + item;
    draft.to_fill.push_back(
        "theoretical_peaks: not derived, unknown: " + list +
        "; --set compute.units=N (and compute.max_clock_mhz, compute.compute_capability) derives "
        "them");
  }

  if (gpu.memory_bus_width_bits.known() && gpu.memory_clock_mhz.known()) {
    // Double data rate: two transfers per memory clock, as the CUDA samples compute it.
    spec.peak_bandwidth_gbps =
        round1(*gpu.memory_bus_width_bits / 8.0 * *gpu.memory_clock_mhz * 2.0 / 1000.0);
    MemoryInfo memory;
    memory.bus_width_bits = *gpu.memory_bus_width_bits;
    memory.data_rate_mts = *gpu.memory_clock_mhz * 2.0;
    spec.memory = memory;
    draft.to_fill.push_back(
        "check: peak_bandwidth_gbps assumes two transfers per reported memory clock");
  } else {
    draft.to_fill.push_back(fmt::format(
        "peak_bandwidth_gbps: the memory bus width is unknown ({}); give the datasheet figure",
        gpu.memory_bus_width_bits.problem.empty() ? "not read"
                                                  : gpu.memory_bus_width_bits.problem));
  }

  Source detected;
  detected.title = "Detected on this machine by hwcal add_hardware --from-detection";
  std::vector<std::string> covers = {"/compute"};
  if (!spec.peak_derivation.empty()) covers.push_back("/peak_derivation");
  if (spec.memory) covers.push_back("/memory");
  detected.covers = covers;
  detected.note = fmt::format(
      "GPU from {}; per-SM rates from the architecture whitepaper named in "
      "each derivation",
      gpu.source);
  spec.sources = std::vector<Source>{detected};
  draft.to_fill.push_back("sources: the datasheet for the peaks and the bandwidth");
  if (jetson) {
    draft.to_fill.push_back(
        "power_modes: a Jetson GPU's modes cap its clock and power-gate TPCs (TPC_PG_MASK in "
        "/etc/nvpmodel.conf); add them per mode");
  }
  return draft;
}

}  // namespace hwcal
