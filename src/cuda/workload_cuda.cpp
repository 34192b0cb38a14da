// The GPU workload backends: the project's own convolution through cuBLAS, NCHW, fp32 and fp16
// (fp16 storage, fp32 accumulation: CUBLAS_COMPUTE_32F). Convolutions are im2col over the whole
// batch (workload_kernels.cu) and one strided-batched GEMM per group; 1x1 stride-1 convolutions
// multiply the input directly; depthwise convolutions, pooling and adds are direct kernels; fully
// connected layers one GEMM. The folded batch-norm bias and the activation run in an epilogue
// kernel after each GEMM (depthwise and add fuse them). No cuDNN: Debian ships none, and the
// point here is the launch sequence a framework issues, not the best convolution.
//
// "cuda" enqueues the layers one by one on a stream, as an eager framework does; "cuda-graph"
// captures that same sequence once into a CUDA graph and replays it, so the difference between
// the two end-to-end times is the cost of launching layer by layer. Both time with CUDA events;
// per-layer times come from events between the layers of a layer-by-layer pass (a graph cannot
// be timed inside).
#include <cublas_v2.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cuda_support.hpp"
#include "hwcal/base/error.hpp"
#include "measure/gpu.hpp"
#include "number_formats.hpp"
#include "workload_kernels.hpp"
#include "workloads/workload_runner.hpp"

namespace hwcal {
namespace {

using cuda::DeviceBuffer;
using cuda::ElementType;
using cuda::Window;

cuda::DeviceActivation device_activation(Activation activation) {
  switch (activation) {
    case Activation::none: return cuda::DeviceActivation::none;
    case Activation::relu: return cuda::DeviceActivation::relu;
    case Activation::relu6: return cuda::DeviceActivation::relu6;
  }
  return cuda::DeviceActivation::none;
}

bool direct_gemm(const Layer& layer) {
  return layer.kernel == 1 && layer.stride == 1 && layer.padding == 0;
}

// cuBLAS takes ints.
int to_int(long long value) { return static_cast<int>(value); }

class CublasHandle {
 public:
  CublasHandle() { HWCAL_CUDA_CHECK(cublasCreate(&handle_)); }
  ~CublasHandle() {
    if (handle_ != nullptr) cublasDestroy(handle_);
  }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  cublasHandle_t get() const { return handle_; }

 private:
  cublasHandle_t handle_ = nullptr;
};

// The events between the layers of one pass: event i is recorded before layer i, the last one
// after the last layer.
class LayerEvents {
 public:
  explicit LayerEvents(std::size_t layers) : events_(layers + 1, nullptr) {
    for (cudaEvent_t& event : events_) HWCAL_CUDA_CHECK(cudaEventCreate(&event));
  }
  ~LayerEvents() {
    for (cudaEvent_t event : events_) {
      if (event != nullptr) cudaEventDestroy(event);
    }
  }
  LayerEvents(const LayerEvents&) = delete;
  LayerEvents& operator=(const LayerEvents&) = delete;
  void record(std::size_t index, cudaStream_t stream) {
    HWCAL_CUDA_CHECK(cudaEventRecord(events_[index], stream));
  }
  // Waits for the last event; seconds between consecutive events.
  std::vector<double> seconds() const {
    HWCAL_CUDA_CHECK(cudaEventSynchronize(events_.back()));
    std::vector<double> result(events_.size() - 1);
    for (std::size_t i = 0; i + 1 < events_.size(); ++i) {
      float milliseconds = 0;
      HWCAL_CUDA_CHECK(cudaEventElapsedTime(&milliseconds, events_[i], events_[i + 1]));
      result[i] = static_cast<double>(milliseconds) / 1e3;
    }
    return result;
  }

