/* gst-cascade: merging the mask heads' outputs (mmdetection's
 * merge_aug_masks: the mean of their sigmoids) */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* probs[i] = (first ? 0 : probs[i]) + scale * sigmoid (logits[i, labels[i]])
 * for each detection i < n: logits [n, C, m, m], labels [n] i32, probs
 * [n, m, m].  With scale = 1/3 over the three heads this is mmdetection's
 * merge_aug_masks (mean of sigmoids). */
gboolean cascade_mask_merge (CascadeCtx * ctx, const CascadeTensor * logits,
    const CascadeTensor * labels, gsize n, guint num_classes, guint m,
    gfloat scale, gboolean first, const CascadeTensor * probs,
    GError ** error);

/* probs[i] /= divisor for the n * m * m merged values.  mmdetection's mean
 * of the heads' sigmoids is their float sum divided by the number of heads;
 * cascade_mask_merge with scale 1 for each head, then this with divisor =
 * heads, reproduces that order exactly (scale = 1/heads differs in the last
 * bit). */
gboolean cascade_mask_merge_finish (CascadeCtx * ctx,
    const CascadeTensor * probs, gsize n, guint m, gfloat divisor,
    GError ** error);

G_END_DECLS
