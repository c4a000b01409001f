/* gst-cascade: internals of the model loader, for its tests, the fuzzer
 * and tools/cascade-model-info (not part of the engine's API) */
#pragma once

#include "model/model.h"

G_BEGIN_DECLS

/* Parses and validates a whole model file held in memory (what
 * cascade_model_load does after mapping the file).  `name` stands for the
 * file in error messages and cascade_model_path().  The model keeps a
 * reference to `bytes`. */
CascadeModel *cascade_model_load_from_bytes (GBytes * bytes,
    const gchar * name, GError ** error);

/* One tensor the architecture needs. */
typedef struct
{
  gchar *name;                  /* mmdetection's state_dict key */
  guint ndim;
  gsize shape[8];
  gchar *needed_for;            /* "ResNet-50", "the FPN", ... */
} CascadeTensorSpec;

/* Every tensor `arch` needs, in mmdetection's state_dict order, with its
 * exact shape (the layout is documented at the function in model.c).
 * Needs a complete arch: rpn_channels, fc_channels and (with_mask)
 * mask_channels set.  A GPtrArray of CascadeTensorSpec that frees them. */
GPtrArray *cascade_arch_expected_tensors (const CascadeArch * arch);

/* "ResNet-50", "ResNeXt-101-32x4d" (g_free) */
gchar *cascade_arch_backbone_name (const CascadeArch * arch);

/* The names of all tensors of the file, in data order (g_strfreev). */
gchar **cascade_model_tensor_names (const CascadeModel * model);
/* Tensors the architecture does not use (allowed, ignored by the engine). */
guint cascade_model_n_unused (const CascadeModel * model);
/* Sum of the element counts of all tensors of the file. */
guint64 cascade_model_n_params (const CascadeModel * model);
/* "F32" or "F16" (or another safetensors dtype for the ignored
 * num_batches_tracked tensors); NULL when absent */
const gchar *cascade_model_dtype (const CascadeModel * model,
    const gchar * name);
/* A one-paragraph human-readable summary of the model (g_free). */
gchar *cascade_model_describe (const CascadeModel * model);

/* IEEE half (binary16) bits to float, exact for every value (subnormals,
 * infinities, NaN payloads kept). */
gfloat cascade_half_to_float (guint16 h);

G_END_DECLS
