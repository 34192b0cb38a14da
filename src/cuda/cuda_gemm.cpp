// GPU GEMM: cuBLAS (cublasGemmEx) for fp64, fp32, tf32, fp16 and bf16; cuBLASLt (cublasLtMatmul)
// for int8 on the integer tensor cores (IMMA, int32 accumulation) and fp8 e4m3; and the
// hand-written tiled fp32 kernel (hand_gemm.hpp). Every library GEMM uses the TN layout,
// column-major: C (m x n) = A^T B with A stored k x m and B stored k x n. It is the layout
// cuBLASLt requires for IMMA and FP8, and it puts each row of op(A) and each column of B in
// contiguous memory, so the spot check copies 8 of each and computes 64 entries of C in double on
// the host. The hand-written kernel is checked against cuBLAS fp32 over the whole matrix.
#include <cstdint>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "cuda_support.hpp"
#include "device_kernels.hpp"
#include "hand_gemm.hpp"
#include "number_formats.hpp"

namespace hwcal {
namespace {

using cuda::DeviceBuffer;
using cuda::ElementType;

// How one library GEMM is called and checked.
struct GemmConfig {
  ElementType input = ElementType::f32;
  cudaDataType_t input_type = CUDA_R_32F;
  cudaDataType_t output_type = CUDA_R_32F;
  ElementType output = ElementType::f32;
  cublasComputeType_t compute = CUBLAS_COMPUTE_32F;
  cudaDataType_t scale_type = CUDA_R_32F;
  bool lt = false;  // cublasLtMatmul instead of cublasGemmEx
  double low = -1;  // input range
  double high = 1;
  // Tolerance of an entry: sum_tolerance x sum |a_i b_i| (accumulation, reduced-precision inputs)
  // + output_tolerance x |reference| (rounding of the stored result).
  double sum_tolerance = 1e-4;
  double output_tolerance = 0;
};

// A configuration with these element and cuBLAS types (inputs, result, accumulation, scale);
// ranges and tolerances keep their defaults.
GemmConfig gemm_types(ElementType input, cudaDataType_t input_type, ElementType output,
                      cudaDataType_t output_type, cublasComputeType_t compute,
                      cudaDataType_t scale_type) {
  GemmConfig config;
  config.input = input;
  config.input_type = input_type;
  config.output = output;
  config.output_type = output_type;
  config.compute = compute;
  config.scale_type = scale_type;
  return config;
}

std::size_t size_of(ElementType type) {
  switch (type) {
    case ElementType::f64: return 8;
    case ElementType::f32:
    case ElementType::i32: return 4;
    case ElementType::f16:
    case ElementType::bf16: return 2;
    case ElementType::i8:
    case ElementType::e4m3: return 1;
  }
  return 4;
}

std::size_t output_size(const GemmConfig& config) { return size_of(config.output); }

double decode(const unsigned char* bytes, ElementType type) {
  switch (type) {
    case ElementType::i32: {
      std::int32_t value = 0;
      std::memcpy(&value, bytes, sizeof(value));
      return value;
    }
    case ElementType::f64: {
      double value = 0;
      std::memcpy(&value, bytes, sizeof(value));
      return value;
    }
    case ElementType::f32: {
      float value = 0;
      std::memcpy(&value, bytes, sizeof(value));
      return static_cast<double>(value);
    }
    case ElementType::f16: {
      std::uint16_t bits = 0;
      std::memcpy(&bits, bytes, sizeof(bits));
      return cuda::decode_fp16(bits);
    }
    case ElementType::bf16: {
      std::uint16_t bits = 0;
      std::memcpy(&bits, bytes, sizeof(bits));
      return cuda::decode_bf16(bits);
    }
    case ElementType::i8: return static_cast<std::int8_t>(bytes[0]);
    case ElementType::e4m3: return cuda::decode_e4m3(bytes[0]);
  }
  return 0;
}

double gemm_flops(const GemmShape& s, const KernelEnv&) {
  return 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
}

// Alpha and beta in the scale type the compute type wants.
struct Scalars {
  double f64[2] = {1.0, 0.0};
  float f32[2] = {1.0f, 0.0f};
  std::int32_t i32[2] = {1, 0};
  const void* alpha(cudaDataType_t type) const {
    return type == CUDA_R_64F   ? static_cast<const void*>(&f64[0])
           : type == CUDA_R_32I ? static_cast<const void*>(&i32[0])
                                : static_cast<const void*>(&f32[0]);
  }
  const void* beta(cudaDataType_t type) const {
    return type == CUDA_R_64F   ? static_cast<const void*>(&f64[1])
           : type == CUDA_R_32I ? static_cast<const void*>(&i32[1])
                                : static_cast<const void*>(&f32[1]);
  }
};

// Rows 0 and m-1 and six spread between, so the edges of the tiles are checked too.
std::vector<long long> sample_indices(long long count, std::uint64_t salt) {
  std::vector<long long> indices = {0};
  for (std::uint64_t s = 1; s < 7; ++s) {
    indices.push_back(
        static_cast<long long>((s * 2654435761ULL + salt) % static_cast<std::uint64_t>(count)));
  }
  indices.push_back(count - 1);
  return indices;
}

class LibraryGemm : public cuda::TimedCudaKernel {
 public:
  LibraryGemm(const GemmShape& shape, const KernelEnv& env, const GemmConfig& config)
      : TimedCudaKernel(env.gpu), config_(config), m_(shape.m), n_(shape.n), k_(shape.k) {
    const std::size_t in = size_of(config.input);
    a_ = DeviceBuffer(static_cast<std::size_t>(k_ * m_) * in);
    b_ = DeviceBuffer(static_cast<std::size_t>(k_ * n_) * in);
    c_ = DeviceBuffer(static_cast<std::size_t>(m_ * n_) * output_size(config));
    HWCAL_CUDA_CHECK(cuda::fill_random(a_.get(), static_cast<std::size_t>(k_ * m_), config.input,
                                       env.seed, config.low, config.high, stream_.get()));
    HWCAL_CUDA_CHECK(cuda::fill_random(b_.get(), static_cast<std::size_t>(k_ * n_), config.input,
                                       env.seed + 1, config.low, config.high, stream_.get()));
    HWCAL_CUDA_CHECK(cudaMemsetAsync(c_.get(), 0, c_.bytes(), stream_.get()));
    if (config.lt) {
      prepare_lt();
    } else {
      HWCAL_CUDA_CHECK(cublasCreate(&handle_));
      HWCAL_CUDA_CHECK(cublasSetStream(handle_, stream_.get()));
      // TF32 only where the compute type asks for it (CUBLAS_COMPUTE_32F_FAST_TF32).
      HWCAL_CUDA_CHECK(cublasSetMathMode(handle_, CUBLAS_DEFAULT_MATH));
    }
    // One call now: a precision this GPU lacks fails here, as `unsupported`, before any timing.
    run();
  }

