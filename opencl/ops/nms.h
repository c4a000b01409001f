/* gst-cascade: sorting and non-maximum suppression on the device, with
 * mmcv's semantics (nms: IoU > thr suppresses, areas without +1;
 * batched_nms: the coordinate-offset trick below 10000 boxes, a loop over
 * groups above) */
#pragma once

#include "runtime/tensor.h"
#include "runtime/util.h"          /* cascade_next_pow2 */

G_BEGIN_DECLS

/* Batched NMS of n boxes [n, 4] (x1, y1, x2, y2) with scores [n] and group
 * ids [n] (i32; boxes of different groups never suppress each other).
 * Like mmcv, boxes are moved by group * (max coordinate + 1) before the IoU
 * (this changes rounding); unlike mmcv below 10000 boxes, groups never
 * interact even when coordinates are below -1.  A negative group id
 * excludes the box; group ids must be < 2^(32 - ib) - 1 where ib is the
 * number of bits of n - 1 (e.g. 262143 for n <= 16384), else
 * CASCADE_ERROR_INVALID_ARG.  Exactly tied scores keep ascending index
 * order.  Device memory: about n * ceil(n / 64) * 8 bytes (the IoU bit
 * matrix of the largest group).
 * Writes the indices of the kept boxes, sorted by descending score, to
 * keep [max_keep] (i32) and their number (<= max_keep) to *n_keep.
 * Reads back that one count: the only host round trip. */
gboolean cascade_batched_nms (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeTensor * boxes, const CascadeTensor * scores,
    const CascadeTensor * groups, gsize n, gfloat iou_threshold,
    guint max_keep, const CascadeTensor * keep, guint * n_keep,
    GError ** error);

/* Building blocks shared with rpn_ops and bbox_ops.
 *
 * Candidates are 64-bit keys (see kernels/nms.cl):
 *   group << (32 + ib) | ~ord(score) << ib | index,
 * sorted ascending: by group, then descending score, then ascending index
 * (our deterministic order for exactly tied scores, where mmcv's result
 * depends on torch's non-stable sort).  CASCADE_KEY_INVALID sorts last and
 * marks padding and excluded candidates. */
#define CASCADE_KEY_INVALID G_MAXUINT64

/* index bits ib for candidate indices 0..n-1 (at least 1) */
guint cascade_nms_index_bits (gsize n);

/* Sorts n_pad (a power of two) u64 keys of buffer keys ascending, in
 * place, on the device (bitonic; the inner steps in local memory). */
gboolean cascade_sort_u64 (CascadeCtx * ctx, cl_mem keys, gsize n_pad,
    GError ** error);

/* The k smallest of n u64 keys (k < n), sorted ascending, into
 * out [next_pow2 (k)] (the rest CASCADE_KEY_INVALID): a radix select of the
 * k-th key (8 passes over the keys), a gather and a sort of k keys. */
gboolean cascade_topk_u64 (CascadeCtx * ctx, CascadeArena * arena,
    cl_mem keys, gsize n, gsize k, cl_mem out, GError ** error);

/* The arena's 4-int counter buffer of the NMS, zeroed: [0] kept count,
 * [1] error flag (group id out of range), [2] candidate count */
gboolean cascade_nms_counts (CascadeCtx * ctx, CascadeArena * arena,
    CascadeTensor * counts, GError ** error);

typedef struct
{
  cl_mem keys;                  /* n_pad keys, unsorted; overwritten */
  gsize n_pad;                  /* power of two */
  guint index_bits;
  /* the box of candidate c is row c / box_div of boxes [*, 4] */
  const CascadeTensor *boxes;
  guint box_div;
  gsize max_segment;            /* bound on the candidates of one group */
  gfloat iou_threshold;
  guint max_keep;
  /* outputs, each optional: the first min(kept, max_keep) in descending
   * score order (then -1 / 0): candidate index, box, score, c % box_div */
  const CascadeTensor *out_index, *out_boxes, *out_scores, *out_labels;
} CascadeNmsJob;

/* Runs batched NMS (mmcv's semantics, offset trick included) over the
 * candidates of job->keys; counts must come from cascade_nms_counts and
 * be filled by the key kernels.  Reads back the count (the one host round
 * trip); fails with CASCADE_ERROR_INVALID_ARG when counts[1] is set. */
gboolean cascade_nms_run (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeNmsJob * job, const CascadeTensor * counts, guint * n_keep,
    GError ** error);

G_END_DECLS
