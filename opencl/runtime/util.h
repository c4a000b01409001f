/* gst-cascade: fill and copy on the device */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* sets every element of the float tensor t to value */
gboolean cascade_fill (CascadeCtx * ctx, const CascadeTensor * t,
    gfloat value, GError ** error);
/* copies n floats from src (+soff) to dst (+doff), offsets in elements and
 * added to the tensors' own offsets */
gboolean cascade_copy (CascadeCtx * ctx, const CascadeTensor * src,
    gsize soff, const CascadeTensor * dst, gsize doff, gsize n,
    GError ** error);

/* copies `rows` rows of `cols` floats from src (+soff) to dst (+doff),
 * whose rows are sld and dld floats apart; offsets in elements, added to
 * the tensors' own */
gboolean cascade_copy_rows (CascadeCtx * ctx, const CascadeTensor * src,
    gsize soff, gsize sld, const CascadeTensor * dst, gsize doff, gsize dld,
    gsize rows, gsize cols, GError ** error);

/* smallest power of two >= n (1 for n <= 1) */
gsize cascade_next_pow2 (gsize n);

G_END_DECLS
