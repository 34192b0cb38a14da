// gpu_reference: the direct measurements calibrate's CUDA kernels are compared with in
// scripts/gpu_check.sh. Deliberately plain and independent of hwcal: cublasGemmEx and
// cublasLtMatmul calls on random data (TN layout, as calibrate uses), cudaMemcpy loops, and its
// own FMA chain kernels, each timed with CUDA events after warm-up, best of N. Prints one JSON
// object: {"device", "compute_capability", "multiprocessors", "results": [{"kernel", "size",
// "rate", "unit", "best_s"}]} where `kernel` is the calibrate kernel the figure is the reference
// for and `rate` is GFLOPS (GIOPS) or GB/s with calibrate's byte conventions.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_fp8.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

void fail(const char* call, const char* what) {
  std::fprintf(stderr, "gpu_reference: %s: %s\n", call, what);
  std::exit(1);
}

#define CHECK_CUDA(call)                                                \
  do {                                                                  \
    cudaError_t status_ = (call);                                       \
    if (status_ != cudaSuccess) fail(#call, cudaGetErrorName(status_)); \
  } while (0)
#define CHECK_CUBLAS(call)                                                           \
  do {                                                                               \
    cublasStatus_t status_ = (call);                                                 \
    if (status_ != CUBLAS_STATUS_SUCCESS) fail(#call, cublasGetStatusName(status_)); \
  } while (0)

struct Result {
  std::string kernel;
  long long size;
  double rate;
  const char* unit;
  double best_s;
};

std::vector<Result> results;
int trials = 9;

// Best time of `trials` calls after 3 warm-ups, each call timed with events on the default stream.
double best_time(const std::function<void()>& call) {
  cudaEvent_t start, stop;
  CHECK_CUDA(cudaEventCreate(&start));
  CHECK_CUDA(cudaEventCreate(&stop));
  for (int i = 0; i < 3; ++i) call();
  CHECK_CUDA(cudaDeviceSynchronize());
  double best = 1e30;
  for (int i = 0; i < trials; ++i) {
    CHECK_CUDA(cudaEventRecord(start));
    call();
    CHECK_CUDA(cudaEventRecord(stop));
    CHECK_CUDA(cudaEventSynchronize(stop));
    float ms = 0;
    CHECK_CUDA(cudaEventElapsedTime(&ms, start, stop));
    best = std::min(best, ms / 1e3);
  }
  CHECK_CUDA(cudaGetLastError());
  CHECK_CUDA(cudaEventDestroy(start));
  CHECK_CUDA(cudaEventDestroy(stop));
  return best;
}

__global__ void fill_bytes(unsigned char* data, size_t count, unsigned seed, int kind) {
  for (size_t i = blockIdx.x * size_t(blockDim.x) + threadIdx.x; i < count;
       i += size_t(gridDim.x) * blockDim.x) {
    unsigned x = (unsigned)(i * 2654435761u) ^ seed;
    x ^= x >> 13;
    x *= 0x5bd1e995u;
    x ^= x >> 15;
    float u = (x & 0xffffff) / float(0x1000000) * 2.0f - 1.0f;  // [-1, 1)
    switch (kind) {
      case 0: reinterpret_cast<double*>(data)[i] = u; break;
      case 1: reinterpret_cast<float*>(data)[i] = u; break;
      case 2: reinterpret_cast<__half*>(data)[i] = __float2half(u); break;
      case 3: reinterpret_cast<__nv_bfloat16*>(data)[i] = __float2bfloat16(u); break;
      case 4: reinterpret_cast<int8_t*>(data)[i] = (int8_t)(u * 100); break;
      case 5: reinterpret_cast<__nv_fp8_e4m3*>(data)[i] = __nv_fp8_e4m3(u); break;
    }
  }
}

void* random_matrix(size_t count, size_t element, int kind) {
  void* p = nullptr;
  CHECK_CUDA(cudaMalloc(&p, count * element));
  fill_bytes<<<4096, 256>>>(static_cast<unsigned char*>(p), count, 12345u + kind, kind);
  CHECK_CUDA(cudaGetLastError());
  return p;
}

struct GemmEx {
  const char* kernel;
  cudaDataType_t in, out;
  cublasComputeType_t compute;
  size_t in_size, out_size;
  int kind;
  bool f64_scale, i32_scale;
};

void run_gemm_ex(cublasHandle_t handle, const GemmEx& g, long long n) {
  void* a = random_matrix(n * n, g.in_size, g.kind);
  void* b = random_matrix(n * n, g.in_size, g.kind);
  void* c = nullptr;
  CHECK_CUDA(cudaMalloc(&c, n * n * g.out_size));
  double alpha64 = 1, beta64 = 0;
  float alpha32 = 1, beta32 = 0;
  int32_t alphai = 1, betai = 0;
  const void* alpha = g.f64_scale   ? (const void*)&alpha64
                      : g.i32_scale ? (const void*)&alphai
                                    : (const void*)&alpha32;
  const void* beta = g.f64_scale   ? (const void*)&beta64
                     : g.i32_scale ? (const void*)&betai
                                   : (const void*)&beta32;
  int dim = int(n);
  double s = best_time([&] {
    CHECK_CUBLAS(cublasGemmEx(handle, CUBLAS_OP_T, CUBLAS_OP_N, dim, dim, dim, alpha, a, g.in, dim,
                              b, g.in, dim, beta, c, g.out, dim, g.compute, CUBLAS_GEMM_DEFAULT));
  });
  results.push_back({g.kernel, n, 2.0 * n * n * n / s / 1e9, g.i32_scale ? "GIOPS" : "GFLOPS", s});
  CHECK_CUDA(cudaFree(a));
  CHECK_CUDA(cudaFree(b));
  CHECK_CUDA(cudaFree(c));
}

void run_lt(cublasLtHandle_t lt, const char* kernel, cudaDataType_t in, cudaDataType_t out,
            cublasComputeType_t compute, cudaDataType_t scale, size_t out_size, int kind,
            long long n) {
  void* a = random_matrix(n * n, 1, kind);
  void* b = random_matrix(n * n, 1, kind);
  void* c = nullptr;
  void* workspace = nullptr;
  size_t workspace_bytes = 32u << 20;
  CHECK_CUDA(cudaMalloc(&c, n * n * out_size));
  CHECK_CUDA(cudaMalloc(&workspace, workspace_bytes));
  cublasLtMatmulDesc_t op;
  CHECK_CUBLAS(cublasLtMatmulDescCreate(&op, compute, scale));
  cublasOperation_t t = CUBLAS_OP_T, nt = CUBLAS_OP_N;
  CHECK_CUBLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &t, sizeof(t)));
  CHECK_CUBLAS(cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &nt, sizeof(nt)));
  cublasLtMatrixLayout_t la, lb, lc;
  CHECK_CUBLAS(cublasLtMatrixLayoutCreate(&la, in, n, n, n));
  CHECK_CUBLAS(cublasLtMatrixLayoutCreate(&lb, in, n, n, n));
  CHECK_CUBLAS(cublasLtMatrixLayoutCreate(&lc, out, n, n, n));
  cublasLtMatmulPreference_t pref;
  CHECK_CUBLAS(cublasLtMatmulPreferenceCreate(&pref));
  CHECK_CUBLAS(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                    &workspace_bytes, sizeof(workspace_bytes)));
  cublasLtMatmulHeuristicResult_t heuristic{};
  int found = 0;
  CHECK_CUBLAS(cublasLtMatmulAlgoGetHeuristic(lt, op, la, lb, lc, lc, pref, 1, &heuristic, &found));
  if (found == 0) {
    std::fprintf(stderr, "gpu_reference: %s: no cuBLASLt algorithm\n", kernel);
  } else {
    float alphaf = 1, betaf = 0;
    int32_t alphai = 1, betai = 0;
    const void* alpha = scale == CUDA_R_32I ? (const void*)&alphai : (const void*)&alphaf;
    const void* beta = scale == CUDA_R_32I ? (const void*)&betai : (const void*)&betaf;
    double s = best_time([&] {
      CHECK_CUBLAS(cublasLtMatmul(lt, op, alpha, a, la, b, lb, beta, c, lc, c, lc, &heuristic.algo,
                                  workspace, workspace_bytes, 0));
    });
    results.push_back(
        {kernel, n, 2.0 * n * n * n / s / 1e9, scale == CUDA_R_32I ? "GIOPS" : "GFLOPS", s});
  }
  cublasLtMatmulPreferenceDestroy(pref);
  cublasLtMatrixLayoutDestroy(la);
  cublasLtMatrixLayoutDestroy(lb);
  cublasLtMatrixLayoutDestroy(lc);
  cublasLtMatmulDescDestroy(op);
  CHECK_CUDA(cudaFree(a));
  CHECK_CUDA(cudaFree(b));
  CHECK_CUDA(cudaFree(c));
  CHECK_CUDA(cudaFree(workspace));
}

