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

/* The device's float FMA throughput (cascade_peak_gflops): each work-item
 * runs 12 independent float16 FMA chains for `iters` steps, 384 flops per
 * step, enough chains to hide the FMA latency on CPUs and GPUs.  The sum
 * goes to out so that nothing is optimised away. */
__kernel void
cascade_peak_fma (__global float *out, int iters, float m)
{
  const float s = (float) get_global_id (0) * 1e-9f;
  float16 x0 = s, x1 = s + 1, x2 = s + 2, x3 = s + 3, x4 = s + 4, x5 = s + 5,
      x6 = s + 6, x7 = s + 7, x8 = s + 8, x9 = s + 9, x10 = s + 10,
      x11 = s + 11;
  for (int i = 0; i < iters; i++) {
    x0 = fma (x0, m, 0.5f);
    x1 = fma (x1, m, 0.5f);
    x2 = fma (x2, m, 0.5f);
    x3 = fma (x3, m, 0.5f);
    x4 = fma (x4, m, 0.5f);
    x5 = fma (x5, m, 0.5f);
    x6 = fma (x6, m, 0.5f);
    x7 = fma (x7, m, 0.5f);
    x8 = fma (x8, m, 0.5f);
    x9 = fma (x9, m, 0.5f);
    x10 = fma (x10, m, 0.5f);
    x11 = fma (x11, m, 0.5f);
  }
  {
    float16 t = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;
    float8 u = t.lo + t.hi;
    float4 v = u.lo + u.hi;
    out[get_global_id (0)] = v.x + v.y + v.z + v.w;
  }
}