 private:
  std::vector<cudaEvent_t> events_;
};

struct LayerBuffers {
  DeviceBuffer weights;  // conv: OIHW; fc: [out][features]; in the run's element type
  DeviceBuffer bias;     // fp32; empty when the layer has none
  DeviceBuffer output;   // NCHW
};

class CudaNetwork : public PreparedNetwork {
 public:
  CudaNetwork(const Workload& workload, const NetworkConfig& config, bool graph)
      : device_(config.gpu),
        workload_(workload),
        batch_(config.batch),
        type_(config.precision == Precision::fp16 ? ElementType::f16 : ElementType::f32),
        element_bytes_(type_ == ElementType::f16 ? 2 : 4),
        events_(workload.layers.size()),
        graph_mode_(graph) {
    HWCAL_CUDA_CHECK(cublasSetStream(handle_.get(), stream_.get()));
    // Strict fp32 for fp32 (no TF32), tensor cores for fp16 through the compute type.
    HWCAL_CUDA_CHECK(cublasSetMathMode(handle_.get(), CUBLAS_DEFAULT_MATH));
    // A workspace of our own: cuBLAS must not allocate one while a graph is being captured.
    workspace_ = DeviceBuffer(32u << 20);
    HWCAL_CUDA_CHECK(cublasSetWorkspace(handle_.get(), workspace_.get(), workspace_.bytes()));

    input_ = upload(random_input(workload_, batch_, config.seed));
    std::size_t scratch_elements = 0;
    buffers_.resize(workload_.layers.size());
    for (std::size_t i = 0; i < workload_.layers.size(); ++i) {
      const Layer& layer = workload_.layers[i];
      LayerBuffers& buffers = buffers_[i];
      if (layer.op == LayerOp::conv || layer.op == LayerOp::fc) {
        buffers.weights = upload(random_weights(layer, i, config.seed));
      }
      if (layer.has_bias()) buffers.bias = upload_f32(random_bias(layer, i, config.seed));
      buffers.output = DeviceBuffer(elements_bytes(layer.output.elements() * batch_));
      if (layer.op == LayerOp::conv && !layer.is_depthwise() && !direct_gemm(layer)) {
        const long long columns = batch_ * layer.input.channels * layer.kernel * layer.kernel *
                                  layer.output.height * layer.output.width;
        scratch_elements = std::max(scratch_elements, static_cast<std::size_t>(columns));
      }
    }
    if (scratch_elements > 0) {
      columns_ = DeviceBuffer(elements_bytes(static_cast<long long>(scratch_elements)));
    }
    stream_.synchronize();
    // One pass outside any timing and capture: cuBLAS picks its kernels and the modules load
    // (lazily, since CUDA 12.2) here, and a layer this GPU cannot run fails now.
    run_layers();
    stream_.synchronize();
    if (graph_mode_) capture();
  }

  ~CudaNetwork() override {
    if (graph_exec_ != nullptr) cudaGraphExecDestroy(graph_exec_);
    if (graph_ != nullptr) cudaGraphDestroy(graph_);
  }

  void run() override {
    if (graph_mode_) {
      HWCAL_CUDA_CHECK(cudaGraphLaunch(graph_exec_, stream_.get()));
    } else {
      run_layers();
    }
    stream_.synchronize();
  }

  void run_layer(std::size_t index) override {
    enqueue_layer(index);
    stream_.synchronize();
  }

  double timed_run() override {
    timer_.start(stream_.get());
    if (graph_mode_) {
      HWCAL_CUDA_CHECK(cudaGraphLaunch(graph_exec_, stream_.get()));
    } else {
      run_layers();
    }
    return timer_.stop_s(stream_.get());
  }

  // A layer-by-layer pass with an event between layers, in both modes.
  std::vector<double> timed_layers(std::size_t layer_count) override {
    for (std::size_t i = 0; i < workload_.layers.size(); ++i) {
      events_.record(i, stream_.get());
      enqueue_layer(i);
    }
    events_.record(workload_.layers.size(), stream_.get());
    std::vector<double> seconds = events_.seconds();
    seconds.resize(layer_count, 0.0);
    return seconds;
  }

