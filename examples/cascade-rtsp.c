/* gst-cascade example: RTSP camera analytics that survives camera loss.
 *
 *   cascade-rtsp [OPTION...] rtsp://camera-1/... [rtsp://camera-2/... ...]
 *
 * Every camera's detections go to a file of JSON lines (cascadejson: one
 * line per analysed frame), by default ./cam0.jsonl, ./cam1.jsonl, ...
 * (--output-dir, --output-pattern).  All cameras run in one pipeline:
 *
 *   [camera source bin] ! cascadedetect ! cascadejson ! filesink
 *                                   (per camera; with --mqtt, a tee sends
 *                                    the lines to cascademqttsink too)
 *
 * The branch after the source bin is built once, so the model is loaded
 * once per camera and never again; when a camera fails (an error from its
 * source, an EOS from it, or no buffer for --stall-timeout seconds) only its
 * source bin is torn down and rebuilt, with exponential back-off, while the
 * other cameras go on (see cascade-rtsp-camera.c).  No leaky queue sits in
 * front of cascadedetect: with a live source (mode=auto: newest-frame) it
 * analyses the newest frame on a worker and never holds up the camera.
 *
 * --mqtt HOST[:PORT] also publishes each camera's lines to an MQTT broker
 * (cascademqttsink: topic cascade/camN/detections, QoS 1; --mqtt-props
 * "topic=site/{stream}/det username=u password=p tls-ca-file=ca.pem ...");
 * the sink queues while the broker is away and never holds up the branch.
 *
 * Each camera's state (connecting, streaming, stalled, reconnecting with
 * the attempt and the delay, stopped) is logged on stdout with the time,
 * and posted on the bus as an application message "cascade-rtsp-camera"
 * (fields camera, url, state, attempt, delay, reason).
 *
 * SIGINT or SIGTERM (or --duration) stops it cleanly: each source is
 * unlinked and an EOS goes through every branch, so the files end on a
 * complete line.  A second signal quits at once.  Exit status 0 after a
 * clean stop, 1 on a fatal error (a branch's element failing, the model not
 * loading, the EOS not through within EOS_TIMEOUT_S), 2 on bad options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "cascade-rtsp.h"

#define TICK_MS 200
/* the longest wait for the EOS through every branch: an analysed frame
 * in flight takes up to 15 s with a large model on a CPU */
#define EOS_TIMEOUT_S 30

void
cascade_rtsp_log (const gchar * format, ...)
{
  GDateTime *now = g_date_time_new_now_local ();
  gchar *stamp = g_date_time_format (now, "%H:%M:%S.%f");
  gchar *msg;
  va_list args;

  va_start (args, format);
  msg = g_strdup_vprintf (format, args);
  va_end (args);
  /* %f is microseconds: milliseconds are enough */
  stamp[12] = '\0';
  g_print ("%s cascade-rtsp: %s\n", stamp, msg);
  g_free (msg);
  g_free (stamp);
  g_date_time_unref (now);
}

gboolean
cascade_rtsp_set_props (GObject * obj, gchar ** props, const gchar * what)
{
  gchar **p;

  for (p = props; p && *p; p++) {
    const gchar *eq = strchr (*p, '=');
    gchar *key;
    GParamSpec *pspec;
    GValue value = G_VALUE_INIT;
    gboolean ok;

    if (!eq || eq == *p) {
      g_printerr ("%s: '%s' is not key=value\n", what, *p);
      return FALSE;
    }
    key = g_strndup (*p, eq - *p);
    pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (obj), key);
    ok = pspec && (pspec->flags & G_PARAM_WRITABLE);
    if (ok) {
      g_value_init (&value, pspec->value_type);
      ok = gst_value_deserialize (&value, eq + 1);
      if (ok)
        g_object_set_property (obj, key, &value);
      g_value_unset (&value);
      if (!ok)
        g_printerr ("%s: '%s' is not a valid value of %s\n", what, eq + 1,
            key);
    } else {
      g_printerr ("%s has no writable property '%s'\n", what, key);
    }
    g_free (key);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* "interval=2 score-threshold=0.5" -> its words (shell quoting allowed) */
static gboolean
split_props (const gchar * str, gchar *** out, const gchar * option)
{
  GError *err = NULL;
  gchar *trimmed = g_strstrip (g_strdup (str ? str : ""));
  gboolean empty = *trimmed == '\0';

  *out = NULL;
  g_free (trimmed);
  if (empty)
    return TRUE;
  if (!g_shell_parse_argv (str, NULL, out, &err)) {
    g_printerr ("%s: %s\n", option, err->message);
    g_error_free (err);
    return FALSE;
  }
  return TRUE;
}

/* streaming thread: a buffer reached cam's branch */
static GstPadProbeReturn
branch_buffer_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Camera *cam = data;

  g_atomic_int_inc (&cam->new_buffers);
  return GST_PAD_PROBE_OK;
}

