/* gst-cascade: the FPN's nearest upsample-and-add */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* big += nearest_upsample (small, size of big), as F.interpolate(size=...,
 * mode='nearest'): src = min (floor (dst * (in / out)), in - 1) computed in
 * float32.  small [N, C, h, w], big [N, C, H, W]. */
gboolean cascade_upsample_add (CascadeCtx * ctx, const CascadeTensor * small,
    const CascadeTensor * big, GError ** error);

G_END_DECLS
