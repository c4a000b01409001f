/* gst-cascade: the cascade head's box arithmetic (kernels/bbox.cl) and
 * multi-class NMS (kernels/nms.cl) */
#include "ops/bbox_ops.h"
#include "ops/nms.h"
#include "runtime/error.h"

#include <math.h>

static gboolean
check_numel (const CascadeTensor * t, gsize n, const gchar * fn,
    const gchar * what, GError ** error)
{
  if (t->dtype != CASCADE_DTYPE_F32 || cascade_tensor_numel (t) < n) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "%s: %s must hold %" G_GSIZE_FORMAT " floats", fn, what, n);
    return FALSE;
  }
  return TRUE;
}

gboolean
cascade_delta2bbox (CascadeCtx * ctx, const CascadeTensor * rois,
    const CascadeTensor * deltas, gsize n, const gfloat stds[4],
    gfloat max_w, gfloat max_h, const CascadeTensor * out, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  cl_float4 std;
  guint i;
  gfloat max_ratio = (gfloat) fabs (log (16.0 / 1000.0));

  if (n == 0)
    return TRUE;
  if (!check_numel (rois, n * 4, "cascade_delta2bbox", "rois", error)
      || !check_numel (deltas, n * 4, "cascade_delta2bbox", "deltas", error)
      || !check_numel (out, n * 4, "cascade_delta2bbox", "out", error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, "bbox_ops", "cascade_delta2bbox", error)))
    return FALSE;
  for (i = 0; i < 4; i++)
    std.s[i] = stds[i];
  a = cascade_args (k);
  cascade_arg_mem (&a, rois->mem);
  cascade_arg_int (&a, (gint) rois->offset);
  cascade_arg_mem (&a, deltas->mem);
  cascade_arg_int (&a, (gint) deltas->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg (&a, sizeof (std), &std);
  cascade_arg_float (&a, max_ratio);
  cascade_arg_float (&a, max_w);
  cascade_arg_float (&a, max_h);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_scale_boxes (CascadeCtx * ctx, const CascadeTensor * boxes, gsize n,
    gfloat fx, gfloat fy, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (n == 0)
    return TRUE;
  if (!check_numel (boxes, n * 4, "cascade_scale_boxes", "boxes", error)
      || !(k = cascade_ctx_kernel (ctx, "bbox_ops", "cascade_scale_boxes", error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, boxes->mem);
  cascade_arg_int (&a, (gint) boxes->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_float (&a, fx);
  cascade_arg_float (&a, fy);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_accumulate (CascadeCtx * ctx, const CascadeTensor * logits,
    gsize n, gfloat scale, gboolean first, const CascadeTensor * acc,
    GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (n == 0)
    return TRUE;
  if (!check_numel (logits, n, "cascade_accumulate", "logits", error)
      || !check_numel (acc, n, "cascade_accumulate", "acc", error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, "bbox_ops", "cascade_accumulate", error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, logits->mem);
  cascade_arg_int (&a, (gint) logits->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_float (&a, scale);
  cascade_arg_int (&a, first ? 1 : 0);
  cascade_arg_mem (&a, acc->mem);
  cascade_arg_int (&a, (gint) acc->offset);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_divide (CascadeCtx * ctx, const CascadeTensor * acc, gsize n,
    gfloat divisor, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (n == 0)
    return TRUE;
  if (!check_numel (acc, n, "cascade_divide", "acc", error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, "bbox_ops", "cascade_divide", error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, acc->mem);
  cascade_arg_int (&a, (gint) acc->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_float (&a, divisor);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_softmax_rows (CascadeCtx * ctx, const CascadeTensor * in,
    gsize rows, gsize cols, const CascadeTensor * out, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  if (rows == 0 || cols == 0)
    return TRUE;
  if (!check_numel (in, rows * cols, "cascade_softmax_rows", "in", error)
      || !check_numel (out, rows * cols, "cascade_softmax_rows", "out",
          error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, "bbox_ops", "cascade_softmax_rows", error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, in->mem);
  cascade_arg_int (&a, (gint) in->offset);
  cascade_arg_int (&a, (gint) rows);
  cascade_arg_int (&a, (gint) cols);
  cascade_arg_mem (&a, out->mem);
  cascade_arg_int (&a, (gint) out->offset);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &rows, NULL, error);
}

gboolean
cascade_multiclass_nms (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeTensor * boxes, const CascadeTensor * scores, gsize n,
    guint num_classes, gfloat score_thr, gfloat iou_thr, guint max_det,
    const gboolean * class_filter, const CascadeTensor * out_boxes,
    const CascadeTensor * out_scores, const CascadeTensor * out_labels,
    guint * count, GError ** error)
{
  CascadeTensor keys, counts, class_ok;
  CascadeNmsJob job = { 0 };
  cl_kernel k;
  CascadeArgs a;
  gsize total = n * num_classes, n_pad;
  cl_int ncand = 0;
  gint *ok;
  guint ib, c;
  gboolean good;

  *count = 0;
  if (total == 0 || max_det == 0)
    return TRUE;
  ib = cascade_nms_index_bits (total);
  if (total >= ((gsize) 1 << 30)
      || num_classes + 1 >= ((guint64) 1 << (32 - ib))) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_multiclass_nms: %" G_GSIZE_FORMAT " rows x %u classes are "
        "too many", n, num_classes);
    return FALSE;
  }
  if (!check_numel (boxes, n * 4, "cascade_multiclass_nms", "boxes", error)
      || !check_numel (scores, n * (num_classes + 1),
          "cascade_multiclass_nms", "scores", error)
      || !check_numel (out_boxes, (gsize) max_det * 4,
          "cascade_multiclass_nms", "out_boxes", error)
      || !check_numel (out_scores, max_det, "cascade_multiclass_nms",
          "out_scores", error))
    return FALSE;
  if (out_labels->dtype != CASCADE_DTYPE_I32
      || cascade_tensor_numel (out_labels) < max_det) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_multiclass_nms: out_labels must hold %u i32", max_det);
    return FALSE;
  }

  if (!cascade_arena_tensor (arena, "mcnms.keys", &keys, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (cascade_next_pow2 (total) * 2), error)
      || !cascade_arena_tensor (arena, "mcnms.class_ok", &class_ok,
          CASCADE_DTYPE_I32, 1, CASCADE_SHAPE (num_classes), error)
      || !cascade_nms_counts (ctx, arena, &counts, error))
    return FALSE;
  ok = g_new (gint, num_classes);
  for (c = 0; c < num_classes; c++)
    ok[c] = class_filter ? (class_filter[c] ? 1 : 0) : 1;
  good = cascade_tensor_write (ctx, &class_ok, ok, error);
  g_free (ok);
  if (!good)
    return FALSE;

  if (!(k = cascade_ctx_kernel (ctx, "nms", "cascade_nms_mc_candidates",
              error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, scores->mem);
  cascade_arg_int (&a, (gint) scores->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_int (&a, (gint) num_classes);
  cascade_arg_float (&a, score_thr);
  cascade_arg_mem (&a, class_ok.mem);
  cascade_arg_int (&a, (gint) ib);
  cascade_arg_mem (&a, keys.mem);
  cascade_arg_mem (&a, counts.mem);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &total, NULL, error))
    return FALSE;
  /* the candidate count sizes the sort: the first round trip */
  if (!cascade_cl_check (clEnqueueReadBuffer (cascade_ctx_queue (ctx),
              counts.mem, CL_TRUE, (counts.offset + 2) * 4, sizeof (ncand),
              &ncand, 0, NULL, NULL), "clEnqueueReadBuffer(candidates)",
          error))
    return FALSE;
  if (ncand <= 0)
    return TRUE;
  n_pad = cascade_next_pow2 ((gsize) ncand);
  if (n_pad > (gsize) ncand) {
    gsize pad = n_pad - ncand;
    cl_ulong inv = CASCADE_KEY_INVALID;
    if (!(k = cascade_ctx_kernel (ctx, "nms", "cascade_keys_fill", error)))
      return FALSE;
    a = cascade_args (k);
    cascade_arg_mem (&a, keys.mem);
    cascade_arg_int (&a, ncand);
    cascade_arg_int (&a, (gint) n_pad);
    cascade_arg (&a, sizeof (inv), &inv);
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, k, 1, &pad, NULL, error))
      return FALSE;
  }

  job.keys = keys.mem;
  job.n_pad = n_pad;
  job.index_bits = ib;
  job.boxes = boxes;
  job.box_div = num_classes;
  job.max_segment = MIN (n, (gsize) ncand);
  job.iou_threshold = iou_thr;
  job.max_keep = max_det;
  job.out_boxes = out_boxes;
  job.out_scores = out_scores;
  job.out_labels = out_labels;
  return cascade_nms_run (ctx, arena, &job, &counts, count, error);
}
