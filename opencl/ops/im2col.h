/* gst-cascade: the im2col path of ops/conv.h (CASCADE_CONV_IM2COL): the
 * input unrolled (ops/conv.cl cascade_im2col), then GEMMs through
 * blas/gemm.h; 1x1 stride-1 convs multiply the input as it is */
#pragma once

#include "ops/conv.h"

G_BEGIN_DECLS

/* conv's forward pass, arguments checked by ops/conv.c.  Scratch: arena
 * slots "conv.col" (the unrolled input), "conv.cnhw" (a batch's product)
 * and "conv.pad" (a product padded to whole column tiles). */
gboolean cascade_conv_im2col (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeConv * conv, const CascadeTensor * in,
    const CascadeTensor * residual, CascadeAct act, const CascadeTensor * out,
    GError ** error);

G_END_DECLS
