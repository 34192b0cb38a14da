// The hand-written fp32 matmul (kernel cuda_gemm_fp32_hand): what plain CUDA code reaches without
// tensor cores or a library. One block of 256 threads computes a 128 x 128 tile of C = A B
// (row-major), stepping through k 16 at a time:
//   - shared-memory tiling: the block stages a 128 x 16 slice of A (transposed, so a thread reads
//     its rows as float4) and a 16 x 128 slice of B, loaded with 16-byte accesses;
//   - register blocking: each thread accumulates an 8 x 8 sub-tile in registers, rows
//     {4r..4r+3, 64+4r..64+4r+3} and the same for columns, so a warp's shared-memory reads are
//     consecutive float4s (no bank conflicts) and its stores of C are coalesced;
//   - prefetch: the next slice's global loads are issued before the current slice is multiplied.
// The block's steps are written once, here, for two callers: the CUDA kernel (device_kernels.cu,
// barrier = __syncthreads) and a CPU test that runs every thread of a block on its own std::thread
// with a barrier, which checks the indexing against a plain triple loop on a machine without a GPU.
#pragma once

#if defined(__CUDACC__)
#define HWCAL_HAND_GEMM_FN __device__ __forceinline__
#define HWCAL_UNROLL _Pragma("unroll")
#else
#define HWCAL_HAND_GEMM_FN inline
#define HWCAL_UNROLL
#endif

