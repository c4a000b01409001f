/* gst-cascade: sorting u64 keys on the device: a bitonic sort and a top-k
 * (used by the NMS and the RPN; their keys: ops/nms.h) */
#pragma once

#include "runtime/tensor.h"
#include "runtime/util.h"          /* cascade_next_pow2 */

G_BEGIN_DECLS

/* the key of padding and excluded candidates: sorts last */
#define CASCADE_KEY_INVALID G_MAXUINT64

/* Sorts n_pad (a power of two) u64 keys of buffer keys ascending, in
 * place, on the device (bitonic; the inner steps in local memory). */
gboolean cascade_sort_u64 (CascadeCtx * ctx, cl_mem keys, gsize n_pad,
    GError ** error);

/* The k smallest of n u64 keys (k < n), sorted ascending, into
 * out [next_pow2 (k)] (the rest CASCADE_KEY_INVALID): a radix select of the
 * k-th key (8 passes over the keys), a gather and a sort of k keys. */
gboolean cascade_topk_u64 (CascadeCtx * ctx, CascadeArena * arena,
    cl_mem keys, gsize n, gsize k, cl_mem out, GError ** error);

/* keys[i] = CASCADE_KEY_INVALID for from <= i < to (nothing when to <=
 * from): the padding of a key buffer up to a power of two */
gboolean cascade_keys_fill (CascadeCtx * ctx, cl_mem keys, gsize from,
    gsize to, GError ** error);

/* the largest power of two <= want and the work-group limit of kernel k */
gsize cascade_kernel_wg_pow2 (CascadeCtx * ctx, cl_kernel k, gsize want);

G_END_DECLS