  ~LibraryGemm() override {
    if (handle_ != nullptr) cublasDestroy(handle_);
    if (preference_ != nullptr) cublasLtMatmulPreferenceDestroy(preference_);
    for (cublasLtMatrixLayout_t layout : {layout_a_, layout_b_, layout_c_}) {
      if (layout != nullptr) cublasLtMatrixLayoutDestroy(layout);
    }
    if (operation_ != nullptr) cublasLtMatmulDescDestroy(operation_);
    if (lt_ != nullptr) cublasLtDestroy(lt_);
  }

  // 64 entries of C against double-precision sums of the exact inputs.
  std::string verify() override {
    stream_.synchronize();
    const std::size_t in = size_of(config_.input);
    const std::size_t out = output_size(config_);
    const std::vector<long long> rows = sample_indices(m_, 17);
    const std::vector<long long> cols = sample_indices(n_, 91);
    std::vector<unsigned char> a_rows(rows.size() * static_cast<std::size_t>(k_) * in);
    std::vector<unsigned char> b_cols(cols.size() * static_cast<std::size_t>(k_) * in);
    std::vector<unsigned char> c_cols(cols.size() * static_cast<std::size_t>(m_) * out);
    const std::size_t k_bytes = static_cast<std::size_t>(k_) * in;
    const std::size_t m_bytes = static_cast<std::size_t>(m_) * out;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      HWCAL_CUDA_CHECK(
          cudaMemcpy(a_rows.data() + r * k_bytes,
                     a_.as<unsigned char>() + static_cast<std::size_t>(rows[r]) * k_bytes, k_bytes,
                     cudaMemcpyDeviceToHost));
    }
    for (std::size_t c = 0; c < cols.size(); ++c) {
      HWCAL_CUDA_CHECK(
          cudaMemcpy(b_cols.data() + c * k_bytes,
                     b_.as<unsigned char>() + static_cast<std::size_t>(cols[c]) * k_bytes, k_bytes,
                     cudaMemcpyDeviceToHost));
      HWCAL_CUDA_CHECK(
          cudaMemcpy(c_cols.data() + c * m_bytes,
                     c_.as<unsigned char>() + static_cast<std::size_t>(cols[c]) * m_bytes, m_bytes,
                     cudaMemcpyDeviceToHost));
    }
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (std::size_t c = 0; c < cols.size(); ++c) {
        double reference = 0;
        double magnitude = 0;
        for (long long i = 0; i < k_; ++i) {
          const double x =
              decode(&a_rows[r * k_bytes + static_cast<std::size_t>(i) * in], config_.input);
          const double y =
              decode(&b_cols[c * k_bytes + static_cast<std::size_t>(i) * in], config_.input);
          reference += x * y;
          magnitude += std::fabs(x * y);
        }
        const double got =
            decode(&c_cols[c * m_bytes + static_cast<std::size_t>(rows[r]) * out], config_.output);
        const double allowed = config_.sum_tolerance * magnitude +
                               config_.output_tolerance * std::fabs(reference) + 1e-30;
        if (!(std::fabs(got - reference) <= allowed)) {
          return fmt::format("C[{}, {}] is {} but should be {} (allowed error {:.3g})", rows[r],
                             cols[c], got, reference, allowed);
        }
      }
    }
    return "";
  }

