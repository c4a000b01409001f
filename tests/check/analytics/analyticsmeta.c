/* gst-cascade: the analytics relation meta (GStreamer >= 1.24).
 * cascadedetect's relation meta read back through the analytics API and
 * compared with its GstCascadeMeta object by object (boxes, scores, labels,
 * masks, the ROI metas' ids); cascadeoverlay and cascadejson on frames that
 * carry only a relation meta (another element's), or both metas. */
#include <json-glib/json-glib.h>

#include "analytics-check.h"

#define W 64
#define H 48
#define M GST_CASCADE_META_MASK_SIZE

/* the one ClsMtd od relates to: o's label and score */
static void
check_class (GstAnalyticsRelationMeta * rmeta, const GstCascadeObject * o,
    const GstAnalyticsODMtd * od)
{
  GstAnalyticsClsMtd cls;
  gpointer state = NULL;
  guint n_cls = 0;

  while (gst_analytics_relation_meta_get_direct_related (rmeta, od->id,
          GST_ANALYTICS_REL_TYPE_RELATE_TO,
          gst_analytics_cls_mtd_get_mtd_type (), &state, &cls)) {
    fail_unless_equals_int (gst_analytics_cls_mtd_get_length (&cls), 1);
    fail_unless_equals_int (gst_analytics_cls_mtd_get_quark (&cls, 0),
        o->label);
    fail_unless_equals_float (gst_analytics_cls_mtd_get_level (&cls, 0),
        o->score);
    n_cls++;
  }
  fail_unless_equals_int (n_cls, 1);
}

#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
/* object i's mask as the SegmentationMtd contained in od: its location is
 * the mask's bounds, its pixels the pasted mask; returns 1 when it has one */
static guint
check_mask (GstAnalyticsRelationMeta * rmeta, const GstCascadeMeta * meta,
    guint i, const GstAnalyticsODMtd * od)
{
  GstAnalyticsSegmentationMtd seg;
  gpointer state = NULL;
  guint bx = 0, by = 0, bw = 0, bh = 0, n_seg = 0;
  gboolean has = gst_cascade_meta_get_mask_bounds (meta, i, meta->width,
      meta->height, &bx, &by, &bw, &bh) && bw > 0 && bh > 0;

  while (gst_analytics_relation_meta_get_direct_related (rmeta, od->id,
          GST_ANALYTICS_REL_TYPE_CONTAIN,
          gst_analytics_segmentation_mtd_get_mtd_type (), &state, &seg)) {
    gint mx, my, stride;
    guint mw, mh, r;
    GstBuffer *mask = gst_analytics_segmentation_mtd_get_mask (&seg, &mx, &my,
        &mw, &mh);
    GstVideoMeta *vmeta = gst_buffer_get_video_meta (mask);
    guint8 *want;
    GstMapInfo map;
    gpointer data;

    fail_unless (has, "object %u: a mask mtd without a mask", i);
    n_seg++;
    fail_unless_equals_int (mx, bx);
    fail_unless_equals_int (my, by);
    fail_unless_equals_int (mw, bw);
    fail_unless_equals_int (mh, bh);
    fail_unless (vmeta != NULL);
    fail_unless_equals_int (vmeta->format, GST_VIDEO_FORMAT_GRAY8);
    fail_unless_equals_int (vmeta->width, bw);
    fail_unless_equals_int (vmeta->height, bh);
    fail_unless_equals_int (gst_analytics_segmentation_mtd_get_region_count
        (&seg), 1);
    fail_unless_equals_int (gst_analytics_segmentation_mtd_get_region_id
        (&seg, 0), 1);
    fail_unless_equals_int (gst_analytics_relation_meta_get_relation (rmeta,
            seg.id, od->id), GST_ANALYTICS_REL_TYPE_IS_PART_OF);

    want = g_malloc ((gsize) bw * bh);
    fail_unless (gst_cascade_meta_get_mask_region (meta, i, meta->width,
            meta->height, bx, by, bw, bh, want, bw));
    fail_unless (gst_video_meta_map (vmeta, 0, &map, &data, &stride,
            GST_MAP_READ));
    for (r = 0; r < bh; r++)
      fail_unless (memcmp ((guint8 *) data + (gsize) r * stride,
              want + (gsize) r * bw, bw) == 0, "object %u: mask row %u", i, r);
    gst_video_meta_unmap (vmeta, 0, &map);
    g_free (want);
    gst_buffer_unref (mask);
  }
  fail_unless_equals_int (n_seg, has ? 1 : 0);
  return n_seg;
}
#endif

