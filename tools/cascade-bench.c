/* cascade-bench: runs a model on one frame N times and prints, per stage,
 * the median wall time, the achieved GFLOP/s and its share of the
 * device's measured FMA peak, and the total.  "paste" is every detection's
 * mask pasted at frame size (what cascadeoverlay/cascadejson ask for);
 * "outside" sums what is not the network (preprocess, NMS, postprocess,
 * paste) and gives its share of the frame.
 * Output lines (parsed by tools/bench-compare.py):
 *   peak_gflops <G>
 *   stage <name> median_ms <ms> gflops <GFLOP/s> gflop <G> peak_pct <P> */
#include "image.h"
#include "engine-private.h"
#include "timing.h"
#include "runtime/util.h"
#include "peak.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gchar *device, *input_size;
static gint runs = 5;
static gboolean no_masks, no_peak;
static gint width = 640, height = 480;

static GOptionEntry entries[] = {
  {"device", 'd', 0, G_OPTION_ARG_STRING, &device, "OpenCL device spec",
      "SPEC"},
  {"runs", 'n', 0, G_OPTION_ARG_INT, &runs, "Timed runs (default 5)", "N"},
  {"input-size", 's', 0, G_OPTION_ARG_STRING, &input_size,
      "Network input size LONGxSHORT (default: the model's)", "WxH"},
  {"no-masks", 0, 0, G_OPTION_ARG_NONE, &no_masks, "Skip the mask heads",
      NULL},
  {"no-peak", 0, 0, G_OPTION_ARG_NONE, &no_peak,
      "Do not measure the device's FMA peak (no peak_pct)", NULL},
  {"width", 'W', 0, G_OPTION_ARG_INT, &width,
      "Synthetic frame width when no image is given", "W"},
  {"height", 'H', 0, G_OPTION_ARG_INT, &height,
      "Synthetic frame height when no image is given", "H"},
  {NULL}
};

static void
print_stage (const gchar * name, gdouble m, gdouble flops, gdouble peak)
{
  gdouble gf = m > 0 ? flops / m / 1e6 : 0.0;
  printf ("stage %-11s median_ms %9.2f gflops %7.2f gflop %8.2f peak_pct "
      "%5.1f\n", name, m, gf, flops / 1e9, peak > 0 ? 100.0 * gf / peak : 0);
}

/* a deterministic synthetic frame of --width x --height: gradients and
 * blocks; returns its pixels (g_free) */
static guint8 *
synthetic_frame (CascadeFrame * frame)
{
  guint8 *pixels = g_malloc ((gsize) width * height * 3);
  gint x, y;
  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++) {
      guint8 *px = pixels + ((gsize) y * width + x) * 3;
      px[0] = (guint8) (x * 255 / width);
      px[1] = (guint8) (((x / 40) + (y / 40)) % 2 ? 200 : 40);
      px[2] = (guint8) (y * 255 / height);
    }
  memset (frame, 0, sizeof (*frame));
  frame->format = CASCADE_FORMAT_RGB;
  frame->width = width;
  frame->height = height;
  frame->planes[0] = pixels;
  frame->strides[0] = (gsize) width * 3;
  return pixels;
}

