/* cascade-tune: measures, once per device, which implementation is the
 * fastest for every GEMM and convolution shape a model runs (tuning.h),
 * and stores the choices in the device's file in the disk cache, where
 * every later engine on this device reads them instead of measuring on its
 * first frame.  With --clblast it first runs CLBlast's own tuners for the
 * device (Debian package clblast-utils; clblast-params.h), so that CLBlast
 * competes with its best parameters.
 *
 *   cascade-tune [-d SPEC] [--clblast [--fraction F]] [-s WxH ...] MODEL */
#include "blas/clblast-params.h"
#include "clblast-tune.h"
#include "engine-private.h"
#include "blas/tuning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gchar *device;
static gchar **sizes;
static gboolean clblast, no_masks;
static gdouble fraction = 0.05;

static GOptionEntry entries[] = {
  {"device", 'd', 0, G_OPTION_ARG_STRING, &device, "OpenCL device spec",
      "SPEC"},
  {"input-size", 's', 0, G_OPTION_ARG_STRING_ARRAY, &sizes,
      "Network input size LONGxSHORT to tune for (repeatable; default: the "
        "model's)", "WxH"},
  {"clblast", 0, 0, G_OPTION_ARG_NONE, &clblast,
      "Run CLBlast's tuners for the device first (minutes to hours)", NULL},
  {"fraction", 0, 0, G_OPTION_ARG_DOUBLE, &fraction,
      "Share of CLBlast's search space to try (default 0.05)", "F"},
  {"no-masks", 0, 0, G_OPTION_ARG_NONE, &no_masks, "Skip the mask heads",
      NULL},
  {NULL}
};

/* a frame of the input size's aspect: gradients and blocks */
static guint8 *
synthetic_frame (guint w, guint h, CascadeFrame * f)
{
  guint8 *px = g_malloc ((gsize) w * h * 3);
  guint x, y;
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      guint8 *p = px + ((gsize) y * w + x) * 3;
      p[0] = (guint8) (x * 255 / w);
      p[1] = (guint8) (((x / 40) + (y / 40)) % 2 ? 200 : 40);
      p[2] = (guint8) (y * 255 / h);
    }
  memset (f, 0, sizeof *f);
  f->format = CASCADE_FORMAT_RGB;
  f->width = w;
  f->height = h;
  f->planes[0] = px;
  f->strides[0] = (gsize) w * 3;
  return px;
}

static gboolean
tune_size (CascadeEngine * e, guint ls, guint ss, GError ** error)
{
  CascadeDetectParams p;
  CascadeFrame frame;
  CascadeResult *r;
  guint8 *px;
  gint64 t0;

  if ((ls || ss) && !cascade_engine_set_input_size (e, ls, ss, error))
    return FALSE;
  cascade_engine_get_input_size (e, &ls, &ss);
  px = synthetic_frame (ls, ss, &frame);
  cascade_detect_params_init (&p, e);
  p.masks = !no_masks;
  /* a low threshold: as many detections as a busy scene, so the mask
   * heads run at their full batch */
  p.score_threshold = 0.0f;
  t0 = g_get_monotonic_time ();
  r = cascade_engine_detect (e, &frame, &p, error);
  g_free (px);
  if (!r)
    return FALSE;
  printf ("tuned %ux%u: %u detections, %.1f s\n", ls, ss,
      cascade_result_count (r), (g_get_monotonic_time () - t0) / 1e6);
  cascade_result_free (r);
  return TRUE;
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  GOptionContext *oc = g_option_context_new ("MODEL");
  CascadeEngine *e = NULL;
  CascadeDevice *dev = NULL;
  gchar *path = NULL, *text = NULL;
  guint i;
  int ret = 1;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &err) || argc != 2) {
    g_printerr ("%s\n", err ? err->message :
        "usage: cascade-tune [OPTIONS] MODEL");
    g_clear_error (&err);
    g_option_context_free (oc);
    return 2;
  }
  /* measure every shape again, whatever is stored */
  g_setenv (CASCADE_TUNE_ENV, "force", TRUE);
  g_unsetenv ("CASCADE_GEMM");
  g_unsetenv ("CASCADE_CONV");
  if (!(dev = cascade_device_open (device, &err)))
    goto out;
  printf ("device %s\n", cascade_device_name (dev));
  if (clblast) {
    gint64 t0 = g_get_monotonic_time ();
    if (!cascade_clblast_tune (dev, fraction, &err))
      goto out;
    printf ("CLBlast tuned in %.0f s\n", (g_get_monotonic_time () - t0) / 1e6);
  }
  if (!(e = cascade_engine_new (device, argv[1], &err)))
    goto out;
  if (!sizes || !sizes[0]) {
    if (!tune_size (e, 0, 0, &err))
      goto out;
  }
  for (i = 0; sizes && sizes[i]; i++) {
    guint ls, ss;
    if (sscanf (sizes[i], "%ux%u", &ls, &ss) != 2) {
      g_set_error (&err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
          "bad --input-size %s (want LONGxSHORT)", sizes[i]);
      goto out;
    }
    if (!tune_size (e, ls, ss, &err))
      goto out;
  }
  path = cascade_tuning_path (dev);
  if (!path) {
    printf ("the disk cache is off (%s): nothing was stored\n",
        "CASCADE_CACHE_DIR");
  } else if (g_file_get_contents (path, &text, NULL, NULL)) {
    printf ("stored in %s:\n%s", path, text);
  }
  ret = 0;
out:
  if (err)
    g_printerr ("cascade-tune: %s\n", err->message);
  g_clear_error (&err);
  cascade_engine_free (e);
  if (dev)
    cascade_device_unref (dev);
  g_free (path);
  g_free (text);
  g_strfreev (sizes);
  g_free (device);
  g_option_context_free (oc);
  return ret;
}
