#include <gtest/gtest.h>

#include "hwcal/base/error.hpp"
#include "hwcal/database/workload.hpp"
#include "test_support.hpp"

namespace hwcal {
namespace {

namespace fs = std::filesystem;

Workload bundled(const std::string& name) { return resolve_workload(name); }

double relative(double value, double reference) { return std::fabs(value / reference - 1.0); }

// The published figures: ResNet-18 1.8 G multiply-adds (He et al. 2016, table 1; torchvision
// lists 1.81 "GFLOPS" counted as multiply-adds) and 11,689,512 parameters
// (torchvision ResNet18_Weights.IMAGENET1K_V1); MobileNetV2 300 M multiply-adds (Sandler et al.
// 2018, table 4) and 3,504,872 parameters (torchvision MobileNet_V2_Weights.IMAGENET1K_V1).
TEST(Workload, MultiplyAddsOfConvolutionsAndFcMatchThePublishedFigures) {
  const Workload resnet = bundled("resnet18");
  const Workload mobilenet = bundled("mobilenetv2");
  EXPECT_LT(relative(static_cast<double>(resnet.macs()), 1.82e9), 0.03) << resnet.macs();
  EXPECT_LT(relative(static_cast<double>(mobilenet.macs()), 0.300e9), 0.03) << mobilenet.macs();
  // Exactly what counting the shapes by hand gives (torchvision's models at 224 x 224).
  EXPECT_EQ(resnet.macs(), 1814073344);
  EXPECT_EQ(mobilenet.macs(), 300774272);
}

TEST(Workload, ParameterTotalsMatchThePublishedCounts) {
  const Workload resnet = bundled("resnet18");
  const Workload mobilenet = bundled("mobilenetv2");
  // Batch norm counted as trained (scale and shift per channel): torchvision's exact numbers.
  EXPECT_EQ(resnet.trained_parameters(), 11689512);
  EXPECT_EQ(mobilenet.trained_parameters(), 3504872);
  EXPECT_LT(relative(static_cast<double>(resnet.trained_parameters()), 11.69e6), 0.005);
  EXPECT_LT(relative(static_cast<double>(mobilenet.trained_parameters()), 3.50e6), 0.005);
  // Folded into one bias per channel, as inference reads them: one value per channel fewer.
  EXPECT_EQ(resnet.parameters(), 11689512 - 4800);
  EXPECT_EQ(mobilenet.parameters(), 3504872 - 17056);
}

// Flops and fewest bytes of whole networks, computed independently from the shapes (a separate
// script walking the same files: conv and fc 2 x MACs, pooling one operation per element read,
// adds one per output; inputs, weights, biases and outputs once, biases in fp32).
TEST(Workload, FlopAndByteTotals) {
  struct Expected {
    const char* name;
    long long batch;
    Precision precision;
    double flops;
    double bytes;
  };
  const Expected cases[] = {
      {"resnet18", 1, Precision::fp32, 3630730752.0, 78558528.0},
      {"resnet18", 32, Precision::fp32, 116183384064.0, 1064968608.0},
      {"resnet18", 1, Precision::int8, 3630730752.0, 19657032.0},
      {"mobilenetv2", 1, Precision::fp32, 601827648.0, 70589120.0},
      {"mobilenetv2", 32, Precision::fp32, 19258484736.0, 1826362656.0},
      {"mobilenetv2", 32, Precision::int8, 19258484736.0, 456644832.0},
  };
  for (const Expected& expected : cases) {
    const Work work = network_work(bundled(expected.name), expected.batch, expected.precision);
    EXPECT_DOUBLE_EQ(work.flops, expected.flops) << expected.name << " " << expected.batch;
    EXPECT_DOUBLE_EQ(work.bytes, expected.bytes) << expected.name << " " << expected.batch;
  }
  // bf16 and fp16 move the same bytes: 2-byte tensors, fp32 biases.
  EXPECT_DOUBLE_EQ(network_work(bundled("resnet18"), 8, Precision::bf16).bytes,
                   network_work(bundled("resnet18"), 8, Precision::fp16).bytes);
  EXPECT_THROW(network_work(bundled("resnet18"), 1, Precision::fp64), UsageError);
}

TEST(Workload, ShapesAreInferredLayerByLayer) {
  const Workload resnet = bundled("resnet18");
  EXPECT_EQ(resnet.input, (TensorShape{3, 224, 224}));
  EXPECT_EQ(resnet.find_layer("conv1")->output, (TensorShape{64, 112, 112}));
  EXPECT_EQ(resnet.find_layer("maxpool")->output, (TensorShape{64, 56, 56}));
  EXPECT_EQ(resnet.find_layer("layer4.1.add")->output, (TensorShape{512, 7, 7}));
  EXPECT_EQ(resnet.find_layer("fc")->output, (TensorShape{1000, 1, 1}));
  const Layer& downsample = *resnet.find_layer("layer2.0.downsample");
  EXPECT_EQ(downsample.kind(), "pointwise");
  EXPECT_EQ(downsample.input, (TensorShape{64, 56, 56}));
  EXPECT_EQ(downsample.output, (TensorShape{128, 28, 28}));

  const Workload mobilenet = bundled("mobilenetv2");
  const Layer& depthwise = *mobilenet.find_layer("block2.depthwise");
  EXPECT_TRUE(depthwise.is_depthwise());
  EXPECT_EQ(depthwise.kind(), "depthwise");
  EXPECT_EQ(depthwise.input, (TensorShape{96, 112, 112}));
  EXPECT_EQ(depthwise.output, (TensorShape{96, 56, 56}));
  EXPECT_EQ(depthwise.weight_count(), 96 * 9);
  EXPECT_EQ(mobilenet.find_layer("conv_last")->output, (TensorShape{1280, 7, 7}));
  EXPECT_EQ(mobilenet.find_layer("classifier")->output, (TensorShape{1000, 1, 1}));
  int adds = 0;
  for (const Layer& layer : mobilenet.layers) adds += layer.op == LayerOp::add;
  EXPECT_EQ(adds, 10);  // residual connections where stride is 1 and channels match
}

TEST(Workload, LayerWorkOfOneConvolution) {
  const Workload resnet18 = bundled("resnet18");  // a reference into a temporary dangles
  const Layer& conv1 = *resnet18.find_layer("conv1");
  // 64 x 112 x 112 outputs, each 3 x 7 x 7 multiply-adds, for 2 images.
  const Work work = layer_work(conv1, 2, Precision::fp32);
  EXPECT_DOUBLE_EQ(work.flops, 2.0 * 2 * 64 * 112 * 112 * 147);
  EXPECT_DOUBLE_EQ(work.bytes,
                   (2.0 * 3 * 224 * 224 + 2.0 * 64 * 112 * 112) * 4 + 64 * 147 * 4 + 64 * 4);
}

TEST(Workload, SmallerInputKeepsTheLayers) {
  const Workload small = with_input(bundled("mobilenetv2"), {3, 64, 64});
  EXPECT_EQ(small.find_layer("conv_last")->output, (TensorShape{1280, 2, 2}));
  EXPECT_EQ(small.layers.size(), bundled("mobilenetv2").layers.size());
  const Workload unpadded = parse_workload(parse_json(R"({"schema_version": 1, "name": "tiny",
                     "input": {"channels": 3, "height": 8, "width": 8},
                     "layers": [{"name": "a", "op": "conv", "out_channels": 4, "kernel": 3}]})",
                                                      "tiny.json"),
                                           "tiny.json");
  EXPECT_THROW(with_input(unpadded, {3, 2, 2}), DataError);
}

