/* gst-cascade: cascadedetect's latency windows (gst/cascadestats.c): the
 * inference window's maximum, the copy window's 90th percentile, which a
 * few stalled copies do not move */
#include <gst/gst.h>

#include "cascadestats.h"

GST_DEBUG_CATEGORY (gst_cascade_detect_debug);

static void
test_window (void)
{
  GstCascadeWindow w = { 0 };
  guint i;

  g_assert_cmpfloat (gst_cascade_window_max (&w), ==, 0.0);
  g_assert_cmpfloat (gst_cascade_window_quantile (&w, 0.9), ==, 0.0);
  for (i = 1; i <= 10; i++)
    gst_cascade_window_add (&w, i);
  /* nearest rank of 10: p 0.9 is the 9th, p 0.5 the 5th, p 1 the 10th */
  g_assert_cmpfloat (gst_cascade_window_quantile (&w, 0.9), ==, 9.0);
  g_assert_cmpfloat (gst_cascade_window_quantile (&w, 0.5), ==, 5.0);
  g_assert_cmpfloat (gst_cascade_window_max (&w), ==, 10.0);
  /* only the last GST_CASCADE_STATS_WINDOW are kept */
  for (i = 0; i < GST_CASCADE_STATS_WINDOW; i++)
    gst_cascade_window_add (&w, 2.0);
  g_assert_cmpuint (w.n, ==, GST_CASCADE_STATS_WINDOW);
  g_assert_cmpfloat (gst_cascade_window_max (&w), ==, 2.0);
}

/* a copy stalled by the scheduler: the copy latency stays the copies'
 * own cost, the inference window keeps its maximum */
static void
test_stats_latency (void)
{
  GstCascadeStats s;
  guint i;

  gst_cascade_stats_reset (&s);
  for (i = 0; i < 100; i++)
    gst_cascade_stats_add_copy (&s, 0.5 + (i % 4) * 0.1);
  gst_cascade_stats_add_copy (&s, 550.0);
  gst_cascade_stats_add_copy (&s, 300.0);
  gst_cascade_stats_add_copy (&s, 120.0);
  g_assert_cmpfloat (gst_cascade_stats_copy_latency (&s), <=, 0.8 + 1e-9);
  g_assert_cmpfloat (gst_cascade_stats_copy_latency (&s), >=, 0.7 - 1e-9);
  /* stalls that are the rule (4 of 32 and more) do count */
  gst_cascade_stats_add_copy (&s, 200.0);
  g_assert_cmpfloat (gst_cascade_stats_copy_latency (&s), ==, 120.0);

  gst_cascade_stats_add_inference (&s, 900.0, FALSE);   /* tuning: not kept */
  gst_cascade_stats_add_inference (&s, 300.0, TRUE);
  gst_cascade_stats_add_inference (&s, 250.0, TRUE);
  g_assert_cmpfloat (gst_cascade_stats_window_max (&s), ==, 300.0);
  g_assert_cmpuint (s.inferred, ==, 3);
  g_assert_cmpfloat (s.last_ms, ==, 250.0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gst_init (NULL, NULL);
  g_test_add_func ("/stats/window", test_window);
  g_test_add_func ("/stats/latency", test_stats_latency);
  return g_test_run ();
}
