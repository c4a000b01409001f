/* gst-cascade: the engine: model + device + networks, one frame at a time */
#include "engine-private.h"
#include "runtime/error.h"
#include "net/network.h"
#include "ops/box_scale.h"
#include "ops/nms.h"
#include "ops/mask_paste.h"

#include <string.h>

#define MAX_FRAME_SIDE 8192
#define MAX_INPUT_SIDE 4096

const gchar *const cascade_stage_names[CASCADE_N_STAGES] = {
  "preprocess", "backbone", "fpn", "rpn", "stage1", "stage2", "stage3",
  "nms", "mask", "postprocess"
};

struct _CascadeEngine
{
  CascadeDevice *dev;
  CascadeCtx *ctx;
  CascadeModel *model;
  const CascadeArch *arch;
  CascadeArena *arena;
  CascadeBackbone backbone;
  CascadeFpn fpn;
  CascadeRpn rpn;
  CascadeRoiHead roi;
  CascadeMaskHead mask;
  guint long_side, short_side;
};

struct _CascadeResult
{
  CascadeEngine *engine;
  guint width, height;
  guint n;
  CascadeDetection *dets;
  gfloat *masks;                /* n x 28 x 28, or NULL */
  gfloat mask_threshold;
};

CascadeEngine *
cascade_engine_new (const gchar * device, const gchar * model_path,
    GError ** error)
{
  CascadeEngine *e = g_new0 (CascadeEngine, 1);

  if (!(e->model = cascade_model_load (model_path, error)))
    goto failed;
  e->arch = cascade_model_arch (e->model);
  e->long_side = e->arch->test_scale[0];
  e->short_side = e->arch->test_scale[1];
  if (!(e->dev = cascade_device_open (device, error))
      || !(e->ctx = cascade_ctx_new (e->dev, error)))
    goto failed;
  e->arena = cascade_arena_new (e->ctx);
  /* compile every program now (once per device), not on the first frame */
  {
    const gchar *const *names = cascade_kernel_source_names ();
    for (; *names; names++)
      if (!cascade_device_program (e->dev, *names, error))
        goto failed;
  }
  if (!cascade_backbone_init (&e->backbone, e->ctx, e->model, error)
      || !cascade_fpn_init (&e->fpn, e->ctx, e->model,
          e->backbone.out_channels, error)
      || !cascade_rpn_init (&e->rpn, e->ctx, e->model, error)
      || !cascade_roi_head_init (&e->roi, e->ctx, e->model, error)
      || (e->arch->with_mask
          && !cascade_mask_head_init (&e->mask, e->ctx, e->model, error))
      || !cascade_ctx_finish (e->ctx, error))
    goto failed;
  return e;

  /* ERRORS */
failed:
  cascade_engine_free (e);
  return NULL;
}

void
cascade_engine_free (CascadeEngine * e)
{
  if (!e)
    return;
  if (e->ctx) {
    cascade_ctx_finish (e->ctx, NULL);
    cascade_backbone_clear (&e->backbone);
    cascade_fpn_clear (&e->fpn);
    cascade_rpn_clear (&e->rpn);
    cascade_roi_head_clear (&e->roi);
    cascade_mask_head_clear (&e->mask);
  }
  cascade_arena_free (e->arena);
  cascade_ctx_free (e->ctx);
  cascade_device_unref (e->dev);
  cascade_model_free (e->model);
  g_free (e);
}

void
cascade_detect_params_init (CascadeDetectParams * p,
    const CascadeEngine * engine)
{
  const CascadeArch *a = engine->arch;
  memset (p, 0, sizeof (*p));
  p->score_threshold = a->score_thr;
  p->nms_threshold = a->nms_iou;
  p->max_detections = a->max_per_img;
  p->masks = a->with_mask;
  p->mask_threshold = a->mask_thr;
  p->num_stages = a->num_stages;
}

gboolean
cascade_engine_set_input_size (CascadeEngine * e, guint long_side,
    guint short_side, GError ** error)
{
  if (long_side < 32 || short_side < 32 || long_side > MAX_INPUT_SIDE
      || short_side > MAX_INPUT_SIDE || short_side > long_side) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "Input size %ux%u is invalid: both sides must be 32..%u and the "
        "first the longer", long_side, short_side, MAX_INPUT_SIDE);
    return FALSE;
  }
  e->long_side = long_side;
  e->short_side = short_side;
  return TRUE;
}

