/* gst-cascade: helpers shared by the kernels; the runtime puts this text in
 * front of every other program (runtime/program.c). */

/* float division rounded correctly on any device: OpenCL C allows 2.5 ulp
 * for float `/` (PoCL is exact, GPUs often are not); the double quotient
 * of two floats rounded to float is the correctly rounded float quotient */
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
inline float
div_rn (float a, float b)
{
  return (float) ((double) a / (double) b);
}
#else
inline float
div_rn (float a, float b)
{
  return a / b;
}
#endif

/* sort keys: all ones marks padding and excluded candidates (sorts last) */
#define KEY_INVALID 0xffffffffffffffffUL

/* a uint that orders like the float s (-0 ties with +0) */
inline uint
score_ord (float s)
{
  uint u = as_uint (s == 0.0f ? 0.0f : s);
  return (u & 0x80000000u) ? ~u : (u | 0x80000000u);
}
