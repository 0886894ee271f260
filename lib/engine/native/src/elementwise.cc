// Elementwise kernels: broadcasting binary ops, unary activations, reductions with
// float64 accumulators, AddN, Select and the fused Adam update.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>
#include "kernels.h"

namespace vg {
namespace {

constexpr int64_t kGrain = 1 << 15;  // below this many elements a second thread costs more than it saves

template <int OP> inline float bop(float a, float b) {
  if (OP == B_ADD) return a + b;
  if (OP == B_SUB) return a - b;
  if (OP == B_MUL) return a * b;
  if (OP == B_DIV) return a / b;
  if (OP == B_MAX) { float r = a > b ? a : b; return a != a ? a : r; }  // NaN wins, like Math.max
  if (OP == B_MIN) { float r = a < b ? a : b; return a != a ? a : r; }
  if (OP == B_SQDIFF) { float d = a - b; return d * d; }
  if (OP == B_PRELU) return a < 0.f ? b * a : a;
  return 0.f;
}
template <int OP> inline uint8_t cop(float a, float b) {
  if (OP == B_GT) return a > b;
  if (OP == B_GE) return a >= b;
  if (OP == B_LT) return a < b;
  if (OP == B_LE) return a <= b;
  if (OP == B_EQ) return a == b;
  return a != b;
}

// Inner loops with the broadcast pattern as template arguments so each one vectorises.
template <int OP, int SA, int SB>
VG_CLONES void bin_run(const float* __restrict a, const float* __restrict b, float* __restrict o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = bop<OP>(a[SA * i], b[SB * i]);
}
template <int OP, int SA, int SB>
VG_CLONES void cmp_run(const float* __restrict a, const float* __restrict b, uint8_t* __restrict o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = cop<OP>(a[SA * i], b[SB * i]);
}

using RunFn = void (*)(const float*, const float*, void*, int64_t);
template <int OP, int SA, int SB> void run_any(const float* a, const float* b, void* o, int64_t n) {
  if (OP >= B_GT) cmp_run<OP, SA, SB>(a, b, static_cast<uint8_t*>(o), n);
  else bin_run<OP, SA, SB>(a, b, static_cast<float*>(o), n);
}
template <int OP> RunFn pick(int sa, int sb) {
  if (sa && sb) return run_any<OP, 1, 1>;
  if (sa) return run_any<OP, 1, 0>;
  if (sb) return run_any<OP, 0, 1>;
  return run_any<OP, 0, 0>;
}
RunFn pick_op(int op, int sa, int sb) {
  switch (op) {
    case B_ADD: return pick<B_ADD>(sa, sb);
    case B_SUB: return pick<B_SUB>(sa, sb);
    case B_MUL: return pick<B_MUL>(sa, sb);
    case B_DIV: return pick<B_DIV>(sa, sb);
    case B_MAX: return pick<B_MAX>(sa, sb);
    case B_MIN: return pick<B_MIN>(sa, sb);
    case B_SQDIFF: return pick<B_SQDIFF>(sa, sb);
    case B_PRELU: return pick<B_PRELU>(sa, sb);
    case B_GT: return pick<B_GT>(sa, sb);
    case B_GE: return pick<B_GE>(sa, sb);
    case B_LT: return pick<B_LT>(sa, sb);
    case B_LE: return pick<B_LE>(sa, sb);
    case B_EQ: return pick<B_EQ>(sa, sb);
    default: return pick<B_NE>(sa, sb);
  }
}

}  // namespace

void binary(int op, const float* a, const float* b, void* out, int rank, const int32_t* shape,
            const int32_t* aStr, const int32_t* bStr) {
  // Coalesce: drop size-1 axes and merge neighbours that are contiguous in both inputs,
  // so e.g. [64, 784] + [784] becomes 64 rows of one vector loop.
  int64_t dim[8], sa[8], sb[8];
  int r = 0;
  for (int i = 0; i < rank; ++i) {
    if (shape[i] == 1) continue;
    if (r > 0 && sa[r - 1] == int64_t(aStr[i]) * shape[i] && sb[r - 1] == int64_t(bStr[i]) * shape[i]) {
      dim[r - 1] *= shape[i];
      sa[r - 1] = aStr[i];
      sb[r - 1] = bStr[i];
      continue;
    }
    dim[r] = shape[i]; sa[r] = aStr[i]; sb[r] = bStr[i]; ++r;
  }
  if (r == 0) { dim[0] = 1; sa[0] = sb[0] = 0; r = 1; }
  const int64_t inner = dim[r - 1];
  int64_t outer = 1;
  for (int i = 0; i < r - 1; ++i) outer *= dim[i];
  const size_t osz = op >= B_GT ? 1 : sizeof(float);
  RunFn fn = pick_op(op, sa[r - 1] != 0, sb[r - 1] != 0);
  auto rows = [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; ++o) {
      int64_t rem = o, offA = 0, offB = 0;
      for (int i = r - 2; i >= 0; --i) {
        int64_t q = rem % dim[i];
        rem /= dim[i];
        offA += q * sa[i];
        offB += q * sb[i];
      }
      fn(a + offA, b + offB, static_cast<char*>(out) + o * inner * osz, inner);
    }
  };
  if (outer == 1) {
    parallel_for(inner, kGrain, [&](int64_t i0, int64_t i1) {
      fn(a + (sa[0] ? i0 : 0), b + (sb[0] ? i0 : 0), static_cast<char*>(out) + i0 * osz, i1 - i0);
    });
  } else {
    parallel_for(outer, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)), rows);
  }
}

