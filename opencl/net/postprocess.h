/* gst-cascade: the end of the network: the final per-class NMS on the
 * cascade's boxes, and the detections brought back to the frame */
#pragma once

#include "cascade.h"
#include "net/pass.h"
#include "model/model.h"
#include "ops/preprocess.h"

G_BEGIN_DECLS

typedef struct
{
  guint num_classes;
  gboolean with_mask;           /* boxes scaled to the frame after the masks */
} CascadePostprocess;

/* the detections on the device, best first (arena "det.boxes",
 * "det.scores", "det.labels") */
typedef struct
{
  CascadeTensor boxes;          /* [n, 4] */
  CascadeTensor scores;         /* [n] */
  CascadeTensor labels;         /* [n] i32 */
  guint n;
} CascadeDetTensors;

void cascade_postprocess_init (CascadePostprocess * pp,
    const CascadeModel * model);
/* Stage NMS: mmdetection's multiclass NMS with the params' thresholds,
 * class filter and limit on the boxes [n, 4] (input coordinates) and
 * scores [n, num_classes + 1] of the cascade.  A box-only model's boxes
 * are scaled back to the frame first, in place; a mask model's stay in
 * input coordinates (the mask heads need them). */
gboolean cascade_postprocess_nms (const CascadePostprocess * pp,
    const CascadePass * pass, const CascadeTensor * boxes,
    const CascadeTensor * scores, guint n, const CascadeResizeInfo * info,
    const CascadeDetectParams * params, CascadeDetTensors * dets,
    GError ** error);
/* Stage POSTPROCESS: downloads the detections, in frame coordinates, into
 * *out (dets->n of them, g_free) and, when probs [n, 28, 28] is not NULL,
 * the mask probabilities into *masks (g_free).  Nothing is returned on
 * failure. */
gboolean cascade_postprocess_results (const CascadePostprocess * pp,
    const CascadePass * pass, const CascadeDetTensors * dets,
    const CascadeTensor * probs, const CascadeResizeInfo * info,
    CascadeDetection ** out, gfloat ** masks, GError ** error);

G_END_DECLS
