/* gst-cascade: 2-D convolution (im2col + GEMM; 1x1 stride-1 convs without
 * im2col), grouped, with a fused bias + residual + ReLU epilogue */
#pragma once

#include "tensor.h"

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
} CascadeConv;

/* Uploads weight ([cout, cin/groups, kh, kw], PyTorch layout) and bias
 * (NULL: zeros).  Square kernels, same stride and padding on both axes. */
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
 * Scratch space (im2col) comes from the arena slot "conv.col". */
gboolean cascade_conv_forward (CascadeCtx * ctx, CascadeArena * arena,
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
