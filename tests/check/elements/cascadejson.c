/* gst-cascade: tests of cascadejson: the lines parsed back and compared
 * with the meta they came from, masks through an RLE round trip */
#include <math.h>
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <json-glib/json-glib.h>

#include "cascade.h"
#include "rle.h"
#include "cascade-check.h"

#define W 53
#define H 37
#define M GST_CASCADE_META_MASK_SIZE

static GstHarness *
json_harness (const gchar * launch)
{
  GstHarness *h = gst_harness_new_parse (launch);
  gchar *caps = cascade_check_caps_str ("NV12", W, H);

  gst_harness_set_src_caps_str (h, caps);
  g_free (caps);
  return h;
}

static GstBuffer *
frame_new (void)
{
  GstVideoInfo info;

  cascade_check_info (&info, "NV12", W, H);
  return cascade_check_frame_new (&info, 0, 0, 0);
}

/* pulls one output buffer and parses it: exactly one line */
static JsonObject *
pull_line (GstHarness * h, GstBuffer * in, gchar ** text)
{
  GstBuffer *out = gst_harness_push_and_pull (h, in);
  JsonParser *parser = json_parser_new ();
  JsonObject *obj;
  GError *err = NULL;
  GstMapInfo map;
  gchar *str;

  fail_unless (out != NULL);
  fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
  fail_unless (map.size > 2);
  fail_unless_equals_int (map.data[map.size - 1], '\n');
  str = g_strndup ((const gchar *) map.data, map.size);
  fail_unless (strchr (str, '\n') == str + map.size - 1, "more than a line");
  fail_unless (json_parser_load_from_data (parser, str, -1, &err), "%s: %s",
      str, err ? err->message : "");
  obj = json_object_ref (json_node_get_object (json_parser_get_root
          (parser)));
  gst_buffer_unmap (out, &map);
  gst_buffer_unref (out);
  g_object_unref (parser);
  if (text)
    *text = str;
  else
    g_free (str);
  return obj;
}

static gfloat
member_float (JsonArray * a, guint i)
{
  return (gfloat) json_array_get_double_element (a, i);
}

GST_START_TEST (test_lines)
{
  GstHarness *h = json_harness ("cascadejson");
  GstBuffer *buf;
  GstCascadeMeta *meta;
  JsonObject *obj, *o, *mask;
  JsonArray *objects, *box, *size;
  GRand *r = g_rand_new_with_seed (7);
  gfloat probs[M * M];
  guint8 want[W * H], got[W * H];
  gchar *text;
  GstCaps *caps;
  gint i, n_set = 0;

  for (i = 0; i < M * M; i++)
    probs[i] = (gfloat) g_rand_double (r);

  buf = frame_new ();
  GST_BUFFER_PTS (buf) = 2 * GST_SECOND + 1;
  meta = gst_buffer_add_cascade_meta (buf, W, H);
  gst_cascade_meta_add_object (meta, 3.25f, 4.5f, 40.125f, 30.0f, 0.97f, 0,
      "person", probs);
  gst_cascade_meta_add_object (meta, -2.0f, 10.0f, 12.0f, 36.75f, 0.3f, 17,
      "say \"hi\"\\", NULL);

  /* keep the input (and its meta) for the comparisons */
  obj = pull_line (h, gst_buffer_ref (buf), &text);
  /* DESIGN.md's layout */
  fail_unless (g_str_has_prefix (text, "{\"frame\": 0, \"pts\": 2000000001, "
          "\"width\": 53, \"height\": 37, \"objects\": [{\"label_id\": 0, "
          "\"label\": \"person\", \"score\": 0.97, \"box\": [3.25, 4.5, "
          "40.125, 30.0]") || g_str_has_prefix (text, "{\"frame\": 0, "
          "\"pts\": 2000000001, \"width\": 53, \"height\": 37, \"objects\": "
          "[{\"label_id\": 0, \"label\": \"person\", \"score\": 0.97, "
          "\"box\": [3.25, 4.5, 40.125, 30]"), "%s", text);
  g_free (text);

  caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (caps != NULL);
  fail_unless_equals_string (gst_structure_get_name (gst_caps_get_structure
          (caps, 0)), "application/x-ndjson");
  gst_caps_unref (caps);

  fail_unless_equals_int (json_object_get_int_member (obj, "frame"), 0);
  fail_unless_equals_int64 (json_object_get_int_member (obj, "pts"),
      2 * GST_SECOND + 1);
  fail_unless_equals_int (json_object_get_int_member (obj, "width"), W);
  fail_unless_equals_int (json_object_get_int_member (obj, "height"), H);
  objects = json_object_get_array_member (obj, "objects");
  fail_unless_equals_int (json_array_get_length (objects), 2);

  o = json_array_get_object_element (objects, 0);
  fail_unless_equals_int (json_object_get_int_member (o, "label_id"), 0);
  fail_unless_equals_string (json_object_get_string_member (o, "label"),
      "person");
  fail_unless_equals_float ((gfloat) json_object_get_double_member (o,
          "score"), 0.97f);
  box = json_object_get_array_member (o, "box");
  fail_unless_equals_int (json_array_get_length (box), 4);
  fail_unless_equals_float (member_float (box, 0), 3.25f);
  fail_unless_equals_float (member_float (box, 1), 4.5f);
  fail_unless_equals_float (member_float (box, 2), 40.125f);
  fail_unless_equals_float (member_float (box, 3), 30.0f);

  /* the mask: [h, w] and counts decoding to exactly the pasted mask */
  mask = json_object_get_object_member (o, "mask");
  fail_unless (mask != NULL);
  size = json_object_get_array_member (mask, "size");
  fail_unless_equals_int (json_array_get_int_element (size, 0), H);
  fail_unless_equals_int (json_array_get_int_element (size, 1), W);
  fail_unless (cascade_rle_decode (json_object_get_string_member (mask,
              "counts"), W, H, got));
  fail_unless (gst_cascade_meta_get_mask (meta, 0, W, H, want, W));
  for (i = 0; i < W * H; i++) {
    fail_unless_equals_int (got[i], want[i]);
    n_set += want[i];
  }
  fail_unless (n_set > 50 && n_set < W * H - 50);

  o = json_array_get_object_element (objects, 1);
  fail_unless_equals_int (json_object_get_int_member (o, "label_id"), 17);
  fail_unless_equals_string (json_object_get_string_member (o, "label"),
      "say \"hi\"\\");
  fail_unless_equals_float ((gfloat) json_object_get_double_member (o,
          "score"), 0.3f);
  box = json_object_get_array_member (o, "box");
  fail_unless_equals_float (member_float (box, 0), -2.0f);
  fail_unless_equals_float (member_float (box, 3), 36.75f);
  fail_unless (!json_object_has_member (o, "mask"));
  json_object_unref (obj);
  gst_buffer_unref (buf);

  /* no meta, no timestamp */
  buf = frame_new ();
  obj = pull_line (h, buf, &text);
  fail_unless_equals_string (text, "{\"frame\": 1, \"pts\": null, "
      "\"width\": 53, \"height\": 37, \"objects\": []}\n");
  g_free (text);
  json_object_unref (obj);

  gst_harness_teardown (h);
  g_rand_free (r);
}

