// The engine's matrix products (convolutions and dense layers). Every element of C is one in-order
// chain of fused multiply-adds, c = fma(a[i,k], b[k,j], c) for k = 0, 1, ..., K-1 starting from 0
// (or from C when accumulating). Register tiles, K blocks and the thread split only decide *when* each
// chain advances, never its order, so AVX-512, AVX2 and the scalar fallback give the same bits
// at any thread count.
#include <immintrin.h>
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>
#include "kernels.h"

namespace vg {
namespace {

constexpr int kKC = 512;  // K block: one B strip (kKC x 32 floats) stays in L2 across a row block
// Products below this many FLOPs run on one thread: waking a second costs more than it saves.
constexpr double kParallelFlops = 64e6;

enum Isa { ISA_SCALAR = 0, ISA_AVX2, ISA_AVX512 };

Isa detect_isa() {
#if defined(__x86_64__) && defined(__GNUC__)
  // VAE_GAN_GEMM_ISA lowers the level, so tests can compare the paths on one machine.
  const char* want = std::getenv("VAE_GAN_GEMM_ISA");
  Isa cap = ISA_SCALAR;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) cap = ISA_AVX2;
  if (cap == ISA_AVX2 && __builtin_cpu_supports("avx512f")) cap = ISA_AVX512;
  if (want && std::strcmp(want, "scalar") == 0) return ISA_SCALAR;
  if (want && std::strcmp(want, "avx2") == 0) return std::min(cap, ISA_AVX2);
  return cap;
#else
  return ISA_SCALAR;
#endif
}

// A's element (r, k) of a row block: a[r * rs + k * ks]; (rs, ks) = (lda, 1) or (1, lda) when transposed.
struct ABlock {
  const float* a;
  int64_t rs, ks;
};

// ---- micro-kernels (sgemm-kernel.inc), one namespace per instruction set --------------------------

#if defined(__x86_64__) && defined(__GNUC__)
namespace avx512 {
#pragma GCC push_options
#pragma GCC target("avx512f")
using Vec = __m512;
constexpr int kLanes = 16, kMR = 12;
inline Vec vload(const float* p) { return _mm512_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm512_storeu_ps(p, v); }
inline Vec vzero() { return _mm512_setzero_ps(); }
inline Vec vbcast(const float* p) { return _mm512_set1_ps(*p); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm512_fmadd_ps(a, b, c); }
#include "sgemm-kernel.inc"
#pragma GCC pop_options
}  // namespace avx512

namespace avx2 {
#pragma GCC push_options
#pragma GCC target("avx2,fma")
using Vec = __m256;
constexpr int kLanes = 8, kMR = 6;
inline Vec vload(const float* p) { return _mm256_loadu_ps(p); }
inline void vstore(float* p, Vec v) { _mm256_storeu_ps(p, v); }
inline Vec vzero() { return _mm256_setzero_ps(); }
inline Vec vbcast(const float* p) { return _mm256_broadcast_ss(p); }
inline Vec vfma(Vec a, Vec b, Vec c) { return _mm256_fmadd_ps(a, b, c); }
#include "sgemm-kernel.inc"
#pragma GCC pop_options
}  // namespace avx2
#endif

// Same chains with std::fma, for CPUs without FMA units (slow, but the same bits).
void kern_scalar(int kc, ABlock A, const float* bp, float* c, int64_t ldc, bool load, int mr, int nr) {
  for (int r = 0; r < mr; ++r)
    for (int j = 0; j < nr; ++j) {
      float s = load ? c[r * ldc + j] : 0.f;
      for (int k = 0; k < kc; ++k) s = std::fma(A.a[r * A.rs + k * A.ks], bp[k * nr + j], s);
      c[r * ldc + j] = s;
    }
}

struct Geometry {
  Isa isa;
  int MR, NR;
};

constexpr int kMaxTile = 12 * 32;

Geometry geometry() {
  static const Isa isa = detect_isa();
#if defined(__x86_64__) && defined(__GNUC__)
  static_assert(avx512::kMR * 2 * avx512::kLanes <= kMaxTile && avx2::kMR * 2 * avx2::kLanes <= kMaxTile);
  if (isa == ISA_AVX512) return {isa, avx512::kMR, 2 * avx512::kLanes};
#endif
  return {isa, 6, 16};  // AVX2's tile; the scalar kernel takes any
}

// One tile of C: rows x cols (<= MR x NR). Edge tiles go through a temporary C tile, so the
// kernels never write outside C; A's rows are already padded to MR by the caller.
void tile(const Geometry& g, int kc, ABlock a, int rows, const float* bp, float* c, int64_t ldc, int cols, bool load) {
  const int MR = g.MR, NR = g.NR;
  alignas(64) float tmpC[kMaxTile];
  const bool direct = rows == MR && cols == NR;
  float* cc = direct ? c : tmpC;
  const int64_t ldcc = direct ? ldc : NR;
  if (!direct && load) {
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NR; ++j) tmpC[r * NR + j] = r < rows && j < cols ? c[r * ldc + j] : 0.f;
  }
  const int half = NR / 2;
  switch (g.isa) {
#if defined(__x86_64__) && defined(__GNUC__)
    case ISA_AVX512:
      if (cols <= half) avx512::kern<1>(kc, a, bp, cc, ldcc, load);
      else avx512::kern<2>(kc, a, bp, cc, ldcc, load);
      break;
    case ISA_AVX2:
      if (cols <= half) avx2::kern<1>(kc, a, bp, cc, ldcc, load);
      else avx2::kern<2>(kc, a, bp, cc, ldcc, load);
      break;
#endif
    default:
      kern_scalar(kc, a, bp, cc, ldcc, load, MR, NR);
  }
  if (!direct)
    for (int r = 0; r < rows; ++r) std::memcpy(c + r * ldc, tmpC + r * NR, size_t(cols) * sizeof(float));
}

}  // namespace

