/* gst-cascade: tests of cascadedetect: properties, caps, start failures,
 * and, with the committed test model (tests/data/fixtures), the attached
 * metadata compared with the engine's own output on the same frame */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>

#include "cascade.h"
#include "cascade-check.h"

GST_START_TEST (test_defaults)
{
  GstElement *e = gst_element_factory_make ("cascadedetect", NULL);
  gchar *model, *device, *input_size, *labels, *classes;
  gdouble score, nms;
  guint max_det, interval, stages;
  gboolean masks, post;

  fail_unless (e != NULL);
  g_object_get (e, "model", &model, "device", &device, "input-size",
      &input_size, "labels", &labels, "classes", &classes,
      "score-threshold", &score, "nms-threshold", &nms, "max-detections",
      &max_det, "interval", &interval, "num-stages", &stages, "masks", &masks,
      "post-messages", &post, NULL);
  /* a name, found along the model search path */
  fail_unless_equals_string (model, "demo");
  fail_unless (device == NULL);
  fail_unless_equals_string (input_size, "");
  fail_unless (labels == NULL);
  fail_unless (classes == NULL);
  fail_unless_equals_float (score, 0.3);
  fail_unless_equals_float (nms, -1.0);
  fail_unless_equals_int (max_det, 0);
  fail_unless_equals_int (interval, 1);
  fail_unless_equals_int (stages, 3);
  fail_unless (masks);
  fail_unless (!post);
  g_free (model);
  g_free (device);
  g_free (input_size);
  g_free (labels);
  g_free (classes);
  gst_object_unref (e);
}

GST_END_TEST;

/* ranges and mutability as STYLE.md says */
GST_START_TEST (test_property_specs)
{
  GstElement *e = gst_element_factory_make ("cascadedetect", NULL);
  GObjectClass *klass = G_OBJECT_GET_CLASS (e);
  const gchar *ready[] = { "model", "device", "input-size", "labels", NULL };
  const gchar *playing[] = { "score-threshold", "nms-threshold",
    "max-detections", "classes", "masks", "interval", "post-messages",
    "num-stages", NULL
  };
  GParamSpec *p;
  GValue v = G_VALUE_INIT;
  guint i;

  for (i = 0; ready[i]; i++) {
    p = g_object_class_find_property (klass, ready[i]);
    fail_unless (p != NULL, "%s", ready[i]);
    fail_unless (p->flags & GST_PARAM_MUTABLE_READY, "%s", ready[i]);
  }
  for (i = 0; playing[i]; i++) {
    p = g_object_class_find_property (klass, playing[i]);
    fail_unless (p != NULL, "%s", playing[i]);
    fail_unless (p->flags & GST_PARAM_MUTABLE_PLAYING, "%s", playing[i]);
  }

  p = g_object_class_find_property (klass, "score-threshold");
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->minimum, 0.0);
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->maximum, 1.0);
  /* out of range values are clamped by GObject's validation */
  g_value_init (&v, G_TYPE_DOUBLE);
  g_value_set_double (&v, 1.5);
  fail_unless (g_param_value_validate (p, &v));
  fail_unless_equals_float (g_value_get_double (&v), 1.0);
  g_value_unset (&v);

  p = g_object_class_find_property (klass, "num-stages");
  fail_unless_equals_int (G_PARAM_SPEC_UINT (p)->minimum, 1);
  fail_unless_equals_int (G_PARAM_SPEC_UINT (p)->maximum, 3);
  p = g_object_class_find_property (klass, "interval");
  fail_unless_equals_int (G_PARAM_SPEC_UINT (p)->minimum, 1);
  p = g_object_class_find_property (klass, "nms-threshold");
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->minimum, -1.0);
  fail_unless_equals_float (G_PARAM_SPEC_DOUBLE (p)->maximum, 1.0);

  g_object_set (e, "score-threshold", 0.05, "nms-threshold", 0.6,
      "max-detections", 7, "interval", 4, "num-stages", 2, "masks", FALSE,
      "post-messages", TRUE, "device", "0", "model", "/x.safetensors", NULL);
  {
    gdouble s, n;
    guint m, iv, st;
    gboolean mk, pm;
    gchar *dev, *model;

    g_object_get (e, "score-threshold", &s, "nms-threshold", &n,
        "max-detections", &m, "interval", &iv, "num-stages", &st, "masks", &mk,
        "post-messages", &pm, "device", &dev, "model", &model, NULL);
    fail_unless_equals_float (s, 0.05);
    fail_unless_equals_float (n, 0.6);
    fail_unless_equals_int (m, 7);
    fail_unless_equals_int (iv, 4);
    fail_unless_equals_int (st, 2);
    fail_unless (!mk && pm);
    fail_unless_equals_string (dev, "0");
    fail_unless_equals_string (model, "/x.safetensors");
    g_free (dev);
    g_free (model);
  }
  gst_object_unref (e);
}

