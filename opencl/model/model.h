/* gst-cascade: the model file (safetensors + architecture metadata, see
 * models/FORMAT.md): mapped, fully validated at load */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

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

typedef struct _CascadeModel CascadeModel;

/* Maps and validates the file: header, JSON, dtypes, shapes, offsets, the
 * architecture metadata and that every tensor the architecture needs is
 * present with its shape.  CASCADE_ERROR_MODEL (or _UNSUPPORTED for a
 * valid file of an architecture we do not run) naming the file and the
 * problem. */
CascadeModel *cascade_model_load (const gchar * path, GError ** error);
void cascade_model_free (CascadeModel * model);

const CascadeArch *cascade_model_arch (const CascadeModel * model);
const gchar *cascade_model_path (const CascadeModel * model);
guint cascade_model_n_tensors (const CascadeModel * model);
gboolean cascade_model_has (const CascadeModel * model, const gchar * name);

/* Tensor `name` converted to float32 (g_free), after checking that its
 * shape is exactly shape[0..ndim-1]; error naming the tensor otherwise. */
gfloat *cascade_model_read_f32 (const CascadeModel * model,
    const gchar * name, guint ndim, const gsize * shape, GError ** error);
/* the shape of `name` (ndim <= 8) or FALSE if absent */
gboolean cascade_model_shape (const CascadeModel * model, const gchar * name,
    guint * ndim, gsize shape[8]);

G_END_DECLS
