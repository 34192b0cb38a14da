// The GPU workload runner's kernels (workload_kernels.hpp). Simple on purpose: one thread per
// output element, grid-stride loops, fp32 arithmetic for fp16 tensors. The convolutions' work
// is in cuBLAS; these kernels move data (im2col, pooling, adds) or are memory-bound anyway
// (depthwise), so plain indexing is within a small factor of what tuning would give.
#include <cuda_fp16.h>

#include <cmath>
#include <cstddef>

#include "workload_kernels.hpp"

namespace hwcal::cuda {
namespace {

constexpr int kThreads = 256;

__device__ __forceinline__ float load(const float* data, long long i) { return data[i]; }
__device__ __forceinline__ float load(const __half* data, long long i) {
  return __half2float(data[i]);
}
__device__ __forceinline__ void store(float* data, long long i, float value) { data[i] = value; }
__device__ __forceinline__ void store(__half* data, long long i, float value) {
  data[i] = __float2half(value);
}

__device__ __forceinline__ float activate(float value, DeviceActivation activation) {
  switch (activation) {
    case DeviceActivation::none: return value;
    case DeviceActivation::relu: return fmaxf(value, 0.0f);
    case DeviceActivation::relu6: return fminf(fmaxf(value, 0.0f), 6.0f);
  }
  return value;
}

__device__ __forceinline__ long long first_index() {
  return static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ __forceinline__ long long grid_stride() {
  return static_cast<long long>(gridDim.x) * blockDim.x;
}

int blocks_for(long long count) {
  const long long wanted = (count + kThreads - 1) / kThreads;
  if (wanted < 1) return 1;
  return static_cast<int>(wanted < 65536 ? wanted : 65536);
}

template <typename T>
__global__ void convert_kernel(T* out, const float* in, long long count) {
  for (long long i = first_index(); i < count; i += grid_stride()) store(out, i, in[i]);
}

template <typename T>
__global__ void im2col_kernel(const T* images, Window w, T* columns) {
  const long long plane = w.out_height * w.out_width;
  const long long rows = w.channels * w.kernel * w.kernel;
  const long long count = w.batch * rows * plane;
  for (long long i = first_index(); i < count; i += grid_stride()) {
    const long long p = i % plane;
    const long long row = (i / plane) % rows;
    const long long n = i / (plane * rows);
    const long long c = row / (w.kernel * w.kernel);
    const long long kh = (row / w.kernel) % w.kernel;
    const long long kw = row % w.kernel;
    const long long ih = (p / w.out_width) * w.stride - w.padding + kh;
    const long long iw = (p % w.out_width) * w.stride - w.padding + kw;
    const bool inside = ih >= 0 && ih < w.in_height && iw >= 0 && iw < w.in_width;
    const float value =
        inside ? load(images, ((n * w.channels + c) * w.in_height + ih) * w.in_width + iw) : 0.0f;
    store(columns, i, value);
  }
}

template <typename T>
__global__ void bias_activation_kernel(T* data, long long count, long long channels,
                                       long long plane, const float* bias,
                                       DeviceActivation activation) {
  for (long long i = first_index(); i < count; i += grid_stride()) {
    float value = load(data, i);
    if (bias != nullptr) value += bias[(i / plane) % channels];
    store(data, i, activate(value, activation));
  }
}

template <typename T>
__global__ void depthwise_kernel(const T* in, const T* weights, const float* bias, T* out, Window w,
                                 DeviceActivation activation) {
  const long long plane = w.out_height * w.out_width;
  const long long count = w.batch * w.channels * plane;
  for (long long i = first_index(); i < count; i += grid_stride()) {
    const long long p = i % plane;
    const long long image_channel = i / plane;  // n * channels + c
    const long long c = image_channel % w.channels;
    const long long oh = p / w.out_width;
    const long long ow = p % w.out_width;
    const T* source = in + image_channel * w.in_height * w.in_width;
    const T* filter = weights + c * w.kernel * w.kernel;
    float sum = bias != nullptr ? bias[c] : 0.0f;
    for (long long kh = 0; kh < w.kernel; ++kh) {
      const long long ih = oh * w.stride - w.padding + kh;
      if (ih < 0 || ih >= w.in_height) continue;
      for (long long kw = 0; kw < w.kernel; ++kw) {
        const long long iw = ow * w.stride - w.padding + kw;
        if (iw < 0 || iw >= w.in_width) continue;
        sum += load(source, ih * w.in_width + iw) * load(filter, kh * w.kernel + kw);
      }
    }
    store(out, i, activate(sum, activation));
  }
}

template <typename T>
__global__ void pool_kernel(const T* in, T* out, Window w, bool max) {
  const long long plane = w.out_height * w.out_width;
  const long long count = w.batch * w.channels * plane;
  for (long long i = first_index(); i < count; i += grid_stride()) {
    const long long p = i % plane;
    const T* source = in + (i / plane) * w.in_height * w.in_width;
    const long long oh = p / w.out_width;
    const long long ow = p % w.out_width;
    float result = max ? -INFINITY : 0.0f;
    long long inside = 0;
    for (long long kh = 0; kh < w.kernel; ++kh) {
      const long long ih = oh * w.stride - w.padding + kh;
      if (ih < 0 || ih >= w.in_height) continue;
      for (long long kw = 0; kw < w.kernel; ++kw) {
        const long long iw = ow * w.stride - w.padding + kw;
        if (iw < 0 || iw >= w.in_width) continue;
        const float value = load(source, ih * w.in_width + iw);
        result = max ? fmaxf(result, value) : result + value;
        ++inside;
      }
    }
    if (!max && inside > 0) result /= static_cast<float>(inside);
    store(out, i, result);
  }
}

template <typename T>
__global__ void global_average_kernel(const T* in, T* out, long long rows, long long plane) {
  for (long long row = first_index(); row < rows; row += grid_stride()) {
    float sum = 0.0f;
    for (long long p = 0; p < plane; ++p) sum += load(in, row * plane + p);
    store(out, row, sum / static_cast<float>(plane));
  }
}

template <typename T>
__global__ void add_kernel(const T* a, const T* b, T* out, long long count,
                           DeviceActivation activation) {
  for (long long i = first_index(); i < count; i += grid_stride()) {
    store(out, i, activate(load(a, i) + load(b, i), activation));
  }
}

// Only f32 and f16 tensors exist in the runner; anything else is a programming error.
bool supported(ElementType type) { return type == ElementType::f32 || type == ElementType::f16; }

}  // namespace

cudaError_t convert_from_f32(void* out, ElementType type, const float* in, std::size_t count,
                             cudaStream_t stream) {
  const long long n = static_cast<long long>(count);
  if (type == ElementType::f32) {
    return cudaMemcpyAsync(out, in, count * sizeof(float), cudaMemcpyDeviceToDevice, stream);
  }
  if (type != ElementType::f16) return cudaErrorInvalidValue;
  convert_kernel<<<blocks_for(n), kThreads, 0, stream>>>(static_cast<__half*>(out), in, n);
  return cudaGetLastError();
}

cudaError_t im2col(ElementType type, const void* images, const Window& window, void* columns,
                   cudaStream_t stream) {
  if (!supported(type)) return cudaErrorInvalidValue;
  const long long count = window.batch * window.channels * window.kernel * window.kernel *
                          window.out_height * window.out_width;
  if (type == ElementType::f32) {
    im2col_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<const float*>(images),
                                                              window, static_cast<float*>(columns));
  } else {
    im2col_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<const __half*>(images), window, static_cast<__half*>(columns));
  }
  return cudaGetLastError();
}

