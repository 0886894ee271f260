// Dense layers' matrix products on the engine's own sgemm (sgemm.cc), plus the bias/activation
// epilogue of fused kernels.
#include <cmath>
#include "kernels.h"

namespace vg {

void batch_matmul(const float* A, const float* B, float* C, int batch, int M, int N, int K,
                  bool transA, bool transB, const int32_t* aIdx, const int32_t* bIdx) {
  const int lda = transA ? M : K, ldb = transB ? K : N;
  const int64_t aSize = int64_t(M) * K, bSize = int64_t(K) * N, cSize = int64_t(M) * N;
  // Stacked A times one shared B is a single tall product: one call instead of `batch`.
  bool stacked = batch > 1 && !transA;
  for (int i = 0; stacked && i < batch; ++i) stacked = aIdx[i] == i && bIdx[i] == bIdx[0];
  if (stacked) {
    sgemm(false, transB, M * batch, N, K, A, K, B + bIdx[0] * bSize, ldb, false, C, N);
    return;
  }
  for (int i = 0; i < batch; ++i)
    sgemm(transA, transB, M, N, K, A + aIdx[i] * aSize, lda, B + bIdx[i] * bSize, ldb, false, C + i * cSize, N);
}

namespace {
// bias/prelu of length 1 are scalars; otherwise their length is a multiple of cols and they
// repeat with that period over the flat output (per column, per matrix, or full size).
template <int ACT>
VG_CLONES void act_rows(float* C, int64_t r0, int64_t r1, int64_t cols, const float* bias, int64_t biasLen,
                        float alpha, const float* prelu, int64_t preluLen) {
  for (int64_t r = r0; r < r1; ++r) {
    float* c = C + r * cols;
    const float* bb = bias && biasLen > 1 ? bias + (r * cols) % biasLen : nullptr;
    const float b0 = bias && biasLen == 1 ? bias[0] : 0.f;
    const float* pp = ACT == ACT_PRELU && preluLen > 1 ? prelu + (r * cols) % preluLen : nullptr;
    const float p0 = ACT == ACT_PRELU && preluLen == 1 ? prelu[0] : 0.f;
    for (int64_t j = 0; j < cols; ++j) {
      float v = c[j] + (bb ? bb[j] : b0);
      if (ACT == ACT_RELU) v = v < 0.f ? 0.f : v;
      if (ACT == ACT_RELU6) v = v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
      if (ACT == ACT_ELU) v = v >= 0.f ? v : std::expm1(v);
      if (ACT == ACT_PRELU) v = v < 0.f ? (pp ? pp[j] : p0) * v : v;
      if (ACT == ACT_LEAKY) v = v < 0.f ? alpha * v : v;
      if (ACT == ACT_SIGMOID) v = 1.f / (1.f + std::exp(-v));
      c[j] = v;
    }
  }
}
}  // namespace

void bias_act(float* C, int64_t rows, int64_t cols, const float* bias, int64_t biasLen, int act,
              float alpha, const float* prelu, int64_t preluLen) {
  if (!bias && act == ACT_LINEAR) return;
  auto run = [&](int64_t r0, int64_t r1) {
    switch (act) {
      case ACT_RELU: act_rows<ACT_RELU>(C, r0, r1, cols, bias, biasLen, alpha, prelu, preluLen); break;
      case ACT_RELU6: act_rows<ACT_RELU6>(C, r0, r1, cols, bias, biasLen, alpha, prelu, preluLen); break;
      case ACT_ELU: act_rows<ACT_ELU>(C, r0, r1, cols, bias, biasLen, alpha, prelu, preluLen); break;
      case ACT_PRELU: act_rows<ACT_PRELU>(C, r0, r1, cols, bias, biasLen, alpha, prelu, preluLen); break;
      case ACT_LEAKY: act_rows<ACT_LEAKY>(C, r0, r1, cols, bias, biasLen, alpha, prelu, preluLen); break;
      case ACT_SIGMOID: act_rows<ACT_SIGMOID>(C, r0, r1, cols, bias, biasLen, alpha, prelu, preluLen); break;
      default: act_rows<ACT_LINEAR>(C, r0, r1, cols, bias, biasLen, alpha, prelu, preluLen); break;
    }
  };
  parallel_for(rows, cols > 0 ? 1 + 32768 / cols : rows, run);
}

}  // namespace vg
