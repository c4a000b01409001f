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

/* One work item per output element out[r, c, ph, pw] (r < n rois, c < C
 * channels).  rois: n x 4 (x1, y1, x2, y2) at roi_off.  A roi's level is
 * the number of thresholds t1..t3 that (x2 - x1) * (y2 - y1) reaches (the
 * host derives them from mmdetection's floor (log2 (sqrt (area) /
 * finest_scale + 1e-6)); unused levels get +inf).  Level l reads f<l>
 * (C x h<l> x w<l> at off<l>) with spatial scale s<l>. */
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
  int r, c, ph, pw, rem, height, width, grid_h, grid_w, iy, ix;
  __global const float *rp;
  __global const float *in;
  float x1, y1, x2, y2, area, scale, start_w, start_h, roi_w, roi_h;
  float bin_w, bin_h, count, sum, pooled;

  if (gid >= n * C * ss)
    return;
  r = gid / (C * ss);
  rem = gid - r * C * ss;
  c = rem / ss;
  rem -= c * ss;
  ph = rem / out_size;
  pw = rem - ph * out_size;

  rp = rois + roi_off + 4 * r;
  x1 = rp[0];
  y1 = rp[1];
  x2 = rp[2];
  y2 = rp[3];
  area = (x2 - x1) * (y2 - y1);
  /* mmdetection: sqrt of a negative area or NaN maps to no level, and the
   * roi's features stay zero */
  if (!(area >= 0.0f)) {
    out[out_off + gid] = 0.0f;
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
  in += (size_t) c *height * width;

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

  sum = 0.0f;
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
      int x_low, x_high;
      float lx, hx, val;
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
      val = (hy * hx) * in[y_low * width + x_low]
          + (hy * lx) * in[y_low * width + x_high]
          + (ly * hx) * in[y_high * width + x_low]
          + (ly * lx) * in[y_high * width + x_high];
      sum += val;
    }
  }
  pooled = sum / count;
  out[out_off + gid] = pooled;
}
