/* gst-cascade: what an application meets (issue 15): models by name along
 * the search path, refused property values, the source of an unknown
 * device, a model with non-finite weights, read-only properties, chained
 * detectors, ROI metas without a parent and frame sizes in bus messages */

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "cascade-check.h"
#include "cascade.h"
#include "gstcascademeta.h"

static gchar *tmp_dir;

/* the tiny mask model of the fixtures */
static gchar *
model_path (void)
{
  return cascade_check_fixture ("models/tiny_mask.safetensors");
}

/* sets the pipeline to PLAYING; returns its error (which must come from
 * cascadedetect, the state change having failed) */
static GError *
start_error (const gchar * launch)
{
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;

  pipeline = gst_parse_launch (launch, &err);
  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  bus = gst_element_get_bus (pipeline);
  fail_unless_equals_int (gst_element_set_state (pipeline,
          GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_ERROR);
  fail_unless (msg != NULL, "no error message");
  gst_message_parse_error (msg, &err, NULL);
  fail_unless_equals_string (G_OBJECT_TYPE_NAME (GST_MESSAGE_SRC (msg)),
      "GstCascadeDetect");
  GST_INFO ("error: %s", err->message);
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  return err;
}

/* runs a pipeline to EOS, which must succeed */
static void
run_ok (const gchar * launch)
{
  GstElement *pipeline;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;

  pipeline = gst_parse_launch (launch, &err);
  fail_unless (pipeline != NULL, "%s", err ? err->message : "");
  bus = gst_element_get_bus (pipeline);
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  msg = gst_bus_timed_pop_filtered (bus, 300 * GST_SECOND,
      GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
  fail_unless (msg != NULL, "no EOS");
  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    gst_message_parse_error (msg, &err, NULL);
    fail ("%s: %s", launch, err->message);
  }
  gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

static void
copy_file (const gchar * from, const gchar * to)
{
  gchar *data;
  gsize len;

  fail_unless (g_file_get_contents (from, &data, &len, NULL));
  fail_unless (g_file_set_contents (to, data, len, NULL));
  g_free (data);
}

static void
setup (void)
{
  tmp_dir = g_dir_make_tmp ("cascade-apps-XXXXXX", NULL);
  fail_unless (tmp_dir != NULL);
}

static void
rm_rf (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    gchar *p = g_build_filename (dir, name, NULL);
    if (g_file_test (p, G_FILE_TEST_IS_DIR))
      rm_rf (p);
    else
      g_unlink (p);
    g_free (p);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

static void
teardown (void)
{
  g_unsetenv ("CASCADE_MODEL_PATH");
  rm_rf (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

/* ------------------------------------------------------------------------ */

GST_START_TEST (test_default_model_from_build_tree)
{
  GstElement *e = gst_element_factory_make ("cascadedetect", NULL);
  gchar *model;

  /* the default is a name, which the build tree's plugin finds in the
   * source tree's models/ (meson test runs the build tree's plugin) */
  g_object_get (e, "model", &model, NULL);
  fail_unless_equals_string (model, "demo");
  g_free (model);
  gst_object_unref (e);
  run_ok ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
      "cascadedetect ! fakesink");
}

GST_END_TEST;

GST_START_TEST (test_model_by_name)
{
  gchar *model = model_path (), *a = g_build_filename (tmp_dir, "a", NULL);
  gchar *b = g_build_filename (tmp_dir, "b", NULL), *f, *launch, *env;
  GError *err;

  if (!model)
    return;
  g_mkdir (a, 0700);
  g_mkdir (b, 0700);
  /* NAME.safetensors in the second entry of CASCADE_MODEL_PATH */
  f = g_build_filename (b, "mymodel.safetensors", NULL);
  copy_file (model, f);
  env = g_strdup_printf ("%s:%s", a, b);
  g_setenv ("CASCADE_MODEL_PATH", env, TRUE);
  run_ok ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
      "cascadedetect model=mymodel ! fakesink");
  run_ok ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
      "cascadedetect model=mymodel.safetensors ! fakesink");

  /* a name found nowhere: the error lists every directory searched */
  err = start_error ("videotestsrc ! cascadedetect model=nosuchmodel ! "
      "fakesink");
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NOT_FOUND));
  fail_unless (strstr (err->message, "nosuchmodel") != NULL);
  fail_unless (strstr (err->message, a) && strstr (err->message, b),
      "%s", err->message);
  fail_unless (strstr (err->message, "gst-cascade/models") != NULL,
      "%s", err->message);
  fail_unless (strstr (err->message, "cascade-model fetch") != NULL);
  g_clear_error (&err);

  /* a directory: said, with the model files in it */
  launch = g_strdup_printf ("videotestsrc ! cascadedetect model=\"%s\" ! "
      "fakesink", b);
  err = start_error (launch);
  fail_unless (strstr (err->message, "is a directory") != NULL, "%s",
      err->message);
  fail_unless (strstr (err->message, "mymodel.safetensors") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  g_free (launch);

  /* NAME.safetensors in the user's data dir (cascade-model fetch's) */
  g_unsetenv ("CASCADE_MODEL_PATH");
  {
    gchar *dir = g_build_filename (g_get_user_data_dir (), "gst-cascade",
        "models", NULL);
    gchar *u = g_build_filename (dir, "usermodel.safetensors", NULL);

    fail_unless (g_mkdir_with_parents (dir, 0700) == 0);
    copy_file (model, u);
    run_ok ("videotestsrc num-buffers=1 ! video/x-raw,width=64,height=48 ! "
        "cascadedetect model=usermodel ! fakesink");
    g_unlink (u);
    err = start_error ("videotestsrc ! cascadedetect model=usermodel ! "
        "fakesink");
    fail_unless (strstr (err->message, dir) != NULL, "%s", err->message);
    g_clear_error (&err);
    g_free (u);
    g_free (dir);
  }

  g_unlink (f);
  g_rmdir (a);
  g_rmdir (b);
  g_free (f);
  g_free (env);
  g_free (a);
  g_free (b);
  g_free (model);
}

GST_END_TEST;

/* input-size and classes values that are refused fail the start with an
 * error that says what is allowed; a valid value set afterwards clears it */
GST_START_TEST (test_refused_values)
{
  const gchar *bad_sizes[] = { "abc", "10x10", "5000x300", "640", NULL };
  gchar *model = model_path (), *launch;
  GError *err;
  guint i;

  if (!model)
    return;
  for (i = 0; bad_sizes[i]; i++) {
    launch = g_strdup_printf ("videotestsrc ! cascadedetect model=\"%s\" "
        "input-size=%s ! fakesink", model, bad_sizes[i]);
    err = start_error (launch);
    fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
            GST_RESOURCE_ERROR_SETTINGS), "%s", err->message);
    fail_unless (strstr (err->message, bad_sizes[i]) != NULL);
    fail_unless (strstr (err->message, "LONGxSHORT") != NULL, "%s",
        err->message);
    fail_unless (strstr (err->message, "32..4096") != NULL);
    g_clear_error (&err);
    g_free (launch);
  }
  launch = g_strdup_printf ("videotestsrc ! cascadedetect model=\"%s\" "
      "classes=\"star,,ring\" ! fakesink", model);
  err = start_error (launch);
  fail_unless (strstr (err->message, "empty entry") != NULL, "%s",
      err->message);
  g_clear_error (&err);
  g_free (launch);

  /* refused, then set right: it starts */
  launch = g_strdup_printf ("videotestsrc num-buffers=1 ! "
      "video/x-raw,width=64,height=48 ! cascadedetect model=\"%s\" "
      "input-size=640 input-size=320x192 classes=a,,b classes=0 ! fakesink",
      model);
  run_ok (launch);
  g_free (launch);
  g_free (model);
}

