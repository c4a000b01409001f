/* gst-cascade: sorting and non-maximum suppression on the device.
 *
 * NMS of n candidates (kernels/nms.cl):
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
 *   6. the count is read back: the only host round trip. */
#include "ops/nms.h"
#include "runtime/error.h"

#define PROGRAM "nms"
#define SORT_CHUNK_MAX 2048
#define WG_MAX 256

guint
cascade_nms_index_bits (gsize n)
{
  guint b = 1;
  while (b < 63 && ((gsize) 1 << b) < n)
    b++;
  return b;
}

/* the largest power of two <= the kernel's and our work-group limit */
static gsize
kernel_wg (CascadeCtx * ctx, cl_kernel k, gsize want)
{
  size_t max = 1;
  gsize l = 1;
  clGetKernelWorkGroupInfo (k, cascade_device_id (cascade_ctx_device (ctx)),
      CL_KERNEL_WORK_GROUP_SIZE, sizeof (max), &max, NULL);
  while (l * 2 <= MIN ((gsize) max, want))
    l *= 2;
  return l;
}

static gsize
sort_chunk (CascadeCtx * ctx, gsize n_pad)
{
  cl_ulong local = 0;
  gsize chunk = SORT_CHUNK_MAX;
  clGetDeviceInfo (cascade_device_id (cascade_ctx_device (ctx)),
      CL_DEVICE_LOCAL_MEM_SIZE, sizeof (local), &local, NULL);
  while (chunk > 2 && chunk * 8 * 2 > local)
    chunk /= 2;
  return MIN (chunk, n_pad);
}

gboolean
cascade_sort_u64 (CascadeCtx * ctx, cl_mem keys, gsize n_pad,
    GError ** error)
{
  cl_kernel ks, kl, km;
  CascadeArgs a;
  gsize chunk, k, j, lws, gws;

  if (n_pad <= 1)
    return TRUE;
  if ((n_pad & (n_pad - 1)) != 0 || n_pad > G_MAXUINT32) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_sort_u64: %" G_GSIZE_FORMAT " is not a power of two below "
        "2^32", n_pad);
    return FALSE;
  }
  if (!(ks = cascade_ctx_kernel (ctx, PROGRAM, "cascade_sort_step", error))
      || !(kl = cascade_ctx_kernel (ctx, PROGRAM, "cascade_sort_local",
              error))
      || !(km = cascade_ctx_kernel (ctx, PROGRAM, "cascade_sort_merge",
              error)))
    return FALSE;
  chunk = sort_chunk (ctx, n_pad);
  lws = MIN (kernel_wg (ctx, kl, WG_MAX), kernel_wg (ctx, km, WG_MAX));
  lws = MIN (lws, chunk / 2);
  gws = n_pad / chunk * lws;

  a = cascade_args (kl);
  cascade_arg_mem (&a, keys);
  cascade_arg_int (&a, (gint) chunk);
  cascade_arg_local (&a, chunk * sizeof (cl_ulong));
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, kl, 1, &gws, &lws, error))
    return FALSE;
  for (k = 2 * chunk; k <= n_pad; k <<= 1) {
    for (j = k / 2; j >= chunk; j >>= 1) {
      gsize pairs = n_pad / 2;
      a = cascade_args (ks);
      cascade_arg_mem (&a, keys);
      cascade_arg_int (&a, (gint) n_pad);
      cascade_arg_int (&a, (gint) k);
      cascade_arg_int (&a, (gint) j);
      if (!cascade_args_check (&a, error)
          || !cascade_ctx_launch (ctx, ks, 1, &pairs, NULL, error))
        return FALSE;
    }
    a = cascade_args (km);
    cascade_arg_mem (&a, keys);
    cascade_arg_int (&a, (gint) chunk);
    cascade_arg_int (&a, (gint) k);
    cascade_arg_local (&a, chunk * sizeof (cl_ulong));
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, km, 1, &gws, &lws, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
fill_keys (CascadeCtx * ctx, cl_mem keys, gsize from, gsize to,
    GError ** error)
{
  cl_kernel k;
  CascadeArgs a;
  gsize n = to - from;
  cl_ulong inv = CASCADE_KEY_INVALID;
  if (to <= from)
    return TRUE;
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_keys_fill", error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, keys);
  cascade_arg_int (&a, (gint) from);
  cascade_arg_int (&a, (gint) to);
  cascade_arg (&a, sizeof (inv), &inv);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_topk_u64 (CascadeCtx * ctx, CascadeArena * arena, cl_mem keys,
    gsize n, gsize k, cl_mem out, GError ** error)
{
  CascadeTensor state, hist;
  cl_kernel ki, kh, ks, kg;
  CascadeArgs a;
  gsize k_pad = cascade_next_pow2 (k), lws, gws, one = 1, init = 258;
  gint shift;

  if (k == 0)
    return TRUE;
  if (k >= n || n > G_MAXUINT32) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "cascade_topk_u64: k = %" G_GSIZE_FORMAT " of n = %" G_GSIZE_FORMAT,
        k, n);
    return FALSE;
  }
  if (!cascade_arena_tensor (arena, "topk.state", &state, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (6), error)
      || !cascade_arena_tensor (arena, "topk.hist", &hist, CASCADE_DTYPE_I32,
          1, CASCADE_SHAPE (258), error))
    return FALSE;
  if (!(ki = cascade_ctx_kernel (ctx, PROGRAM, "cascade_topk_init", error))
      || !(kh = cascade_ctx_kernel (ctx, PROGRAM, "cascade_topk_hist", error))
      || !(ks = cascade_ctx_kernel (ctx, PROGRAM, "cascade_topk_select",
              error))
      || !(kg = cascade_ctx_kernel (ctx, PROGRAM, "cascade_topk_gather",
              error)))
    return FALSE;
  a = cascade_args (ki);
  cascade_arg_mem (&a, state.mem);
  cascade_arg_mem (&a, hist.mem);
  cascade_arg_int (&a, (gint) k);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, ki, 1, &init, NULL, error))
    return FALSE;
  /* a few work-groups per compute unit, each looping over the keys */
  lws = kernel_wg (ctx, kh, WG_MAX);
  gws = lws * CLAMP (n / (lws * 32), 1,
      4 * (gsize) cascade_device_compute_units (cascade_ctx_device (ctx)));
  for (shift = 56; shift >= 0; shift -= 8) {
    a = cascade_args (kh);
    cascade_arg_mem (&a, keys);
    cascade_arg_int (&a, (gint) n);
    cascade_arg_mem (&a, state.mem);
    cascade_arg_int (&a, shift);
    cascade_arg_mem (&a, hist.mem);
    cascade_arg_local (&a, 256 * sizeof (cl_int));
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, kh, 1, &gws, &lws, error))
      return FALSE;
    a = cascade_args (ks);
    cascade_arg_mem (&a, state.mem);
    cascade_arg_int (&a, shift);
    cascade_arg_mem (&a, hist.mem);
    if (!cascade_args_check (&a, error)
        || !cascade_ctx_launch (ctx, ks, 1, &one, NULL, error))
      return FALSE;
  }
  if (!fill_keys (ctx, out, k, k_pad, error))
    return FALSE;
  a = cascade_args (kg);
  cascade_arg_mem (&a, keys);
  cascade_arg_int (&a, (gint) n);
  cascade_arg_mem (&a, state.mem);
  cascade_arg_int (&a, (gint) k);
  cascade_arg_mem (&a, hist.mem);
  cascade_arg_mem (&a, out);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, kg, 1, &n, NULL, error)
      && cascade_sort_u64 (ctx, out, k_pad, error);
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
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_zero", error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, counts->mem);
  cascade_arg_int (&a, 4);
  return cascade_args_check (&a, error)
      && cascade_ctx_launch (ctx, k, 1, &n, NULL, error);
}

