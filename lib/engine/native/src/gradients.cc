// Gradients that tfjs composes from 3-15 elementwise kernels, as one pass each. Every product
// is rounded to float32 in the order tfjs's ops round it and every sum runs in float64 down
// each column like reduce() (elementwise.cc), so the results are those of the composed ops bit
// for bit (kernels/gradients.ts).
#include <algorithm>
#include <vector>
#include "kernels.h"

namespace vg {
namespace {
constexpr int64_t kGrain = 1 << 15;

VG_CLONES void leaky_grad_run(const float* __restrict dy, const float* __restrict x, float* __restrict o, int64_t n,
                              float alpha) {
  // where(greater(x, 0), dy, mul(dy, alpha))
  for (int64_t i = 0; i < n; ++i) o[i] = x[i] > 0.f ? dy[i] : dy[i] * alpha;
}
VG_CLONES void tanh_grad_run(const float* __restrict dy, const float* __restrict y, float* __restrict o, int64_t n) {
  // mul(sub(1, square(y)), dy)
  for (int64_t i = 0; i < n; ++i) {
    const float sq = y[i] * y[i];
    const float d = 1.f - sq;
    o[i] = d * dy[i];
  }
}

// Columns [c0, c1) of the batch-norm gradient over `rows` rows of C channels.
VG_CLONES void bn_grad_cols(const float* __restrict x, const float* __restrict dy, const float* __restrict mean,
                            const float* __restrict scale, const float* __restrict r, const float* __restrict mhrc,
                            float* __restrict dx, double* __restrict accM, double* __restrict accV,
                            double* __restrict accS, double* __restrict accO, int64_t rows, int64_t C, int64_t c0,
                            int64_t c1) {
  for (int64_t i = 0; i < rows; ++i) {
    const float* xr = x + i * C;
    const float* dr = dy + i * C;
    float* o = dx + i * C;
    for (int64_t c = c0; c < c1; ++c) {
      const float d = dr[c];
      const float xm = xr[c] - mean[c];                 // xMinusMean = sub(x, mean)
      const float ds = d * scale[c];                    // dyTimesScaleValue = mul(dy, scale)
      const float t = d * r[c];
      o[c] = t * scale[c];                              // derX = mul(mul(dy, tile(r)), scale)
      const float nr = r[c] * -1.f;
      accM[c - c0] += double(nr * ds);                  // derMean = sum(mul(mul(r, -1), ds))
      const float v = mhrc[c] * xm;
      accV[c - c0] += double(v * ds);                   // derVariance = sum(mul(mul(mhrc, xm), ds))
      const float xr2 = xm * r[c];
      accS[c - c0] += double(d * xr2);                  // derScale = sum(mul(dy, mul(xm, r)))
      accO[c - c0] += double(d);                        // derOffset = sum(dy)
    }
  }
}
}  // namespace

void leaky_relu_grad(const float* dy, const float* x, float* out, int64_t n, float alpha) {
  parallel_for(n, kGrain, [&](int64_t a, int64_t b) { leaky_grad_run(dy + a, x + a, out + a, b - a, alpha); });
}

void tanh_grad(const float* dy, const float* y, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t a, int64_t b) { tanh_grad_run(dy + a, y + a, out + a, b - a); });
}

void batchnorm_grad(const float* x, const float* dy, const float* mean, const float* scale, const float* r,
                    const float* mhrc, int64_t rows, int64_t C, float* dx, float* dMean, float* dVar, float* dScale,
                    float* dOffset) {
  // Threads split the channels, as reduce() does, so every column sums its rows in order.
  parallel_for(C, std::max<int64_t>(8, kGrain / std::max<int64_t>(rows, 1)), [&](int64_t c0, int64_t c1) {
    const int64_t w = c1 - c0;
    std::vector<double> acc(4 * w, 0.0);
    bn_grad_cols(x, dy, mean, scale, r, mhrc, dx, acc.data(), acc.data() + w, acc.data() + 2 * w, acc.data() + 3 * w,
                 rows, C, c0, c1);
    for (int64_t c = c0; c < c1; ++c) {
      dMean[c] = static_cast<float>(acc[c - c0]);
      dVar[c] = static_cast<float>(acc[w + c - c0]);
      dScale[c] = static_cast<float>(acc[2 * w + c - c0]);
      dOffset[c] = static_cast<float>(acc[3 * w + c - c0]);
    }
  });
}

}  // namespace vg