cudaError_t bias_activation(ElementType type, void* data, long long count, long long channels,
                            long long plane, const float* bias, DeviceActivation activation,
                            cudaStream_t stream) {
  if (!supported(type)) return cudaErrorInvalidValue;
  if (type == ElementType::f32) {
    bias_activation_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<float*>(data), count, channels, plane, bias, activation);
  } else {
    bias_activation_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<__half*>(data), count, channels, plane, bias, activation);
  }
  return cudaGetLastError();
}

cudaError_t depthwise_conv(ElementType type, const void* in, const void* weights, const float* bias,
                           void* out, const Window& window, DeviceActivation activation,
                           cudaStream_t stream) {
  if (!supported(type)) return cudaErrorInvalidValue;
  const long long count = window.batch * window.channels * window.out_height * window.out_width;
  if (type == ElementType::f32) {
    depthwise_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<const float*>(in), static_cast<const float*>(weights), bias,
        static_cast<float*>(out), window, activation);
  } else {
    depthwise_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<const __half*>(in), static_cast<const __half*>(weights), bias,
        static_cast<__half*>(out), window, activation);
  }
  return cudaGetLastError();
}

cudaError_t pool(ElementType type, bool max, const void* in, void* out, const Window& window,
                 cudaStream_t stream) {
  if (!supported(type)) return cudaErrorInvalidValue;
  const long long count = window.batch * window.channels * window.out_height * window.out_width;
  if (type == ElementType::f32) {
    pool_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<const float*>(in),
                                                            static_cast<float*>(out), window, max);
  } else {
    pool_kernel<<<blocks_for(count), kThreads, 0, stream>>>(static_cast<const __half*>(in),
                                                            static_cast<__half*>(out), window, max);
  }
  return cudaGetLastError();
}

cudaError_t global_average(ElementType type, const void* in, void* out, long long rows,
                           long long plane, cudaStream_t stream) {
  if (!supported(type)) return cudaErrorInvalidValue;
  if (type == ElementType::f32) {
    global_average_kernel<<<blocks_for(rows), kThreads, 0, stream>>>(
        static_cast<const float*>(in), static_cast<float*>(out), rows, plane);
  } else {
    global_average_kernel<<<blocks_for(rows), kThreads, 0, stream>>>(
        static_cast<const __half*>(in), static_cast<__half*>(out), rows, plane);
  }
  return cudaGetLastError();
}

cudaError_t add_activation(ElementType type, const void* a, const void* b, void* out,
                           long long count, DeviceActivation activation, cudaStream_t stream) {
  if (!supported(type)) return cudaErrorInvalidValue;
  if (type == ElementType::f32) {
    add_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<const float*>(a), static_cast<const float*>(b), static_cast<float*>(out), count,
        activation);
  } else {
    add_kernel<<<blocks_for(count), kThreads, 0, stream>>>(
        static_cast<const __half*>(a), static_cast<const __half*>(b), static_cast<__half*>(out),
        count, activation);
  }
  return cudaGetLastError();
}

}  // namespace hwcal::cuda