// Eight independent FMA chains per thread, 64 steps per loop iteration.
template <typename T>
__global__ void fma_chains(T* out, int iterations, T a, T b) {
  T x[8];
  for (int c = 0; c < 8; ++c) x[c] = T(threadIdx.x % 7) * T(0.01) + T(c) * T(0.1);
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int u = 0; u < 64; ++u) {
#pragma unroll
      for (int c = 0; c < 8; ++c) x[c] = x[c] * a + b;
    }
  }
  T sum = 0;
  for (int c = 0; c < 8; ++c) sum += x[c];
  out[blockIdx.x * blockDim.x + threadIdx.x] = sum;
}

__global__ void fma_chains_half2(float* out, int iterations, __half2 a, __half2 b) {
  __half2 x[8];
  for (int c = 0; c < 8; ++c) x[c] = __float2half2_rn(0.1f * c + 0.01f * (threadIdx.x % 7));
  for (int i = 0; i < iterations; ++i) {
#pragma unroll
    for (int u = 0; u < 64; ++u) {
#pragma unroll
      for (int c = 0; c < 8; ++c) x[c] = __hfma2(x[c], a, b);
    }
  }
  float sum = 0;
  for (int c = 0; c < 8; ++c) sum += __low2float(x[c]) + __high2float(x[c]);
  out[blockIdx.x * blockDim.x + threadIdx.x] = sum;
}

