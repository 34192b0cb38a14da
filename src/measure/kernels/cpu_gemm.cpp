// Matrix multiply on the CPU: OpenBLAS for fp64 and fp32 (and bf16 where the library exports
// cblas_sbgemm), oneDNN for bf16, fp16 and int8 where it was found at build time, and Eigen as
// the portable fallback for 16-bit types (emulated: Eigen computes them through float).
// Every kernel fills its inputs with random values and verifies a sample of the result.
#include <cblas.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "base/fill.hpp"
#include "measure/kernels.hpp"

#if defined(_OPENMP)
#include <omp.h>
#endif
#if HWCAL_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

namespace hwcal {
namespace {

double gemm_flops(const GemmShape& s, const KernelEnv&) {
  return 2.0 * static_cast<double>(s.m) * static_cast<double>(s.n) * static_cast<double>(s.k);
}

// Inputs read once and the output written once: the fewest bytes a GEMM moves.
double gemm_bytes(const GemmShape& s, std::size_t input_size, std::size_t output_size) {
  return static_cast<double>(s.m * s.k + s.k * s.n) * static_cast<double>(input_size) +
         static_cast<double>(s.m * s.n) * static_cast<double>(output_size);
}

// Checks `samples` entries of C = A × B (row-major) against a dot product in double precision.
// The bound allows for the accumulation error of `k` terms at unit roundoff `epsilon`, relative
// to the sum of the absolute products (Higham's standard bound, with a factor 2 of slack).
template <typename GetA, typename GetB, typename GetC>
std::string verify_sample(const GemmShape& s, GetA a, GetB b, GetC c, double epsilon,
                          unsigned seed) {
  const int samples = 48;
  for (int i = 0; i < samples; ++i) {
    long long row =
        static_cast<long long>(mix64(seed, 2 * i) % static_cast<unsigned long long>(s.m));
    long long col =
        static_cast<long long>(mix64(seed, 2 * i + 1) % static_cast<unsigned long long>(s.n));
    double reference = 0;
    double magnitude = 0;
    for (long long p = 0; p < s.k; ++p) {
      double product = a(row, p) * b(p, col);
      reference += product;
      magnitude += std::fabs(product);
    }
    double got = c(row, col);
    double bound = 2.0 * static_cast<double>(s.k) * epsilon * magnitude + 1e-30;
    if (!std::isfinite(got) || std::fabs(got - reference) > bound) {
      return fmt::format("C[{}][{}] = {} but the reference is {} (allowed error {:.3g})", row, col,
                         got, reference, bound);
    }
  }
  return "";
}

// ---- OpenBLAS -------------------------------------------------------------------------------

template <typename T>
class OpenBlasGemm : public PreparedKernel {
 public:
  OpenBlasGemm(const GemmShape& shape, const KernelEnv& env)
      : shape_(shape), threads_(env.threads()), seed_(env.seed) {
    a_.resize(static_cast<std::size_t>(shape.m * shape.k));
    b_.resize(static_cast<std::size_t>(shape.k * shape.n));
    c_.assign(static_cast<std::size_t>(shape.m * shape.n), T(0));
    for (std::size_t i = 0; i < a_.size(); ++i) a_[i] = static_cast<T>(random_unit(seed_, i));
    for (std::size_t i = 0; i < b_.size(); ++i) {
      b_[i] = static_cast<T>(random_unit(seed_ + 1, i));
    }
    openblas_set_num_threads(static_cast<int>(threads_));
  }

  void run() override {
    const auto m = static_cast<blasint>(shape_.m);
    const auto n = static_cast<blasint>(shape_.n);
    const auto k = static_cast<blasint>(shape_.k);
    if constexpr (std::is_same_v<T, double>) {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0, a_.data(), k, b_.data(),
                  n, 0.0, c_.data(), n);
    } else {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, a_.data(), k, b_.data(),
                  n, 0.0f, c_.data(), n);
    }
  }

  std::string verify() override {
    const double epsilon = std::is_same_v<T, double> ? 1.1e-16 : 6.0e-8;
    return verify_sample(
        shape_, [&](long long r, long long p) { return static_cast<double>(a_[r * shape_.k + p]); },
        [&](long long p, long long c) { return static_cast<double>(b_[p * shape_.n + c]); },
        [&](long long r, long long c) { return static_cast<double>(c_[r * shape_.n + c]); },
        epsilon, seed_ + 7);
  }