  std::vector<float> output(std::size_t index) const override {
    stream_.synchronize();
    const long long count = workload_.layers[index].output.elements() * batch_;
    std::vector<float> values(static_cast<std::size_t>(count));
    if (type_ == ElementType::f32) {
      HWCAL_CUDA_CHECK(cudaMemcpy(values.data(), buffers_[index].output.get(),
                                  values.size() * sizeof(float), cudaMemcpyDeviceToHost));
      return values;
    }
    std::vector<std::uint16_t> bits(values.size());
    HWCAL_CUDA_CHECK(cudaMemcpy(bits.data(), buffers_[index].output.get(),
                                bits.size() * sizeof(std::uint16_t), cudaMemcpyDeviceToHost));
    for (std::size_t i = 0; i < bits.size(); ++i) {
      values[i] = static_cast<float>(cuda::decode_fp16(bits[i]));
    }
    return values;
  }

  std::vector<std::string> implementations() const override {
    std::vector<std::string> names;
    for (const Layer& layer : workload_.layers) {
      switch (layer.op) {
        case LayerOp::conv:
          names.emplace_back(layer.is_depthwise() ? "direct depthwise kernel"
                             : direct_gemm(layer) ? "cublasGemmStridedBatchedEx"
                                                  : "im2col + cublasGemmStridedBatchedEx");
          break;
        case LayerOp::fc: names.emplace_back("cublasGemmEx"); break;
        default: names.emplace_back("direct kernel"); break;
      }
    }
    return names;
  }

 private:
  // Selects the device before the stream, the handle and the buffers are created on it.
  struct DeviceScope {
    explicit DeviceScope(int gpu) { cuda::use_device(gpu); }
  };

  std::size_t elements_bytes(long long count) const {
    return static_cast<std::size_t>(count) * element_bytes_;
  }

  DeviceBuffer upload_f32(const std::vector<float>& values) {
    DeviceBuffer buffer(values.size() * sizeof(float));
    HWCAL_CUDA_CHECK(
        cudaMemcpy(buffer.get(), values.data(), buffer.bytes(), cudaMemcpyHostToDevice));
    return buffer;
  }

  // Host floats into the run's element type (fp16 rounded on the device).
  DeviceBuffer upload(const std::vector<float>& values) {
    if (type_ == ElementType::f32) return upload_f32(values);
    const DeviceBuffer staging = upload_f32(values);
    DeviceBuffer buffer(elements_bytes(static_cast<long long>(values.size())));
    HWCAL_CUDA_CHECK(cuda::convert_from_f32(buffer.get(), type_, staging.as<float>(), values.size(),
                                            stream_.get()));
    stream_.synchronize();  // before the staging buffer is freed
    return buffer;
  }

  void capture() {
    HWCAL_CUDA_CHECK(cudaStreamBeginCapture(stream_.get(), cudaStreamCaptureModeThreadLocal));
    try {
      run_layers();
    } catch (...) {
      cudaGraph_t partial = nullptr;
      cudaStreamEndCapture(stream_.get(), &partial);
      if (partial != nullptr) cudaGraphDestroy(partial);
      throw;
    }
    HWCAL_CUDA_CHECK(cudaStreamEndCapture(stream_.get(), &graph_));
    try {
      HWCAL_CUDA_CHECK(cudaGraphInstantiateWithFlags(&graph_exec_, graph_, 0));
      HWCAL_CUDA_CHECK(cudaGraphUpload(graph_exec_, stream_.get()));
      // One replay before timing, so the first timed launch is not the graph's first.
      HWCAL_CUDA_CHECK(cudaGraphLaunch(graph_exec_, stream_.get()));
      stream_.synchronize();
    } catch (...) {
      // The destructor does not run for a constructor that throws.
      if (graph_exec_ != nullptr) cudaGraphExecDestroy(graph_exec_);
      cudaGraphDestroy(graph_);
      graph_exec_ = nullptr;
      graph_ = nullptr;
      throw;
    }
  }

  void run_layers() {
    for (std::size_t i = 0; i < workload_.layers.size(); ++i) enqueue_layer(i);
  }

  const void* input_of(const Layer& layer, std::size_t which) const {
    const std::size_t index = layer.inputs[which];
    return index == kNetworkInput ? input_.get() : buffers_[index].output.get();
  }