void run_fma(const cudaDeviceProp& prop) {
  const int threads = 256;
  const int blocks = prop.multiProcessorCount * (prop.maxThreadsPerMultiProcessor / threads);
  void* out = nullptr;
  CHECK_CUDA(cudaMalloc(&out, size_t(blocks) * threads * sizeof(double)));
  const double per_thread_iteration = 8 * 64 * 2.0;
  // Iterations chosen so each call lasts tens of milliseconds on an H100.
  const int iterations32 = 4096, iterations64 = 2048, iterations16 = 4096;
  double s = best_time([&] {
    fma_chains<float><<<blocks, threads>>>(static_cast<float*>(out), iterations32, 0.999f, 0.001f);
  });
  results.push_back({"cuda_fma_fp32", 0,
                     double(blocks) * threads * iterations32 * per_thread_iteration / s / 1e9,
                     "GFLOPS", s});
  s = best_time([&] {
    fma_chains<double><<<blocks, threads>>>(static_cast<double*>(out), iterations64, 0.999, 0.001);
  });
  results.push_back({"cuda_fma_fp64", 0,
                     double(blocks) * threads * iterations64 * per_thread_iteration / s / 1e9,
                     "GFLOPS", s});
  s = best_time([&] {
    fma_chains_half2<<<blocks, threads>>>(static_cast<float*>(out), iterations16,
                                          __float2half2_rn(0.999f), __float2half2_rn(0.001f));
  });
  results.push_back({"cuda_fma_fp16", 0,
                     double(blocks) * threads * iterations16 * per_thread_iteration * 2 / s / 1e9,
                     "GFLOPS", s});
  CHECK_CUDA(cudaFree(out));
}

