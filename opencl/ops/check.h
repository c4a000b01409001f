/* gst-cascade: argument checks shared by the ops */
#pragma once

#include "runtime/error.h"
#include "runtime/tensor.h"

G_BEGIN_DECLS

/* TRUE when t is f32 and holds at least n floats; else the error names fn
 * and the argument what */
static inline gboolean
cascade_check_floats (const CascadeTensor * t, gsize n, const gchar * fn,
    const gchar * what, GError ** error)
{
  if (t->dtype != CASCADE_DTYPE_F32 || cascade_tensor_numel (t) < n) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "%s: %s must hold %" G_GSIZE_FORMAT " floats", fn, what, n);
    return FALSE;
  }
  return TRUE;
}

/* TRUE when t is a 4-D f32 map with a buffer whose offset + numel fits in
 * an int; else the error names it what */
static inline gboolean
cascade_check_map (const CascadeTensor * t, const gchar * what, GError ** error)
{
  if (t->dtype != CASCADE_DTYPE_F32 || t->ndim != 4 || !t->mem)
    return cascade_invalid_arg (error, "%s must be a 4-D float tensor", what);
  if (t->offset + cascade_tensor_numel (t) > (gsize) G_MAXINT)
    return cascade_invalid_arg (error, "%s is too large", what);
  return TRUE;
}

G_END_DECLS
