/* gst-cascade: the cascade's mask heads: per-detection 28x28 mask
 * probabilities of the detection's class, averaged over the heads */
#pragma once

#include "net/pass.h"
#include "net/fpn.h"
#include "model/model.h"
#include "ops/conv.h"
#include "ops/deconv.h"

G_BEGIN_DECLS

#define CASCADE_MAX_MASK_CONVS 16   /* the loader's limit */

typedef struct
{
  guint num_convs;
  CascadeConv convs[CASCADE_MAX_MASK_CONVS];
  CascadeDeconv up;
  CascadeConv logits;
} CascadeMaskStage;

typedef struct
{
  guint num_stages;
  CascadeMaskStage stages[3];
  guint num_classes, channels, roi_size, in_channels, finest_scale;
} CascadeMaskHead;

gboolean cascade_mask_head_init (CascadeMaskHead * head, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error);
void cascade_mask_head_clear (CascadeMaskHead * head);
/* stage MASK: dets [n, 4] (input coordinates), labels [n] i32 -> probs
 * [n, 28, 28] (arena "mask.probs"), the mean over mask heads
 * 0..num_stages-1 of sigmoid(label channel) */
gboolean cascade_mask_head_forward (const CascadeMaskHead * head,
    const CascadePass * pass, const CascadeTensor p[CASCADE_FPN_LEVELS],
    const CascadeTensor * dets, const CascadeTensor * labels, guint n,
    guint num_stages, CascadeTensor * probs, GError ** error);

G_END_DECLS
