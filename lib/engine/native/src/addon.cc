// N-API glue: argument unpacking only; the kernels live in gemm.cc, conv.cc, elementwise.cc.
#include <napi.h>
#include <string>
#include <thread>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <vector>
#include "kernels.h"

namespace {

float* F32(const Napi::Value& v) { return v.As<Napi::Float32Array>().Data(); }
const float* F32OrNull(const Napi::Value& v) { return v.IsNull() || v.IsUndefined() ? nullptr : F32(v); }
int64_t Len(const Napi::Value& v) { return v.IsNull() || v.IsUndefined() ? 0 : int64_t(v.As<Napi::TypedArray>().ElementLength()); }
int32_t* I32(const Napi::Value& v) { return v.As<Napi::Int32Array>().Data(); }
int64_t I(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
float Fl(const Napi::Value& v) { return static_cast<float>(v.As<Napi::Number>().DoubleValue()); }
bool B(const Napi::Value& v) { return v.ToBoolean().Value(); }

// matmul(a, b, out, batch, M, N, K, transA, transB, aIdx, bIdx)
void MatMul(const Napi::CallbackInfo& i) {
  vg::batch_matmul(F32(i[0]), F32(i[1]), F32(i[2]), int(I(i[3])), int(I(i[4])), int(I(i[5])), int(I(i[6])),
                   B(i[7]), B(i[8]), I32(i[9]), I32(i[10]));
}
// biasAct(out, rows, cols, bias|null, act, alpha, prelu|null)
void BiasAct(const Napi::CallbackInfo& i) {
  vg::bias_act(F32(i[0]), I(i[1]), I(i[2]), F32OrNull(i[3]), Len(i[3]), int(I(i[4])), Fl(i[5]),
               F32OrNull(i[6]), Len(i[6]));
}
// conv*(a, b, out, Int32Array[N,H,W,C,KH,KW,OC,OH,OW,SH,SW,PT,PL][, columns|null])
vg::ConvShape Shape(const Napi::Value& v) {
  const int32_t* d = I32(v);
  return vg::ConvShape{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12]};
}
// conv2d(...) -> whether the columns were written (the whole batch fits one tile)
Napi::Value Conv2D(const Napi::CallbackInfo& i) {
  const bool kept = vg::conv2d(Shape(i[3]), F32(i[0]), F32(i[1]), F32(i[2]), i.Length() > 4 ? const_cast<float*>(F32OrNull(i[4])) : nullptr);
  return Napi::Boolean::New(i.Env(), kept);
}
void Conv2DBackpropInput(const Napi::CallbackInfo& i) { vg::conv2d_backprop_input(Shape(i[3]), F32(i[0]), F32(i[1]), F32(i[2])); }
void Conv2DBackpropFilter(const Napi::CallbackInfo& i) {
  vg::conv2d_backprop_filter(Shape(i[3]), F32(i[0]), F32(i[1]), F32(i[2]), i.Length() > 4 ? F32OrNull(i[4]) : nullptr);
}
// binary(op, a, b, out(Float32Array|Uint8Array), shape, aStrides, bStrides)
void Binary(const Napi::CallbackInfo& i) {
  auto shape = i[4].As<Napi::Int32Array>();
  void* out = i[3].As<Napi::TypedArray>().TypedArrayType() == napi_uint8_array
                  ? static_cast<void*>(i[3].As<Napi::Uint8Array>().Data())
                  : static_cast<void*>(F32(i[3]));
  vg::binary(int(I(i[0])), F32(i[1]), F32(i[2]), out, int(shape.ElementLength()), shape.Data(), I32(i[5]), I32(i[6]));
}
// unary(op, x, out, alpha)
void Unary(const Napi::CallbackInfo& i) { vg::unary(int(I(i[0])), F32(i[1]), F32(i[2]), Len(i[1]), Fl(i[3])); }
void EluGrad(const Napi::CallbackInfo& i) { vg::elu_grad(F32(i[0]), F32(i[1]), F32(i[2]), Len(i[0])); }
// leakyReluGrad(dy, x, out, alpha), tanhGrad(dy, y, out)
void LeakyReluGrad(const Napi::CallbackInfo& i) { vg::leaky_relu_grad(F32(i[0]), F32(i[1]), F32(i[2]), Len(i[0]), Fl(i[3])); }
void TanhGrad(const Napi::CallbackInfo& i) { vg::tanh_grad(F32(i[0]), F32(i[1]), F32(i[2]), Len(i[0])); }
// batchNormGrad(x, dy, mean, scale, r, mhrc, dx, dMean, dVar, dScale, dOffset); x is [rows, C], C = mean's length
void BatchNormGrad(const Napi::CallbackInfo& i) {
  const int64_t C = Len(i[2]);
  vg::batchnorm_grad(F32(i[0]), F32(i[1]), F32(i[2]), F32(i[3]), F32(i[4]), F32(i[5]), Len(i[0]) / C, C, F32(i[6]),
                     F32(i[7]), F32(i[8]), F32(i[9]), F32(i[10]));
}
// reduce(op, x, out, A, R, B)
void Reduce(const Napi::CallbackInfo& i) { vg::reduce(int(I(i[0])), F32(i[1]), F32(i[2]), I(i[3]), I(i[4]), I(i[5])); }
// addN([x...], out)
void AddN(const Napi::CallbackInfo& i) {
  auto arr = i[0].As<Napi::Array>();
  std::vector<const float*> xs(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) xs[k] = F32(arr.Get(k));
  vg::add_n(xs.data(), int(xs.size()), F32(i[1]), Len(i[1]));
}
// select(cond Uint8Array, a, b, out)
void Select(const Napi::CallbackInfo& i) {
  vg::select(i[0].As<Napi::Uint8Array>().Data(), F32(i[1]), F32(i[2]), F32(i[3]), Len(i[3]));
}
// tile(x, out, Int32Array shape, Int32Array reps)
void Tile(const Napi::CallbackInfo& i) {
  auto shape = i[2].As<Napi::Int32Array>();
  vg::tile(F32(i[0]), F32(i[1]), int(shape.ElementLength()), shape.Data(), I32(i[3]));
}
// batchNorm(x, out, mean, variance, scale|null, offset|null, eps)
void BatchNorm(const Napi::CallbackInfo& i) {
  vg::batchnorm(F32(i[0]), F32(i[1]), Len(i[0]), F32(i[2]), Len(i[2]), F32(i[3]), Len(i[3]), F32OrNull(i[4]), Len(i[4]),
                F32OrNull(i[5]), Len(i[5]), Fl(i[6]));
}
// copyBlock(src, dst, Int32Array shape, Int32Array srcStrides, srcOffset, Int32Array dstStrides, dstOffset):
// src and dst are typed arrays of one element size (Float32Array/Int32Array, or Uint8Array for bool).
void CopyBlock(const Napi::CallbackInfo& i) {
  auto src = i[0].As<Napi::TypedArray>(), dst = i[1].As<Napi::TypedArray>();
  auto shape = i[2].As<Napi::Int32Array>();
  const auto* s = static_cast<const uint8_t*>(src.ArrayBuffer().Data()) + src.ByteOffset();
  auto* d = static_cast<uint8_t*>(dst.ArrayBuffer().Data()) + dst.ByteOffset();
  const int bytes = src.TypedArrayType() == napi_uint8_array ? 1 : 4;
  vg::copy_block(s, d, bytes, int(shape.ElementLength()), shape.Data(), I32(i[3]), I(i[4]), I32(i[5]), I(i[6]));
}
// concatRows([src...], Int32Array inners, outer, dst): typed arrays of one element size (4, or 1 for bool)
void ConcatRows(const Napi::CallbackInfo& i) {
  auto arr = i[0].As<Napi::Array>();
  auto inners = i[1].As<Napi::Int32Array>();
  std::vector<const void*> srcs(arr.Length());
  std::vector<int64_t> in(arr.Length());
  for (uint32_t k = 0; k < arr.Length(); ++k) {
    auto t = arr.Get(k).As<Napi::TypedArray>();
    srcs[k] = static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
    in[k] = inners[k];
  }
  auto dst = i[3].As<Napi::TypedArray>();
  vg::concat_rows(srcs.data(), in.data(), int(srcs.size()), I(i[2]), dst.TypedArrayType() == napi_uint8_array ? 1 : 4,
                  static_cast<uint8_t*>(dst.ArrayBuffer().Data()) + dst.ByteOffset());
}
// topK(x, rows, n, k, values, Int32Array indices) -> false when x is not all finite
Napi::Value TopK(const Napi::CallbackInfo& i) {
  return Napi::Boolean::New(i.Env(), vg::top_k(F32(i[0]), I(i[1]), I(i[2]), I(i[3]), F32(i[4]), I32(i[5])));
}
// adam(p, m, v, g, pOut, mOut, vOut, lr, b1, 1-b1, b2, 1-b2, eps, 1-accB1, 1-accB2)
void Adam(const Napi::CallbackInfo& i) {
  vg::adam(F32(i[0]), F32(i[1]), F32(i[2]), F32(i[3]), F32(i[4]), F32(i[5]), F32(i[6]), Len(i[3]), Fl(i[7]), Fl(i[8]),
           Fl(i[9]), Fl(i[10]), Fl(i[11]), Fl(i[12]), Fl(i[13]), Fl(i[14]));
}
// setThreads(n)
void SetThreads(const Napi::CallbackInfo& i) { vg::set_threads(int(I(i[0]))); }
Napi::Value Info(const Napi::CallbackInfo& i) {
  Napi::Env env = i.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("threads", vg::get_threads());
  o.Set("gemm", std::string(vg::sgemm_isa()));
  o.Set("hardwareThreads", int(std::thread::hardware_concurrency()));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
#if defined(__GLIBC__)
  // Kernel outputs are fresh multi-MB typed arrays. By default glibc serves those with mmap and
  // returns them on free, so every output page-faults on first write (most of an elementwise op's
  // time). Serving them from the heap and keeping freed memory makes V8 reuse warm pages.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  auto fn = [&](const char* name, void (*f)(const Napi::CallbackInfo&)) { exports.Set(name, Napi::Function::New(env, f, name)); };
  fn("matmul", MatMul);
  fn("biasAct", BiasAct);
  exports.Set("conv2d", Napi::Function::New(env, Conv2D, "conv2d"));
  fn("conv2dBackpropInput", Conv2DBackpropInput);
  fn("conv2dBackpropFilter", Conv2DBackpropFilter);
  fn("binary", Binary);
  fn("unary", Unary);
  fn("eluGrad", EluGrad);
  fn("leakyReluGrad", LeakyReluGrad);
  fn("tanhGrad", TanhGrad);
  fn("batchNormGrad", BatchNormGrad);
  fn("reduce", Reduce);
  fn("addN", AddN);
  fn("select", Select);
  fn("adam", Adam);
  fn("tile", Tile);
  fn("copyBlock", CopyBlock);
  fn("concatRows", ConcatRows);
  exports.Set("topK", Napi::Function::New(env, TopK, "topK"));
  fn("batchNorm", BatchNorm);
  fn("setThreads", SetThreads);
  exports.Set("info", Napi::Function::New(env, Info, "info"));
  return exports;
}

}  // namespace

NODE_API_MODULE(vaegan_native, Init)
