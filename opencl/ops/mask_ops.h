/* gst-cascade: mask head post-processing: merging the heads, pasting a
 * 28x28 mask into the frame as mmdetection's _do_paste_mask does */
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

/* The pixel region [x0, x1) x [y0, y1) (region = {x0, y0, x1, y1}) that
 * mmdetection pastes a box into on the CPU (skip_empty): floor (x1) - 1 to
 * ceil (x2) + 1, clamped to the frame; pixels outside it stay 0.  This is
 * common's cascade_paste_region (mask-paste.h), the kernel's CPU twin. */
void cascade_mask_paste_region (const gfloat box[4], guint width,
    guint height, gint region[4]);

/* Pastes probs [m, m] (one detection) for a box (x1, y1, x2, y2) in frame
 * pixels into out [height, width] u8 (0/1): every pixel centre (x + 0.5,
 * y + 0.5) samples the mask with grid_sample (bilinear, align_corners=False,
 * zero padding) at ((x + 0.5 - x1) / (x2 - x1) * 2 - 1, ...), then
 * value >= threshold; pixels outside cascade_mask_paste_region are 0. */
gboolean cascade_mask_paste (CascadeCtx * ctx, const CascadeTensor * probs,
    guint m, const gfloat box[4], guint width, guint height,
    gfloat threshold, const CascadeTensor * out, GError ** error);

G_END_DECLS
