#include "cuda_support.hpp"

#include <cstdlib>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

namespace hwcal::cuda {
namespace {

// "cudaMalloc(&data_, bytes)" -> "cudaMalloc"
std::string function_name(const char* expression) {
  std::string_view text(expression);
  std::size_t paren = text.find('(');
  return std::string(text.substr(0, paren));
}

}  // namespace

std::string describe(const char* call, cudaError_t status) {
  return fmt::format("{}: {} ({})", call, cudaGetErrorName(status), cudaGetErrorString(status));
}

std::string describe(const char* call, cublasStatus_t status) {
  return fmt::format("{}: {}", call, cublasGetStatusName(status));
}

void check(cudaError_t status, const char* expression) {
  if (status == cudaSuccess) return;
  // Clears a non-sticky error so the next kernel of the run starts clean.
  (void)cudaGetLastError();
  std::string message = describe(function_name(expression).c_str(), status);
  if (status == cudaErrorNoKernelImageForDevice || status == cudaErrorNotSupported) {
    throw KernelUnsupported(message);
  }
  throw Error(message);
}

void check(cublasStatus_t status, const char* expression) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  std::string message = describe(function_name(expression).c_str(), status);
  if (status == CUBLAS_STATUS_NOT_SUPPORTED || status == CUBLAS_STATUS_ARCH_MISMATCH) {
    throw KernelUnsupported(message);
  }
  throw Error(message);
}

void use_device(int gpu) { HWCAL_CUDA_CHECK(cudaSetDevice(gpu)); }

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
  HWCAL_CUDA_CHECK(cudaMalloc(&data_, bytes));
}

DeviceBuffer::~DeviceBuffer() {
  if (data_ != nullptr) cudaFree(data_);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(other.data_), bytes_(other.bytes_) {
  other.data_ = nullptr;
  other.bytes_ = 0;
}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) cudaFree(data_);
    data_ = other.data_;
    bytes_ = other.bytes_;
    other.data_ = nullptr;
    other.bytes_ = 0;
  }
  return *this;
}

HostBuffer::HostBuffer(std::size_t bytes, HostMemory kind) : bytes_(bytes), kind_(kind) {
  switch (kind) {
    case HostMemory::pageable:
      data_ = std::aligned_alloc(4096, (bytes + 4095) / 4096 * 4096);
      if (data_ == nullptr) {
        throw Error(
            fmt::format("aligned_alloc: cannot allocate {} MiB of host memory", bytes >> 20));
      }
      break;
    case HostMemory::pinned:
      HWCAL_CUDA_CHECK(cudaHostAlloc(&data_, bytes, cudaHostAllocDefault));
      break;
    case HostMemory::mapped:
      HWCAL_CUDA_CHECK(cudaHostAlloc(&data_, bytes, cudaHostAllocMapped));
      break;
  }
}

HostBuffer::~HostBuffer() {
  if (data_ == nullptr) return;
  if (kind_ == HostMemory::pageable) {
    std::free(data_);
  } else {
    cudaFreeHost(data_);
  }
}

void* HostBuffer::device_pointer() const {
  void* device = nullptr;
  HWCAL_CUDA_CHECK(cudaHostGetDevicePointer(&device, data_, 0));
  return device;
}

Stream::Stream() { HWCAL_CUDA_CHECK(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }

Stream::~Stream() {
  if (stream_ != nullptr) cudaStreamDestroy(stream_);
}

void Stream::synchronize() const { HWCAL_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

EventTimer::EventTimer() {
  HWCAL_CUDA_CHECK(cudaEventCreate(&start_));
  HWCAL_CUDA_CHECK(cudaEventCreate(&stop_));
}

EventTimer::~EventTimer() {
  if (start_ != nullptr) cudaEventDestroy(start_);
  if (stop_ != nullptr) cudaEventDestroy(stop_);
}

void EventTimer::start(cudaStream_t stream) { HWCAL_CUDA_CHECK(cudaEventRecord(start_, stream)); }

double EventTimer::stop_s(cudaStream_t stream) {
  HWCAL_CUDA_CHECK(cudaEventRecord(stop_, stream));
  HWCAL_CUDA_CHECK(cudaEventSynchronize(stop_));
  float milliseconds = 0;
  HWCAL_CUDA_CHECK(cudaEventElapsedTime(&milliseconds, start_, stop_));
  return static_cast<double>(milliseconds) / 1e3;
}

TimedCudaKernel::TimedCudaKernel(int gpu) : device_(gpu) {}

void TimedCudaKernel::run() {
  enqueue();
  HWCAL_CUDA_CHECK(cudaGetLastError());
  stream_.synchronize();
}

double TimedCudaKernel::timed_run() {
  timer_.start(stream_.get());
  enqueue();
  HWCAL_CUDA_CHECK(cudaGetLastError());
  return timer_.stop_s(stream_.get());
}

std::string no_device_reason(const KernelEnv& env) {
  if (!env.gpu_facts.present) {
    return env.gpu_facts.problem.empty() ? std::string("no CUDA device") : env.gpu_facts.problem;
  }
  return "";
}

}  // namespace hwcal::cuda
