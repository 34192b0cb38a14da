// Peak arithmetic of Intel AMX's tile matrix unit (TMUL), one thread per core: the bf16 and int8
// ceilings on Sapphire Rapids and later, where the vector dot products (VDPBF16PS, VPDPBUSD) reach
// a fraction of what the matrix unit does.
//
// Each thread configures its own tiles (the tile configuration is per thread), loads two A tiles
// (tmm4, tmm5) and two B tiles (tmm6, tmm7) once, then issues four independent tile products per
// iteration into four accumulators (tmm0..tmm3, a 2 x 2 block as a GEMM's inner loop does). A
// product occupies the TMUL for 16 cycles and its result is ready after about 52 (Intel 64 and
// IA-32 Architectures Optimization Reference Manual, AMX chapter), so four chains (64 cycles per
// iteration) keep it busy: throughput, not latency, bounds the loop. The accumulators are stored
// at the end and checked: the operands are chosen so that every product sums to zero (each pair
// or group of four in K cancels), so the accumulators must come back exactly as they went in.
//
// On Linux the tile data state (XTILEDATA, 8 KiB per thread) must be requested once per process
// with arch_prctl(ARCH_REQ_XCOMP_PERM) before the first tile instruction; without it the first
// one kills the process with SIGILL. The kernels ask in their availability check and are
// unavailable, saying why, when the CPU, the OS or that request says no.
#include "measure/kernels/cpu_amx.hpp"

#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "base/thread_team.hpp"
#include "measure/kernels.hpp"

#if defined(__x86_64__) && defined(__linux__)
#define HWCAL_AMX_KERNELS 1
#include <asm/prctl.h>
#include <immintrin.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#else
#define HWCAL_AMX_KERNELS 0
#endif

namespace hwcal {

#if HWCAL_AMX_KERNELS

// From the kernel's arch/x86/include/uapi/asm/prctl.h (Linux 5.16), for older headers.
#ifndef ARCH_REQ_XCOMP_PERM
#define ARCH_REQ_XCOMP_PERM 0x1023
#endif

namespace {

constexpr int kXfeatureXtiledata = 18;  // the XSAVE state component of the tile data

// Asked once per process: the permission holds for every thread of the process, those already
// running included.
const std::string& tile_permission() {
  static const std::string reason = [] {
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, kXfeatureXtiledata) == 0) return std::string();
    return fmt::format("arch_prctl(ARCH_REQ_XCOMP_PERM, XTILEDATA) failed: {}",
                       std::strerror(errno));
  }();
  return reason;
}

// The 64-byte tile configuration (palette 1): byte 0 the palette, byte 1 the start row, bytes
// 16-47 each tile's bytes per row, bytes 48-63 its rows. Tiles 0-7, 16 rows of 64 bytes each.
// A constant in read-only memory: GCC's _tile_loadconfig tells the compiler it reads only the
// first 8 bytes, so a configuration built on the stack could lose the stores of the rest.
struct alignas(64) TileConfig {
  std::uint8_t palette;
  std::uint8_t start_row;
  std::uint8_t reserved[14];
  std::uint16_t bytes_per_row[16];
  std::uint8_t rows[16];
};
static_assert(sizeof(TileConfig) == 64, "the tile configuration is 64 bytes");

constexpr std::uint16_t kB = kAmxTileRowBytes;
constexpr std::uint8_t kR = kAmxTileRows;
const TileConfig kTileConfig = {
    1, 0, {}, {kB, kB, kB, kB, kB, kB, kB, kB}, {kR, kR, kR, kR, kR, kR, kR, kR}};

// The operands of one thread's loop and the accumulators' starting values, raw bytes.
struct alignas(64) TileOperands {
  std::uint8_t a[2][kAmxTileBytes];
  std::uint8_t b[2][kAmxTileBytes];
  std::uint8_t c[4][kAmxTileBytes];
};
using Accumulators = std::uint8_t[4][kAmxTileBytes];

// GCC's tile loads are asm statements that name the address but not the memory behind it: this
// tells the compiler that memory is read, so the stores that filled it happen first.
inline void memory_is_read(const void* address) {
  __asm__ __volatile__("" : : "r"(address) : "memory");
}

