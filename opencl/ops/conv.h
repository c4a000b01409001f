/* gst-cascade: 2-D convolution (im2col + GEMM; 1x1 stride-1 convs without
 * im2col; the shifted-input kernel; Winograd F(2x2) and F(4x4)), grouped, with a
 * fused bias + residual + ReLU epilogue */
#pragma once

#include "runtime/tensor.h"
#include "ops/winograd.h"

G_BEGIN_DECLS

typedef enum
{
  CASCADE_ACT_NONE,
  CASCADE_ACT_RELU,
} CascadeAct;

typedef struct
{
  guint cin, cout, kh, kw, stride, pad, groups;
  CascadeTensor weight;         /* [cout, cin / groups, kh, kw] */
  CascadeTensor bias;           /* [cout]; zeros when the layer has none */
  gboolean wino_applies;        /* 3x3 stride 1, no groups (winograd.h) */
  CascadeWinograd wino, wino4;  /* its transformed filters, F(2x2) and
                                   F(4x4), each made on first use (all
                                   zero until then; given back when made
                                   to be measured and lost) */
} CascadeConv;

/* Uploads weight ([cout, cin/groups, kh, kw], PyTorch layout) and bias
 * (NULL: zeros).  Square kernels, same stride and padding on both axes.
 * A 3x3 stride-1 conv without groups (pad <= 2) can also run as Winograd;
 * its transformed filters are made when it first does. */
gboolean cascade_conv_init (CascadeConv * conv, CascadeCtx * ctx, guint cin,
    guint cout, guint k, guint stride, guint pad, guint groups,
    const gfloat * weight, const gfloat * bias, GError ** error);
void cascade_conv_clear (CascadeConv * conv);

void cascade_conv_out_size (const CascadeConv * conv, gsize h, gsize w,
    gsize * oh, gsize * ow);
/* multiply-adds x 2 of one forward pass on an h x w input (batch 1) */
gdouble cascade_conv_flops (const CascadeConv * conv, gsize h, gsize w);

/* out = act (conv (in) + bias [+ residual]); in [N, cin, h, w], out and
 * residual (NULL for none) [N, cout, oh, ow]; out must not overlap in or
 * residual (INVALID_ARG: every shape is checked before anything runs).
 * Scratch space comes from arena slots (cascade_conv_im2col's; "conv.shift"
 * for SHIFT; winograd.h's). */
gboolean cascade_conv_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error);

/* How a convolution is computed:
 *  - IM2COL: the input unrolled into an im2col matrix (1x1 stride-1 convs
 *    use the input as it is), then one GEMM through gemm.h (CLBlast or our
 *    CPU kernel); any groups.
 *  - SHIFT: no im2col: the input is re-laid out once (zero padding shared
 *    between rows and images; a strided input split into phases) so that
 *    every tap of the kernel is a contiguous run of it, and
 *    blas/gemm.cl's cascade_conv_shift multiplies straight out of it.
 *    Bit-identical to IM2COL with our CPU GEMM; no groups, kh * kw <= 49,
 *    not for 1x1 stride-1 convs (those need no im2col anyway).
 *  - WINOGRAD: F(2x2, 3x3) (ops/winograd.h) for 3x3 stride-1 convs
 *    without groups; not bit-identical to the others, within the same
 *    tolerance of the exact result.
 *  - WINOGRAD4: F(4x4, 3x3), where WINOGRAD applies; within 4 times that
 *    tolerance per layer.  Only when asked for ($CASCADE_CONV=winograd4
 *    or by the caller): AUTO does not measure it (ops/conv.c says why).
 *  - AUTO: $CASCADE_CONV ("im2col", "shift", "winograd", "winograd4") if
 *    set; else, where SHIFT applies, the fastest of IM2COL, SHIFT and
 *    WINOGRAD (where it applies) measured for this shape and device
 *    (tuning.h; not measured yet: cascade_conv_builtin_algo); else
 *    IM2COL. */
typedef enum
{
  CASCADE_CONV_AUTO,
  CASCADE_CONV_IM2COL,
  CASCADE_CONV_SHIFT,
  CASCADE_CONV_WINOGRAD,
  CASCADE_CONV_WINOGRAD4,
} CascadeConvAlgo;

gboolean cascade_conv_shift_supported (const CascadeConv * conv);
/* the tuning key of this conv on an [n, cin, h, w] input (n rounded up to
 * a power of two) */
gchar *cascade_conv_tuning_key (const CascadeConv * conv, gsize n, gsize h,
    gsize w);
CascadeConvAlgo cascade_conv_default_algo (CascadeCtx * ctx,
    const CascadeConv * conv);
/* What AUTO runs for this conv with an [n, cout, oh, ow] output before the
 * shape is measured (or when it is not: CASCADE_TUNE=off/cached): algo
 * (cascade_conv_default_algo's), or WINOGRAD where the device's rule says
 * it wins (ops/conv-choice.c) */
CascadeConvAlgo cascade_conv_builtin_algo (CascadeCtx * ctx,
    const CascadeConv * conv, CascadeConvAlgo algo, gsize n, gsize oh,
    gsize ow);

/* cascade_conv_forward with the algorithm chosen by the caller (SHIFT where
 * it is not supported: INVALID_ARG) */
gboolean cascade_conv_forward_algo (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, CascadeConvAlgo algo, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error);

/* The IM2COL algorithm (ops/im2col.c; arguments checked by
 * cascade_conv_forward_algo): the input unrolled by ops/conv.cl's
 * cascade_im2col, then GEMMs through blas/gemm.h; 1x1 stride-1 convs
 * multiply the input as it is.  Scratch: arena slots "conv.col" (the
 * unrolled input), "conv.cnhw" (a batch's product) and "conv.pad" (an
 * image's product padded to whole column tiles). */
gboolean cascade_conv_im2col (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error);

/* Folds eval-mode BatchNorm into a bias-free convolution's weights, in
 * place: w[o] *= gamma[o] / sqrt(var[o] + eps), bias[o] = beta[o] -
 * mean[o] * gamma[o] / sqrt(var[o] + eps).  per_out = elements per output
 * channel of w.  (double precision inside.) */
void cascade_fold_bn (gfloat * weight, gfloat * bias, guint cout,
    gsize per_out, const gfloat * gamma, const gfloat * beta,
    const gfloat * mean, const gfloat * var, gfloat eps);

G_END_DECLS