 protected:
  void enqueue() override {
    if (config_.lt) {
      HWCAL_CUDA_CHECK(cublasLtMatmul(
          lt_, operation_, scalars_.alpha(config_.scale_type), a_.get(), layout_a_, b_.get(),
          layout_b_, scalars_.beta(config_.scale_type), c_.get(), layout_c_, c_.get(), layout_c_,
          &algorithm_, workspace_.get(), workspace_.bytes(), stream_.get()));
      return;
    }
    HWCAL_CUDA_CHECK(cublasGemmEx(
        handle_, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(m_), static_cast<int>(n_),
        static_cast<int>(k_), scalars_.alpha(config_.scale_type), a_.get(), config_.input_type,
        static_cast<int>(k_), b_.get(), config_.input_type, static_cast<int>(k_),
        scalars_.beta(config_.scale_type), c_.get(), config_.output_type, static_cast<int>(m_),
        config_.compute, CUBLAS_GEMM_DEFAULT));
  }

 private:
  // cuBLASLt: the operation, the three layouts, and the heuristic's best algorithm for them.
  void prepare_lt() {
    HWCAL_CUDA_CHECK(cublasLtCreate(&lt_));
    HWCAL_CUDA_CHECK(cublasLtMatmulDescCreate(&operation_, config_.compute, config_.scale_type));
    const cublasOperation_t transpose = CUBLAS_OP_T;
    const cublasOperation_t keep = CUBLAS_OP_N;
    HWCAL_CUDA_CHECK(cublasLtMatmulDescSetAttribute(operation_, CUBLASLT_MATMUL_DESC_TRANSA,
                                                    &transpose, sizeof(transpose)));
    HWCAL_CUDA_CHECK(cublasLtMatmulDescSetAttribute(operation_, CUBLASLT_MATMUL_DESC_TRANSB, &keep,
                                                    sizeof(keep)));
    HWCAL_CUDA_CHECK(cublasLtMatrixLayoutCreate(&layout_a_, config_.input_type,
                                                static_cast<std::uint64_t>(k_),
                                                static_cast<std::uint64_t>(m_), k_));
    HWCAL_CUDA_CHECK(cublasLtMatrixLayoutCreate(&layout_b_, config_.input_type,
                                                static_cast<std::uint64_t>(k_),
                                                static_cast<std::uint64_t>(n_), k_));
    HWCAL_CUDA_CHECK(cublasLtMatrixLayoutCreate(&layout_c_, config_.output_type,
                                                static_cast<std::uint64_t>(m_),
                                                static_cast<std::uint64_t>(n_), m_));
    // 32 MiB: what NVIDIA recommends for Hopper; cuBLASLt uses less where it needs less.
    workspace_ = DeviceBuffer(32u << 20);
    HWCAL_CUDA_CHECK(cublasLtMatmulPreferenceCreate(&preference_));
    const std::size_t workspace_bytes = workspace_.bytes();
    HWCAL_CUDA_CHECK(
        cublasLtMatmulPreferenceSetAttribute(preference_, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                             &workspace_bytes, sizeof(workspace_bytes)));
    cublasLtMatmulHeuristicResult_t result{};
    int found = 0;
    HWCAL_CUDA_CHECK(cublasLtMatmulAlgoGetHeuristic(lt_, operation_, layout_a_, layout_b_,
                                                    layout_c_, layout_c_, preference_, 1, &result,
                                                    &found));
    if (found == 0 || result.state != CUBLAS_STATUS_SUCCESS) {
      throw KernelUnsupported(
          fmt::format("cublasLtMatmulAlgoGetHeuristic: no algorithm for this type on this GPU ({})",
                      found == 0 ? "none returned" : cublasLtGetStatusName(result.state)));
    }
    algorithm_ = result.algo;
  }

