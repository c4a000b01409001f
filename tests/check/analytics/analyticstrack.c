/* gst-cascade: cascadetrack's tracks in the analytics relation meta
 * (GStreamer >= 1.24).  After cascadetrack, the frame's relation meta holds
 * the tracked objects (not the detections they replaced), each ODMtd
 * relating to a TrackingMtd with the object's track ID, as upstream's
 * trackers relate them; another element's mtds on the frame are kept; and
 * cascadejson reads track IDs from a relation meta alone. */
#include <json-glib/json-glib.h>

#include "analytics-check.h"

#define FRAMES 3
#define PERIOD (GST_SECOND / 10)

static GstHarness *
track_harness (const GstVideoInfo * info)
{
  return analytics_check_detect (info, "! cascadetrack min-hits=1 "
      "birth-score=0.05");
}

/* the frames of the still test image at PTS 0, PERIOD, ...: the last */
static GstBuffer *
run_frames (GstHarness * h, GstBuffer * first, GstBuffer * extra_on_last)
{
  GstBuffer *out = NULL;
  guint f;

  for (f = 0; f < FRAMES; f++) {
    GstBuffer *in = gst_buffer_copy_deep (first);

    GST_BUFFER_PTS (in) = f * PERIOD;
    GST_BUFFER_DURATION (in) = PERIOD;
    if (f == FRAMES - 1 && extra_on_last) {
      GstAnalyticsRelationMeta *r = gst_buffer_add_analytics_relation_meta (in);
      GstAnalyticsODMtd od;
      fail_unless (gst_analytics_relation_meta_add_od_mtd (r,
              g_quark_from_static_string ("foreign"), 1, 2, 3, 4, 0.5f, &od));
    }
    if (out)
      gst_buffer_unref (out);
    out = gst_harness_push_and_pull (h, in);
    fail_unless (out != NULL);
  }
  return out;
}

/* the TrackingMtd od relates to (exactly one): its id, first and last seen */
static guint64
od_track (GstAnalyticsRelationMeta * rmeta, const GstAnalyticsODMtd * od,
    GstClockTime * seen0, GstClockTime * seen1)
{
  GstAnalyticsTrackingMtd trk;
  gpointer state = NULL;
  guint64 id = 0;
  guint n = 0;
  gboolean lost = TRUE;

  while (gst_analytics_relation_meta_get_direct_related (rmeta, od->id,
          GST_ANALYTICS_REL_TYPE_RELATE_TO,
          gst_analytics_tracking_mtd_get_mtd_type (), &state, &trk)) {
    fail_unless (gst_analytics_tracking_mtd_get_info (&trk, &id, seen0, seen1,
            &lost));
    fail_unless (!lost, "a shown track marked lost");
    n++;
  }
  fail_unless_equals_int (n, 1);
  return id;
}

/* every ODMtd after cascadetrack is tracked object i, in order, relating to
 * its track; nothing of the detections is left */
GST_START_TEST (test_tracks_in_relation_meta)
{
  GstVideoInfo info;
  GstBuffer *img = analytics_check_image (&info), *out;
  GstHarness *h;
  GstCascadeMeta *meta;
  GstAnalyticsRelationMeta *rmeta;
  GstAnalyticsODMtd od;
  gpointer state = NULL;
  guint n, i = 0, n_masks = 0;

  if (!img)
    return;
  h = track_harness (&info);
  out = run_frames (h, img, NULL);
  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (meta != NULL);
  n = gst_cascade_meta_get_count (meta);
  fail_unless (n > 0, "no tracks on the still test image");
  rmeta = gst_buffer_get_analytics_relation_meta (out);
  fail_unless (rmeta != NULL);

  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_od_mtd_get_mtd_type (), &od)) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    GstVideoRegionOfInterestMeta *roi;
    const GstStructure *s;
    /* not "first"/"last": gstcheck's comparison macros declare those */
    GstClockTime seen0 = GST_CLOCK_TIME_NONE, seen1 = GST_CLOCK_TIME_NONE;
    guint64 id, roi_track = 0;
    gint x, y, w, hh, ex, ey, ew, eh;
    gfloat conf;

    fail_unless (o != NULL, "more ODMtds than tracked objects");
    fail_unless (gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &hh,
            &conf));
    analytics_check_box (o, meta->width, meta->height, &ex, &ey, &ew, &eh);
    fail_unless_equals_int (x, ex);
    fail_unless_equals_int (y, ey);
    fail_unless_equals_int (w, ew);
    fail_unless_equals_int (hh, eh);
    fail_unless_equals_int (gst_analytics_od_mtd_get_obj_type (&od), o->label);

    id = od_track (rmeta, &od, &seen0, &seen1);
    fail_unless (id != 0);
    fail_unless_equals_uint64 (id, gst_cascade_meta_get_track_id (meta, i));
    /* a still image: every track was born on the first frame and matched
     * on this one */
    fail_unless_equals_uint64 (seen0, 0);
    fail_unless_equals_uint64 (seen1, (FRAMES - 1) * PERIOD);
    fail_unless_equals_int (gst_cascade_meta_get_track_age (meta, i),
        FRAMES - 1);

    /* the ROI meta of the object pairs with the ODMtd and names the track */
    roi = analytics_check_roi_with_id (out, (gint) od.id);
    s = gst_video_region_of_interest_meta_get_param (roi, "tracking");
    fail_unless (s != NULL);
    fail_unless (gst_structure_get_uint64 (s, "id", &roi_track));
    fail_unless_equals_uint64 (roi_track, id);
    i++;
  }
  fail_unless_equals_int (i, n);
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  {
    GstAnalyticsSegmentationMtd seg;
    state = NULL;
    while (gst_analytics_relation_meta_iterate (rmeta, &state,
            gst_analytics_segmentation_mtd_get_mtd_type (), &seg))
      n_masks++;
    fail_unless (n_masks > 0, "a mask model, and no track's mask");
  }
