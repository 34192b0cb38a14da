// Memory bandwidth: the four STREAM kernels (copy, scale, add, triad on arrays of doubles) and
// memcpy, one thread per core. Each thread owns a contiguous slice of every array, touches it
// first (so the pages sit on its NUMA node) and is the only one to use it. One call makes
// `repeats` passes, so that a cache-resident size still lasts long enough to time. Bytes follow
// the STREAM convention: copy and scale move 2 arrays, add and triad 3 (write-allocate traffic
// is not counted), memcpy 2.
//
// Setting up a 1 GiB DRAM size is most of a memory kernel's time, so the arrays are asked for in
// transparent huge pages (512 times fewer page faults; STREAM on a machine with THP "always" gets
// them anyway) and filled with a cheap pattern rather than hashed random numbers: the loops do not
// care about the values, only the result check does.
#include <sys/mman.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "base/fill.hpp"
#include "base/thread_team.hpp"
#include "hwcal/base/error.hpp"
#include "measure/kernels.hpp"

// Build the loops for the widest vector ISA the CPU runs (picked once, at load time).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define HWCAL_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define HWCAL_VECTOR_CLONES
#endif

namespace hwcal {
namespace {

enum class StreamOp { copy, scale, add, triad, memcpy };

constexpr double kScalar = 3.0;

HWCAL_VECTOR_CLONES void stream_copy(double* __restrict c, const double* __restrict a,
                                     std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) c[i] = a[i];
}

HWCAL_VECTOR_CLONES void stream_scale(double* __restrict b, const double* __restrict c,
                                      std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) b[i] = kScalar * c[i];
}

HWCAL_VECTOR_CLONES void stream_add(double* __restrict c, const double* __restrict a,
                                    const double* __restrict b, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) c[i] = a[i] + b[i];
}

HWCAL_VECTOR_CLONES void stream_triad(double* __restrict a, const double* __restrict b,
                                      const double* __restrict c, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) a[i] = b[i] + kScalar * c[i];
}

