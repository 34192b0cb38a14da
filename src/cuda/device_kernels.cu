// The hand-written CUDA kernels: random fills, the FMA peak loops, the copy and triad kernels,
// the tiled matmul (hand_gemm.hpp) and the difference check that compares it with cuBLAS. Kept
// small and free of hwcal's other headers: nvcc compiles it once per architecture.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>

#include <cstdint>

#include "device_kernels.hpp"
#include "hand_gemm.hpp"

namespace hwcal::cuda {
namespace {

// splitmix64, as in fill.hpp.
__device__ __forceinline__ std::uint64_t mix64(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed + 0x9e3779b97f4a7c15ULL * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

template <typename T>
__device__ __forceinline__ T convert(double value);
template <>
__device__ __forceinline__ double convert<double>(double value) {
  return value;
}
template <>
__device__ __forceinline__ float convert<float>(double value) {
  return static_cast<float>(value);
}
template <>
__device__ __forceinline__ __half convert<__half>(double value) {
  return __float2half(static_cast<float>(value));
}
template <>
__device__ __forceinline__ __nv_bfloat16 convert<__nv_bfloat16>(double value) {
  return __float2bfloat16(static_cast<float>(value));
}
template <>
__device__ __forceinline__ std::int8_t convert<std::int8_t>(double value) {
  return static_cast<std::int8_t>(__double2int_rn(value));
}
template <>
__device__ __forceinline__ __nv_fp8_e4m3 convert<__nv_fp8_e4m3>(double value) {
  return __nv_fp8_e4m3(static_cast<float>(value));
}

template <typename T>
__global__ void fill_kernel(T* data, std::size_t count, std::uint64_t seed, double low,
                            double high) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < count;
       i += stride) {
    const double unit = static_cast<double>(mix64(seed, i) >> 11) * (1.0 / 9007199254740992.0);
    data[i] = convert<T>(low + (high - low) * unit);
  }
}

template <typename T>
cudaError_t launch_fill(void* data, std::size_t count, std::uint64_t seed, double low, double high,
                        cudaStream_t stream) {
  const std::size_t wanted = (count + 255) / 256;
  const int blocks = static_cast<int>(wanted < 65536 ? (wanted > 0 ? wanted : 1) : 65536);
  fill_kernel<T><<<blocks, 256, 0, stream>>>(static_cast<T*>(data), count, seed, low, high);
  return cudaGetLastError();
}

// ---- FMA chains -------------------------------------------------------------------------------

__device__ __forceinline__ float fused(float x, float a, float b) { return fmaf(x, a, b); }
__device__ __forceinline__ double fused(double x, double a, double b) { return fma(x, a, b); }

template <typename T>
__global__ void __launch_bounds__(kFmaThreadsPerBlock)
    fma_kernel(T* out, long long iterations, T a, T b) {
  const long long thread = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  T x[kFmaChains];
#pragma unroll
  for (int c = 0; c < kFmaChains; ++c) x[c] = static_cast<T>(fma_start_value(thread, c));
  for (long long i = 0; i < iterations; ++i) {
#pragma unroll
    for (int u = 0; u < kFmaUnroll; ++u) {
#pragma unroll
      for (int c = 0; c < kFmaChains; ++c) x[c] = fused(x[c], a, b);
    }
  }
  T sum = 0;
#pragma unroll
  for (int c = 0; c < kFmaChains; ++c) sum += x[c];
  out[thread] = sum;
}

__global__ void __launch_bounds__(kFmaThreadsPerBlock)
    fma_half2_kernel(float* out, long long iterations, __half2 a, __half2 b) {
  const long long thread = static_cast<long long>(blockIdx.x) * blockDim.x + threadIdx.x;
  __half2 x[kFmaChains];
#pragma unroll
  for (int c = 0; c < kFmaChains; ++c) {
    x[c] = __float2half2_rn(static_cast<float>(fma_start_value(thread, c)));
  }
  for (long long i = 0; i < iterations; ++i) {
#pragma unroll
    for (int u = 0; u < kFmaUnroll; ++u) {
#pragma unroll
      for (int c = 0; c < kFmaChains; ++c) x[c] = __hfma2(x[c], a, b);
    }
  }
  float sum = 0;
#pragma unroll
  for (int c = 0; c < kFmaChains; ++c) sum += __low2float(x[c]) + __high2float(x[c]);
  out[thread] = sum;
}

// ---- copies -----------------------------------------------------------------------------------

__global__ void copy_kernel(double2* __restrict__ c, const double2* __restrict__ a,
                            std::size_t pairs) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < pairs;
       i += stride) {
    c[i] = a[i];
  }
}

__global__ void triad_kernel(double2* __restrict__ a, const double2* __restrict__ b,
                             const double2* __restrict__ c, double scalar, std::size_t pairs) {
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < pairs;
       i += stride) {
    const double2 x = b[i];
    const double2 y = c[i];
    a[i] = make_double2(x.x + scalar * y.x, x.y + scalar * y.y);
  }
}

// ---- the hand-written matmul ------------------------------------------------------------------

struct BlockBarrier {
  __device__ void operator()() const { __syncthreads(); }
};

