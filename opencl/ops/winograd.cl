/* gst-cascade: Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions' input
 * and output transforms (ops/winograd.c).  They read the unpadded input
 * (zeros outside the image) and write the output with its epilogue.
 * F(2x2): tile p = (b, ty, tx) covers output rows 2ty, 2ty + 1 and columns
 * 2tx, 2tx + 1; its 4x4 input patch starts at row 2ty - pad, column
 * 2tx - pad.  V and M are 16 matrices, element e = 4i + j of the
 * transformed tile: V[e][c][p], M[e][o][p]. */

/* V = B^T d B of channel c's patch of tile p; global size (P, cin) */
__kernel void
cascade_wino_input (__global const float *in, int in_off, int cin, int h,
    int w, int pad, int th, int tw, int P, __global float *V, int v_off)
{
  const int p = get_global_id (0), c = get_global_id (1);
  float d[4][4], t[4][4];
  int b, ty, tx, y0, x0;
  if (p >= P || c >= cin)
    return;
  b = p / (th * tw);
  ty = p / tw % th;
  tx = p % tw;
  y0 = 2 * ty - pad;
  x0 = 2 * tx - pad;
  in += in_off + ((size_t) b * cin + c) * h * w;
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 4; j++) {
      const int y = y0 + i, x = x0 + j;
      d[i][j] = y >= 0 && y < h && x >= 0 && x < w ? in[y * w + x] : 0.0f;
    }
  /* B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1] */
  for (int j = 0; j < 4; j++) {
    t[0][j] = d[0][j] - d[2][j];
    t[1][j] = d[1][j] + d[2][j];
    t[2][j] = d[2][j] - d[1][j];
    t[3][j] = d[1][j] - d[3][j];
  }
  V += v_off + (size_t) c * P + p;
  for (int i = 0; i < 4; i++) {
    const size_t e = (size_t) 4 * i * cin * P;
    V[e] = t[i][0] - t[i][2];
    V[e + (size_t) cin * P] = t[i][1] + t[i][2];
    V[e + (size_t) 2 * cin * P] = t[i][2] - t[i][1];
    V[e + (size_t) 3 * cin * P] = t[i][1] - t[i][3];
  }
}

/* out = act (A^T m A + bias [+ residual]) for output channel o of tile p;
 * global size (P, cout) */
__kernel void
cascade_wino_output (__global const float *M, int m_off, int cout, int oh,
    int ow, int th, int tw, int P, __global const float *bias, int bias_off,
    __global float *out, int out_off, __global const float *res, int res_off,
    int use_res, int relu)
{
  const int p = get_global_id (0), o = get_global_id (1);
  float m[4][4], t[2][4];
  int b, ty, tx;
  if (p >= P || o >= cout)
    return;
  b = p / (th * tw);
  ty = p / tw % th;
  tx = p % tw;
  M += m_off + (size_t) o * P + p;
  for (int e = 0; e < 16; e++)
    m[e / 4][e % 4] = M[(size_t) e * cout * P];
  /* A^T = [1 1 1 0; 0 1 -1 -1] */
  for (int j = 0; j < 4; j++) {
    t[0][j] = m[0][j] + m[1][j] + m[2][j];
    t[1][j] = m[1][j] - m[2][j] - m[3][j];
  }
  for (int i = 0; i < 2; i++) {
    const float y2[2] = { t[i][0] + t[i][1] + t[i][2],
      t[i][1] - t[i][2] - t[i][3]
    };
    const int y = 2 * ty + i;
    for (int j = 0; j < 2; j++) {
      const int x = 2 * tx + j;
      const size_t at = (((size_t) b * cout + o) * oh + y) * ow + x;
      float v;
      if (y >= oh || x >= ow)
        continue;
      v = y2[j] + bias[bias_off + o];
      if (use_res)
        v += res[res_off + at];
      out[out_off + at] = relu && v < 0.0f ? 0.0f : v;
    }
  }
}

/* F(4x4, 3x3) on the points 0, 1, -1, 1/2, -2 and infinity (ops/winograd.h
 * says why these): tile p covers output rows 4ty .. 4ty + 3 and columns
 * 4tx .. 4tx + 3; its 6x6 input patch starts at row 4ty - pad, column
 * 4tx - pad.  V and M are 36 matrices, e = 6i + j. */