void
cascade_engine_get_input_size (const CascadeEngine * e, guint * long_side,
    guint * short_side)
{
  *long_side = e->long_side;
  *short_side = e->short_side;
}

guint
cascade_engine_num_classes (const CascadeEngine * e)
{
  return e->arch->num_classes;
}

const gchar *
cascade_engine_class_name (const CascadeEngine * e, guint class_id)
{
  return class_id < e->arch->num_classes ? e->arch->classes[class_id] : NULL;
}

gboolean
cascade_engine_has_masks (const CascadeEngine * e)
{
  return e->arch->with_mask;
}

const gchar *
cascade_engine_device_name (const CascadeEngine * e)
{
  return cascade_device_name (e->dev);
}

CascadeCtx *
cascade_engine_ctx (CascadeEngine * e)
{
  return e->ctx;
}

guint
cascade_engine_allocations (const CascadeEngine * e)
{
  return cascade_arena_allocations (e->arena);
}

static gboolean
check_params (const CascadeEngine * e, const CascadeDetectParams * p,
    GError ** error)
{
  const gchar *bad = NULL;
  if (!(p->score_threshold >= 0.0f && p->score_threshold <= 1.0f))
    bad = "score threshold must be within 0..1";
  else if (!(p->nms_threshold > 0.0f && p->nms_threshold <= 1.0f))
    bad = "NMS threshold must be within (0, 1]";
  else if (p->max_detections > 10000)
    bad = "max detections must be at most 10000";
  else if (!(p->mask_threshold >= 0.0f && p->mask_threshold <= 1.0f))
    bad = "mask threshold must be within 0..1";
  else if (p->num_stages < 1 || p->num_stages > e->roi.num_stages)
    bad = "number of cascade stages must be 1..3";
  if (bad)
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "Invalid detection parameters: %s", bad);
  return bad == NULL;
}

/* stage boundary: with timings, finish the queue and record the time */
static gboolean
mark (CascadeEngine * e, CascadeTimings * t, CascadeStage stage,
    gint64 * t0, GError ** error)
{
  gint64 now;
  if (!t)
    return TRUE;
  if (!cascade_ctx_finish (e->ctx, error))
    return FALSE;
  now = g_get_monotonic_time ();
  t->ms[stage] = (now - *t0) / 1000.0;
  *t0 = now;
  return TRUE;
}

static CascadeResult *
result_new (CascadeEngine * e, const CascadeResizeInfo * info,
    const CascadeDetectParams * p)
{
  CascadeResult *r = g_new0 (CascadeResult, 1);
  r->engine = e;
  r->width = info->src_w;
  r->height = info->src_h;
  r->mask_threshold = p->mask_threshold;
  return r;
}

