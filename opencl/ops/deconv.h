/* gst-cascade: 2x2 stride-2 transposed convolution (mask head upsample) */
#pragma once

#include "ops/conv.h"

G_BEGIN_DECLS

typedef struct
{
  guint cin, cout;
  CascadeTensor weight;         /* as uploaded by the layer */
  CascadeTensor bias;           /* [cout] */
} CascadeDeconv;

/* weight in PyTorch ConvTranspose2d layout [cin, cout, 2, 2] */
gboolean cascade_deconv_init (CascadeDeconv * d, CascadeCtx * ctx, guint cin,
    guint cout, const gfloat * weight, const gfloat * bias, GError ** error);
void cascade_deconv_clear (CascadeDeconv * d);

/* out [N, cout, 2h, 2w] = act (deconv (in [N, cin, h, w]) + bias) */
gboolean cascade_deconv_forward (CascadeCtx * ctx, CascadeArena * arena,
    const CascadeDeconv * d, const CascadeTensor * in, CascadeAct act,
    const CascadeTensor * out, GError ** error);

G_END_DECLS
