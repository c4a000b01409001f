/* gst-cascade: internals of the model loader, for its tests, the fuzzer
 * and tools/cascade-model-info (not part of the engine's API).  The parts
 * of the loader have their own headers: model/safetensors.h (the
 * container), model/arch.h (the architecture), model/expected.h (the
 * tensors an architecture needs). */
#pragma once

#include "model/model.h"

G_BEGIN_DECLS

/* Parses and validates a whole model file held in memory (what
 * cascade_model_load does after mapping the file).  `name` stands for the
 * file in error messages and cascade_model_path().  The model keeps a
 * reference to `bytes`. */
CascadeModel *cascade_model_load_from_bytes (GBytes * bytes,
    const gchar * name, GError ** error);

/* The names of all tensors of the file, in data order (g_strfreev). */
gchar **cascade_model_tensor_names (const CascadeModel * model);
/* Tensors the architecture does not use (allowed, ignored by the engine). */
guint cascade_model_n_unused (const CascadeModel * model);
/* Sum of the element counts of the file's F32 and F16 tensors (the
 * ignored non-float num_batches_tracked tensors are not counted). */
guint64 cascade_model_n_params (const CascadeModel * model);
/* "F32" or "F16" (or another safetensors dtype for the ignored
 * num_batches_tracked tensors); NULL when absent */
const gchar *cascade_model_dtype (const CascadeModel * model,
    const gchar * name);
/* A one-paragraph human-readable summary of the model (g_free). */
gchar *cascade_model_describe (const CascadeModel * model);

G_END_DECLS
