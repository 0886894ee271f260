// Strided block copies: the one primitive behind Slice, StridedSlice, SplitV, PadV2 and Transpose;
// Concat writes each output row once, its inputs' rows side by side. tfjs-backend-cpu runs those with per-element index arithmetic in JS (its SplitV on a
// channel axis took a third of a second per conditional-GAN step); here they are runs of memcpy
// or short strided loops.
#include <algorithm>
#include <cstring>
#include "kernels.h"

namespace vg {
namespace {

constexpr int64_t kCopyGrain = 1 << 16;  // elements per part before a second thread helps

template <typename T>
VG_CLONES void strided_run(const T* __restrict s, T* __restrict d, int64_t n, int64_t ss, int64_t ds) {
  for (int64_t i = 0; i < n; ++i) d[i * ds] = s[i * ss];
}

// Rows of a few channels (NHWC) as fixed-size copies the compiler turns into moves: a memcpy
// call per 40-byte row costs more than the copy.
template <typename T>
inline void copy_row(const T* __restrict s, T* __restrict d, int64_t n) {
  switch (n) {
#define VG_ROW(k) case k: std::memcpy(d, s, k * sizeof(T)); return;
    VG_ROW(1) VG_ROW(2) VG_ROW(3) VG_ROW(4) VG_ROW(5) VG_ROW(6) VG_ROW(7) VG_ROW(8)
    VG_ROW(9) VG_ROW(10) VG_ROW(11) VG_ROW(12) VG_ROW(13) VG_ROW(14) VG_ROW(15) VG_ROW(16)
#undef VG_ROW
    default: std::memcpy(d, s, n * sizeof(T));
  }
}

template <typename T>
void run_rows(const T* src, T* dst, int r, const int64_t* dim, const int64_t* ss, const int64_t* ds, int64_t o0, int64_t o1) {
  const int64_t inner = dim[r - 1], si = ss[r - 1], di = ds[r - 1];
  // Index of row o0 over the outer axes, then an odometer: no division per row.
  int64_t idx[8], so = 0, dOff = 0, rem = o0;
  for (int i = r - 2; i >= 0; --i) {
    idx[i] = rem % dim[i];
    rem /= dim[i];
    so += idx[i] * ss[i];
    dOff += idx[i] * ds[i];
  }
  for (int64_t o = o0; o < o1; ++o) {
    if (si == 1 && di == 1) copy_row<T>(src + so, dst + dOff, inner);
    else strided_run<T>(src + so, dst + dOff, inner, si, di);
    for (int i = r - 2; i >= 0; --i) {
      so += ss[i];
      dOff += ds[i];
      if (++idx[i] < dim[i]) break;
      so -= dim[i] * ss[i];
      dOff -= dim[i] * ds[i];
      idx[i] = 0;
    }
  }
}

template <typename T>
void copy_typed(const T* src, T* dst, int rank, const int32_t* shape, const int32_t* sStr, const int32_t* dStr) {
  // Coalesce: drop size-1 axes and merge an axis into its outer neighbour when both sides are
  // contiguous across them, so e.g. a channel slice of NHWC becomes [N·H·W rows, c] of memcpy.
  int64_t dim[8], ss[8], ds[8];
  int r = 0;
  for (int i = 0; i < rank; ++i) {
    if (shape[i] == 0) return;
    if (shape[i] == 1) continue;
    if (r > 0 && ss[r - 1] == int64_t(sStr[i]) * shape[i] && ds[r - 1] == int64_t(dStr[i]) * shape[i]) {
      dim[r - 1] *= shape[i];
      ss[r - 1] = sStr[i];
      ds[r - 1] = dStr[i];
      continue;
    }
    dim[r] = shape[i]; ss[r] = sStr[i]; ds[r] = dStr[i]; ++r;
  }
  if (r == 0) { dst[0] = src[0]; return; }
  const int64_t inner = dim[r - 1];
  int64_t outer = 1;
  for (int i = 0; i < r - 1; ++i) outer *= dim[i];
  if (outer == 1) {
    parallel_for(inner, kCopyGrain, [&](int64_t a, int64_t b) {
      if (ss[0] == 1 && ds[0] == 1) std::memcpy(dst + a, src + a, (b - a) * sizeof(T));
      else strided_run<T>(src + a * ss[0], dst + a * ds[0], b - a, ss[0], ds[0]);
    });
    return;
  }
  parallel_for(outer, std::max<int64_t>(1, kCopyGrain / std::max<int64_t>(inner, 1)),
               [&](int64_t o0, int64_t o1) { run_rows<T>(src, dst, r, dim, ss, ds, o0, o1); });
}

template <typename T>
void concat_typed(const T* const* srcs, const int64_t* inners, int count, int64_t outer, T* dst) {
  int64_t row = 0;
  for (int k = 0; k < count; ++k) row += inners[k];
  parallel_for(outer, std::max<int64_t>(1, kCopyGrain / std::max<int64_t>(row, 1)), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      T* d = dst + o * row;
      for (int k = 0; k < count; ++k) {
        copy_row<T>(srcs[k] + o * inners[k], d, inners[k]);
        d += inners[k];
      }
    }
  });
}

}  // namespace

void concat_rows(const void* const* srcs, const int64_t* inners, int count, int64_t outer, int elemBytes, void* dst) {
  if (elemBytes == 1) concat_typed(reinterpret_cast<const uint8_t* const*>(srcs), inners, count, outer, static_cast<uint8_t*>(dst));
  else concat_typed(reinterpret_cast<const uint32_t* const*>(srcs), inners, count, outer, static_cast<uint32_t*>(dst));
}

void copy_block(const void* src, void* dst, int elemBytes, int rank, const int32_t* shape, const int32_t* sStr,
                int64_t sOff, const int32_t* dStr, int64_t dOff) {
  if (elemBytes == 1) copy_typed(static_cast<const uint8_t*>(src) + sOff, static_cast<uint8_t*>(dst) + dOff, rank, shape, sStr, dStr);
  else copy_typed(static_cast<const uint32_t*>(src) + sOff, static_cast<uint32_t*>(dst) + dOff, rank, shape, sStr, dStr);
}

}  // namespace vg
