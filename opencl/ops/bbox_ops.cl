/* gst-cascade: the cascade head's box arithmetic: delta decoding, logit
 * averaging, row softmax.  No contraction: products and sums are rounded
 * one by one, as PyTorch does. */
#pragma OPENCL FP_CONTRACT OFF

/* div_rn, KEY_INVALID, score_ord: kernels/common.cl */

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

/* acc = (first ? 0 : acc) + scale * logits */
__kernel void
cascade_accumulate (__global const float *logits, uint loff, uint n,
    float scale, int first, __global float *acc, uint aoff)
{
  uint i = get_global_id (0);
  if (i >= n)
    return;
  acc[aoff + i] = (first ? 0.0f : acc[aoff + i]) + scale * logits[loff + i];
}

/* acc = acc / divisor (torch's sum(stages) / len(stages)) */
__kernel void
cascade_divide (__global float *acc, uint aoff, uint n, float divisor)
{
  uint i = get_global_id (0);
  if (i >= n)
    return;
  acc[aoff + i] = div_rn (acc[aoff + i], divisor);
}

/* torch.softmax over each row: e = exp(x - max), then e * (1 / sum e);
 * out may alias in */
__kernel void
cascade_softmax_rows (__global const float *in, uint ioff, uint rows,
    uint cols, __global float *out, uint ooff)
{
  uint r = get_global_id (0), c;
  __global const float *x;
  __global float *y;
  float m = -INFINITY, sum = 0.0f, inv;
  if (r >= rows)
    return;
  x = in + ioff + (size_t) r * cols;
  y = out + ooff + (size_t) r * cols;
  for (c = 0; c < cols; c++)
    m = fmax (m, x[c]);
  for (c = 0; c < cols; c++) {
    float e = exp (x[c] - m);
    y[c] = e;
    sum += e;
  }
  inv = div_rn (1.0f, sum);
  for (c = 0; c < cols; c++)
    y[c] = y[c] * inv;
}

/* boxes[i] *= (fx, fy, fx, fy): mmdetection's rescale of box-only models,
 * boxes * (1 / scale_factor) in float32, before the NMS */
__kernel void
cascade_scale_boxes (__global float *boxes, int off, int n, float fx,
    float fy)
{
  int i = get_global_id (0);
  if (i >= n)
    return;
  boxes += off + 4 * i;
  boxes[0] = boxes[0] * fx;
  boxes[1] = boxes[1] * fy;
  boxes[2] = boxes[2] * fx;
  boxes[3] = boxes[3] * fy;
}