static gchar *
output_path (const gchar * dir, const gchar * pattern, guint index)
{
  gchar *num = g_strdup_printf ("%u", index);
  gchar **parts = g_strsplit (pattern, "%u", -1);
  gchar *name = g_strjoinv (num, parts);
  gchar *path = g_build_filename (dir, name, NULL);

  g_strfreev (parts);
  g_free (name);
  g_free (num);
  return path;
}

/* the camera's persistent branch, in the pipeline and linked:
 *   cascadedetect ! cascadejson ! filesink
 * or with --mqtt
 *   cascadedetect ! cascadejson ! tee ! filesink, tee. ! cascademqttsink
 * (neither sink waits: no queue behind the tee) */
static gboolean
camera_build_branch (Camera * cam, const gchar * model, const gchar * device,
    gchar ** detect_props)
{
  GstBin *pipeline = GST_BIN (cam->app->pipeline);
  gboolean ok;

  cam->detect = gst_element_factory_make ("cascadedetect", NULL);
  cam->json = gst_element_factory_make ("cascadejson", NULL);
  cam->sink = gst_element_factory_make ("filesink", NULL);
  if (!cam->detect || !cam->json || !cam->sink) {
    g_printerr ("missing element: filesink (GStreamer core) or "
        "cascadedetect, cascadejson (the cascade plugin: GST_PLUGIN_PATH?)\n");
    return FALSE;
  }
  gst_bin_add_many (pipeline, cam->detect, cam->json, cam->sink, NULL);
  if (model)
    g_object_set (cam->detect, "model", model, NULL);
  if (device)
    g_object_set (cam->detect, "device", device, NULL);
  if (!cascade_rtsp_set_props (G_OBJECT (cam->detect), detect_props,
          "cascadedetect"))
    return FALSE;
  g_object_set (cam->sink, "location", cam->out_path, "sync", FALSE,
      "async", FALSE, NULL);
  /* a write per line: a reader of the file sees each frame's line at once */
  gst_util_set_object_arg (G_OBJECT (cam->sink), "buffer-mode", "unbuffered");

  if (cam->app->mqtt) {
    GstElement *tee = gst_element_factory_make ("tee", NULL);

    if (!(cam->mqtt = camera_make_mqtt (cam)))
      return FALSE;
    gst_bin_add_many (pipeline, tee, cam->mqtt, NULL);
    ok = gst_element_link_many (cam->detect, cam->json, tee, cam->sink, NULL)
        && gst_element_link (tee, cam->mqtt);
  } else {
    ok = gst_element_link_many (cam->detect, cam->json, cam->sink, NULL);
  }
  if (!ok) {
    g_printerr ("cannot link cascadedetect ! cascadejson ! the sinks\n");
    return FALSE;
  }
  /* no leaky queue in front: cascadedetect (mode=auto: newest-frame for a
   * live source) never holds up the camera's thread */
  cam->branch_pad = gst_element_get_static_pad (cam->detect, "sink");
  gst_pad_add_probe (cam->branch_pad, GST_PAD_PROBE_TYPE_BUFFER |
      GST_PAD_PROBE_TYPE_BUFFER_LIST, branch_buffer_probe, cam, NULL);
  return TRUE;
}

static Camera *
find_camera (CascadeRtspApp * app, GstMessage * msg, gboolean * stale)
{
  guint i;

  for (i = 0; i < app->cameras->len; i++) {
    Camera *cam = g_ptr_array_index (app->cameras, i);

    if (camera_owns_message (cam, msg, stale))
      return cam;
  }
  return NULL;
}

