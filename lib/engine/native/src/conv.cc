// 2-D convolution (NHWC, dilation 1) as im2col/col2im around one sgemm (sgemm.cc) per batch
// tile. The filter [KH, KW, C, OC] is already the row-major K x OC matrix.
#include <algorithm>
#include <cstring>
#include <vector>
#include "kernels.h"

namespace vg {
namespace {

// Scratch for column matrices, reused across calls: fresh multi-MB allocations would
// page-fault on every call. Kernels run on the JS thread only, so one buffer suffices.
float* scratch(size_t n) {
  static std::vector<float> buf;
  if (buf.size() < n) {
    buf.clear();
    buf.shrink_to_fit();
    buf.resize(n);
  }
  return buf.data();
}

constexpr int64_t kColBudget = int64_t(8) << 20;  // floats per column tile (32 MB)

int tile_images(const ConvShape& s) {
  int64_t per = int64_t(s.OH) * s.OW * s.KH * s.KW * s.C;
  int64_t nb = per > 0 ? kColBudget / per : s.N;
  return static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(nb, s.N)));
}

bool is_pointwise(const ConvShape& s) {
  return s.KH == 1 && s.KW == 1 && s.SH == 1 && s.SW == 1 && s.PT == 0 && s.PL == 0 && s.OH == s.H && s.OW == s.W;
}

// col[r, (kh, kw, c)] for the output pixels r of images [n0, n0 + nb). Walks (n, oh, ow) with
// counters: three divisions per row cost as much as the copies for a few channels.
VG_CLONES void im2col_rows(const ConvShape& s, const float* x, float* col, int n0, int64_t r0, int64_t r1) {
  const int64_t K = int64_t(s.KH) * s.KW * s.C, rowLen = int64_t(s.KW) * s.C;
  int64_t n = n0 + r0 / (int64_t(s.OH) * s.OW);
  int oh = static_cast<int>((r0 / s.OW) % s.OH), ow = static_cast<int>(r0 % s.OW);
  for (int64_t r = r0; r < r1; ++r) {
    const int ih0 = oh * s.SH - s.PT, iw0 = ow * s.SW - s.PL;
    const int lo = std::max(0, -iw0), hi = std::min(s.KW, s.W - iw0);
    float* dst = col + r * K;
    for (int kh = 0; kh < s.KH; ++kh, dst += rowLen) {
      const int ih = ih0 + kh;
      if (ih < 0 || ih >= s.H || hi <= lo) { std::memset(dst, 0, rowLen * sizeof(float)); continue; }
      if (lo > 0) std::memset(dst, 0, int64_t(lo) * s.C * sizeof(float));
      std::memcpy(dst + int64_t(lo) * s.C, x + ((n * s.H + ih) * s.W + iw0 + lo) * s.C, int64_t(hi - lo) * s.C * sizeof(float));
      if (hi < s.KW) std::memset(dst + int64_t(hi) * s.C, 0, int64_t(s.KW - hi) * s.C * sizeof(float));
    }
    if (++ow == s.OW) {
      ow = 0;
      if (++oh == s.OH) { oh = 0; ++n; }
    }
  }
}

void im2col(const ConvShape& s, const float* x, float* col, int n0, int nb) {
  const int64_t rows = int64_t(nb) * s.OH * s.OW;
  const int64_t K = int64_t(s.KH) * s.KW * s.C;
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(K, 1)),
               [&](int64_t a, int64_t b) { im2col_rows(s, x, col, n0, a, b); });
}

