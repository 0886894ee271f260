// tanh of float32, eight lanes at a time, with the bits of glibc's scalar tanhf.
//
// The committed results were computed with glibc 2.36's tanhf (fdlibm's algorithm: tanh through
// expm1f, every step rounded to float, no fused multiply-adds), ~17 ns an element. This file
// evaluates the same sequence of float operations on a vector of lanes, each lane taking its
// branch's value by selection instead of by jumping, so every result keeps its bits (checked
// against glibc over all 2^32 inputs; tests/native-kernels.test.ts samples them in CI). Unlike
// libm, the values do not depend on the C library of the machine that runs them.
#include <cstring>
#include "kernels.h"

// The lane vectors never cross a call (everything is inlined), so their ABI does not matter;
// parameters go by reference, which also keeps GCC's note about their alignment quiet.
#pragma GCC diagnostic ignored "-Wpsabi"

namespace vg {
namespace {

typedef float f8 __attribute__((vector_size(32)));
typedef int32_t i8 __attribute__((vector_size(32)));

inline float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Constants of fdlibm's expm1f, given by their bit patterns so no decimal rounding can move them.
const float kLn2Hi = bits_to_float(0x3f317180), kLn2Lo = bits_to_float(0x3717f7d1), kInvLn2 = bits_to_float(0x3fb8aa3b);
const float kQ1 = bits_to_float(0xbd088889), kQ2 = bits_to_float(0x3ad00d01), kQ3 = bits_to_float(0xb8a670cd),
            kQ4 = bits_to_float(0x36867e54), kQ5 = bits_to_float(0xb457edbb);

inline __attribute__((always_inline)) f8 as_f(const i8& v) { return (f8)v; }  // same bits
inline __attribute__((always_inline)) i8 as_i(const f8& v) { return (i8)v; }

// expm1f(u) for u = ±2|x| as tanhf calls it: u in [-2, -2^-54] or [2, 44).
inline __attribute__((always_inline)) f8 expm1_lanes(const f8& u) {
  const i8 hu = as_i(u) & 0x7fffffff;
  const i8 positive = as_i(u) >= 0;
  // Reduction u = k·ln2 + x, x = hi − lo, c its rounding error. k is 0 up to ln2/2, −1 up to
  // 1.5·ln2 (u is negative there), else invln2·u ± 0.5 truncated; with k = 0 the same
  // expressions leave x = u and c = 0, as the unreduced branch has it.
  const f8 half = positive ? f8{} + 0.5f : f8{} - 0.5f;
  i8 k = __builtin_convertvector(kInvLn2 * u + half, i8);
  k = hu < 0x3F851592 ? i8{} - 1 : k;
  k = hu > 0x3eb17218 ? k : i8{};
  const f8 tk = __builtin_convertvector(k, f8);
  const f8 hi = u - tk * kLn2Hi, lo = tk * kLn2Lo;
  const f8 x = hi - lo;
  const f8 c = (hi - x) - lo;
  // Rational approximation on the reduced argument.
  const f8 hfx = 0.5f * x;
  const f8 hxs = x * hfx;
  const f8 r1 = 1.f + hxs * (kQ1 + hxs * (kQ2 + hxs * (kQ3 + hxs * (kQ4 + hxs * kQ5))));
  const f8 t = 3.f - r1 * hfx;
  f8 e = hxs * ((r1 - t) / (6.f - x * t));
  const f8 k0 = x - (x * e - hxs);
  e = x * (e - c) - c;
  e = e - hxs;
  const f8 kMinus1 = 0.5f * (x - e) - 0.5f;
  const i8 shift = k << 23;  // adds k to a float's exponent
  // k ≤ −2 or k > 56: 2^k·(1 − (e − x)) − 1.
  const f8 far = as_f(as_i(1.f - (e - x)) + shift) - 1.f;
  // 1 ≤ k < 23: 2^k·((1 − 2^−k) − (e − x)).
  const i8 kLow = k < 1 ? i8{} + 1 : (k > 22 ? i8{} + 22 : k);
  const f8 low = as_f(as_i(as_f(0x3f800000 - (0x1000000 >> kLow)) - (e - x)) + shift);
  // 23 ≤ k ≤ 56: 2^k·((x − (e + 2^−k)) + 1).
  const i8 kHigh = k < 23 ? i8{} + 23 : (k > 56 ? i8{} + 56 : k);
  const f8 high = as_f(as_i((x - (e + as_f((0x7f - kHigh) << 23))) + 1.f) + shift);
  f8 r = (k <= -2) | (k > 56) ? far : (k >= 23 ? high : low);
  r = k == -1 ? kMinus1 : r;
  r = k == 0 ? k0 : r;
  return hu < 0x33000000 ? u : r;  // |u| < 2^-25: expm1 is u itself
}

inline __attribute__((always_inline)) f8 tanh_lanes(const f8& x) {
  const i8 ix = as_i(x) & 0x7fffffff;
  const i8 negative = as_i(x) < 0;
  const f8 a = as_f(ix);
  const i8 big = ix >= 0x3f800000;  // |x| ≥ 1
  const f8 u = big ? a + a : a * -2.f;
  const f8 t = expm1_lanes(u);
  f8 z = big ? 1.f - 2.f / (t + 2.f) : -t / (t + 2.f);
  z = ix > 0x41afffff ? f8{} + (1.f - 1.0e-30f) : z;  // |x| ≥ 22: 1 (rounded from 1 − 1e−30)
  z = as_f(as_i(z) ^ (negative & int32_t(0x80000000)));
  // Tiny |x| < 2^-55 (and zero) keep their own formula; infinities and NaN give 1/x ± 1.
  z = ix < 0x24000000 ? x * (1.f + x) : z;
  const f8 nonFinite = negative ? 1.f / x - 1.f : 1.f / x + 1.f;
  return ix > 0x7f7fffff ? nonFinite : z;
}

}  // namespace

VG_CLONES void tanh_exact(const float* __restrict in, float* __restrict out, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    f8 v;
    std::memcpy(&v, in + i, sizeof v);
    v = tanh_lanes(v);
    std::memcpy(out + i, &v, sizeof v);
  }
  if (i < n) {  // the tail through the same lanes, padded
    f8 v = {};
    std::memcpy(&v, in + i, (n - i) * sizeof(float));
    v = tanh_lanes(v);
    std::memcpy(out + i, &v, (n - i) * sizeof(float));
  }
}

}  // namespace vg
