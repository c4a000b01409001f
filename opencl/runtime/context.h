/* gst-cascade: an execution context: one in-order queue on a device and the
 * kernels created for it.  Each engine owns one; contexts are not shared
 * between threads.  Making one reads the environment's options again
 * (options.h) and applies CLBlast's parameters for the device
 * (blas/clblast-params.h). */
#pragma once

#include "runtime/device.h"

G_BEGIN_DECLS

typedef struct _CascadeCtx CascadeCtx;

CascadeCtx *cascade_ctx_new (CascadeDevice * dev, GError ** error);
void cascade_ctx_free (CascadeCtx * ctx);

CascadeDevice *cascade_ctx_device (CascadeCtx * ctx);
cl_context cascade_ctx_context (CascadeCtx * ctx);
cl_command_queue cascade_ctx_queue (CascadeCtx * ctx);

/* A kernel, named once where it is launched:
 *   static CascadeKernelDesc k_fill = CASCADE_KERNEL_DESC ("sort",
 *       "cascade_keys_fill");
 *   cl_kernel k = cascade_ctx_kernel (ctx, &k_fill, error);
 * The first use anywhere in the process gives the (program, name) pair a
 * slot (descriptors naming the same kernel share it); each context keeps
 * an array of kernels by slot, so a launch costs an array index. */
typedef struct
{
  const gchar *program;         /* <program>.cl, without .cl */
  const gchar *name;            /* the __kernel function */
  gsize slot;                   /* slot + 1 once assigned; 0 before */
} CascadeKernelDesc;

#define CASCADE_KERNEL_DESC(program, name) { (program), (name), 0 }

/* The kernel of desc, created on first use in this context and owned by
 * it. */
cl_kernel cascade_ctx_kernel (CascadeCtx * ctx, CascadeKernelDesc * desc,
    GError ** error);

/* Kernel argument setting that remembers the first failure:
 *   CascadeArgs a = cascade_args (k);
 *   cascade_arg_mem (&a, buf); cascade_arg_int (&a, n); ...
 *   if (!cascade_args_check (&a, error)) ...  */
typedef struct
{
  cl_kernel kernel;
  cl_uint index;
  cl_int status;
  cl_uint failed_index;
} CascadeArgs;

CascadeArgs cascade_args (cl_kernel kernel);
void cascade_arg (CascadeArgs * a, gsize size, const void *value);
void cascade_arg_mem (CascadeArgs * a, cl_mem mem);
void cascade_arg_int (CascadeArgs * a, gint value);
void cascade_arg_float (CascadeArgs * a, gfloat value);
void cascade_arg_local (CascadeArgs * a, gsize size);
gboolean cascade_args_check (CascadeArgs * a, GError ** error);

/* Enqueues kernel over global size gws (rounded up to a multiple of lws when
 * lws is given; kernels must bounds-check).  dims 1..3. */
gboolean cascade_ctx_launch (CascadeCtx * ctx, cl_kernel kernel, guint dims,
    const gsize * gws, const gsize * lws, GError ** error);

/* The work-group size for kernels whose work-items each own a whole tile
 * (blas/gemm.cl): {1, 1} on CPU devices, where PoCL would otherwise
 * compile the kernel again for every global size it sees (a work-group
 * size of its choosing for each), at no measured cost in speed; NULL (the
 * driver's choice) elsewhere. */
const gsize *cascade_ctx_tile_lws (CascadeCtx * ctx);

/* Blocks until the queue is empty. */
gboolean cascade_ctx_finish (CascadeCtx * ctx, GError ** error);

G_END_DECLS
