/* gst-cascade: non-maximum suppression on the device (mmcv semantics).
 *
 * NMS of n candidates (ops/nms.cl):
 *   1. sort the 64-bit keys (group, descending score, index): each group
 *      becomes a contiguous segment, best first;
 *   2. the largest coordinate of the candidates' boxes (mmcv's
 *      max_coordinate), then each sorted box moved by group * (max + 1),
 *      its area and its segment bounds;
 *   3. the IoU bit matrix, restricted to each segment: row p holds
 *      ceil(max_segment / 64) words covering the later boxes of its segment
 *      (never O(n^2) over all groups together);
 *   4. a greedy scan per segment (one work-item each) marks the kept boxes
 *      and counts them;
 *   5. the kept keys without their group: the best max_keep of them by
 *      descending score over all groups (radix select + a small sort) are
 *      written out;
 *   6. the count is read back: the only host round trip.
 * cascade_batched_nms makes one key per box; cascade_multiclass_nms one
 * per (row, class) above the score threshold, compacted on the device. */
#include "ops/nms.h"
#include "ops/check.h"
#include "runtime/error.h"

#define WG_MAX 256

/* the kernels launched here */
static CascadeKernelDesc desc_nms_zero =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_zero");
static CascadeKernelDesc desc_nms_max_coord =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_max_coord");
static CascadeKernelDesc desc_nms_prepare =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_prepare");
static CascadeKernelDesc desc_nms_mask =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_mask");
static CascadeKernelDesc desc_nms_scan =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_scan");
static CascadeKernelDesc desc_nms_kept_keys =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_kept_keys");
static CascadeKernelDesc desc_nms_output =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_output");
static CascadeKernelDesc desc_nms_keys =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_keys");
static CascadeKernelDesc desc_nms_mc_candidates =
    CASCADE_KERNEL_DESC ("nms", "cascade_nms_mc_candidates");

guint
cascade_nms_index_bits (gsize n)
{
  guint b = 1;
  while (b < 63 && ((gsize) 1 << b) < n)
    b++;
  return b;
}

gboolean
cascade_nms_counts (CascadeCtx * ctx, CascadeArena * arena,
    CascadeTensor * counts, GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  gsize n = 4;
  if (!cascade_arena_tensor (arena, "nms.counts", counts, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (4), error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_zero, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, counts->mem);
  cascade_arg_int (&a, 4);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

/* mmcv's offset trick on the sorted candidates: mx = the largest
 * coordinate (one work-group), then each box moved by group * (mx + 1)
 * into sbox, its area into sarea and its segment bounds into seg */
static gboolean
offset_boxes (CascadeCtx * ctx, const CascadeNmsJob * job,
    const CascadeTensor * mx, const CascadeTensor * sbox,
    const CascadeTensor * sarea, const CascadeTensor * seg, GError ** error)
{
  gsize n_pad = job->n_pad, lws;
  gint ib = (gint) job->index_bits;
  cl_kernel k;
  CascadeArgs a;

  /* max coordinate, one work-group */
  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_max_coord, error)))
    return FALSE;
  lws = cascade_kernel_wg_pow2 (ctx, k, WG_MAX);
  a = cascade_args (k);
  cascade_arg_mem (&a, job->keys);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, ib);
  cascade_arg_mem (&a, job->boxes->mem);
  cascade_arg_int (&a, (gint) job->boxes->offset);
  cascade_arg_int (&a, (gint) job->box_div);
  cascade_arg_mem (&a, mx->mem);
  cascade_arg_local (&a, lws * sizeof (cl_float));
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &lws, &lws, error))
    return FALSE;

  /* offset boxes, areas, segments */
  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_prepare, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, job->keys);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, ib);
  cascade_arg_mem (&a, job->boxes->mem);
  cascade_arg_int (&a, (gint) job->boxes->offset);
  cascade_arg_int (&a, (gint) job->box_div);
  cascade_arg_mem (&a, mx->mem);
  cascade_arg_mem (&a, sbox->mem);
  cascade_arg_mem (&a, sarea->mem);
  cascade_arg_mem (&a, seg->mem);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &n_pad, NULL, error))
    return FALSE;
  return TRUE;
}

/* the first max_keep kept candidates of out_keys (sorted) into the job's
 * outputs */
