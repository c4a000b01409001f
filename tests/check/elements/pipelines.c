/* gst-cascade: the elements in real pipelines: state cycles, EOS, flushing
 * seeks.  cascadedetect joins them when the test model exists. */
#include <string.h>

#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>
#include <json-glib/json-glib.h>

#include "cascade-check.h"

#define N_CYCLES 100

static gchar *
test_model (void)
{
  gchar *dir = cascade_check_fixture ("models");
  gchar *model = NULL;
  GDir *d;
  const gchar *name;

  if (!dir)
    return NULL;
  d = g_dir_open (dir, 0, NULL);
  while (d && (name = g_dir_read_name (d))) {
    if (g_str_has_suffix (name, ".safetensors") && (!model
            || (strstr (name, "mask") && (!strstr (model, "mask")
                    || strcmp (name, strrchr (model,
                            G_DIR_SEPARATOR) + 1) < 0)))) {
      g_free (model);
      model = g_build_filename (dir, name, NULL);
    }
  }
  if (d)
    g_dir_close (d);
  g_free (dir);
  return model;
}

/* "cascadedetect model=... ! " or "" */
static gchar *
detect_part (void)
{
  gchar *model = test_model ();
  gchar *part;

  if (!model) {
    GST_WARNING ("no test model: cascadedetect left out");
    return g_strdup ("");
  }
  part = g_strdup_printf ("cascadedetect model=\"%s\" score-threshold=0.05 ! ",
      model);
  g_free (model);
  return part;
}

static void
check_no_error (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (msg) {
    GError *err = NULL;
    gchar *debug = NULL;
    gst_message_parse_error (msg, &err, &debug);
    fail ("error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)),
        err->message, debug);
  }
  gst_object_unref (bus);
}

/* cycles from the environment (the valgrind setup lowers the ones that
 * load the model: the OpenCL compiler under valgrind takes minutes) */
static gint
n_cycles (const gchar * var)
{
  const gchar *s = g_getenv (var);

  return s && *s ? (gint) g_ascii_strtoll (s, NULL, 10) : N_CYCLES;
}

static void
cycle_states (const gchar * launch, gint cycles)
{
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  gint i;

  fail_unless (pipeline != NULL, "%s", launch);
  for (i = 0; i < cycles; i++) {
    GstStateChangeReturn ret =
        gst_element_set_state (pipeline, GST_STATE_PLAYING);
    fail_if (ret == GST_STATE_CHANGE_FAILURE, "cycle %d", i);
    ret = gst_element_get_state (pipeline, NULL, NULL, 60 * GST_SECOND);
    fail_unless (ret == GST_STATE_CHANGE_SUCCESS, "cycle %d: %d", i, ret);
    fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
        GST_STATE_CHANGE_SUCCESS);
  }
  check_no_error (pipeline);
  gst_object_unref (pipeline);
}

GST_START_TEST (test_state_cycles)
{
  const gchar *formats[] = { "NV12", "BGRx", "RGB", NULL };
  gchar *detect = detect_part ();
  guint i;

  /* every element but cascadedetect, on three formats */
  for (i = 0; formats[i]; i++) {
    gchar *launch = g_strdup_printf ("videotestsrc pattern=ball ! "
        "video/x-raw,format=%s,width=67,height=45 ! cascadeoverlay ! "
        "cascadejson ! fakesink async=false", formats[i]);
    cycle_states (launch, n_cycles ("CASCADE_CHECK_CYCLES"));
    g_free (launch);
  }
  /* with cascadedetect: each cycle loads the model and opens the device */
  if (*detect) {
    gchar *launch = g_strdup_printf ("videotestsrc pattern=ball ! "
        "video/x-raw,format=NV12,width=67,height=45 ! %scascadeoverlay ! "
        "cascadejson ! fakesink async=false", detect);
    cycle_states (launch, n_cycles ("CASCADE_CHECK_DETECT_CYCLES"));
    g_free (launch);
  }
  /* NULL <-> READY only: nothing starts */
  {
    GstElement *e = gst_element_factory_make ("cascadedetect", NULL);
    gint k;
    g_object_set (e, "model", "/nonexistent", NULL);
    for (k = 0; k < N_CYCLES; k++) {
      fail_unless_equals_int (gst_element_set_state (e, GST_STATE_READY),
          GST_STATE_CHANGE_SUCCESS);
      fail_unless_equals_int (gst_element_set_state (e, GST_STATE_NULL),
          GST_STATE_CHANGE_SUCCESS);
    }
    gst_object_unref (e);
  }
  g_free (detect);
}

GST_END_TEST;

/* pulls JSON lines until EOS; returns their number, checks that frame
 * numbers count up and that pts are increasing */
