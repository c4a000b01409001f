/* gst-cascade: small utility kernels */

/* out[off + i] = value for i < n */
__kernel void
cascade_fill (__global float *out, int off, int n, float value)
{
  int i = get_global_id (0);
  if (i < n)
    out[off + i] = value;
}

/* dst[doff + i] = src[soff + i] for i < n */
__kernel void
cascade_copy (__global const float *src, int soff, __global float *dst,
    int doff, int n)
{
  int i = get_global_id (0);
  if (i < n)
    dst[doff + i] = src[soff + i];
}
