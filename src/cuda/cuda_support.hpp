// What every CUDA kernel of the table shares (private to src/cuda/): checked calls whose errors
// name the call and the status ("cublasLtMatmul: CUBLAS_STATUS_NOT_SUPPORTED"), device and
// pinned buffers that free themselves, a stream, and CUDA-event timing.
#pragma once

#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <cstddef>
#include <memory>
#include <string>

#include "hwcal/base/error.hpp"
#include "measure/kernels.hpp"

namespace hwcal::cuda {

// "cudaMalloc: cudaErrorMemoryAllocation (out of memory)"
std::string describe(const char* call, cudaError_t status);
// "cublasGemmEx: CUBLAS_STATUS_NOT_SUPPORTED"
std::string describe(const char* call, cublasStatus_t status);

// Throws for a failed call: KernelUnsupported when the status means "not on this GPU"
// (cudaErrorNoKernelImageForDevice, CUBLAS_STATUS_NOT_SUPPORTED, CUBLAS_STATUS_ARCH_MISMATCH),
// else hwcal::Error. `expression` is the call as written; the message names its function.
void check(cudaError_t status, const char* expression);
void check(cublasStatus_t status, const char* expression);

}  // namespace hwcal::cuda

#define HWCAL_CUDA_CHECK(call) ::hwcal::cuda::check((call), #call)

namespace hwcal::cuda {

// The device calls run on: selected once per prepared kernel.
void use_device(int gpu);

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  void* get() const { return data_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

// Host memory: pinned (cudaHostAlloc, optionally mapped into the device's address space) or
// pageable (plain aligned allocation, first-touched when filled).
enum class HostMemory { pageable, pinned, mapped };

class HostBuffer {
 public:
  HostBuffer(std::size_t bytes, HostMemory kind);
  ~HostBuffer();
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;

  void* get() const { return data_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(data_);
  }
  // The device's pointer to mapped memory (cudaHostGetDevicePointer).
  void* device_pointer() const;
  std::size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  HostMemory kind_;
};

class Stream {
 public:
  Stream();
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  void synchronize() const;

 private:
  cudaStream_t stream_ = nullptr;
};

// Two events around work enqueued on a stream: the GPU's own clock, so launch latency and the
// host's scheduling do not enter the figure.
class EventTimer {
 public:
  EventTimer();
  ~EventTimer();
  EventTimer(const EventTimer&) = delete;
  EventTimer& operator=(const EventTimer&) = delete;
  void start(cudaStream_t stream);
  // Waits for the stop event; seconds between the two events.
  double stop_s(cudaStream_t stream);

 private:
  cudaEvent_t start_ = nullptr;
  cudaEvent_t stop_ = nullptr;
};

// A CUDA kernel of the table: one call is `enqueue()` on the prepared kernel's stream, timed with
// events; run() waits for it.
class TimedCudaKernel : public PreparedKernel {
 public:
  explicit TimedCudaKernel(int gpu);
  void run() override;
  double timed_run() override;

 protected:
  virtual void enqueue() = 0;

 private:
  // Selects the device before the stream and events are created on it.
  struct DeviceScope {
    explicit DeviceScope(int gpu) { use_device(gpu); }
  };
  DeviceScope device_;

 protected:
  Stream stream_;
  EventTimer timer_;
};

// Why a kernel cannot run on this GPU, from its facts: "" when it can.
std::string no_device_reason(const KernelEnv& env);

}  // namespace hwcal::cuda