static gboolean
write_outputs (CascadeCtx * ctx, const CascadeNmsJob * job, cl_mem out_keys,
    const CascadeTensor * counts, GError ** error)
{
  CascadeTensor dummy;
  const CascadeTensor *first_out = NULL;
  gint ib = (gint) job->index_bits;
  guint what = 0;
  cl_kernel k;
  CascadeArgs a;

  if (job->out_index) {
    what |= 1;
    first_out = job->out_index;
  }
  if (job->out_boxes) {
    what |= 2;
    first_out = job->out_boxes;
  }
  if (job->out_scores) {
    what |= 4;
    first_out = job->out_scores;
  }
  if (job->out_labels) {
    what |= 8;
    first_out = job->out_labels;
  }
  if (first_out && job->max_keep > 0) {
    gsize mk = job->max_keep;
    dummy = *first_out;
#define OUT(t) ((t) ? (t) : &dummy)

    if (!(k = cascade_ctx_kernel (ctx, &desc_nms_output, error)))
      return FALSE;
    a = cascade_args (k);
    cascade_arg_mem (&a, out_keys);
    cascade_arg_int (&a, ib);
    cascade_arg_mem (&a, counts->mem);
    cascade_arg_int (&a, (gint) job->max_keep);
    cascade_arg_int (&a, (gint) what);
    cascade_arg_mem (&a, job->boxes->mem);
    cascade_arg_int (&a, (gint) job->boxes->offset);
    cascade_arg_int (&a, (gint) job->box_div);
    cascade_arg_mem (&a, OUT (job->out_index)->mem);
    cascade_arg_int (&a, (gint) OUT (job->out_index)->offset);
    cascade_arg_mem (&a, OUT (job->out_boxes)->mem);
    cascade_arg_int (&a, (gint) OUT (job->out_boxes)->offset);
    cascade_arg_mem (&a, OUT (job->out_scores)->mem);
    cascade_arg_int (&a, (gint) OUT (job->out_scores)->offset);
    cascade_arg_mem (&a, OUT (job->out_labels)->mem);
    cascade_arg_int (&a, (gint) OUT (job->out_labels)->offset);
#undef OUT
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, k, 1, &mk, NULL, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
cascade_nms_run (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeNmsJob * job, const CascadeTensor * counts, guint * n_keep,
    GError ** error)
{
  CascadeTensor sbox, sarea, seg, keep, mask, removed, mx, best;
  cl_mem out_keys = job->keys;
  cl_kernel k;
  CascadeArgs a;
  gsize n_pad = job->n_pad, words, gws2[2];
  gint ib = (gint) job->index_bits;
  cl_int host_counts[2];

  *n_keep = 0;
  words = MAX ((MAX (job->max_segment, 1) + 63) / 64, 1);
  if (!cascade_sort_u64 (ctx, job->keys, n_pad, error))
    return FALSE;
  if (!cascade_arena_tensor (arena, "nms.sbox", &sbox, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (n_pad * 4), error)
      || !cascade_arena_tensor (arena, "nms.sarea", &sarea, CASCADE_DTYPE_F32,
          1, CASCADE_SHAPE (n_pad), error)
      || !cascade_arena_tensor (arena, "nms.seg", &seg, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (n_pad * 2), error)
      || !cascade_arena_tensor (arena, "nms.keep", &keep, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (n_pad), error)
      || !cascade_arena_tensor (arena, "nms.mask", &mask, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (n_pad * words * 2), error)
      || !cascade_arena_tensor (arena, "nms.removed", &removed,
          CASCADE_DTYPE_I32, 1, CASCADE_SHAPE (n_pad * 2), error)
      || !cascade_arena_tensor (arena, "nms.mx", &mx, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (1), error))
    return FALSE;

  if (!offset_boxes (ctx, job, &mx, &sbox, &sarea, &seg, error))
    return FALSE;

  /* IoU bits */
  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_mask, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, job->keys);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, (gint) words);
  cascade_arg_mem (&a, sbox.mem);
  cascade_arg_mem (&a, sarea.mem);
  cascade_arg_mem (&a, seg.mem);
  cascade_arg_float (&a, job->iou_threshold);
  cascade_arg_mem (&a, mask.mem);
  gws2[0] = words;
  gws2[1] = n_pad;
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 2, gws2, NULL, error))
    return FALSE;

  /* greedy scan per segment */
  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_scan, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, job->keys);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, (gint) words);
  cascade_arg_mem (&a, seg.mem);
  cascade_arg_mem (&a, mask.mem);
  cascade_arg_mem (&a, removed.mem);
  cascade_arg_mem (&a, keep.mem);
  cascade_arg_mem (&a, counts->mem);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &n_pad, NULL, error))
    return FALSE;

  /* kept keys by score over all groups */
  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_kept_keys, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, job->keys);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, ib);
  cascade_arg_mem (&a, keep.mem);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &n_pad, NULL, error))
    return FALSE;
  if (job->max_keep < n_pad) {
    /* only the best max_keep are written: a top-k, not a sort */
    if (!cascade_arena_tensor (arena, "nms.best", &best, CASCADE_DTYPE_I32,
            1, CASCADE_SHAPE (cascade_next_pow2 (job->max_keep) * 2), error)
        || !cascade_topk_u64 (ctx, arena, job->keys, n_pad, job->max_keep,
            best.mem, error))
      return FALSE;
    out_keys = best.mem;
  } else if (!cascade_sort_u64 (ctx, job->keys, n_pad, error)) {
    return FALSE;
  }

  if (!write_outputs (ctx, job, out_keys, counts, error))
    return FALSE;

  if (!cascade_cl_check (clEnqueueReadBuffer (cascade_ctx_queue (ctx),
              counts->mem, CL_TRUE, counts->offset * 4, sizeof (host_counts),
              host_counts, 0, NULL, NULL), "clEnqueueReadBuffer(nms count)",
          error))
    return FALSE;
  if (host_counts[1] != 0) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "NMS: a group id is out of range (at most %" G_GUINT64_FORMAT
        " for %u index bits)", ((guint64) 1 << (32 - ib)) - 2, (guint) ib);
    return FALSE;
  }
  *n_keep = MIN ((guint) MAX (host_counts[0], 0), job->max_keep);
  return TRUE;
}

