// GPU memory bandwidth and host-device transfers. Bytes of one pass, as profiles count them
// (docs/gpu.md):
//   cuda_memcpy_d2d            cudaMemcpyAsync device to device: read + write, 2 x the array
//   cuda_stream_copy           copy kernel c = a (16-byte accesses): 2 x the array
//   cuda_stream_triad          a = b + q c: 3 x the array
//   cuda_stream_copy_zerocopy  the copy kernel on mapped host memory (integrated GPUs, where host
//                              and device share the DRAM): 2 x the array
//   cuda_memcpy_{h2d,d2h}_{pinned,pageable}   the array once: what crosses the link
// One call makes `repeats` passes so that small sizes last long enough to time with events.
#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "base/fill.hpp"
#include "cuda_support.hpp"
#include "device_kernels.hpp"

namespace hwcal {
namespace {

using cuda::DeviceBuffer;
using cuda::HostBuffer;
using cuda::HostMemory;

constexpr double kTriadScalar = 3.0;

enum class DeviceOp { memcpy, copy, triad, zerocopy };
enum class Direction { h2d, d2h };

// Threads to fill the GPU, fewer for small arrays (one 16-byte access per thread and pass).
int copy_blocks(const GpuFacts& gpu, std::size_t elements) {
  const int per_sm =
      gpu.max_threads_per_multiprocessor > 0 ? gpu.max_threads_per_multiprocessor / 256 : 8;
  const std::size_t full = static_cast<std::size_t>(std::max(1, gpu.multiprocessors) * per_sm);
  const std::size_t needed = std::max<std::size_t>(1, elements / 2 / 256);
  return static_cast<int>(std::min(full, needed));
}

// Doubles in an array of `bytes`, rounded down to an even count (16-byte accesses).
std::size_t elements_of(long long bytes) {
  return static_cast<std::size_t>(bytes) / sizeof(double) / 2 * 2;
}

void fill_host(double* data, std::size_t count, unsigned seed) {
  for (std::size_t i = 0; i < count; ++i) data[i] = 1.0 + random_unit(seed, i);
}

// Where a sample of the array is checked: both ends and spread between.
std::vector<std::size_t> sample_positions(std::size_t count) {
  std::vector<std::size_t> positions;
  for (std::uint64_t s = 0; s < 16 && count > 0; ++s) positions.push_back(mix64(11, s) % count);
  if (count > 0) {
    positions.push_back(0);
    positions.push_back(count - 1);
  }
  return positions;
}

double read_device(const double* data, std::size_t index) {
  double value = 0;
  HWCAL_CUDA_CHECK(cudaMemcpy(&value, data + index, sizeof(double), cudaMemcpyDeviceToHost));
  return value;
}

class DeviceMemoryKernel : public cuda::TimedCudaKernel {
 public:
  DeviceMemoryKernel(DeviceOp op, const BandwidthShape& shape, const KernelEnv& env)
      : TimedCudaKernel(env.gpu),
        op_(op),
        repeats_(shape.repeats),
        elements_(elements_of(shape.array_bytes)),
        blocks_(copy_blocks(env.gpu_facts, elements_)) {
    const std::size_t bytes = elements_ * sizeof(double);
    if (op == DeviceOp::zerocopy) {
      for (int i = 0; i < 2; ++i) {
        mapped_.push_back(std::make_unique<HostBuffer>(bytes, HostMemory::mapped));
        fill_host(mapped_.back()->as<double>(), elements_, env.seed + static_cast<unsigned>(i));
        arrays_[i] = static_cast<double*>(mapped_.back()->device_pointer());
      }
      return;
    }
    const int count = op == DeviceOp::triad ? 3 : 2;
    for (int i = 0; i < count; ++i) {
      device_[i] = DeviceBuffer(bytes);
      arrays_[i] = device_[i].as<double>();
      HWCAL_CUDA_CHECK(cuda::fill_random(arrays_[i], elements_, cuda::ElementType::f64,
                                         env.seed + static_cast<unsigned>(i), 1.0, 2.0,
                                         stream_.get()));
    }
    stream_.synchronize();
  }

