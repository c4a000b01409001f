/* gst-cascade: the architecture a model file describes (the `cascade`
 * string of its `__metadata__`, models/FORMAT.md): CascadeArch, filled
 * with FORMAT.md's defaults for optional fields and range-checked */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* the most channels any layer may have */
#define CASCADE_ARCH_MAX_CHANNELS 65535u

typedef struct
{
  /* detector */
  gboolean with_mask;
  guint num_classes;
  gchar **classes;              /* num_classes names, NULL-terminated */
  /* backbone */
  guint depth;                  /* 18, 34, 50, 101, 152 */
  guint groups;                 /* 1 for ResNet */
  guint base_width;             /* ResNeXt width per group */
  guint base_channels;          /* 64 for the zoo */
  gboolean caffe_style;         /* stride on the first 1x1 */
  /* neck */
  guint fpn_channels;
  guint num_outs;               /* 5: P2..P6 */
  /* rpn */
  guint rpn_channels;
  guint rpn_nms_pre;
  gfloat rpn_nms_iou;
  guint rpn_max_per_img;
  gfloat rpn_min_bbox_size;
  /* cascade roi head */
  guint num_stages;             /* 3 */
  guint roi_size;               /* 7 */
  guint finest_scale;           /* 56 */
  guint fc_channels;            /* 1024 */
  guint num_shared_fcs;         /* 2 */
  gfloat stage_stds[3][4];
  gfloat score_thr;             /* 0.05 */
  gfloat nms_iou;               /* 0.5 */
  guint max_per_img;            /* 100 */
  /* mask head (with_mask only) */
  guint mask_channels;          /* 256 */
  guint mask_num_convs;         /* 4 */
  guint mask_roi_size;          /* 14 */
  gfloat mask_thr;              /* 0.5 */
  /* preprocessing */
  guint test_scale[2];          /* long, short: 1333, 800 */
  gfloat mean[3];
  gfloat std[3];
  gboolean to_rgb;
  guint pad_divisor;            /* 32 */
} CascadeArch;

/* Parses `text`, the architecture metadata (the JSON object in the
 * `cascade` string of a model file's `__metadata__`), into *arch (zeroed
 * first).  rpn_channels, fc_channels and mask_channels stay 0 when the
 * metadata leaves them out: the model reads them from the tensors.
 * CASCADE_ERROR_MODEL, or _UNSUPPORTED for an architecture we do not run,
 * with messages "<file>: architecture metadata ..."; on failure *arch
 * holds nothing to free. */
gboolean cascade_arch_parse (const gchar * file, const gchar * text,
    CascadeArch * arch, GError ** error);
/* frees what *arch holds (the class names) */
void cascade_arch_clear (CascadeArch * arch);

/* "ResNet-50", "ResNeXt-101-32x4d" (g_free) */
gchar *cascade_arch_backbone_name (const CascadeArch * arch);

G_END_DECLS