std::uint16_t bf16_bits(float value) {  // exact for the small dyadic values used here
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  return static_cast<std::uint16_t>(bits >> 16);
}

#pragma GCC push_options
#pragma GCC target("amx-tile,amx-bf16,amx-int8")

void load_operands(const TileOperands& tiles) {
  memory_is_read(&tiles);
  _tile_loadconfig(&kTileConfig);
  _tile_loadd(0, tiles.c[0], kAmxTileRowBytes);
  _tile_loadd(1, tiles.c[1], kAmxTileRowBytes);
  _tile_loadd(2, tiles.c[2], kAmxTileRowBytes);
  _tile_loadd(3, tiles.c[3], kAmxTileRowBytes);
  _tile_loadd(4, tiles.a[0], kAmxTileRowBytes);
  _tile_loadd(5, tiles.a[1], kAmxTileRowBytes);
  _tile_loadd(6, tiles.b[0], kAmxTileRowBytes);
  _tile_loadd(7, tiles.b[1], kAmxTileRowBytes);
}

void store_accumulators(Accumulators& out) {
  _tile_stored(0, out[0], kAmxTileRowBytes);
  _tile_stored(1, out[1], kAmxTileRowBytes);
  _tile_stored(2, out[2], kAmxTileRowBytes);
  _tile_stored(3, out[3], kAmxTileRowBytes);
  _tile_release();
}

// TDPBF16PS tmm_c, tmm_a, tmm_b: C (16 x 16 fp32) += A (16 x 32 bf16) B (32 x 16 bf16), that is
// 16 x 16 x 32 = 8192 multiply-adds = 16384 flops per instruction, 4 per iteration.
void amx_bf16_loop(const TileOperands& tiles, long long iterations, Accumulators& out) {
  load_operands(tiles);
  for (long long it = 0; it < iterations; ++it) {
    _tile_dpbf16ps(0, 4, 6);
    _tile_dpbf16ps(1, 4, 7);
    _tile_dpbf16ps(2, 5, 6);
    _tile_dpbf16ps(3, 5, 7);
  }
  store_accumulators(out);
}

// TDPBSSD tmm_c, tmm_a, tmm_b: C (16 x 16 int32) += A (16 x 64 int8) B (64 x 16 int8), that is
// 16 x 16 x 64 = 16384 multiply-adds = 32768 operations per instruction, 4 per iteration.
void amx_int8_loop(const TileOperands& tiles, long long iterations, Accumulators& out) {
  load_operands(tiles);
  for (long long it = 0; it < iterations; ++it) {
    _tile_dpbssd(0, 4, 6);
    _tile_dpbssd(1, 4, 7);
    _tile_dpbssd(2, 5, 6);
    _tile_dpbssd(3, 5, 7);
  }
  store_accumulators(out);
}

// One tile product C += A B with either instruction, for the tests' comparison with a scalar
// reference. The tile numbers are immediates, so the instruction is a template parameter; both
// instances are instantiated here, inside the AMX target region (a template instance takes no
// target from its caller).
enum class TileProduct { bf16, int8 };

template <TileProduct kProduct>
void one_tile_product(const void* a, const void* b, void* c) {
  memory_is_read(a);
  memory_is_read(b);
  memory_is_read(c);
  _tile_loadconfig(&kTileConfig);
  _tile_loadd(0, c, kAmxTileRowBytes);
  _tile_loadd(4, a, kAmxTileRowBytes);
  _tile_loadd(6, b, kAmxTileRowBytes);
  if constexpr (kProduct == TileProduct::bf16) {
    _tile_dpbf16ps(0, 4, 6);
  } else {
    _tile_dpbssd(0, 4, 6);
  }
  _tile_stored(0, c, kAmxTileRowBytes);
  _tile_release();
}

template void one_tile_product<TileProduct::bf16>(const void*, const void*, void*);
template void one_tile_product<TileProduct::int8>(const void*, const void*, void*);

#pragma GCC pop_options

// What the kernels differ in: the loop, the operands, and how the accumulators read.
struct AmxVariant {
  void (*loop)(const TileOperands&, long long, Accumulators&);
  void (*fill)(TileOperands&);
  double (*sum)(const Accumulators&);
};

