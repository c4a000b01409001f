/* gst-cascade: Winograd F(2x2, 3x3) convolution for 3x3 stride-1 layers
 * without groups.  Each 2x2 block of output is 16 products of transformed
 * 4x4 tiles instead of 36 multiply-adds: the filters are transformed once
 * at init (U = G g G^T, in double on the host), the input per call
 * (V = B^T d B, ops/winograd.cl), then 16 GEMMs M[e] = U[e] V[e] through
 * blas/gemm.h (our device-shaped kernel on CPUs), and the output
 * transform (A^T m A) with the bias + residual + ReLU epilogue.  A conv
 * makes its transformed filters on first use (cascade_winograd_ensure).
 *
 * Not bit-identical to the direct convolutions: the transforms round
 * differently.  Its error against a double-precision reference is tested
 * per layer within the direct convolutions' bound
 * (tests/engine/test_winograd.c).  It is one of the convolutions'
 * per-shape candidates (ops/conv.h: CASCADE_CONV_WINOGRAD), measured
 * against shift and im2col. */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

typedef struct
{
  guint cin, cout, pad;
  CascadeTensor u;              /* [16, cout, cin] transformed filters */
  CascadeTensor bias;           /* [cout] */
} CascadeWinograd;

/* Whether a conv (cin -> cout, k x k, stride, pad, groups) has a Winograd
 * form here: 3x3, stride 1, no groups, pad <= 2, and 16 cin cout
 * transformed weights that an int indexes */
static inline gboolean
cascade_winograd_applies (guint cin, guint cout, guint k, guint stride,
    guint pad, guint groups)
{
  return k == 3 && stride == 1 && groups == 1 && pad <= 2
      && (gsize) 16 * cin * cout <= (gsize) G_MAXINT;
}

/* Transforms and uploads weight ([cout, cin, 3, 3]) and bias (NULL:
 * zeros). */
gboolean cascade_winograd_init (CascadeWinograd * wg, CascadeCtx * ctx,
    guint cin, guint cout, guint pad, const gfloat * weight,
    const gfloat * bias, GError ** error);
void cascade_winograd_clear (CascadeWinograd * wg);

/* cascade_winograd_init from a conv's device tensors (weight [cout, cin, 3,
 * 3], bias [cout]), read back, unless wg is made already (wg->u.mem): so
 * that the transformed filters, 16/9 of the weights, exist only for the
 * layers that use them or are being measured. */
gboolean cascade_winograd_ensure (CascadeWinograd * wg, CascadeCtx * ctx,
    const CascadeTensor * weight, const CascadeTensor * bias, guint pad,
    GError ** error);

/* out = conv3x3 (in) + bias [+ residual], then ReLU if relu, as
 * cascade_conv_forward for a 3x3 stride-1 conv with padding pad; scratch
 * from the arena slots "wino.v" and "wino.m" (16 x cin and 16 x cout
 * floats per 2x2 output tile). */
gboolean cascade_winograd_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeWinograd * wg, const CascadeTensor * in,
    const CascadeTensor * residual, gboolean relu, const CascadeTensor * out,
    GError ** error);

G_END_DECLS
