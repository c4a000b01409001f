/* gst-cascade: convolution helpers: im2col, a batched GEMM's output back
 * to NCHW, the 2x2 stride-2 deconvolution scatter and the input layout of
 * the shifted conv (the GEMMs and their bias + residual + ReLU epilogue:
 * blas/gemm.cl).  Every kernel runs one work-item per output element with
 * x (dimension 0) walking contiguous memory, and bounds-checks because
 * global sizes are rounded up.  No
 * arithmetic here may be contracted or reassociated: we match PyTorch to
 * ~1e-5. */
#pragma OPENCL FP_CONTRACT OFF

/* col[b * sb + r * sr + x] for the `nb` images starting at in_off (image
 * stride c*h*w), r = (c * k + ky) * k + kx, x = oy * ow + ox:
 *   in[b, c, oy * stride - pad + ky, ox * stride - pad + kx], 0 outside.
 * (sb, sr) = (rows * ohw, ohw): one [rows, ohw] matrix per image;
 * (ohw, nb * ohw): one [rows, nb * ohw] matrix for the batch.
 * With sr > ohw (one matrix [rows, sr] per image), the pad_cols = sr - ohw
 * columns after each row's ohw are zeroed.
 * One work-item per output row (b, r, oy): its ow columns, the zeros of
 * the padding without a test per element.  (One work-item per element
 * made a work-group per 64 of them, whose launch cost on CPU devices was
 * several times the copy.)  Global size nb * rows * oh, 1-D. */
__kernel void
cascade_im2col (__global const float *in, int in_off, __global float *col,
    int col_off, int h, int w, int k, int stride, int pad, int ow, int ohw,
    int rows, int nb, int sb, int sr, int pad_cols)
{
  const int oh = ohw / ow, i = get_global_id (0);
  int oy, r, b, t, kx, ky, c, iy, x0, x1, last, ox;
  __global float *dst;
  if (i >= nb * rows * oh)
    return;
  oy = i % oh;
  t = i / oh;
  r = t % rows;
  b = t / rows;
  kx = r % k;
  t = r / k;
  ky = t % k;
  c = t / k;
  iy = oy * stride - pad + ky;
  dst = col + col_off + b * sb + r * sr + oy * ow;
  /* ix = ox * stride - pad + kx lies in [0, w) for ox in [x0, x1) */
  last = w - 1 + pad - kx;
  x1 = last < 0 || iy < 0 || iy >= h ? 0 : min (ow, last / stride + 1);
  x0 = min (x1, pad > kx ? (pad - kx + stride - 1) / stride : 0);
  /* in[src + ox * stride] for ox in [x0, x1) (never read outside) */
  t = in_off + ((b * (rows / (k * k)) + c) * h + iy) * w - pad + kx;
  for (ox = 0; ox < x0; ox++)
    dst[ox] = 0.0f;
  for (; ox < x1; ox++)
    dst[ox] = in[t + ox * stride];
  /* the last row also zeroes the pad_cols columns after the image's */
  for (; ox < (oy == oh - 1 ? ow + pad_cols : ow); ox++)
    dst[ox] = 0.0f;
}

/* out[c, b * hw + j] = in[b, c, j]: NCHW to the [C, nb * hw] matrix of
 * a batched GEMM (the inverse of cascade_cnhw_to_nchw), one work-item per
 * (b, c) row.  Global size nb * channels, 1-D. */
__kernel void
cascade_nchw_to_cnhw (__global const float *in, int in_off,
    __global float *out, int out_off, int channels, int hw, int nb)
{
  const int i = get_global_id (0);
  __global const float *src = in + in_off + i * hw;
  __global float *dst;
  if (i >= nb * channels)
    return;
  dst = out + out_off + ((i % channels) * nb + i / channels) * hw;
  for (int j = 0; j < hw; j++)
    dst[j] = src[j];
}

/* out[b, c, x] = src[c, b * ohw + x]: a batched GEMM's [C, nb * ohw] output
 * back to NCHW.  Global size (ohw, channels, nb). */