GST_END_TEST;

/* set while playing: a warning on the bus, the previous value kept */
GST_START_TEST (test_refused_while_playing)
{
  gchar *model = model_path (), *launch, *classes;
  GstElement *pipeline, *d;
  GstBus *bus;
  GstMessage *msg;
  GError *err = NULL;

  if (!model)
    return;
  launch = g_strdup_printf ("videotestsrc is-live=true ! "
      "video/x-raw,width=64,height=48,framerate=10/1 ! cascadedetect name=d "
      "model=\"%s\" classes=0 ! fakesink", model);
  pipeline = gst_parse_launch (launch, &err);
  fail_unless (pipeline != NULL);
  d = gst_bin_get_by_name (GST_BIN (pipeline), "d");
  bus = gst_element_get_bus (pipeline);
  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipeline, NULL, NULL,
          60 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS);
  g_object_set (d, "classes", "1,,2", NULL);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_WARNING | GST_MESSAGE_ERROR);
  fail_unless (msg != NULL && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_WARNING);
  gst_message_parse_warning (msg, &err, NULL);
  fail_unless (strstr (err->message, "Invalid classes \"1,,2\"") != NULL,
      "%s", err->message);
  g_clear_error (&err);
  gst_message_unref (msg);
  g_object_get (d, "classes", &classes, NULL);
  fail_unless_equals_string (classes, "0");
  g_free (classes);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (d);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  g_free (launch);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_unknown_class_lists_names)
{
  gchar *model = model_path (), *launch, *names;
  CascadeEngine *engine;
  GError *err = NULL;
  GString *want = g_string_new (NULL);
  guint c;

  if (!model)
    return;
  engine = cascade_engine_new (NULL, model, &err);
  fail_unless (engine != NULL);
  for (c = 0; c < cascade_engine_num_classes (engine); c++)
    g_string_append_printf (want, "%s%s", c ? ", " : "",
        cascade_engine_class_name (engine, c));
  launch = g_strdup_printf ("videotestsrc ! cascadedetect model=\"%s\" "
      "classes=nosuchclass ! fakesink", model);
  err = start_error (launch);
  names = g_string_free (want, FALSE);
  fail_unless (strstr (err->message, "nosuchclass") != NULL);
  fail_unless (strstr (err->message, names) != NULL, "%s lacks %s",
      err->message, names);
  g_clear_error (&err);
  g_free (names);
  g_free (launch);
  cascade_engine_free (engine);
  g_free (model);
}

