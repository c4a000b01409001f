/* gst-cascade: RPN proposals on the device (ops/proposals.cl): per level
 * the top nms_pre anchors by sigmoid score (radix select of the keys, ties
 * by ascending anchor index, ops/sort.c), gathered with their deltas; all
 * levels decoded and clipped at once (ops/box_coder.c), small boxes
 * dropped, then one batched NMS over all levels with the level as group
 * (ops/nms.c).  One host round trip: the proposal count. */
#include "ops/proposals.h"
#include "ops/box_coder.h"
#include "ops/nms.h"
#include "runtime/error.h"

#include <math.h>
#include <string.h>

/* the kernels launched here */
static CascadeKernelDesc desc_rpn_level_keys =
    CASCADE_KERNEL_DESC ("proposals", "cascade_rpn_level_keys");
static CascadeKernelDesc desc_rpn_anchors =
    CASCADE_KERNEL_DESC ("proposals", "cascade_rpn_anchors");
static CascadeKernelDesc desc_rpn_min_size =
    CASCADE_KERNEL_DESC ("proposals", "cascade_rpn_min_size");

/* mmdetection's AnchorGenerator.gen_single_level_base_anchors for base
 * size = stride, scale 8, ratio r, centre offset 0, in float32 as torch
 * computes it: h_ratio = sqrt(r), w_ratio = 1 / h_ratio,
 * w = stride * w_ratio * 8, box = (0 - 0.5 w, 0 - 0.5 h, 0.5 w, 0.5 h) */
static cl_float4
base_anchor (guint stride, gfloat ratio)
{
  volatile gfloat hr = sqrtf (ratio);
  volatile gfloat wr = 1.0f / hr;
  volatile gfloat ws = (gfloat) stride * wr;
  volatile gfloat hs = (gfloat) stride * hr;
  cl_float4 b;
  ws = ws * 8.0f;
  hs = hs * 8.0f;
  b.s[0] = 0.0f - 0.5f * ws;
  b.s[1] = 0.0f - 0.5f * hs;
  b.s[2] = 0.0f + 0.5f * ws;
  b.s[3] = 0.0f + 0.5f * hs;
  return b;
}

static gboolean
check_level (const CascadeTensor * t, guint ch, guint l, const gchar * what,
    GError ** error)
{
  if (t->ndim != 4 || t->shape[0] != 1 || t->shape[1] != ch
      || t->dtype != CASCADE_DTYPE_F32) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_rpn_proposals: %s of level %u must be [1, %u, H, W] f32",
        what, l, ch);
    return FALSE;
  }
  return TRUE;
}

/* the candidates of each level: the first nms_pre by score (sorted) or
 * all of them, at first[l] .. first[l] + take[l] of the candidate list */
typedef struct
{
  gsize first[CASCADE_RPN_MAX_LEVELS], take[CASCADE_RPN_MAX_LEVELS];
  gboolean sorted[CASCADE_RPN_MAX_LEVELS];
  gsize total, max_take, max_n;
} LevelPlan;

/* checks the arguments and plans the levels' candidates */
static gboolean
plan_levels (const CascadeRpnParams * params, const CascadeTensor * cls,
    const CascadeTensor * reg, const CascadeTensor * boxes,
    const CascadeTensor * scores, LevelPlan * pl, GError ** error)
{
  guint l;

  memset (pl, 0, sizeof (*pl));
  pl->max_n = 1;
  if (params->num_levels < 1 || params->num_levels > CASCADE_RPN_MAX_LEVELS) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_rpn_proposals: %u levels (1..%d)", params->num_levels,
        CASCADE_RPN_MAX_LEVELS);
    return FALSE;
  }
  if (cascade_tensor_numel (boxes) < (gsize) params->max_per_img * 4
      || cascade_tensor_numel (scores) < params->max_per_img) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_rpn_proposals: outputs smaller than max_per_img = %u",
        params->max_per_img);
    return FALSE;
  }
  for (l = 0; l < params->num_levels; l++) {
    gsize n;
    if (!check_level (&cls[l], 3, l, "cls", error)
        || !check_level (&reg[l], 12, l, "reg", error))
      return FALSE;
    if (reg[l].shape[2] != cls[l].shape[2]
        || reg[l].shape[3] != cls[l].shape[3]) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "cascade_rpn_proposals: cls and reg sizes differ at level %u", l);
      return FALSE;
    }
    n = 3 * cls[l].shape[2] * cls[l].shape[3];
    pl->sorted[l] = params->nms_pre > 0 && params->nms_pre < n;
    pl->take[l] = pl->sorted[l] ? params->nms_pre : n;
    pl->first[l] = pl->total;
    pl->total += pl->take[l];
    pl->max_take = MAX (pl->max_take, pl->take[l]);
    if (pl->sorted[l])
      pl->max_n = MAX (pl->max_n, n);
  }
  return TRUE;
}