  GemmConfig config_;
  long long m_;
  long long n_;
  long long k_;
  DeviceBuffer a_;
  DeviceBuffer b_;
  DeviceBuffer c_;
  DeviceBuffer workspace_;
  Scalars scalars_;
  cublasHandle_t handle_ = nullptr;
  cublasLtHandle_t lt_ = nullptr;
  cublasLtMatmulDesc_t operation_ = nullptr;
  cublasLtMatrixLayout_t layout_a_ = nullptr;
  cublasLtMatrixLayout_t layout_b_ = nullptr;
  cublasLtMatrixLayout_t layout_c_ = nullptr;
  cublasLtMatmulPreference_t preference_ = nullptr;
  cublasLtMatmulAlgo_t algorithm_{};
};

// The hand-written kernel, row-major (C = A B, A m x k): checked against cuBLAS fp32 (pedantic:
// no TF32, no reduced-precision shortcuts) on the same inputs, over every entry.
class HandGemm : public cuda::TimedCudaKernel {
 public:
  HandGemm(const GemmShape& shape, const KernelEnv& env)
      : TimedCudaKernel(env.gpu), m_(shape.m), n_(shape.n), k_(shape.k) {
    namespace tile = cuda::hand_gemm;
    if (m_ % tile::kBlockM != 0 || n_ % tile::kBlockN != 0 || k_ % tile::kBlockK != 0) {
      throw KernelUnsupported(fmt::format(
          "the hand-written kernel needs m and n multiples of {} and k of {} (got {} x {} x {})",
          tile::kBlockM, tile::kBlockK, m_, n_, k_));
    }
    a_ = DeviceBuffer(static_cast<std::size_t>(m_ * k_) * sizeof(float));
    b_ = DeviceBuffer(static_cast<std::size_t>(k_ * n_) * sizeof(float));
    c_ = DeviceBuffer(static_cast<std::size_t>(m_ * n_) * sizeof(float));
    HWCAL_CUDA_CHECK(cuda::fill_random(a_.get(), static_cast<std::size_t>(m_ * k_),
                                       ElementType::f32, env.seed, -1, 1, stream_.get()));
    HWCAL_CUDA_CHECK(cuda::fill_random(b_.get(), static_cast<std::size_t>(k_ * n_),
                                       ElementType::f32, env.seed + 1, -1, 1, stream_.get()));
    HWCAL_CUDA_CHECK(cudaMemsetAsync(c_.get(), 0, c_.bytes(), stream_.get()));
    stream_.synchronize();
  }

  std::string verify() override {
    stream_.synchronize();
    DeviceBuffer reference(c_.bytes());
    DeviceBuffer result(2 * sizeof(float));
    cublasHandle_t handle = nullptr;
    HWCAL_CUDA_CHECK(cublasCreate(&handle));
    std::string wrong;
    try {
      HWCAL_CUDA_CHECK(cublasSetStream(handle, stream_.get()));
      const float alpha = 1.0f;
      const float beta = 0.0f;
      // Row-major C = A B is column-major C^T = B^T A^T: B (n x k, ld n) times A (k x m, ld k).
      HWCAL_CUDA_CHECK(cublasGemmEx(
          handle, CUBLAS_OP_N, CUBLAS_OP_N, static_cast<int>(n_), static_cast<int>(m_),
          static_cast<int>(k_), &alpha, b_.get(), CUDA_R_32F, static_cast<int>(n_), a_.get(),
          CUDA_R_32F, static_cast<int>(k_), &beta, reference.get(), CUDA_R_32F,
          static_cast<int>(n_), CUBLAS_COMPUTE_32F_PEDANTIC, CUBLAS_GEMM_DEFAULT));
      HWCAL_CUDA_CHECK(cuda::max_abs_difference(c_.as<float>(), reference.as<float>(),
                                                static_cast<std::size_t>(m_ * n_),
                                                result.as<float>(), stream_.get()));
      float found[2] = {0, 0};
      HWCAL_CUDA_CHECK(cudaMemcpyAsync(found, result.get(), sizeof(found), cudaMemcpyDeviceToHost,
                                       stream_.get()));
      stream_.synchronize();
      // Two fp32 sums of k products of numbers in [-1, 1) in different orders differ by about
      // sqrt(k) ulps of the result; a wrong tile differs by the size of the entries.
      const double allowed = 2e-6 * static_cast<double>(k_) + 1e-5;
      if (!(static_cast<double>(found[0]) <= allowed)) {
        wrong = fmt::format(
            "differs from cuBLAS fp32 by up to {:.3g} (allowed {:.3g}; entries reach {:.3g})",
            static_cast<double>(found[0]), allowed, static_cast<double>(found[1]));
      }
    } catch (...) {
      cublasDestroy(handle);
      throw;
    }
    cublasDestroy(handle);
    return wrong;
  }

