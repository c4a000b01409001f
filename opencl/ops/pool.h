/* gst-cascade: max pooling (also the strided subsampling of the FPN) */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* PyTorch max_pool2d (k, stride, pad; padding never wins) on [N, C, H, W];
 * out [N, C, (H + 2p - k) / s + 1, ...] */
gboolean cascade_maxpool_forward (CascadeCtx * ctx, const CascadeTensor * in,
    guint k, guint stride, guint pad, const CascadeTensor * out,
    GError ** error);

G_END_DECLS
