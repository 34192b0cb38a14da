// The hand-written CUDA kernels (device_kernels.cu) behind plain launch functions, so that the
// host code that uses them compiles with the C++ compiler and only one small file goes through
// nvcc. Each launch enqueues on `stream` and returns the launch's status.
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

// The CUDA compiler needs to be told that a helper runs on both sides.
#if defined(__CUDACC__)
#define HWCAL_HOST_DEVICE __host__ __device__
#else
#define HWCAL_HOST_DEVICE
#endif

namespace hwcal::cuda {

// ---- inputs ---------------------------------------------------------------------------------

// i32 is a result type only (int8 GEMM); it cannot be filled.
enum class ElementType { f64, f32, f16, bf16, i8, e4m3, i32 };

// Fills `count` elements with values uniform in [low, high) from a counter-based generator (the
// same splitmix64 as fill.hpp), converted to the element type (integers rounded).
cudaError_t fill_random(void* data, std::size_t count, ElementType type, std::uint64_t seed,
                        double low, double high, cudaStream_t stream);

// ---- peak arithmetic --------------------------------------------------------------------------

// Each thread runs kFmaChains independent chains x = fma(x, a, b), kFmaUnroll times per
// iteration, then writes the chains' sum. a = 1 - 2^-10 and b = 2^-10 pull every chain to 1,
// so the values stay finite for any length and the result can be checked.
inline constexpr int kFmaChains = 8;
inline constexpr int kFmaUnroll = 32;
inline constexpr int kFmaThreadsPerBlock = 256;

cudaError_t fma_fp32(float* out, int blocks, long long iterations, float a, float b,
                     cudaStream_t stream);
cudaError_t fma_fp64(double* out, int blocks, long long iterations, double a, double b,
                     cudaStream_t stream);
// half2: each chain is two fp16 lanes; `out` holds one float per thread (both lanes' sum).
cudaError_t fma_fp16x2(float* out, int blocks, long long iterations, float a, float b,
                       cudaStream_t stream);

// The chain's starting value, shared with the host check.
HWCAL_HOST_DEVICE inline double fma_start_value(long long thread, int chain) {
  return (chain + 1) / 16.0 + static_cast<double>(thread % 8) / 256.0;
}

// ---- memory -----------------------------------------------------------------------------------

// c[i] = a[i] over n doubles, 16 bytes per access (n even, pointers 16-byte aligned).
cudaError_t stream_copy(double* c, const double* a, std::size_t n, int blocks, cudaStream_t stream);
// a[i] = b[i] + scalar * c[i]
cudaError_t stream_triad(double* a, const double* b, const double* c, double scalar, std::size_t n,
                         int blocks, cudaStream_t stream);

// ---- the hand-written matmul and its check -----------------------------------------------------

// C = A B, row-major fp32 (A m x k, B k x n, C m x n); m and n multiples of 128, k of 16.
cudaError_t hand_sgemm(int m, int n, int k, const float* a, const float* b, float* c,
                       cudaStream_t stream);

// result[0] = max |x[i] - y[i]|, result[1] = max |y[i]| (result on the device, two floats).
cudaError_t max_abs_difference(const float* x, const float* y, std::size_t n, float* result,
                               cudaStream_t stream);

}  // namespace hwcal::cuda
