/* gst-cascade: the cascade's box heads (mmdet/models/roi_heads/
 * cascade_roi_head.py predict_bbox, bbox_heads/convfc_bbox_head.py
 * Shared2FCBBoxHead): RoIAlign 7x7, two shared FCs, class scores and
 * class-agnostic deltas; the RoIs are refined between stages and the class
 * logits averaged over the stages */
#include "net/network.h"
#include "runtime/error.h"
#include "ops/roi_align.h"
#include "ops/average.h"
#include "ops/box_coder.h"
#include "ops/softmax.h"

static const guint strides[4] = { 4, 8, 16, 32 };

gboolean
cascade_roi_head_init (CascadeRoiHead * head, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error)
{
  const CascadeArch *a = cascade_model_arch (model);
  guint s, i;
  head->num_stages = a->num_stages;
  head->num_classes = a->num_classes;
  head->roi_size = a->roi_size;
  head->finest_scale = a->finest_scale;
  head->fc_channels = a->fc_channels;
  head->in_channels = a->fpn_channels;
  for (s = 0; s < head->num_stages; s++) {
    CascadeBoxHead *h = &head->stages[s];
    guint in = a->fpn_channels * a->roi_size * a->roi_size;
    gchar *n;
    gboolean ok = TRUE;
    for (i = 0; i < 2 && ok; i++) {
      n = g_strdup_printf ("roi_head.bbox_head.%u.shared_fcs.%u", s, i);
      ok = cascade_load_fc (&h->fc[i], ctx, model, n, i ? a->fc_channels : in,
          a->fc_channels, error);
      g_free (n);
    }
    if (!ok)
      return FALSE;
    n = g_strdup_printf ("roi_head.bbox_head.%u.fc_cls", s);
    ok = cascade_load_fc (&h->cls, ctx, model, n, a->fc_channels,
        a->num_classes + 1, error);
    g_free (n);
    if (!ok)
      return FALSE;
    n = g_strdup_printf ("roi_head.bbox_head.%u.fc_reg", s);
    ok = cascade_load_fc (&h->reg, ctx, model, n, a->fc_channels, 4, error);
    g_free (n);
    if (!ok)
      return FALSE;
    for (i = 0; i < 4; i++)
      h->stds[i] = a->stage_stds[s][i];
  }
  return TRUE;
}

void
cascade_roi_head_clear (CascadeRoiHead * head)
{
  guint s;
  for (s = 0; s < 3; s++) {
    CascadeBoxHead *h = &head->stages[s];
    cascade_fc_clear (&h->fc[0]);
    cascade_fc_clear (&h->fc[1]);
    cascade_fc_clear (&h->cls);
    cascade_fc_clear (&h->reg);
  }
}

static gboolean
capture_stage (CascadeCapture * cap, CascadeCtx * ctx, guint s,
    const CascadeTensor * rois, const CascadeTensor * cls,
    const CascadeTensor * reg, GError ** error)
{
  gchar n[48];
  if (!cap)
    return TRUE;
  g_snprintf (n, sizeof n, "stage%u.rois", s);
  if (!cascade_capture_put (cap, ctx, n, rois, error))
    return FALSE;
  g_snprintf (n, sizeof n, "stage%u.cls_score", s);
  if (!cascade_capture_put (cap, ctx, n, cls, error))
    return FALSE;
  g_snprintf (n, sizeof n, "stage%u.bbox_pred", s);
  return cascade_capture_put (cap, ctx, n, reg, error);
}

