/* gst-cascade: CPU-shaped GEMM, C = alpha * A * B + beta * C, row-major, no
 * transposes.  Each work-item owns an 8 x 32 block of C held in sixteen
 * float16 registers; no local memory, no barriers (what CPU OpenCL devices
 * such as PoCL compile well).  Fused epilogue: + bias[row], + residual
 * (same layout as C), ReLU. */

#define TM 8
#define TN 32

/* C row segment of 32 = epilogue (alpha * (lo, hi)); the bias of the
 * segment is (b0, b1) */
static inline void
store_row (__global float *cp, __global const float *rp, float16 lo,
    float16 hi, float alpha, float beta, float16 b0, float16 b1, int use_res,
    int relu)
{
  float16 v0 = alpha * lo, v1 = alpha * hi;
  if (beta != 0.0f) {
    v0 += beta * vload16 (0, cp);
    v1 += beta * vload16 (1, cp);
  }
  v0 += b0;
  v1 += b1;
  if (use_res) {
    v0 += vload16 (0, rp);
    v1 += vload16 (1, rp);
  }
  if (relu) {                   /* NaN passes through, as torch.relu */
    v0 = select (v0, (float16) 0.0f, v0 < (float16) 0.0f);
    v1 = select (v1, (float16) 0.0f, v1 < (float16) 0.0f);
  }
  vstore16 (v0, 0, cp);
  vstore16 (v1, 1, cp);
}

/* The 8 x 32 register tile shared by cascade_gemm_nn and
 * cascade_conv_shift: sixteen float16 accumulators c<row><half>, and one
 * step of the product, c<r>0 += s<r> * b0, c<r>1 += s<r> * b1 */
#define TILE_DECLARE                                                    \
    float16 c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0,       \
        c30 = 0, c31 = 0, c40 = 0, c41 = 0, c50 = 0, c51 = 0, c60 = 0,  \
        c61 = 0, c70 = 0, c71 = 0
#define TILE_FMA(s0, s1, s2, s3, s4, s5, s6, s7, b0, b1)                \
    do {                                                                \
      float s_;                                                         \
      s_ = (s0);                                                        \
      c00 = fma (s_, b0, c00);                                          \
      c01 = fma (s_, b1, c01);                                          \
      s_ = (s1);                                                        \
      c10 = fma (s_, b0, c10);                                          \
      c11 = fma (s_, b1, c11);                                          \
      s_ = (s2);                                                        \
      c20 = fma (s_, b0, c20);                                          \
      c21 = fma (s_, b1, c21);                                          \
      s_ = (s3);                                                        \
      c30 = fma (s_, b0, c30);                                          \
      c31 = fma (s_, b1, c31);                                          \
      s_ = (s4);                                                        \
      c40 = fma (s_, b0, c40);                                          \
      c41 = fma (s_, b1, c41);                                          \
      s_ = (s5);                                                        \
      c50 = fma (s_, b0, c50);                                          \
      c51 = fma (s_, b1, c51);                                          \
      s_ = (s6);                                                        \
      c60 = fma (s_, b0, c60);                                          \
      c61 = fma (s_, b1, c61);                                          \
      s_ = (s7);                                                        \
      c70 = fma (s_, b0, c70);                                          \
      c71 = fma (s_, b1, c71);                                          \
    } while (0)

