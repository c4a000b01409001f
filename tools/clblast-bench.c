/* clblast-bench: GFLOP/s of CLBlastSgemm (row-major, no transposes) on
 * convolution-shaped products, with CLBlast's own parameters (--untuned),
 * the engine's (default: clblast-params.h) or those of a given file
 * (--ini).  Parameters cannot be taken back inside a process: compare
 * separate runs.  --engine times cascade_gemm instead (the implementation
 * $CASCADE_GEMM selects), for a comparison with our own kernel.
 * Output lines: "gemm M N K median_ms <ms> gflops <GFLOP/s>", the median of
 * --runs timed runs after one untimed run (which compiles). */
#include "blas/clblast-params.h"
#include "runtime/context.h"
#include "runtime/error.h"
#include "blas/gemm.h"

#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>

static gchar *device, *ini;
static gint runs = 3;
static gboolean untuned, engine;

static GOptionEntry entries[] = {
  {"device", 'd', 0, G_OPTION_ARG_STRING, &device, "OpenCL device spec",
      "SPEC"},
  {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 3)", "N"},
  {"untuned", 0, 0, G_OPTION_ARG_NONE, &untuned,
      "CLBlast's own parameters (apply none)", NULL},
  {"ini", 0, 0, G_OPTION_ARG_FILENAME, &ini,
      "Apply the parameters of this file instead of the engine's", "FILE"},
  {"engine", 0, 0, G_OPTION_ARG_NONE, &engine,
      "Time cascade_gemm ($CASCADE_GEMM: clblast or cpu) instead", NULL},
  {NULL}
};

/* ResNet-50 convolutions as GEMMs (m = output channels, n = output pixels
 * of a 800x1333-ish frame, k = input channels x kernel size) */
static const gchar *default_shapes[] = {
  "256x20000x2304", "64x80000x576", "512x5000x4608", "1024x1000x12544",
  NULL
};

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static cl_mem
random_buffer (cl_context context, cl_command_queue q, gsize n, GRand * r,
    GError ** error)
{
  gfloat *host = g_new (gfloat, n);
  cl_int st;
  cl_mem mem;
  gsize i;
  for (i = 0; i < n; i++)
    host[i] = (gfloat) g_rand_double_range (r, -1, 1);
  mem = clCreateBuffer (context, CL_MEM_READ_WRITE, n * sizeof (gfloat),
      NULL, &st);
  if (cascade_cl_check (st, "clCreateBuffer", error)) {
    st = clEnqueueWriteBuffer (q, mem, CL_TRUE, 0, n * sizeof (gfloat), host,
        0, NULL, NULL);
    if (!cascade_cl_check (st, "clEnqueueWriteBuffer", error)) {
      clReleaseMemObject (mem);
      mem = NULL;
    }
  } else {
    mem = NULL;
  }
  g_free (host);
  return mem;
}

static gboolean
one_gemm (CascadeCtx * ctx, cl_command_queue q, gsize m, gsize n, gsize k,
    cl_mem a, cl_mem b, cl_mem c, GError ** error)
{
  if (engine) {
    CascadeMatrix ma = { a, 0, k, FALSE }, mb = { b, 0, n, FALSE };
    CascadeMatrix mc = { c, 0, n, FALSE };
    return cascade_gemm (ctx, m, n, k, 1.0f, &ma, &mb, 0.0f, &mc, error)
        && cascade_ctx_finish (ctx, error);
  }
  return cascade_clblast_check (CLBlastSgemm (CLBlastLayoutRowMajor,
          CLBlastTransposeNo, CLBlastTransposeNo, m, n, k, 1.0f, a, 0, k, b,
          0, n, 0.0f, c, 0, n, &q, NULL), "CLBlastSgemm", error)
      && cascade_cl_check (clFinish (q), "clFinish", error);
}

