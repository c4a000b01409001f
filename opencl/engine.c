/* gst-cascade: the engine: model + device + the network's stages (net/),
 * one frame at a time; an observer (engine-private.h) may watch the
 * passes */
#include "engine-private.h"
#include "runtime/error.h"
#include "net/backbone.h"
#include "net/fpn.h"
#include "net/rpn.h"
#include "net/roi_head.h"
#include "net/mask_head.h"
#include "net/postprocess.h"
#include "ops/box_scale.h"
#include "ops/nms.h"
#include "ops/mask_paste.h"
#include "runtime/options.h"
#include "runtime/program-cache.h"
#include "blas/tuning.h"

#include <string.h>

#define MAX_FRAME_SIDE 8192
#define MAX_INPUT_SIDE 4096

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
  CascadePostprocess post;
  guint long_side, short_side;
  CascadeObserver observer;
  gboolean observed;            /* observer set */
  guint delay_ms;               /* $CASCADE_DETECT_DELAY_MS */
  guint frames;                 /* passes run; tune_budget_ms: after the 1st */
  gdouble tune_budget_ms;
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

const gchar *
cascade_progress_phase_name (CascadeProgressPhase phase)
{
  static const gchar *const names[] = { "load", "build", "weights",
    "prepare"
  };
  return (guint) phase < G_N_ELEMENTS (names) ? names[phase] : NULL;
}

static void
progress_report (CascadeProgressFunc progress, gpointer user_data,
    CascadeProgressPhase phase, const gchar * what, guint k, guint n)
{
  if (progress)
    progress (phase, what, k, n, user_data);
}

/* compiles every program now (once per device), not on the first frame */
static gboolean
build_programs (CascadeEngine * e, CascadeProgressFunc progress,
    gpointer user_data, GError ** error)
{
  const gchar *const *names = cascade_kernel_source_names ();
  guint n = g_strv_length ((gchar **) names), k;

  for (k = 0; k < n; k++) {
    progress_report (progress, user_data, CASCADE_PROGRESS_BUILD, names[k],
        k + 1, n);
    if (!cascade_device_program (e->dev, names[k], error))
      return FALSE;
  }
  return TRUE;
}

CascadeEngine *
cascade_engine_new_with_progress (const gchar * device,
    const gchar * model_path, CascadeProgressFunc progress,
    gpointer user_data, GError ** error)
{
  CascadeEngine *e = g_new0 (CascadeEngine, 1);

  progress_report (progress, user_data, CASCADE_PROGRESS_LOAD, model_path,
      1, 1);
  if (!(e->model = cascade_model_load (model_path, error)))
    goto failed;
  e->arch = cascade_model_arch (e->model);
  e->long_side = e->arch->test_scale[0];
  e->short_side = e->arch->test_scale[1];
  if (!(e->dev = cascade_device_open (device, error))
      || !(e->ctx = cascade_ctx_new (e->dev, error)))
    goto failed;
  e->delay_ms = cascade_options_detect_delay_ms ();
  e->arena = cascade_arena_new (e->ctx);
  e->tune_budget_ms = 1000.0;   /* ~40 R-50 frames measure all shapes */
  cascade_program_cache_defer ();
  if (!build_programs (e, progress, user_data, error))
    goto failed;
  progress_report (progress, user_data, CASCADE_PROGRESS_WEIGHTS,
      model_path, 1, 1);
  if (!cascade_backbone_init (&e->backbone, e->ctx, e->model, error)
      || !cascade_fpn_init (&e->fpn, e->ctx, e->model,
          e->backbone.out_channels, error)
      || !cascade_rpn_init (&e->rpn, e->ctx, e->model, error)
      || !cascade_roi_head_init (&e->roi, e->ctx, e->model, error)
      || (e->arch->with_mask
          && !cascade_mask_head_init (&e->mask, e->ctx, e->model, error))
      || !cascade_ctx_finish (e->ctx, error))
    goto failed;
  cascade_postprocess_init (&e->post, e->model);
  return e;

  /* ERRORS */
failed:
  cascade_engine_free (e);
  return NULL;
}

