/* cascade-layer-bench: the convolution shapes of R-50-FPN Cascade Mask
 * R-CNN at 1333x800 (input padded to 1344x800; --width 1088 for 1067x800),
 * each through every algorithm (ops/conv.h; --rounds R: all of them in
 * turn, R times), with the median time, GFLOP/s (Winograd: the direct
 * convolution's flops over its time) and the share of the device's
 * measured FMA peak (devtools/peak.h cascade_peak_gflops); the box heads'
 * FCs and the mask heads' deconv (measured choices); then
 * the NMS at the RPN's size (5 levels x 1000 boxes) and the final
 * detection NMS's (80 classes), on the device and as plain C on the host
 * (mmcv's nms_cpu, tests/engine/nms_ref.h) with the transfers a host NMS
 * would add.
 * Output lines:
 *   peak_gflops <G>
 *   conv <name> <cin>x<h>x<w>-><cout> k<k> s<s> n<n> algo <a> median_ms <ms>
 *       gflops <G> peak_pct <P> best_ms <ms> best_gflops <G> cpu_ms <ms>
 * (best: the fastest run; cpu_ms: the least CPU time, all threads, of a
 * run, which other processes' load inflates less than wall time; --algo
 * runs one algorithm only)
 *   fc <name> n<rows> <in>-><out> median_ms <ms> gflops <G> peak_pct <P>
 *   deconv <name> n<n> <cin>x<h>x<w>-><cout> median_ms <ms> gflops <G>
 *       peak_pct <P>
 *   nms <name> n <n> groups <g> device_ms <ms> host_ms <ms> transfer_ms
 *       <ms> kept <k> */
#include "runtime/context.h"
#include "runtime/error.h"
#include "ops/conv.h"
#include "ops/deconv.h"
#include "ops/fc.h"
#include "ops/nms.h"
#include "runtime/util.h"
#include "peak.h"
#include "timing.h"
#include "nms_ref.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct
{
  const gchar *name;
  guint n, cin, cout, h, w, k, stride, pad;
} Shape;

static const Shape shapes[] = {
  {"stem", 1, 3, 64, 800, 1344, 7, 2, 3},
  {"layer1.conv1", 1, 256, 64, 200, 336, 1, 1, 0},
  {"layer1.conv2", 1, 64, 64, 200, 336, 3, 1, 1},
  {"layer1.conv3", 1, 64, 256, 200, 336, 1, 1, 0},
  {"layer2.conv2", 1, 128, 128, 100, 168, 3, 1, 1},
  {"layer2.0.conv2", 1, 128, 128, 200, 336, 3, 2, 1},
  {"layer2.0.down", 1, 256, 512, 200, 336, 1, 2, 0},
  {"layer3.conv2", 1, 256, 256, 50, 84, 3, 1, 1},
  {"layer4.conv2", 1, 512, 512, 25, 42, 3, 1, 1},
  {"fpn.P2", 1, 256, 256, 200, 336, 3, 1, 1},        /* and the RPN's */
  {"fpn.P3", 1, 256, 256, 100, 168, 3, 1, 1},
  {"rpn.P4", 1, 256, 256, 50, 84, 3, 1, 1},
  {"mask.conv", 100, 256, 256, 14, 14, 3, 1, 1},
  {"layer3.0.conv2", 1, 256, 256, 100, 168, 3, 2, 1},
  {"layer3.0.down", 1, 512, 1024, 100, 168, 1, 2, 0},
  {"layer4.0.conv2", 1, 512, 512, 50, 84, 3, 2, 1},
  {"layer4.0.down", 1, 1024, 2048, 50, 84, 1, 2, 0},
  {"mask.logits", 100, 256, 80, 28, 28, 1, 1, 0},
  {"layer4.1.conv1", 1, 2048, 512, 25, 42, 1, 1, 0},
  {"fpn.lateral5", 1, 2048, 256, 25, 42, 1, 1, 0},
};

/* the box heads' FCs (1000 RoIs: the RPN's proposals) and the mask
 * heads' 2x2 stride-2 deconv (100 detections) */
typedef struct
{
  const gchar *name;
  guint n, in, out;
} FcShape;

static const FcShape fc_shapes[] = {
  {"bbox.fc0", 1000, 12544, 1024},
  {"bbox.fc1", 1000, 1024, 1024},
  {"bbox.cls", 1000, 1024, 81},
  {"bbox.reg", 1000, 1024, 4},
};