  static Window window_of(const Layer& layer, long long batch) {
    Window window;
    window.batch = batch;
    window.channels = layer.input.channels;
    window.in_height = layer.input.height;
    window.in_width = layer.input.width;
    window.kernel = layer.kernel;
    window.stride = layer.stride;
    window.padding = layer.padding;
    window.out_height = layer.output.height;
    window.out_width = layer.output.width;
    return window;
  }

  const float* bias_of(const LayerBuffers& buffers) const {
    return buffers.bias.bytes() > 0 ? buffers.bias.as<float>() : nullptr;
  }

  cudaDataType_t data_type() const { return type_ == ElementType::f16 ? CUDA_R_16F : CUDA_R_32F; }

  void enqueue_layer(std::size_t index) {
    const Layer& layer = workload_.layers[index];
    LayerBuffers& buffers = buffers_[index];
    const cudaStream_t stream = stream_.get();
    const cuda::DeviceActivation activation = device_activation(layer.activation);
    switch (layer.op) {
      case LayerOp::conv:
        if (layer.is_depthwise()) {
          HWCAL_CUDA_CHECK(cuda::depthwise_conv(type_, input_of(layer, 0), buffers.weights.get(),
                                                bias_of(buffers), buffers.output.get(),
                                                window_of(layer, batch_), activation, stream));
        } else {
          convolution(layer, buffers);
        }
        break;
      case LayerOp::fc: fully_connected(layer, buffers); break;
      case LayerOp::max_pool:
      case LayerOp::avg_pool:
        HWCAL_CUDA_CHECK(cuda::pool(type_, layer.op == LayerOp::max_pool, input_of(layer, 0),
                                    buffers.output.get(), window_of(layer, batch_), stream));
        break;
      case LayerOp::global_avg_pool:
        HWCAL_CUDA_CHECK(cuda::global_average(type_, input_of(layer, 0), buffers.output.get(),
                                              batch_ * layer.input.channels,
                                              layer.input.height * layer.input.width, stream));
        break;
      case LayerOp::add:
        HWCAL_CUDA_CHECK(cuda::add_activation(
            type_, input_of(layer, 0), input_of(layer, 1), buffers.output.get(),
            layer.output.elements() * batch_, activation, stream));
        break;
    }
  }