  std::size_t threads_used() const override {
    return static_cast<std::size_t>(std::max(1, openblas_get_num_threads()));
  }

 private:
  GemmShape shape_;
  std::size_t threads_;
  unsigned seed_;
  std::vector<T> a_;
  std::vector<T> b_;
  std::vector<T> c_;
};

#if HWCAL_HAVE_SBGEMM
class OpenBlasSbgemm : public PreparedKernel {
 public:
  OpenBlasSbgemm(const GemmShape& shape, const KernelEnv& env) : shape_(shape), seed_(env.seed) {
    a_.resize(static_cast<std::size_t>(shape.m * shape.k));
    b_.resize(static_cast<std::size_t>(shape.k * shape.n));
    c_.assign(static_cast<std::size_t>(shape.m * shape.n), 0.0f);
    for (std::size_t i = 0; i < a_.size(); ++i) a_[i] = to_bf16(random_unit(seed_, i));
    for (std::size_t i = 0; i < b_.size(); ++i) b_[i] = to_bf16(random_unit(seed_ + 1, i));
    openblas_set_num_threads(static_cast<int>(env.threads()));
  }
  void run() override {
    cblas_sbgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(shape_.m),
                 static_cast<blasint>(shape_.n), static_cast<blasint>(shape_.k), 1.0f, a_.data(),
                 static_cast<blasint>(shape_.k), b_.data(), static_cast<blasint>(shape_.n), 0.0f,
                 c_.data(), static_cast<blasint>(shape_.n));
  }
  std::string verify() override {
    return verify_sample(
        shape_, [&](long long r, long long p) { return from_bf16(a_[r * shape_.k + p]); },
        [&](long long p, long long c) { return from_bf16(b_[p * shape_.n + c]); },
        [&](long long r, long long c) { return static_cast<double>(c_[r * shape_.n + c]); }, 6.0e-8,
        seed_ + 7);
  }
  std::size_t threads_used() const override {
    return static_cast<std::size_t>(std::max(1, openblas_get_num_threads()));
  }

 private:
  static bfloat16 to_bf16(double value) {
    float f = static_cast<float>(value);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &f, sizeof(bits));
    return static_cast<bfloat16>(bits >> 16);
  }
  static double from_bf16(bfloat16 value) {
    std::uint32_t bits = static_cast<std::uint32_t>(value) << 16;
    float f = 0;
    std::memcpy(&f, &bits, sizeof(f));
    return f;
  }
  GemmShape shape_;
  unsigned seed_;
  std::vector<bfloat16> a_;
  std::vector<bfloat16> b_;
  std::vector<float> c_;
};
#endif

// ---- Eigen (portable fallback: 16-bit types computed through float) ------------------------

template <typename T>
class EigenGemm : public PreparedKernel {
  using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

 public:
  EigenGemm(const GemmShape& shape, const KernelEnv& env)
      : shape_(shape),
        seed_(env.seed),
        a_(shape.m, shape.k),
        b_(shape.k, shape.n),
        c_(shape.m, shape.n) {
#if defined(_OPENMP)
    // Eigen's product runs on OpenMP threads when compiled with it.
    omp_set_num_threads(static_cast<int>(env.threads()));
    threads_ = env.threads();
#endif
    for (long long i = 0; i < a_.size(); ++i) {
      a_.data()[i] = T(static_cast<float>(random_unit(seed_, static_cast<std::uint64_t>(i))));
    }
    for (long long i = 0; i < b_.size(); ++i) {
      b_.data()[i] = T(static_cast<float>(random_unit(seed_ + 1, static_cast<std::uint64_t>(i))));
    }
  }
  void run() override { c_.noalias() = a_ * b_; }
  std::size_t threads_used() const override { return threads_; }
  std::string verify() override {
    // Eigen accumulates in the 16-bit type itself: unit roundoff 2^-8 (bf16) or 2^-11 (fp16).
    const double epsilon = std::is_same_v<T, Eigen::bfloat16> ? 3.9e-3 : 4.9e-4;
    return verify_sample(
        shape_,
        [&](long long r, long long p) { return static_cast<double>(static_cast<float>(a_(r, p))); },
        [&](long long p, long long c) { return static_cast<double>(static_cast<float>(b_(p, c))); },
        [&](long long r, long long c) { return static_cast<double>(static_cast<float>(c_(r, c))); },
        epsilon, seed_ + 7);
  }