namespace {
template <int OP> inline float uop(float x, float alpha) {
  if (OP == U_RELU) return x < 0.f ? 0.f : x;
  if (OP == U_RELU6) return x < 0.f ? 0.f : (x > 6.f ? 6.f : x);
  if (OP == U_STEP) return x != x ? x : (x > 0.f ? 1.f : alpha);
  if (OP == U_SIGMOID) return 1.f / (1.f + std::exp(-x));
  if (OP == U_NEG) return -x;
  if (OP == U_EXP) return std::exp(x);
  if (OP == U_LOG) return std::log(x);
  if (OP == U_ABS) return std::fabs(x);
  if (OP == U_SQRT) return std::sqrt(x);
  if (OP == U_RSQRT) return 1.f / std::sqrt(x);
  if (OP == U_SQUARE) return x * x;
  if (OP == U_LEAKY) return x < 0.f ? alpha * x : x;
  if (OP == U_ELU) return x >= 0.f ? x : std::expm1(x);
  if (OP == U_RECIP) return 1.f / x;
  if (OP == U_LOG1P) return std::log1p(x);
  if (OP == U_SOFTPLUS) {
    // Same thresholds as tfjs: log(2^-23) + 2.
    const float th = -13.942385152878742f;
    if (x < th) return std::exp(x);
    if (x > -th) return x;
    return std::log1p(std::exp(x));
  }
  if (OP == U_SIGN) return x > 0.f ? 1.f : (x < 0.f ? -1.f : 0.f);
  if (OP == U_EXPM1) return std::expm1(x);
  return x;
}
template <int OP> VG_CLONES void un_run(const float* __restrict x, float* __restrict o, int64_t n, float alpha) {
  for (int64_t i = 0; i < n; ++i) o[i] = uop<OP>(x[i], alpha);
}
void tanh_run(const float* x, float* o, int64_t n, float) { tanh_exact(x, o, n); }
using UnFn = void (*)(const float*, float*, int64_t, float);
UnFn pick_un(int op) {
  switch (op) {
    case U_TANH: return tanh_run;
    case U_RELU: return un_run<U_RELU>;
    case U_RELU6: return un_run<U_RELU6>;
    case U_STEP: return un_run<U_STEP>;
    case U_SIGMOID: return un_run<U_SIGMOID>;
    case U_NEG: return un_run<U_NEG>;
    case U_EXP: return un_run<U_EXP>;
    case U_LOG: return un_run<U_LOG>;
    case U_ABS: return un_run<U_ABS>;
    case U_SQRT: return un_run<U_SQRT>;
    case U_RSQRT: return un_run<U_RSQRT>;
    case U_SQUARE: return un_run<U_SQUARE>;
    case U_LEAKY: return un_run<U_LEAKY>;
    case U_ELU: return un_run<U_ELU>;
    case U_RECIP: return un_run<U_RECIP>;
    case U_LOG1P: return un_run<U_LOG1P>;
    case U_SOFTPLUS: return un_run<U_SOFTPLUS>;
    case U_SIGN: return un_run<U_SIGN>;
    default: return un_run<U_EXPM1>;
  }
}
}  // namespace

