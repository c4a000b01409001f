/* gst-cascade: the cascade's box heads (mmdet/models/roi_heads/
 * cascade_roi_head.py predict_bbox): each stage's head (bbox_head.c) on
 * the RoIs that the previous stage refined; the class logits averaged over
 * the stages, then softmax */
#include "net/roi_head.h"
#include "ops/average.h"
#include "ops/softmax.h"

gboolean
cascade_roi_head_init (CascadeRoiHead * head, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error)
{
  const CascadeArch *a = cascade_model_arch (model);
  guint s;
  head->num_stages = a->num_stages;
  head->num_classes = a->num_classes;
  head->roi_size = a->roi_size;
  head->finest_scale = a->finest_scale;
  head->fc_channels = a->fc_channels;
  head->in_channels = a->fpn_channels;
  for (s = 0; s < head->num_stages; s++)
    if (!cascade_bbox_head_init (&head->stages[s], ctx, model, s, error))
      return FALSE;
  return TRUE;
}

void
cascade_roi_head_clear (CascadeRoiHead * head)
{
  guint s;
  for (s = 0; s < 3; s++)
    cascade_bbox_head_clear (&head->stages[s]);
}

/* the arena tensors of a pass over n RoIs */
static gboolean
workspace (const CascadeRoiHead * head, CascadeArena * arena, guint n,
    CascadeBoxHeadWork * w, CascadeTensor * cls, CascadeTensor * reg,
    CascadeTensor * acc, CascadeTensor * boxes, CascadeTensor * scores,
    GError ** error)
{
  const guint k1 = head->num_classes + 1, rs = head->roi_size;
  return cascade_arena_tensor (arena, "roi.feats", &w->feats,
      CASCADE_DTYPE_F32, 4, CASCADE_SHAPE (n, head->in_channels, rs, rs),
      error)
      && cascade_arena_tensor (arena, "roi.fc0", &w->fc0, CASCADE_DTYPE_F32,
      2, CASCADE_SHAPE (n, head->fc_channels), error)
      && cascade_arena_tensor (arena, "roi.fc1", &w->fc1, CASCADE_DTYPE_F32,
      2, CASCADE_SHAPE (n, head->fc_channels), error)
      && cascade_arena_tensor (arena, "roi.cls", cls, CASCADE_DTYPE_F32, 2,
      CASCADE_SHAPE (n, k1), error)
      && cascade_arena_tensor (arena, "roi.reg", reg, CASCADE_DTYPE_F32, 2,
      CASCADE_SHAPE (n, 4), error)
      && cascade_arena_tensor (arena, "roi.acc", acc, CASCADE_DTYPE_F32, 2,
      CASCADE_SHAPE (n, k1), error)
      && cascade_arena_tensor (arena, "roi.boxes", boxes, CASCADE_DTYPE_F32,
      2, CASCADE_SHAPE (n, 4), error)
      && cascade_arena_tensor (arena, "roi.scores", scores, CASCADE_DTYPE_F32,
      2, CASCADE_SHAPE (n, k1), error);
}

gboolean
cascade_roi_head_forward (const CascadeRoiHead * head,
    const CascadePass * pass, const CascadeTensor p[CASCADE_FPN_LEVELS],
    const CascadeTensor * proposals, guint n, guint num_stages, guint img_w,
    guint img_h, CascadeTensor * boxes, CascadeTensor * scores,
    GError ** error)
{
  const guint k1 = head->num_classes + 1;
  CascadeBoxHeadWork work;
  CascadeTensor cls, reg, acc, rois = *proposals;
  guint s;

  rois.shape[0] = n;
  if (!workspace (head, pass->arena, n, &work, &cls, &reg, &acc, boxes,
          scores, error))
    return FALSE;

  for (s = 0; s < num_stages; s++) {
    const CascadeBoxHead *h = &head->stages[s];
    CascadeTensor next;
    cascade_pass_stage_begin (pass, CASCADE_STAGE_BOX1 + s);
    if (!cascade_bbox_head_forward (h, pass, p, head->finest_scale,
            head->roi_size, &rois, n, &work, &cls, &reg, error)
        || !cascade_accumulate (pass->ctx, &cls, (gsize) n * k1, 1.0f,
            s == 0, &acc, error))
      return FALSE;
    /* refined RoIs for the next stage, or the final boxes; never in place,
     * so the stage's own RoIs can still be reported */
    if (s + 1 == num_stages)
      next = *boxes;
    else if (!cascade_arena_tensor (pass->arena, s % 2 ? "roi.rois1" :
            "roi.rois0", &next, CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (n, 4),
            error))
      return FALSE;
    if (!cascade_bbox_head_refine (h, pass, &rois, &reg, n, img_w, img_h,
            &next, error)
        || !cascade_pass_stage_end (pass, CASCADE_STAGE_BOX1 + s,
            cascade_bbox_head_flops (h, n), 0, error)
        || !cascade_pass_tensor (pass, &rois, error, "stage%u.rois", s)
        || !cascade_pass_tensor (pass, &cls, error, "stage%u.cls_score", s)
        || !cascade_pass_tensor (pass, &reg, error, "stage%u.bbox_pred", s))
      return FALSE;
    rois = next;
  }
  /* mmdetection: sum of the stages' logits / number of stages, softmax */
  return cascade_divide (pass->ctx, &acc, (gsize) n * k1,
      (gfloat) num_stages, error)
      && cascade_softmax_rows (pass->ctx, &acc, n, k1, scores, error)
      && cascade_pass_tensor (pass, &acc, error,
      "final.cls_score_mean_logits")
      && cascade_pass_tensor (pass, boxes, error, "final.pre_nms.bboxes")
      && cascade_pass_tensor (pass, scores, error,
      "final.pre_nms.scores_softmax");
}