TEST(Workload, BundledNamesAndFiles) {
  EXPECT_EQ(bundled_workload_names(), (std::vector<std::string>{"mobilenetv2", "resnet18"}));
  EXPECT_THROW(resolve_workload("resnet50"), UsageError);
  // The file in the repository is what is compiled in.
  const Workload from_file = load_workload_file(test::source_dir() / "workloads/resnet18.json");
  EXPECT_EQ(from_file.macs(), bundled("resnet18").macs());
  EXPECT_EQ(from_file.layers.size(), bundled("resnet18").layers.size());
}

// A description with one fault; the error names the file and the JSON pointer.
void expect_fault(const std::string& layers, const std::string& pointer, const std::string& words) {
  const std::string text =
      R"({"schema_version": 1, "name": "tiny", "input": {"channels": 3, "height": 8, "width": 8},
          "layers": [)" +
      layers + "]}";
  try {
    parse_workload(parse_json(text, "tiny.json"), "tiny.json");
    ADD_FAILURE() << "accepted: " << layers;
  } catch (const DataError& error) {
    EXPECT_EQ(error.file(), "tiny.json");
    EXPECT_EQ(error.pointer(), pointer) << error.what();
    EXPECT_NE(std::string(error.what()).find(words), std::string::npos) << error.what();
  }
}

TEST(Workload, FaultsNameTheLayer) {
  expect_fault(R"({"name": "a", "op": "deconv"})", "/layers/0/op", "unknown op");
  expect_fault(R"({"name": "a", "op": "conv", "kernel": 3})", "/layers/0/out_channels", "missing");
  expect_fault(R"({"name": "a", "op": "conv", "out_channels": 4, "kernel": 3},
                  {"name": "a", "op": "conv", "out_channels": 4, "kernel": 1})",
               "/layers/1/name", "used twice");
  expect_fault(R"({"name": "a", "op": "add", "inputs": ["a", "input"]})", "/layers/0/inputs/0",
               "not an earlier layer");
  expect_fault(R"({"name": "a", "op": "conv", "out_channels": 4, "kernel": 3, "stride": 2},
                  {"name": "b", "op": "add", "inputs": ["a", "input"]})",
               "/layers/1", "shapes must be equal");
  expect_fault(R"({"name": "a", "op": "conv", "out_channels": 4, "kernel": 3, "groups": 2})",
               "/layers/0", "groups 2 must divide");
  expect_fault(R"({"name": "a", "op": "conv", "out_channels": 4, "kernel": 11})", "/layers/0",
               "does not fit");
  expect_fault(R"({"name": "a", "op": "fc", "out_features": 10, "activation": "gelu"})",
               "/layers/0/activation", "unknown activation");
  expect_fault(R"({"name": "a", "op": "max_pool", "kernel": 3, "padding": -1})",
               "/layers/0/padding", "negative");
}

// Sizes whose shapes or counts would overflow long long (found by fuzzing: 2 * padding did) are
// faults, not undefined behaviour.
TEST(Workload, SizesBeyondAnyNetworkAreFaults) {
  expect_fault(R"({"name": "a", "op": "conv", "out_channels": 4, "kernel": 1,
                   "padding": 4611686018427387904})",
               "/layers/0/padding", "at most 1048576");
  expect_fault(R"({"name": "a", "op": "fc", "out_features": 2097152})", "/layers/0/out_features",
               "at most 1048576");
  expect_fault(R"({"name": "a", "op": "conv", "out_channels": 1048576, "kernel": 8,
                   "padding": 1048576})",
               "/layers/0", "too large");
}

}  // namespace
}  // namespace hwcal