/* every ODMtd, in order, is object i of the GstCascadeMeta; every object's
 * ROI meta carries its ODMtd's id */
GST_START_TEST (test_relation_matches_cascade_meta)
{
  GstVideoInfo info;
  GstBuffer *in = analytics_check_image (&info), *out;
  GstHarness *h;
  GstCascadeMeta *meta;
  GstAnalyticsRelationMeta *rmeta;
  GstAnalyticsODMtd od;
  gpointer state = NULL;
  guint n, i = 0, n_masks = 0;

  if (!in)
    return;
  h = analytics_check_detect (&info, "");
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);
  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (meta != NULL);
  n = gst_cascade_meta_get_count (meta);
  fail_unless (n > 0, "the test model finds nothing on the test image");
  rmeta = gst_buffer_get_analytics_relation_meta (out);
  fail_unless (rmeta != NULL, "no analytics relation meta");

  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_od_mtd_get_mtd_type (), &od)) {
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    GstVideoRegionOfInterestMeta *roi;
    gint x, y, w, hh, ex, ey, ew, eh;
    gfloat conf;

    fail_unless (o != NULL, "more ODMtds than objects");
    fail_unless (gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &hh,
            &conf));
    analytics_check_box (o, meta->width, meta->height, &ex, &ey, &ew, &eh);
    fail_unless_equals_int (x, ex);
    fail_unless_equals_int (y, ey);
    fail_unless_equals_int (w, ew);
    fail_unless_equals_int (hh, eh);
    fail_unless_equals_float (conf, o->score);
    fail_unless_equals_int (gst_analytics_od_mtd_get_obj_type (&od), o->label);
    fail_unless_equals_string (g_quark_to_string
        (gst_analytics_od_mtd_get_obj_type (&od)),
        gst_cascade_meta_get_label (meta, i));

    /* DL Streamer's pairing: the ROI meta's id is the ODMtd's */
    roi = analytics_check_roi_with_id (out, (gint) od.id);
    fail_unless_equals_int (roi->x, x);
    fail_unless_equals_int (roi->y, y);
    fail_unless_equals_int (roi->w, w);
    fail_unless_equals_int (roi->h, hh);
    fail_unless_equals_int (roi->roi_type, o->label);
    check_class (rmeta, o, &od);
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
    n_masks += check_mask (rmeta, meta, i, &od);
#endif
    i++;
  }
  fail_unless_equals_int (i, n);
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  fail_unless (n_masks > 0, "a mask model, and no mask in the relation meta");
#endif
  /* nothing else */
  fail_unless_equals_int (gst_analytics_relation_get_length (rmeta),
      2 * n + n_masks);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* a relation meta already on the frame (an element upstream): cascadedetect
 * adds its objects to it, and its ROI metas get their ODMtds' ids (not
 * 0..n-1, which are taken) */
