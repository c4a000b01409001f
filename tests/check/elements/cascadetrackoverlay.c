/* gst-cascade: cascadetrack ! cascadeoverlay: the trail of a tracked object
 * and the zones are drawn where they are, and only when asked */
#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "cascade-check.h"

#define W 320
#define H 240
#define STEP (100 * GST_MSECOND)

/* frame i (black RGB) with one 20x20 object centred at (40 + 8 i, 120) */
static GstBuffer *
frame (const GstVideoInfo * info, gint i)
{
  GstBuffer *buf = cascade_check_frame_new (info, 0, 0, 0);
  GstCascadeMeta *meta = gst_buffer_add_cascade_meta (buf, W, H);
  gfloat cx = 40 + 8 * i;

  GST_BUFFER_PTS (buf) = i * STEP;
  GST_BUFFER_DURATION (buf) = STEP;
  gst_cascade_meta_set_source (meta, i * STEP, FALSE);
  gst_cascade_meta_add_object (meta, cx - 10, 110, cx + 10, 130, 0.9f, 0,
      "circle", NULL);
  return buf;
}

/* how many pixels of row y, columns [x0, x1), are not black */
static guint
lit (const GstVideoInfo * info, GstBuffer * buf, gint y, gint x0, gint x1)
{
  GstVideoFrame f;
  guint n = 0;
  gint x;

  fail_unless (gst_video_frame_map (&f, info, buf, GST_MAP_READ));
  for (x = x0; x < x1; x++) {
    const guint8 *p = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0) + 3 * x;
    n += (p[0] | p[1] | p[2]) != 0;
  }
  gst_video_frame_unmap (&f);
  return n;
}

static GstBuffer *
run (const gchar * overlay, gint frames)
{
  gchar *launch = g_strdup_printf ("cascadetrack zones=\"{\\\"lines\\\": "
      "[{\\\"name\\\": \\\"gate\\\", \\\"points\\\": [[0.9, 0], [0.9, 1]]}]}\" "
      "! cascadeoverlay draw-boxes=false draw-labels=false %s", overlay);
  GstHarness *h = gst_harness_new_parse (launch);
  GstVideoInfo info;
  GstBuffer *out = NULL;
  gint i;

  cascade_check_info (&info, "RGB", W, H);
  gst_harness_set_src_caps_str (h, "video/x-raw, format=RGB, width=320, "
      "height=240, framerate=10/1");
  for (i = 0; i < frames; i++) {
    if (out)
      gst_buffer_unref (out);
    out = gst_harness_push_and_pull (h, frame (&info, i));
    fail_unless (out != NULL);
  }
  gst_harness_teardown (h);
  g_free (launch);
  return out;
}

GST_START_TEST (test_trail_and_zones)
{
  GstVideoInfo info;
  GstBuffer *trail, *none;

  cascade_check_info (&info, "RGB", W, H);
  /* after 11 frames the object is at x = 120; a trail of 5 positions runs
   * back to x = 80 along row 120 */
  trail = run ("trail=5", 11);
  none = run ("trail=0 draw-zones=false", 11);
  fail_unless (lit (&info, trail, 120, 84, 116) >= 30);
  fail_unless_equals_int (lit (&info, trail, 120, 30, 75), 0);
  fail_unless_equals_int (lit (&info, none, 120, 84, 116), 0);
  /* the line at x = 0.9 W = 288, drawn only with draw-zones */
  fail_unless (lit (&info, trail, 200, 285, 292) > 0);
  fail_unless_equals_int (lit (&info, none, 200, 285, 292), 0);
  gst_buffer_unref (trail);
  gst_buffer_unref (none);
}

GST_END_TEST;

static Suite *
cascadetrackoverlay_suite (void)
{
  Suite *s = suite_create ("cascadetrackoverlay");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_trail_and_zones);
  return s;
}

GST_CHECK_MAIN (cascadetrackoverlay);