GST_END_TEST;

GST_START_TEST (test_unknown_device_source)
{
  gchar *model = model_path (), *launch;
  gchar *saved = g_strdup (g_getenv ("CASCADE_DEVICE"));
  GError *err;

  if (!model)
    return;
  g_unsetenv ("CASCADE_DEVICE");
  launch = g_strdup_printf ("videotestsrc ! cascadedetect model=\"%s\" "
      "device=nosuchdevice ! fakesink", model);
  err = start_error (launch);
  fail_unless (strstr (err->message, "device \"nosuchdevice\"") != NULL,
      "%s", err->message);
  fail_unless (strstr (err->message, "CASCADE_DEVICE is not set") != NULL,
      "%s", err->message);
  fail_unless (strstr (err->message, "available:") != NULL);
  g_clear_error (&err);
  g_free (launch);

  g_setenv ("CASCADE_DEVICE", "nosuchenvdevice", TRUE);
  launch = g_strdup_printf ("videotestsrc ! cascadedetect model=\"%s\" "
      "! fakesink", model);
  err = start_error (launch);
  fail_unless (strstr (err->message, "CASCADE_DEVICE=\"nosuchenvdevice\"")
      != NULL, "%s", err->message);
  fail_unless (strstr (err->message, "environment variable") != NULL);
  g_clear_error (&err);
  g_free (launch);
  if (saved)
    g_setenv ("CASCADE_DEVICE", saved, TRUE);
  else
    g_unsetenv ("CASCADE_DEVICE");
  g_free (saved);
  g_free (model);
}

GST_END_TEST;