/* the stage lines, paste, total and outside_network, over the runs */
static void
report (gdouble * ms[CASCADE_N_STAGES], const gdouble * flops,
    gdouble * paste, gdouble * total, gdouble * outside, gdouble peak)
{
  gdouble sum_flops = 0, m, o;
  guint s;
  for (s = 0; s < CASCADE_N_STAGES; s++) {
    print_stage (cascade_stage_names[s], cascade_median (ms[s], runs),
        flops[s], peak);
    sum_flops += flops[s];
  }
  print_stage ("paste", cascade_median (paste, runs), 0, peak);
  m = cascade_median (total, runs);
  o = cascade_median (outside, runs);
  print_stage ("total", m, sum_flops, peak);
  printf ("outside_network median_ms %.2f share_pct %.2f\n", o,
      100.0 * o / m);
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  GOptionContext *oc = g_option_context_new ("MODEL [IMAGE.ppm]");
  CascadeEngine *e;
  CascadeFrame frame;
  CascadeDetectParams p;
  CascadeTimings t;
  CascadeObserver obs;
  guint8 *pixels = NULL;
  gdouble *ms[CASCADE_N_STAGES], *total, *paste, *outside;
  gdouble flops[CASCADE_N_STAGES] = { 0 };
  gdouble peak = 0;
  guint8 *mask_buf = NULL;
  gint64 t0;
  guint i, s, ls, ss, props = 0, dets = 0;

  g_option_context_add_main_entries (oc, entries, NULL);
  if (!g_option_context_parse (oc, &argc, &argv, &err) || argc < 2
      || argc > 3 || runs < 1) {
    g_printerr ("%s\n", err ? err->message :
        "usage: cascade-bench [OPTIONS] MODEL [IMAGE.ppm]");
    return 2;
  }
  t0 = g_get_monotonic_time ();
  e = cascade_engine_new (device, argv[1], &err);
  if (!e) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  printf ("device %s\n", cascade_engine_device_name (e));
  printf ("start_ms %.1f\n", (g_get_monotonic_time () - t0) / 1000.0);
  if (!no_peak) {
    if (!cascade_peak_gflops (cascade_engine_ctx (e), &peak, &err)) {
      g_printerr ("%s\n", err->message);
      return 1;
    }
    printf ("peak_gflops %.1f\n", peak);
  }
  if (input_size && (sscanf (input_size, "%ux%u", &ls, &ss) != 2
          || !cascade_engine_set_input_size (e, ls, ss, &err))) {
    g_printerr ("bad --input-size %s\n", input_size);
    return 2;
  }
  if (argc == 3) {
    if (!tool_read_ppm (argv[2], &frame, &pixels, &err)) {
      g_printerr ("%s\n", err->message);
      return 1;
    }
  } else {
    pixels = synthetic_frame (&frame);
  }
  cascade_detect_params_init (&p, e);
  if (no_masks)
    p.masks = FALSE;
  cascade_engine_get_input_size (e, &ls, &ss);
  printf ("frame %ux%u input_size %ux%u runs %d masks %s\n", frame.width,
      frame.height, ls, ss, runs, p.masks ? "on" : "off");

  for (s = 0; s < CASCADE_N_STAGES; s++)
    ms[s] = g_new0 (gdouble, runs);
  total = g_new0 (gdouble, runs);
  paste = g_new0 (gdouble, runs);
  outside = g_new0 (gdouble, runs);
  mask_buf = g_malloc ((gsize) frame.width * frame.height);
  cascade_timings_observer (&t, &obs);
  cascade_engine_set_observer (e, &obs);
  /* warm-up: compiles kernels, sizes the arena */
  t0 = g_get_monotonic_time ();
  cascade_result_free (cascade_engine_detect (e, &frame, &p, &err));
  if (err) {
    g_printerr ("%s\n", err->message);
    return 1;
  }
  printf ("first_frame_ms %.1f\n", (g_get_monotonic_time () - t0) / 1000.0);
  for (i = 0; i < (guint) runs; i++) {
    CascadeResult *r;
    cascade_timings_clear (&t);
    t0 = g_get_monotonic_time ();
    r = cascade_engine_detect (e, &frame, &p, &err);
    if (!r) {
      g_printerr ("%s\n", err->message);
      return 1;
    }
    {
      /* every mask at frame size, as the elements ask for them */
      gint64 t1 = g_get_monotonic_time ();
      guint d;
      for (d = 0; p.masks && d < cascade_result_count (r); d++)
        if (!cascade_result_paste_mask (r, d, mask_buf, frame.width, &err)) {
          g_printerr ("%s\n", err->message);
          return 1;
        }
      paste[i] = (g_get_monotonic_time () - t1) / 1000.0;
    }
    total[i] = (g_get_monotonic_time () - t0) / 1000.0;
    for (s = 0; s < CASCADE_N_STAGES; s++) {
      ms[s][i] = t.ms[s];
      flops[s] = t.flops[s];
    }
    outside[i] = t.ms[CASCADE_STAGE_PREPROCESS] + t.ms[CASCADE_STAGE_NMS] +
        t.ms[CASCADE_STAGE_POSTPROCESS] + paste[i];
    props = t.proposals;
    dets = t.detections;
    cascade_result_free (r);
  }
  printf ("proposals %u detections %u\n", props, dets);
  report (ms, flops, paste, total, outside, peak);
  for (s = 0; s < CASCADE_N_STAGES; s++)
    g_free (ms[s]);
  g_free (total);
  g_free (paste);
  g_free (outside);
  g_free (mask_buf);
  g_free (pixels);
  cascade_engine_free (e);
  g_option_context_free (oc);
  return 0;
}