/* everything after preprocessing; input is [1, 3, pad_h, pad_w] */
static CascadeResult *
run_network (CascadeEngine * e, const CascadeTensor * input,
    const CascadeResizeInfo * info, const CascadeDetectParams * p,
    CascadeCapture * cap, CascadeTimings * t, gint64 t0, GError ** error)
{
  CascadeTensor c[4], feats[5], proposals, boxes, scores;
  CascadeTensor dboxes, dscores, dlabels, probs;
  guint n_prop = 0, n_det = 0, i, max_det = MAX (p->max_detections, 1);
  CascadeResult *r = result_new (e, info, p);
  gfloat *hb = NULL, *hs = NULL;
  gint *hl = NULL;
  gboolean want_masks = p->masks && e->arch->with_mask;

  if (!cascade_backbone_forward (&e->backbone, e->ctx, e->arena, input, c,
          error) || !mark (e, t, CASCADE_STAGE_BACKBONE, &t0, error))
    goto failed;
  for (i = 0; cap && i < 4; i++) {
    gchar n[16];
    g_snprintf (n, sizeof n, "backbone.C%u", i + 2);
    if (!cascade_capture_put (cap, e->ctx, n, &c[i], error))
      goto failed;
  }
  if (!cascade_fpn_forward (&e->fpn, e->ctx, e->arena, c, feats, error)
      || !mark (e, t, CASCADE_STAGE_FPN, &t0, error))
    goto failed;
  for (i = 0; cap && i < 5; i++) {
    gchar n[16];
    g_snprintf (n, sizeof n, "neck.P%u", i + 2);
    if (!cascade_capture_put (cap, e->ctx, n, &feats[i], error))
      goto failed;
  }
  if (!cascade_rpn_forward (&e->rpn, e->ctx, e->arena, feats, info->dst_w,
          info->dst_h, cap, &proposals, &n_prop, error)
      || !mark (e, t, CASCADE_STAGE_RPN, &t0, error))
    goto failed;
  if (t) {
    t->flops[CASCADE_STAGE_BACKBONE] = cascade_backbone_flops (&e->backbone,
        input->shape[2], input->shape[3]);
    t->flops[CASCADE_STAGE_FPN] = cascade_fpn_flops (&e->fpn, c);
    t->flops[CASCADE_STAGE_RPN] = cascade_rpn_flops (&e->rpn, feats);
    t->proposals = n_prop;
  }
  if (n_prop == 0 || p->max_detections == 0)
    return r;

  e->roi.timing = t != NULL;
  if (!cascade_roi_head_forward (&e->roi, e->ctx, e->arena, feats, &proposals,
          n_prop, p->num_stages, info->dst_w, info->dst_h, cap, &boxes,
          &scores, error))
    goto failed;
  if (t) {
    for (i = 0; i < p->num_stages; i++) {
      t->ms[CASCADE_STAGE_BOX1 + i] = e->roi.stage_ms[i];
      t->flops[CASCADE_STAGE_BOX1 + i] =
          cascade_roi_head_flops (&e->roi, n_prop, 1);
    }
    t0 = g_get_monotonic_time ();
  }
  /* mmdetection rescales a box-only model's boxes (multiplying by
   * 1 / scale_factor) before the NMS, and a mask model's after the masks
   * (dividing by scale_factor): the NMS sees different coordinates */
  if (!e->arch->with_mask && !cascade_scale_boxes (e->ctx, &boxes, n_prop,
          (gfloat) (1.0 / info->scale_x), (gfloat) (1.0 / info->scale_y),
          error))
    goto failed;
  if (!cascade_arena_tensor (e->arena, "det.boxes", &dboxes,
          CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (max_det, 4), error)
      || !cascade_arena_tensor (e->arena, "det.scores", &dscores,
          CASCADE_DTYPE_F32, 1, CASCADE_SHAPE (max_det), error)
      || !cascade_arena_tensor (e->arena, "det.labels", &dlabels,
          CASCADE_DTYPE_I32, 1, CASCADE_SHAPE (max_det), error)
      || !cascade_multiclass_nms (e->ctx, e->arena, &boxes, &scores, n_prop,
          e->arch->num_classes, p->score_threshold, p->nms_threshold,
          p->max_detections, p->class_filter, &dboxes, &dscores, &dlabels,
          &n_det, error)
      || !mark (e, t, CASCADE_STAGE_NMS, &t0, error))
    goto failed;
  if (n_det == 0)
    return r;
  dboxes.shape[0] = dscores.shape[0] = dlabels.shape[0] = n_det;
  if (cap && !(cascade_capture_put (cap, e->ctx, "final.nms.bboxes", &dboxes,
              error)
          && cascade_capture_put (cap, e->ctx, "final.nms.scores", &dscores,
              error)
          && cascade_capture_put (cap, e->ctx, "final.nms.labels", &dlabels,
              error)))
    goto failed;

  if (want_masks) {
    if (!cascade_mask_head_forward (&e->mask, e->ctx, e->arena, feats,
            &dboxes, &dlabels, n_det, p->num_stages, cap, &probs, error)
        || !mark (e, t, CASCADE_STAGE_MASK, &t0, error))
      goto failed;
    if (t)
      t->flops[CASCADE_STAGE_MASK] = cascade_mask_head_flops (&e->mask, n_det,
          p->num_stages);
    if (!(r->masks = cascade_tensor_download (e->ctx, &probs, error)))
      goto failed;
  }

  if (!(hb = cascade_tensor_download (e->ctx, &dboxes, error))
      || !(hs = cascade_tensor_download (e->ctx, &dscores, error))
      || !(hl = cascade_tensor_download (e->ctx, &dlabels, error)))
    goto failed;
  r->n = n_det;
  r->dets = g_new (CascadeDetection, n_det);
  for (i = 0; i < n_det; i++) {
    /* mask models: mmdetection's float32 division by scale_factor */
    const gfloat sx = e->arch->with_mask ? (gfloat) info->scale_x : 1.0f;
    const gfloat sy = e->arch->with_mask ? (gfloat) info->scale_y : 1.0f;
    CascadeDetection *d = &r->dets[i];
    d->x1 = hb[4 * i] / sx;
    d->y1 = hb[4 * i + 1] / sy;
    d->x2 = hb[4 * i + 2] / sx;
    d->y2 = hb[4 * i + 3] / sy;
    d->score = hs[i];
    d->class_id = hl[i];
    if (cap) {
      hb[4 * i] = d->x1;
      hb[4 * i + 1] = d->y1;
      hb[4 * i + 2] = d->x2;
      hb[4 * i + 3] = d->y2;
    }
  }
  cascade_capture_put_host (cap, "det.bboxes", hb, 2, CASCADE_SHAPE (n_det,
          4));
  g_free (hb);
  g_free (hs);
  g_free (hl);
  if (t) {
    t->detections = n_det;
    if (!mark (e, t, CASCADE_STAGE_POSTPROCESS, &t0, error))
      goto failed;
  }
  return r;

  /* ERRORS */
failed:
  g_free (hb);
  g_free (hs);
  g_free (hl);
  cascade_result_free (r);
  return NULL;
}

