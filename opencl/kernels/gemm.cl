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
    float16 c00 = 0, c01 = 0, c10 = 0, c11 = 0, c20 = 0, c21 = 0, c30 = 0,
        c31 = 0, c40 = 0, c41 = 0, c50 = 0, c51 = 0, c60 = 0, c61 = 0,
        c70 = 0, c71 = 0;
    __global const float *a = A + m0 * lda;
    __global const float *b = B + n0;
    for (int k = 0; k < K; k++) {
      const float16 b0 = vload16 (0, b);
      const float16 b1 = vload16 (1, b);
      float s;
      b += ldb;
      s = a[k];
      c00 = fma (s, b0, c00);
      c01 = fma (s, b1, c01);
      s = a[lda + k];
      c10 = fma (s, b0, c10);
      c11 = fma (s, b1, c11);
      s = a[2 * lda + k];
      c20 = fma (s, b0, c20);
      c21 = fma (s, b1, c21);
      s = a[3 * lda + k];
      c30 = fma (s, b0, c30);
      c31 = fma (s, b1, c31);
      s = a[4 * lda + k];
      c40 = fma (s, b0, c40);
      c41 = fma (s, b1, c41);
      s = a[5 * lda + k];
      c50 = fma (s, b0, c50);
      c51 = fma (s, b1, c51);
      s = a[6 * lda + k];
      c60 = fma (s, b0, c60);
      c61 = fma (s, b1, c61);
      s = a[7 * lda + k];
      c70 = fma (s, b0, c70);
      c71 = fma (s, b1, c71);
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