GST_START_TEST (test_upstream_relation_meta)
{
  GstVideoInfo info;
  GstBuffer *in = analytics_check_image (&info), *out;
  GstHarness *h;
  GstAnalyticsRelationMeta *rmeta;
  GstAnalyticsODMtd od, foreign;
  GstVideoRegionOfInterestMeta *roi;
  GstMeta *m;
  gpointer state = NULL;
  guint n_rmeta = 0, n_roi = 0;

  if (!in)
    return;
  rmeta = gst_buffer_add_analytics_relation_meta (in);
  fail_unless (gst_analytics_relation_meta_add_od_mtd (rmeta,
          g_quark_from_static_string ("foreign"), 1, 2, 3, 4, 0.25f, &foreign));
  h = analytics_check_detect (&info, "");
  out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);

  while ((m = gst_buffer_iterate_meta_filtered (out, &state,
              GST_ANALYTICS_RELATION_META_API_TYPE)))
    n_rmeta++;
  fail_unless_equals_int (n_rmeta, 1);
  rmeta = gst_buffer_get_analytics_relation_meta (out);
  fail_unless (gst_analytics_relation_meta_get_od_mtd (rmeta, foreign.id, &od));
  fail_unless_equals_string (g_quark_to_string
      (gst_analytics_od_mtd_get_obj_type (&od)), "foreign");

  state = NULL;
  while ((roi = (GstVideoRegionOfInterestMeta *)
          gst_buffer_iterate_meta_filtered (out, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    gint x, y, w, hh;
    gfloat conf;

    fail_unless (roi->id != (gint) foreign.id);
    fail_unless (gst_analytics_relation_meta_get_od_mtd (rmeta, roi->id,
            &od), "ROI id %d is no ODMtd", roi->id);
    fail_unless (gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &hh,
            &conf));
    fail_unless_equals_int (roi->x, x);
    fail_unless_equals_int (roi->y, y);
    fail_unless_equals_int (roi->w, w);
    fail_unless_equals_int (roi->h, hh);
    fail_unless_equals_int (roi->roi_type,
        gst_analytics_od_mtd_get_obj_type (&od));
    n_roi++;
  }
  fail_unless_equals_int (n_roi,
      gst_cascade_meta_get_count (gst_buffer_get_cascade_meta (out)));
  fail_unless (n_roi > 0);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* Frames from another element: only the relation meta */

static GstBuffer *
plain_frame (void)
{
  GstVideoInfo info;

  cascade_check_info (&info, "RGB", W, H);
  return cascade_check_frame_new (&info, 30, 40, 50);
}

/* what another detector would attach: a "cat" at (8, 8, 28 x 28) whose
 * mask (on >= 1.26) covers its box, a "dog" at (40, 10, 16 x 20), a "fox"
 * at (20, 30, 10 x 10) given as a related ClsMtd */
static void
add_relation_objects (GstBuffer * buf)
{
  GstAnalyticsRelationMeta *rmeta = gst_buffer_add_analytics_relation_meta
      (buf);
  GstAnalyticsODMtd cat, dog, fox;
  GstAnalyticsClsMtd cls;

  fail_unless (gst_analytics_relation_meta_add_od_mtd (rmeta,
          g_quark_from_static_string ("cat"), 8, 8, 28, 28, 0.875f, &cat));
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  {
    GstAnalyticsSegmentationMtd seg;
    GstBuffer *mask = gst_buffer_new_allocate (NULL, 28 * 28, NULL);
    guint region = 7;

    gst_buffer_memset (mask, 0, 7, 28 * 28);
    gst_buffer_add_video_meta (mask, GST_VIDEO_FRAME_FLAG_NONE,
        GST_VIDEO_FORMAT_GRAY8, 28, 28);
    fail_unless (gst_analytics_relation_meta_add_segmentation_mtd (rmeta,
            mask, GST_SEGMENTATION_TYPE_INSTANCE, 1, &region, 8, 8, 28, 28,
            &seg));
    fail_unless (gst_analytics_relation_meta_set_relation (rmeta,
            GST_ANALYTICS_REL_TYPE_RELATE_TO, cat.id, seg.id));
  }
#endif
  fail_unless (gst_analytics_relation_meta_add_od_mtd (rmeta,
          g_quark_from_static_string ("dog"), 40, 10, 16, 20, 0.5f, &dog));
  /* no object type: the class of the ClsMtd it relates to */
  fail_unless (gst_analytics_relation_meta_add_od_mtd (rmeta, 0, 20, 30, 10,
          10, 0.25f, &fox));
  fail_unless (gst_analytics_relation_meta_add_one_cls_mtd (rmeta, 0.75f,
          g_quark_from_static_string ("fox"), &cls));
  fail_unless (gst_analytics_relation_meta_set_relation (rmeta,
          GST_ANALYTICS_REL_TYPE_RELATE_TO, fox.id, cls.id));
}

/* the same objects as a GstCascadeMeta (class -1: a relation meta has no
 * class index) */
static void
add_cascade_objects (GstBuffer * buf)
{
  GstCascadeMeta *meta = gst_buffer_add_cascade_meta (buf, W, H);
  gfloat ones[M * M];
  gint i;

  for (i = 0; i < M * M; i++)
    ones[i] = 1.0f;
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  gst_cascade_meta_add_object (meta, 8, 8, 36, 36, 0.875f, -1, "cat", ones);
#else
  gst_cascade_meta_add_object (meta, 8, 8, 36, 36, 0.875f, -1, "cat", NULL);
#endif
  gst_cascade_meta_add_object (meta, 40, 10, 56, 30, 0.5f, -1, "dog", NULL);
  gst_cascade_meta_add_object (meta, 20, 30, 30, 40, 0.25f, -1, "fox", NULL);
}

/* other objects, to tell which meta an element read */
static void
add_other_cascade_objects (GstBuffer * buf)
{
  GstCascadeMeta *meta = gst_buffer_add_cascade_meta (buf, W, H);

  gst_cascade_meta_add_object (meta, 2, 30, 20, 46, 0.75f, 3, "bird", NULL);
}

/* buf through a fresh "launch" harness (RGB W x H): the output buffer */
static GstBuffer *
run (const gchar * launch, GstBuffer * buf)
{
  GstHarness *h = gst_harness_new_parse (launch);
  gchar *caps = cascade_check_caps_str ("RGB", W, H);
  GstBuffer *out;

  gst_harness_set_src_caps_str (h, caps);
  GST_BUFFER_PTS (buf) = GST_SECOND;
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);
  gst_harness_teardown (h);
  g_free (caps);
  return out;
}