int arrays_of(StreamOp op) {
  switch (op) {
    case StreamOp::copy:
    case StreamOp::scale:
    case StreamOp::memcpy: return 2;
    case StreamOp::add:
    case StreamOp::triad: return 3;
  }
  return 2;
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

class StreamKernel : public PreparedKernel {
 public:
  StreamKernel(StreamOp op, const BandwidthShape& shape, const KernelEnv& env)
      : op_(op), repeats_(shape.repeats), team_(env.cpus) {
    elements_ = static_cast<std::size_t>(shape.array_bytes) / sizeof(double);
    const std::size_t bytes = elements_ * sizeof(double);
    // Huge-page aligned from 2 MiB up; not touched here: the owning thread touches its slice
    // first.
    constexpr std::size_t kHugePage = 2u << 20;
    const std::size_t alignment = bytes >= kHugePage ? kHugePage : 4096;
    const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
    for (int i = 0; i < 3; ++i) {
      void* memory = std::aligned_alloc(alignment, rounded);
      if (memory == nullptr) {
        throw IoError(fmt::format("cannot allocate {} MiB for a STREAM array", bytes >> 20));
      }
#if defined(MADV_HUGEPAGE)
      if (alignment == kHugePage) madvise(memory, rounded, MADV_HUGEPAGE);  // a hint only
#endif
      arrays_[i].reset(static_cast<double*>(memory));
    }
    // Distinct values in each array (the check compares one with another), offset by the seed.
    const double offset = static_cast<double>(env.seed % 64) * 0x1p-6;
    team_.run([this, offset](std::size_t t) {
      auto [begin, end] = slice(t);
      double* a = arrays_[0].get();
      double* b = arrays_[1].get();
      double* c = arrays_[2].get();
      for (std::size_t i = begin; i < end; ++i) {
        a[i] = 1.0 + offset + static_cast<double>(i & 1023) * 0x1p-10;
        b[i] = 2.0 + offset + static_cast<double>((i * 7) & 1023) * 0x1p-10;
        c[i] = 0.5 + offset + static_cast<double>((i * 13) & 1023) * 0x1p-11;
      }
    });
  }

  void run() override {
    team_.run([this](std::size_t t) {
      auto [begin, end] = slice(t);
      const std::size_t n = end - begin;
      double* a = arrays_[0].get() + begin;
      double* b = arrays_[1].get() + begin;
      double* c = arrays_[2].get() + begin;
      for (long long r = 0; r < repeats_; ++r) {
        switch (op_) {
          case StreamOp::copy: stream_copy(c, a, n); break;
          case StreamOp::scale: stream_scale(b, c, n); break;
          case StreamOp::add: stream_add(c, a, b, n); break;
          case StreamOp::triad: stream_triad(a, b, c, n); break;
          case StreamOp::memcpy: std::memcpy(c, a, n * sizeof(double)); break;
        }
      }
    });
  }

  // Checks a sample of the arrays against the values the operation must have produced
  // (triad feeds its output back into its input, so only the other kernels can be checked
  // exactly; triad is checked for finite, plausible values).
  std::string verify() override {
    const double* a = arrays_[0].get();
    const double* b = arrays_[1].get();
    const double* c = arrays_[2].get();
    for (std::size_t s = 0; s < 64 && elements_ > 0; ++s) {
      std::size_t i = static_cast<std::size_t>(mix64(7, s) % elements_);
      double expected = 0;
      double got = 0;
      switch (op_) {
        case StreamOp::copy:
        case StreamOp::memcpy:
          expected = a[i];
          got = c[i];
          break;
        case StreamOp::scale:
          expected = kScalar * c[i];
          got = b[i];
          break;
        case StreamOp::add:
          expected = a[i] + b[i];
          got = c[i];
          break;
        case StreamOp::triad:
          expected = b[i] + kScalar * c[i];
          got = a[i];
          break;
      }
      // The vectorised loop may fuse triad's multiply-add: allow a few units in the last place.
      if (std::fabs(got - expected) > 4e-16 * std::fabs(expected)) {
        return fmt::format("element {} is {} but should be {}", i, got, expected);
      }
    }
    return "";
  }

  std::size_t threads_used() const override { return team_.size(); }

 private:
  std::pair<std::size_t, std::size_t> slice(std::size_t t) const {
    const std::size_t threads = team_.size();
    // Slices start on 64-byte boundaries so no two threads share a cache line.
    auto edge = [&](std::size_t k) { return (elements_ * k / threads) / 8 * 8; };
    return {edge(t), t + 1 == threads ? elements_ : edge(t + 1)};
  }

  StreamOp op_;
  long long repeats_;
  std::size_t elements_ = 0;
  ThreadTeam team_;
  std::unique_ptr<double, FreeDeleter> arrays_[3];
};

KernelDescriptor stream(const char* id, const char* description, StreamOp op) {
  // memcpy is a copy, not one of STREAM's four: summaries prefer STREAM where both ran.
  KernelDescriptor d =
      kernel_descriptor(id, description, "cpu", "native", Precision::fp64,
                        op == StreamOp::memcpy ? KernelClass::copy : KernelClass::stream);
  d.unavailable_reason = [](const KernelEnv&) { return std::string(); };
  d.flops = with_shape<BandwidthShape>([op](const BandwidthShape& s, const KernelEnv&) {
    // scale 1, add 1, triad 2 flops per element (reported, not what the kernel is judged by)
    double per_element = op == StreamOp::scale || op == StreamOp::add ? 1
                         : op == StreamOp::triad                      ? 2
                                                                      : 0;
    return per_element * static_cast<double>(s.array_bytes / 8) * static_cast<double>(s.repeats);
  });
  d.bytes = with_shape<BandwidthShape>([op](const BandwidthShape& s, const KernelEnv&) {
    return static_cast<double>(arrays_of(op)) * static_cast<double>(s.array_bytes / 8 * 8) *
           static_cast<double>(s.repeats);
  });
  d.prepare = with_shape<BandwidthShape>([op](const BandwidthShape& s, const KernelEnv& env) {
    return std::unique_ptr<PreparedKernel>(new StreamKernel(op, s, env));
  });
  return d;
}

}  // namespace

std::vector<KernelDescriptor> cpu_memory_kernels() {
  return {
      stream("cpu_stream_copy", "STREAM copy c = a (2 arrays)", StreamOp::copy),
      stream("cpu_stream_scale", "STREAM scale b = q c (2 arrays)", StreamOp::scale),
      stream("cpu_stream_add", "STREAM add c = a + b (3 arrays)", StreamOp::add),
      stream("cpu_stream_triad", "STREAM triad a = b + q c (3 arrays)", StreamOp::triad),
      stream("cpu_memcpy", "memcpy of one array into another (2 arrays)", StreamOp::memcpy),
  };
}

}  // namespace hwcal