__kernel void
cascade_gemm_nn (int M, int N, int K, float alpha,
    __global const float *A, int a_off, int lda,
    __global const float *B, int b_off, int ldb, float beta,
    __global float *C, int c_off, int ldc,
    __global const float *bias, int bias_off, int use_bias, int bias_per_col,
    __global const float *res, int res_off, int use_res, int relu)
{
  const int n0 = get_global_id (1) * TN;
  const int m0 = get_global_id (0) * TM;
  if (m0 >= M || n0 >= N)
    return;
  A += a_off;
  B += b_off;
  C += c_off;
  res += res_off;
  bias += bias_off;

  if (m0 + TM <= M && n0 + TN <= N) {
    TILE_DECLARE;
    __global const float *a = A + m0 * lda;
    __global const float *b = B + n0;
    for (int k = 0; k < K; k++) {
      const float16 b0 = vload16 (0, b);
      const float16 b1 = vload16 (1, b);
      b += ldb;
      TILE_FMA (a[k], a[lda + k], a[2 * lda + k], a[3 * lda + k],
          a[4 * lda + k], a[5 * lda + k], a[6 * lda + k], a[7 * lda + k],
          b0, b1);
    }
#define ROW(r) (m0 + r) * ldc + n0
/* bias of element (row r, column j): per row, or per column */
#define BIAS(r, j) (!use_bias ? 0.0f : bias_per_col ? bias[n0 + (j)] :      \
      bias[m0 + (r)])
#define STORE(r, lo, hi)                                                \
    store_row (C + ROW (r), res + ROW (r), lo, hi, alpha, beta,         \
        !use_bias ? (float16) 0.0f : bias_per_col ?                     \
        vload16 (0, bias + n0) : (float16) bias[m0 + (r)],              \
        !use_bias ? (float16) 0.0f : bias_per_col ?                     \
        vload16 (1, bias + n0) : (float16) bias[m0 + (r)], use_res, relu)
    STORE (0, c00, c01);
    STORE (1, c10, c11);
    STORE (2, c20, c21);
    STORE (3, c30, c31);
    STORE (4, c40, c41);
    STORE (5, c50, c51);
    STORE (6, c60, c61);
    STORE (7, c70, c71);
  } else if (n0 + TN <= N) {
    /* fewer than TM rows left: one row at a time, still vectorised */
    for (int r = 0; r < M - m0; r++) {
      __global const float *a = A + (m0 + r) * lda;
      __global const float *b = B + n0;
      float16 lo = 0, hi = 0;
      for (int k = 0; k < K; k++) {
        lo = fma (a[k], vload16 (0, b), lo);
        hi = fma (a[k], vload16 (1, b), hi);
        b += ldb;
      }
      STORE (r, lo, hi);
    }
  } else {
    /* right edge: one element at a time */
    for (int r = 0; r < min (TM, M - m0); r++) {
      __global const float *a = A + (m0 + r) * lda;
      for (int j = 0; j < N - n0; j++) {
        __global const float *b = B + n0 + j;
        __global float *cp = C + ROW (r) + j;
        float acc = 0.0f, v;
        for (int k = 0; k < K; k++)
          acc = fma (a[k], b[k * ldb], acc);
        v = alpha * acc + BIAS (r, j);
        if (beta != 0.0f)
          v = alpha * acc + beta * *cp + BIAS (r, j);
        if (use_res)
          v += res[ROW (r) + j];
        *cp = relu && v < 0.0f ? 0.0f : v;
      }
    }
  }
#undef ROW
#undef BIAS
#undef STORE
}

/* the epilogue alone, after a library GEMM: C = C + bias[row] + residual,
 * then ReLU; global size (n, m) */
__kernel void
cascade_gemm_epilogue (int M, int N, __global float *C, int c_off, int ldc,
    __global const float *bias, int bias_off, int use_bias, int bias_per_col,
    __global const float *res, int res_off, int use_res, int relu)
{
  const int j = get_global_id (0), i = get_global_id (1);
  float v;
  if (i >= M || j >= N)
    return;
  v = C[c_off + i * ldc + j];
  if (use_bias)
    v += bias[bias_off + (bias_per_col ? j : i)];
  if (use_res)
    v += res[res_off + i * ldc + j];
  C[c_off + i * ldc + j] = relu && v < 0.0f ? 0.0f : v;
}

/* Convolution as an implicit GEMM over a "shifted" input: no im2col.
 *
 * X is the input re-laid out by cascade_conv_shift_layout (ops/conv.cl)
 * so that, for every tap t = (ky, kx) of the kernel, the B operand row
 * (c, ky, kx) of the im2col matrix is a contiguous run of X starting at
 *   c * plane + taps[t]:   B[(c, t), n] = X[c * plane + taps[t] + n].
 * Output column n is (row, xo) = (n / P, n % P) and row is (b, yo) =
 * (row / rb, row % rb); columns with xo >= ow, yo >= oh or b >= nb are
 * padding: computed, never stored.  taps[t] = phase (ky % s, kx % s) *
 * phase + (ky / s) * P + kx / s, where the layout splits a strided input
 * into s x s phases (sx phases across) so that every tap is a unit-stride
 * run.
 *
 * Each work-item owns an 8 x 32 block of the output, as cascade_gemm_nn;
 * the sums run over k = (c, ky, kx) in the im2col order, so the result is
 * bit-identical to im2col + cascade_gemm_nn.  Rows past M repeat row M-1
 * (computed, not stored).  Epilogue: + bias[row] [+ residual], ReLU. */
