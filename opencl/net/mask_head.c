/* gst-cascade: the cascade's mask heads (mmdet/models/roi_heads/
 * mask_heads/fcn_mask_head.py FCNMaskHead; cascade_roi_head.py
 * predict_mask): RoIAlign 14x14 on the detections, four 3x3 convs + ReLU,
 * a 2x transposed conv + ReLU, 1x1 conv to per-class 28x28 logits; the
 * heads' sigmoids of the detection's class averaged */
#include "net/mask_head.h"
#include "net/load.h"
#include "ops/roi_align.h"
#include "ops/mask_merge.h"

gboolean
cascade_mask_head_init (CascadeMaskHead * head, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error)
{
  const CascadeArch *a = cascade_model_arch (model);
  guint s, i;
  head->num_stages = a->num_stages;
  head->num_classes = a->num_classes;
  head->channels = a->mask_channels;
  head->roi_size = a->mask_roi_size;
  head->in_channels = a->fpn_channels;
  head->finest_scale = a->finest_scale;
  for (s = 0; s < head->num_stages; s++) {
    CascadeMaskStage *m = &head->stages[s];
    gchar *n, *w, *b;
    const gsize ushape[4] = { a->mask_channels, a->mask_channels, 2, 2 };
    gfloat *uw = NULL, *ub = NULL;
    gboolean ok;
    m->num_convs = MIN (a->mask_num_convs, CASCADE_MAX_MASK_CONVS);
    for (i = 0; i < m->num_convs; i++) {
      n = g_strdup_printf ("roi_head.mask_head.%u.convs.%u.conv", s, i);
      ok = cascade_load_conv (&m->convs[i], ctx, model, n,
          i ? a->mask_channels : a->fpn_channels, a->mask_channels, 3, 1, 1,
          error);
      g_free (n);
      if (!ok)
        return FALSE;
    }
    w = g_strdup_printf ("roi_head.mask_head.%u.upsample.weight", s);
    b = g_strdup_printf ("roi_head.mask_head.%u.upsample.bias", s);
    ok = (uw = cascade_model_read_f32 (model, w, 4, ushape, error))
        && (ub = cascade_model_read_f32 (model, b, 1, ushape, error))
        && cascade_deconv_init (&m->up, ctx, a->mask_channels,
        a->mask_channels, uw, ub, error);
    g_free (uw);
    g_free (ub);
    g_free (w);
    g_free (b);
    if (!ok)
      return FALSE;
    n = g_strdup_printf ("roi_head.mask_head.%u.conv_logits", s);
    ok = cascade_load_conv (&m->logits, ctx, model, n, a->mask_channels,
        a->num_classes, 1, 1, 0, error);
    g_free (n);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

void
cascade_mask_head_clear (CascadeMaskHead * head)
{
  guint s, i;
  for (s = 0; s < 3; s++) {
    CascadeMaskStage *m = &head->stages[s];
    for (i = 0; i < CASCADE_MAX_MASK_CONVS; i++)
      cascade_conv_clear (&m->convs[i]);
    cascade_deconv_clear (&m->up);
    cascade_conv_clear (&m->logits);
  }
}

/* floating-point operations of heads 0..num_stages-1 on n detections */
static gdouble
mask_head_flops (const CascadeMaskHead * head, guint n, guint num_stages)
{
  const CascadeMaskStage *st = &head->stages[0];
  const guint r = head->roi_size;
  gdouble f = 0;
  guint i;
  for (i = 0; i < st->num_convs; i++)
    f += cascade_conv_flops (&st->convs[i], r, r);
  f += 2.0 * st->up.cin * st->up.cout * 4 * r * r;
  f += cascade_conv_flops (&st->logits, 2 * r, 2 * r);
  return f * n * num_stages;
}

/* the arena tensors of a pass over n detections */
static gboolean
workspace (const CascadeMaskHead * head, CascadeArena * arena, guint n,
    CascadeTensor * feats, CascadeTensor * a, CascadeTensor * b,
    CascadeTensor * up, CascadeTensor * logits, CascadeTensor * probs,
    GError ** error)
{
  const guint r = head->roi_size, m = 2 * r, c = head->channels;
  return cascade_arena_tensor (arena, "mask.feats", feats, CASCADE_DTYPE_F32,
      4, CASCADE_SHAPE (n, head->in_channels, r, r), error)
      && cascade_arena_tensor (arena, "mask.a", a, CASCADE_DTYPE_F32, 4,
      CASCADE_SHAPE (n, c, r, r), error)
      && cascade_arena_tensor (arena, "mask.b", b, CASCADE_DTYPE_F32, 4,
      CASCADE_SHAPE (n, c, r, r), error)
      && cascade_arena_tensor (arena, "mask.up", up, CASCADE_DTYPE_F32, 4,
      CASCADE_SHAPE (n, c, m, m), error)
      && cascade_arena_tensor (arena, "mask.logits", logits,
      CASCADE_DTYPE_F32, 4, CASCADE_SHAPE (n, head->num_classes, m, m),
      error)
      && cascade_arena_tensor (arena, "mask.probs", probs, CASCADE_DTYPE_F32,
      3, CASCADE_SHAPE (n, m, m), error);
}

gboolean
cascade_mask_head_forward (const CascadeMaskHead * head,
    const CascadePass * pass, const CascadeTensor p[CASCADE_FPN_LEVELS],
    const CascadeTensor * dets, const CascadeTensor * labels, guint n,
    guint num_stages, CascadeTensor * probs, GError ** error)
{
  const guint m = 2 * head->roi_size;
  CascadeCtx *ctx = pass->ctx;
  CascadeArena *arena = pass->arena;
  CascadeTensor feats, a, b, up, logits;
  guint s, i;

  cascade_pass_stage_begin (pass, CASCADE_STAGE_MASK);
  if (!workspace (head, arena, n, &feats, &a, &b, &up, &logits, probs, error)
      || !cascade_roi_align (ctx, CASCADE_FPN_ROI_LEVELS, p,
          cascade_fpn_strides, head->finest_scale, dets, n, head->roi_size,
          &feats, error))
    return FALSE;
  for (s = 0; s < num_stages; s++) {
    const CascadeMaskStage *st = &head->stages[s];
    const CascadeTensor *x = &feats;
    CascadeTensor *ping[2] = { &a, &b };
    for (i = 0; i < st->num_convs; i++) {
      if (!cascade_conv_forward (ctx, arena, &st->convs[i], x, NULL,
              CASCADE_ACT_RELU, ping[i % 2], error))
        return FALSE;
      x = ping[i % 2];
    }
    /* the stage's logits are overwritten by the next stage: reported here,
     * inside the stage */
    if (!cascade_deconv_forward (ctx, arena, &st->up, x, CASCADE_ACT_RELU,
            &up, error)
        || !cascade_conv_forward (ctx, arena, &st->logits, &up, NULL,
            CASCADE_ACT_NONE, &logits, error)
        || !cascade_mask_merge (ctx, &logits, labels, n, head->num_classes, m,
            1.0f, s == 0, probs, error)
        || !cascade_pass_tensor (pass, &logits, error,
            "mask.stage%u.mask_logits_all", s))
      return FALSE;
  }
  /* mmdetection's mean: the sum of the sigmoids, divided */
  return cascade_mask_merge_finish (ctx, probs, n, m, num_stages, error)
      && cascade_pass_stage_end (pass, CASCADE_STAGE_MASK,
      mask_head_flops (head, n, num_stages), 0, error)
      && cascade_pass_tensor (pass, probs, error, "mask.merged_probs_28x28");
}