  // copy and memcpy: the destination equals the source; triad: a = b + q c.
  std::string verify() override {
    stream_.synchronize();
    for (std::size_t i : sample_positions(elements_)) {
      double expected = 0;
      double got = 0;
      if (op_ == DeviceOp::triad) {
        const double b = read_device(arrays_[1], i);
        const double c = read_device(arrays_[2], i);
        expected = b + kTriadScalar * c;
        got = read_device(arrays_[0], i);
        // The compiler may fuse the multiply-add: one rounding fewer.
        if (got == std::fma(kTriadScalar, c, b)) continue;
      } else if (op_ == DeviceOp::zerocopy) {
        expected = mapped_[0]->as<double>()[i];
        got = mapped_[1]->as<double>()[i];
      } else {
        expected = read_device(arrays_[0], i);
        got = read_device(arrays_[1], i);
      }
      if (got != expected) {
        return fmt::format("element {} is {} but should be {}", i, got, expected);
      }
    }
    return "";
  }

 protected:
  void enqueue() override {
    for (long long r = 0; r < repeats_; ++r) {
      switch (op_) {
        case DeviceOp::memcpy:
          HWCAL_CUDA_CHECK(cudaMemcpyAsync(arrays_[1], arrays_[0], elements_ * sizeof(double),
                                           cudaMemcpyDeviceToDevice, stream_.get()));
          break;
        case DeviceOp::copy:
        case DeviceOp::zerocopy:
          HWCAL_CUDA_CHECK(
              cuda::stream_copy(arrays_[1], arrays_[0], elements_, blocks_, stream_.get()));
          break;
        case DeviceOp::triad:
          HWCAL_CUDA_CHECK(cuda::stream_triad(arrays_[0], arrays_[1], arrays_[2], kTriadScalar,
                                              elements_, blocks_, stream_.get()));
          break;
      }
    }
  }

 private:
  DeviceOp op_;
  long long repeats_;
  std::size_t elements_;
  int blocks_;
  DeviceBuffer device_[3];
  std::vector<std::unique_ptr<HostBuffer>> mapped_;
  double* arrays_[3] = {nullptr, nullptr, nullptr};
};

class TransferKernel : public cuda::TimedCudaKernel {
 public:
  TransferKernel(Direction direction, HostMemory memory, const BandwidthShape& shape,
                 const KernelEnv& env)
      : TimedCudaKernel(env.gpu),
        direction_(direction),
        repeats_(shape.repeats),
        elements_(elements_of(shape.array_bytes)),
        host_(elements_ * sizeof(double), memory),
        device_(elements_ * sizeof(double)) {
    // The source holds random values; the destination is filled too, so no page is first
    // touched inside a timed call.
    fill_host(host_.as<double>(), elements_, env.seed);
    HWCAL_CUDA_CHECK(cuda::fill_random(device_.get(), elements_, cuda::ElementType::f64,
                                       env.seed + 1, 1.0, 2.0, stream_.get()));
    stream_.synchronize();
  }

  std::string verify() override {
    stream_.synchronize();
    for (std::size_t i : sample_positions(elements_)) {
      const double host = host_.as<double>()[i];
      const double device = read_device(device_.as<double>(), i);
      if (host != device) {
        return fmt::format("element {} is {} on the host but {} on the device", i, host, device);
      }
    }
    return "";
  }

 protected:
  void enqueue() override {
    const std::size_t bytes = elements_ * sizeof(double);
    for (long long r = 0; r < repeats_; ++r) {
      if (direction_ == Direction::h2d) {
        HWCAL_CUDA_CHECK(cudaMemcpyAsync(device_.get(), host_.get(), bytes, cudaMemcpyHostToDevice,
                                         stream_.get()));
      } else {
        HWCAL_CUDA_CHECK(cudaMemcpyAsync(host_.get(), device_.get(), bytes, cudaMemcpyDeviceToHost,
                                         stream_.get()));
      }
    }
  }