// bf16: A[m][k] = A[m][k^1] (pairs along K equal) and B's pair (+s, -s), so every pair of
// products cancels: a s - a s = 0, exactly, in fp32. All values are small multiples of 1/64, so
// the accumulators (multiples of 1/8 below 4) stay exact.
void fill_bf16(TileOperands& tiles) {
  for (int t = 0; t < 2; ++t) {
    auto* a = reinterpret_cast<std::uint16_t*>(tiles.a[t]);
    auto* b = reinterpret_cast<std::uint16_t*>(tiles.b[t]);
    for (int row = 0; row < kAmxTileRows; ++row) {
      for (int pair = 0; pair < 16; ++pair) {
        const float value = 0.25f * static_cast<float>(1 + (row + pair + t) % 4);
        a[row * 32 + 2 * pair] = a[row * 32 + 2 * pair + 1] = bf16_bits(value);
        const float s = 0.5f * static_cast<float>(1 + (row + pair + t) % 3);
        b[row * 32 + 2 * pair] = bf16_bits(s);
        b[row * 32 + 2 * pair + 1] = bf16_bits(-s);
      }
    }
  }
  for (int t = 0; t < 4; ++t) {
    auto* c = reinterpret_cast<float*>(tiles.c[t]);
    for (int i = 0; i < 256; ++i) c[i] = 0.125f * static_cast<float>((i + 7 * t) % 32);
  }
}

double sum_fp32(const Accumulators& tiles) {
  double total = 0;
  for (const auto& tile : tiles) {
    const auto* c = reinterpret_cast<const float*>(tile);
    for (int i = 0; i < 256; ++i) total += static_cast<double>(c[i]);
  }
  return total;
}

// int8: each group of four bytes of an A row is (a, -a, a, -a), B's group repeats one value s:
// a s - a s + a s - a s = 0.
void fill_int8(TileOperands& tiles) {
  for (int t = 0; t < 2; ++t) {
    auto* a = reinterpret_cast<std::int8_t*>(tiles.a[t]);
    auto* b = reinterpret_cast<std::int8_t*>(tiles.b[t]);
    for (int row = 0; row < kAmxTileRows; ++row) {
      for (int group = 0; group < 16; ++group) {
        const auto value = static_cast<std::int8_t>(1 + (row + group + t) % 5);
        const auto s = static_cast<std::int8_t>(1 + (row + 2 * group + t) % 7);
        for (int i = 0; i < 4; ++i) {
          a[row * 64 + 4 * group + i] = i % 2 == 0 ? value : static_cast<std::int8_t>(-value);
          b[row * 64 + 4 * group + i] = s;
        }
      }
    }
  }
  for (int t = 0; t < 4; ++t) {
    auto* c = reinterpret_cast<std::int32_t*>(tiles.c[t]);
    for (int i = 0; i < 256; ++i) c[i] = i - 100 + 3 * t;
  }
}

double sum_int32(const Accumulators& tiles) {
  double total = 0;
  for (const auto& tile : tiles) {
    const auto* c = reinterpret_cast<const std::int32_t*>(tile);
    for (int i = 0; i < 256; ++i) total += c[i];
  }
  return total;
}

class AmxKernel : public PreparedKernel {
 public:
  AmxKernel(const AmxVariant& variant, long long iterations, const KernelEnv& env)
      : variant_(variant),
        iterations_(iterations),
        operands_(new TileOperands()),
        team_(env.cpus),
        sums_(team_.size(), 0) {
    variant_.fill(*operands_);
    Accumulators start;
    std::memcpy(start, operands_->c, sizeof start);
    expected_ = variant_.sum(start);
  }
  void run() override {
    team_.run([this](std::size_t index) {
      alignas(64) Accumulators out;
      variant_.loop(*operands_, iterations_, out);
      sums_[index] = variant_.sum(out);
    });
  }
  std::string verify() override {
    for (std::size_t i = 0; i < sums_.size(); ++i) {
      if (sums_[i] != expected_) {
        return fmt::format(
            "thread {}: the accumulator tiles sum to {} after the loop, not {} (their products "
            "cancel, so they must come back unchanged)",
            i, sums_[i], expected_);
      }
    }
    return "";
  }
  std::size_t threads_used() const override { return team_.size(); }