CascadeResult *
cascade_engine_detect_full (CascadeEngine * e, const CascadeFrame * frame,
    const CascadeDetectParams * p, CascadeCapture * cap, CascadeTimings * t,
    GError ** error)
{
  CascadeResizeInfo info;
  CascadeNormalize norm;
  CascadeTensor input, resized, *resized_p = NULL;
  gint64 t0 = g_get_monotonic_time ();

  if (t)
    memset (t, 0, sizeof (*t));
  if (!check_params (e, p, error) || !cascade_frame_validate (frame, error))
    return NULL;
  cascade_resize_info (frame->width, frame->height, e->long_side,
      e->short_side, e->arch->pad_divisor, &info);
  memcpy (norm.mean, e->arch->mean, sizeof (norm.mean));
  memcpy (norm.std, e->arch->std, sizeof (norm.std));
  norm.to_rgb = e->arch->to_rgb;
  if (cap) {
    if (!cascade_arena_tensor (e->arena, "input.u8", &resized,
            CASCADE_DTYPE_U8, 3, CASCADE_SHAPE (3, info.dst_h, info.dst_w),
            error))
      return NULL;
    resized_p = &resized;
  }
  if (!cascade_arena_tensor (e->arena, "input", &input, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (1, 3, info.pad_h, info.pad_w), error)
      || !cascade_preprocess (e->ctx, e->arena, frame, &info, &norm, &input,
          resized_p, error)
      || !mark (e, t, CASCADE_STAGE_PREPROCESS, &t0, error))
    return NULL;
  if (cap && !(cascade_capture_put (cap, e->ctx,
              "pipeline_resized_uint8_bgr_chw", &resized, error)
          && cascade_capture_put (cap, e->ctx, "input_tensor", &input,
              error)))
    return NULL;
  return run_network (e, &input, &info, p, cap, t, t0, error);
}

CascadeResult *
cascade_engine_detect (CascadeEngine * e, const CascadeFrame * frame,
    const CascadeDetectParams * p, GError ** error)
{
  return cascade_engine_detect_full (e, frame, p, NULL, NULL, error);
}

CascadeResult *
cascade_engine_run_input (CascadeEngine * e, const gfloat * host,
    const CascadeResizeInfo * info, const CascadeDetectParams * p,
    CascadeCapture * cap, CascadeTimings * t, GError ** error)
{
  CascadeTensor input;
  if (t)
    memset (t, 0, sizeof (*t));
  if (!check_params (e, p, error)
      || !cascade_arena_tensor (e->arena, "input", &input, CASCADE_DTYPE_F32,
          4, CASCADE_SHAPE (1, 3, info->pad_h, info->pad_w), error)
      || !cascade_tensor_write (e->ctx, &input, host, error))
    return NULL;
  return run_network (e, &input, info, p, cap, t, g_get_monotonic_time (),
      error);
}