void run_copies() {
  const size_t device_bytes = size_t(1) << 30;  // calibrate's DRAM size on large GPUs
  void *a = nullptr, *b = nullptr;
  CHECK_CUDA(cudaMalloc(&a, device_bytes));
  CHECK_CUDA(cudaMalloc(&b, device_bytes));
  CHECK_CUDA(cudaMemset(a, 1, device_bytes));
  CHECK_CUDA(cudaMemset(b, 2, device_bytes));
  double s =
      best_time([&] { CHECK_CUDA(cudaMemcpy(b, a, device_bytes, cudaMemcpyDeviceToDevice)); });
  results.push_back(
      {"cuda_memcpy_d2d", (long long)device_bytes, 2.0 * device_bytes / s / 1e9, "GB/s", s});

  const size_t host_bytes = size_t(256) << 20;  // calibrate's transfer size
  void* pinned = nullptr;
  CHECK_CUDA(cudaMallocHost(&pinned, host_bytes));
  std::memset(pinned, 3, host_bytes);
  void* pageable = std::malloc(host_bytes);
  std::memset(pageable, 4, host_bytes);
  s = best_time([&] { CHECK_CUDA(cudaMemcpy(a, pinned, host_bytes, cudaMemcpyHostToDevice)); });
  results.push_back(
      {"cuda_memcpy_h2d_pinned", (long long)host_bytes, host_bytes / s / 1e9, "GB/s", s});
  s = best_time([&] { CHECK_CUDA(cudaMemcpy(pinned, a, host_bytes, cudaMemcpyDeviceToHost)); });
  results.push_back(
      {"cuda_memcpy_d2h_pinned", (long long)host_bytes, host_bytes / s / 1e9, "GB/s", s});
  s = best_time([&] { CHECK_CUDA(cudaMemcpy(a, pageable, host_bytes, cudaMemcpyHostToDevice)); });
  results.push_back(
      {"cuda_memcpy_h2d_pageable", (long long)host_bytes, host_bytes / s / 1e9, "GB/s", s});
  s = best_time([&] { CHECK_CUDA(cudaMemcpy(pageable, a, host_bytes, cudaMemcpyDeviceToHost)); });
  results.push_back(
      {"cuda_memcpy_d2h_pageable", (long long)host_bytes, host_bytes / s / 1e9, "GB/s", s});
  std::free(pageable);
  CHECK_CUDA(cudaFreeHost(pinned));
  CHECK_CUDA(cudaFree(a));
  CHECK_CUDA(cudaFree(b));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long long> sizes = {4096, 8192};
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      sizes = {1024};
      trials = 3;
    } else {
      std::fprintf(stderr, "usage: gpu_reference [--quick]\n");
      return 2;
    }
  }
  int count = 0;
  CHECK_CUDA(cudaGetDeviceCount(&count));
  cudaDeviceProp prop{};
  CHECK_CUDA(cudaGetDeviceProperties(&prop, 0));
  const int cc = prop.major * 10 + prop.minor;
  auto t0 = std::chrono::steady_clock::now();

  cublasHandle_t handle;
  CHECK_CUBLAS(cublasCreate(&handle));
  cublasLtHandle_t lt;
  CHECK_CUBLAS(cublasLtCreate(&lt));
  const GemmEx gemms[] = {
      {"cuda_gemm_fp64_cublas", CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F, 8, 8, 0, true, false},
      {"cuda_gemm_fp32_cublas", CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, 4, 4, 1, false, false},
      {"cuda_gemm_tf32_cublas", CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, 4, 4, 1,
       false, false},
      {"cuda_gemm_fp16_cublas", CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, 2, 2, 2, false, false},
      {"cuda_gemm_bf16_cublas", CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, 2, 2, 3, false,
       false},
      {"cuda_gemm_int8_cublaslt", CUDA_R_8I, CUDA_R_32I, CUBLAS_COMPUTE_32I, 1, 4, 4, false, true},
  };
  for (const GemmEx& g : gemms) {
    if (cc < 80 && (g.compute == CUBLAS_COMPUTE_32F_FAST_TF32 || g.in == CUDA_R_16BF)) continue;
    for (long long n : sizes) {
      std::fprintf(stderr, "gpu_reference: %s n=%lld (cublasGemmEx)\n", g.kernel, n);
      run_gemm_ex(handle, g, n);
    }
  }
  for (long long n : sizes) {
    std::fprintf(stderr, "gpu_reference: cuda_gemm_int8_cublaslt n=%lld (cublasLtMatmul)\n", n);
    run_lt(lt, "cuda_gemm_int8_cublaslt", CUDA_R_8I, CUDA_R_32I, CUBLAS_COMPUTE_32I, CUDA_R_32I, 4,
           4, n);
    if (cc >= 89) {
      std::fprintf(stderr, "gpu_reference: cuda_gemm_fp8_e4m3_cublaslt n=%lld\n", n);
      run_lt(lt, "cuda_gemm_fp8_e4m3_cublaslt", CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_COMPUTE_32F,
             CUDA_R_32F, 2, 5, n);
    }
  }
  std::fprintf(stderr, "gpu_reference: FMA kernels\n");
  run_fma(prop);
  std::fprintf(stderr, "gpu_reference: copies\n");
  run_copies();
  cublasLtDestroy(lt);
  cublasDestroy(handle);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::printf("{\n  \"device\": \"%s\",\n  \"compute_capability\": \"%d.%d\",\n", prop.name,
              prop.major, prop.minor);
  std::printf("  \"multiprocessors\": %d,\n  \"trials\": %d,\n  \"seconds\": %.3f,\n",
              prop.multiProcessorCount, trials, seconds);
  std::printf("  \"results\": [\n");
  for (size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    std::printf(
        "    {\"kernel\": \"%s\", \"size\": %lld, \"rate\": %.3f, \"unit\": \"%s\", "
        "\"best_s\": %.9f}%s\n",
        r.kernel.c_str(), r.size, r.rate, r.unit, r.best_s, i + 1 < results.size() ? "," : "");
  }
  std::printf("  ]\n}\n");
  return 0;
}
