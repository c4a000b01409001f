/* gst-cascade: CPU-shaped GEMM, C = alpha * A * B + beta * C, row-major, no
 * transposes.  Each work-item owns a TM x TN block of C held in vector
 * registers; no local memory, no barriers (what CPU OpenCL devices such as
 * PoCL compile well).  Fused epilogue: + bias[row], + residual (same
 * layout as C), ReLU.
 *
 * The register tile is TM rows of NV segments of VW floats (TN = NV * VW
 * columns), c<row><segment>, chosen by blas/gemm.c:
 *   8 x 32 (the default): sixteen float16 accumulators, 16 of AVX-512's 32
 *     zmm registers, + 2 for a row of B + 1 broadcast;
 *   6 x 16 (TILE_6X16): six float16 accumulators, which on AVX2 are 12 of
 *     its 16 ymm registers, + 2 for B + 1 broadcast, as the 6x16 tile of
 *     the BLIS and OpenBLAS Haswell kernels; 8 x 32 would need 32 and
 *     spill;
 *   4 x 24 (TILE_4X24): four rows of three float8, the other 12-register
 *     AVX2 shape (+ 3 for B + 1 broadcast): fewer broadcasts per FMA;
 *   12 x 32 (TILE_12X32): 24 float16 accumulators, 24 of AVX-512's 32
 *     (+ 2 + 1), as the BLIS Skylake-X kernel: a row of B serves 12 rows.
 * Every element of C is the same chain of fma over k in any tile, so all
 * give the same bits. */

#if defined(TILE_6X16)
#define TM 6
#define VW 16
#define NV 1
#define ROWS(X) X (0) X (1) X (2) X (3) X (4) X (5)
#elif defined(TILE_4X24)
#define TM 4
#define VW 8
#define NV 3
#define ROWS(X) X (0) X (1) X (2) X (3)
#elif defined(TILE_12X32)
#define TM 12
#define VW 16
#define NV 2
#define ROWS(X) X (0) X (1) X (2) X (3) X (4) X (5) X (6) X (7) X (8) X (9) \
  X (10) X (11)
#else
#define TM 8
#define VW 16
#define NV 2
#define ROWS(X) X (0) X (1) X (2) X (3) X (4) X (5) X (6) X (7)
#endif
#define TN (NV * VW)
#if NV == 1
#define SEGS(X, r) X (r, 0)
#elif NV == 2
#define SEGS(X, r) X (r, 0) X (r, 1)
#else
#define SEGS(X, r) X (r, 0) X (r, 1) X (r, 2)
#endif
/* the segment's vector type and its loads and stores */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_ (a, b)
#define VT CAT (float, VW)
#define VLOAD CAT (vload, VW)
#define VSTORE CAT (vstore, VW)

/* one VW-column segment of a row of C = epilogue (alpha * acc); b is the
 * segment's bias */
static inline void
store_seg (__global float *cp, __global const float *rp, VT acc,
    float alpha, float beta, VT b, int use_res, int relu)
{
  VT v = alpha * acc;
  if (beta != 0.0f)
    v += beta * VLOAD (0, cp);
  v += b;
  if (use_res)
    v += VLOAD (0, rp);
  if (relu)                     /* NaN passes through, as torch.relu */
    v = select (v, (VT) 0.0f, v < (VT) 0.0f);
  VSTORE (v, 0, cp);
}

/* The register tile shared by cascade_gemm_nn and cascade_conv_shift:
 * TILE_DECLARE declares the accumulators; B_LOADS loads b0 (b1) from the
 * row of B at b; TILE_FMA is one step of the product, c<r><h> += AV (r) *
 * b<h>, where the caller defines AV (r), row r's element of A. */
