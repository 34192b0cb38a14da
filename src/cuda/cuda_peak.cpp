// The GPU's arithmetic ceiling: every SM filled with threads that each run independent FMA chains
// (device_kernels.cu), fp32 and fp64 on the CUDA cores' FMA units and fp16 through half2, which
// does two FMAs per instruction. One call's operations: threads x iterations x chains x unroll x
// 2 (x 2 lanes for half2). The grid is sized from the GPU's SMs, so the flops of a call depend on
// the GPU as well as on the iterations.
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "cuda_support.hpp"
#include "device_kernels.hpp"

namespace hwcal {
namespace {

using cuda::DeviceBuffer;

enum class FmaType { fp32, fp64, fp16x2 };

// a = 1 - 2^-10, b = 2^-10: every chain converges to 1, exactly representable in all three types.
constexpr double kMultiplier = 1.0 - 1.0 / 1024;
constexpr double kAddend = 1.0 / 1024;

int fma_blocks(const GpuFacts& gpu) {
  const int per_sm = gpu.max_threads_per_multiprocessor > 0
                         ? gpu.max_threads_per_multiprocessor / cuda::kFmaThreadsPerBlock
                         : 8;
  return std::max(1, gpu.multiprocessors) * std::max(1, per_sm);
}

double fma_flops(FmaType type, const PeakShape& s, const KernelEnv& env) {
  const double threads = static_cast<double>(fma_blocks(env.gpu_facts)) * cuda::kFmaThreadsPerBlock;
  const double lanes = type == FmaType::fp16x2 ? 2 : 1;
  return threads * static_cast<double>(s.iterations) * cuda::kFmaChains * cuda::kFmaUnroll * 2 *
         lanes;
}

// One thread's result as the host computes it: the same roundings, so fp32 and fp64 match bit
// for bit. A chain that reaches its fixed point stays there, which keeps this short.
template <typename T>
T expected_sum(long long thread, long long steps) {
  T sum = 0;
  for (int c = 0; c < cuda::kFmaChains; ++c) {
    T x = static_cast<T>(cuda::fma_start_value(thread, c));
    for (long long i = 0; i < steps; ++i) {
      T next = std::fma(x, static_cast<T>(kMultiplier), static_cast<T>(kAddend));
      if (next == x) break;
      x = next;
    }
    sum += x;
  }
  return sum;
}

class FmaKernel : public cuda::TimedCudaKernel {
 public:
  FmaKernel(FmaType type, const PeakShape& shape, const KernelEnv& env)
      : TimedCudaKernel(env.gpu),
        type_(type),
        iterations_(shape.iterations),
        blocks_(fma_blocks(env.gpu_facts)) {
    out_ = DeviceBuffer(threads() * (type == FmaType::fp64 ? sizeof(double) : sizeof(float)));
  }

  std::string verify() override {
    stream_.synchronize();
    const long long steps = iterations_ * cuda::kFmaUnroll;
    const std::vector<long long> threads_checked = {0, 1, 7, static_cast<long long>(threads()) - 1};
    if (type_ == FmaType::fp64) {
      std::vector<double> out(threads());
      HWCAL_CUDA_CHECK(cudaMemcpy(out.data(), out_.get(), out_.bytes(), cudaMemcpyDeviceToHost));
      for (long long t : threads_checked) {
        double expected = expected_sum<double>(t, steps);
        if (out[static_cast<std::size_t>(t)] != expected) {
          return fmt::format("thread {} gave {} but should give {}", t,
                             out[static_cast<std::size_t>(t)], expected);
        }
      }
      return "";
    }
    std::vector<float> out(threads());
    HWCAL_CUDA_CHECK(cudaMemcpy(out.data(), out_.get(), out_.bytes(), cudaMemcpyDeviceToHost));
    if (type_ == FmaType::fp32) {
      for (long long t : threads_checked) {
        float expected = expected_sum<float>(t, steps);
        if (out[static_cast<std::size_t>(t)] != expected) {
          return fmt::format("thread {} gave {} but should give {}", t,
                             static_cast<double>(out[static_cast<std::size_t>(t)]),
                             static_cast<double>(expected));
        }
      }
      return "";
    }
    // half2: 16 lanes each within a few fp16 ulps of 1 - (1 - x0) a^steps.
    const double lanes = 2.0 * cuda::kFmaChains;
    const double low = lanes * (1 - std::pow(kMultiplier, static_cast<double>(steps))) - 0.05;
    const double high = lanes + 0.05;
    for (std::size_t t = 0; t < out.size(); ++t) {
      const double value = static_cast<double>(out[t]);
      if (!(value >= low && value <= high)) {
        return fmt::format("thread {} gave {}, outside [{:.3f}, {:.3f}]", t, value, low, high);
      }
    }
    return "";
  }

 protected:
  void enqueue() override {
    switch (type_) {
      case FmaType::fp32:
        HWCAL_CUDA_CHECK(cuda::fma_fp32(out_.as<float>(), blocks_, iterations_,
                                        static_cast<float>(kMultiplier),
                                        static_cast<float>(kAddend), stream_.get()));
        break;
      case FmaType::fp64:
        HWCAL_CUDA_CHECK(cuda::fma_fp64(out_.as<double>(), blocks_, iterations_, kMultiplier,
                                        kAddend, stream_.get()));
        break;
      case FmaType::fp16x2:
        HWCAL_CUDA_CHECK(cuda::fma_fp16x2(out_.as<float>(), blocks_, iterations_,
                                          static_cast<float>(kMultiplier),
                                          static_cast<float>(kAddend), stream_.get()));
        break;
    }
  }

 private:
  std::size_t threads() const {
    return static_cast<std::size_t>(blocks_) * cuda::kFmaThreadsPerBlock;
  }

  FmaType type_;
  long long iterations_;
  int blocks_;
  DeviceBuffer out_;
};

KernelDescriptor fma(const char* id, const char* description, Precision precision, FmaType type) {
  KernelDescriptor d =
      kernel_descriptor(id, description, "cuda", "cuda", precision, KernelClass::peak_fma);
  d.unavailable_reason = [](const KernelEnv& env) { return cuda::no_device_reason(env); };
  d.flops = with_shape<PeakShape>(
      [type](const PeakShape& s, const KernelEnv& env) { return fma_flops(type, s, env); });
  d.bytes = [](const KernelShape&, const KernelEnv&) { return 0.0; };
  d.prepare = with_shape<PeakShape>([type](const PeakShape& s, const KernelEnv& env) {
    return std::unique_ptr<PreparedKernel>(new FmaKernel(type, s, env));
  });
  return d;
}

}  // namespace

std::vector<KernelDescriptor> cuda_peak_kernels() {
  return {
      fma("cuda_fma_fp32", "fp32 FMA chains on every SM (the CUDA cores' ceiling)", Precision::fp32,
          FmaType::fp32),
      fma("cuda_fma_fp64", "fp64 FMA chains on every SM (the FP64 units' ceiling)", Precision::fp64,
          FmaType::fp64),
      fma("cuda_fma_fp16", "fp16 FMA chains through half2 (two lanes per instruction)",
          Precision::fp16, FmaType::fp16x2),
  };
}

}  // namespace hwcal
