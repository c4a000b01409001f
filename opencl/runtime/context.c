/* gst-cascade: an execution context: one in-order queue and its kernels */
#include "runtime/context.h"
#include "blas/clblast-params.h"
#include "runtime/error.h"
#include "runtime/options.h"

#include <string.h>

struct _CascadeCtx
{
  CascadeDevice *dev;
  cl_command_queue queue;
  cl_kernel *kernels;           /* by kernel slot; NULL until created */
  guint n_kernels;
};

CascadeCtx *
cascade_ctx_new (CascadeDevice * dev, GError ** error)
{
  cl_int st;
  CascadeCtx *ctx;

  /* making a context (an engine) reads the environment again */
  cascade_options_reload ();
  /* CLBlast's tuning for this device, before any CLBlast call */
  if (!cascade_clblast_params_apply (dev, error))
    return NULL;
  ctx = g_new0 (CascadeCtx, 1);
  ctx->dev = cascade_device_ref (dev);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
  ctx->queue = clCreateCommandQueue (cascade_device_context (dev),
      cascade_device_id (dev), 0, &st);
  G_GNUC_END_IGNORE_DEPRECATIONS;
  if (!cascade_cl_check (st, "clCreateCommandQueue", error)) {
    ctx->queue = NULL;
    cascade_ctx_free (ctx);
    return NULL;
  }
  return ctx;
}

void
cascade_ctx_free (CascadeCtx * ctx)
{
  guint i;

  if (!ctx)
    return;
  if (ctx->queue) {
    clFinish (ctx->queue);
    clReleaseCommandQueue (ctx->queue);
  }
  for (i = 0; i < ctx->n_kernels; i++)
    if (ctx->kernels[i])
      clReleaseKernel (ctx->kernels[i]);
  g_free (ctx->kernels);
  cascade_device_unref (ctx->dev);
  g_free (ctx);
}

CascadeDevice *
cascade_ctx_device (CascadeCtx * ctx)
{
  return ctx->dev;
}

cl_context
cascade_ctx_context (CascadeCtx * ctx)
{
  return cascade_device_context (ctx->dev);
}

cl_command_queue
cascade_ctx_queue (CascadeCtx * ctx)
{
  return ctx->queue;
}

/* the process-wide slot of desc's (program, name): assigned on first use,
 * the same for every descriptor of that kernel */
static guint
kernel_slot (CascadeKernelDesc * desc)
{
  static GMutex lock;
  static GHashTable *slots;     /* "program/name" -> slot + 1 */

  if (g_once_init_enter (&desc->slot)) {
    gchar *key = g_strdup_printf ("%s/%s", desc->program, desc->name);
    gsize slot;

    g_mutex_lock (&lock);
    if (!slots)
      slots = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    slot = GPOINTER_TO_SIZE (g_hash_table_lookup (slots, key));
    if (slot == 0) {
      slot = g_hash_table_size (slots) + 1;
      g_hash_table_insert (slots, key, GSIZE_TO_POINTER (slot));
    } else {
      g_free (key);
    }
    g_mutex_unlock (&lock);
    g_once_init_leave (&desc->slot, slot);
  }
  return (guint) (desc->slot - 1);
}

cl_kernel
cascade_ctx_kernel (CascadeCtx * ctx, CascadeKernelDesc * desc,
    GError ** error)
{
  guint slot = kernel_slot (desc);
  cl_program prog;
  cl_kernel k;
  cl_int st;

  if (slot < ctx->n_kernels && ctx->kernels[slot])
    return ctx->kernels[slot];
  prog = cascade_device_program (ctx->dev, desc->program, error);
  if (!prog)
    return NULL;
  k = clCreateKernel (prog, desc->name, &st);
  if (st != CL_SUCCESS) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BUILD,
        "clCreateKernel(%s) from %s.cl failed: %s (%d)", desc->name,
        desc->program, cascade_cl_status_string (st), (int) st);
    return NULL;
  }
  if (slot >= ctx->n_kernels) {
    guint n = MAX (slot + 1, 2 * ctx->n_kernels);
    ctx->kernels = g_renew (cl_kernel, ctx->kernels, n);
    memset (ctx->kernels + ctx->n_kernels, 0,
        (n - ctx->n_kernels) * sizeof (cl_kernel));
    ctx->n_kernels = n;
  }
  ctx->kernels[slot] = k;
  return k;
}

CascadeArgs
cascade_args (cl_kernel kernel)
{
  CascadeArgs a = { kernel, 0, CL_SUCCESS, 0 };
  return a;
}

void
cascade_arg (CascadeArgs * a, gsize size, const void *value)
{
  cl_int st = clSetKernelArg (a->kernel, a->index, size, value);
  if (st != CL_SUCCESS && a->status == CL_SUCCESS) {
    a->status = st;
    a->failed_index = a->index;
  }
  a->index++;
}

void
cascade_arg_mem (CascadeArgs * a, cl_mem mem)
{
  cascade_arg (a, sizeof (cl_mem), &mem);
}

void
cascade_arg_int (CascadeArgs * a, gint value)
{
  cl_int v = value;
  cascade_arg (a, sizeof (v), &v);
}

void
cascade_arg_float (CascadeArgs * a, gfloat value)
{
  cl_float v = value;
  cascade_arg (a, sizeof (v), &v);
}

void
cascade_arg_local (CascadeArgs * a, gsize size)
{
  cascade_arg (a, size, NULL);
}

gboolean
cascade_args_check (CascadeArgs * a, GError ** error)
{
  gchar name[128] = "?";
  if (a->status == CL_SUCCESS)
    return TRUE;
  clGetKernelInfo (a->kernel, CL_KERNEL_FUNCTION_NAME, sizeof (name) - 1,
      name, NULL);
  g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_CL,
      "clSetKernelArg(%s, %u) failed: %s (%d)", name, a->failed_index,
      cascade_cl_status_string (a->status), (int) a->status);
  return FALSE;
}

const gsize *
cascade_ctx_tile_lws (CascadeCtx * ctx)
{
  static const gsize one[3] = { 1, 1, 1 };
  return cascade_device_is_cpu (ctx->dev) ? one : NULL;
}

gboolean
cascade_ctx_launch (CascadeCtx * ctx, cl_kernel kernel, guint dims,
    const gsize * gws, const gsize * lws, GError ** error)
{
  size_t g[3], l[3];
  guint i;
  cl_int st;

  g_return_val_if_fail (dims >= 1 && dims <= 3, FALSE);
  for (i = 0; i < dims; i++) {
    if (gws[i] == 0)
      return TRUE;              /* nothing to do */
    l[i] = lws ? lws[i] : 1;
    g[i] = (gws[i] + l[i] - 1) / l[i] * l[i];
  }
  st = clEnqueueNDRangeKernel (ctx->queue, kernel, dims, NULL, g,
      lws ? l : NULL, 0, NULL, NULL);
  if (st != CL_SUCCESS) {
    gchar name[128] = "?";
    clGetKernelInfo (kernel, CL_KERNEL_FUNCTION_NAME, sizeof (name) - 1, name,
        NULL);
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_CL,
        "clEnqueueNDRangeKernel(%s) failed: %s (%d)", name,
        cascade_cl_status_string (st), (int) st);
    return FALSE;
  }
  return TRUE;
}

gboolean
cascade_ctx_finish (CascadeCtx * ctx, GError ** error)
{
  return cascade_cl_check (clFinish (ctx->queue), "clFinish", error);
}