namespace hwcal::cuda::hand_gemm {

inline constexpr int kBlockM = 128;
inline constexpr int kBlockN = 128;
inline constexpr int kBlockK = 16;
inline constexpr int kThreads = 256;
inline constexpr int kThreadTile = 8;         // rows and columns per thread
inline constexpr int kAStride = kBlockM + 4;  // padding halves the bank conflicts of the A stores
inline constexpr int kSharedA = kBlockK * kAStride;
inline constexpr int kSharedB = kBlockK * kBlockN;
// float4 loads per thread per slice, for A and for B.
inline constexpr int kLoadsA = kBlockM * kBlockK / 4 / kThreads;
inline constexpr int kLoadsB = kBlockK * kBlockN / 4 / kThreads;
static_assert(kLoadsA * 4 * kThreads == kBlockM * kBlockK, "A slice must split evenly");
static_assert(kLoadsB * 4 * kThreads == kBlockK * kBlockN, "B slice must split evenly");
static_assert((kBlockM / kThreadTile) * (kBlockN / kThreadTile) == kThreads, "one sub-tile each");

// The next slice, held in registers while the current one is multiplied.
struct Prefetch {
  float a[kLoadsA][4];
  float b[kLoadsB][4];
};

struct Accumulators {
  float c[kThreadTile][kThreadTile];
};

HWCAL_HAND_GEMM_FN void load4(const float* p, float* v) {
#if defined(__CUDACC__)
  const float4 t = *reinterpret_cast<const float4*>(p);
  v[0] = t.x;
  v[1] = t.y;
  v[2] = t.z;
  v[3] = t.w;
#else
  for (int i = 0; i < 4; ++i) v[i] = p[i];
#endif
}

HWCAL_HAND_GEMM_FN void store4(float* p, const float* v) {
#if defined(__CUDACC__)
  *reinterpret_cast<float4*>(p) = make_float4(v[0], v[1], v[2], v[3]);
#else
  for (int i = 0; i < 4; ++i) p[i] = v[i];
#endif
}

// Global memory -> registers: the slice of A at rows block_row*128.., columns k0..k0+15 and the
// slice of B at rows k0..k0+15, columns block_col*128...
HWCAL_HAND_GEMM_FN void load_global(int tid, const float* a, const float* b, int n, int k,
                                    int block_row, int block_col, int k0, Prefetch& next) {
  HWCAL_UNROLL
  for (int l = 0; l < kLoadsA; ++l) {
    const int index = tid + l * kThreads;
    const int row = index / (kBlockK / 4);
    const int col = (index % (kBlockK / 4)) * 4;
    load4(a + static_cast<long long>(block_row * kBlockM + row) * k + k0 + col, next.a[l]);
  }
  HWCAL_UNROLL
  for (int l = 0; l < kLoadsB; ++l) {
    const int index = tid + l * kThreads;
    const int row = index / (kBlockN / 4);
    const int col = (index % (kBlockN / 4)) * 4;
    load4(b + static_cast<long long>(k0 + row) * n + block_col * kBlockN + col, next.b[l]);
  }
}

// Registers -> shared memory: A transposed (shared_a[kk * kAStride + row]), B as it is.
HWCAL_HAND_GEMM_FN void store_shared(int tid, const Prefetch& next, float* shared_a,
                                     float* shared_b) {
  HWCAL_UNROLL
  for (int l = 0; l < kLoadsA; ++l) {
    const int index = tid + l * kThreads;
    const int row = index / (kBlockK / 4);
    const int col = (index % (kBlockK / 4)) * 4;
    HWCAL_UNROLL
    for (int i = 0; i < 4; ++i) shared_a[(col + i) * kAStride + row] = next.a[l][i];
  }
  HWCAL_UNROLL
  for (int l = 0; l < kLoadsB; ++l) {
    const int index = tid + l * kThreads;
    const int row = index / (kBlockN / 4);
    const int col = (index % (kBlockN / 4)) * 4;
    store4(shared_b + row * kBlockN + col, next.b[l]);
  }
}

// The thread's sub-tile rows (and, with the same formula, columns): 4 at 4t, 4 at 64 + 4t.
HWCAL_HAND_GEMM_FN int sub_tile_offset(int t, int i) {
  return (i < 4 ? 0 : kBlockM / 2) + t * 4 + (i % 4);
}

HWCAL_HAND_GEMM_FN void multiply_slice(int tid, const float* shared_a, const float* shared_b,
                                       Accumulators& acc) {
  const int thread_row = tid / (kBlockN / kThreadTile);
  const int thread_col = tid % (kBlockN / kThreadTile);
  HWCAL_UNROLL
  for (int kk = 0; kk < kBlockK; ++kk) {
    float a[kThreadTile];
    float b[kThreadTile];
    load4(shared_a + kk * kAStride + thread_row * 4, a);
    load4(shared_a + kk * kAStride + kBlockM / 2 + thread_row * 4, a + 4);
    load4(shared_b + kk * kBlockN + thread_col * 4, b);
    load4(shared_b + kk * kBlockN + kBlockN / 2 + thread_col * 4, b + 4);
    HWCAL_UNROLL
    for (int i = 0; i < kThreadTile; ++i) {
      HWCAL_UNROLL
      for (int j = 0; j < kThreadTile; ++j) acc.c[i][j] += a[i] * b[j];
    }
  }
}

HWCAL_HAND_GEMM_FN void store_result(int tid, const Accumulators& acc, float* c, int n,
                                     int block_row, int block_col) {
  const int thread_row = tid / (kBlockN / kThreadTile);
  const int thread_col = tid % (kBlockN / kThreadTile);
  HWCAL_UNROLL
  for (int i = 0; i < kThreadTile; ++i) {
    const long long row = block_row * kBlockM + sub_tile_offset(thread_row, i);
    HWCAL_UNROLL
    for (int half = 0; half < 2; ++half) {
      const int col = block_col * kBlockN + half * (kBlockN / 2) + thread_col * 4;
      store4(c + row * n + col, &acc.c[i][half * 4]);
    }
  }
}

// One block's work for thread `tid`; `sync` is the block-wide barrier.
template <typename Sync>
HWCAL_HAND_GEMM_FN void block(int tid, int block_row, int block_col, int n, int k, const float* a,
                              const float* b, float* c, float* shared_a, float* shared_b,
                              Sync sync) {
  Accumulators acc;
  HWCAL_UNROLL
  for (int i = 0; i < kThreadTile; ++i) {
    HWCAL_UNROLL
    for (int j = 0; j < kThreadTile; ++j) acc.c[i][j] = 0.0f;
  }
  Prefetch next;
  load_global(tid, a, b, n, k, block_row, block_col, 0, next);
  store_shared(tid, next, shared_a, shared_b);
  sync();
  for (int k0 = 0; k0 < k; k0 += kBlockK) {
    const bool more = k0 + kBlockK < k;
    if (more) load_global(tid, a, b, n, k, block_row, block_col, k0 + kBlockK, next);
    multiply_slice(tid, shared_a, shared_b, acc);
    sync();  // every thread is done reading the slice before it is overwritten
    if (more) {
      store_shared(tid, next, shared_a, shared_b);
      sync();
    }
  }
  store_result(tid, acc, c, n, block_row, block_col);
}

}  // namespace hwcal::cuda::hand_gemm