gboolean
cascade_nms_run (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeNmsJob * job, const CascadeTensor * counts, guint * n_keep,
    GError ** error)
{
  CascadeTensor sbox, sarea, seg, keep, mask, removed, mx, dummy, best;
  cl_mem out_keys = job->keys;
  cl_kernel k;
  CascadeArgs a;
  gsize n_pad = job->n_pad, words, lws, gws2[2];
  gint ib = (gint) job->index_bits;
  cl_int host_counts[2];
  guint what = 0;
  const CascadeTensor *first_out = NULL;

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

  /* max coordinate, one work-group */
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_max_coord",
              error)))
    return FALSE;
  lws = kernel_wg (ctx, k, WG_MAX);
  a = cascade_args (k);
  cascade_arg_mem (&a, job->keys);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, ib);
  cascade_arg_mem (&a, job->boxes->mem);
  cascade_arg_int (&a, (gint) job->boxes->offset);
  cascade_arg_int (&a, (gint) job->box_div);
  cascade_arg_mem (&a, mx.mem);
  cascade_arg_local (&a, lws * sizeof (cl_float));
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &lws, &lws, error))
    return FALSE;

  /* offset boxes, areas, segments */
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_prepare", error)))
    return FALSE;
  a = cascade_args (k);
  cascade_arg_mem (&a, job->keys);
  cascade_arg_int (&a, (gint) n_pad);
  cascade_arg_int (&a, ib);
  cascade_arg_mem (&a, job->boxes->mem);
  cascade_arg_int (&a, (gint) job->boxes->offset);
  cascade_arg_int (&a, (gint) job->box_div);
  cascade_arg_mem (&a, mx.mem);
  cascade_arg_mem (&a, sbox.mem);
  cascade_arg_mem (&a, sarea.mem);
  cascade_arg_mem (&a, seg.mem);
  if (!cascade_args_check (&a, error)
      || !cascade_ctx_launch (ctx, k, 1, &n_pad, NULL, error))
    return FALSE;

  /* IoU bits */
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_mask", error)))
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
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_scan", error)))
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
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_kept_keys",
              error)))
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

  /* outputs */
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
    if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_output", error)))
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
  if (!(k = cascade_ctx_kernel (ctx, PROGRAM, "cascade_nms_keys", error)))
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
