/* gst-cascade: the backbone, ResNet / ResNeXt: input -> C2..C5 */
#pragma once

#include "net/pass.h"
#include "model/model.h"
#include "ops/conv.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean bottleneck;
  gboolean has_down;
  CascadeConv conv1, conv2, conv3, down;
} CascadeBlock;

typedef struct
{
  CascadeConv stem;
  guint n_blocks[4];
  CascadeBlock *blocks[4];
  guint out_channels[4];
} CascadeBackbone;

gboolean cascade_backbone_init (CascadeBackbone * bb, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error);
void cascade_backbone_clear (CascadeBackbone * bb);
/* stage BACKBONE: input [1, 3, H, W] -> c[0..3] = C2..C5 (arena slots
 * "C2".."C5"; reported as "backbone.C2".."backbone.C5") */
gboolean cascade_backbone_forward (const CascadeBackbone * bb,
    const CascadePass * pass, const CascadeTensor * input,
    CascadeTensor c[4], GError ** error);

G_END_DECLS
