/* gst-cascade: max pooling.  One work-item per output element, x fastest;
 * bounds-checked. */
#pragma OPENCL FP_CONTRACT OFF

/* PyTorch max_pool2d (ceil_mode False): padding never wins because only
 * in-bounds taps are read.  NaN propagates as in PyTorch (a NaN tap makes
 * the result NaN).  in [planes, h, w], out [planes, oh, ow]; 1-D over
 * total = planes * oh * ow. */
__kernel void
cascade_maxpool (__global const float *in, int in_off, __global float *out,
    int out_off, int h, int w, int oh, int ow, int k, int stride, int pad,
    int total)
{
  int i = get_global_id (0);
  int ox, oy, p, t, y0, x0, y1, x1, y, x;
  float m = -INFINITY;
  __global const float *plane;
  if (i >= total)
    return;
  ox = i % ow;
  t = i / ow;
  oy = t % oh;
  p = t / oh;
  y0 = oy * stride - pad;
  x0 = ox * stride - pad;
  y1 = min (y0 + k, h);
  x1 = min (x0 + k, w);
  y0 = max (y0, 0);
  x0 = max (x0, 0);
  plane = in + in_off + p * h * w;
  for (y = y0; y < y1; y++)
    for (x = x0; x < x1; x++) {
      float v = plane[y * w + x];
      if (v > m || isnan (v))
        m = v;
    }
  out[out_off + i] = m;
}
