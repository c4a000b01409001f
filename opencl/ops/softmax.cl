/* gst-cascade: torch.softmax over the rows of a matrix (the box heads'
 * class scores).  No contraction: products and sums are rounded one by
 * one, as PyTorch does. */
#pragma OPENCL FP_CONTRACT OFF

/* div_rn: runtime/common.cl */

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