 private:
  GemmShape shape_;
  unsigned seed_;
  std::size_t threads_ = 1;
  Matrix a_;
  Matrix b_;
  Matrix c_;
};

// Every CPU GEMM: flops and bytes from m, n, k and the element sizes.
KernelDescriptor gemm_descriptor(std::string id, std::string description, std::string backend,
                                 Precision precision, bool emulated, std::size_t input_size,
                                 std::size_t output_size) {
  KernelDescriptor d = kernel_descriptor(std::move(id), std::move(description), "cpu",
                                         std::move(backend), precision, KernelClass::gemm);
  d.emulated = emulated;
  d.unavailable_reason = [](const KernelEnv&) { return std::string(); };
  d.flops = with_shape<GemmShape>(gemm_flops);
  d.bytes = with_shape<GemmShape>([input_size, output_size](const GemmShape& s, const KernelEnv&) {
    return gemm_bytes(s, input_size, output_size);
  });
  return d;
}

// ---- oneDNN (Intel AMX, AVX-512 BF16/VNNI where the CPU has them) --------------------------

#if HWCAL_HAVE_ONEDNN
using dnnl_dt = dnnl::memory::data_type;

class OneDnnGemm : public PreparedKernel {
 public:
  OneDnnGemm(const GemmShape& shape, const KernelEnv& env, dnnl_dt input, dnnl_dt weights,
             dnnl_dt output)
      : shape_(shape), seed_(env.seed), engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    omp_set_num_threads(static_cast<int>(env.threads()));
    threads_ = env.threads();
    using tag = dnnl::memory::format_tag;
    dnnl::memory::desc a_md({shape.m, shape.k}, input, tag::ab);
    dnnl::memory::desc b_md({shape.k, shape.n}, weights, tag::ab);
    dnnl::memory::desc b_any({shape.k, shape.n}, weights, tag::any);
    dnnl::memory::desc c_md({shape.m, shape.n}, output, tag::ab);
    dnnl::matmul::primitive_desc pd;
    try {
#if DNNL_VERSION_MAJOR >= 3
      pd = dnnl::matmul::primitive_desc(engine_, a_md, b_any, c_md);
#else
      pd = dnnl::matmul::primitive_desc(dnnl::matmul::desc(a_md, b_any, c_md), engine_);
#endif
    } catch (const dnnl::error& error) {
      // oneDNN has no implementation of this type on this CPU (fp16 before AVX512-FP16).
      throw KernelUnsupported(
          fmt::format("oneDNN {} has no matmul for these types on this CPU ({})",
                      DNNL_VERSION_MAJOR, error.what()));
    }
    primitive_ = dnnl::matmul(pd);
    a_ = dnnl::memory(a_md, engine_);
    b_plain_ = dnnl::memory(b_md, engine_);
    c_ = dnnl::memory(c_md, engine_);
    fill(a_, input, seed_);
    fill(b_plain_, weights, seed_ + 1);
    // Weights in the layout the primitive prefers, reordered once as inference frameworks do.
    b_ = dnnl::memory(pd.weights_desc(), engine_);
    dnnl::reorder(b_plain_, b_).execute(stream_, b_plain_, b_);
    stream_.wait();
    input_ = input;
    weights_ = weights;
    output_ = output;
  }

  void run() override {
    primitive_.execute(stream_, {{DNNL_ARG_SRC, a_}, {DNNL_ARG_WEIGHTS, b_}, {DNNL_ARG_DST, c_}});
    stream_.wait();
  }

  std::string verify() override {
    // Products of bf16/fp16 inputs are exact in fp32; the accumulation is fp32 (or exact int32).
    // fp32 inputs round each product at fp32's unit roundoff as well: the same bound holds.
    const double epsilon = output_ == dnnl_dt::s32 ? 0.0 : 6.0e-8;
    return verify_sample(
        shape_, [&](long long r, long long p) { return value(a_, input_, r * shape_.k + p); },
        [&](long long p, long long c) { return value(b_plain_, weights_, p * shape_.n + c); },
        [&](long long r, long long c) { return value(c_, output_, r * shape_.n + c); }, epsilon,
        seed_ + 7);
  }

  std::size_t threads_used() const override { return threads_; }

 private:
  static void fill(dnnl::memory& memory, dnnl_dt type, unsigned seed) {
    const std::size_t count = memory.get_desc().get_size() / dnnl::memory::data_type_size(type);
    void* data = memory.get_data_handle();
    for (std::size_t i = 0; i < count; ++i) {
      switch (type) {
        case dnnl_dt::u8:
          static_cast<std::uint8_t*>(data)[i] =
              static_cast<std::uint8_t>(random_int(seed, i, 0, 15));
          break;
        case dnnl_dt::s8:
          static_cast<std::int8_t*>(data)[i] = static_cast<std::int8_t>(random_int(seed, i, -8, 7));
          break;
        case dnnl_dt::bf16:
          static_cast<std::uint16_t*>(data)[i] =
              Eigen::bfloat16(static_cast<float>(random_unit(seed, i))).value;
          break;
        case dnnl_dt::f16:
          static_cast<std::uint16_t*>(data)[i] =
              Eigen::half(static_cast<float>(random_unit(seed, i))).x;
          break;
        default: static_cast<float*>(data)[i] = static_cast<float>(random_unit(seed, i)); break;
      }
    }
  }

  static double value(const dnnl::memory& memory, dnnl_dt type, long long index) {
    const void* data = memory.get_data_handle();
    switch (type) {
      case dnnl_dt::u8: return static_cast<const std::uint8_t*>(data)[index];
      case dnnl_dt::s8: return static_cast<const std::int8_t*>(data)[index];
      case dnnl_dt::s32: return static_cast<const std::int32_t*>(data)[index];
      case dnnl_dt::bf16: {
        Eigen::bfloat16 v;
        v.value = static_cast<const std::uint16_t*>(data)[index];
        return static_cast<float>(v);
      }
      case dnnl_dt::f16: {
        Eigen::half v;
        v.x = static_cast<const std::uint16_t*>(data)[index];
        return static_cast<float>(v);
      }
      default: return static_cast<const float*>(data)[index];
    }
  }

  GemmShape shape_;
  unsigned seed_;
  std::size_t threads_ = 1;
  dnnl::engine engine_;
  dnnl::stream stream_;
  dnnl::matmul primitive_;
  dnnl::memory a_;
  dnnl::memory b_plain_;
  dnnl::memory b_;
  dnnl::memory c_;
  dnnl_dt input_ = dnnl_dt::f32;
  dnnl_dt weights_ = dnnl_dt::f32;
  dnnl_dt output_ = dnnl_dt::f32;
};

