/* cascade-peak [-n N] [-w WIDTH] [-d DEVICE]: the device's FMA peak as the benchmarks
 * measure it (devtools/peak.h: OpenCL, chains of the device's native
 * vector width) beside a native FMA loop on the host (native-peak.h) on as
 * many threads as the device has compute units, alternating, N rounds.
 * On a CPU device the two should agree within about 10%: the OpenCL peak
 * is then a true 100% for the benchmarks' "% of peak".  Prints
 *   device <name> vector_width <w> compute_units <n>
 *   round <i> opencl <GFLOP/s> <isa> <GFLOP/s> ...
 *   median opencl <GFLOP/s> <isa> <GFLOP/s> ... ratio <opencl / best isa>
 *   best opencl <GFLOP/s> <isa> <GFLOP/s> ... ratio <opencl / best isa>
 * (the best round of each is the steadier figure on a loaded machine) */
#include "runtime/context.h"
#include "peak.h"
#include "native-peak.h"
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>

static gint rounds = 3, width;
static gchar *device_spec;

static GOptionEntry entries[] = {
  {"rounds", 'n', 0, G_OPTION_ARG_INT, &rounds, "Rounds (default 3)", "N"},
  {"width", 'w', 0, G_OPTION_ARG_INT, &width,
      "Chains of this vector width (1, 4, 8, 16), not the device's", "W"},
  {"device", 'd', 0, G_OPTION_ARG_STRING, &device_spec,
      "OpenCL device (runtime/device.h's spec)", "SPEC"},
  {NULL}
};

int
main (int argc, char **argv)
{
  GOptionContext *oc = g_option_context_new ("- OpenCL and native FMA peak");
  GError *err = NULL;
  CascadeDevice *dev = NULL;
  CascadeCtx *ctx = NULL;
  gdouble *cl = NULL, *nat[2] = { NULL, NULL };
  guint threads, i, isa, pass;
  int ret = 1;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &err) || rounds < 1) {
    fprintf (stderr, "cascade-peak: %s\n", err ? err->message :
        "--rounds must be at least 1");
    goto out;
  }
  if (!(dev = cascade_device_open (device_spec, &err))
      || !(ctx = cascade_ctx_new (dev, &err))) {
    fprintf (stderr, "cascade-peak: %s\n", err->message);
    goto out;
  }
  threads = MAX (cascade_device_compute_units (dev), 1);
  printf ("device %s vector_width %u peak_width %u compute_units %u\n",
      cascade_device_name (dev), cascade_device_vector_width (dev),
      width ? (guint) width : cascade_peak_width (ctx), threads);
  cl = g_new0 (gdouble, rounds);
  for (isa = 0; isa < 2; isa++)
    nat[isa] = g_new0 (gdouble, rounds);
  for (i = 0; i < (guint) rounds; i++) {
    if (!(width ? cascade_peak_gflops_width (ctx, width, &cl[i], &err) :
            cascade_peak_gflops (ctx, &cl[i], &err))) {
      fprintf (stderr, "cascade-peak: %s\n", err->message);
      goto out;
    }
    printf ("round %u opencl %.1f", i, cl[i]);
    for (isa = 0; isa < 2; isa++) {
      if (!cascade_native_isa_supported (isa))
        continue;
      nat[isa][i] = cascade_native_peak_gflops (isa, threads);
      printf (" %s %.1f", cascade_native_isa_name (isa), nat[isa][i]);
    }
    printf ("\n");
  }
  /* sorted: the median, then the best */
  for (pass = 0; pass < 2; pass++) {
    gdouble c = pass ? cl[rounds - 1] : cascade_median (cl, rounds);
    gdouble best = 0;
    printf ("%s opencl %.1f", pass ? "best" : "median", c);
    for (isa = 0; isa < 2; isa++) {
      gdouble m;
      if (!cascade_native_isa_supported (isa))
        continue;
      m = pass ? nat[isa][rounds - 1] : cascade_median (nat[isa], rounds);
      best = MAX (best, m);
      printf (" %s %.1f", cascade_native_isa_name (isa), m);
    }
    if (best > 0)
      printf (" ratio %.3f", c / best);
    printf ("\n");
  }
  ret = 0;
out:
  g_clear_error (&err);
  g_free (cl);
  g_free (nat[0]);
  g_free (nat[1]);
  if (ctx)
    cascade_ctx_free (ctx);
  if (dev)
    cascade_device_unref (dev);
  g_free (device_spec);
  g_option_context_free (oc);
  return ret;
}