#endif
  /* OD + Cls + Tracking per object (and the masks): the detections' mtds
   * went with the detections */
  fail_unless_equals_int (gst_analytics_relation_get_length (rmeta),
      3 * n + n_masks);

  gst_buffer_unref (out);
  gst_buffer_unref (img);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* a relation meta that also holds another element's mtd stays: the
 * foreign ODMtd is there after cascadetrack, beside the tracks */
GST_START_TEST (test_foreign_mtd_kept)
{
  GstVideoInfo info;
  GstBuffer *img = analytics_check_image (&info), *out;
  GstHarness *h;
  GstAnalyticsRelationMeta *rmeta;
  GstAnalyticsODMtd od;
  gpointer state = NULL;
  guint n_foreign = 0, n_tracked = 0, n_rmeta = 0;
  GstMeta *m;
  gpointer mstate = NULL;

  if (!img)
    return;
  h = track_harness (&info);
  out = run_frames (h, img, img);
  while ((m = gst_buffer_iterate_meta_filtered (out, &mstate,
              GST_ANALYTICS_RELATION_META_API_TYPE)))
    n_rmeta++;
  fail_unless_equals_int (n_rmeta, 1);
  rmeta = gst_buffer_get_analytics_relation_meta (out);
  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_od_mtd_get_mtd_type (), &od)) {
    GstAnalyticsTrackingMtd trk;

    if (gst_analytics_od_mtd_get_obj_type (&od) ==
        g_quark_from_static_string ("foreign"))
      n_foreign++;
    else if (gst_analytics_relation_meta_get_direct_related (rmeta, od.id,
            GST_ANALYTICS_REL_TYPE_RELATE_TO,
            gst_analytics_tracking_mtd_get_mtd_type (), NULL, &trk))
      n_tracked++;
  }
  fail_unless_equals_int (n_foreign, 1);
  fail_unless_equals_int (n_tracked,
      gst_cascade_meta_get_count (gst_buffer_get_cascade_meta (out)));

  gst_buffer_unref (out);
  gst_buffer_unref (img);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* cascadejson on a frame with only a relation meta: the track ID of a
 * TrackingMtd its ODMtd relates to */
GST_START_TEST (test_json_reads_tracks)
{
  GstVideoInfo info;
  GstBuffer *buf, *out;
  GstAnalyticsRelationMeta *r;
  GstAnalyticsODMtd od;
  GstAnalyticsTrackingMtd trk;
  GstHarness *h;
  GstMapInfo map;
  JsonParser *p = json_parser_new ();
  JsonArray *objects;
  JsonObject *o;
  gchar *caps;

  cascade_check_info (&info, "RGB", 64, 48);
  buf = cascade_check_frame_new (&info, 30, 40, 50);
  GST_BUFFER_PTS (buf) = GST_SECOND;
  r = gst_buffer_add_analytics_relation_meta (buf);
  fail_unless (gst_analytics_relation_meta_add_od_mtd (r,
          g_quark_from_static_string ("cat"), 8, 8, 20, 20, 0.9f, &od));
  fail_unless (gst_analytics_relation_meta_add_tracking_mtd (r, 4242,
          GST_SECOND / 2, &trk));
  fail_unless (gst_analytics_relation_meta_set_relation (r,
          GST_ANALYTICS_REL_TYPE_RELATE_TO, od.id, trk.id));

  h = gst_harness_new_parse ("cascadejson");
  caps = cascade_check_caps_str ("RGB", 64, 48);
  gst_harness_set_src_caps_str (h, caps);
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless (json_parser_load_from_data (p, (const gchar *) map.data,
          map.size, NULL));
  gst_buffer_unmap (out, &map);
  objects = json_object_get_array_member (json_node_get_object
      (json_parser_get_root (p)), "objects");
  fail_unless_equals_int (json_array_get_length (objects), 1);
  o = json_array_get_object_element (objects, 0);
  fail_unless_equals_string (json_object_get_string_member (o, "label"),
      "cat");
  fail_unless_equals_int (json_object_get_int_member (o, "track_id"), 4242);

  g_object_unref (p);
  g_free (caps);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

static Suite *
analyticstrack_suite (void)
{
  Suite *s = suite_create ("analyticstrack");
  TCase *tc = tcase_create ("tracks");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_tracks_in_relation_meta);
  tcase_add_test (tc, test_foreign_mtd_kept);
  tcase_add_test (tc, test_json_reads_tracks);
  return s;
}

GST_CHECK_MAIN (analyticstrack);