/* v = B^T d of 6 values */
#define WINO4_BT(d, v, S) \
  do { \
    v[0] = d[0] S - 1.5f * d[1] S - 2.0f * d[2] S + 1.5f * d[3] S + d[4] S; \
    v[1] = -d[1] S + 0.5f * d[2] S + 2.5f * d[3] S + d[4] S; \
    v[2] = d[1] S - 2.5f * d[2] S + 0.5f * d[3] S + d[4] S; \
    v[3] = -2.0f * d[1] S - d[2] S + 2.0f * d[3] S + d[4] S; \
    v[4] = 0.5f * d[1] S - d[2] S - 0.5f * d[3] S + d[4] S; \
    v[5] = d[1] S - 1.5f * d[2] S - 2.0f * d[3] S + 1.5f * d[4] S + d[5] S; \
  } while (0)

/* y = A^T m of 6 values */
#define WINO4_AT(m, y, S) \
  do { \
    y[0] = m[0] S + m[1] S + m[2] S + m[3] S + m[4] S; \
    y[1] = m[1] S - m[2] S + 0.5f * m[3] S - 2.0f * m[4] S; \
    y[2] = m[1] S + m[2] S + 0.25f * m[3] S + 4.0f * m[4] S; \
    y[3] = m[1] S - m[2] S + 0.125f * m[3] S - 8.0f * m[4] S + m[5] S; \
  } while (0)

/* V = B^T d B of channel c's 6x6 patch of tile p; global size (P, cin) */
__kernel void
cascade_wino4_input (__global const float *in, int in_off, int cin, int h,
    int w, int pad, int th, int tw, int P, __global float *V, int v_off)
{
  const int p = get_global_id (0), c = get_global_id (1);
  float d[6][6], t[6][6];
  int b, ty, tx, y0, x0;
  if (p >= P || c >= cin)
    return;
  b = p / (th * tw);
  ty = p / tw % th;
  tx = p % tw;
  y0 = 4 * ty - pad;
  x0 = 4 * tx - pad;
  in += in_off + ((size_t) b * cin + c) * h * w;
  /* inside the image (most tiles): no test per value */
  if (y0 >= 0 && x0 >= 0 && y0 + 6 <= h && x0 + 6 <= w)
    for (int i = 0; i < 6; i++)
      for (int j = 0; j < 6; j++)
        d[i][j] = in[(y0 + i) * w + x0 + j];
  else
    for (int i = 0; i < 6; i++)
      for (int j = 0; j < 6; j++) {
        const int y = y0 + i, x = x0 + j;
        d[i][j] = y >= 0 && y < h && x >= 0 && x < w ? in[y * w + x] : 0.0f;
      }
  /* columns: t[.][j] = B^T d[.][j]; rows: V[i][.] = t[i][.] B */
  for (int j = 0; j < 6; j++) {
    float v[6];
    WINO4_BT (d, v, [j]);
    for (int i = 0; i < 6; i++)
      t[i][j] = v[i];
  }
  V += v_off + (size_t) c * P + p;
  for (int i = 0; i < 6; i++) {
    float v[6];
    WINO4_BT (t[i], v, );
    for (int j = 0; j < 6; j++)
      V[(size_t) (6 * i + j) * cin * P] = v[j];
  }
}

/* out = act (A^T m A + bias [+ residual]) for output channel o of tile p;
 * global size (P, cout) */
__kernel void
cascade_wino4_output (__global const float *M, int m_off, int cout, int oh,
    int ow, int th, int tw, int P, __global const float *bias, int bias_off,
    __global float *out, int out_off, __global const float *res, int res_off,
    int use_res, int relu)
{
  const int p = get_global_id (0), o = get_global_id (1);
  float m[6][6], t[4][6];
  int b, ty, tx;
  float bo;
  if (p >= P || o >= cout)
    return;
  b = p / (th * tw);
  ty = p / tw % th;
  tx = p % tw;
  bo = bias[bias_off + o];
  M += m_off + (size_t) o * P + p;
  for (int e = 0; e < 36; e++)
    m[e / 6][e % 6] = M[(size_t) e * cout * P];
  for (int j = 0; j < 6; j++) {
    float y[4];
    WINO4_AT (m, y, [j]);
    for (int i = 0; i < 4; i++)
      t[i][j] = y[i];
  }
  /* rows and columns of this tile inside the output */
  const int ni = min (4, oh - 4 * ty), nj = min (4, ow - 4 * tx);
  const size_t at0 = (((size_t) b * cout + o) * oh + 4 * ty) * ow + 4 * tx;
  for (int i = 0; i < 4; i++) {
    float y[4];
    WINO4_AT (t[i], y, );
    for (int j = 0; j < 4; j++) {
      const size_t at = at0 + (size_t) i * ow + j;
      float v = y[j] + bo;
      if (i >= ni || j >= nj)
        continue;
      if (use_res)
        v += res[res_off + at];
      out[out_off + at] = relu && v < 0.0f ? 0.0f : v;
    }
  }
}