  // Per image, out[cout][plane] = weights[cout][rows] x columns[rows][plane] (row-major), one
  // strided-batched GEMM per group over the batch. cuBLAS is column-major, so it computes the
  // transpose: out^T (plane x cout) = columns^T (plane x rows) x weights^T (rows x cout).
  void convolution(const Layer& layer, LayerBuffers& buffers) {
    const cudaStream_t stream = stream_.get();
    const long long rows = layer.input.channels * layer.kernel * layer.kernel;  // per image
    const long long plane = layer.output.height * layer.output.width;
    const void* columns = input_of(layer, 0);  // a 1x1 stride-1 convolution: the input itself
    if (!direct_gemm(layer)) {
      HWCAL_CUDA_CHECK(cuda::im2col(type_, input_of(layer, 0), window_of(layer, batch_),
                                    columns_.get(), stream));
      columns = columns_.get();
    }
    const long long group_rows = rows / layer.groups;
    const long long group_out = layer.out_channels / layer.groups;
    const float alpha = 1.0f;
    const float beta = 0.0f;
    const auto* column_bytes = static_cast<const char*>(columns);
    const auto* weight_bytes = static_cast<const char*>(buffers.weights.get());
    auto* output_bytes = static_cast<char*>(buffers.output.get());
    for (long long g = 0; g < layer.groups; ++g) {
      HWCAL_CUDA_CHECK(cublasGemmStridedBatchedEx(
          handle_.get(), CUBLAS_OP_N, CUBLAS_OP_N, to_int(plane), to_int(group_out),
          to_int(group_rows), &alpha, column_bytes + elements_bytes(g * group_rows * plane),
          data_type(), to_int(plane), rows * plane,
          weight_bytes + elements_bytes(g * group_out * group_rows), data_type(),
          to_int(group_rows), 0, &beta, output_bytes + elements_bytes(g * group_out * plane),
          data_type(), to_int(plane), layer.out_channels * plane, to_int(batch_),
          CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    }
    epilogue(layer, buffers, layer.out_channels, plane);
  }

  // out[batch][out] = in[batch][features] x weights[out][features]^T (row-major); column-major:
  // out^T (out x batch) = weights (features x out, transposed) x in^T (features x batch).
  void fully_connected(const Layer& layer, LayerBuffers& buffers) {
    const long long features = layer.input.elements();
    const float alpha = 1.0f;
    const float beta = 0.0f;
    HWCAL_CUDA_CHECK(cublasGemmEx(
        handle_.get(), CUBLAS_OP_T, CUBLAS_OP_N, to_int(layer.out_channels), to_int(batch_),
        to_int(features), &alpha, buffers.weights.get(), data_type(), to_int(features),
        input_of(layer, 0), data_type(), to_int(features), &beta, buffers.output.get(), data_type(),
        to_int(layer.out_channels), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
    epilogue(layer, buffers, layer.out_channels, 1);
  }

  void epilogue(const Layer& layer, LayerBuffers& buffers, long long channels, long long plane) {
    if (!layer.has_bias() && layer.activation == Activation::none) return;
    HWCAL_CUDA_CHECK(cuda::bias_activation(
        type_, buffers.output.get(), layer.output.elements() * batch_, channels, plane,
        bias_of(buffers), device_activation(layer.activation), stream_.get()));
  }

  DeviceScope device_;
  Workload workload_;
  long long batch_;
  ElementType type_;
  std::size_t element_bytes_;
  cuda::Stream stream_;
  CublasHandle handle_;
  cuda::EventTimer timer_;
  LayerEvents events_;
  DeviceBuffer workspace_;
  DeviceBuffer input_;
  DeviceBuffer columns_;  // im2col of the whole batch, shared by the layers (they run in order)
  std::vector<LayerBuffers> buffers_;
  bool graph_mode_;
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t graph_exec_ = nullptr;
};

class CudaBackend : public WorkloadBackend {
 public:
  CudaBackend(int gpu, bool graph) : gpu_(gpu), graph_(graph) {}
  std::string name() const override { return graph_ ? "cuda-graph" : "cuda"; }
  std::string device() const override { return fmt::format("cuda:{}", gpu_); }
  std::string description() const override {
    return fmt::format("im2col + cuBLAS GEMM, direct depthwise, pooling and add kernels (NCHW), {}",
                       graph_ ? "the whole pass captured once in a CUDA graph and replayed"
                              : "launched layer by layer");
  }
  std::string unsupported_reason(Precision precision) const override {
    std::string problem;
    const int gpus = cuda_device_count(problem);
    if (gpus == 0) return problem;
    if (gpu_ >= gpus) return fmt::format("no device cuda:{}: the runtime sees {}", gpu_, gpus);
    if (precision == Precision::fp32 || precision == Precision::fp16) return "";
    return fmt::format("the {} backend computes fp32 and fp16 only, not {}", name(),
                       to_string(precision));
  }
  std::unique_ptr<PreparedNetwork> prepare(const Workload& workload,
                                           const NetworkConfig& config) const override {
    NetworkConfig on_device = config;
    on_device.gpu = gpu_;
    return std::make_unique<CudaNetwork>(workload, on_device, graph_);
  }

 private:
  int gpu_;
  bool graph_;
};

}  // namespace

std::vector<std::string> gpu_workload_backend_names() { return {"cuda", "cuda-graph"}; }

std::unique_ptr<WorkloadBackend> make_gpu_workload_backend(std::string_view name, int gpu) {
  if (name == "cuda") return std::make_unique<CudaBackend>(gpu, false);
  if (name == "cuda-graph") return std::make_unique<CudaBackend>(gpu, true);
  throw UsageError(
      fmt::format("unknown GPU workload backend '{}' (expected cuda or cuda-graph)", name));
}

}  // namespace hwcal
