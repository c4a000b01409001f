/* gst-cascade: torch.softmax over the rows of a matrix */
#pragma once

#include "runtime/tensor.h"

G_BEGIN_DECLS

/* row-wise softmax of in [rows, cols] into out (may alias) */
gboolean cascade_softmax_rows (CascadeCtx * ctx, const CascadeTensor * in,
    gsize rows, gsize cols, const CascadeTensor * out, GError ** error);

G_END_DECLS
