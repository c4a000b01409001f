/* gst-cascade: Winograd F(2x2, 3x3) convolution's input and output
 * transforms (ops/winograd.c).  Tile p = (b, ty, tx) covers output rows
 * 2ty, 2ty + 1 and columns 2tx, 2tx + 1; its 4x4 input patch starts at
 * row 2ty - pad, column 2tx - pad (zeros outside the image).  V and M are
 * 16 matrices, element e = 4i + j of the transformed tile: V[e][c][p],
 * M[e][o][p]. */

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