/* a copy of the model whose backbone.conv1.weight holds one NaN */
static gchar *
nan_model (const gchar * model)
{
  gchar *data, *path = g_build_filename (tmp_dir, "nan.safetensors", NULL);
  gsize len;
  guint64 n;
  JsonParser *p = json_parser_new ();
  JsonObject *e;
  JsonArray *off;
  gfloat nan = NAN;

  fail_unless (g_file_get_contents (model, &data, &len, NULL));
  memcpy (&n, data, 8);
  n = GUINT64_FROM_LE (n);
  fail_unless (json_parser_load_from_data (p, data + 8, (gssize) n, NULL));
  e = json_object_get_object_member (json_node_get_object
      (json_parser_get_root (p)), "backbone.conv1.weight");
  fail_unless (e != NULL);
  off = json_object_get_array_member (e, "data_offsets");
  if (g_str_equal (json_object_get_string_member (e, "dtype"), "F16")) {
    guint16 half_nan = GUINT16_TO_LE (0x7e00);
    memcpy (data + 8 + n + json_array_get_int_element (off, 0) + 2 * 5,
        &half_nan, 2);
  } else {
    fail_unless_equals_string (json_object_get_string_member (e, "dtype"),
        "F32");
    memcpy (data + 8 + n + json_array_get_int_element (off, 0) + 4 * 5, &nan,
        4);
  }
  fail_unless (g_file_set_contents (path, data, len, NULL));
  g_object_unref (p);
  g_free (data);
  return path;
}

GST_START_TEST (test_non_finite_weights)
{
  gchar *model = model_path (), *bad, *launch;
  GError *err;

  if (!model)
    return;
  bad = nan_model (model);
  launch = g_strdup_printf ("videotestsrc ! cascadedetect model=\"%s\" "
      "mode=blocking ! fakesink", bad);
  err = start_error (launch);
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_OPEN_READ), "%s", err->message);
  fail_unless (strstr (err->message, "backbone.conv1.weight has 1 "
          "non-finite") != NULL, "%s", err->message);
  g_clear_error (&err);
  g_free (launch);
  g_unlink (bad);
  g_free (bad);
  g_free (model);
}

GST_END_TEST;

/* ------------------------------------------------------------------------ */
/* on the fixture image */

static GstBuffer *
image_buffer (gint * w, gint * h)
{
  gchar *path = cascade_check_fixture ("images/img_b_200x150.ppm");
  gchar *data;
  gsize len;
  gint maxval, off = 0, y;
  GstVideoInfo info;
  GstBuffer *buf;
  GstVideoFrame f;

  fail_unless (g_file_get_contents (path, &data, &len, NULL));
  fail_unless (sscanf (data, "P6 %d %d %d%n", w, h, &maxval, &off) == 3);
  cascade_check_info (&info, "RGB", *w, *h);
  buf = gst_buffer_new_allocate (NULL, info.size, NULL);
  fail_unless (gst_video_frame_map (&f, &info, buf, GST_MAP_WRITE));
  for (y = 0; y < *h; y++)
    memcpy ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0) +
        y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0),
        data + off + 1 + 3 * y * *w, 3 * *w);
  gst_video_frame_unmap (&f);
  GST_BUFFER_PTS (buf) = 0;
  g_free (data);
  g_free (path);
  return buf;
}

static GstHarness *
harness (const gchar * launch, gint w, gint h)
{
  GstHarness *hn = gst_harness_new_parse (launch);
  gchar *caps = cascade_check_caps_str ("RGB", w, h);

  gst_harness_set_live (hn, FALSE);
  gst_harness_set_src_caps_str (hn, caps);
  g_free (caps);
  return hn;
}

/* two cascadedetect in a row add to one frame's objects, each tagged with
 * the element that found it, in the meta, the ROI params and the JSON */
static gint
by_seqnum (gconstpointer a, gconstpointer b)
{
  guint64 x = gst_meta_get_seqnum (*(GstMeta * const *) a);
  guint64 y = gst_meta_get_seqnum (*(GstMeta * const *) b);
  return x < y ? -1 : x > y;
}

