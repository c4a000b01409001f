/* gst-cascade: pasting a mask into the frame as mmdetection's
 * _do_paste_mask does */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

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