GST_END_TEST;

/* the freshness of the result: "repeated" and "result_pts" after
 * "objects", for frames with a meta */
GST_START_TEST (test_freshness)
{
  GstHarness *h = json_harness ("cascadejson");
  GstBuffer *buf;
  GstCascadeMeta *meta;
  JsonObject *obj;
  gchar *text;

  /* its own result */
  buf = frame_new ();
  GST_BUFFER_PTS (buf) = 40 * GST_MSECOND;
  meta = gst_buffer_add_cascade_meta (buf, W, H);
  gst_cascade_meta_set_source (meta, 40 * GST_MSECOND, FALSE);
  obj = pull_line (h, buf, &text);
  fail_unless (!json_object_get_boolean_member (obj, "repeated"));
  fail_unless_equals_int64 (json_object_get_int_member (obj, "result_pts"),
      40 * GST_MSECOND);
  fail_unless (strstr (text, "\"objects\": [], \"repeated\": false, "
          "\"result_pts\": 40000000}") != NULL, "%s", text);
  g_free (text);
  json_object_unref (obj);

  /* an earlier frame's */
  buf = frame_new ();
  GST_BUFFER_PTS (buf) = 80 * GST_MSECOND;
  meta = gst_buffer_add_cascade_meta (buf, W, H);
  gst_cascade_meta_set_source (meta, 40 * GST_MSECOND, TRUE);
  obj = pull_line (h, buf, NULL);
  fail_unless (json_object_get_boolean_member (obj, "repeated"));
  fail_unless_equals_int64 (json_object_get_int_member (obj, "result_pts"),
      40 * GST_MSECOND);
  json_object_unref (obj);

  /* unknown source: null */
  buf = frame_new ();
  gst_buffer_add_cascade_meta (buf, W, H);
  obj = pull_line (h, buf, NULL);
  fail_unless (json_object_get_null_member (obj, "result_pts"));
  json_object_unref (obj);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* buffers keep their timestamps; offsets count frames */
GST_START_TEST (test_timestamps)
{
  GstHarness *h = json_harness ("cascadejson");
  gint i;

  for (i = 0; i < 5; i++) {
    GstBuffer *buf = frame_new (), *out;
    GST_BUFFER_PTS (buf) = i * 40 * GST_MSECOND;
    GST_BUFFER_DTS (buf) = i * 40 * GST_MSECOND;
    GST_BUFFER_DURATION (buf) = 40 * GST_MSECOND;
    out = gst_harness_push_and_pull (h, buf);
    fail_unless_equals_uint64 (GST_BUFFER_PTS (out), i * 40 * GST_MSECOND);
    fail_unless_equals_uint64 (GST_BUFFER_DTS (out), i * 40 * GST_MSECOND);
    fail_unless_equals_uint64 (GST_BUFFER_DURATION (out), 40 * GST_MSECOND);
    fail_unless_equals_uint64 (GST_BUFFER_OFFSET (out), i);
    gst_buffer_unref (out);
  }
  gst_harness_teardown (h);
}

GST_END_TEST;

/* masks=false leaves them out; a scaled meta gives boxes in this frame's
 * pixels */
GST_START_TEST (test_no_masks_and_scale)
{
  GstHarness *h = json_harness ("cascadejson masks=false");
  GstBuffer *buf = frame_new ();
  GstCascadeMeta *meta;
  JsonObject *obj, *o;
  JsonArray *box;
  gfloat probs[M * M];
  gint i;

  for (i = 0; i < M * M; i++)
    probs[i] = 1.0f;
  meta = gst_buffer_add_cascade_meta (buf, 2 * W, 2 * H);
  gst_cascade_meta_add_object (meta, 10.0f, 20.0f, 30.0f, 40.0f, 0.5f, 1,
      "b", probs);
  obj = pull_line (h, buf, NULL);
  o = json_array_get_object_element (json_object_get_array_member (obj,
          "objects"), 0);
  fail_unless (!json_object_has_member (o, "mask"));
  box = json_object_get_array_member (o, "box");
  fail_unless_equals_float (member_float (box, 0), 5.0f);
  fail_unless_equals_float (member_float (box, 1), 10.0f);
  fail_unless_equals_float (member_float (box, 2), 15.0f);
  fail_unless_equals_float (member_float (box, 3), 20.0f);
  json_object_unref (obj);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* a known mask gives pycocotools' string: a 4x3 frame, box covering
 * columns 1..2, rows 0..1 -> column-major runs 3 (zeros), 2, 1, 2, 4 */
GST_START_TEST (test_rle_known)
{
  GstHarness *h = gst_harness_new_parse ("cascadejson");
  GstVideoInfo info;
  GstBuffer *buf;
  GstCascadeMeta *meta;
  JsonObject *obj, *o;
  gfloat probs[M * M];
  gint i;

  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGB,width=4,height=3,"
      "framerate=30/1");
  cascade_check_info (&info, "RGB", 4, 3);
  buf = cascade_check_frame_new (&info, 0, 0, 0);
  for (i = 0; i < M * M; i++)
    probs[i] = 1.0f;
  meta = gst_buffer_add_cascade_meta (buf, 4, 3);
  gst_cascade_meta_add_object (meta, 1.0f, 0.0f, 3.0f, 2.0f, 0.5f, 0, "x",
      probs);
  obj = pull_line (h, buf, NULL);
  o = json_array_get_object_element (json_object_get_array_member (obj,
          "objects"), 0);
  /* counts 3 2 1 2 4; the first three are written as they are ('3' '2'
   * '1'), the others as differences to the count two places before:
   * 2-2=0 -> '0', 4-1=3 -> '3' */
  fail_unless_equals_string (json_object_get_string_member
      (json_object_get_object_member (o, "mask"), "counts"), "32103");
  json_object_unref (obj);
  gst_harness_teardown (h);
}

GST_END_TEST;

GST_START_TEST (test_caps)
{
  GstElement *e = gst_element_factory_make ("cascadejson", NULL);
  GstPad *sink = gst_element_get_static_pad (e, "sink");
  GstCaps *caps;
  guint i;

  for (i = 0; cascade_check_formats[i]; i++) {
    gchar *s = cascade_check_caps_str (cascade_check_formats[i], W, H);
    caps = gst_caps_from_string (s);
    fail_unless (gst_pad_query_accept_caps (sink, caps), "%s", s);
    gst_caps_unref (caps);
    g_free (s);
  }
  caps = gst_caps_from_string ("audio/x-raw");
  fail_if (gst_pad_query_accept_caps (sink, caps));
  gst_caps_unref (caps);
  gst_object_unref (sink);
  gst_object_unref (e);
}

GST_END_TEST;

static Suite *
cascadejson_suite (void)
{
  Suite *s = suite_create ("cascadejson");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_lines);
  tcase_add_test (tc, test_timestamps);
  tcase_add_test (tc, test_freshness);
  tcase_add_test (tc, test_no_masks_and_scale);
  tcase_add_test (tc, test_rle_known);
  tcase_add_test (tc, test_caps);
  return s;
}

GST_CHECK_MAIN (cascadejson);