GST_END_TEST;

static gchar *
get_str (GstElement * e, const gchar * name)
{
  gchar *s;

  g_object_get (e, name, &s, NULL);
  return s;
}

GST_START_TEST (test_input_size)
{
  GstElement *e = gst_element_factory_make ("cascadedetect", NULL);
  const gchar *bad[] = { "abc", "1333x", "x800", "1333x800x3", "1333*800",
    "16x800", "1333x8000", "-1333x800", " 1333x800", "1333x800 ", NULL
  };
  gchar *s;
  guint i;

  g_object_set (e, "input-size", "1333x800", NULL);
  s = get_str (e, "input-size");
  fail_unless_equals_string (s, "1333x800");
  g_free (s);

  /* either order; stored as LONGxSHORT */
  g_object_set (e, "input-size", "480X640", NULL);
  s = get_str (e, "input-size");
  fail_unless_equals_string (s, "640x480");
  g_free (s);

  for (i = 0; bad[i]; i++) {
    g_object_set (e, "input-size", bad[i], NULL);
    s = get_str (e, "input-size");
    fail_unless_equals_string (s, "640x480");
    g_free (s);
  }

  /* empty: back to the model's */
  g_object_set (e, "input-size", "", NULL);
  s = get_str (e, "input-size");
  fail_unless_equals_string (s, "");
  g_free (s);
  g_object_set (e, "input-size", NULL, NULL);
  s = get_str (e, "input-size");
  fail_unless_equals_string (s, "");
  g_free (s);
  gst_object_unref (e);
}

GST_END_TEST;

GST_START_TEST (test_classes_syntax)
{
  GstElement *e = gst_element_factory_make ("cascadedetect", NULL);
  const gchar *bad[] = { ",", "person,", ",car", "person,,car", " , ", NULL };
  gchar *s;
  guint i;

  g_object_set (e, "classes", "person, car,2", NULL);
  s = get_str (e, "classes");
  fail_unless_equals_string (s, "person, car,2");
  g_free (s);

  for (i = 0; bad[i]; i++) {
    g_object_set (e, "classes", bad[i], NULL);
    s = get_str (e, "classes");
    fail_unless_equals_string (s, "person, car,2");
    g_free (s);
  }
  g_object_set (e, "classes", "", NULL);
  s = get_str (e, "classes");
  fail_unless_equals_string (s, "");
  g_free (s);
  gst_object_unref (e);
}

GST_END_TEST;

GST_START_TEST (test_caps)
{
  GstElement *e = gst_element_factory_make ("cascadedetect", NULL);
  GstPad *sink = gst_element_get_static_pad (e, "sink");
  const gchar *bad[] = { "GRAY8", "YUY2", "RGB16", "NV21", "Y444", NULL };
  guint i;

  for (i = 0; cascade_check_formats[i]; i++) {
    gchar *s = cascade_check_caps_str (cascade_check_formats[i], 641, 479);
    GstCaps *caps = gst_caps_from_string (s);
    fail_unless (gst_pad_query_accept_caps (sink, caps), "%s", s);
    gst_caps_unref (caps);
    g_free (s);
  }
  for (i = 0; bad[i]; i++) {
    gchar *s = cascade_check_caps_str (bad[i], 64, 48);
    GstCaps *caps = gst_caps_from_string (s);
    fail_if (gst_pad_query_accept_caps (sink, caps), "%s", s);
    gst_caps_unref (caps);
    g_free (s);
  }
  {
    /* beyond the engine's 8192 */
    GstCaps *caps = gst_caps_from_string ("video/x-raw,format=RGB,"
        "width=8193,height=10,framerate=30/1");
    fail_if (gst_pad_query_accept_caps (sink, caps));
    gst_caps_unref (caps);
  }
  gst_object_unref (sink);
  gst_object_unref (e);
}

