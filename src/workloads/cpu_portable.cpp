// The portable CPU workload backend: what runs where oneDNN is not installed. Tensors are NHWC
// fp32; convolutions are im2col (one image at a time, so the scratch stays small) and an
// OpenBLAS sgemm, 1x1 convolutions without stride a single sgemm over the batch, depthwise
// convolutions, pooling and adds direct loops over channels (vectorised by the compiler,
// parallel over rows with OpenMP where the build has it). Biases and activations are applied
// in one pass after the GEMM, as a framework without fused epilogues does.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "workloads/cpu_backends.hpp"

#if defined(_OPENMP)
#include <omp.h>
#define HWCAL_PARALLEL_FOR _Pragma("omp parallel for schedule(static)")
#else
#define HWCAL_PARALLEL_FOR
#endif

namespace hwcal {
namespace {

using Index = long long;

inline float activate(float value, Activation activation) {
  switch (activation) {
    case Activation::none: return value;
    case Activation::relu: return value > 0.0f ? value : 0.0f;
    case Activation::relu6: return std::min(std::max(value, 0.0f), 6.0f);
  }
  return value;
}

// C[rows][columns] (leading dimension ldc) = A[rows][depth] x B[depth][columns].
void sgemm(Index rows, Index columns, Index depth, const float* a, Index lda, const float* b,
           Index ldb, float* c, Index ldc) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<blasint>(rows),
              static_cast<blasint>(columns), static_cast<blasint>(depth), 1.0f, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), 0.0f, c,
              static_cast<blasint>(ldc));
}

void bias_and_activation(float* data, Index rows, Index channels, const std::vector<float>& bias,
                         Activation activation) {
  if (bias.empty() && activation == Activation::none) return;
  const float* b = bias.empty() ? nullptr : bias.data();
  HWCAL_PARALLEL_FOR
  for (Index row = 0; row < rows; ++row) {
    float* line = data + row * channels;
    for (Index c = 0; c < channels; ++c) {
      line[c] = activate(b != nullptr ? line[c] + b[c] : line[c], activation);
    }
  }
}

struct LayerState {
  const Layer* layer = nullptr;
  std::vector<float>
      weights;  // conv: per group [k*k*cin_g][cout_g]; depthwise [k*k][c]; fc [f][out]
  std::vector<float> bias;
  std::vector<float> output;  // NHWC
  std::vector<float> column;  // im2col of one image and one group
};

class PortableNetwork : public PreparedNetwork {
 public:
  PortableNetwork(const Workload& workload, const NetworkConfig& config)
      : workload_(workload), batch_(config.batch), threads_(config.threads()) {
    openblas_set_num_threads(static_cast<int>(threads_));
#if defined(_OPENMP)
    omp_set_num_threads(static_cast<int>(threads_));
#endif
    // The input, NCHW -> NHWC.
    const std::vector<float> input = random_input(workload, batch_, config.seed);
    input_ = to_nhwc(input, workload.input);
    layers_.resize(workload_.layers.size());
    for (std::size_t i = 0; i < workload_.layers.size(); ++i) {
      const Layer& layer = workload_.layers[i];
      LayerState& state = layers_[i];
      state.layer = &layer;
      state.bias = random_bias(layer, i, config.seed);
      const std::vector<float> logical = random_weights(layer, i, config.seed);
      if (layer.op == LayerOp::conv) {
        state.weights = conv_weights(layer, logical);
        if (!layer.is_depthwise() && !direct_gemm(layer)) {
          state.column.assign(
              static_cast<std::size_t>(layer.output.height * layer.output.width * layer.kernel *
                                       layer.kernel * (layer.input.channels / layer.groups)),
              0.0f);
        }
      } else if (layer.op == LayerOp::fc) {
        state.weights = fc_weights(layer, logical);
      }
      state.output.assign(static_cast<std::size_t>(layer.output.elements() * batch_), 0.0f);
    }
  }

  void run() override {
    for (std::size_t i = 0; i < layers_.size(); ++i) run_layer(i);
  }

  void run_layer(std::size_t index) override {
    LayerState& state = layers_[index];
    const Layer& layer = *state.layer;
    switch (layer.op) {
      case LayerOp::conv:
        if (layer.is_depthwise()) {
          depthwise(state);
        } else {
          convolution(state);
        }
        break;
      case LayerOp::fc: fully_connected(state); break;
      case LayerOp::max_pool:
      case LayerOp::avg_pool: pool(state); break;
      case LayerOp::global_avg_pool: global_average(state); break;
      case LayerOp::add: add(state); break;
    }
  }

