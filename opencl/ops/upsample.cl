/* gst-cascade: the FPN's nearest upsample-and-add.  One work-item per
 * output element, x fastest; bounds-checked. */
#pragma OPENCL FP_CONTRACT OFF

/* big[p, y, x] += small[p, sy, sx] with sy = min ((int) floor (y *
 * ((float) h / (float) H)), h - 1) in float32, as F.interpolate (size=...,
 * mode='nearest').  1-D over total = planes * H * W. */
__kernel void
cascade_upsample_add (__global const float *small, int small_off,
    __global float *big, int big_off, int h, int w, int bh, int bw,
    float scale_y, float scale_x, int total)
{
  int i = get_global_id (0);
  int x, y, p, t, sx, sy;
  if (i >= total)
    return;
  x = i % bw;
  t = i / bw;
  y = t % bh;
  p = t / bh;
  sy = min ((int) floor ((float) y * scale_y), h - 1);
  sx = min ((int) floor ((float) x * scale_x), w - 1);
  big[big_off + i] = big[big_off + i] + small[small_off + (p * h + sy) * w +
      sx];
}