static void
handle_error (CascadeRtspApp * app, GstMessage * msg)
{
  GError *err = NULL;
  gchar *debug = NULL, *reason;
  gboolean stale = FALSE;
  Camera *cam = find_camera (app, msg, &stale);

  gst_message_parse_error (msg, &err, &debug);
  if (cam && stale) {
    /* a replaced source's last words */
  } else if (cam) {
    reason = g_strdup_printf ("error from %s: %s", GST_OBJECT_NAME
        (GST_MESSAGE_SRC (msg)), err->message);
    camera_fail (cam, reason);
    g_free (reason);
  } else {
    cascade_rtsp_log ("fatal error from %s: %s (%s)",
        GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message,
        GST_STR_NULL (debug));
    app->exit_code = 1;
    g_main_loop_quit (app->loop);
  }
  g_error_free (err);
  g_free (debug);
}

static gboolean
bus_cb (GstBus * bus, GstMessage * msg, gpointer data)
{
  CascadeRtspApp *app = data;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      handle_error (app, msg);
      break;
    case GST_MESSAGE_WARNING:{
      GError *err = NULL;
      gboolean stale = FALSE;

      gst_message_parse_warning (msg, &err, NULL);
      if (!find_camera (app, msg, &stale) || !stale)
        cascade_rtsp_log ("warning from %s: %s",
            GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
      g_error_free (err);
      break;
    }
    case GST_MESSAGE_EOS:
      /* only the EOS we sent through every branch gets here */
      cascade_rtsp_log ("all branches ended");
      g_main_loop_quit (app->loop);
      break;
    case GST_MESSAGE_LATENCY:
      gst_bin_recalculate_latency (GST_BIN (app->pipeline));
      break;
    case GST_MESSAGE_ELEMENT:
      if (gst_message_has_name (msg, "GstRTSPSrcTimeout"))
        cascade_rtsp_log ("%s: RTCP timeout",
            GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
      break;
    default:
      break;
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
tick_cb (gpointer data)
{
  CascadeRtspApp *app = data;
  guint i;

  if (!app->stopping) {
    for (i = 0; i < app->cameras->len; i++)
      camera_tick (g_ptr_array_index (app->cameras, i));
  }
  cascade_rtsp_reap_teardowns (app, FALSE);
  return G_SOURCE_CONTINUE;
}

static gboolean
eos_timeout_cb (gpointer data)
{
  CascadeRtspApp *app = data;

  cascade_rtsp_log ("the EOS did not get through every branch within %d s",
      EOS_TIMEOUT_S);
  app->exit_code = 1;
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

static void
app_stop (CascadeRtspApp * app, const gchar * why)
{
  guint i;

  if (app->stopping) {
    cascade_rtsp_log ("%s again: quitting now", why);
    g_main_loop_quit (app->loop);
    return;
  }
  cascade_rtsp_log ("%s: stopping", why);
  app->stopping = TRUE;
  for (i = 0; i < app->cameras->len; i++)
    camera_stop (g_ptr_array_index (app->cameras, i));
  g_timeout_add_seconds (EOS_TIMEOUT_S, eos_timeout_cb, app);
}

static gboolean
signal_cb (gpointer data)
{
  app_stop (data, "signal");
  return G_SOURCE_CONTINUE;
}

static gboolean
duration_cb (gpointer data)
{
  app_stop (data, "duration reached");
  return G_SOURCE_REMOVE;
}

typedef struct
{
  gchar *model, *device, *detect_props, *rtsp_props, *mqtt_props;
  gchar *output_dir, *output_pattern;
  gdouble duration;
  gchar **urls;
} Options;

static gboolean
parse_options (int *argc, char ***argv, Options * o, CascadeRtspApp * app)
{
  GOptionEntry entries[] = {
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &o->model,
        "Model file (default: cascadedetect's)", "FILE"},
    {"device", 'd', 0, G_OPTION_ARG_STRING, &o->device,
        "OpenCL device (index or name substring)", "DEVICE"},
    {"detect-props", 0, 0, G_OPTION_ARG_STRING, &o->detect_props,
        "cascadedetect properties, e.g. \"interval=2 score-threshold=0.5\"",
        "PROPS"},
    {"rtsp-props", 0, 0, G_OPTION_ARG_STRING, &o->rtsp_props,
        "rtspsrc properties, e.g. \"protocols=tcp latency=100\"", "PROPS"},
    {"mqtt", 0, 0, G_OPTION_ARG_STRING, &app->mqtt,
        "Also publish the lines to this MQTT broker", "HOST[:PORT]"},
    {"mqtt-props", 0, 0, G_OPTION_ARG_STRING, &o->mqtt_props,
        "cascademqttsink properties, e.g. \"qos=1 topic=site/{stream}/det\"",
        "PROPS"},
    {"output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &o->output_dir,
        "Directory of the JSON-lines files (default: .)", "DIR"},
    {"output-pattern", 0, 0, G_OPTION_ARG_STRING, &o->output_pattern,
        "File name per camera, %u the camera's index (default: cam%u.jsonl)",
        "PATTERN"},
    {"stall-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &app->stall_timeout,
        "Rebuild a streaming camera's source after this many seconds "
          "without a buffer (default 5)", "S"},
    {"connect-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &app->connect_timeout,
        "Rebuild a new source that brings no buffer within this many "
          "seconds (default 10)", "S"},
    {"backoff-initial", 0, 0, G_OPTION_ARG_DOUBLE, &app->backoff_initial,
        "Delay before the first reconnection, s (default 1)", "S"},
    {"backoff-max", 0, 0, G_OPTION_ARG_DOUBLE, &app->backoff_max,
        "Longest delay between reconnections, s (default 30)", "S"},
    {"duration", 0, 0, G_OPTION_ARG_DOUBLE, &o->duration,
        "Stop cleanly after this many seconds (default 0: on SIGINT/SIGTERM)",
        "S"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->urls, NULL,
        "URL..."},
    {NULL}
  };
  GOptionContext *ctx = g_option_context_new ("rtsp://... [rtsp://...] - "
      "detections of RTSP cameras as JSON lines, surviving camera loss");
  GError *err = NULL;
  gboolean ok;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  ok = g_option_context_parse (ctx, argc, argv, &err);
  g_option_context_free (ctx);
  if (!ok) {
    g_printerr ("%s\n", err->message);
    g_error_free (err);
    return FALSE;
  }
  if (!o->urls || !o->urls[0]) {
    g_printerr ("give at least one camera URL (--help for the options)\n");
    return FALSE;
  }
  if (app->stall_timeout <= 0 || app->connect_timeout <= 0
      || app->backoff_initial <= 0 || app->backoff_max < app->backoff_initial
      || o->duration < 0) {
    g_printerr ("the timeouts and back-offs must be positive, "
        "--backoff-max at least --backoff-initial\n");
    return FALSE;
  }
  return TRUE;
}

/* the rtspsrc properties, tried on a scratch element before any camera */
static gboolean
check_rtsp_props (CascadeRtspApp * app)
{
  GstElement *src = gst_element_factory_make ("rtspsrc", NULL);
  gboolean ok;

  if (!src) {
    g_printerr ("no rtspsrc element (Debian: gstreamer1.0-plugins-good)\n");
    return FALSE;
  }
  ok = cascade_rtsp_set_props (G_OBJECT (src), app->rtsp_props, "rtspsrc");
  gst_object_unref (src);
  return ok;
}

static gboolean
app_build (CascadeRtspApp * app, Options * o)
{
  gchar **detect_props = NULL;
  GstClock *clock;
  guint i;
  gboolean ok = TRUE;

  if (!split_props (o->detect_props, &detect_props, "--detect-props")
      || !split_props (o->rtsp_props, &app->rtsp_props, "--rtsp-props")
      || !split_props (o->mqtt_props, &app->mqtt_props, "--mqtt-props")
      || !check_rtsp_props (app))
    return FALSE;
  if (o->output_dir && g_mkdir_with_parents (o->output_dir, 0755) != 0) {
    g_printerr ("cannot create %s\n", o->output_dir);
    return FALSE;
  }

  app->pipeline = gst_pipeline_new ("cascade-rtsp");
  /* the system clock, always: a source that provides a clock may go */
  clock = gst_system_clock_obtain ();
  gst_pipeline_use_clock (GST_PIPELINE (app->pipeline), clock);
  gst_object_unref (clock);

  for (i = 0; o->urls[i] && ok; i++) {
    Camera *cam = g_new0 (Camera, 1);

    cam->app = app;
    cam->index = i;
    cam->url = g_strdup (o->urls[i]);
    cam->out_path = output_path (o->output_dir ? o->output_dir : ".",
        o->output_pattern ? o->output_pattern : "cam%u.jsonl", i);
    g_ptr_array_add (app->cameras, cam);
    ok = camera_build_branch (cam, o->model, o->device, detect_props);
    if (ok)
      cascade_rtsp_log ("camera %u: %s -> %s", i, cam->url, cam->out_path);
  }
  g_strfreev (detect_props);
  return ok;
}

static void
camera_free (gpointer data)
{
  Camera *cam = data;

  if (cam->branch_pad)
    gst_object_unref (cam->branch_pad);
  g_free (cam->url);
  g_free (cam->out_path);
  g_free (cam);
}

/* the branches to PLAYING (the models load here), then the cameras */
static gboolean
app_start (CascadeRtspApp * app)
{
  guint i;

  if (gst_element_set_state (app->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    GstBus *bus = gst_element_get_bus (app->pipeline);
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (msg) {
      GError *err = NULL;

      gst_message_parse_error (msg, &err, NULL);
      cascade_rtsp_log ("cannot start: %s: %s",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
      g_error_free (err);
      gst_message_unref (msg);
    } else {
      cascade_rtsp_log ("cannot start the pipeline");
    }
    gst_object_unref (bus);
    return FALSE;
  }
  for (i = 0; i < app->cameras->len; i++)
    camera_start (g_ptr_array_index (app->cameras, i));
  return TRUE;
}

int
main (int argc, char **argv)
{
  Options o = { 0 };
  CascadeRtspApp app = { 0 };
  GstBus *bus;
  guint bus_id;

  setvbuf (stdout, NULL, _IOLBF, 0);
  app.stall_timeout = 5.0;
  app.connect_timeout = 10.0;
  app.backoff_initial = 1.0;
  app.backoff_max = 30.0;
  app.cameras = g_ptr_array_new_with_free_func (camera_free);
  app.teardowns = g_ptr_array_new ();

  if (!parse_options (&argc, &argv, &o, &app))
    return 2;
  if (!app_build (&app, &o)) {
    app.exit_code = 2;
    goto out;
  }

  app.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (app.pipeline);
  bus_id = gst_bus_add_watch (bus, bus_cb, &app);
  gst_object_unref (bus);
  g_unix_signal_add (SIGINT, signal_cb, &app);
  g_unix_signal_add (SIGTERM, signal_cb, &app);
  g_timeout_add (TICK_MS, tick_cb, &app);
  if (o.duration > 0)
    g_timeout_add ((guint) (o.duration * 1000.0), duration_cb, &app);

  if (app_start (&app))
    g_main_loop_run (app.loop);
  else
    app.exit_code = 1;

  gst_element_set_state (app.pipeline, GST_STATE_NULL);
  cascade_rtsp_reap_teardowns (&app, TRUE);
  g_source_remove (bus_id);
  g_main_loop_unref (app.loop);
  cascade_rtsp_log ("exit %d", app.exit_code);

out:
  if (app.pipeline)
    gst_object_unref (app.pipeline);
  g_ptr_array_unref (app.cameras);
  g_ptr_array_unref (app.teardowns);
  g_strfreev (app.rtsp_props);
  g_strfreev (app.mqtt_props);
  g_free (app.mqtt);
  g_free (o.mqtt_props);
  g_strfreev (o.urls);
  g_free (o.model);
  g_free (o.device);
  g_free (o.detect_props);
  g_free (o.rtsp_props);
  g_free (o.output_dir);
  g_free (o.output_pattern);
  return app.exit_code;
}