static gboolean
same_bytes (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean same;

  fail_unless (gst_buffer_map (a, &ma, GST_MAP_READ));
  fail_unless (gst_buffer_map (b, &mb, GST_MAP_READ));
  same = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return same;
}

/* cascadeoverlay draws the relation meta's objects as it draws the same
 * objects given as GstCascadeMeta, and prefers GstCascadeMeta */
GST_START_TEST (test_overlay_reads_relation_meta)
{
  GstBuffer *plain = plain_frame (), *from_rel, *from_cascade, *other, *both,
      *b;

  b = gst_buffer_copy_deep (plain);
  add_relation_objects (b);
  from_rel = run ("cascadeoverlay", b);
  b = gst_buffer_copy_deep (plain);
  add_cascade_objects (b);
  from_cascade = run ("cascadeoverlay", b);
  fail_if (same_bytes (from_rel, plain), "nothing drawn");
  fail_unless (same_bytes (from_rel, from_cascade));

  b = gst_buffer_copy_deep (plain);
  add_other_cascade_objects (b);
  other = run ("cascadeoverlay", b);
  b = gst_buffer_copy_deep (plain);
  add_relation_objects (b);
  add_other_cascade_objects (b);
  both = run ("cascadeoverlay", b);
  fail_if (same_bytes (other, from_rel));
  fail_unless (same_bytes (both, other), "did not prefer GstCascadeMeta");

  /* a relation meta without ODMtds: nothing to draw */
  b = gst_buffer_copy_deep (plain);
  gst_buffer_add_analytics_relation_meta (b);
  gst_buffer_unref (from_rel);
  from_rel = run ("cascadeoverlay", b);
  fail_unless (same_bytes (from_rel, plain));

  gst_buffer_unref (plain);
  gst_buffer_unref (from_rel);
  gst_buffer_unref (from_cascade);
  gst_buffer_unref (other);
  gst_buffer_unref (both);
}