gboolean
cascade_roi_head_forward (CascadeRoiHead * head, CascadeCtx * ctx,
    CascadeArena * arena, const CascadeTensor p[5],
    const CascadeTensor * proposals, guint n, guint num_stages, guint img_w,
    guint img_h, CascadeCapture * cap, CascadeTensor * boxes,
    CascadeTensor * scores, GError ** error)
{
  const guint k1 = head->num_classes + 1, rs = head->roi_size;
  CascadeTensor feats, f0, f1, cls, reg, acc, rois = *proposals;
  guint s;

  rois.shape[0] = n;
  if (!cascade_arena_tensor (arena, "roi.feats", &feats, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (n, head->in_channels, rs, rs), error)
      || !cascade_arena_tensor (arena, "roi.fc0", &f0, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (n, head->fc_channels), error)
      || !cascade_arena_tensor (arena, "roi.fc1", &f1, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (n, head->fc_channels), error)
      || !cascade_arena_tensor (arena, "roi.cls", &cls, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (n, k1), error)
      || !cascade_arena_tensor (arena, "roi.reg", &reg, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (n, 4), error)
      || !cascade_arena_tensor (arena, "roi.acc", &acc, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (n, k1), error)
      || !cascade_arena_tensor (arena, "roi.boxes", boxes, CASCADE_DTYPE_F32,
          2, CASCADE_SHAPE (n, 4), error)
      || !cascade_arena_tensor (arena, "roi.scores", scores,
          CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (n, k1), error))
    return FALSE;

  for (s = 0; s < num_stages; s++) {
    const CascadeBoxHead *h = &head->stages[s];
    gboolean last = s + 1 == num_stages;
    gint64 t0 = g_get_monotonic_time ();
    CascadeTensor next;
    if (!cascade_roi_align (ctx, 4, p, strides, head->finest_scale, &rois, n,
            rs, &feats, error)
        || !cascade_fc_forward (ctx, &h->fc[0], &feats, n, CASCADE_ACT_RELU,
            &f0, error)
        || !cascade_fc_forward (ctx, &h->fc[1], &f0, n, CASCADE_ACT_RELU, &f1,
            error)
        || !cascade_fc_forward (ctx, &h->cls, &f1, n, CASCADE_ACT_NONE, &cls,
            error)
        || !cascade_fc_forward (ctx, &h->reg, &f1, n, CASCADE_ACT_NONE, &reg,
            error)
        || !cascade_accumulate (ctx, &cls, (gsize) n * k1, 1.0f, s == 0, &acc,
            error)
        || !capture_stage (cap, ctx, s, &rois, &cls, &reg, error))
      return FALSE;
    /* refined RoIs for the next stage, or the final boxes */
    if (last)
      next = *boxes;
    else if (!cascade_arena_tensor (arena, s % 2 ? "roi.rois1" : "roi.rois0",
            &next, CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (n, 4), error))
      return FALSE;
    if (!cascade_delta2bbox (ctx, &rois, &reg, n, h->stds, (gfloat) img_w,
            (gfloat) img_h, &next, error))
      return FALSE;
    rois = next;
    if (head->timing) {
      if (!cascade_ctx_finish (ctx, error))
        return FALSE;
      head->stage_ms[s] = (g_get_monotonic_time () - t0) / 1000.0;
    }
  }
  /* mmdetection: sum of the stages' logits / number of stages, softmax */
  if (!cascade_divide (ctx, &acc, (gsize) n * k1, (gfloat) num_stages, error)
      || !cascade_softmax_rows (ctx, &acc, n, k1, scores, error))
    return FALSE;
  if (cap && !(cascade_capture_put (cap, ctx, "final.cls_score_mean_logits",
              &acc, error)
          && cascade_capture_put (cap, ctx, "final.pre_nms.bboxes", boxes,
              error)
          && cascade_capture_put (cap, ctx, "final.pre_nms.scores_softmax",
              scores, error)))
    return FALSE;
  return TRUE;
}

gdouble
cascade_roi_head_flops (const CascadeRoiHead * head, guint n,
    guint num_stages)
{
  const CascadeBoxHead *h = &head->stages[0];
  gdouble per_roi = 2.0 * ((gdouble) h->fc[0].in * h->fc[0].out +
      (gdouble) h->fc[1].in * h->fc[1].out + (gdouble) h->cls.in * h->cls.out +
      (gdouble) h->reg.in * h->reg.out);
  return per_roi * n * num_stages;
}
