/* gst-cascade: fully connected layer (GEMM + bias + optional ReLU) */
#pragma once

#include "ops/conv.h"

G_BEGIN_DECLS

typedef struct
{
  guint in, out;
  CascadeTensor weight;         /* [in, out]: nn.Linear's, transposed */
  CascadeTensor bias;           /* [out] */
} CascadeFC;

gboolean cascade_fc_init (CascadeFC * fc, CascadeCtx * ctx, guint in,
    guint out, const gfloat * weight, const gfloat * bias, GError ** error);
void cascade_fc_clear (CascadeFC * fc);

/* out[n, out] = act (in[n, in] * weight^T + bias); in may be any tensor
 * whose elements are n rows of `in` floats (e.g. [n, C, 7, 7]). */
gboolean cascade_fc_forward (CascadeCtx * ctx, const CascadeFC * fc,
    const CascadeTensor * in, gsize n, CascadeAct act,
    const CascadeTensor * out, GError ** error);

G_END_DECLS