GST_END_TEST;

/* the one JSON line of a cascadejson output buffer */
static gchar *
line_of (GstBuffer * out)
{
  GstMapInfo map;
  gchar *s;

  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  s = g_strndup ((const gchar *) map.data, map.size);
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  return s;
}

/* cascadejson writes the relation meta's objects as it writes the same
 * objects given as GstCascadeMeta, and prefers GstCascadeMeta */
GST_START_TEST (test_json_reads_relation_meta)
{
  GstBuffer *plain = plain_frame (), *b;
  gchar *from_rel, *from_cascade, *other, *both, *empty;
  JsonParser *parser = json_parser_new ();
  JsonObject *root, *o;
  JsonArray *objects, *box;

  b = gst_buffer_copy_deep (plain);
  add_relation_objects (b);
  from_rel = line_of (run ("cascadejson", b));
  b = gst_buffer_copy_deep (plain);
  add_cascade_objects (b);
  from_cascade = line_of (run ("cascadejson", b));
  fail_unless_equals_string (from_rel, from_cascade);

  fail_unless (json_parser_load_from_data (parser, from_rel, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  objects = json_object_get_array_member (root, "objects");
  fail_unless_equals_int (json_array_get_length (objects), 3);
  o = json_array_get_object_element (objects, 0);
  fail_unless_equals_string (json_object_get_string_member (o, "label"), "cat");
  fail_unless_equals_int (json_object_get_int_member (o, "label_id"), -1);
  fail_unless_equals_float (json_object_get_double_member (o, "score"), 0.875);
  box = json_object_get_array_member (o, "box");
  fail_unless_equals_float (json_array_get_double_element (box, 0), 8.0);
  fail_unless_equals_float (json_array_get_double_element (box, 3), 36.0);
#ifdef HAVE_GST_ANALYTICS_SEGMENTATION
  fail_unless (json_object_has_member (o, "mask"));
#endif
  o = json_array_get_object_element (objects, 1);
  fail_unless_equals_string (json_object_get_string_member (o, "label"), "dog");
  fail_if (json_object_has_member (o, "mask"));
  o = json_array_get_object_element (objects, 2);
  fail_unless_equals_string (json_object_get_string_member (o, "label"),
      "fox");

  b = gst_buffer_copy_deep (plain);
  add_other_cascade_objects (b);
  other = line_of (run ("cascadejson", b));
  b = gst_buffer_copy_deep (plain);
  add_relation_objects (b);
  add_other_cascade_objects (b);
  both = line_of (run ("cascadejson", b));
  fail_unless_equals_string (both, other);
  fail_unless (strstr (both, "\"bird\"") && !strstr (both, "\"cat\""));

  b = gst_buffer_copy_deep (plain);
  gst_buffer_add_analytics_relation_meta (b);
  empty = line_of (run ("cascadejson", b));
  fail_unless (json_parser_load_from_data (parser, empty, -1, NULL));
  root = json_node_get_object (json_parser_get_root (parser));
  fail_unless_equals_int (json_array_get_length
      (json_object_get_array_member (root, "objects")), 0);

  g_object_unref (parser);
  gst_buffer_unref (plain);
  g_free (from_rel);
  g_free (from_cascade);
  g_free (other);
  g_free (both);
  g_free (empty);
}

GST_END_TEST;

static Suite *
analyticsmeta_suite (void)
{
  Suite *s = suite_create ("analyticsmeta");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_relation_matches_cascade_meta);
  tcase_add_test (tc, test_upstream_relation_meta);
  tcase_add_test (tc, test_overlay_reads_relation_meta);
  tcase_add_test (tc, test_json_reads_relation_meta);
  return s;
}

GST_CHECK_MAIN (analyticsmeta);