// dx[n] = sum of the col rows of image n scattered back to their input pixels.
VG_CLONES void col2im_image(const ConvShape& s, const float* col, float* dx, int64_t nLocal, int64_t nGlobal) {
  const int64_t K = int64_t(s.KH) * s.KW * s.C, img = int64_t(s.H) * s.W * s.C;
  float* out = dx + nGlobal * img;
  std::memset(out, 0, img * sizeof(float));
  const float* src = col + nLocal * s.OH * s.OW * K;
  for (int oh = 0; oh < s.OH; ++oh) {
    for (int ow = 0; ow < s.OW; ++ow, src += K) {
      const int ih0 = oh * s.SH - s.PT, iw0 = ow * s.SW - s.PL;
      const int lo = std::max(0, -iw0), hi = std::min(s.KW, s.W - iw0);
      for (int kh = 0; kh < s.KH; ++kh) {
        const int ih = ih0 + kh;
        if (ih < 0 || ih >= s.H || hi <= lo) continue;
        const float* d = src + (int64_t(kh) * s.KW + lo) * s.C;
        float* o = out + (int64_t(ih) * s.W + iw0 + lo) * s.C;
        const int64_t len = int64_t(hi - lo) * s.C;
        for (int64_t i = 0; i < len; ++i) o[i] += d[i];
      }
    }
  }
}

}  // namespace

bool conv2d(const ConvShape& s, const float* x, const float* w, float* y, float* keepCol) {
  const int64_t K = int64_t(s.KH) * s.KW * s.C, pix = int64_t(s.OH) * s.OW;
  if (is_pointwise(s)) {
    sgemm(false, false, s.N * pix, s.OC, K, x, K, w, s.OC, false, y, s.OC);
    return false;
  }
  const int nb = tile_images(s);
  // One tile holds the whole batch: the columns can go to the caller's buffer, for the filter gradient.
  const bool keep = keepCol && nb == s.N;
  float* col = keep ? keepCol : scratch(size_t(nb) * pix * K);
  for (int n0 = 0; n0 < s.N; n0 += nb) {
    const int cnt = std::min(nb, s.N - n0);
    im2col(s, x, col, n0, cnt);
    sgemm(false, false, cnt * pix, s.OC, K, col, K, w, s.OC, false, y + n0 * pix * s.OC, s.OC);
  }
  return keep;
}

void conv2d_backprop_input(const ConvShape& s, const float* dy, const float* w, float* dx) {
  const int64_t K = int64_t(s.KH) * s.KW * s.C, pix = int64_t(s.OH) * s.OW;
  if (is_pointwise(s)) {
    sgemm(false, true, s.N * pix, K, s.OC, dy, s.OC, w, s.OC, false, dx, K);
    return;
  }
  const int nb = tile_images(s);
  float* col = scratch(size_t(nb) * pix * K);
  for (int n0 = 0; n0 < s.N; n0 += nb) {
    const int cnt = std::min(nb, s.N - n0);
    sgemm(false, true, cnt * pix, K, s.OC, dy + n0 * pix * s.OC, s.OC, w, s.OC, false, col, K);
    parallel_for(cnt, 1, [&](int64_t a, int64_t b) {
      for (int64_t i = a; i < b; ++i) col2im_image(s, col, dx, i, n0 + i);
    });
  }
}

void conv2d_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* dw, const float* keptCol) {
  const int64_t K = int64_t(s.KH) * s.KW * s.C, pix = int64_t(s.OH) * s.OW;
  if (is_pointwise(s)) {
    sgemm(true, false, K, s.OC, s.N * pix, x, K, dy, s.OC, false, dw, s.OC);
    return;
  }
  const int nb = tile_images(s);
  if (keptCol && nb == s.N) {  // the forward pass's columns of this x: the same product, without the im2col
    sgemm(true, false, K, s.OC, s.N * pix, keptCol, K, dy, s.OC, false, dw, s.OC);
    return;
  }
  float* col = scratch(size_t(nb) * pix * K);
  for (int n0 = 0; n0 < s.N; n0 += nb) {
    const int cnt = std::min(nb, s.N - n0);
    im2col(s, x, col, n0, cnt);
    sgemm(true, false, K, s.OC, cnt * pix, col, K, dy + n0 * pix * s.OC, s.OC, n0 > 0, dw, s.OC);
  }
}

}  // namespace vg