 private:
  AmxVariant variant_;
  long long iterations_;
  std::unique_ptr<TileOperands> operands_;
  ThreadTeam team_;
  std::vector<double> sums_;
  double expected_ = 0;
};

KernelDescriptor amx_peak(const char* id, const char* description, Precision precision,
                          double ops_per_iteration, AmxVariant variant, bool CpuFeatures::*feature,
                          const char* name) {
  KernelDescriptor d =
      kernel_descriptor(id, description, "cpu", "native", precision, KernelClass::peak_fma);
  d.unavailable_reason = [feature, name](const KernelEnv& env) {
    return amx_unavailable_reason(env.cpu, feature, name);
  };
  d.flops = with_shape<PeakShape>([ops_per_iteration](const PeakShape& s, const KernelEnv& env) {
    return ops_per_iteration * static_cast<double>(s.iterations) *
           static_cast<double>(env.threads());
  });
  d.bytes = [](const KernelShape&, const KernelEnv&) { return 0.0; };
  d.prepare =
      with_shape<PeakShape>([variant, feature, name](const PeakShape& s, const KernelEnv& env) {
        // Never a tile instruction without the permission: that would be SIGILL, not an error.
        std::string reason = amx_unavailable_reason(env.cpu, feature, name);
        if (!reason.empty()) throw KernelUnsupported(reason);
        return std::unique_ptr<PreparedKernel>(new AmxKernel(variant, s.iterations, env));
      });
  return d;
}

// The host's own features: the tile products are called outside any kernel environment.
void require_host_amx(bool CpuFeatures::*feature, const char* name) {
  std::string reason = amx_unavailable_reason(host_cpu_features(), feature, name);
  if (!reason.empty()) throw KernelUnsupported(reason);
}

}  // namespace

std::string amx_unavailable_reason(const CpuFeatures& cpu, bool CpuFeatures::*feature,
                                   const char* name) {
  if (!(cpu.*feature)) return fmt::format("this CPU (or the OS) does not offer {}", name);
  return tile_permission();
}

void amx_tile_dpbf16ps(const std::uint16_t* a, const std::uint16_t* b, float* c) {
  require_host_amx(&CpuFeatures::amx_bf16, "AMX-BF16");
  one_tile_product<TileProduct::bf16>(a, b, c);
}

void amx_tile_dpbssd(const std::int8_t* a, const std::int8_t* b, std::int32_t* c) {
  require_host_amx(&CpuFeatures::amx_int8, "AMX-INT8");
  one_tile_product<TileProduct::int8>(a, b, c);
}

std::vector<KernelDescriptor> cpu_amx_kernels() {
  // ops per iteration = 4 tile products x their multiply-adds x 2
  return {amx_peak("cpu_fma_bf16_amx", "bf16 tile products, AMX tdpbf16ps (4 x 16x16x32 x 2 flops)",
                   Precision::bf16, 4 * 16384, {amx_bf16_loop, fill_bf16, sum_fp32},
                   &CpuFeatures::amx_bf16, "AMX-BF16"),
          amx_peak("cpu_fma_int8_amx", "int8 tile products, AMX tdpbssd (4 x 16x16x64 x 2 ops)",
                   Precision::int8, 4 * 32768, {amx_int8_loop, fill_int8, sum_int32},
                   &CpuFeatures::amx_int8, "AMX-INT8")};
}

#else  // not x86_64 Linux: no AMX kernels, as there are no AVX kernels on aarch64.

std::string amx_unavailable_reason(const CpuFeatures&, bool CpuFeatures::*, const char*) {
  return "AMX kernels exist only on x86_64 Linux";
}

void amx_tile_dpbf16ps(const std::uint16_t*, const std::uint16_t*, float*) {
  throw KernelUnsupported("AMX kernels exist only on x86_64 Linux");
}

void amx_tile_dpbssd(const std::int8_t*, const std::int8_t*, std::int32_t*) {
  throw KernelUnsupported("AMX kernels exist only on x86_64 Linux");
}

std::vector<KernelDescriptor> cpu_amx_kernels() { return {}; }

#endif

}  // namespace hwcal
