/* gst-cascade: non-maximum suppression on the device, with mmcv's
 * semantics (nms: IoU > thr suppresses, areas without +1; batched_nms: the
 * coordinate-offset trick below 10000 boxes, a loop over groups above),
 * and mmdetection's multiclass_nms built on it */
#pragma once

#include "ops/sort.h"

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

/* mmdetection's multiclass_nms: every (row, class) with scores[row, class]
 * > score_thr (classes 0..num_classes-1; column num_classes is background
 * and ignored; class_filter, when non-NULL, drops classes whose flag is
 * FALSE), per-class NMS with IoU > iou_thr suppressing, sorted by
 * descending score, the first max_det kept.  boxes [n, 4] class-agnostic,
 * scores [n, num_classes + 1].  Writes out_boxes [max_det, 4], out_scores
 * [max_det], out_labels [max_det] (i32) and *count.
 * As mmcv's batched_nms, boxes are moved by class * (max coordinate + 1)
 * before the IoU; exactly tied scores keep ascending (row * num_classes +
 * class) order.  Two host round trips: the candidate count, then *count.
 * Entries past *count are 0 (labels -1), or untouched when no candidate
 * passes score_thr. */
gboolean cascade_multiclass_nms (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeTensor * boxes, const CascadeTensor * scores, gsize n,
    guint num_classes, gfloat score_thr, gfloat iou_thr, guint max_det,
    const gboolean * class_filter, const CascadeTensor * out_boxes,
    const CascadeTensor * out_scores, const CascadeTensor * out_labels,
    guint * count, GError ** error);

/* Building blocks of the NMS, shared with the RPN (ops/proposals.c).
 *
 * Candidates are 64-bit keys (see ops/nms.cl), sorted by ops/sort.h:
 *   group << (32 + ib) | ~ord(score) << ib | index,
 * ascending: by group, then descending score, then ascending index
 * (our deterministic order for exactly tied scores, where mmcv's result
 * depends on torch's non-stable sort).  CASCADE_KEY_INVALID sorts last and
 * marks padding and excluded candidates. */

/* index bits ib for candidate indices 0..n-1 (at least 1) */
guint cascade_nms_index_bits (gsize n);

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