const char* sgemm_isa() {
  static const char* names[] = {"scalar", "avx2", "avx512"};
  return names[geometry().isa];
}

void sgemm(bool transA, bool transB, int M, int N, int K, const float* A, int64_t lda, const float* B, int64_t ldb,
           bool accumulate, float* C, int64_t ldc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; ++i) std::memset(C + int64_t(i) * ldc, 0, size_t(N) * sizeof(float));
    return;
  }
  const Geometry g = geometry();
  const int NR = g.NR, MR = g.MR;
  const int strips = (N + NR - 1) / NR;
  // B packed whole: strip s holds rows k of columns [s*NR, s*NR + NR), zero-padded. Kernels run on
  // the JS thread only, so one buffer, kept between calls, suffices.
  static std::vector<float> bp;
  bp.assign(size_t(strips) * NR * K, 0.f);
  for (int s = 0; s < strips; ++s) {
    float* dst = bp.data() + size_t(s) * NR * K;
    const int j0 = s * NR, w = std::min(NR, N - j0);
    if (!transB) {
      for (int k = 0; k < K; ++k) std::memcpy(dst + size_t(k) * NR, B + k * ldb + j0, size_t(w) * sizeof(float));
    } else {
      for (int j = 0; j < w; ++j) {
        const float* src = B + (j0 + j) * ldb;
        for (int k = 0; k < K; ++k) dst[size_t(k) * NR + j] = src[k];
      }
    }
  }
  const int blocks = (M + MR - 1) / MR;
  const double flops = 2.0 * M * N * K;
  for (int k0 = 0; k0 < K; k0 += kKC) {
    const int kc = std::min(kKC, K - k0);
    const bool load = accumulate || k0 > 0;
    auto run = [&](int64_t b0, int64_t b1) {
      thread_local std::vector<float> padA;
      for (int64_t b = b0; b < b1; ++b) {
        const int i0 = int(b) * MR, rows = std::min(MR, M - i0);
        ABlock a = transA ? ABlock{A + int64_t(k0) * lda + i0, 1, lda} : ABlock{A + int64_t(i0) * lda + k0, lda, 1};
        if (rows < MR) {  // last block: its rows copied in A's own layout, zero rows below
          padA.assign(size_t(MR) * kc, 0.f);
          for (int r = 0; r < rows; ++r)
            for (int k = 0; k < kc; ++k) padA[transA ? size_t(k) * MR + r : size_t(r) * kc + k] = a.a[r * a.rs + k * a.ks];
          a = transA ? ABlock{padA.data(), 1, MR} : ABlock{padA.data(), kc, 1};
        }
        for (int s = 0; s < strips; ++s)
          tile(g, kc, a, rows, bp.data() + size_t(s) * NR * K + size_t(k0) * NR, C + int64_t(i0) * ldc + s * NR, ldc,
               std::min(NR, N - s * NR), load);
      }
    };
    parallel_for(blocks, flops >= kParallelFlops ? 1 : blocks, run);
  }
}

}  // namespace vg