CascadeEngine *
cascade_engine_new (const gchar * device, const gchar * model_path,
    GError ** error)
{
  return cascade_engine_new_with_progress (device, model_path, NULL, NULL,
      error);
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
  cascade_program_cache_flush ();
  cascade_program_cache_wait ();
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

void
cascade_engine_set_observer (CascadeEngine * e,
    const CascadeObserver * observer)
{
  if (observer)
    e->observer = *observer;
  e->observed = observer != NULL;
}

/* a pass of the engine, watched by its observer if it has one */
static void
pass_init (CascadeEngine * e, CascadePass * pass)
{
  pass->ctx = e->ctx;
  pass->arena = e->arena;
  pass->observer = e->observed ? &e->observer : NULL;
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

/* every stage after preprocessing; input is [1, 3, pad_h, pad_w] */
static CascadeResult *
network (CascadeEngine * e, const CascadePass * pass,
    const CascadeTensor * input, const CascadeResizeInfo * info,
    const CascadeDetectParams * p, GError ** error)
{
  CascadeTensor c[4], feats[CASCADE_FPN_LEVELS], proposals, boxes, scores;
  CascadeTensor probs;
  CascadeDetTensors dets;
  guint n_prop = 0;
  CascadeResult *r = result_new (e, info, p);
  gboolean want_masks = p->masks && e->arch->with_mask;

  if (!cascade_backbone_forward (&e->backbone, pass, input, c, error)
      || !cascade_fpn_forward (&e->fpn, pass, c, feats, error)
      || !cascade_rpn_forward (&e->rpn, pass, feats, info->dst_w,
          info->dst_h, &proposals, &n_prop, error))
    goto failed;
  if (n_prop == 0 || p->max_detections == 0)
    return r;
  if (!cascade_roi_head_forward (&e->roi, pass, feats, &proposals, n_prop,
          p->num_stages, info->dst_w, info->dst_h, &boxes, &scores, error)
      || !cascade_postprocess_nms (&e->post, pass, &boxes, &scores, n_prop,
          info, p, &dets, error))
    goto failed;
  if (dets.n == 0)
    return r;
  if ((want_masks && !cascade_mask_head_forward (&e->mask, pass, feats,
              &dets.boxes, &dets.labels, dets.n, p->num_stages, &probs,
              error))
      || !cascade_postprocess_results (&e->post, pass, &dets,
          want_masks ? &probs : NULL, info, &r->dets, &r->masks, error))
    goto failed;
  r->n = dets.n;
  return r;

  /* ERRORS */
failed:
  cascade_result_free (r);
  return NULL;
}

/* network() measuring as tuning.h allows: nothing on the first pass, after
 * which the programs (deferred at start) go to the disk cache */
static CascadeResult *
run_network (CascadeEngine * e, const CascadePass * pass,
    const CascadeTensor * input, const CascadeResizeInfo * info,
    const CascadeDetectParams * p, GError ** error)
{
  CascadeResult *r;
  cascade_tuning_frame_begin (e->frames == 0 && e->tune_budget_ms >= 0 ? 0.0
      : e->tune_budget_ms);
  r = network (e, pass, input, info, p, error);
  cascade_tuning_frame_end ();
  if (e->frames++ == 0)
    cascade_program_cache_flush ();
  return r;
}

void
cascade_engine_set_tune_budget (CascadeEngine * e, gdouble ms)
{
  e->tune_budget_ms = ms;
}

/* stage PREPROCESS: the frame into input [1, 3, pad_h, pad_w] */
static gboolean
preprocess (CascadeEngine * e, const CascadePass * pass,
    const CascadeFrame * frame, const CascadeResizeInfo * info,
    CascadeTensor * input, GError ** error)
{
  /* the resized 8-bit image only for an observer that takes it */
  gboolean resized_wanted = cascade_pass_wants_tensors (pass);
  CascadeNormalize norm;
  CascadeTensor resized;

  memcpy (norm.mean, e->arch->mean, sizeof (norm.mean));
  memcpy (norm.std, e->arch->std, sizeof (norm.std));
  norm.to_rgb = e->arch->to_rgb;
  cascade_pass_stage_begin (pass, CASCADE_STAGE_PREPROCESS);
  if (resized_wanted && !cascade_arena_tensor (e->arena, "input.u8",
          &resized, CASCADE_DTYPE_U8, 3, CASCADE_SHAPE (3, info->dst_h,
              info->dst_w), error))
    return FALSE;
  if (!cascade_arena_tensor (e->arena, "input", input, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (1, 3, info->pad_h, info->pad_w), error)
      || !cascade_preprocess (e->ctx, e->arena, frame, info, &norm, input,
          resized_wanted ? &resized : NULL, error)
      || !cascade_pass_stage_end (pass, CASCADE_STAGE_PREPROCESS, 0.0, 0,
          error))
    return FALSE;
  return !resized_wanted
      || (cascade_pass_tensor (pass, &resized, error,
          "pipeline_resized_uint8_bgr_chw")
      && cascade_pass_tensor (pass, input, error, "input_tensor"));
}

CascadeResult *
cascade_engine_detect (CascadeEngine * e, const CascadeFrame * frame,
    const CascadeDetectParams * p, GError ** error)
{
  CascadePass pass;
  CascadeResizeInfo info;
  CascadeTensor input;

  if (!check_params (e, p, error) || !cascade_frame_validate (frame, error))
    return NULL;
  pass_init (e, &pass);
  cascade_resize_info (frame->width, frame->height, e->long_side,
      e->short_side, e->arch->pad_divisor, &info);
  if (!preprocess (e, &pass, frame, &info, &input, error))
    return NULL;
  if (e->delay_ms)
    g_usleep ((gulong) e->delay_ms * 1000);
  return run_network (e, &pass, &input, &info, p, error);
}

typedef struct
{
  CascadeProgressFunc progress;
  gpointer user_data;
  guint k, n;
} PrepareWatch;

static void
prepare_stage (CascadeStage stage, gboolean begin, gdouble flops,
    guint count, gpointer user_data)
{
  PrepareWatch *w = user_data;

  if (begin && w->k < w->n)
    w->progress (CASCADE_PROGRESS_PREPARE, cascade_stage_names[stage],
        ++w->k, w->n, w->user_data);
}

gboolean
cascade_engine_prepare (CascadeEngine * e, guint width, guint height,
    CascadeProgressFunc progress, gpointer user_data, GError ** error)
{
  PrepareWatch w = { progress, user_data, 0, 0 };
  CascadeObserver watch = { prepare_stage, NULL, &w };
  CascadeObserver saved = e->observer;
  gboolean saved_on = e->observed;
  CascadeDetectParams p;
  CascadeFrame f;
  CascadeResult *r;
  guint8 *pixels;

  if (width == 0 || height == 0 || width > MAX_FRAME_SIDE
      || height > MAX_FRAME_SIDE) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "Cannot prepare for a %ux%u frame", width, height);
    return FALSE;
  }
  cascade_detect_params_init (&p, e);
  p.score_threshold = 0.0f;
  /* preprocess, backbone, FPN, RPN, the box stages, NMS, (mask,) post */
  w.n = 4 + p.num_stages + 1 + (p.masks ? 1 : 0) + 1;
  memset (&f, 0, sizeof (f));
  f.format = CASCADE_FORMAT_RGB;
  f.width = width;
  f.height = height;
  f.strides[0] = (gsize) 3 * width;
  pixels = g_malloc0 (f.strides[0] * height);
  f.planes[0] = pixels;
  if (progress && !saved_on)
    cascade_engine_set_observer (e, &watch);
  r = cascade_engine_detect (e, &f, &p, error);
  e->observer = saved;
  e->observed = saved_on;
  g_free (pixels);
  cascade_result_free (r);
  return r != NULL;
}

