/* gst-cascade: fully connected layer (GEMM + bias + optional ReLU) */
#pragma once

#include "ops/conv.h"

G_BEGIN_DECLS

typedef struct
{
  guint in, out;
  guint out_pad;                /* out rounded up to whole GEMM tiles */
  CascadeTensor weight;         /* [in, out_pad]: nn.Linear's, transposed,
                                   zero past out */
  CascadeTensor bias;           /* [out_pad], zero past out */
} CascadeFC;

gboolean cascade_fc_init (CascadeFC * fc, CascadeCtx * ctx, guint in,
    guint out, const gfloat * weight, const gfloat * bias, GError ** error);
void cascade_fc_clear (CascadeFC * fc);

/* out[n, out] = act (in[n, in] * weight^T + bias); in may be any tensor
 * whose elements are n rows of `in` floats (e.g. [n, C, 7, 7]).  A
 * padded layer (out_pad > out) multiplies into arena slot "fc.pad". */
gboolean cascade_fc_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeFC * fc, const CascadeTensor * in, gsize n, CascadeAct act,
    const CascadeTensor * out, GError ** error);

G_END_DECLS
