/* gst-cascade: max pooling, strided subsampling and the FPN's nearest
 * upsample-and-add */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* PyTorch max_pool2d (k, stride, pad; padding never wins) on [N, C, H, W];
 * out [N, C, (H + 2p - k) / s + 1, ...] */
gboolean cascade_maxpool_forward (CascadeCtx * ctx, const CascadeTensor * in,
    guint k, guint stride, guint pad, const CascadeTensor * out,
    GError ** error);

/* big += nearest_upsample (small, size of big), as F.interpolate(size=...,
 * mode='nearest'): src = min (floor (dst * (in / out)), in - 1) computed in
 * float32.  small [N, C, h, w], big [N, C, H, W]. */
gboolean cascade_upsample_add (CascadeCtx * ctx, const CascadeTensor * small,
    const CascadeTensor * big, GError ** error);

G_END_DECLS