#define ACC_DECL(r, h) VT c##r##h = 0;
#define ROW_DECL(r) SEGS (ACC_DECL, r)
#define TILE_DECLARE ROWS (ROW_DECL)
#define B_LOAD(r, h) const VT b##h = VLOAD (h, b);
#define B_LOADS SEGS (B_LOAD, 0)
#define ACC_FMA(r, h) c##r##h = fma (s_, b##h, c##r##h);
#define ROW_FMA(r) { const float s_ = AV (r); SEGS (ACC_FMA, r) }
#define TILE_FMA ROWS (ROW_FMA)

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
    TILE_DECLARE
    __global const float *a = A + m0 * lda;
    __global const float *b = B + n0;
    for (int k = 0; k < K; k++) {
      B_LOADS
      b += ldb;
#define AV(r) a[(r) * lda + k]
      TILE_FMA
#undef AV
    }
#define ROW(r) (m0 + r) * ldc + n0
/* bias of element (row r, column j): per row, or per column */
#define BIAS(r, j) (!use_bias ? 0.0f : bias_per_col ? bias[n0 + (j)] :      \
      bias[m0 + (r)])
/* segment h of row r of C from accumulator v */
#define STORE(r, h, v)                                                  \
    store_seg (C + ROW (r) + VW * (h), res + ROW (r) + VW * (h), v,     \
        alpha, beta, !use_bias ? (VT) 0.0f : bias_per_col ?        \
        VLOAD (h, bias + n0) : (VT) bias[m0 + (r)], use_res, relu);
#define ACC_STORE(r, h) STORE (r, h, c##r##h)
#define ROW_STORE(r) SEGS (ACC_STORE, r)
    ROWS (ROW_STORE)
  } else if (n0 + TN <= N) {
    /* fewer than TM rows left: one row at a time, still vectorised */
    for (int r = 0; r < M - m0; r++) {
      __global const float *a = A + (m0 + r) * lda;
      __global const float *b = B + n0;
#define EDGE_DECL(r_, h) VT e##h = 0;
#define EDGE_FMA(r_, h) e##h = fma (a[k], VLOAD (h, b), e##h);
#define EDGE_STORE(r_, h) STORE (r, h, e##h)
      SEGS (EDGE_DECL, 0)
      for (int k = 0; k < K; k++) {
        SEGS (EDGE_FMA, 0)
        b += ldb;
      }
      SEGS (EDGE_STORE, 0)
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
#undef ACC_STORE
#undef ROW_STORE
#undef EDGE_DECL
#undef EDGE_FMA
#undef EDGE_STORE
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
 * Each work-item owns a TM x TN block of the output, as cascade_gemm_nn;
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
  VT acc[NV * TM];

  if (m0 >= M || n0 >= ncols)
    return;
  for (int t = 0; t < kk; t++) {
    const int ky = t / kw, kx = t % kw;
    taps[t] = ((ky % s) * sx + kx % s) * phase + (ky / s) * P + kx / s;
  }
  {
    /* rows past M repeat row M - 1 */
#define AROW(r)                                                         \
    __global const float *a##r = A + a_off + min (m0 + (r), M - 1) * lda;
    ROWS (AROW)
#undef AROW
    __global const float *xc = X + x_off + n0;
    int k = 0;
    TILE_DECLARE
    for (int c = 0; c < cin; c++, xc += plane) {
      for (int t = 0; t < kk; t++, k++) {
        __global const float *b = xc + taps[t];
        B_LOADS
#define AV(r) a##r[k]
        TILE_FMA
#undef AV
      }
    }
#define ACC_SAVE(r, h) acc[NV * (r) + (h)] = c##r##h;
#define ROW_SAVE(r) SEGS (ACC_SAVE, r)
    ROWS (ROW_SAVE)
#undef ACC_SAVE
#undef ROW_SAVE
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
        for (int h = 0; h < NV; h++)
          store_seg (C + c_off + o + VW * h, res + res_off + o + VW * h,
              acc[NV * r + h], 1.0f, 0.0f, (VT) bv, use_res, relu);
      } else {
        float vals[TN];
        int x = x0, y = y0, b = b0;
        for (int h = 0; h < NV; h++)
          VSTORE (acc[NV * r + h], h, vals);
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
