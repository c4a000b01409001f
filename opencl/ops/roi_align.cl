/* gst-cascade: multi-level RoIAlign (mmcv roi_align forward, aligned=True,
 * sampling_ratio=0, average pooling) with mmdetection's level mapping.
 *
 * The float operations follow mmcv's CPU kernel (roi_align.cpp) one by one,
 * in the same order, so that results agree to the last bits on devices with
 * IEEE division; contraction into fma is off for that reason. */

#pragma OPENCL FP_CONTRACT OFF

/* ceil (a / b) of the exact quotient for a >= 0, b > 0 (small integers
 * b), which equals ceilf of the correctly rounded quotient that mmcv takes:
 * the device's division may be off by a few ulps, fma is exact enough to
 * decide the sign of a - k * b. */
static int
roi_ceil_div (float a, float b)
{
  float q = a / b;
  int k;
  if (!(q < 2147483520.0f))
    return q > 0.0f ? 2147483647 : 0;
  k = (int) ceil (q);
  while (k > 0 && fma (-(float) (k - 1), b, a) <= 0.0f)
    k--;
  while (fma (-(float) k, b, a) > 0.0f)
    k++;
  return k;
}

/* channels per work item: the sample positions and weights, computed once,
 * serve that many channel planes */
#define ROI_CPB 32

/* One work item per roi r < n, group of ROI_CPB channels and output cell
 * (ph, pw) of out [n, C, out_size, out_size].  rois: n x 4 (x1, y1, x2,
 * y2) at roi_off.  A roi's level is the number of thresholds t1..t3 that
 * (x2 - x1) * (y2 - y1) reaches (the host derives them from mmdetection's
 * floor (log2 (sqrt (area) / finest_scale + 1e-6)); unused levels get
 * +inf).  Level l reads f<l> (C x h<l> x w<l> at off<l>) with spatial scale
 * s<l>.  Each channel's sum runs over the samples in mmcv's order. */
__kernel void
cascade_roi_align (__global const float *rois, int roi_off, int n,
    __global float *out, int out_off, int C, int out_size,
    float t1, float t2, float t3,
    __global const float *f0, int off0, int h0, int w0, float s0,
    __global const float *f1, int off1, int h1, int w1, float s1,
    __global const float *f2, int off2, int h2, int w2, float s2,
    __global const float *f3, int off3, int h3, int w3, float s3)
{
  int gid = get_global_id (0);
  int ss = out_size * out_size;
  int groups = (C + ROI_CPB - 1) / ROI_CPB;
  int r, g, c0, kn, k, ph, pw, rem, height, width, grid_h, grid_w, iy, ix;
  __global const float *rp;
  __global const float *in;
  __global float *op;
  float x1, y1, x2, y2, area, scale, start_w, start_h, roi_w, roi_h;
  float bin_w, bin_h, count;
  float acc[ROI_CPB];
  size_t plane;

  if (gid >= n * groups * ss)
    return;
  r = gid / (groups * ss);
  rem = gid - r * groups * ss;
  g = rem / ss;
  rem -= g * ss;
  ph = rem / out_size;
  pw = rem - ph * out_size;
  c0 = g * ROI_CPB;
  kn = min (ROI_CPB, C - c0);
  op = out + out_off + ((size_t) r * C + c0) * ss + ph * out_size + pw;

  rp = rois + roi_off + 4 * r;
  x1 = rp[0];
  y1 = rp[1];
  x2 = rp[2];
  y2 = rp[3];
  area = (x2 - x1) * (y2 - y1);
  /* mmdetection: sqrt of a negative area or NaN maps to no level, and the
   * roi's features stay zero */
  if (!(area >= 0.0f)) {
    for (k = 0; k < kn; k++)
      op[k * ss] = 0.0f;
    return;
  }
  if (area >= t3) {
    in = f3 + off3;
    height = h3;
    width = w3;
    scale = s3;
  } else if (area >= t2) {
    in = f2 + off2;
    height = h2;
    width = w2;
    scale = s2;
  } else if (area >= t1) {
    in = f1 + off1;
    height = h1;
    width = w1;
    scale = s1;
  } else {
    in = f0 + off0;
    height = h0;
    width = w0;
    scale = s0;
  }
  plane = (size_t) height * width;
  in += c0 * plane;

  /* aligned: shift by half a pixel, no minimum roi size */
  start_w = x1 * scale - 0.5f;
  start_h = y1 * scale - 0.5f;
  roi_w = (x2 * scale - 0.5f) - start_w;
  roi_h = (y2 * scale - 0.5f) - start_h;
  bin_h = roi_h / (float) out_size;
  bin_w = roi_w / (float) out_size;
  grid_h = roi_ceil_div (roi_h, (float) out_size);
  grid_w = roi_ceil_div (roi_w, (float) out_size);
  count = (float) max (grid_h * grid_w, 1);

  for (k = 0; k < ROI_CPB; k++)
    acc[k] = 0.0f;
  for (iy = 0; iy < grid_h; iy++) {
    float y = start_h + (float) ph * bin_h +
        ((float) iy + 0.5f) * bin_h / (float) grid_h;
    int y_low, y_high;
    float ly, hy;
    if (y < -1.0f || y > (float) height)
      continue;                 /* every sample of this row is empty */
    if (y <= 0.0f)
      y = 0.0f;
    y_low = (int) y;
    if (y_low >= height - 1) {
      y_high = y_low = height - 1;
      y = (float) y_low;
    } else {
      y_high = y_low + 1;
    }
    ly = y - (float) y_low;
    hy = 1.0f - ly;
    for (ix = 0; ix < grid_w; ix++) {
      float x = start_w + (float) pw * bin_w +
          ((float) ix + 0.5f) * bin_w / (float) grid_w;
      int x_low, x_high, p1, p2, p3, p4;
      float lx, hx, w1, w2, w3, w4;
      __global const float *src;
      if (x < -1.0f || x > (float) width)
        continue;
      if (x <= 0.0f)
        x = 0.0f;
      x_low = (int) x;
      if (x_low >= width - 1) {
        x_high = x_low = width - 1;
        x = (float) x_low;
      } else {
        x_high = x_low + 1;
      }
      lx = x - (float) x_low;
      hx = 1.0f - lx;
      w1 = hy * hx;
      w2 = hy * lx;
      w3 = ly * hx;
      w4 = ly * lx;
      p1 = y_low * width + x_low;
      p2 = y_low * width + x_high;
      p3 = y_high * width + x_low;
      p4 = y_high * width + x_high;
      src = in;
      for (k = 0; k < ROI_CPB; k++) {
        if (k < kn)
          acc[k] += w1 * src[p1] + w2 * src[p2] + w3 * src[p3] + w4 * src[p4];
        src += plane;
      }
    }
  }
  for (k = 0; k < kn; k++)
    op[k * ss] = acc[k] / count;
}