static const Shape deconv_shapes[] = {
  {"mask.up", 100, 256, 256, 14, 14, 2, 2, 0},
};

static gint runs = 3, rounds = 1, width = 1344;
static gchar *only, *algo_only;

static GOptionEntry entries[] = {
  {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 3)", "N"},
  {"rounds", 'r', 0, G_OPTION_ARG_INT, &rounds,
      "Rounds of every algorithm in turn, per shape (default 1)", "R"},
  {"width", 'W', 0, G_OPTION_ARG_INT, &width,
        "Padded network input width the map widths scale with (default "
        "1344; 1088 for a 1067x800 input)", "W"},
  {"only", 'o', 0, G_OPTION_ARG_STRING, &only,
      "Only shapes whose name contains this", "NAME"},
  {"algo", 'a', 0, G_OPTION_ARG_STRING, &algo_only,
      "Only this algorithm (im2col, shift, winograd)", "ALGO"},
  {NULL}
};

/* the CPU time this process has used, ms */
static gdouble
cpu_ms (void)
{
  struct rusage u;
  getrusage (RUSAGE_SELF, &u);
  return (u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e3 +
      (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e3;
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
  gdouble *ms = g_new (gdouble, runs), *cms = g_new (gdouble, runs), flops;
  gdouble med;
  gboolean ok = FALSE;
  gint r;

  if (algo_only && strcmp (algo_only, algo_name) != 0) {
    g_free (w);
    g_free (ms);
    return TRUE;
  }
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
    gdouble c0 = cpu_ms ();
    if (!cascade_conv_forward_algo (ctx, arena, &conv, algo, &in, NULL,
            CASCADE_ACT_RELU, &out, error)
        || !cascade_ctx_finish (ctx, error))
      goto out_all;
    ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
    cms[r] = cpu_ms () - c0;
  }
  med = cascade_median (ms, runs);
  cascade_median (cms, runs);
  flops = cascade_conv_flops (&conv, s->h, s->w) * s->n;
  printf ("conv %-15s %ux%ux%u->%u k%u s%u n%u algo %-9s median_ms %9.2f "
      "gflops %7.1f peak_pct %5.1f best_ms %9.2f best_gflops %7.1f "
      "cpu_ms %9.2f\n", s->name, s->cin, s->h, s->w, s->cout, s->k,
      s->stride, s->n, algo_name, med, flops / med / 1e6,
      100.0 * flops / med / 1e6 / peak, ms[0], flops / ms[0] / 1e6, cms[0]);
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
  g_free (cms);
  return ok;
}

/* weights of n floats in [-0.025, 0.025) */
static gfloat *
bench_weights (gsize n)
{
  gfloat *w = g_new (gfloat, n);
  gsize i;
  for (i = 0; i < n; i++)
    w[i] = (gfloat) ((i * 7919 % 1000) / 1000.0 - 0.5) * 0.05f;
  return w;
}

/* one FC (fc != NULL) or deconv forward, warmed up, then timed */
static gboolean
bench_op (CascadeCtx * ctx, CascadeArena * arena, const CascadeFC * fc,
    gsize n, const CascadeDeconv * d, const CascadeTensor * in,
    const CascadeTensor * out, gdouble * ms, GError ** error)
{
  gint r;
  for (r = -1; r < runs; r++) {
    gint64 t0 = g_get_monotonic_time ();
    if (!(fc ? cascade_fc_forward (ctx, arena, fc, in, n, CASCADE_ACT_RELU, out,
                error) : cascade_deconv_forward (ctx, arena, d, in,
                CASCADE_ACT_RELU, out, error))
        || !cascade_ctx_finish (ctx, error))
      return FALSE;
    if (r >= 0)
      ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  return TRUE;
}

/* an FC (fs) or the deconv (ds) on inputs of 0.25 */
static gboolean
bench_fc_deconv (CascadeCtx * ctx, CascadeArena * arena, const FcShape * fs,
    const Shape * ds, gdouble peak, GError ** error)
{
  CascadeFC fc;
  CascadeDeconv d;
  CascadeTensor in = { 0 }, out = { 0 };
  gdouble *ms = g_new (gdouble, runs), flops, med;
  gfloat *w;
  gboolean ok = FALSE;

  if (fs) {
    w = bench_weights ((gsize) fs->in * fs->out);
    ok = cascade_fc_init (&fc, ctx, fs->in, fs->out, w, NULL, error)
        && cascade_tensor_new (ctx, &in, CASCADE_DTYPE_F32, 2,
        CASCADE_SHAPE (fs->n, fs->in), NULL, error)
        && cascade_tensor_new (ctx, &out, CASCADE_DTYPE_F32, 2,
        CASCADE_SHAPE (fs->n, fs->out), NULL, error);
    flops = 2.0 * fs->n * fs->in * (gdouble) fs->out;
  } else {
    w = bench_weights ((gsize) ds->cin * ds->cout * 4);
    ok = cascade_deconv_init (&d, ctx, ds->cin, ds->cout, w, NULL, error)
        && cascade_tensor_new (ctx, &in, CASCADE_DTYPE_F32, 4,
        CASCADE_SHAPE (ds->n, ds->cin, ds->h, ds->w), NULL, error)
        && cascade_tensor_new (ctx, &out, CASCADE_DTYPE_F32, 4,
        CASCADE_SHAPE (ds->n, ds->cout, 2 * ds->h, 2 * ds->w), NULL, error);
    flops = 8.0 * ds->n * ds->cin * (gdouble) ds->cout * ds->h * ds->w;
  }
  g_free (w);
  ok = ok && cascade_fill (ctx, &in, 0.25f, error)
      && bench_op (ctx, arena, fs ? &fc : NULL, fs ? fs->n : 0, &d, &in, &out,
      ms, error);
  if (ok) {
    med = cascade_median (ms, runs);
    if (fs)
      printf ("fc %-10s n%u %u->%u", fs->name, fs->n, fs->in, fs->out);
    else
      printf ("deconv %-10s n%u %ux%ux%u->%u", ds->name, ds->n, ds->cin,
          ds->h, ds->w, ds->cout);
    printf (" median_ms %9.2f gflops %7.1f peak_pct %5.1f\n", med,
        flops / med / 1e6, 100.0 * flops / med / 1e6 / peak);
    fflush (stdout);
  }
  /* what was made is released; what was not is all zero */
  if (in.mem)
    cascade_tensor_release (&in);
  if (out.mem)
    cascade_tensor_release (&out);
  if (fs)
    cascade_fc_clear (&fc);
  else
    cascade_deconv_clear (&d);
  g_free (ms);
  return ok;
}

/* n clustered boxes in `groups` groups through cascade_batched_nms and
 * through the host reference; the host side also pays for downloading
 * boxes, scores and groups and uploading the kept indices */
static gboolean
bench_nms (CascadeCtx * ctx, CascadeArena * arena, const gchar * name,
    gsize n, guint groups, GError ** error)
{
  GRand *r = g_rand_new_with_seed (n + groups);
  gfloat *boxes = g_new (gfloat, n * 4), *scores = g_new (gfloat, n);
  gint *grp = g_new (gint, n), *keep = g_new (gint, n);
  gdouble *dev_ms = g_new (gdouble, runs), *host_ms = g_new (gdouble, runs);
  gdouble *xfer_ms = g_new (gdouble, runs);
  CascadeTensor tb, ts, tg, tk;
  guint n_keep = 0;
  gsize i, host_kept = 0;
  gboolean ok = FALSE;
  gint k;

  make_boxes (r, n, 40, boxes, scores);
  for (i = 0; i < n; i++)
    grp[i] = (gint) (i % groups);
  if (!cascade_tensor_new (ctx, &tb, CASCADE_DTYPE_F32, 2,
          CASCADE_SHAPE (n, 4), boxes, error))
    goto out;
  cascade_tensor_new (ctx, &ts, CASCADE_DTYPE_F32, 1, CASCADE_SHAPE (n),
      scores, error);
  cascade_tensor_new (ctx, &tg, CASCADE_DTYPE_I32, 1, CASCADE_SHAPE (n),
      grp, error);
  cascade_tensor_new (ctx, &tk, CASCADE_DTYPE_I32, 1, CASCADE_SHAPE (n),
      NULL, error);
  if (*error)
    goto out_t;
  for (k = -1; k < runs; k++) {
    gint64 t0;
    gfloat *hb, *hs;
    gint *hg;
    if (!cascade_ctx_finish (ctx, error))
      goto out_t;
    t0 = g_get_monotonic_time ();
    if (!cascade_batched_nms (ctx, arena, &tb, &ts, &tg, n, 0.7f, n, &tk,
            &n_keep, error))
      goto out_t;
    if (k < 0)
      continue;                 /* warm-up */
    dev_ms[k] = (g_get_monotonic_time () - t0) / 1000.0;
    /* host: download, NMS, upload the result */
    t0 = g_get_monotonic_time ();
    hb = cascade_tensor_download (ctx, &tb, error);
    hs = cascade_tensor_download (ctx, &ts, error);
    hg = cascade_tensor_download (ctx, &tg, error);
    xfer_ms[k] = (g_get_monotonic_time () - t0) / 1000.0;
    t0 = g_get_monotonic_time ();
    host_kept = ref_batched_nms (hb, hs, hg, n, 0.7f, keep);
    host_ms[k] = (g_get_monotonic_time () - t0) / 1000.0;
    t0 = g_get_monotonic_time ();
    if (!cascade_tensor_write (ctx, &tk, keep, error))
      goto out_t;
    xfer_ms[k] += (g_get_monotonic_time () - t0) / 1000.0;
    g_free (hb);
    g_free (hs);
    g_free (hg);
  }
  printf ("nms %-10s n %6" G_GSIZE_FORMAT " groups %3u device_ms %8.2f "
      "host_ms %8.2f transfer_ms %6.2f kept %u/%" G_GSIZE_FORMAT "\n", name,
      n, groups, cascade_median (dev_ms, runs), cascade_median (host_ms, runs),
      cascade_median (xfer_ms, runs), n_keep, host_kept);
  ok = n_keep == host_kept;
  if (!ok)
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "device NMS kept %u boxes, the host %" G_GSIZE_FORMAT, n_keep,
        host_kept);
out_t:
  cascade_tensor_release (&tb);
  cascade_tensor_release (&ts);
  cascade_tensor_release (&tg);
  cascade_tensor_release (&tk);
out:
  g_free (boxes);
  g_free (scores);
  g_free (grp);
  g_free (keep);
  g_free (dev_ms);
  g_free (host_ms);
  g_free (xfer_ms);
  g_rand_free (r);
  return ok;
}

/* every algorithm of shape s in turn; F(2x2) and F(4x4)'s GFLOP/s are the
 * direct convolution's flops over their time (effective) */
static gboolean
bench_shape (CascadeCtx * ctx, CascadeArena * arena, const Shape * s,
    gdouble peak, GError ** error)
{
  gboolean wino = s->k == 3 && s->stride == 1, ok;
  ok = bench (ctx, arena, s, CASCADE_CONV_IM2COL, "im2col", peak, error)
      && ((s->k == 1 && s->stride == 1)
      || bench (ctx, arena, s, CASCADE_CONV_SHIFT, "shift", peak, error))
      && (!wino || bench (ctx, arena, s, CASCADE_CONV_WINOGRAD, "winograd",
          peak, error))
      && (!wino || bench (ctx, arena, s, CASCADE_CONV_WINOGRAD4, "winograd4",
          peak, error));
  /* each algorithm's scratch of the largest maps is hundreds of MB */
  cascade_arena_release (arena, "wino.v");
  cascade_arena_release (arena, "wino.m");
  cascade_arena_release (arena, "conv.col");
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
  if (!g_option_context_parse (oc, &argc, &argv, &err) || runs < 1
      || rounds < 1 || width < 32 || width > 4096) {
    g_printerr ("%s\n", err ? err->message : "bad --runs, --rounds or "
        "--width");
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
    Shape s = shapes[i];
    gint round;
    if (only && !strstr (s.name, only))
      continue;
    /* the mask head's RoIs stay 14x14 */
    if (s.n == 1)
      s.w = (guint) ((guint64) s.w * (guint) width / 1344);
    for (round = 0; round < rounds && !err; round++)
      bench_shape (ctx, arena, &s, peak, &err);
    if (err)
      break;
  }
  for (i = 0; !err && i < G_N_ELEMENTS (fc_shapes); i++)
    if (!only || strstr (fc_shapes[i].name, only))
      bench_fc_deconv (ctx, arena, &fc_shapes[i], NULL, peak, &err);
  for (i = 0; !err && i < G_N_ELEMENTS (deconv_shapes); i++)
    if (!only || strstr (deconv_shapes[i].name, only))
      bench_fc_deconv (ctx, arena, NULL, &deconv_shapes[i], peak, &err);
  if (!err && (!only || strstr ("nms", only))) {
    /* the RPN: 1000 boxes per level on 5 levels; the detection NMS: the
     * candidates above the score threshold of 1000 RoIs x 80 classes */
    if (bench_nms (ctx, arena, "rpn", 5000, 5, &err))
      bench_nms (ctx, arena, "detection", 8000, 80, &err);
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
