/* gst-cascade: the mean of several tensors, rounded as torch's
 * sum(list) / len(list) (the cascade's stage logits) */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* acc = (first ? 0 : acc) + scale * logits, elementwise over n floats */
gboolean cascade_accumulate (CascadeCtx * ctx, const CascadeTensor * logits,
    gsize n, gfloat scale, gboolean first, const CascadeTensor * acc,
    GError ** error);

/* acc = acc / divisor elementwise over n floats: with cascade_accumulate
 * (scale 1) this is mmdetection's sum(stage logits) / num_stages, rounded
 * as torch rounds it */
gboolean cascade_divide (CascadeCtx * ctx, const CascadeTensor * acc,
    gsize n, gfloat divisor, GError ** error);

G_END_DECLS
