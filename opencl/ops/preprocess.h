/* gst-cascade: frame upload and preprocessing in one kernel: keep-ratio
 * resize (OpenCV INTER_LINEAR on 8-bit), normalisation, zero padding */
#pragma once

#include "runtime/tensor.h"
#include "cascade.h"

G_BEGIN_DECLS

typedef struct
{
  guint src_w, src_h;           /* frame */
  guint dst_w, dst_h;           /* resized, before padding */
  guint pad_w, pad_h;           /* network input: multiples of the divisor */
  gdouble scale_x, scale_y;     /* dst / src, mmdetection's scale_factor */
} CascadeResizeInfo;

/* mmcv.imrescale: s = min (long / max (w, h), short / min (w, h)),
 * dst = (int) (w * s + 0.5) x (int) (h * s + 0.5) (at least 1), padded up to
 * a multiple of divisor. */
void cascade_resize_info (guint w, guint h, guint long_side, guint short_side,
    guint divisor, CascadeResizeInfo * info);

typedef struct
{
  gfloat mean[3];               /* in the model's channel order */
  gfloat std[3];
  gboolean to_rgb;              /* TRUE: channels R,G,B; FALSE: B,G,R */
} CascadeNormalize;

/* Checks the frame (size, strides, planes, format); CASCADE_ERROR_INVALID_ARG
 * or CASCADE_ERROR_UNSUPPORTED on failure. */
gboolean cascade_frame_validate (const CascadeFrame * frame, GError ** error);

/* Uploads the frame into arena slot "frame" and writes out [1, 3, pad_h,
 * pad_w] float: the frame converted to 8-bit BGR (YUV: BT.601 limited range,
 * rounded), resized to dst_w x dst_h with cv2.resize INTER_LINEAR's
 * fixed-point arithmetic, normalised (x - mean) / std, zero outside
 * dst_w x dst_h.  When resized_u8 is non-NULL it also receives the resized
 * 8-bit BGR image, [3, dst_h, dst_w] u8 (for tests). */
gboolean cascade_preprocess (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeFrame * frame, const CascadeResizeInfo * info,
    const CascadeNormalize * norm, const CascadeTensor * out,
    const CascadeTensor * resized_u8, GError ** error);

G_END_DECLS
