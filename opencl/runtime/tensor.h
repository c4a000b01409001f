/* gst-cascade: device tensors and the arena that reuses their buffers */
#pragma once

#include "runtime/context.h"

G_BEGIN_DECLS

typedef enum
{
  CASCADE_DTYPE_F32,
  CASCADE_DTYPE_I32,
  CASCADE_DTYPE_U8,
} CascadeDType;

#define CASCADE_MAX_DIMS 4

/* A view of a device buffer: shape is row-major (C order), NCHW for
 * feature maps; offset is in elements of dtype.  A tensor does not own its
 * buffer unless it came from cascade_tensor_new. */
typedef struct
{
  cl_mem mem;
  gsize offset;
  CascadeDType dtype;
  guint ndim;
  gsize shape[CASCADE_MAX_DIMS];
} CascadeTensor;

gsize cascade_dtype_size (CascadeDType dtype);
gsize cascade_tensor_numel (const CascadeTensor * t);
gsize cascade_tensor_nbytes (const CascadeTensor * t);
/* fills shape from ndim sizes; returns t */
CascadeTensor *cascade_tensor_set_shape (CascadeTensor * t, guint ndim,
    const gsize * shape);

/* TRUE when the two views share elements of one buffer */
gboolean cascade_tensor_overlaps (const CascadeTensor * a,
    const CascadeTensor * b);

/* Allocates a buffer owned by the tensor (free with cascade_tensor_release);
 * when host is non-NULL its numel*size bytes are copied in. */
gboolean cascade_tensor_new (CascadeCtx * ctx, CascadeTensor * t,
    CascadeDType dtype, guint ndim, const gsize * shape, const void *host,
    GError ** error);
void cascade_tensor_release (CascadeTensor * t);

/* Blocking copies between host memory and the tensor's elements. */
gboolean cascade_tensor_write (CascadeCtx * ctx, const CascadeTensor * t,
    const void *host, GError ** error);
gboolean cascade_tensor_read (CascadeCtx * ctx, const CascadeTensor * t,
    void *host, GError ** error);
/* returns a newly allocated host copy (g_free) */
gpointer cascade_tensor_download (CascadeCtx * ctx, const CascadeTensor * t,
    GError ** error);

/* The arena hands out named buffers that live from one frame to the next.
 * A slot is (re)allocated only when a request is larger than its capacity,
 * so after the first frame of a given size nothing is allocated. */
typedef struct _CascadeArena CascadeArena;

CascadeArena *cascade_arena_new (CascadeCtx * ctx);
void cascade_arena_free (CascadeArena * arena);
/* Fills t with a view of slot `name`, large enough for the shape. */
gboolean cascade_arena_tensor (CascadeArena * arena, const gchar * name,
    CascadeTensor * t, CascadeDType dtype, guint ndim, const gsize * shape,
    GError ** error);
/* Frees the slot's buffer (a later request allocates again) */
void cascade_arena_release (CascadeArena * arena, const gchar * name);
/* number of cl_mem allocations made so far, and bytes held */
guint cascade_arena_allocations (CascadeArena * arena);
gsize cascade_arena_bytes (CascadeArena * arena);

/* shorthands for shapes */
#define CASCADE_SHAPE(...) ((const gsize[]){ __VA_ARGS__ })

G_END_DECLS