CascadeResult *
cascade_engine_run_input (CascadeEngine * e, const gfloat * host,
    const CascadeResizeInfo * info, const CascadeDetectParams * p,
    GError ** error)
{
  CascadePass pass;
  CascadeTensor input;

  pass_init (e, &pass);
  if (!check_params (e, p, error)
      || !cascade_arena_tensor (e->arena, "input", &input, CASCADE_DTYPE_F32,
          4, CASCADE_SHAPE (1, 3, info->pad_h, info->pad_w), error)
      || !cascade_tensor_write (e->ctx, &input, host, error))
    return NULL;
  return run_network (e, &pass, &input, info, p, error);
}

gboolean
cascade_engine_mask_probs (CascadeEngine * e, const gfloat * host,
    const CascadeResizeInfo * info, const gfloat * boxes,
    const gint * labels, guint n, gfloat * probs, GError ** error)
{
  /* not observed: its tensors would replace those of the observed pass */
  CascadePass pass = { e->ctx, e->arena, NULL };
  CascadeTensor input, c[4], feats[CASCADE_FPN_LEVELS], tb, tl, out;
  if (!e->arch->with_mask || n == 0) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "No masks to compute (model %s masks, %u boxes)",
        e->arch->with_mask ? "with" : "without", n);
    return FALSE;
  }
  return cascade_arena_tensor (e->arena, "input", &input, CASCADE_DTYPE_F32,
      4, CASCADE_SHAPE (1, 3, info->pad_h, info->pad_w), error)
      && cascade_tensor_write (e->ctx, &input, host, error)
      && cascade_backbone_forward (&e->backbone, &pass, &input, c, error)
      && cascade_fpn_forward (&e->fpn, &pass, c, feats, error)
      && cascade_arena_tensor (e->arena, "det.boxes", &tb, CASCADE_DTYPE_F32,
      2, CASCADE_SHAPE (n, 4), error)
      && cascade_arena_tensor (e->arena, "det.labels", &tl, CASCADE_DTYPE_I32,
      1, CASCADE_SHAPE (n), error)
      && cascade_tensor_write (e->ctx, &tb, boxes, error)
      && cascade_tensor_write (e->ctx, &tl, labels, error)
      && cascade_mask_head_forward (&e->mask, &pass, feats, &tb, &tl, n,
      e->mask.num_stages, &out, error)
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
