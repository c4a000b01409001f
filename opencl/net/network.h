/* gst-cascade: the networks of a Cascade (Mask) R-CNN, built from a model
 * file: backbone, FPN, RPN head, the cascade's box heads and mask heads.
 * Each part has an _init that uploads its weights (BN folded), a _forward
 * that enqueues its work, and a _clear. */
#pragma once

#include "model/model.h"
#include "capture.h"
#include "ops/conv.h"
#include "ops/fc.h"
#include "ops/deconv.h"

G_BEGIN_DECLS

/* --- loading helpers (network-load.c) --- */

/* conv `conv_name` (no bias) followed by BatchNorm `bn_name`, folded */
gboolean cascade_load_conv_bn (CascadeConv * conv, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * conv_name,
    const gchar * bn_name, guint cin, guint cout, guint k, guint stride,
    guint pad, guint groups, GError ** error);
/* conv `name` with its bias (name.weight, name.bias) */
gboolean cascade_load_conv (CascadeConv * conv, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * name, guint cin, guint cout,
    guint k, guint stride, guint pad, GError ** error);
gboolean cascade_load_fc (CascadeFC * fc, CascadeCtx * ctx,
    const CascadeModel * model, const gchar * name, guint in, guint out,
    GError ** error);

/* --- backbone (backbone.c): ResNet / ResNeXt, outputs C2..C5 --- */

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
/* input [1, 3, H, W] -> c[0..3] = C2..C5 (arena slots "C2".."C5") */
gboolean cascade_backbone_forward (CascadeBackbone * bb, CascadeCtx * ctx,
    CascadeArena * arena, const CascadeTensor * input, CascadeTensor c[4],
    GError ** error);
gdouble cascade_backbone_flops (const CascadeBackbone * bb, gsize h, gsize w);

/* --- FPN (fpn.c): P2..P6 --- */

typedef struct
{
  CascadeConv lateral[4];
  CascadeConv out[4];
  guint channels;
} CascadeFpn;

gboolean cascade_fpn_init (CascadeFpn * fpn, CascadeCtx * ctx,
    const CascadeModel * model, const guint in_channels[4], GError ** error);
void cascade_fpn_clear (CascadeFpn * fpn);
gboolean cascade_fpn_forward (CascadeFpn * fpn, CascadeCtx * ctx,
    CascadeArena * arena, const CascadeTensor c[4], CascadeTensor p[5],
    GError ** error);
gdouble cascade_fpn_flops (const CascadeFpn * fpn, const CascadeTensor c[4]);

/* --- RPN (rpn.c): head convs + proposals --- */

typedef struct
{
  CascadeConv conv, cls, reg;
  guint nms_pre, max_per_img;
  gfloat nms_iou, min_bbox_size;
} CascadeRpn;

gboolean cascade_rpn_init (CascadeRpn * rpn, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error);
void cascade_rpn_clear (CascadeRpn * rpn);
/* proposals [max_per_img, 4] (arena "rpn.boxes"), *count of them */
gboolean cascade_rpn_forward (CascadeRpn * rpn, CascadeCtx * ctx,
    CascadeArena * arena, const CascadeTensor p[5], guint img_w,
    guint img_h, CascadeCapture * cap, CascadeTensor * proposals,
    guint * count, GError ** error);
gdouble cascade_rpn_flops (const CascadeRpn * rpn, const CascadeTensor p[5]);

/* --- cascade box heads (roi_head.c) --- */

typedef struct
{
  CascadeFC fc[2];
  CascadeFC cls, reg;
  gfloat stds[4];
} CascadeBoxHead;

typedef struct
{
  guint num_stages;
  CascadeBoxHead stages[3];
  guint num_classes, roi_size, finest_scale, fc_channels, in_channels;
  gboolean timing;              /* finish the queue after each stage ... */
  gdouble stage_ms[3];          /* ... and record its wall time here */
} CascadeRoiHead;

gboolean cascade_roi_head_init (CascadeRoiHead * head, CascadeCtx * ctx,
    const CascadeModel * model, GError ** error);
void cascade_roi_head_clear (CascadeRoiHead * head);
/* Runs stages 0..num_stages-1 on n proposals; leaves the final boxes
 * (decoded by the last stage, input coordinates) in *boxes [n, 4] and
 * softmax(mean logits) in *scores [n, num_classes + 1]. */
gboolean cascade_roi_head_forward (CascadeRoiHead * head, CascadeCtx * ctx,
    CascadeArena * arena, const CascadeTensor p[5],
    const CascadeTensor * proposals, guint n, guint num_stages,
    guint img_w, guint img_h, CascadeCapture * cap,
    CascadeTensor * boxes, CascadeTensor * scores, GError ** error);
gdouble cascade_roi_head_flops (const CascadeRoiHead * head, guint n,
    guint num_stages);

/* --- mask heads (mask_head.c) --- */

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
/* dets [n, 4] (input coordinates), labels [n] i32 -> probs [n, 28, 28],
 * the mean over mask heads 0..num_stages-1 of sigmoid(label channel) */
gboolean cascade_mask_head_forward (CascadeMaskHead * head, CascadeCtx * ctx,
    CascadeArena * arena, const CascadeTensor p[5],
    const CascadeTensor * dets, const CascadeTensor * labels, guint n,
    guint num_stages, CascadeCapture * cap, CascadeTensor * probs,
    GError ** error);
gdouble cascade_mask_head_flops (const CascadeMaskHead * head, guint n,
    guint num_stages);

G_END_DECLS
