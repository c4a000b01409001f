/* gst-cascade devtools: the device's measured FMA peak */
#include "peak.h"
#include "runtime/tensor.h"

static CascadeKernelDesc desc_peak_fma =
    CASCADE_KERNEL_DESC ("util", "cascade_peak_fma");

gboolean
cascade_peak_gflops (CascadeCtx * ctx, gdouble * gflops, GError ** error)
{
  cl_kernel k = cascade_ctx_kernel (ctx, &desc_peak_fma, error);
  CascadeDevice *dev = cascade_ctx_device (ctx);
  /* enough work-items to fill every compute unit many times over */
  gsize items = 64 * MAX (cascade_device_compute_units (dev), 1) * 16;
  gint iters = 1 << 14;
  gdouble best = 0;
  CascadeTensor out;
  guint rep;
  gboolean ok = FALSE;

  if (!k || !cascade_tensor_new (ctx, &out, CASCADE_DTYPE_F32, 1,
          CASCADE_SHAPE (items), NULL, error))
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
      best = MAX (best, items * (gdouble) iters * 12 * 16 * 2 / s / 1e9);
  }
  *gflops = best;
  ok = TRUE;
done:
  cascade_tensor_release (&out);
  return ok;
}
