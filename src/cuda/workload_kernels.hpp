// The GPU workload runner's own kernels (workload_kernels.cu) behind plain launch functions, so
// that the runner's host code (workload_cuda.cpp) compiles with the C++ compiler: im2col for the
// convolutions cuBLAS multiplies, the epilogue (folded batch-norm bias and activation), a direct
// depthwise convolution, pooling, the residual add and an fp32 -> fp16 conversion for uploads.
// Tensors are NCHW in fp32 or fp16 (ElementType::f32 / f16); biases are fp32 and arithmetic is
// fp32 in either. Each launch enqueues on `stream` and returns the launch's status.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>

#include "device_kernels.hpp"

namespace hwcal::cuda {

enum class DeviceActivation { none, relu, relu6 };

// A sliding window over a batch of NCHW images (convolution and pooling): square kernels, the
// same padding on every side.
struct Window {
  long long batch = 1;
  long long channels = 0;  // input channels
  long long in_height = 0;
  long long in_width = 0;
  long long kernel = 1;
  long long stride = 1;
  long long padding = 0;
  long long out_height = 0;
  long long out_width = 0;
};

// `count` floats converted to `type` (f32: a copy; f16: rounded to nearest).
cudaError_t convert_from_f32(void* out, ElementType type, const float* in, std::size_t count,
                             cudaStream_t stream);

// columns[n][(c * kernel + kh) * kernel + kw][oh * out_width + ow] of every image: the rows a
// convolution's weights (OIHW, one row per output channel) multiply; zeros where the window
// leaves the image.
cudaError_t im2col(ElementType type, const void* images, const Window& window, void* columns,
                   cudaStream_t stream);

// data[i] = activation(data[i] + bias[(i / plane) % channels]) over `count` elements, in place;
// bias may be null.
cudaError_t bias_activation(ElementType type, void* data, long long count, long long channels,
                            long long plane, const float* bias, DeviceActivation activation,
                            cudaStream_t stream);

// Depthwise convolution (one filter per channel, weights [channels][kernel][kernel]) with the bias
// (may be null) and the activation fused.
cudaError_t depthwise_conv(ElementType type, const void* in, const void* weights, const float* bias,
                           void* out, const Window& window, DeviceActivation activation,
                           cudaStream_t stream);

// Max or average pooling; the average leaves padding out of the divisor (as PyTorch's
// count_include_pad=False and the CPU backends do).
cudaError_t pool(ElementType type, bool max, const void* in, void* out, const Window& window,
                 cudaStream_t stream);

// out[i] = mean of in[i * plane ... (i + 1) * plane) over `rows` = batch x channels.
cudaError_t global_average(ElementType type, const void* in, void* out, long long rows,
                           long long plane, cudaStream_t stream);

// out[i] = activation(a[i] + b[i]).
cudaError_t add_activation(ElementType type, const void* a, const void* b, void* out,
                           long long count, DeviceActivation activation, cudaStream_t stream);

}  // namespace hwcal::cuda