GST_END_TEST;

/* Runs `launch` to PLAYING; expects the state change to fail with an
 * error from cascadedetect in `domain`/`code`, then stops cleanly. */
static void
expect_start_error (const gchar * launch, GQuark domain, gint code,
    const gchar * text)
{
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;
  gchar *debug = NULL;

  pipeline = gst_parse_launch (launch, &err);
  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  bus = gst_element_get_bus (pipeline);

  fail_unless_equals_int (gst_element_set_state (pipeline,
          GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message");
  gst_message_parse_error (msg, &err, &debug);
  fail_unless (GST_IS_ELEMENT (GST_MESSAGE_SRC (msg)));
  fail_unless_equals_string (G_OBJECT_TYPE_NAME (GST_MESSAGE_SRC (msg)),
      "GstCascadeDetect");
  fail_unless (g_error_matches (err, domain, code), "%s %d: %s",
      g_quark_to_string (err->domain), err->code, err->message);
  if (text)
    fail_unless (strstr (err->message, text) != NULL, "%s", err->message);
  GST_INFO ("error: %s (%s)", err->message, debug);
  g_clear_error (&err);
  g_free (debug);
  gst_message_unref (msg);

  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_bad_model_path)
{
  expect_start_error ("videotestsrc num-buffers=3 ! "
      "cascadedetect model=/nonexistent/model.safetensors ! fakesink",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
      "/nonexistent/model.safetensors");
  expect_start_error ("videotestsrc num-buffers=3 ! "
      "cascadedetect model=\"\" ! fakesink",
      GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND, NULL);
}

GST_END_TEST;

GST_START_TEST (test_damaged_model)
{
  gchar *path = NULL, *launch;
  gint fd = g_file_open_tmp ("cascade-XXXXXX.safetensors", &path, NULL);
  const gchar junk[] = "\x10\x00\x00\x00\x00\x00\x00\x00{not json at all";

  fail_unless (fd >= 0);
  fail_unless (write (fd, junk, sizeof (junk)) == sizeof (junk));
  close (fd);
  launch = g_strdup_printf ("videotestsrc num-buffers=3 ! "
      "cascadedetect model=\"%s\" ! fakesink", path);
  expect_start_error (launch, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_OPEN_READ, NULL);
  g_unlink (path);
  g_free (path);
  g_free (launch);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* With the test model */

static gchar *test_model;
static guint8 *test_rgb;
static gint test_w, test_h;

/* binary PPM (P6, maxval 255) */
static guint8 *
read_ppm (const gchar * path, gint * w, gint * h)
{
  gchar *data;
  gsize len;
  gint maxval, off = 0;
  guint8 *rgb;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  if (sscanf (data, "P6 %d %d %d%n", w, h, &maxval, &off) != 3
      || maxval != 255 || off <= 0 || len < (gsize) off + 1 + 3 * *w * *h) {
    g_free (data);
    return NULL;
  }
  rgb = g_memdup2 (data + off + 1, (gsize) 3 * *w * *h);
  g_free (data);
  return rgb;
}

/* the first model of tests/data/fixtures/models (mask models preferred)
 * and the first image of tests/data/fixtures/images */
static gboolean
find_fixtures (void)
{
  gchar *models = cascade_check_fixture ("models");
  gchar *images = cascade_check_fixture ("images");
  GDir *dir;
  const gchar *name;
  gchar *img = NULL;

  if (test_model)
    return TRUE;
  if (!models || !images)
    goto done;

  dir = g_dir_open (models, 0, NULL);
  while (dir && (name = g_dir_read_name (dir))) {
    if (!g_str_has_suffix (name, ".safetensors"))
      continue;
    /* deterministic: the first mask model by name, else the first */
    if (!test_model || (strstr (name, "mask") && (!strstr (test_model,
                    "mask") || strcmp (name, strrchr (test_model,
                        G_DIR_SEPARATOR) + 1) < 0))) {
      g_free (test_model);
      test_model = g_build_filename (models, name, NULL);
    }
  }
  if (dir)
    g_dir_close (dir);

  dir = g_dir_open (images, 0, NULL);
  while (dir && (name = g_dir_read_name (dir))) {
    if (g_str_has_suffix (name, ".ppm") && (!img || strcmp (name,
                strrchr (img, G_DIR_SEPARATOR) + 1) < 0)) {
      g_free (img);
      img = g_build_filename (images, name, NULL);
    }
  }
  if (dir)
    g_dir_close (dir);
  if (img)
    test_rgb = read_ppm (img, &test_w, &test_h);
  g_free (img);
  if (!test_rgb)
    g_clear_pointer (&test_model, g_free);

done:
  g_free (models);
  g_free (images);
  return test_model != NULL;
}

/* the engine itself on the RGB frame: the reference of the element */
static CascadeResult *
engine_detect (CascadeEngine ** engine, gfloat score, gboolean masks)
{
  GError *err = NULL;
  CascadeDetectParams p;
  CascadeFrame f;
  CascadeResult *r;

  *engine = cascade_engine_new (NULL, test_model, &err);
  fail_unless (*engine != NULL, "%s", err ? err->message : "");
  cascade_detect_params_init (&p, *engine);
  p.score_threshold = score;
  p.masks = p.masks && masks;
  memset (&f, 0, sizeof (f));
  f.format = CASCADE_FORMAT_RGB;
  f.width = test_w;
  f.height = test_h;
  f.planes[0] = test_rgb;
  f.strides[0] = 3 * test_w;
  r = cascade_engine_detect (*engine, &f, &p, &err);
  fail_unless (r != NULL, "%s", err ? err->message : "");
  return r;
}

static GstBuffer *
rgb_buffer (void)
{
  GstVideoInfo info;
  GstBuffer *buf;
  GstVideoFrame f;
  gint y;

  cascade_check_info (&info, "RGB", test_w, test_h);
  buf = gst_buffer_new_allocate (NULL, info.size, NULL);
  fail_unless (gst_video_frame_map (&f, &info, buf, GST_MAP_WRITE));
  for (y = 0; y < test_h; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0), test_rgb + 3 * y * test_w,
        3 * test_w);
  gst_video_frame_unmap (&f);
  return buf;
}

static GstHarness *
detect_harness (const gchar * props, const gchar * format)
{
  gchar *launch = g_strdup_printf ("cascadedetect model=\"%s\" %s",
      test_model, props);
  gchar *caps = cascade_check_caps_str (format, test_w, test_h);
  GstHarness *h = gst_harness_new_parse (launch);

  /* a file-like source: GstHarness answers the latency query as live by
   * default, which would make the default mode (auto) newest-frame */
  gst_harness_set_live (h, FALSE);
  gst_harness_set_src_caps_str (h, caps);
  g_free (launch);
  g_free (caps);
  return h;
}

/* GstCascadeMeta + ROI metas equal the engine's own output on the frame */
GST_START_TEST (test_meta_matches_engine)
{
  GstHarness *h;
  GstBuffer *buf, *out;
  GstCascadeMeta *meta;
  CascadeEngine *engine;
  CascadeResult *r;
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  guint i, n, n_roi = 0;
  guint8 *a, *b;

  if (!find_fixtures ()) {
    GST_WARNING ("no test model in tests/data/fixtures: skipped");
    return;
  }
  r = engine_detect (&engine, 0.05f, TRUE);
  n = cascade_result_count (r);
  fail_unless (n > 0, "the test model detects nothing on the test image");

  h = detect_harness ("score-threshold=0.05", "RGB");
  buf = rgb_buffer ();
  GST_BUFFER_PTS (buf) = 0;
  out = gst_harness_push_and_pull (h, buf);
  fail_unless (out != NULL);

  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (meta != NULL);
  fail_unless_equals_int (meta->width, test_w);
  fail_unless_equals_int (meta->height, test_h);
  fail_unless_equals_int (meta->flags, 0);
  fail_unless_equals_int (gst_cascade_meta_get_count (meta), n);
  a = g_malloc ((gsize) test_w * test_h);
  b = g_malloc ((gsize) test_w * test_h);
  for (i = 0; i < n; i++) {
    const CascadeDetection *d = cascade_result_get (r, i);
    const GstCascadeObject *o = gst_cascade_meta_get_object (meta, i);
    const gfloat *probs = cascade_result_mask_probs (r, i);

    fail_unless_equals_float (o->x1, d->x1);
    fail_unless_equals_float (o->y1, d->y1);
    fail_unless_equals_float (o->x2, d->x2);
    fail_unless_equals_float (o->y2, d->y2);
    fail_unless_equals_float (o->score, d->score);
    fail_unless_equals_int (o->class_id, d->class_id);
    fail_unless_equals_string (gst_cascade_meta_get_label (meta, i),
        cascade_engine_class_name (engine, d->class_id));
    if (probs) {
      GError *err = NULL;
      guint k, n_diff = 0;

      fail_unless (memcmp (o->mask, probs, sizeof (gfloat) *
              CASCADE_MASK_SIZE * CASCADE_MASK_SIZE) == 0);
      /* the CPU paste of the meta against the engine's device paste */
      fail_unless (gst_cascade_meta_get_mask (meta, i, test_w, test_h, a,
              test_w));
      fail_unless (cascade_result_paste_mask (r, i, b, test_w, &err), "%s",
          err ? err->message : "");
      for (k = 0; k < (guint) (test_w * test_h); k++)
        n_diff += a[k] != b[k];
      /* float rounding may flip a pixel sitting on the threshold */
      fail_unless (n_diff <= 2, "object %u: %u pixels differ", i, n_diff);
    } else {
      fail_unless (o->mask == NULL);
    }
  }
  g_free (a);
  g_free (b);
  if (cascade_engine_has_masks (engine))
    fail_unless (cascade_result_mask_probs (r, 0) != NULL);

  /* one ROI meta per object, ids 0..n-1, DL Streamer's detection params */
  while ((roi = (GstVideoRegionOfInterestMeta *) gst_buffer_iterate_meta_filtered
          (out, &state, GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    const CascadeDetection *d = cascade_result_get (r, roi->id);
    GstStructure *s = gst_video_region_of_interest_meta_get_param (roi,
        "detection");
    gint label_id;
    gdouble conf, x_min, x_max, y_min, y_max;

    fail_unless (roi->id >= 0 && (guint) roi->id < n);
    fail_unless (s != NULL);
    fail_unless (gst_structure_get (s, "label_id", G_TYPE_INT, &label_id,
            "confidence", G_TYPE_DOUBLE, &conf, "x_min", G_TYPE_DOUBLE, &x_min,
            "x_max", G_TYPE_DOUBLE, &x_max, "y_min", G_TYPE_DOUBLE, &y_min,
            "y_max", G_TYPE_DOUBLE, &y_max, NULL));
    fail_unless_equals_int (label_id, d->class_id);
    fail_unless_equals_float (conf, d->score);
    fail_unless_equals_float (x_min, CLAMP (d->x1 / (gdouble) test_w, 0, 1));
    fail_unless_equals_float (x_max, CLAMP (d->x2 / (gdouble) test_w, 0, 1));
    fail_unless_equals_float (y_min, CLAMP (d->y1 / (gdouble) test_h, 0, 1));
    fail_unless_equals_float (y_max, CLAMP (d->y2 / (gdouble) test_h, 0, 1));
    fail_unless_equals_string (gst_structure_get_string (s, "label"),
        cascade_engine_class_name (engine, d->class_id));
    fail_unless_equals_string (g_quark_to_string (roi->roi_type),
        cascade_engine_class_name (engine, d->class_id));
    n_roi++;
  }
  fail_unless_equals_int (n_roi, n);

  gst_buffer_unref (out);
  gst_harness_teardown (h);
  cascade_result_free (r);
  cascade_engine_free (engine);
}

GST_END_TEST;

/* every format runs and finds about the same (conversions to RGB differ
 * slightly for NV12/I420) */
GST_START_TEST (test_formats)
{
  GstVideoInfo rgb_info;
  GstBuffer *rgb;
  guint i;

  if (!find_fixtures ()) {
    GST_WARNING ("no test model in tests/data/fixtures: skipped");
    return;
  }
  cascade_check_info (&rgb_info, "RGB", test_w, test_h);
  rgb = rgb_buffer ();

  for (i = 0; cascade_check_formats[i]; i++) {
    const gchar *format = cascade_check_formats[i];
    GstVideoInfo info;
    GstVideoConverter *conv;
    GstVideoFrame in, outf;
    GstBuffer *buf, *out;
    GstHarness *h;
    GstCascadeMeta *meta;

    cascade_check_info (&info, format, test_w, test_h);
    buf = gst_buffer_new_allocate (NULL, info.size, NULL);
    conv = gst_video_converter_new (&rgb_info, &info, NULL);
    fail_unless (gst_video_frame_map (&in, &rgb_info, rgb, GST_MAP_READ));
    fail_unless (gst_video_frame_map (&outf, &info, buf, GST_MAP_WRITE));
    gst_video_converter_frame (conv, &in, &outf);
    gst_video_frame_unmap (&in);
    gst_video_frame_unmap (&outf);
    gst_video_converter_free (conv);

    h = detect_harness ("score-threshold=0.05", format);
    out = gst_harness_push_and_pull (h, buf);
    fail_unless (out != NULL, "%s", format);
    meta = gst_buffer_get_cascade_meta (out);
    fail_unless (meta != NULL, "%s", format);
    fail_unless (gst_cascade_meta_get_count (meta) > 0, "%s", format);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
  gst_buffer_unref (rgb);
}

GST_END_TEST;

/* interval: frames in between carry the last result, flagged; messages */
GST_START_TEST (test_interval_and_messages)
{
  GstHarness *h;
  GstBus *bus;
  guint i, n0 = 0;

  if (!find_fixtures ()) {
    GST_WARNING ("no test model in tests/data/fixtures: skipped");
    return;
  }
  h = detect_harness ("interval=3 post-messages=true score-threshold=0.05",
      "RGB");
  bus = gst_bus_new ();
  gst_element_set_bus (h->element, bus);

  for (i = 0; i < 5; i++) {
    GstBuffer *buf = rgb_buffer (), *out;
    GstCascadeMeta *meta;
    GstMessage *msg;
    const GstStructure *s;
    const GValue *objects;
    gboolean repeated;
    guint64 frame;

    GST_BUFFER_PTS (buf) = i * GST_SECOND;
    out = gst_harness_push_and_pull (h, buf);
    meta = gst_buffer_get_cascade_meta (out);
    fail_unless (meta != NULL);
    if (i == 0)
      n0 = gst_cascade_meta_get_count (meta);
    fail_unless_equals_int (gst_cascade_meta_get_count (meta), n0);
    fail_unless_equals_int (! !(meta->flags & GST_CASCADE_META_FLAG_REPEATED),
        i % 3 != 0);

    msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ELEMENT);
    fail_unless (msg != NULL);
    s = gst_message_get_structure (msg);
    fail_unless (gst_structure_has_name (s, "cascade-detections"));
    fail_unless (gst_structure_get (s, "repeated", G_TYPE_BOOLEAN, &repeated,
            "frame", G_TYPE_UINT64, &frame, NULL));
    fail_unless_equals_int (repeated, i % 3 != 0);
    fail_unless_equals_uint64 (frame, i);
    objects = gst_structure_get_value (s, "objects");
    fail_unless (GST_VALUE_HOLDS_LIST (objects));
    fail_unless_equals_int (gst_value_list_get_size (objects), n0);
    gst_message_unref (msg);
    gst_buffer_unref (out);
  }
  gst_element_set_bus (h->element, NULL);
  gst_object_unref (bus);
  gst_harness_teardown (h);
}

GST_END_TEST;

/* classes filter; unknown class names fail the start; labels override */
GST_START_TEST (test_classes_and_labels)
{
  GstHarness *h;
  GstBuffer *out;
  GstCascadeMeta *meta;
  CascadeEngine *engine;
  CascadeResult *r;
  gchar *launch, *labels_path = NULL, *props;
  GString *labels;
  guint i, n, nc;
  gint keep;

  if (!find_fixtures ()) {
    GST_WARNING ("no test model in tests/data/fixtures: skipped");
    return;
  }
  r = engine_detect (&engine, 0.05f, FALSE);
  n = cascade_result_count (r);
  fail_unless (n > 0);
  keep = cascade_result_get (r, 0)->class_id;
  nc = cascade_engine_num_classes (engine);

  /* by id */
  props = g_strdup_printf ("score-threshold=0.05 masks=false classes=%d",
      keep);
  h = detect_harness (props, "RGB");
  out = gst_harness_push_and_pull (h, rgb_buffer ());
  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (gst_cascade_meta_get_count (meta) > 0);
  for (i = 0; i < gst_cascade_meta_get_count (meta); i++)
    fail_unless_equals_int (gst_cascade_meta_get_object (meta, i)->class_id,
        keep);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  g_free (props);

  /* labels file: renamed classes, then selected by their new names */
  labels = g_string_new (NULL);
  for (i = 0; i < nc; i++)
    g_string_append_printf (labels, "renamed%u\n", i);
  {
    gint fd = g_file_open_tmp ("labels-XXXXXX.txt", &labels_path, NULL);
    fail_unless (fd >= 0);
    fail_unless (write (fd, labels->str, labels->len) == (gssize) labels->len);
    close (fd);
  }
  props = g_strdup_printf ("score-threshold=0.05 masks=false labels=\"%s\" "
      "classes=renamed%d", labels_path, keep);
  h = detect_harness (props, "RGB");
  out = gst_harness_push_and_pull (h, rgb_buffer ());
  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (gst_cascade_meta_get_count (meta) > 0);
  for (i = 0; i < gst_cascade_meta_get_count (meta); i++) {
    gchar *want = g_strdup_printf ("renamed%d", keep);
    fail_unless_equals_string (gst_cascade_meta_get_label (meta, i), want);
    g_free (want);
  }
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  g_free (props);

  /* unknown class: the start fails with a clear error */
  launch = g_strdup_printf ("videotestsrc num-buffers=1 ! "
      "cascadedetect model=\"%s\" classes=no-such-class ! fakesink",
      test_model);
  expect_start_error (launch, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_SETTINGS, "no-such-class");
  g_free (launch);

  /* a missing labels file */
  launch = g_strdup_printf ("videotestsrc num-buffers=1 ! "
      "cascadedetect model=\"%s\" labels=/nonexistent/labels.txt ! fakesink",
      test_model);
  expect_start_error (launch, GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, NULL);
  g_free (launch);

  g_unlink (labels_path);
  g_free (labels_path);
  g_string_free (labels, TRUE);
  cascade_result_free (r);
  cascade_engine_free (engine);
}

GST_END_TEST;

static Suite *
cascadedetect_suite (void)
{
  Suite *s = suite_create ("cascadedetect");
  TCase *tc = tcase_create ("general");
  TCase *tm = tcase_create ("model");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_defaults);
  tcase_add_test (tc, test_property_specs);
  tcase_add_test (tc, test_input_size);
  tcase_add_test (tc, test_classes_syntax);
  tcase_add_test (tc, test_caps);
  tcase_add_test (tc, test_bad_model_path);
  tcase_add_test (tc, test_damaged_model);

  suite_add_tcase (s, tm);
  tcase_set_timeout (tm, 600);
  tcase_add_test (tm, test_meta_matches_engine);
  tcase_add_test (tm, test_formats);
  tcase_add_test (tm, test_interval_and_messages);
  tcase_add_test (tm, test_classes_and_labels);
  return s;
}

GST_CHECK_MAIN (cascadedetect);