  std::vector<float> output(std::size_t index) const override {
    const Layer& layer = workload_.layers[index];
    const std::vector<float>& nhwc = layers_[index].output;
    const TensorShape& shape = layer.output;
    std::vector<float> nchw(nhwc.size());
    const Index plane = shape.height * shape.width;
    for (Index n = 0; n < batch_; ++n) {
      for (Index p = 0; p < plane; ++p) {
        for (Index c = 0; c < shape.channels; ++c) {
          nchw[static_cast<std::size_t>((n * shape.channels + c) * plane + p)] =
              nhwc[static_cast<std::size_t>((n * plane + p) * shape.channels + c)];
        }
      }
    }
    return nchw;
  }

  std::size_t threads_used() const override { return threads_; }

  std::vector<std::string> implementations() const override {
    std::vector<std::string> names;
    for (const LayerState& state : layers_) {
      const Layer& layer = *state.layer;
      if (layer.op == LayerOp::conv) {
        names.emplace_back(layer.is_depthwise() ? "direct depthwise loop"
                           : direct_gemm(layer) ? "openblas sgemm"
                                                : "im2col + openblas sgemm");
      } else if (layer.op == LayerOp::fc) {
        names.emplace_back("openblas sgemm");
      } else {
        names.emplace_back("direct loop");
      }
    }
    return names;
  }

 private:
  static bool direct_gemm(const Layer& layer) {
    return layer.kernel == 1 && layer.stride == 1 && layer.padding == 0 && layer.groups == 1;
  }

  std::vector<float> to_nhwc(const std::vector<float>& nchw, const TensorShape& shape) const {
    std::vector<float> nhwc(nchw.size());
    const Index plane = shape.height * shape.width;
    for (Index n = 0; n < batch_; ++n) {
      for (Index c = 0; c < shape.channels; ++c) {
        for (Index p = 0; p < plane; ++p) {
          nhwc[static_cast<std::size_t>((n * plane + p) * shape.channels + c)] =
              nchw[static_cast<std::size_t>((n * shape.channels + c) * plane + p)];
        }
      }
    }
    return nhwc;
  }

  // OIHW -> per group [(kh * k + kw) * cin_g + ci][co], or [kh * k + kw][c] for depthwise.
  static std::vector<float> conv_weights(const Layer& layer, const std::vector<float>& oihw) {
    const Index k = layer.kernel;
    const Index cin = layer.input.channels / layer.groups;
    const Index cout = layer.out_channels / layer.groups;
    std::vector<float> out(oihw.size());
    for (Index g = 0; g < layer.groups; ++g) {
      for (Index o = 0; o < cout; ++o) {
        for (Index i = 0; i < cin; ++i) {
          for (Index kk = 0; kk < k * k; ++kk) {
            const float value =
                oihw[static_cast<std::size_t>(((g * cout + o) * cin + i) * k * k + kk)];
            if (layer.is_depthwise()) {
              out[static_cast<std::size_t>(kk * layer.groups + g)] = value;
            } else {
              out[static_cast<std::size_t>(g * k * k * cin * cout + (kk * cin + i) * cout + o)] =
                  value;
            }
          }
        }
      }
    }
    return out;
  }

  // [out][C*H*W] (NCHW flattening) -> [(h * W + w) * C + c][out] (NHWC flattening).
  static std::vector<float> fc_weights(const Layer& layer, const std::vector<float>& logical) {
    const TensorShape& in = layer.input;
    const Index plane = in.height * in.width;
    const Index features = in.elements();
    std::vector<float> out(logical.size());
    for (Index o = 0; o < layer.out_channels; ++o) {
      for (Index c = 0; c < in.channels; ++c) {
        for (Index p = 0; p < plane; ++p) {
          out[static_cast<std::size_t>((p * in.channels + c) * layer.out_channels + o)] =
              logical[static_cast<std::size_t>(o * features + c * plane + p)];
        }
      }
    }
    return out;
  }

  const std::vector<float>& input_of(const LayerState& state, std::size_t which) const {
    const std::size_t index = state.layer->inputs[which];
    return index == kNetworkInput ? input_ : layers_[index].output;
  }