static guint
pull_lines (GstElement * sink, guint64 * last_pts, gint64 * last_frame)
{
  guint n = 0;
  GstSample *sample;

  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstBuffer *buf = gst_sample_get_buffer (sample);
    JsonParser *parser = json_parser_new ();
    JsonObject *obj;
    GstMapInfo map;
    gint64 frame, pts;

    fail_unless (gst_buffer_map (buf, &map, GST_MAP_READ));
    fail_unless (json_parser_load_from_data (parser,
            (const gchar *) map.data, map.size, NULL));
    obj = json_node_get_object (json_parser_get_root (parser));
    frame = json_object_get_int_member (obj, "frame");
    pts = json_object_get_int_member (obj, "pts");
    fail_unless (frame > *last_frame, "%" G_GINT64_FORMAT, frame);
    fail_unless_equals_uint64 ((guint64) pts, GST_BUFFER_PTS (buf));
    fail_unless (json_object_has_member (obj, "objects"));
    *last_frame = frame;
    *last_pts = pts;
    gst_buffer_unmap (buf, &map);
    g_object_unref (parser);
    gst_sample_unref (sample);
    n++;
  }
  fail_unless (gst_app_sink_is_eos (GST_APP_SINK (sink)));
  return n;
}

GST_START_TEST (test_eos)
{
  gchar *detect = detect_part ();
  gchar *launch = g_strdup_printf ("videotestsrc num-buffers=7 ! "
      "video/x-raw,format=I420,width=64,height=48,framerate=25/1 ! %s"
      "cascadeoverlay ! cascadejson ! appsink name=sink sync=false", detect);
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint64 last_pts = 0;
  gint64 last_frame = -1;
  GstBus *bus;
  GstMessage *msg;

  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless_equals_int (pull_lines (sink, &last_pts, &last_frame), 7);
  fail_unless_equals_int (last_frame, 6);
  fail_unless_equals_uint64 (last_pts, 6 * GST_SECOND / 25);
  bus = gst_element_get_bus (pipeline);
  msg = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS);
  gst_message_unref (msg);
  gst_object_unref (bus);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (launch);
  g_free (detect);
}

GST_END_TEST;

/* a flushing seek in the middle of the stream: the elements flush and go
 * on from the new position to EOS */
GST_START_TEST (test_flushing_seek)
{
  gchar *detect = detect_part ();
  gchar *launch = g_strdup_printf ("videotestsrc ! "
      "video/x-raw,format=NV12,width=64,height=48,framerate=10/1 ! %s"
      "cascadeoverlay ! cascadejson ! appsink name=sink sync=false "
      "max-buffers=2", detect);
  GstElement *pipeline = gst_parse_launch (launch, NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  guint64 last_pts = 0;
  gint64 last_frame = -1;
  guint i;

  /* play [0, 10 s) and seek after three frames to [2 s, 3 s) */
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PAUSED) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipeline, NULL, NULL,
          30 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS);
  fail_unless (gst_element_seek (pipeline, 1.0, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH, GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_SET,
          10 * GST_SECOND));
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  for (i = 0; i < 3; i++) {
    GstSample *s = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    fail_unless (s != NULL);
    gst_sample_unref (s);
  }
  fail_unless (gst_element_seek (pipeline, 1.0, GST_FORMAT_TIME,
          GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
          2 * GST_SECOND, GST_SEEK_TYPE_SET, 3 * GST_SECOND));

  /* whatever was queued before the seek is flushed; the rest is [2, 3) */
  {
    GstSample *s;
    guint n_after = 0;

    while ((s = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
      GstBuffer *b = gst_sample_get_buffer (s);
      if (GST_BUFFER_PTS (b) >= 2 * GST_SECOND) {
        fail_unless (GST_BUFFER_PTS (b) < 3 * GST_SECOND);
        n_after++;
        last_pts = GST_BUFFER_PTS (b);
      } else {
        /* pre-seek frames only before any post-seek frame */
        fail_unless (n_after == 0);
      }
      gst_sample_unref (s);
    }
    fail_unless (gst_app_sink_is_eos (GST_APP_SINK (sink)));
    fail_unless_equals_int (n_after, 10);
    fail_unless_equals_uint64 (last_pts, 2 * GST_SECOND + 900 * GST_MSECOND);
  }
  (void) last_frame;
  check_no_error (pipeline);
  fail_unless_equals_int (gst_element_set_state (pipeline, GST_STATE_NULL),
      GST_STATE_CHANGE_SUCCESS);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  g_free (launch);
  g_free (detect);
}

GST_END_TEST;

static Suite *
pipelines_suite (void)
{
  Suite *s = suite_create ("pipelines");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 600);
  tcase_add_test (tc, test_state_cycles);
  tcase_add_test (tc, test_eos);
  tcase_add_test (tc, test_flushing_seek);
  return s;
}

GST_CHECK_MAIN (pipelines);