static gboolean
bench (CascadeCtx * ctx, cl_context context, cl_command_queue q,
    const gchar * shape, GError ** error)
{
  guint64 m = 0, n = 0, k = 0;
  gchar **dims = g_strsplit (shape, "x", -1);
  GRand *r = g_rand_new_with_seed (42);
  cl_mem a = NULL, b = NULL, c = NULL;
  gdouble *ms = g_new0 (gdouble, MAX (runs, 1)), med;
  gboolean ok = FALSE;
  gint i;

  if (g_strv_length (dims) != 3
      || !g_ascii_string_to_unsigned (dims[0], 10, 1, G_MAXINT, &m, NULL)
      || !g_ascii_string_to_unsigned (dims[1], 10, 1, G_MAXINT, &n, NULL)
      || !g_ascii_string_to_unsigned (dims[2], 10, 1, G_MAXINT, &k, NULL)) {
    cascade_invalid_arg (error, "\"%s\" is not a shape MxNxK", shape);
    goto out;
  }
  if (!(a = random_buffer (context, q, m * k, r, error))
      || !(b = random_buffer (context, q, k * n, r, error))
      || !(c = random_buffer (context, q, m * n, r, error)))
    goto out;
  if (!one_gemm (ctx, q, m, n, k, a, b, c, error))
    goto out;
  for (i = 0; i < runs; i++) {
    gint64 t0 = g_get_monotonic_time ();
    if (!one_gemm (ctx, q, m, n, k, a, b, c, error))
      goto out;
    ms[i] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  qsort (ms, runs, sizeof (gdouble), cmp_double);
  med = runs % 2 ? ms[runs / 2] : 0.5 * (ms[runs / 2 - 1] + ms[runs / 2]);
  g_print ("gemm %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT " %"
      G_GUINT64_FORMAT " median_ms %.1f gflops %.1f\n", m, n, k, med,
      2.0 * m * n * k / (med * 1e6));
  ok = TRUE;
out:
  if (a)
    clReleaseMemObject (a);
  if (b)
    clReleaseMemObject (b);
  if (c)
    clReleaseMemObject (c);
  g_free (ms);
  g_rand_free (r);
  g_strfreev (dims);
  return ok;
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  GOptionContext *oc = g_option_context_new ("[MxNxK...]");
  CascadeDevice *dev = NULL;
  CascadeCtx *ctx = NULL;
  cl_command_queue q = NULL;
  const gchar *const *shapes;
  gchar *origin = NULL;
  cl_int st;
  gint ret = 1;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &err))
    goto failed;
  if (runs < 1 || (engine && (untuned || ini))) {
    cascade_invalid_arg (&err, "--runs must be at least 1; --engine applies "
        "the engine's parameters (no --untuned or --ini)");
    goto failed;
  }
  shapes = argc > 1 ? (const gchar * const *) argv + 1 : default_shapes;
  if (!(dev = cascade_device_open (device, &err)))
    goto failed;

  if (ini) {
    gchar *data = NULL;
    gsize len = 0;
    GKeyFile *kf;
    if (!g_file_get_contents (ini, &data, &len, &err))
      goto failed;
    kf = cascade_clblast_params_parse (data, len, ini, &err);
    g_free (data);
    if (!kf || !cascade_clblast_params_apply_keyfile (dev, kf, ini, &err)) {
      if (kf)
        g_key_file_unref (kf);
      goto failed;
    }
    g_key_file_unref (kf);
    origin = g_strdup (ini);
  } else if (!untuned) {
    if (!cascade_clblast_params_apply (dev, &err))
      goto failed;
    origin = cascade_clblast_params_applied (dev);
  }
  g_print ("device %s\nparameters %s\nruns %d\n", cascade_device_name (dev),
      origin ? origin : "CLBlast's own", runs);

  if (engine) {
    if (!(ctx = cascade_ctx_new (dev, &err)))
      goto failed;
    q = cascade_ctx_queue (ctx);
    g_print ("impl %s\n", cascade_gemm_impl (ctx) == CASCADE_GEMM_CPU ?
        "cpu" : "clblast");
  } else {
    G_GNUC_BEGIN_IGNORE_DEPRECATIONS;
    q = clCreateCommandQueue (cascade_device_context (dev),
        cascade_device_id (dev), 0, &st);
    G_GNUC_END_IGNORE_DEPRECATIONS;
    if (!cascade_cl_check (st, "clCreateCommandQueue", &err))
      goto failed;
  }
  for (; *shapes; shapes++)
    if (!bench (ctx, cascade_device_context (dev), q, *shapes, &err))
      goto failed;
  ret = 0;
  goto out;

  /* ERRORS */
failed:
  g_printerr ("clblast-bench: %s\n", err->message);
  g_error_free (err);
out:
  if (ctx)
    cascade_ctx_free (ctx);
  else if (q)
    clReleaseCommandQueue (q);
  if (dev)
    cascade_device_unref (dev);
  g_free (origin);
  g_option_context_free (oc);
  return ret;
}