__kernel void
cascade_cnhw_to_nchw (__global const float *src, int src_off,
    __global float *out, int out_off, int channels, int ohw, int nb)
{
  int x = get_global_id (0), c = get_global_id (1), b = get_global_id (2);
  if (x >= ohw || c >= channels || b >= nb)
    return;
  out[out_off + (b * channels + c) * ohw + x] =
      src[src_off + c * (nb * ohw) + b * ohw + x];
}

/* 2x2 stride-2 transposed convolution, after the batch's GEMM
 * cols[co * 4 + dy * 2 + dx, (n * h + y) * w + x] = sum_ci W[ci, co, dy,
 * dx] * in[n, ci, y, x]:
 *   out[n, co, 2y + dy, 2x + dx] = act (cols[...] + bias[co]).
 * One work-item per output row (n, co, 2y + dy): 2w outputs from the dx =
 * 0 and dx = 1 rows of cols.  Global size nb * cout * 2h, 1-D. */
__kernel void
cascade_deconv_scatter (__global const float *cols, int cols_off,
    __global const float *bias, int bias_off, __global float *out,
    int out_off, int cout, int h, int w, int nb, int relu)
{
  const int i = get_global_id (0), oh = 2 * h, plane = nb * h * w;
  int oy, co, n, t;
  __global const float *c0, *c1;
  __global float *dst;
  float b;
  if (i >= nb * cout * oh)
    return;
  oy = i % oh;
  t = i / oh;
  co = t % cout;
  n = t / cout;
  c0 = cols + cols_off + (co * 4 + (oy & 1) * 2) * plane + (n * h + (oy >> 1))
      * w;
  c1 = c0 + plane;
  dst = out + out_off + i * 2 * w;
  b = bias[bias_off + co];
  for (int x = 0; x < w; x++) {
    float v0 = c0[x] + b, v1 = c1[x] + b;
    if (relu && v0 < 0.0f)
      v0 = 0.0f;
    if (relu && v1 < 0.0f)
      v1 = 0.0f;
    dst[2 * x] = v0;
    dst[2 * x + 1] = v1;
  }
}

/* The input layout of cascade_conv_shift (blas/gemm.cl), one plane of
 * `plane` floats per channel, written in full (zeros where nothing lands).
 *  - stride 1: the nb images stacked in rows of pitch P = w + pad, each row
 *    starting with `pad` zeros, each image preceded by `pad` zero rows;
 *    image b, row iy, column ix is at (pad + b * (h + pad) + iy) * P +
 *    pad + ix.  Neighbouring images and rows share their zero padding, so
 *    the padded width and height cost `pad` instead of 2 * pad; a tap
 *    running past the end of a row reads the next row's leading zeros
 *    (the plane ends with one more zero row for the last one).
 *  - stride s > 1 (one image, nb = 1): sy x sx phases of hh x P, phase
 *    (py, px) holding in[c, s * Y + py - pad, s * X + px - pad].
 * in_cstride / in_bstride: the input's channel and image strides.
 * Global size (plane / P, cin): a work-item writes one row of P floats,
 * its source row worked out once (integer division per element cost a
 * quarter of a 64-channel 3x3 convolution's time). */
__kernel void
cascade_conv_shift_layout (__global const float *in, int in_off,
    int in_cstride, int in_bstride, __global float *X, int x_off, int plane,
    int cin, int h, int w, int pad, int s, int sx, int hh, int P, int nb)
{
  const int row = get_global_id (0), c = get_global_id (1);
  __global float *xo = X + x_off + c * plane + row * P;
  __global const float *src;
  int iy, px = 0, b = 0, x;
  if (row * P >= plane || c >= cin)
    return;
  if (s == 1) {
    const int r = row - pad;
    b = r / (h + pad);
    iy = r - b * (h + pad);
    if (r < 0 || b >= nb || iy >= h)
      iy = -1;
  } else {
    const int ph = row / hh;
    iy = s * (row % hh) + ph / sx - pad;
    px = ph % sx;
  }
  if (iy < 0 || iy >= h) {
    for (x = 0; x < P; x++)
      xo[x] = 0.0f;
    return;
  }
  src = in + in_off + b * in_bstride + c * in_cstride + iy * w;
  /* column x reads input column s * x + px - pad */
  for (x = 0; x < P; x++) {
    const int ix = s * x + px - pad;
    xo[x] = ix >= 0 && ix < w ? src[ix] : 0.0f;
  }
}