gboolean
cascade_rpn_proposals (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeRpnParams * params, const CascadeTensor * cls,
    const CascadeTensor * reg, guint img_w, guint img_h,
    const CascadeTensor * boxes, const CascadeTensor * scores,
    guint * count, GError ** error)
{
  static const gfloat ratios[3] = { 0.5f, 1.0f, 2.0f };
  static const gfloat stds[4] = { 1.0f, 1.0f, 1.0f, 1.0f };
  CascadeTensor keys, lkeys, lsel, cand, deltas, counts;
  CascadeNmsJob job = { 0 };
  cl_kernel kk, ka, km;
  CascadeArgs a;
  LevelPlan pl;
  gsize total, max_n, n_pad;
  guint l, ib;

  *count = 0;
  if (!plan_levels (params, cls, reg, boxes, scores, &pl, error))
    return FALSE;
  total = pl.total;
  max_n = pl.max_n;
  if (total == 0 || params->max_per_img == 0)
    return TRUE;
  if (total >= ((gsize) 1 << 28) || max_n >= ((gsize) 1 << 31)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_rpn_proposals: feature maps too large");
    return FALSE;
  }
  n_pad = cascade_next_pow2 (total);
  ib = cascade_nms_index_bits (total);

  if (!cascade_arena_tensor (arena, "rpn.keys", &keys, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (n_pad * 2), error)
      || !cascade_arena_tensor (arena, "rpn.level_keys", &lkeys,
          CASCADE_DTYPE_I32, 1, CASCADE_SHAPE (max_n * 2), error)
      || !cascade_arena_tensor (arena, "rpn.level_best", &lsel,
          CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (cascade_next_pow2 (MAX (params->nms_pre, 1)) * 2),
          error)
      || !cascade_arena_tensor (arena, "rpn.candidates", &cand,
          CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (total, 4), error)
      || !cascade_arena_tensor (arena, "rpn.deltas", &deltas,
          CASCADE_DTYPE_F32, 2, CASCADE_SHAPE (total, 4), error)
      || !cascade_nms_counts (ctx, arena, &counts, error))
    return FALSE;
  if (!(kk = cascade_ctx_kernel (ctx, &desc_rpn_level_keys, error))
      || !(ka = cascade_ctx_kernel (ctx, &desc_rpn_anchors, error))
      || !(km = cascade_ctx_kernel (ctx, &desc_rpn_min_size, error)))
    return FALSE;

  if (!cascade_keys_fill (ctx, keys.mem, total, n_pad, error))
    return FALSE;

  for (l = 0; l < params->num_levels; l++) {
    guint h = cls[l].shape[2], w = cls[l].shape[3];
    cl_float4 b0 = base_anchor (params->strides[l], ratios[0]);
    cl_float4 b1 = base_anchor (params->strides[l], ratios[1]);
    cl_float4 b2 = base_anchor (params->strides[l], ratios[2]);
    if (pl.take[l] == 0)
      continue;
    if (pl.sorted[l]) {
      gsize n = 3 * (gsize) h * w;
      a = cascade_args (kk);
      cascade_arg_mem (&a, cls[l].mem);
      cascade_arg_int (&a, (gint) cls[l].offset);
      cascade_arg_int (&a, (gint) (h * w));
      cascade_arg_int (&a, (gint) n);
      cascade_arg_mem (&a, lkeys.mem);
      if (!cascade_args_check (&a, error)
          || !cascade_ctx_launch (ctx, kk, 1, &n, NULL, error)
          || !cascade_topk_u64 (ctx, arena, lkeys.mem, n, pl.take[l],
              lsel.mem, error))
        return FALSE;
    }
    a = cascade_args (ka);
    cascade_arg_mem (&a, cls[l].mem);
    cascade_arg_int (&a, (gint) cls[l].offset);
    cascade_arg_mem (&a, reg[l].mem);
    cascade_arg_int (&a, (gint) reg[l].offset);
    cascade_arg_int (&a, (gint) h);
    cascade_arg_int (&a, (gint) w);
    cascade_arg_int (&a, (gint) params->strides[l]);
    cascade_arg_int (&a, pl.sorted[l]);
    cascade_arg_mem (&a, lsel.mem);
    cascade_arg_int (&a, (gint) pl.take[l]);
    cascade_arg (&a, sizeof (b0), &b0);
    cascade_arg (&a, sizeof (b1), &b1);
    cascade_arg (&a, sizeof (b2), &b2);
    cascade_arg_int (&a, (gint) l);
    cascade_arg_int (&a, (gint) pl.first[l]);
    cascade_arg_int (&a, (gint) ib);
    cascade_arg_mem (&a, cand.mem);
    cascade_arg_mem (&a, deltas.mem);
    cascade_arg_mem (&a, keys.mem);
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, ka, 1, &pl.take[l], NULL, error))
      return FALSE;
  }

  /* delta2bbox with stds 1, clipped to the image; in place */
  if (!cascade_delta2bbox (ctx, &cand, &deltas, total, stds, (gfloat) img_w,
          (gfloat) img_h, &cand, error))
    return FALSE;
  a = cascade_args (km);
  cascade_arg_mem (&a, cand.mem);
  cascade_arg_int (&a, (gint) total);
  cascade_arg_float (&a, params->min_bbox_size);
  cascade_arg_mem (&a, keys.mem);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, km, 1, &total, NULL, error))
    return FALSE;

  job.keys = keys.mem;
  job.n_pad = n_pad;
  job.index_bits = ib;
  job.boxes = &cand;
  job.box_div = 1;
  job.max_segment = pl.max_take;
  job.iou_threshold = params->nms_iou;
  job.max_keep = params->max_per_img;
  job.out_boxes = boxes;
  job.out_scores = scores;
  return cascade_nms_run (ctx, arena, &job, &counts, count, error);
}
