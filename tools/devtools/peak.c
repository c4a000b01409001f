/* gst-cascade devtools: the device's measured FMA peak */
#include "peak.h"
#include "runtime/error.h"
#include "runtime/tensor.h"

/* runtime/util.cl's peak kernels, one per vector width */
static CascadeKernelDesc desc_peak_fma1 =
    CASCADE_KERNEL_DESC ("util", "cascade_peak_fma1");
static CascadeKernelDesc desc_peak_fma4 =
    CASCADE_KERNEL_DESC ("util", "cascade_peak_fma4");
static CascadeKernelDesc desc_peak_fma8 =
    CASCADE_KERNEL_DESC ("util", "cascade_peak_fma8");
static CascadeKernelDesc desc_peak_fma16 =
    CASCADE_KERNEL_DESC ("util", "cascade_peak_fma16");

#define PEAK_CHAINS 12          /* as util.cl */

guint
cascade_peak_width (CascadeCtx * ctx)
{
  guint w = cascade_device_vector_width (cascade_ctx_device (ctx));
  return w >= 16 ? 16 : w >= 8 ? 8 : w >= 4 ? 4 : 1;
}

gboolean
cascade_peak_gflops (CascadeCtx * ctx, gdouble * gflops, GError ** error)
{
  return cascade_peak_gflops_width (ctx, cascade_peak_width (ctx), gflops,
      error);
}

gboolean
cascade_peak_gflops_width (CascadeCtx * ctx, guint width, gdouble * gflops,
    GError ** error)
{
  CascadeDevice *dev = cascade_ctx_device (ctx);
  CascadeKernelDesc *desc = width == 16 ? &desc_peak_fma16 : width == 8 ?
      &desc_peak_fma8 : width == 4 ? &desc_peak_fma4 : &desc_peak_fma1;
  cl_kernel k;
  guint units = MAX (cascade_device_compute_units (dev), 1);
  /* enough work-items to fill every compute unit many times over: on a
   * CPU 1024 per core, each a vector of `width` lanes; on a GPU 4096 per
   * compute unit, which keeps its many lanes busy */
  gsize items = cascade_device_is_cpu (dev) ? 1024 * units : 4096 * units;
  gint iters = cascade_device_is_cpu (dev) ? (1 << 18) / width : 1 << 12;
  gdouble best = 0;
  CascadeTensor out;
  guint rep;
  gboolean ok = FALSE;

  if (width != 1 && width != 4 && width != 8 && width != 16) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "No peak kernel of vector width %u (1, 4, 8 or 16)", width);
    return FALSE;
  }
  k = cascade_ctx_kernel (ctx, desc, error);
  if (!k || !cascade_tensor_new (ctx, &out, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (items * width), NULL, error))
    return FALSE;
  for (rep = 0; rep < 4; rep++) {
    CascadeArgs a = cascade_args (k);
    gint64 t0;
    gdouble s;
    cascade_arg_mem (&a, out.mem);
    cascade_arg_int (&a, iters);
    cascade_arg_float (&a, 0.999f);
    if (!cascade_args_check (&a, error) || !cascade_ctx_finish (ctx, error))
      goto done;
    t0 = g_get_monotonic_time ();
    if (!cascade_ctx_launch (ctx, k, 1, &items, NULL, error)
        || !cascade_ctx_finish (ctx, error))
      goto done;
    s = (g_get_monotonic_time () - t0) / 1e6;
    /* the first run also compiles for this launch: keep the best */
    if (rep > 0)
      best = MAX (best, items * (gdouble) iters * PEAK_CHAINS * width * 2
          / s / 1e9);
  }
  *gflops = best;
  ok = TRUE;
done:
  cascade_tensor_release (&out);
  return ok;
}
