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

/* The device's float FMA throughput (devtools/peak.c): each work-item runs
 * PEAK_CHAINS independent FMA chains of one vector type for `iters` steps,
 * enough chains to hide the FMA latency (4 cycles on two pipes: 8 in
 * flight) and few enough to stay in registers: the host picks the type
 * from the device's native vector width, so that 12 chains are 12 vector
 * registers (of 16 on AVX2 and SSE, 32 on AVX-512) and never spill; a
 * float16 chain on an AVX2 device would be two ymm registers each, 24 in
 * all, and spill.  GPUs (width 1) get scalar chains and many work-items.
 * The chains go to out, one vector per work-item, so that nothing is
 * optimised away. */
#define PEAK_CHAINS 12
#define PEAK_KERNEL(NAME, T)                                            \
  __kernel void                                                         \
  NAME (__global T * out, int iters, float m)                           \
  {                                                                     \
    const float s = (float) get_global_id (0) * 1e-9f;                  \
    T x0 = s, x1 = s + 1, x2 = s + 2, x3 = s + 3, x4 = s + 4,           \
        x5 = s + 5, x6 = s + 6, x7 = s + 7, x8 = s + 8, x9 = s + 9,     \
        x10 = s + 10, x11 = s + 11;                                     \
    for (int i = 0; i < iters; i++) {                                   \
      x0 = fma (x0, m, 0.5f);                                           \
      x1 = fma (x1, m, 0.5f);                                           \
      x2 = fma (x2, m, 0.5f);                                           \
      x3 = fma (x3, m, 0.5f);                                           \
      x4 = fma (x4, m, 0.5f);                                           \
      x5 = fma (x5, m, 0.5f);                                           \
      x6 = fma (x6, m, 0.5f);                                           \
      x7 = fma (x7, m, 0.5f);                                           \
      x8 = fma (x8, m, 0.5f);                                           \
      x9 = fma (x9, m, 0.5f);                                           \
      x10 = fma (x10, m, 0.5f);                                         \
      x11 = fma (x11, m, 0.5f);                                         \
    }                                                                   \
    out[get_global_id (0)] = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7      \
        + x8 + x9 + x10 + x11;                                          \
  }

PEAK_KERNEL (cascade_peak_fma1, float)
PEAK_KERNEL (cascade_peak_fma4, float4)
PEAK_KERNEL (cascade_peak_fma8, float8)
PEAK_KERNEL (cascade_peak_fma16, float16)