void unary(int op, const float* x, float* out, int64_t n, float alpha) {
  UnFn fn = pick_un(op);
  parallel_for(n, kGrain, [&](int64_t a, int64_t b) { fn(x + a, out + a, b - a, alpha); });
}

VG_CLONES static void elu_grad_run(const float* __restrict dy, const float* __restrict y, float* __restrict o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = y[i] >= 0.f ? dy[i] : dy[i] * (y[i] + 1.f);
}
void elu_grad(const float* dy, const float* y, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t a, int64_t b) { elu_grad_run(dy + a, y + a, out + a, b - a); });
}

namespace {
// Sum of a contiguous run in float64; four lanes keep the adds independent.
VG_CLONES double sum_run(const float* x, int64_t n) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
  for (; i < n; ++i) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}
VG_CLONES void sum_cols(const float* x, double* acc, int64_t R, int64_t B, int64_t stride) {
  for (int64_t r = 0; r < R; ++r) {
    const float* row = x + r * stride;
    for (int64_t b = 0; b < B; ++b) acc[b] += row[b];
  }
}
inline float pick_ext(int op, float m, float v) {
  return op == R_MAX ? ((v > m || v != v) ? v : m) : ((v < m || v != v) ? v : m);
}
}  // namespace

void reduce(int op, const float* x, float* out, int64_t A, int64_t R, int64_t B) {
  const bool ext = op == R_MAX || op == R_MIN;
  const double scale = op == R_MEAN && R > 0 ? 1.0 / double(R) : 1.0;
  if (B == 1) {
    parallel_for(A, std::max<int64_t>(1, kGrain / std::max<int64_t>(R, 1)), [&](int64_t a0, int64_t a1) {
      for (int64_t a = a0; a < a1; ++a) {
        const float* p = x + a * R;
        if (ext) {
          float m = R > 0 ? p[0] : (op == R_MAX ? -INFINITY : INFINITY);
          for (int64_t r = 1; r < R; ++r) m = pick_ext(op, m, p[r]);
          out[a] = m;
        } else {
          out[a] = static_cast<float>(op == R_MEAN ? sum_run(p, R) / double(R) : sum_run(p, R));
        }
      }
    });
    return;
  }
  // Column-wise: split the kept inner axis between threads, each with float64 partial sums.
  for (int64_t a = 0; a < A; ++a) {
    const float* base = x + a * R * B;
    float* o = out + a * B;
    parallel_for(B, std::max<int64_t>(8, kGrain / std::max<int64_t>(R, 1)), [&](int64_t b0, int64_t b1) {
      if (ext) {
        for (int64_t b = b0; b < b1; ++b) o[b] = R > 0 ? base[b] : (op == R_MAX ? -INFINITY : INFINITY);
        for (int64_t r = 1; r < R; ++r)
          for (int64_t b = b0; b < b1; ++b) o[b] = pick_ext(op, o[b], base[r * B + b]);
        return;
      }
      std::vector<double> acc(b1 - b0, 0.0);
      sum_cols(base + b0, acc.data(), R, b1 - b0, B);
      for (int64_t b = b0; b < b1; ++b) o[b] = static_cast<float>(acc[b - b0] * scale);
    });
  }
}

VG_CLONES static void add_into(float* __restrict o, const float* __restrict x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] += x[i];
}
void add_n(const float* const* xs, int count, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t a, int64_t b) {
    std::memcpy(out + a, xs[0] + a, (b - a) * sizeof(float));
    for (int k = 1; k < count; ++k) add_into(out + a, xs[k] + a, b - a);
  });
}

VG_CLONES static void select_run(const uint8_t* c, const float* a, const float* b, float* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = c[i] ? a[i] : b[i];
}
void select(const uint8_t* cond, const float* a, const float* b, float* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) { select_run(cond + i0, a + i0, b + i0, out + i0, i1 - i0); });
}

