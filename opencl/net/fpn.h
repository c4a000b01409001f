/* gst-cascade: the FPN neck: C2..C5 -> P2..P6, and the levels' strides,
 * which the RPN and the RoI heads share */
#pragma once

#include "net/pass.h"
#include "model/model.h"
#include "ops/conv.h"

G_BEGIN_DECLS

#define CASCADE_FPN_LEVELS 5    /* P2..P6 (the RPN's levels) */
#define CASCADE_FPN_ROI_LEVELS 4        /* P2..P5 (RoIAlign's levels) */

/* P2..P6: 4, 8, 16, 32, 64 input pixels per feature */
extern const guint cascade_fpn_strides[CASCADE_FPN_LEVELS];

typedef struct
{
  CascadeConv lateral[4];
  CascadeConv out[4];
  guint channels;
} CascadeFpn;

gboolean cascade_fpn_init (CascadeFpn * fpn, CascadeCtx * ctx,
    const CascadeModel * model, const guint in_channels[4], GError ** error);
void cascade_fpn_clear (CascadeFpn * fpn);
/* stage FPN: c[0..3] = C2..C5 -> p[0..4] = P2..P6 (arena slots "P2".."P6";
 * reported as "neck.P2".."neck.P6") */
gboolean cascade_fpn_forward (const CascadeFpn * fpn,
    const CascadePass * pass, const CascadeTensor c[4],
    CascadeTensor p[CASCADE_FPN_LEVELS], GError ** error);

G_END_DECLS