__global__ void __launch_bounds__(hand_gemm::kThreads, 2)
    hand_sgemm_kernel(int n, int k, const float* __restrict__ a, const float* __restrict__ b,
                      float* __restrict__ c) {
  __shared__ __align__(16) float shared_a[hand_gemm::kSharedA];
  __shared__ __align__(16) float shared_b[hand_gemm::kSharedB];
  hand_gemm::block(static_cast<int>(threadIdx.x), static_cast<int>(blockIdx.y),
                   static_cast<int>(blockIdx.x), n, k, a, b, c, shared_a, shared_b, BlockBarrier{});
}

// Non-negative floats order like their bit patterns, so atomicMax on the bits is a float max.
__global__ void max_difference_kernel(const float* x, const float* y, std::size_t n,
                                      unsigned int* result) {
  float difference = 0;
  float magnitude = 0;
  const std::size_t stride = static_cast<std::size_t>(gridDim.x) * blockDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    // NaN fails every comparison, so it would vanish from a max: count it as infinitely wrong.
    const float d = fabsf(x[i] - y[i]);
    difference = fmaxf(difference, d == d ? d : __int_as_float(0x7f800000));
    magnitude = fmaxf(magnitude, fabsf(y[i]));
  }
  for (int offset = 16; offset > 0; offset /= 2) {
    difference = fmaxf(difference, __shfl_xor_sync(0xffffffffu, difference, offset));
    magnitude = fmaxf(magnitude, __shfl_xor_sync(0xffffffffu, magnitude, offset));
  }
  if ((threadIdx.x & 31) == 0) {
    atomicMax(result, __float_as_uint(difference));
    atomicMax(result + 1, __float_as_uint(magnitude));
  }
}

int grid_for(std::size_t items, int threads, int limit) {
  const std::size_t wanted = (items + threads - 1) / threads;
  return static_cast<int>(wanted < static_cast<std::size_t>(limit) ? (wanted > 0 ? wanted : 1)
                                                                   : limit);
}

}  // namespace

cudaError_t fill_random(void* data, std::size_t count, ElementType type, std::uint64_t seed,
                        double low, double high, cudaStream_t stream) {
  switch (type) {
    case ElementType::f64: return launch_fill<double>(data, count, seed, low, high, stream);
    case ElementType::f32: return launch_fill<float>(data, count, seed, low, high, stream);
    case ElementType::f16: return launch_fill<__half>(data, count, seed, low, high, stream);
    case ElementType::bf16: return launch_fill<__nv_bfloat16>(data, count, seed, low, high, stream);
    case ElementType::i8: return launch_fill<std::int8_t>(data, count, seed, low, high, stream);
    case ElementType::e4m3: return launch_fill<__nv_fp8_e4m3>(data, count, seed, low, high, stream);
    case ElementType::i32: break;
  }
  return cudaErrorInvalidValue;
}

cudaError_t fma_fp32(float* out, int blocks, long long iterations, float a, float b,
                     cudaStream_t stream) {
  fma_kernel<float><<<blocks, kFmaThreadsPerBlock, 0, stream>>>(out, iterations, a, b);
  return cudaGetLastError();
}

cudaError_t fma_fp64(double* out, int blocks, long long iterations, double a, double b,
                     cudaStream_t stream) {
  fma_kernel<double><<<blocks, kFmaThreadsPerBlock, 0, stream>>>(out, iterations, a, b);
  return cudaGetLastError();
}

cudaError_t fma_fp16x2(float* out, int blocks, long long iterations, float a, float b,
                       cudaStream_t stream) {
  fma_half2_kernel<<<blocks, kFmaThreadsPerBlock, 0, stream>>>(out, iterations, __float2half2_rn(a),
                                                               __float2half2_rn(b));
  return cudaGetLastError();
}

cudaError_t stream_copy(double* c, const double* a, std::size_t n, int blocks,
                        cudaStream_t stream) {
  copy_kernel<<<blocks, 256, 0, stream>>>(reinterpret_cast<double2*>(c),
                                          reinterpret_cast<const double2*>(a), n / 2);
  return cudaGetLastError();
}

cudaError_t stream_triad(double* a, const double* b, const double* c, double scalar, std::size_t n,
                         int blocks, cudaStream_t stream) {
  triad_kernel<<<blocks, 256, 0, stream>>>(reinterpret_cast<double2*>(a),
                                           reinterpret_cast<const double2*>(b),
                                           reinterpret_cast<const double2*>(c), scalar, n / 2);
  return cudaGetLastError();
}

cudaError_t hand_sgemm(int m, int n, int k, const float* a, const float* b, float* c,
                       cudaStream_t stream) {
  if (m % hand_gemm::kBlockM != 0 || n % hand_gemm::kBlockN != 0 || k % hand_gemm::kBlockK != 0) {
    return cudaErrorInvalidValue;
  }
  const dim3 grid(n / hand_gemm::kBlockN, m / hand_gemm::kBlockM);
  hand_sgemm_kernel<<<grid, hand_gemm::kThreads, 0, stream>>>(n, k, a, b, c);
  return cudaGetLastError();
}

cudaError_t max_abs_difference(const float* x, const float* y, std::size_t n, float* result,
                               cudaStream_t stream) {
  cudaError_t status = cudaMemsetAsync(result, 0, 2 * sizeof(float), stream);
  if (status != cudaSuccess) return status;
  max_difference_kernel<<<grid_for(n, 256, 4096), 256, 0, stream>>>(
      x, y, n, reinterpret_cast<unsigned int*>(result));
  return cudaGetLastError();
}

}  // namespace hwcal::cuda