  void convolution(LayerState& state) {
    const Layer& layer = *state.layer;
    const std::vector<float>& in = input_of(state, 0);
    const Index cin = layer.input.channels;
    const Index cout = layer.out_channels;
    if (direct_gemm(layer)) {
      const Index rows = batch_ * layer.input.height * layer.input.width;
      sgemm(rows, cout, cin, in.data(), cin, state.weights.data(), cout, state.output.data(), cout);
      bias_and_activation(state.output.data(), rows, cout, state.bias, layer.activation);
      return;
    }
    const Index k = layer.kernel;
    const Index cin_g = cin / layer.groups;
    const Index cout_g = cout / layer.groups;
    const Index depth = k * k * cin_g;
    const Index in_plane = layer.input.height * layer.input.width;
    const Index out_plane = layer.output.height * layer.output.width;
    for (Index n = 0; n < batch_; ++n) {
      const float* image = in.data() + n * in_plane * cin;
      float* result = state.output.data() + n * out_plane * cout;
      for (Index g = 0; g < layer.groups; ++g) {
        im2col(layer, image, g * cin_g, cin_g, state.column.data());
        sgemm(out_plane, cout_g, depth, state.column.data(), depth,
              state.weights.data() + g * depth * cout_g, cout_g, result + g * cout_g, cout);
      }
    }
    bias_and_activation(state.output.data(), batch_ * out_plane, cout, state.bias,
                        layer.activation);
  }

  // Rows are output pixels, columns (kh, kw, channel); zeros where the window leaves the image.
  static void im2col(const Layer& layer, const float* image, Index first_channel, Index channels,
                     float* column) {
    const Index k = layer.kernel;
    const Index in_h = layer.input.height;
    const Index in_w = layer.input.width;
    const Index in_c = layer.input.channels;
    const Index out_h = layer.output.height;
    const Index out_w = layer.output.width;
    const Index depth = k * k * channels;
    HWCAL_PARALLEL_FOR
    for (Index oh = 0; oh < out_h; ++oh) {
      for (Index ow = 0; ow < out_w; ++ow) {
        float* row = column + (oh * out_w + ow) * depth;
        for (Index kh = 0; kh < k; ++kh) {
          const Index ih = oh * layer.stride - layer.padding + kh;
          for (Index kw = 0; kw < k; ++kw) {
            const Index iw = ow * layer.stride - layer.padding + kw;
            float* target = row + (kh * k + kw) * channels;
            if (ih < 0 || ih >= in_h || iw < 0 || iw >= in_w) {
              std::fill(target, target + channels, 0.0f);
            } else {
              const float* source = image + (ih * in_w + iw) * in_c + first_channel;
              std::copy(source, source + channels, target);
            }
          }
        }
      }
    }
  }

  // Every output pixel of a k x k window over an NHWC input (depthwise convolution, pooling),
  // image rows in parallel: begin(out) starts the pixel's `channels` values, visit(out, source,
  // tap) adds the input pixel under window tap kh * k + kw (taps outside the image, the padding,
  // are not visited), end(out, taps visited) finishes it.
  template <typename Begin, typename Visit, typename End>
  void for_each_window(const Layer& layer, Index channels, const float* input, float* output,
                       Begin begin, Visit visit, End end) const {
    const Index k = layer.kernel;
    const Index in_h = layer.input.height;
    const Index in_w = layer.input.width;
    const Index out_h = layer.output.height;
    const Index out_w = layer.output.width;
    HWCAL_PARALLEL_FOR
    for (Index row = 0; row < batch_ * out_h; ++row) {
      const Index n = row / out_h;
      const Index oh = row % out_h;
      const float* image = input + n * in_h * in_w * channels;
      for (Index ow = 0; ow < out_w; ++ow) {
        float* out = output + (row * out_w + ow) * channels;
        begin(out);
        Index visited = 0;
        for (Index kh = 0; kh < k; ++kh) {
          const Index ih = oh * layer.stride - layer.padding + kh;
          if (ih < 0 || ih >= in_h) continue;
          for (Index kw = 0; kw < k; ++kw) {
            const Index iw = ow * layer.stride - layer.padding + kw;
            if (iw < 0 || iw >= in_w) continue;
            visit(out, image + (ih * in_w + iw) * channels, kh * k + kw);
            ++visited;
          }
        }
        end(out, visited);
      }
    }
  }

