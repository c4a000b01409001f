/* gst-cascade: the model file (safetensors + architecture metadata, see
 * models/FORMAT.md): mapped, fully validated at load */
#pragma once

#include <glib.h>

#include "model/arch.h"

G_BEGIN_DECLS

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

/* --- for the loader's tests, the fuzzer and tools/cascade-model-info --- */

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