#define MAX_TAPS 49

static inline void
conv_store (__global float *out, __global const float *res, int use_res,
    int relu, float bias, float v)
{
  v += bias;
  if (use_res)
    v += *res;
  *out = relu && v < 0.0f ? 0.0f : v;
}

__kernel void
cascade_conv_shift (int M, int cin, int kk, int kw, int s, int sx,
    int phase, int P, int rb, int oh, int ow, int nb, int ncols,
    __global const float *A, int a_off,
    __global const float *X, int x_off, int plane,
    __global float *C, int c_off,
    __global const float *bias, int bias_off,
    __global const float *res, int res_off, int use_res, int relu)
{
  const int m0 = get_global_id (0) * TM;
  const int n0 = get_global_id (1) * TN;
  const int lda = cin * kk;
  int taps[MAX_TAPS];
  float16 acc[2 * TM];

  if (m0 >= M || n0 >= ncols)
    return;
  for (int t = 0; t < kk; t++) {
    const int ky = t / kw, kx = t % kw;
    taps[t] = ((ky % s) * sx + kx % s) * phase + (ky / s) * P + kx / s;
  }
  {
    /* rows past M repeat row M - 1 */
#define AROW(r) (A + a_off + min (m0 + (r), M - 1) * lda)
    __global const float *a0 = AROW (0), *a1 = AROW (1), *a2 = AROW (2),
        *a3 = AROW (3), *a4 = AROW (4), *a5 = AROW (5), *a6 = AROW (6),
        *a7 = AROW (7);
#undef AROW
    __global const float *xc = X + x_off + n0;
    int k = 0;
    TILE_DECLARE;
    for (int c = 0; c < cin; c++, xc += plane) {
      for (int t = 0; t < kk; t++, k++) {
        __global const float *b = xc + taps[t];
        const float16 b0 = vload16 (0, b);
        const float16 b1 = vload16 (1, b);
        TILE_FMA (a0[k], a1[k], a2[k], a3[k], a4[k], a5[k], a6[k], a7[k],
            b0, b1);
      }
    }
    acc[0] = c00; acc[1] = c01; acc[2] = c10; acc[3] = c11;
    acc[4] = c20; acc[5] = c21; acc[6] = c30; acc[7] = c31;
    acc[8] = c40; acc[9] = c41; acc[10] = c50; acc[11] = c51;
    acc[12] = c60; acc[13] = c61; acc[14] = c70; acc[15] = c71;
  }

  {
    /* where column n0 lands in the output */
    const int row0 = n0 / P, x0 = n0 % P;
    const int b0 = row0 / rb, y0 = row0 % rb;
    const int ohw = oh * ow;
    const int whole = x0 + TN <= ow && y0 < oh && b0 < nb;
    for (int r = 0; r < TM && m0 + r < M; r++) {
      const float bv = bias[bias_off + m0 + r];
      if (whole) {
        const int o = (b0 * M + m0 + r) * ohw + y0 * ow + x0;
        store_row (C + c_off + o, res + res_off + o, acc[2 * r],
            acc[2 * r + 1], 1.0f, 0.0f, (float16) bv, (float16) bv, use_res,
            relu);
      } else {
        float vals[TN];
        int x = x0, y = y0, b = b0;
        vstore16 (acc[2 * r], 0, vals);
        vstore16 (acc[2 * r + 1], 1, vals);
        for (int j = 0; j < TN && b < nb; j++) {
          if (x < ow && y < oh) {
            const int o = (b * M + m0 + r) * ohw + y * ow + x;
            conv_store (C + c_off + o, res + res_off + o, use_res, relu, bv,
                vals[j]);
          }
          if (++x == P) {
            x = 0;
            if (++y == rb) {
              y = 0;
              b++;
            }
          }
        }
      }
    }
  }
}
