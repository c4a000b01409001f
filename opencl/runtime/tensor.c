/* gst-cascade: device tensors and the arena that reuses their buffers */
#include "runtime/tensor.h"
#include "runtime/error.h"

#include <string.h>

gsize
cascade_dtype_size (CascadeDType dtype)
{
  return dtype == CASCADE_DTYPE_U8 ? 1 : 4;
}

gsize
cascade_tensor_numel (const CascadeTensor * t)
{
  gsize n = 1;
  guint i;
  for (i = 0; i < t->ndim; i++)
    n *= t->shape[i];
  return n;
}

gsize
cascade_tensor_nbytes (const CascadeTensor * t)
{
  return cascade_tensor_numel (t) * cascade_dtype_size (t->dtype);
}

CascadeTensor *
cascade_tensor_set_shape (CascadeTensor * t, guint ndim, const gsize * shape)
{
  guint i;
  g_return_val_if_fail (ndim <= CASCADE_MAX_DIMS, t);
  t->ndim = ndim;
  for (i = 0; i < CASCADE_MAX_DIMS; i++)
    t->shape[i] = i < ndim ? shape[i] : 1;
  return t;
}

gboolean
cascade_tensor_overlaps (const CascadeTensor * a, const CascadeTensor * b)
{
  return a->mem == b->mem && a->offset < b->offset + cascade_tensor_numel (b)
      && b->offset < a->offset + cascade_tensor_numel (a);
}

static cl_mem
alloc_buffer (CascadeCtx * ctx, gsize bytes, GError ** error)
{
  cl_int st;
  CascadeDevice *dev = cascade_ctx_device (ctx);
  cl_mem m;
  if (bytes == 0)
    bytes = 4;
  if (bytes > cascade_device_max_alloc (dev)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_DEVICE,
        "A buffer of %" G_GSIZE_FORMAT " MiB exceeds the largest allocation "
        "of %s (%" G_GUINT64_FORMAT " MiB)", bytes >> 20,
        cascade_device_name (dev), cascade_device_max_alloc (dev) >> 20);
    return NULL;
  }
  m = clCreateBuffer (cascade_ctx_context (ctx), CL_MEM_READ_WRITE, bytes,
      NULL, &st);
  if (!cascade_cl_check (st, "clCreateBuffer", error))
    return NULL;
  return m;
}

gboolean
cascade_tensor_new (CascadeCtx * ctx, CascadeTensor * t, CascadeDType dtype,
    guint ndim, const gsize * shape, const void *host, GError ** error)
{
  memset (t, 0, sizeof (*t));
  t->dtype = dtype;
  cascade_tensor_set_shape (t, ndim, shape);
  t->mem = alloc_buffer (ctx, cascade_tensor_nbytes (t), error);
  if (!t->mem)
    return FALSE;
  if (host && !cascade_tensor_write (ctx, t, host, error)) {
    cascade_tensor_release (t);
    return FALSE;
  }
  return TRUE;
}

void
cascade_tensor_release (CascadeTensor * t)
{
  if (t->mem)
    clReleaseMemObject (t->mem);
  t->mem = NULL;
}

gboolean
cascade_tensor_write (CascadeCtx * ctx, const CascadeTensor * t,
    const void *host, GError ** error)
{
  gsize es = cascade_dtype_size (t->dtype), n = cascade_tensor_nbytes (t);
  if (n == 0)
    return TRUE;
  return cascade_cl_check (clEnqueueWriteBuffer (cascade_ctx_queue (ctx),
          t->mem, CL_TRUE, t->offset * es, n, host, 0, NULL, NULL),
      "clEnqueueWriteBuffer", error);
}

gboolean
cascade_tensor_read (CascadeCtx * ctx, const CascadeTensor * t, void *host,
    GError ** error)
{
  gsize es = cascade_dtype_size (t->dtype), n = cascade_tensor_nbytes (t);
  if (n == 0)
    return TRUE;
  return cascade_cl_check (clEnqueueReadBuffer (cascade_ctx_queue (ctx),
          t->mem, CL_TRUE, t->offset * es, n, host, 0, NULL, NULL),
      "clEnqueueReadBuffer", error);
}

gpointer
cascade_tensor_download (CascadeCtx * ctx, const CascadeTensor * t,
    GError ** error)
{
  gpointer host = g_malloc (MAX (cascade_tensor_nbytes (t), 1));
  if (!cascade_tensor_read (ctx, t, host, error)) {
    g_free (host);
    return NULL;
  }
  return host;
}

typedef struct
{
  cl_mem mem;
  gsize capacity;
} Slot;

struct _CascadeArena
{
  CascadeCtx *ctx;
  GHashTable *slots;            /* name -> Slot */
  guint allocations;
  gsize bytes;
};

static void
slot_free (gpointer p)
{
  Slot *s = p;
  if (s->mem)
    clReleaseMemObject (s->mem);
  g_free (s);
}

CascadeArena *
cascade_arena_new (CascadeCtx * ctx)
{
  CascadeArena *a = g_new0 (CascadeArena, 1);
  a->ctx = ctx;
  a->slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      slot_free);
  return a;
}

void
cascade_arena_free (CascadeArena * arena)
{
  if (!arena)
    return;
  g_hash_table_unref (arena->slots);
  g_free (arena);
}

gboolean
cascade_arena_tensor (CascadeArena * arena, const gchar * name,
    CascadeTensor * t, CascadeDType dtype, guint ndim, const gsize * shape,
    GError ** error)
{
  Slot *s = g_hash_table_lookup (arena->slots, name);
  gsize need;

  memset (t, 0, sizeof (*t));
  t->dtype = dtype;
  cascade_tensor_set_shape (t, ndim, shape);
  need = MAX (cascade_tensor_nbytes (t), 4);
  if (!s) {
    s = g_new0 (Slot, 1);
    g_hash_table_insert (arena->slots, g_strdup (name), s);
  }
  if (s->capacity < need) {
    cl_mem m = alloc_buffer (arena->ctx, need, error);
    if (!m)
      return FALSE;
    if (s->mem)
      clReleaseMemObject (s->mem);
    arena->bytes += need - s->capacity;
    s->mem = m;
    s->capacity = need;
    arena->allocations++;
  }
  t->mem = s->mem;
  return TRUE;
}

void
cascade_arena_release (CascadeArena * arena, const gchar * name)
{
  Slot *s = g_hash_table_lookup (arena->slots, name);
  if (!s)
    return;
  arena->bytes -= s->capacity;
  /* enqueued kernels keep the buffer alive until they are done */
  g_hash_table_remove (arena->slots, name);
}

guint
cascade_arena_allocations (CascadeArena * arena)
{
  return arena->allocations;
}

gsize
cascade_arena_bytes (CascadeArena * arena)
{
  return arena->bytes;
}
