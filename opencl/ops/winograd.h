/* gst-cascade: Winograd F(2x2, 3x3) and F(4x4, 3x3) convolutions for 3x3
 * stride-1 layers without groups.  Each m x m block of output (m = 2 or
 * 4) is (m + 2)^2 products of transformed tiles instead of 9 m^2
 * multiply-adds (2.25x and 4x fewer): the filters are transformed once
 * (U = G g G^T, in double on the host), the input per call (V = B^T d B,
 * ops/winograd.cl, straight from the unpadded input), then (m + 2)^2
 * GEMMs M[e] = U[e] V[e] through blas/gemm.h (our device-shaped kernel on
 * CPUs), and the output transform (A^T m A) with the bias + residual +
 * ReLU epilogue.  A conv makes its transformed filters on first use
 * (cascade_winograd_ensure).
 *
 * F(4x4) interpolates at 0, 1, -1, 1/2, -2 and infinity (Barabasz et al.,
 * "Error analysis and improving the accuracy of Winograd convolution for
 * deep neural networks", 2020): over 6400 outputs of K = 2304 random
 * products its worst error was 3.3x the direct sum's (0, +-1, +-2, as in
 * Lavin and Gray: 10x; 0, +-1, +-1/2: 10x).
 *
 * Not bit-identical to the direct convolutions: the transforms round
 * differently.  Its error against a double-precision reference is tested
 * per layer (tests/engine/test_winograd.c): F(2x2) within the direct
 * convolutions' bound, F(4x4) within 4 times it.  F(2x2) is a per-shape
 * candidate of the convolutions (ops/conv.h: CASCADE_CONV_WINOGRAD),
 * measured against shift and im2col; F(4x4) (CASCADE_CONV_WINOGRAD4) runs
 * only when asked for. */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

typedef struct
{
  guint m;                      /* output tile: 2 (F(2x2)) or 4 (F(4x4)) */
  guint cin, cout, pad;
  CascadeTensor u;              /* [(m + 2)^2, cout, cin] transformed
                                   filters */
  CascadeTensor bias;           /* [cout] */
} CascadeWinograd;

/* Whether a conv (cin -> cout, k x k, stride, pad, groups) has a Winograd
 * form here (both tiles): 3x3, stride 1, no groups, pad <= 2, and 36 cin
 * cout transformed weights that an int indexes */
static inline gboolean
cascade_winograd_applies (guint cin, guint cout, guint k, guint stride,
    guint pad, guint groups)
{
  return k == 3 && stride == 1 && groups == 1 && pad <= 2
      && (gsize) 36 * cin * cout <= (gsize) G_MAXINT;
}

/* Transforms for output tile m (2 or 4) and uploads weight ([cout, cin, 3,
 * 3]) and bias (NULL: zeros). */
gboolean cascade_winograd_init (CascadeWinograd * wg, CascadeCtx * ctx,
    guint m, guint cin, guint cout, guint pad, const gfloat * weight,
    const gfloat * bias, GError ** error);
void cascade_winograd_clear (CascadeWinograd * wg);

/* cascade_winograd_init from a conv's device tensors (weight [cout, cin, 3,
 * 3], bias [cout]), read back, unless wg is made already (wg->u.mem): so
 * that the transformed filters, 16/9 or 36/9 of the weights, exist only
 * for the layers that use them or are being measured. */
gboolean cascade_winograd_ensure (CascadeWinograd * wg, CascadeCtx * ctx,
    guint m, const CascadeTensor * weight, const CascadeTensor * bias, guint pad,
    GError ** error);

/* out = conv3x3 (in) + bias [+ residual], then ReLU if relu, as
 * cascade_conv_forward for a 3x3 stride-1 conv with padding pad; scratch
 * from the arena slots "wino.v" and "wino.m" ((m + 2)^2 x cin and x cout
 * floats per m x m output tile). */
gboolean cascade_winograd_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeWinograd * wg, const CascadeTensor * in,
    const CascadeTensor * residual, gboolean relu, const CascadeTensor * out,
    GError ** error);

/* cascade_winograd_ensure (wg, m, weight, bias, pad), then
 * cascade_winograd_forward with it */
gboolean cascade_winograd_run (CascadeWinograd * wg, CascadeCtx * ctx,
    CascadeArena * arena, guint m, const CascadeTensor * weight,
    const CascadeTensor * bias, guint pad, const CascadeTensor * in,
    const CascadeTensor * residual, gboolean relu, const CascadeTensor * out,
    GError ** error);

G_END_DECLS
