/* gst-cascade: mmdetection's DeltaXYWHBBoxCoder.decode (delta2bbox), used by
 * the RPN (ops/proposals.c) and the cascade's box heads.  No contraction:
 * products and sums are rounded one by one, as PyTorch does. */
#pragma OPENCL FP_CONTRACT OFF

/* mmdetection's delta2bbox (means 0, stds std, dw/dh clamped to
 * max_ratio, clipped to [0, max_w] x [0, max_h]) of row i; out may alias
 * rois */
__kernel void
cascade_delta2bbox (__global const float *rois, uint roff,
    __global const float *deltas, uint doff, uint n, float4 std,
    float max_ratio, float max_w, float max_h, __global float *out, uint ooff)
{
  uint i = get_global_id (0);
  float x1, y1, x2, y2, dx, dy, dw, dh, px, py, pw, ph, gx, gy, gw, gh;
  if (i >= n)
    return;
  x1 = rois[roff + i * 4 + 0];
  y1 = rois[roff + i * 4 + 1];
  x2 = rois[roff + i * 4 + 2];
  y2 = rois[roff + i * 4 + 3];
  dx = deltas[doff + i * 4 + 0] * std.x + 0.0f;
  dy = deltas[doff + i * 4 + 1] * std.y + 0.0f;
  dw = deltas[doff + i * 4 + 2] * std.z + 0.0f;
  dh = deltas[doff + i * 4 + 3] * std.w + 0.0f;
  px = (x1 + x2) * 0.5f;
  py = (y1 + y2) * 0.5f;
  pw = x2 - x1;
  ph = y2 - y1;
  dx = pw * dx;
  dy = ph * dy;
  dw = fmin (fmax (dw, -max_ratio), max_ratio);
  dh = fmin (fmax (dh, -max_ratio), max_ratio);
  gx = px + dx;
  gy = py + dy;
  gw = pw * exp (dw);
  gh = ph * exp (dh);
  out[ooff + i * 4 + 0] = fmin (fmax (gx - gw * 0.5f, 0.0f), max_w);
  out[ooff + i * 4 + 1] = fmin (fmax (gy - gh * 0.5f, 0.0f), max_h);
  out[ooff + i * 4 + 2] = fmin (fmax (gx + gw * 0.5f, 0.0f), max_w);
  out[ooff + i * 4 + 3] = fmin (fmax (gy + gh * 0.5f, 0.0f), max_h);
}
