/* gst-cascade: upstream's objectdetectionoverlay (gst-plugins-bad >= 1.24,
 * which reads only the analytics relation meta) draws cascadedetect's
 * objects: "cascadedetect ! objectdetectionoverlay" changes pixels on the
 * boxes' outlines and nowhere else, and none without objects. */
#include "analytics-check.h"

/* how far from a box's edge objectdetectionoverlay's stroke may reach */
#define MARGIN 4

static GstHarness *
overlay_harness (const GstVideoInfo * info, const gchar * detect_props)
{
  gchar *rest = g_strdup_printf ("%s ! objectdetectionoverlay "
      "draw-labels=false object-detection-outline-color=0xffff00ff",
      detect_props);
  GstHarness *h = analytics_check_detect (info, rest);

  g_free (rest);
  return h;
}

/* whether pixel (x, y) is within MARGIN of the outline of the box */
static gboolean
on_outline (gint x, gint y, gint bx, gint by, gint bw, gint bh)
{
  gboolean outer = x >= bx - MARGIN && x < bx + bw + MARGIN
      && y >= by - MARGIN && y < by + bh + MARGIN;
  gboolean inner = x >= bx + MARGIN && x < bx + bw - MARGIN
      && y >= by + MARGIN && y < by + bh - MARGIN;

  return outer && !inner;
}

GST_START_TEST (test_boxes_drawn)
{
  GstVideoInfo info;
  GstBuffer *in = analytics_check_image (&info), *ref, *out;
  GstHarness *h;
  GstAnalyticsRelationMeta *rmeta;
  GstAnalyticsODMtd od;
  gpointer state = NULL;
  guint8 *changed, *chroma;
  gboolean untouched;
  gint w, hh, x, y, n_changed = 0, n_boxes = 0;

  if (!in)
    return;
  w = GST_VIDEO_INFO_WIDTH (&info);
  hh = GST_VIDEO_INFO_HEIGHT (&info);
  ref = gst_buffer_copy_deep (in);
  h = overlay_harness (&info, "");
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);
  fail_unless (gst_cascade_meta_get_count (gst_buffer_get_cascade_meta (out))
      > 0, "the test model finds nothing on the test image");
  rmeta = gst_buffer_get_analytics_relation_meta (out);
  fail_unless (rmeta != NULL);
  cascade_check_diff (&info, ref, out, &changed, &chroma, &untouched);

  for (y = 0; y < hh; y++)
    for (x = 0; x < w; x++)
      n_changed += changed[y * w + x];
  fail_unless (n_changed > 0, "objectdetectionoverlay drew nothing");

  /* every box leaves a trace on its outline */
  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_od_mtd_get_mtd_type (), &od)) {
    gint bx, by, bw, bh, n_on = 0;
    gfloat conf;

    fail_unless (gst_analytics_od_mtd_get_location (&od, &bx, &by, &bw, &bh,
            &conf));
    for (y = 0; y < hh; y++)
      for (x = 0; x < w; x++)
        if (changed[y * w + x] && on_outline (x, y, bx, by, bw, bh))
          n_on++;
    fail_unless (n_on > 0, "box (%d, %d, %d x %d) not drawn", bx, by, bw, bh);
    n_boxes++;
  }
  fail_unless (n_boxes > 0);

  /* and nothing is drawn away from the outlines */
  for (y = 0; y < hh; y++)
    for (x = 0; x < w; x++) {
      gboolean near = FALSE;

      if (!changed[y * w + x])
        continue;
      state = NULL;
      while (!near && gst_analytics_relation_meta_iterate (rmeta, &state,
              gst_analytics_od_mtd_get_mtd_type (), &od)) {
        gint bx, by, bw, bh;
        gfloat conf;

        gst_analytics_od_mtd_get_location (&od, &bx, &by, &bw, &bh, &conf);
        near = on_outline (x, y, bx, by, bw, bh);
      }
      fail_unless (near, "pixel (%d, %d) changed away from every box", x, y);
    }

  g_free (changed);
  g_free (chroma);
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* no object (a threshold nothing reaches): the frame passes unchanged */
GST_START_TEST (test_nothing_drawn_without_objects)
{
  GstVideoInfo info;
  GstBuffer *in = analytics_check_image (&info), *ref, *out;
  GstHarness *h;
  GstMapInfo a, b;

  if (!in)
    return;
  ref = gst_buffer_copy_deep (in);
  h = overlay_harness (&info, "score-threshold=1.0");
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);
  fail_unless_equals_int (gst_cascade_meta_get_count
      (gst_buffer_get_cascade_meta (out)), 0);
  fail_unless (gst_buffer_map (ref, &a, GST_MAP_READ));
  fail_unless (gst_buffer_map (out, &b, GST_MAP_READ));
  fail_unless (a.size == b.size && memcmp (a.data, b.data, a.size) == 0);
  gst_buffer_unmap (ref, &a);
  gst_buffer_unmap (out, &b);
  gst_buffer_unref (ref);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
analyticsoverlay_suite (void)
{
  Suite *s = suite_create ("analyticsoverlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_boxes_drawn);
  tcase_add_test (tc, test_nothing_drawn_without_objects);
  return s;
}

GST_CHECK_MAIN (analyticsoverlay);
