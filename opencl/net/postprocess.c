/* gst-cascade: the final detections: the per-class NMS stage
 * (mmdetection's multiclass_nms; the op itself is in ops/nms), and
 * the detections scaled back to the frame and brought to the host */
#include "net/postprocess.h"
#include "ops/nms.h"
#include "ops/box_scale.h"

void
cascade_postprocess_init (CascadePostprocess * pp, const CascadeModel * model)
{
  const CascadeArch *a = cascade_model_arch (model);
  pp->num_classes = a->num_classes;
  pp->with_mask = a->with_mask;
}

gboolean
cascade_postprocess_nms (const CascadePostprocess * pp,
    const CascadePass * pass, const CascadeTensor * boxes,
    const CascadeTensor * scores, guint n, const CascadeResizeInfo * info,
    const CascadeDetectParams * p, CascadeDetTensors * dets, GError ** error)
{
  const guint max_det = MAX (p->max_detections, 1);

  cascade_pass_stage_begin (pass, CASCADE_STAGE_NMS);
  /* mmdetection rescales a box-only model's boxes (multiplying by
   * 1 / scale_factor) before the NMS, and a mask model's after the masks
   * (dividing by scale_factor): the NMS sees different coordinates */
  if (!pp->with_mask && !cascade_scale_boxes (pass->ctx, boxes, n,
          (gfloat) (1.0 / info->scale_x), (gfloat) (1.0 / info->scale_y),
          error))
    return FALSE;
  if (!cascade_arena_tensor (pass->arena, "det.boxes", &dets->boxes,
          CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (max_det, 4), error)
      || !cascade_arena_tensor (pass->arena, "det.scores", &dets->scores,
          CASCADE_DTYPE_F32, 1, CASCADE_SHAPE (max_det), error)
      || !cascade_arena_tensor (pass->arena, "det.labels", &dets->labels,
          CASCADE_DTYPE_I32, 1, CASCADE_SHAPE (max_det), error)
      || !cascade_multiclass_nms (pass->ctx, pass->arena, boxes, scores, n,
          pp->num_classes, p->score_threshold, p->nms_threshold,
          p->max_detections, p->class_filter, &dets->boxes, &dets->scores,
          &dets->labels, &dets->n, error)
      || !cascade_pass_stage_end (pass, CASCADE_STAGE_NMS, 0.0, dets->n,
          error))
    return FALSE;
  dets->boxes.shape[0] = dets->scores.shape[0] = dets->labels.shape[0] =
      dets->n;
  if (dets->n == 0)
    return TRUE;
  return cascade_pass_tensor (pass, &dets->boxes, error, "final.nms.bboxes")
      && cascade_pass_tensor (pass, &dets->scores, error, "final.nms.scores")
      && cascade_pass_tensor (pass, &dets->labels, error, "final.nms.labels");
}

/* the frame's boxes [n, 4] reported as "det.bboxes", through the arena */
static gboolean
report_frame_boxes (const CascadePass * pass, const gfloat * boxes, guint n,
    GError ** error)
{
  CascadeTensor t;
  if (!cascade_pass_wants_tensors (pass))
    return TRUE;
  return cascade_arena_tensor (pass->arena, "det.frame_boxes", &t,
      CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (n, 4), error)
      && cascade_tensor_write (pass->ctx, &t, boxes, error)
      && cascade_pass_tensor (pass, &t, error, "det.bboxes");
}

gboolean
cascade_postprocess_results (const CascadePostprocess * pp,
    const CascadePass * pass, const CascadeDetTensors * dets,
    const CascadeTensor * probs, const CascadeResizeInfo * info,
    CascadeDetection ** out, gfloat ** masks, GError ** error)
{
  /* mask models: mmdetection's float32 division by scale_factor */
  const gfloat sx = pp->with_mask ? (gfloat) info->scale_x : 1.0f;
  const gfloat sy = pp->with_mask ? (gfloat) info->scale_y : 1.0f;
  const guint n = dets->n;
  gfloat *hm = NULL, *hb = NULL, *hs = NULL;
  gint *hl = NULL;
  CascadeDetection *d = NULL;
  guint i;

  cascade_pass_stage_begin (pass, CASCADE_STAGE_POSTPROCESS);
  if ((probs && !(hm = cascade_tensor_download (pass->ctx, probs, error)))
      || !(hb = cascade_tensor_download (pass->ctx, &dets->boxes, error))
      || !(hs = cascade_tensor_download (pass->ctx, &dets->scores, error))
      || !(hl = cascade_tensor_download (pass->ctx, &dets->labels, error)))
    goto failed;
  d = g_new (CascadeDetection, n);
  for (i = 0; i < n; i++) {
    d[i].x1 = hb[4 * i] / sx;
    d[i].y1 = hb[4 * i + 1] / sy;
    d[i].x2 = hb[4 * i + 2] / sx;
    d[i].y2 = hb[4 * i + 3] / sy;
    d[i].score = hs[i];
    d[i].class_id = hl[i];
    hb[4 * i] = d[i].x1;
    hb[4 * i + 1] = d[i].y1;
    hb[4 * i + 2] = d[i].x2;
    hb[4 * i + 3] = d[i].y2;
  }
  if (!cascade_pass_stage_end (pass, CASCADE_STAGE_POSTPROCESS, 0.0, 0, error)
      || !report_frame_boxes (pass, hb, n, error))
    goto failed;
  g_free (hb);
  g_free (hs);
  g_free (hl);
  *out = d;
  *masks = hm;
  return TRUE;

  /* ERRORS */
failed:
  g_free (d);
  g_free (hm);
  g_free (hb);
  g_free (hs);
  g_free (hl);
  return FALSE;
}
