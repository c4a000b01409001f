/* gst-cascade: mmdetection's paste of a box-relative mask into the frame
 * (mmdet 3.3 FCNMaskHead: _do_paste_mask with skip_empty, one box at a
 * time as on the CPU, then `>= mask_thr_binary`); GLib only.  The one CPU
 * owner of the rule: GstCascadeMeta pastes with it, and the engine's device
 * kernel (opencl/ops/mask_ops.cl) is tested against it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The pixel rectangle [region[0], region[2]) x [region[1], region[3]) of a
 * width x height frame that mmdetection computes for box (x1, y1, x2, y2):
 * floor (x1) - 1 .. ceil (x2) + 1 (float32), likewise for y, clipped to the
 * frame; every pixel outside it is 0.  An empty range (a box outside the
 * frame, a negative size of more than about two pixels, a NaN) gives
 * region[2] == region[0] or region[3] == region[1].  A zero-width or
 * negative-size box is not empty by itself: mmdetection samples it too. */
void cascade_paste_region (const gfloat box[4], guint width, guint height,
    gint region[4]);

/* The probability mmdetection pastes at pixel (x, y) for box `box`, before
 * the threshold and ignoring the region: the pixel centre's grid position
 * gx = (x + 0.5 - x1) / (x2 - x1) * 2 - 1 (an infinite one set to 0, as
 * mmdetection does for a zero-width box), likewise gy, then torch's
 * grid_sample of probs [m, m] (bilinear, align_corners=False, zero
 * padding), in float32 without contraction into FMA.  NaN where the
 * position is NaN (x + 0.5 == x1 on a zero-width box): never >= a
 * threshold. */
gfloat cascade_paste_sample (const gfloat * probs, guint m,
    const gfloat box[4], gint x, gint y);

/* The rectangle (x, y, w, h) of the width x height binary mask (0/1 bytes)
 * that mmdetection pastes for probs [m, m] and box (x1, y1, x2, y2) in
 * frame pixels: out[r * stride + c] is pixel (x + c, y + r), 1 where it lies
 * inside cascade_paste_region and cascade_paste_sample >= threshold.  The
 * rectangle must lie inside the frame. */
void cascade_paste_mask_rect (const gfloat * probs, guint m,
    const gfloat box[4], guint width, guint height, gfloat threshold,
    guint x, guint y, guint w, guint h, guint8 * out, gsize stride);

G_END_DECLS