GST_START_TEST (test_chained_detectors)
{
  gchar *model = model_path (), *launch;
  GstHarness *h;
  GstBuffer *out;
  GstCascadeMeta *meta;
  GstVideoRegionOfInterestMeta *roi;
  gpointer state = NULL;
  guint n, i, n_a = 0, n_b = 0, n_roi = 0;
  gint w, h_;
  gboolean *seen;

  if (!model)
    return;
  /* a finds every class, b only class 0: b's objects are a's of class 0 */
  launch = g_strdup_printf ("cascadedetect name=a model=\"%s\" "
      "score-threshold=0.05 mode=blocking ! cascadedetect name=b "
      "model=\"%s\" score-threshold=0.05 classes=0 mode=blocking", model,
      model);
  out = image_buffer (&w, &h_);
  h = harness (launch, w, h_);
  out = gst_harness_push_and_pull (h, out);
  fail_unless (out != NULL);
  meta = gst_buffer_get_cascade_meta (out);
  fail_unless (meta != NULL);
  n = gst_cascade_meta_get_count (meta);
  for (i = 0; i < n; i++) {
    const gchar *src = gst_cascade_meta_get_object_source (meta, i);
    fail_unless (src != NULL);
    if (g_str_equal (src, "a")) {
      fail_unless (n_b == 0, "a's objects come first");
      n_a++;
    } else {
      fail_unless_equals_string (src, "b");
      fail_unless_equals_int (gst_cascade_meta_get_class_id (meta, i), 0);
      n_b++;
    }
  }
  fail_unless (n_a > 0 && n_b > 0, "a %u, b %u objects", n_a, n_b);
  fail_unless (n_b < n_a);
  /* one meta only */
  {
    gpointer st = NULL;
    guint metas = 0;
    while (gst_buffer_iterate_meta_filtered (out, &st,
            GST_CASCADE_META_API_TYPE))
      metas++;
    fail_unless_equals_int (metas, 1);
  }

  /* ROI metas, one per object in the objects' order (the order they were
   * added): unique ids, no parent, the object's source.  The id is the
   * object's index, or (GStreamer >= 1.24 builds, which attach an
   * analytics relation meta) its ODMtd's id, DL Streamer's pairing */
  {
    GPtrArray *rois = g_ptr_array_new ();
    GType rel = g_type_from_name ("GstAnalyticsRelationMetaAPI");
    gboolean paired = rel && gst_buffer_get_meta (out, rel) != NULL;

    while ((roi = (GstVideoRegionOfInterestMeta *)
            gst_buffer_iterate_meta_filtered (out, &state,
                GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)))
      g_ptr_array_add (rois, roi);
    g_ptr_array_sort (rois, by_seqnum);
    seen = g_new0 (gboolean, 4 * n + 1);
    for (i = 0; i < rois->len; i++) {
      GstStructure *s;

      roi = g_ptr_array_index (rois, i);
      s = gst_video_region_of_interest_meta_get_param (roi, "detection");
      fail_unless (roi->id >= 0 && (guint) roi->id <= 4 * n);
      if (!paired)
        fail_unless_equals_int (roi->id, i);
      fail_if (seen[roi->id], "ROI id %d twice", roi->id);
      seen[roi->id] = TRUE;
      fail_unless_equals_int (roi->parent_id, -1);
      fail_unless (i < n);
      fail_unless_equals_string (gst_structure_get_string (s, "source"),
          gst_cascade_meta_get_object_source (meta, i));
      n_roi++;
    }
    g_ptr_array_unref (rois);
  }
  fail_unless_equals_int (n_roi, n);
  g_free (seen);
  gst_buffer_unref (out);
  gst_harness_teardown (h);

  /* the JSON: every object of both, with its source */
  {
    gchar *jl = g_strdup_printf ("%s ! cascadejson", launch);
    JsonParser *p = json_parser_new ();
    JsonArray *objs;
    GstMapInfo map;
    guint ja = 0, jb = 0;

    h = harness (jl, w, h_);
    out = gst_harness_push_and_pull (h, image_buffer (&w, &h_));
    fail_unless (out != NULL);
    fail_unless (gst_buffer_map (out, &map, GST_MAP_READ));
    fail_unless (json_parser_load_from_data (p, (const gchar *) map.data,
            (gssize) map.size, NULL));
    objs = json_object_get_array_member (json_node_get_object
        (json_parser_get_root (p)), "objects");
    fail_unless_equals_int (json_array_get_length (objs), n);
    for (i = 0; i < n; i++) {
      const gchar *s =
          json_object_get_string_member (json_array_get_object_element (objs,
              i), "source");
      ja += g_str_equal (s, "a");
      jb += g_str_equal (s, "b");
    }
    fail_unless_equals_int (ja, n_a);
    fail_unless_equals_int (jb, n_b);
    gst_buffer_unmap (out, &map);
    gst_buffer_unref (out);
    g_object_unref (p);
    gst_harness_teardown (h);
    g_free (jl);
  }
  g_free (launch);
  g_free (model);
}