  void depthwise(LayerState& state) {
    const Layer& layer = *state.layer;
    const Index channels = layer.out_channels;
    const float* weights = state.weights.data();
    const float* bias = state.bias.empty() ? nullptr : state.bias.data();
    const Activation activation = layer.activation;
    for_each_window(
        layer, channels, input_of(state, 0).data(), state.output.data(),
        [&](float* out) {
          for (Index c = 0; c < channels; ++c) out[c] = bias != nullptr ? bias[c] : 0.0f;
        },
        [&](float* out, const float* source, Index tap) {
          const float* weight = weights + tap * channels;
          for (Index c = 0; c < channels; ++c) out[c] += source[c] * weight[c];
        },
        [&](float* out, Index) {
          for (Index c = 0; c < channels; ++c) out[c] = activate(out[c], activation);
        });
  }

  void fully_connected(LayerState& state) {
    const Layer& layer = *state.layer;
    const std::vector<float>& in = input_of(state, 0);
    const Index features = layer.input.elements();
    sgemm(batch_, layer.out_channels, features, in.data(), features, state.weights.data(),
          layer.out_channels, state.output.data(), layer.out_channels);
    bias_and_activation(state.output.data(), batch_, layer.out_channels, state.bias,
                        layer.activation);
  }

  void pool(LayerState& state) {
    const Layer& layer = *state.layer;
    const Index channels = layer.input.channels;
    const bool max = layer.op == LayerOp::max_pool;
    for_each_window(
        layer, channels, input_of(state, 0).data(), state.output.data(),
        [&](float* out) {
          std::fill(out, out + channels, max ? -std::numeric_limits<float>::infinity() : 0.0f);
        },
        [&](float* out, const float* source, Index) {
          if (max) {
            for (Index c = 0; c < channels; ++c) out[c] = std::max(out[c], source[c]);
          } else {
            for (Index c = 0; c < channels; ++c) out[c] += source[c];
          }
        },
        [&](float* out, Index count) {
          if (!max && count > 0) {
            const float scale = 1.0f / static_cast<float>(count);
            for (Index c = 0; c < channels; ++c) out[c] *= scale;
          }
        });
  }

  void global_average(LayerState& state) {
    const Layer& layer = *state.layer;
    const std::vector<float>& in = input_of(state, 0);
    const Index channels = layer.input.channels;
    const Index plane = layer.input.height * layer.input.width;
    const float scale = 1.0f / static_cast<float>(plane);
    HWCAL_PARALLEL_FOR
    for (Index n = 0; n < batch_; ++n) {
      float* out = state.output.data() + n * channels;
      std::fill(out, out + channels, 0.0f);
      const float* image = in.data() + n * plane * channels;
      for (Index p = 0; p < plane; ++p) {
        for (Index c = 0; c < channels; ++c) out[c] += image[p * channels + c];
      }
      for (Index c = 0; c < channels; ++c) out[c] *= scale;
    }
  }

  void add(LayerState& state) {
    const Layer& layer = *state.layer;
    const float* a = input_of(state, 0).data();
    const float* b = input_of(state, 1).data();
    float* out = state.output.data();
    const Index count = static_cast<Index>(state.output.size());
    const Activation activation = layer.activation;
    HWCAL_PARALLEL_FOR
    for (Index i = 0; i < count; ++i) out[i] = activate(a[i] + b[i], activation);
  }

  Workload workload_;  // a copy: the layer states point into it
  Index batch_;
  std::size_t threads_;
  std::vector<float> input_;
  std::vector<LayerState> layers_;
};

class PortableBackend : public WorkloadBackend {
 public:
  std::string name() const override { return "portable"; }
  std::string device() const override { return "cpu"; }
  std::string description() const override {
    return "im2col + OpenBLAS sgemm, direct depthwise and pooling loops (NHWC, fp32)";
  }
  std::string unsupported_reason(Precision precision) const override {
    if (precision == Precision::fp32) return "";
    return fmt::format(
        "the portable backend computes fp32 only; {} needs oneDNN (--workload-backend onednn)",
        to_string(precision));
  }
  std::unique_ptr<PreparedNetwork> prepare(const Workload& workload,
                                           const NetworkConfig& config) const override {
    return std::make_unique<PortableNetwork>(workload, config);
  }
};

}  // namespace

std::unique_ptr<WorkloadBackend> make_portable_workload_backend() {
  return std::make_unique<PortableBackend>();
}

}  // namespace hwcal