gboolean
cascade_batched_nms (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeTensor * boxes, const CascadeTensor * scores,
    const CascadeTensor * groups, gsize n, gfloat iou_threshold,
    guint max_keep, const CascadeTensor * keep, guint * n_keep,
    GError ** error)
{
  CascadeTensor keys, counts;
  CascadeNmsJob job = { 0 };
  cl_kernel k;
  CascadeArgs a;
  gsize n_pad;
  guint ib;

  *n_keep = 0;
  if (n == 0)
    return TRUE;
  if (n >= ((gsize) 1 << 30)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_batched_nms: %" G_GSIZE_FORMAT " boxes are too many", n);
    return FALSE;
  }
  if (cascade_tensor_numel (boxes) < n * 4
      || cascade_tensor_numel (scores) < n
      || cascade_tensor_numel (groups) < n || groups->dtype != CASCADE_DTYPE_I32
      || keep->dtype != CASCADE_DTYPE_I32
      || cascade_tensor_numel (keep) < max_keep) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_batched_nms: tensor shapes or types do not match n = %"
        G_GSIZE_FORMAT " / max_keep = %u", n, max_keep);
    return FALSE;
  }
  n_pad = cascade_next_pow2 (n);
  ib = cascade_nms_index_bits (n);
  if (!cascade_arena_tensor (arena, "nms.keys", &keys, CASCADE_DTYPE_I32, 1,
          CASCADE_SHAPE (n_pad * 2), error)
      || !cascade_nms_counts (ctx, arena, &counts, error))
    return FALSE;
  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_keys, error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, scores->mem);
  cascade_arg_int (&a, (gint) scores->offset);
  cascade_arg_mem (&a, groups->mem);
  cascade_arg_int (&a, (gint) groups->offset);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, (gint) ib);
  cascade_arg_int (&a, (gint) (((guint64) 1 << (32 - ib)) - 1));
  cascade_arg_mem (&a, keys.mem);
  cascade_arg_mem (&a, counts.mem);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &n_pad, NULL, error))
    return FALSE;

  job.keys = keys.mem;
  job.n_pad = n_pad;
  job.index_bits = ib;
  job.boxes = boxes;
  job.box_div = 1;
  job.max_segment = n;
  job.iou_threshold = iou_threshold;
  job.max_keep = max_keep;
  job.out_index = keep;
  return cascade_nms_run (ctx, arena, &job, &counts, n_keep, error);
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
  if (!cascade_check_floats (boxes, n * 4, "cascade_multiclass_nms", "boxes",
          error)
      || !cascade_check_floats (scores, n * (num_classes + 1),
          "cascade_multiclass_nms", "scores", error)
      || !cascade_check_floats (out_boxes, (gsize) max_det * 4,
          "cascade_multiclass_nms", "out_boxes", error)
      || !cascade_check_floats (out_scores, max_det, "cascade_multiclass_nms",
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

  if (!(k = cascade_ctx_kernel (ctx, &desc_nms_mc_candidates, error)))
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
  if (!cascade_keys_fill (ctx, keys.mem, (gsize) ncand, n_pad, error))
    return FALSE;

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