GST_END_TEST;

/* class-names, has-masks, device-name, active-input-size; the frame's size
 * in the bus message */
GST_START_TEST (test_read_only_props_and_message)
{
  gchar *model = model_path (), *launch, *dev, *size;
  gchar **names;
  GstElement *pipeline, *d;
  GstBus *bus;
  GstMessage *msg;
  CascadeEngine *engine;
  GError *err = NULL;
  gboolean masks;
  const GstStructure *s;
  guint c, mw = 0, mh = 0;

  if (!model)
    return;
  engine = cascade_engine_new (NULL, model, &err);
  fail_unless (engine != NULL);
  launch = g_strdup_printf ("videotestsrc num-buffers=2 ! "
      "video/x-raw,width=96,height=72 ! cascadedetect name=d model=\"%s\" "
      "input-size=320x192 post-messages=true mode=blocking ! fakesink", model);
  pipeline = gst_parse_launch (launch, &err);
  d = gst_bin_get_by_name (GST_BIN (pipeline), "d");
  g_object_get (d, "class-names", &names, "has-masks", &masks,
      "device-name", &dev, "active-input-size", &size, NULL);
  fail_unless (names == NULL && !masks && dev == NULL);
  fail_unless_equals_string (size, "");
  g_free (size);

  bus = gst_element_get_bus (pipeline);
  fail_if (gst_element_set_state (pipeline, GST_STATE_PAUSED) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipeline, NULL, NULL,
          120 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS);
  g_object_get (d, "class-names", &names, "has-masks", &masks,
      "device-name", &dev, "active-input-size", &size, NULL);
  fail_unless (names != NULL);
  fail_unless_equals_int (g_strv_length (names),
      cascade_engine_num_classes (engine));
  for (c = 0; names[c]; c++)
    fail_unless_equals_string (names[c], cascade_engine_class_name (engine, c));
  fail_unless_equals_int (masks, cascade_engine_has_masks (engine));
  fail_unless_equals_string (dev, cascade_engine_device_name (engine));
  fail_unless_equals_string (size, "320x192");
  g_strfreev (names);
  g_free (dev);
  g_free (size);

  fail_if (gst_element_set_state (pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE);
  while ((msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
              GST_MESSAGE_ELEMENT | GST_MESSAGE_EOS | GST_MESSAGE_ERROR))) {
    GstMessageType t = GST_MESSAGE_TYPE (msg);
    s = gst_message_get_structure (msg);
    if (t == GST_MESSAGE_ELEMENT && gst_structure_has_name (s,
            "cascade-detections")) {
      fail_unless (gst_structure_get_uint (s, "width", &mw));
      fail_unless (gst_structure_get_uint (s, "height", &mh));
    }
    gst_message_unref (msg);
    if (t != GST_MESSAGE_ELEMENT)
      break;
  }
  fail_unless_equals_int (mw, 96);
  fail_unless_equals_int (mh, 72);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  /* after stop: nothing loaded */
  g_object_get (d, "class-names", &names, NULL);
  fail_unless (names == NULL);
  gst_object_unref (d);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
  cascade_engine_free (engine);
  g_free (launch);
  g_free (model);
}

GST_END_TEST;

static Suite *
cascadeapps_suite (void)
{
  Suite *s = suite_create ("cascadeapps");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 600);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_default_model_from_build_tree);
  tcase_add_test (tc, test_model_by_name);
  tcase_add_test (tc, test_refused_values);
  tcase_add_test (tc, test_refused_while_playing);
  tcase_add_test (tc, test_unknown_class_lists_names);
  tcase_add_test (tc, test_unknown_device_source);
  tcase_add_test (tc, test_non_finite_weights);
  tcase_add_test (tc, test_chained_detectors);
  tcase_add_test (tc, test_read_only_props_and_message);
  return s;
}

GST_CHECK_MAIN (cascadeapps);