 private:
  Direction direction_;
  long long repeats_;
  std::size_t elements_;
  HostBuffer host_;
  DeviceBuffer device_;
};

KernelDescriptor device_kernel(const char* id, const char* description, DeviceOp op) {
  // cudaMemcpy between device buffers is a copy; the kernels are STREAM's.
  KernelDescriptor d =
      kernel_descriptor(id, description, "cuda", "cuda", Precision::fp64,
                        op == DeviceOp::memcpy ? KernelClass::copy : KernelClass::stream);
  d.unavailable_reason = [op](const KernelEnv& env) {
    std::string reason = cuda::no_device_reason(env);
    if (!reason.empty() || op != DeviceOp::zerocopy) return reason;
    if (!env.gpu_facts.integrated) {
      return std::string(
          "zero-copy measures shared DRAM on integrated GPUs (Jetson); on this discrete GPU it "
          "would measure the PCIe link");
    }
    if (!env.gpu_facts.can_map_host_memory) {
      return std::string("this GPU cannot map host memory (cudaDevAttrCanMapHostMemory is 0)");
    }
    return std::string();
  };
  d.flops = with_shape<BandwidthShape>([op](const BandwidthShape& s, const KernelEnv&) {
    // triad: a multiply and an add per element (reported, not what the kernel is judged by)
    return op == DeviceOp::triad ? 2.0 * static_cast<double>(elements_of(s.array_bytes)) *
                                       static_cast<double>(s.repeats)
                                 : 0.0;
  });
  d.bytes = with_shape<BandwidthShape>([op](const BandwidthShape& s, const KernelEnv&) {
    const double arrays = op == DeviceOp::triad ? 3 : 2;
    return arrays * static_cast<double>(elements_of(s.array_bytes) * sizeof(double)) *
           static_cast<double>(s.repeats);
  });
  d.prepare = with_shape<BandwidthShape>([op](const BandwidthShape& s, const KernelEnv& env) {
    return std::unique_ptr<PreparedKernel>(new DeviceMemoryKernel(op, s, env));
  });
  return d;
}

KernelDescriptor transfer(const char* id, const char* description, Direction direction,
                          HostMemory memory) {
  KernelDescriptor d =
      kernel_descriptor(id, description, "cuda", "cuda", Precision::fp64, KernelClass::transfer);
  d.unavailable_reason = [](const KernelEnv& env) { return cuda::no_device_reason(env); };
  d.flops = [](const KernelShape&, const KernelEnv&) { return 0.0; };
  d.bytes = with_shape<BandwidthShape>([](const BandwidthShape& s, const KernelEnv&) {
    return static_cast<double>(elements_of(s.array_bytes) * sizeof(double)) *
           static_cast<double>(s.repeats);
  });
  d.prepare = with_shape<BandwidthShape>(
      [direction, memory](const BandwidthShape& s, const KernelEnv& env) {
        return std::unique_ptr<PreparedKernel>(new TransferKernel(direction, memory, s, env));
      });
  return d;
}

}  // namespace

std::vector<KernelDescriptor> cuda_memory_kernels() {
  return {
      device_kernel("cuda_memcpy_d2d", "cudaMemcpy device to device (read + write counted)",
                    DeviceOp::memcpy),
      device_kernel("cuda_stream_copy", "copy kernel c = a in device memory (2 arrays)",
                    DeviceOp::copy),
      device_kernel("cuda_stream_triad", "STREAM triad kernel a = b + q c (3 arrays)",
                    DeviceOp::triad),
      device_kernel("cuda_stream_copy_zerocopy",
                    "copy kernel on mapped host memory (integrated GPUs: the shared DRAM)",
                    DeviceOp::zerocopy),
      transfer("cuda_memcpy_h2d_pinned", "host to device from pinned memory (cudaMemcpyAsync)",
               Direction::h2d, HostMemory::pinned),
      transfer("cuda_memcpy_d2h_pinned", "device to host into pinned memory (cudaMemcpyAsync)",
               Direction::d2h, HostMemory::pinned),
      transfer("cuda_memcpy_h2d_pageable", "host to device from pageable memory (malloc)",
               Direction::h2d, HostMemory::pageable),
      transfer("cuda_memcpy_d2h_pageable", "device to host into pageable memory (malloc)",
               Direction::d2h, HostMemory::pageable),
  };
}

}  // namespace hwcal