KernelDescriptor onednn_gemm(const char* id, Precision precision, dnnl_dt input, dnnl_dt weights,
                             dnnl_dt output, std::size_t input_size, std::size_t output_size) {
  KernelDescriptor d =
      gemm_descriptor(id,
                      fmt::format("{} matrix multiply through oneDNN ({} accumulation)",
                                  to_string(precision), output == dnnl_dt::s32 ? "int32" : "fp32"),
                      "onednn", precision, false, input_size, output_size);
  d.prepare =
      with_shape<GemmShape>([input, weights, output](const GemmShape& s, const KernelEnv& env) {
        return std::unique_ptr<PreparedKernel>(new OneDnnGemm(s, env, input, weights, output));
      });
  return d;
}
#endif

template <typename Kernel>
std::function<std::unique_ptr<PreparedKernel>(const KernelShape&, const KernelEnv&)> make() {
  return with_shape<GemmShape>([](const GemmShape& s, const KernelEnv& env) {
    return std::unique_ptr<PreparedKernel>(new Kernel(s, env));
  });
}

}  // namespace

std::vector<KernelDescriptor> cpu_gemm_kernels() {
  std::vector<KernelDescriptor> kernels;

  auto dgemm = gemm_descriptor("cpu_gemm_fp64_openblas", "fp64 matrix multiply (cblas_dgemm)",
                               "openblas", Precision::fp64, false, 8, 8);
  dgemm.prepare = make<OpenBlasGemm<double>>();
  kernels.push_back(dgemm);

  auto sgemm = gemm_descriptor("cpu_gemm_fp32_openblas", "fp32 matrix multiply (cblas_sgemm)",
                               "openblas", Precision::fp32, false, 4, 4);
  sgemm.prepare = make<OpenBlasGemm<float>>();
  kernels.push_back(sgemm);

  // oneDNN's fp32 matmul beside OpenBLAS's: the fp32 GEMM roof is the best library this machine
  // has (the summary says which set it).
#if HWCAL_HAVE_ONEDNN
  kernels.push_back(onednn_gemm("cpu_gemm_fp32_onednn", Precision::fp32, dnnl_dt::f32, dnnl_dt::f32,
                                dnnl_dt::f32, 4, 4));
#else
  auto onednn_sgemm = gemm_descriptor("cpu_gemm_fp32_onednn", "fp32 matrix multiply through oneDNN",
                                      "onednn", Precision::fp32, false, 4, 4);
  onednn_sgemm.unavailable_reason = [](const KernelEnv&) {
    return std::string("built without oneDNN (install libdnnl-dev and rebuild)");
  };
  kernels.push_back(onednn_sgemm);
#endif

  auto sbgemm = gemm_descriptor("cpu_gemm_bf16_openblas",
                                "bf16 matrix multiply, fp32 accumulation (cblas_sbgemm)",
                                "openblas", Precision::bf16, false, 2, 4);
#if HWCAL_HAVE_SBGEMM
  sbgemm.prepare = make<OpenBlasSbgemm>();
#else
  sbgemm.unavailable_reason = [](const KernelEnv&) {
    return std::string(
        "the OpenBLAS this was built against does not export cblas_sbgemm (Debian's 0.3.21 "
        "declares it in cblas.h but does not build it)");
  };
#endif
  kernels.push_back(sbgemm);

#if HWCAL_HAVE_ONEDNN
  kernels.push_back(onednn_gemm("cpu_gemm_bf16_onednn", Precision::bf16, dnnl_dt::bf16,
                                dnnl_dt::bf16, dnnl_dt::f32, 2, 4));
  kernels.push_back(onednn_gemm("cpu_gemm_fp16_onednn", Precision::fp16, dnnl_dt::f16, dnnl_dt::f16,
                                dnnl_dt::f32, 2, 4));
  kernels.push_back(onednn_gemm("cpu_gemm_int8_onednn", Precision::int8, dnnl_dt::u8, dnnl_dt::s8,
                                dnnl_dt::s32, 1, 4));
#else
  for (auto [id, precision] : {std::pair{"cpu_gemm_bf16_onednn", Precision::bf16},
                               std::pair{"cpu_gemm_fp16_onednn", Precision::fp16},
                               std::pair{"cpu_gemm_int8_onednn", Precision::int8}}) {
    auto d =
        gemm_descriptor(id, fmt::format("{} matrix multiply through oneDNN", to_string(precision)),
                        "onednn", precision, false, 2, 4);
    d.unavailable_reason = [](const KernelEnv&) {
      return std::string("built without oneDNN (install libdnnl-dev and rebuild)");
    };
    kernels.push_back(d);
  }
#endif

  auto eigen_bf16 = gemm_descriptor("cpu_gemm_bf16_eigen",
                                    "bf16 matrix multiply through Eigen (emulated through float)",
                                    "eigen", Precision::bf16, true, 2, 2);
  eigen_bf16.prepare = make<EigenGemm<Eigen::bfloat16>>();
  kernels.push_back(eigen_bf16);

  auto eigen_fp16 = gemm_descriptor("cpu_gemm_fp16_eigen",
                                    "fp16 matrix multiply through Eigen (emulated through float)",
                                    "eigen", Precision::fp16, true, 2, 2);
  eigen_fp16.prepare = make<EigenGemm<Eigen::half>>();
  kernels.push_back(eigen_fp16);

  return kernels;
}

}  // namespace hwcal