// Same operation order as tfjs AdamOptimizer.applyGradients, in float32. Outputs may alias inputs.
VG_CLONES static void adam_run(const float* p, const float* m, const float* v, const float* __restrict g,
                               float* po, float* mo, float* vo, int64_t n, float negLr, float b1, float c1b1,
                               float b2, float c1b2, float eps, float c1, float c2) {
  for (int64_t i = 0; i < n; ++i) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1b1;
    const float vi = v[i] * b2 + (gi * gi) * c1b2;
    const float mh = mi / c1, vh = vi / c2;
    po[i] = (mh / (std::sqrt(vh) + eps)) * negLr + p[i];
    mo[i] = mi;
    vo[i] = vi;
  }
}
void adam(const float* p, const float* m, const float* v, const float* g, float* po, float* mo, float* vo, int64_t n,
          float lr, float b1, float c1b1, float b2, float c1b2, float eps, float oneMinusAccB1, float oneMinusAccB2) {
  parallel_for(n, kGrain, [&](int64_t a, int64_t b) {
    adam_run(p + a, m + a, v + a, g + a, po + a, mo + a, vo + a, b - a, -lr, b1, c1b1, b2, c1b2, eps, oneMinusAccB1,
             oneMinusAccB2);
  });
}

}  // namespace vg

namespace vg {

// Tile: out = x repeated reps[d] times along each axis d. Builds each block once, then
// replicates it with memcpy, so the cost is a few large copies instead of per-element indexing.
static void tile_rec(int d, int rank, const int64_t* xs, const int64_t* reps, const int64_t* inBlock,
                     const int64_t* outBlock, const float* x, float* out) {
  if (d == rank - 1) {
    for (int64_t r = 0; r < reps[d]; ++r) std::memcpy(out + r * xs[d], x, xs[d] * sizeof(float));
    return;
  }
  for (int64_t i = 0; i < xs[d]; ++i) tile_rec(d + 1, rank, xs, reps, inBlock, outBlock, x + i * inBlock[d + 1], out + i * outBlock[d + 1]);
  const int64_t chunk = xs[d] * outBlock[d + 1];
  for (int64_t r = 1; r < reps[d]; ++r) std::memcpy(out + r * chunk, out, chunk * sizeof(float));
}

void tile(const float* x, float* out, int rank, const int32_t* shape, const int32_t* reps) {
  int64_t xs[8], rp[8], inBlock[9], outBlock[9];
  inBlock[rank] = outBlock[rank] = 1;
  for (int d = rank - 1; d >= 0; --d) {
    xs[d] = shape[d];
    rp[d] = reps[d];
    inBlock[d] = inBlock[d + 1] * xs[d];
    outBlock[d] = outBlock[d + 1] * xs[d] * rp[d];
  }
  if (outBlock[0] == 0) return;
  tile_rec(0, rank, xs, rp, inBlock, outBlock, x, out);
}

// out = offset + (x - mean) * scale / sqrt(var + eps), parameters of length L (or 1) cycling
// over the flat x like the cpu kernel; the per-channel factor is formed once in float64.
VG_CLONES static void bn_rows(const float* __restrict x, float* __restrict out, int64_t rows, int64_t L,
                              const float* __restrict m, const float* __restrict a, const float* __restrict o) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < L; ++c) out[r * L + c] = o[c] + (x[r * L + c] - m[c]) * a[c];
}

void batchnorm(const float* x, float* out, int64_t n, const float* mean, int64_t mLen, const float* var, int64_t vLen,
               const float* scale, int64_t sLen, const float* offset, int64_t oLen, float eps) {
  const int64_t L = std::max(std::max(mLen, vLen), std::max(sLen, oLen));
  std::vector<float> m(L), a(L), o(L);
  for (int64_t c = 0; c < L; ++c) {
    m[c] = mean[mLen == 1 ? 0 : c];
    const double s = scale ? scale[sLen == 1 ? 0 : c] : 1.0;
    a[c] = static_cast<float>(s / std::sqrt(double(var[vLen == 1 ? 0 : c]) + double(eps)));
    o[c] = offset ? offset[oLen == 1 ? 0 : c] : 0.f;
  }
  parallel_for(n / L, std::max<int64_t>(1, kGrain / L), [&](int64_t r0, int64_t r1) {
    bn_rows(x + r0 * L, out + r0 * L, r1 - r0, L, m.data(), a.data(), o.data());
  });
}

}  // namespace vg