 protected:
  void enqueue() override {
    HWCAL_CUDA_CHECK(cuda::hand_sgemm(static_cast<int>(m_), static_cast<int>(n_),
                                      static_cast<int>(k_), a_.as<float>(), b_.as<float>(),
                                      c_.as<float>(), stream_.get()));
  }

 private:
  long long m_;
  long long n_;
  long long k_;
  DeviceBuffer a_;
  DeviceBuffer b_;
  DeviceBuffer c_;
};

// Compute capability (x10) each kind of GEMM needs, with the reason when the GPU has less.
std::string needs_capability(const KernelEnv& env, int minimum, const char* what) {
  std::string reason = cuda::no_device_reason(env);
  if (!reason.empty()) return reason;
  if (env.gpu_facts.compute_capability() < minimum) {
    return fmt::format("{} needs compute capability {}.{} or newer; this GPU has {}.{}", what,
                       minimum / 10, minimum % 10, env.gpu_facts.compute_major,
                       env.gpu_facts.compute_minor);
  }
  return "";
}

KernelDescriptor library_gemm(const char* id, const char* description, Precision precision,
                              const GemmConfig& config, int minimum_capability,
                              const char* capability_what) {
  KernelDescriptor d = kernel_descriptor(id, description, "cuda", config.lt ? "cublaslt" : "cublas",
                                         precision, KernelClass::gemm);
  d.unavailable_reason = [minimum_capability, capability_what](const KernelEnv& env) {
    return needs_capability(env, minimum_capability, capability_what);
  };
  d.flops = with_shape<GemmShape>(gemm_flops);
  // The matrices' footprint: what planning fits into the GPU's memory.
  d.bytes = with_shape<GemmShape>([config](const GemmShape& s, const KernelEnv&) {
    const double in = static_cast<double>(size_of(config.input));
    return (static_cast<double>(s.m * s.k) + static_cast<double>(s.k * s.n)) * in +
           static_cast<double>(s.m * s.n) * static_cast<double>(output_size(config));
  });
  d.prepare = with_shape<GemmShape>([config](const GemmShape& s, const KernelEnv& env) {
    return std::unique_ptr<PreparedKernel>(new LibraryGemm(s, env, config));
  });
  return d;
}

}  // namespace