gboolean
cascade_engine_mask_probs (CascadeEngine * e, const gfloat * host,
    const CascadeResizeInfo * info, const gfloat * boxes,
    const gint * labels, guint n, gfloat * probs, GError ** error)
{
  CascadeTensor input, c[4], feats[5], tb, tl, out;
  if (!e->arch->with_mask || n == 0) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "No masks to compute (model %s masks, %u boxes)",
        e->arch->with_mask ? "with" : "without", n);
    return FALSE;
  }
  return cascade_arena_tensor (e->arena, "input", &input, CASCADE_DTYPE_F32,
      4, CASCADE_SHAPE (1, 3, info->pad_h, info->pad_w), error)
      && cascade_tensor_write (e->ctx, &input, host, error)
      && cascade_backbone_forward (&e->backbone, e->ctx, e->arena, &input, c,
      error)
      && cascade_fpn_forward (&e->fpn, e->ctx, e->arena, c, feats, error)
      && cascade_arena_tensor (e->arena, "det.boxes", &tb, CASCADE_DTYPE_F32,
      2, CASCADE_SHAPE (n, 4), error)
      && cascade_arena_tensor (e->arena, "det.labels", &tl, CASCADE_DTYPE_I32,
      1, CASCADE_SHAPE (n), error)
      && cascade_tensor_write (e->ctx, &tb, boxes, error)
      && cascade_tensor_write (e->ctx, &tl, labels, error)
      && cascade_mask_head_forward (&e->mask, e->ctx, e->arena, feats, &tb,
      &tl, n, e->mask.num_stages, NULL, &out, error)
      && cascade_tensor_read (e->ctx, &out, probs, error);
}

guint
cascade_result_count (const CascadeResult * r)
{
  return r->n;
}

const CascadeDetection *
cascade_result_get (const CascadeResult * r, guint index)
{
  g_return_val_if_fail (index < r->n, NULL);
  return &r->dets[index];
}

guint
cascade_result_frame_width (const CascadeResult * r)
{
  return r->width;
}

guint
cascade_result_frame_height (const CascadeResult * r)
{
  return r->height;
}

const gfloat *
cascade_result_mask_probs (const CascadeResult * r, guint index)
{
  if (!r->masks || index >= r->n)
    return NULL;
  return r->masks + (gsize) index * CASCADE_MASK_SIZE * CASCADE_MASK_SIZE;
}

gboolean
cascade_result_paste_mask (CascadeResult * r, guint index, guint8 * out,
    gsize stride, GError ** error)
{
  CascadeEngine *e = r->engine;
  CascadeTensor probs, bin;
  const CascadeDetection *d;
  gfloat box[4];
  gboolean ok;

  if (!r->masks || index >= r->n) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "Detection %u has no mask (%u detections, masks %s)", index, r->n,
        r->masks ? "on" : "off");
    return FALSE;
  }
  if (stride < r->width) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "Mask stride %" G_GSIZE_FORMAT " is smaller than the width %u",
        stride, r->width);
    return FALSE;
  }
  d = &r->dets[index];
  box[0] = d->x1;
  box[1] = d->y1;
  box[2] = d->x2;
  box[3] = d->y2;
  ok = cascade_arena_tensor (e->arena, "paste.probs", &probs,
      CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (CASCADE_MASK_SIZE,
          CASCADE_MASK_SIZE), error)
      && cascade_arena_tensor (e->arena, "paste.out", &bin, CASCADE_DTYPE_U8,
      2, CASCADE_SHAPE (r->height, r->width), error)
      && cascade_tensor_write (e->ctx, &probs,
      cascade_result_mask_probs (r, index), error)
      && cascade_mask_paste (e->ctx, &probs, CASCADE_MASK_SIZE, box, r->width,
      r->height, r->mask_threshold, &bin, error);
  if (ok && stride == r->width) {
    ok = cascade_tensor_read (e->ctx, &bin, out, error);
  } else if (ok) {
    guint8 *tmp = cascade_tensor_download (e->ctx, &bin, error);
    guint y;
    ok = tmp != NULL;
    for (y = 0; ok && y < r->height; y++)
      memcpy (out + y * stride, tmp + (gsize) y * r->width, r->width);
    g_free (tmp);
  }
  return ok;
}

void
cascade_result_free (CascadeResult * r)
{
  if (!r)
    return;
  g_free (r->dets);
  g_free (r->masks);
  g_free (r);
}
