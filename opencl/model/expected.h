/* gst-cascade: the tensors an architecture needs (mmdetection's
 * CascadeRCNN state_dict names) and the exact shape of each */
#pragma once

#include "model/arch.h"

G_BEGIN_DECLS

/* One tensor the architecture needs. */
typedef struct
{
  gchar *name;                  /* mmdetection's state_dict key */
  guint ndim;
  gsize shape[8];
  gchar *needed_for;            /* "ResNet-50", "the FPN", ... */
} CascadeTensorSpec;

/* Every tensor `arch` needs, in mmdetection's state_dict order, with its
 * exact shape (the layout is documented at the top of expected.c).
 * Needs a complete arch: rpn_channels, fc_channels and (with_mask)
 * mask_channels set.  A GPtrArray of CascadeTensorSpec that frees them. */
GPtrArray *cascade_arch_expected_tensors (const CascadeArch * arch);

G_END_DECLS