std::vector<KernelDescriptor> cuda_gemm_kernels() {
  std::vector<KernelDescriptor> kernels;

  GemmConfig fp64 = gemm_types(ElementType::f64, CUDA_R_64F, ElementType::f64, CUDA_R_64F,
                               CUBLAS_COMPUTE_64F, CUDA_R_64F);
  fp64.sum_tolerance = 1e-12;
  kernels.push_back(library_gemm("cuda_gemm_fp64_cublas",
                                 "cuBLAS DGEMM (cublasGemmEx, fp64 tensor cores where the GPU "
                                 "has them)",
                                 Precision::fp64, fp64, 0, ""));

  // fp32 without TF32: CUBLAS_COMPUTE_32F under the default math mode never converts inputs
  // (TF32 needs COMPUTE_32F_FAST_TF32 or CUBLAS_TF32_TENSOR_OP_MATH).
  GemmConfig fp32;
  fp32.sum_tolerance = 1e-4;
  kernels.push_back(library_gemm("cuda_gemm_fp32_cublas",
                                 "cuBLAS SGEMM in full fp32 (cublasGemmEx, CUDA cores, no TF32)",
                                 Precision::fp32, fp32, 0, ""));

  GemmConfig tf32 = fp32;
  tf32.compute = CUBLAS_COMPUTE_32F_FAST_TF32;
  tf32.sum_tolerance = 2e-3;  // inputs rounded to 10 fraction bits
  kernels.push_back(library_gemm("cuda_gemm_tf32_cublas",
                                 "cuBLAS GEMM on fp32 data with TF32 tensor cores "
                                 "(CUBLAS_COMPUTE_32F_FAST_TF32)",
                                 Precision::tf32, tf32, 80, "TF32"));

  GemmConfig fp16 = gemm_types(ElementType::f16, CUDA_R_16F, ElementType::f16, CUDA_R_16F,
                               CUBLAS_COMPUTE_32F, CUDA_R_32F);
  fp16.sum_tolerance = 1e-4;
  fp16.output_tolerance = 1.0 / 1024;  // fp16 result: 11 significant bits
  kernels.push_back(library_gemm("cuda_gemm_fp16_cublas",
                                 "cuBLAS HGEMM with fp32 accumulation (cublasGemmEx, tensor cores)",
                                 Precision::fp16, fp16, 53, "fp16 arithmetic"));

  GemmConfig bf16 = fp16;
  bf16.input = bf16.output = ElementType::bf16;
  bf16.input_type = bf16.output_type = CUDA_R_16BF;
  bf16.output_tolerance = 1.0 / 128;  // bf16 result: 8 significant bits
  kernels.push_back(library_gemm("cuda_gemm_bf16_cublas",
                                 "cuBLAS GEMM on bf16 with fp32 accumulation (tensor cores)",
                                 Precision::bf16, bf16, 80, "bf16 tensor cores"));

  // IMMA: int8 inputs, int32 accumulation and result, TN layout, leading dimensions multiples
  // of 4 (cuBLASLt's "regular ordering" requirements).
  GemmConfig int8 = gemm_types(ElementType::i8, CUDA_R_8I, ElementType::i32, CUDA_R_32I,
                               CUBLAS_COMPUTE_32I, CUDA_R_32I);
  int8.lt = true;
  int8.low = -100;
  int8.high = 100;
  int8.sum_tolerance = 0;  // integers: exact
  kernels.push_back(library_gemm("cuda_gemm_int8_cublaslt",
                                 "cuBLASLt int8 GEMM on the integer tensor cores (IMMA), int32 "
                                 "accumulation, TN layout",
                                 Precision::int8, int8, 75, "int8 tensor cores (IMMA)"));

  // FP8: e4m3 inputs, fp32 accumulation, bf16 result, TN layout; Ada and Hopper.
  GemmConfig fp8 = gemm_types(ElementType::e4m3, CUDA_R_8F_E4M3, ElementType::bf16, CUDA_R_16BF,
                              CUBLAS_COMPUTE_32F, CUDA_R_32F);
  fp8.lt = true;
  fp8.sum_tolerance = 1e-3;  // Hopper's FP8 tensor cores accumulate in reduced precision
  fp8.output_tolerance = 1.0 / 128;
  kernels.push_back(library_gemm("cuda_gemm_fp8_e4m3_cublaslt",
                                 "cuBLASLt FP8 (e4m3) GEMM, fp32 accumulation, bf16 result, TN "
                                 "layout",
                                 Precision::fp8_e4m3, fp8, 89, "FP8 tensor cores"));

  KernelDescriptor hand = kernel_descriptor(
      "cuda_gemm_fp32_hand",
      "hand-written CUDA SGEMM: 128x128 shared-memory tiles, 8x8 register blocking, checked "
      "against cuBLAS",
      "cuda", "cuda", Precision::fp32, KernelClass::gemm);
  hand.unavailable_reason = [](const KernelEnv& env) { return cuda::no_device_reason(env); };
  hand.flops = with_shape<GemmShape>(gemm_flops);
  hand.bytes = with_shape<GemmShape>([](const GemmShape& s, const KernelEnv&) {
    return 4.0 * (static_cast<double>(s.m * s.k) + static_cast<double>(s.k * s.n) +
                  static_cast<double>(s.m * s.n));
  });
  hand.prepare = with_shape<GemmShape>([](const GemmShape& s, const KernelEnv& env) {
    return std::unique_ptr<PreparedKernel>(new HandGemm(s, env));
  });
  kernels.push_back(hand);
  return kernels;
}

}  // namespace hwcal
