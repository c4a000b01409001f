/* cascade-layer-bench: the convolution shapes of R-50-FPN Cascade Mask
 * R-CNN at 1333x800 (input padded to 1344x800), each through every
 * algorithm (layers/conv.h), with the median time, GFLOP/s and the share
 * of the device's measured FMA peak (util.h cascade_peak_gflops).
 * Output lines:
 *   peak_gflops <G>
 *   conv <name> <cin>x<h>x<w>-><cout> k<k> s<s> n<n> algo <a> median_ms <ms>
 *       gflops <G> peak_pct <P> */
#include "context.h"
#include "layers/conv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct
{
  const gchar *name;
  guint n, cin, cout, h, w, k, stride, pad;
} Shape;

static const Shape shapes[] = {
  {"stem", 1, 3, 64, 800, 1344, 7, 2, 3},
  {"layer1.conv1", 1, 256, 64, 200, 336, 1, 1, 0},
  {"layer1.conv2", 1, 64, 64, 200, 336, 3, 1, 1},
  {"layer2.0.conv2", 1, 128, 128, 200, 336, 3, 2, 1},
  {"layer2.0.down", 1, 256, 512, 200, 336, 1, 2, 0},
  {"layer3.conv2", 1, 256, 256, 50, 84, 3, 1, 1},
  {"layer4.conv2", 1, 512, 512, 25, 42, 3, 1, 1},
  {"fpn.P2", 1, 256, 256, 200, 336, 3, 1, 1},
  {"mask.conv", 100, 256, 256, 14, 14, 3, 1, 1},
};

static gint runs = 3;
static gchar *only;

static GOptionEntry entries[] = {
  {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 3)", "N"},
  {"only", 'o', 0, G_OPTION_ARG_STRING, &only,
      "Only shapes whose name contains this", "NAME"},
  {NULL}
};

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static gboolean
bench (CascadeCtx * ctx, CascadeArena * arena, const Shape * s,
    CascadeConvAlgo algo, const gchar * algo_name, gdouble peak,
    GError ** error)
{
  CascadeConv conv;
  CascadeTensor in, out;
  gsize oh, ow, nw = (gsize) s->cout * s->cin * s->k * s->k, i;
  gfloat *w = g_new (gfloat, nw);
  gdouble *ms = g_new (gdouble, runs), flops, med;
  gboolean ok = FALSE;
  gint r;

  for (i = 0; i < nw; i++)
    w[i] = (gfloat) ((i * 7919 % 1000) / 1000.0 - 0.5) * 0.05f;
  if (!cascade_conv_init (&conv, ctx, s->cin, s->cout, s->k, s->stride,
          s->pad, 1, w, NULL, error))
    goto out;
  cascade_conv_out_size (&conv, s->h, s->w, &oh, &ow);
  if (!cascade_tensor_new (ctx, &in, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (s->n, s->cin, s->h, s->w), NULL, error))
    goto out_conv;
  if (!cascade_tensor_new (ctx, &out, CASCADE_DTYPE_F32, 4,
          CASCADE_SHAPE (s->n, s->cout, oh, ow), NULL, error))
    goto out_in;
  if (!cascade_fill (ctx, &in, 0.25f, error))
    goto out_all;
  /* warm-up: compiles, sizes the scratch */
  if (!cascade_conv_forward_algo (ctx, arena, &conv, algo, &in, NULL,
          CASCADE_ACT_RELU, &out, error) || !cascade_ctx_finish (ctx, error))
    goto out_all;
  for (r = 0; r < runs; r++) {
    gint64 t0 = g_get_monotonic_time ();
    if (!cascade_conv_forward_algo (ctx, arena, &conv, algo, &in, NULL,
            CASCADE_ACT_RELU, &out, error)
        || !cascade_ctx_finish (ctx, error))
      goto out_all;
    ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  qsort (ms, runs, sizeof (gdouble), cmp_double);
  med = runs % 2 ? ms[runs / 2] : 0.5 * (ms[runs / 2 - 1] + ms[runs / 2]);
  flops = cascade_conv_flops (&conv, s->h, s->w) * s->n;
  printf ("conv %-15s %ux%ux%u->%u k%u s%u n%u algo %-7s median_ms %9.2f "
      "gflops %7.1f peak_pct %5.1f\n", s->name, s->cin, s->h, s->w, s->cout,
      s->k, s->stride, s->n, algo_name, med, flops / med / 1e6,
      100.0 * flops / med / 1e6 / peak);
  fflush (stdout);
  ok = TRUE;
out_all:
  cascade_tensor_release (&out);
out_in:
  cascade_tensor_release (&in);
out_conv:
  cascade_conv_clear (&conv);
out:
  g_free (w);
  g_free (ms);
  return ok;
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  GOptionContext *oc = g_option_context_new ("- convolution GFLOP/s");
  CascadeDevice *dev;
  CascadeCtx *ctx;
  CascadeArena *arena;
  gdouble peak;
  guint i;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &err) || runs < 1) {
    g_printerr ("%s\n", err ? err->message : "bad --runs");
    return 2;
  }
  if (!(dev = cascade_device_open (NULL, &err))
      || !(ctx = cascade_ctx_new (dev, &err))
      || !cascade_peak_gflops (ctx, &peak, &err)) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  printf ("device %s\npeak_gflops %.1f\n", cascade_device_name (dev), peak);
  arena = cascade_arena_new (ctx);
  for (i = 0; i < G_N_ELEMENTS (shapes); i++) {
    if (only && !strstr (shapes[i].name, only))
      continue;
    if (!bench (ctx, arena, &shapes[i], CASCADE_CONV_IM2COL, "im2col", peak,
            &err))
      break;
    if (!(shapes[i].k == 1 && shapes[i].stride == 1)
        && !bench (ctx, arena, &shapes[i], CASCADE_CONV_SHIFT, "shift", peak,
            &err))
      break;
  }
  cascade_arena_free (arena);
  cascade_ctx_free (ctx);
  cascade_device_unref (dev);
  g_option_context_free (oc);
  if (err) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  return 0;
}
