/* gst-cascade: pasting a mask into the frame (mmdetection's _do_paste_mask:
 * torch grid_sample, bilinear, align_corners=False, zero padding), in
 * torch's float order; contraction into fma is off for that reason. */

#pragma OPENCL FP_CONTRACT OFF

/* One work item per frame pixel (x, y) < (width, height) of out (u8,
 * row-major).  Pixels outside [x0i, x1i) x [y0i, y1i) (the host's
 * skip_empty region around the box) are 0; inside, the pixel centre is
 * mapped into the box (bx0, by0, bx1, by1), sampled bilinearly from probs
 * (m x m) with zeros outside, and compared with the threshold. */
__kernel void
cascade_mask_paste (__global const float *probs, int probs_off, int m,
    __global uchar *out, int out_off, int width, int height,
    int x0i, int x1i, int y0i, int y1i,
    float bx0, float by0, float bx1, float by1, float threshold)
{
  int x = get_global_id (0);
  int y = get_global_id (1);
  float gx, gy, ix, iy, scale_m, xw, yn, w, e, nn, s, v;
  float nw_v, ne_v, sw_v, se_v;
  int xi, yi;
  __global const float *p = probs + probs_off;

  if (x >= width || y >= height)
    return;
  if (x < x0i || x >= x1i || y < y0i || y >= y1i) {
    out[out_off + (size_t) y * width + x] = 0;
    return;
  }
  /* img_x = (arange + 0.5 - x0) / (x1 - x0) * 2 - 1, inf -> 0 */
  gx = ((float) x + 0.5f - bx0) / (bx1 - bx0) * 2.0f - 1.0f;
  gy = ((float) y + 0.5f - by0) / (by1 - by0) * 2.0f - 1.0f;
  if (isinf (gx))
    gx = 0.0f;
  if (isinf (gy))
    gy = 0.0f;
  /* grid_sample's unnormalisation for align_corners=False as torch's CPU
   * kernel writes it: (g + 1) * (size / 2) - 0.5 */
  scale_m = (float) m / 2.0f;
  ix = (gx + 1.0f) * scale_m - 0.5f;
  iy = (gy + 1.0f) * scale_m - 0.5f;
  xw = floor (ix);
  yn = floor (iy);
  w = ix - xw;
  e = 1.0f - w;
  nn = iy - yn;
  s = 1.0f - nn;
  /* corners outside the mask (or a NaN/inf position) read zeros; the
   * float comparisons keep huge positions away from int conversion */
  nw_v = ne_v = sw_v = se_v = 0.0f;
  if (xw >= -1.0f && xw < (float) m && yn >= -1.0f && yn < (float) m) {
    xi = (int) xw;
    yi = (int) yn;
    if (yi >= 0) {
      if (xi >= 0)
        nw_v = p[yi * m + xi];
      if (xi + 1 < m)
        ne_v = p[yi * m + xi + 1];
    }
    if (yi + 1 < m) {
      if (xi >= 0)
        sw_v = p[(yi + 1) * m + xi];
      if (xi + 1 < m)
        se_v = p[(yi + 1) * m + xi + 1];
    }
  }
  v = nw_v * (s * e) + ne_v * (s * w) + sw_v * (nn * e) + se_v * (nn * w);
  out[out_off + (size_t) y * width + x] = v >= threshold ? 1 : 0;
}
