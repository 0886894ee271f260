// Kernel entry points shared by addon.cc (N-API glue) and the compute files.
// All tensors are dense, row-major float32 (NHWC for images).
#pragma once
#include <cstdint>

namespace vg {

// Hot loops get an AVX2+FMA clone next to the baseline one; the dynamic loader
// picks the right one (GNU ifunc), so the addon runs on any x86-64.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VG_CLONES __attribute__((target_clones("avx2,fma", "default")))
#else
#define VG_CLONES
#endif

// ---- threading (pool.cc) -------------------------------------------------
void set_threads(int n);  // our pool
int get_threads();
// Runs fn(begin, end) over [0, n) split across the pool; serial when n < grain.
void parallel_for_impl(int64_t n, int64_t grain, void (*call)(void*, int64_t, int64_t), void* ctx);
template <typename F> void parallel_for(int64_t n, int64_t grain, const F& fn) {
  parallel_for_impl(n, grain, [](void* c, int64_t b, int64_t e) { (*static_cast<const F*>(c))(b, e); },
                    const_cast<void*>(static_cast<const void*>(&fn)));
}

// ---- gemm.cc ------------------------------------------------------------
// C[i] = op(A[aIdx[i]]) * op(B[bIdx[i]]) for i < batch; C[i] is M x N.
void batch_matmul(const float* A, const float* B, float* C, int batch, int M, int N, int K,
                  bool transA, bool transB, const int32_t* aIdx, const int32_t* bIdx);
enum Act { ACT_LINEAR = 0, ACT_RELU, ACT_RELU6, ACT_ELU, ACT_PRELU, ACT_LEAKY, ACT_SIGMOID };
// In place on C (rows x cols): C = act(C + bias). bias/prelu have length 1 or a multiple of
// cols dividing rows*cols; they repeat with that period over the flat C.
void bias_act(float* C, int64_t rows, int64_t cols, const float* bias, int64_t biasLen, int act,
              float alpha, const float* prelu, int64_t preluLen);

// ---- sgemm.cc ----------------------------------------------------------------
// C = op(A) * op(B) (+ C when accumulating), C is M x N with row stride ldc; op(A) is M x K. Each
// element is one in-order chain of fused multiply-adds over k, so the bits are the same on
// AVX-512, AVX2 and the scalar fallback, at any thread count. VAE_GAN_GEMM_ISA=avx2|scalar lowers
// the level (tests compare the paths).
void sgemm(bool transA, bool transB, int M, int N, int K, const float* A, int64_t lda, const float* B, int64_t ldb,
           bool accumulate, float* C, int64_t ldc);
const char* sgemm_isa();  // "avx512", "avx2" or "scalar"

// ---- conv.cc (NHWC, dilation 1) -------------------------------------------
struct ConvShape {
  int N, H, W, C;      // input x (or dx)
  int KH, KW, OC;      // filter [KH, KW, C, OC]
  int OH, OW;          // output y (or dy)
  int SH, SW, PT, PL;  // strides, top/left padding
};
// keepCol (may be null) receives the im2col columns of the whole batch when they fit one tile;
// returns whether it did. conv2d_backprop_filter then takes them as keptCol (or null: im2col again).
bool conv2d(const ConvShape& s, const float* x, const float* w, float* y, float* keepCol);
void conv2d_backprop_input(const ConvShape& s, const float* dy, const float* w, float* dx);
void conv2d_backprop_filter(const ConvShape& s, const float* x, const float* dy, float* dw, const float* keptCol);

// ---- elementwise.cc -------------------------------------------------------
enum BinOp { B_ADD = 0, B_SUB, B_MUL, B_DIV, B_MAX, B_MIN, B_SQDIFF, B_PRELU,
             B_GT, B_GE, B_LT, B_LE, B_EQ, B_NE };  // comparisons write uint8
// out[idx] = a[idx . aStr] op b[idx . bStr]; strides are 0 on broadcast axes.
void binary(int op, const float* a, const float* b, void* out, int rank, const int32_t* shape,
            const int32_t* aStr, const int32_t* bStr);
enum UnOp { U_RELU = 0, U_RELU6, U_STEP, U_SIGMOID, U_TANH, U_NEG, U_EXP, U_LOG, U_ABS, U_SQRT,
            U_RSQRT, U_SQUARE, U_LEAKY, U_ELU, U_RECIP, U_LOG1P, U_SOFTPLUS, U_SIGN, U_EXPM1 };
void unary(int op, const float* x, float* out, int64_t n, float alpha);
// tanh with the bits of glibc 2.36's tanhf, eight lanes at a time, serial (tanh.cc); unary(U_TANH) runs it.
void tanh_exact(const float* x, float* out, int64_t n);
// dy-weighted derivatives that tfjs computes with 2-4 kernels.
void elu_grad(const float* dy, const float* y, float* out, int64_t n);
enum RedOp { R_SUM = 0, R_MEAN, R_MAX, R_MIN };
// out[a, b] = reduce_r x[a, r, b]
void reduce(int op, const float* x, float* out, int64_t A, int64_t R, int64_t B);
void add_n(const float* const* xs, int count, float* out, int64_t n);
// Select(cond, a, b) with same shapes; cond is uint8.
void select(const uint8_t* cond, const float* a, const float* b, float* out, int64_t n);
// Tile with per-axis repetitions (rank <= 8).
void tile(const float* x, float* out, int rank, const int32_t* shape, const int32_t* reps);
// FusedBatchNorm inference formula; each parameter has length L (or 1), n is a multiple of L.
// scale/offset may be null.
void batchnorm(const float* x, float* out, int64_t n, const float* mean, int64_t mLen, const float* var, int64_t vLen,
               const float* scale, int64_t sLen, const float* offset, int64_t oLen, float eps);
// Fused Adam (tfjs AdamOptimizer math, float32): new p, m, v into po, mo, vo (may alias).
// b1c = 1 - beta1 and b2c = 1 - beta2 are rounded from float64 by the caller, as tfjs does.
void adam(const float* p, const float* m, const float* v, const float* g, float* po, float* mo, float* vo, int64_t n,
          float lr, float b1, float b1c, float b2, float b2c, float eps, float oneMinusAccB1, float oneMinusAccB2);


// ---- gradients.cc: tfjs's composed gradients in one pass, same float32 roundings ----------
void leaky_relu_grad(const float* dy, const float* x, float* out, int64_t n, float alpha);
void tanh_grad(const float* dy, const float* y, float* out, int64_t n);
// Training batch norm over x [rows, C] with per-channel mean, scale (never null), r = rsqrt(var + eps)
// and mhrc = r^3 * -0.5: dx and the four per-channel sums tfjs's FusedBatchNorm gradient forms.
void batchnorm_grad(const float* x, const float* dy, const float* mean, const float* scale, const float* r,
                    const float* mhrc, int64_t rows, int64_t C, float* dx, float* dMean, float* dVar, float* dScale,
                    float* dOffset);

// ---- copy.cc --------------------------------------------------------------
// Copies a block of `shape` (rank <= 8) elements of elemBytes (4: float32/int32, 1: bool):
// dst[dOff + sum_d i_d * dStr[d]] = src[sOff + sum_d i_d * sStr[d]]. Strides are in elements
// and may be negative on the source side (reversed strided slices).
void copy_block(const void* src, void* dst, int elemBytes, int rank, const int32_t* shape, const int32_t* sStr,
                int64_t sOff, const int32_t* dStr, int64_t dOff);

// Concat as rows: output row o is the inputs' rows o (inners[k] elements each) one after another.
void concat_rows(const void* const* srcs, const int64_t* inners, int count, int64_t outer, int elemBytes, void* dst);

// ---- topk.cc --------------------------------------------------------------
// The k (<= n) largest of each of `rows` rows of n, sorted (larger first, ties by lower index).
// Returns false, writing nothing, when x holds a NaN or an infinity.
bool top_k(const float* x, int64_t rows, int64_t n, int64_t k, float* values, int32_t* indices);

}  // namespace vg
