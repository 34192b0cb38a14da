// The hand-written matmul's block steps (src/cuda/hand_gemm.hpp) run on the CPU: each of a
// block's 256 threads on its own std::thread, with a barrier where the kernel has __syncthreads.
// This checks the tiling, the register blocking and the prefetch order on machines without a GPU;
// the GPU tests check the compiled kernel against cuBLAS.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "hand_gemm.hpp"
#include "number_formats.hpp"

namespace hwcal::cuda {
namespace {

class Barrier {
 public:
  explicit Barrier(int count) : count_(count) {}
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    const int generation = generation_;
    if (++waiting_ == count_) {
      waiting_ = 0;
      ++generation_;
      wake_.notify_all();
      return;
    }
    wake_.wait(lock, [&] { return generation_ != generation; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  int count_;
  int waiting_ = 0;
  int generation_ = 0;
};

// Row-major C = A B through the kernel's block function, every block in turn.
std::vector<float> tiled(int m, int n, int k, const std::vector<float>& a,
                         const std::vector<float>& b) {
  std::vector<float> c(static_cast<std::size_t>(m) * n, -1.0f);
  for (int block_row = 0; block_row < m / hand_gemm::kBlockM; ++block_row) {
    for (int block_col = 0; block_col < n / hand_gemm::kBlockN; ++block_col) {
      std::vector<float> shared_a(hand_gemm::kSharedA);
      std::vector<float> shared_b(hand_gemm::kSharedB);
      Barrier barrier(hand_gemm::kThreads);
      std::vector<std::thread> threads;
      for (int tid = 0; tid < hand_gemm::kThreads; ++tid) {
        threads.emplace_back([&, tid] {
          hand_gemm::block(tid, block_row, block_col, n, k, a.data(), b.data(), c.data(),
                           shared_a.data(), shared_b.data(), [&barrier] { barrier.wait(); });
        });
      }
      for (std::thread& thread : threads) thread.join();
    }
  }
  return c;
}

// Small integers: every sum is exact in fp32, so the comparison is exact.
void check(int m, int n, int k) {
  std::vector<float> a(static_cast<std::size_t>(m) * k);
  std::vector<float> b(static_cast<std::size_t>(k) * n);
  for (std::size_t i = 0; i < a.size(); ++i)
    a[i] = static_cast<float>(static_cast<int>(i * 7 % 11) - 5);
  for (std::size_t i = 0; i < b.size(); ++i)
    b[i] = static_cast<float>(static_cast<int>(i * 5 % 13) - 6);
  std::vector<float> c = tiled(m, n, k, a, b);
  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      float expected = 0;
      for (int p = 0; p < k; ++p) {
        expected += a[static_cast<std::size_t>(i) * k + p] * b[static_cast<std::size_t>(p) * n + j];
      }
      ASSERT_EQ(c[static_cast<std::size_t>(i) * n + j], expected)
          << "C[" << i << ", " << j << "] of " << m << " x " << n << " x " << k;
    }
  }
}

TEST(HandGemmTiling, OneBlockOneSlice) { check(128, 128, 16); }
TEST(HandGemmTiling, SeveralBlocksAndSlicesWithPrefetch) { check(256, 384, 48); }
TEST(HandGemmTiling, TallMatrix) { check(384, 128, 32); }

TEST(NumberFormats, DecodeKnownBitPatterns) {
  EXPECT_EQ(decode_fp16(0x3c00), 1.0);
  EXPECT_EQ(decode_fp16(0xc000), -2.0);
  EXPECT_EQ(decode_fp16(0x7bff), 65504.0);
  EXPECT_EQ(decode_fp16(0x0001), std::ldexp(1.0, -24));  // the smallest subnormal
  EXPECT_TRUE(std::isinf(decode_fp16(0x7c00)));
  EXPECT_EQ(decode_bf16(0x3f80), 1.0);
  EXPECT_EQ(decode_bf16(0xc0a0), -5.0);
  EXPECT_EQ(decode_e4m3(0x38), 1.0);
  EXPECT_EQ(decode_e4m3(0x7e), 448.0);  // the largest e4m3 value
  EXPECT_EQ(decode_e4m3(0xb0), -0.5);
  EXPECT_EQ(decode_e4m3(0x01), std::ldexp(1.0, -9));
  EXPECT_TRUE(std::isnan(decode_e4m3(0x7f)));
}

}  // namespace
}  // namespace hwcal::cuda
