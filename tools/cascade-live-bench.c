/* cascade-live-bench: live RTSP on loopback through cascadedetect, measured.
 *
 *   cascade-live-bench --server build/tests/rtsp-test-server --model M
 *       [--input-size 1067x640] [--seconds 60] [--modes blocking,newest-frame]
 *       [--full] [--restart-every S] [--sample-every S]
 *
 * It starts the test RTSP server (tests/live/rtsp-test-server: 640x480 at
 * 25 fps, RTP/JPEG over TCP, 127.0.0.1 only) and runs, for each mode in
 * turn, in one invocation:
 *   rtspsrc ! decodebin ! videoconvert ! cascadedetect mode=MODE
 *     [! cascadeoverlay ! cascadejson] ! fakesink sync=true
 * Per mode it prints one line:
 *   mode <m> fps <out fps> delay_p50_ms <..> delay_p99_ms <..>
 *     det_per_s <..> age_p50_ms <..> age_p99_ms <..> frames <n> results <n>
 * delay: the running time at which the sink renders a frame minus the
 * frame's running time (its PTS, which rtspsrc sets from the arrival of its
 * packets): how far behind the camera the picture is shown.  age: the
 * frame's PTS minus the PTS of the frame its attached result came from
 * (GstCascadeMeta's source PTS; 0 for a frame's own result).  det_per_s:
 * detections per second of the distinct results shown (a result counts
 * once, on the first frame that carries it).  The sink syncs to the clock
 * and sends QoS events, as a video sink does.
 *
 * Soak (--full --restart-every 600 --sample-every 10 --seconds 3600): the
 * server is killed and started again on the same port every S seconds; the
 * pipeline's source is rebuilt after an error or EOS (after 1 s), and every
 * sample prints "sample t <s> rss_kb <kb> delay_p50_ms <..> delay_p99_ms <..>
 * frames <n> restarts <n> recoveries <n>". */
#include <gst/gst.h>
#include <gst/cascade/gstcascademeta.h>

#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gchar *server_path, *model, *input_size, *modes_opt, *device;
static gint seconds = 60, restart_every, sample_every;
static gboolean full;

static GOptionEntry entries[] = {
  {"server", 0, 0, G_OPTION_ARG_FILENAME, &server_path,
      "The test RTSP server (build/tests/rtsp-test-server)", "PATH"},
  {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Model file", "FILE"},
  {"device", 'd', 0, G_OPTION_ARG_STRING, &device, "OpenCL device", "SPEC"},
  {"input-size", 's', 0, G_OPTION_ARG_STRING, &input_size,
      "cascadedetect input-size (e.g. 1067x640)", "WxH"},
  {"seconds", 't', 0, G_OPTION_ARG_INT, &seconds,
      "Seconds per mode (default 60)", "S"},
  {"modes", 0, 0, G_OPTION_ARG_STRING, &modes_opt,
      "Comma-separated modes (default blocking,newest-frame)", "LIST"},
  {"full", 0, 0, G_OPTION_ARG_NONE, &full,
      "Also cascadeoverlay and cascadejson (the whole pipeline)", NULL},
  {"restart-every", 0, 0, G_OPTION_ARG_INT, &restart_every,
      "Kill and restart the server every S seconds (0: never)", "S"},
  {"sample-every", 0, 0, G_OPTION_ARG_INT, &sample_every,
      "Print RSS and delay every S seconds (0: never)", "S"},
  {NULL}
};

/* a run's delays and ages: counts in bins 0.1% wide (log-spaced, 0 to
 * about 13 minutes), so that an hour's soak measures the pipeline's memory,
 * not its own sample arrays'; percentiles are within 0.1% */
#define HIST_BINS 13700
#define HIST_STEP 1e-3

typedef struct
{
  guint32 n[HIST_BINS];
  guint64 total;
} Hist;

static void
hist_add (Hist * h, gdouble ms)
{
  gdouble b = ms > 0 ? log1p (ms) / log1p (HIST_STEP) : 0;
  h->n[(guint) MIN (b, HIST_BINS - 1)]++;
  h->total++;
}

static gdouble
hist_percentile (const Hist * h, gdouble p)
{
  guint64 want, seen = 0;
  guint b;

  if (h->total == 0)
    return 0;
  want = MAX ((guint64) ceil (p * h->total - 1e-9), 1);
  for (b = 0; b < HIST_BINS - 1 && seen + h->n[b] < want; b++)
    seen += h->n[b];
  return expm1 ((b + 0.5) * log1p (HIST_STEP));
}

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline, *src;
  Hist *delays, *ages;
  GArray *window;               /* gdouble ms, the last sample's */
  guint64 frames, results, detections;
  GstClockTime last_source;
  guint restarts, recoveries;
  gboolean waiting_rebuild;
  gint64 t0;
  gint port;
  GPid server;
} Run;

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static gdouble
percentile (GArray * a, gdouble p)
{
  guint i;
  if (a->len == 0)
    return 0;
  g_array_sort (a, cmp_double);
  i = (guint) (p * (a->len - 1) + 0.5);
  return g_array_index (a, gdouble, i);
}

static GPid
start_server (gint port, gint * bound)
{
  gchar *p = g_strdup_printf ("%d", port);
  gchar *argv[] = { server_path, (gchar *) "--port", p,
    (gchar *) "--max-seconds", NULL, NULL
  };
  gchar *max = g_strdup_printf ("%d", seconds * 4 + 600);
  GPid pid = 0;
  gint out = -1;
  GError *err = NULL;
  gchar line[64];
  FILE *f;

  argv[4] = max;
  if (!g_spawn_async_with_pipes (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL,
          NULL, &pid, NULL, &out, NULL, &err)) {
    g_printerr ("cannot start %s: %s\n", server_path, err->message);
    exit (1);
  }
  f = fdopen (out, "r");
  if (!fgets (line, sizeof line, f) || sscanf (line, "PORT %d", bound) != 1) {
    g_printerr ("the server printed no port\n");
    exit (1);
  }
  fclose (f);
  g_free (p);
  g_free (max);
  return pid;
}

static void
stop_server (GPid pid)
{
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_spawn_close_pid (pid);
}

/* the attached result: its age and, once per result, its detections */
static void
count_meta (Run * r, GstBuffer * buf)
{
  GstCascadeMeta *meta = gst_buffer_get_cascade_meta (buf);
  GstClockTime pts = GST_BUFFER_PTS (buf), src;

  if (!meta)
    return;
  src = gst_cascade_meta_get_source_pts (meta);
  if (GST_CLOCK_TIME_IS_VALID (src) && GST_CLOCK_TIME_IS_VALID (pts)) {
    gdouble age = GST_CLOCK_DIFF (src, pts) / 1e6;
    hist_add (r->ages, age);
  }
  /* a new result: its source frame differs from the last one's (in
   * newest-frame mode every result arrives on a later frame, repeated) */
  if (src != r->last_source) {
    r->last_source = src;
    r->results++;
    r->detections += gst_cascade_meta_get_count (meta);
  }
}

/* identity's handoff before cascadejson (--full): the video's meta */
static void
probe_cb (GstElement * identity, GstBuffer * buf, Run * r)
{
  count_meta (r, buf);
}

/* fakesink's handoff: after the sink's clock wait, i.e. when shown */
static void
handoff_cb (GstElement * sink, GstBuffer * buf, GstPad * pad, Run * r)
{
  GstClock *clock = gst_element_get_clock (sink);
  const GstSegment *seg = NULL;
  GstEvent *ev = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  GstClockTime pts = GST_BUFFER_PTS (buf), rt;

  if (ev)
    gst_event_parse_segment (ev, &seg);
  r->frames++;
  if (clock && seg && GST_CLOCK_TIME_IS_VALID (pts)) {
    rt = gst_segment_to_running_time (seg, GST_FORMAT_TIME, pts);
    if (GST_CLOCK_TIME_IS_VALID (rt)) {
      gdouble d = (GST_CLOCK_DIFF (gst_element_get_base_time (sink) + rt,
              gst_clock_get_time (clock))) / 1e6;
      hist_add (r->delays, d);
      g_array_append_val (r->window, d);
    }
  }
  if (!full)
    count_meta (r, buf);
  if (ev)
    gst_event_unref (ev);
  if (clock)
    gst_object_unref (clock);
}

static gboolean rebuild_cb (gpointer data);

static gboolean
source_failed (Run * r, const gchar * why)
{
  if (!r->waiting_rebuild) {
    g_print ("# %.1f s: source %s; rebuilding in 1 s\n",
        (g_get_monotonic_time () - r->t0) / 1e6, why);
    r->waiting_rebuild = TRUE;
    g_timeout_add_seconds (1, rebuild_cb, r);
  }
  return G_SOURCE_REMOVE;
}

static gboolean
eos_idle (gpointer data)
{
  return source_failed (data, "ended (EOS)");
}

/* a camera that ends is a camera lost: its EOS never ends the run */
static GstPadProbeReturn
eos_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  g_idle_add (eos_idle, data);
  return GST_PAD_PROBE_DROP;
}

static GstElement *
make_source (Run * r)
{
  gchar *desc = g_strdup_printf ("rtspsrc location=rtsp://127.0.0.1:%d/cam "
      "latency=200 protocols=tcp ! decodebin ! videoconvert name=conv",
      r->port);
  GError *err = NULL;
  /* no automatic ghost pads: videoconvert's sink is unlinked until
   * decodebin has a pad, and must not be ghosted */
  GstElement *bin = gst_parse_bin_from_description (desc, FALSE, &err);
  GstElement *conv;
  GstPad *pad, *target;

  if (!bin) {
    g_printerr ("%s\n", err->message);
    exit (1);
  }
  conv = gst_bin_get_by_name (GST_BIN (bin), "conv");
  target = gst_element_get_static_pad (conv, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", target));
  gst_object_unref (target);
  gst_object_unref (conv);
  pad = gst_element_get_static_pad (bin, "src");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, eos_probe, r,
      NULL);
  gst_object_unref (pad);
  g_free (desc);
  return bin;
}

static gboolean
rebuild_cb (gpointer data)
{
  Run *r = data;
  GstElement *detect = gst_bin_get_by_name (GST_BIN (r->pipeline), "detect");

  gst_element_set_state (r->src, GST_STATE_NULL);
  gst_bin_remove (GST_BIN (r->pipeline), r->src);
  r->src = make_source (r);
  gst_bin_add (GST_BIN (r->pipeline), r->src);
  if (!gst_element_link (r->src, detect))
    g_printerr ("cannot link the new source\n");
  gst_element_sync_state_with_parent (r->src);
  gst_object_unref (detect);
  r->waiting_rebuild = FALSE;
  r->recoveries++;
  return G_SOURCE_REMOVE;
}

static gboolean
bus_cb (GstBus * bus, GstMessage * msg, gpointer data)
{
  Run *r = data;
  GError *err = NULL;

  if (GST_MESSAGE_TYPE (msg) != GST_MESSAGE_ERROR)
    return G_SOURCE_CONTINUE;
  gst_message_parse_error (msg, &err, NULL);
  if (gst_object_has_as_ancestor (GST_MESSAGE_SRC (msg),
          GST_OBJECT (r->src))) {
    source_failed (r, err->message);
  } else {
    g_printerr ("error: %s\n", err->message);
    exit (1);
  }
  g_error_free (err);
  return G_SOURCE_CONTINUE;
}

static guint64
rss_kb (void)
{
  gchar *text = NULL, *p;
  guint64 kb = 0;
  if (g_file_get_contents ("/proc/self/status", &text, NULL, NULL)
      && (p = strstr (text, "VmRSS:")))
    kb = g_ascii_strtoull (p + 6, NULL, 10);
  g_free (text);
  return kb;
}

static gboolean
sample_cb (gpointer data)
{
  Run *r = data;
  g_print ("sample t %.0f rss_kb %" G_GUINT64_FORMAT " delay_p50_ms %.1f "
      "delay_p99_ms %.1f frames %" G_GUINT64_FORMAT " restarts %u "
      "recoveries %u\n", (g_get_monotonic_time () - r->t0) / 1e6, rss_kb (),
      percentile (r->window, 0.5), percentile (r->window, 0.99), r->frames,
      r->restarts, r->recoveries);
  g_array_set_size (r->window, 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
restart_cb (gpointer data)
{
  Run *r = data;
  gint bound = 0;
  stop_server (r->server);
  r->server = start_server (r->port, &bound);
  r->restarts++;
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (((Run *) data)->loop);
  return G_SOURCE_REMOVE;
}

static GstElement *
make_pipeline (Run * r, const gchar * mode)
{
  gchar *desc = g_strdup_printf ("cascadedetect name=detect mode=%s%s%s%s%s "
      "%s ! fakesink name=sink sync=true qos=true signal-handoffs=true", mode,
      model ? " model=" : "", model ? model : "",
      input_size ? " input-size=" : "", input_size ? input_size : "",
      full ? "! cascadeoverlay ! identity name=probe signal-handoffs=true "
      "! cascadejson" : "");
  gchar *with_device = device ? g_strdup_printf ("%s device=%s", desc, device)
      : NULL;
  GError *err = NULL;
  GstElement *p = gst_parse_launch (with_device ? with_device : desc, &err);
  GstElement *sink, *detect;

  if (!p) {
    g_printerr ("%s\n", err->message);
    exit (1);
  }
  r->src = make_source (r);
  gst_bin_add (GST_BIN (p), r->src);
  detect = gst_bin_get_by_name (GST_BIN (p), "detect");
  if (!gst_element_link (r->src, detect)) {
    g_printerr ("cannot link the source\n");
    exit (1);
  }
  sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (handoff_cb), r);
  gst_object_unref (sink);
  if (full) {
    GstElement *probe = gst_bin_get_by_name (GST_BIN (p), "probe");
    g_signal_connect (probe, "handoff", G_CALLBACK (probe_cb), r);
    gst_object_unref (probe);
  }
  gst_object_unref (detect);
  g_free (desc);
  g_free (with_device);
  return p;
}

static void
run_mode (Run * r, const gchar * mode)
{
  GstBus *bus;
  guint samples = 0, restarts = 0, watch;
  gdouble wall;

  r->frames = r->results = r->detections = 0;
  r->last_source = GST_CLOCK_TIME_NONE;
  r->restarts = r->recoveries = 0;
  memset (r->delays, 0, sizeof (Hist));
  memset (r->ages, 0, sizeof (Hist));
  g_array_set_size (r->window, 0);
  r->pipeline = make_pipeline (r, mode);
  bus = gst_element_get_bus (r->pipeline);
  watch = gst_bus_add_watch (bus, bus_cb, r);
  gst_element_set_state (r->pipeline, GST_STATE_PLAYING);
  r->t0 = g_get_monotonic_time ();
  if (sample_every > 0)
    samples = g_timeout_add_seconds (sample_every, sample_cb, r);
  if (restart_every > 0)
    restarts = g_timeout_add_seconds (restart_every, restart_cb, r);
  g_timeout_add_seconds (seconds, quit_cb, r);
  g_main_loop_run (r->loop);
  wall = (g_get_monotonic_time () - r->t0) / 1e6;
  if (samples)
    g_source_remove (samples);
  if (restarts)
    g_source_remove (restarts);
  gst_element_set_state (r->pipeline, GST_STATE_NULL);
  g_source_remove (watch);
  gst_object_unref (bus);
  gst_object_unref (r->pipeline);
  g_print ("mode %s fps %.2f delay_p50_ms %.1f delay_p99_ms %.1f "
      "det_per_s %.2f age_p50_ms %.1f age_p99_ms %.1f frames %"
      G_GUINT64_FORMAT " results %" G_GUINT64_FORMAT " restarts %u "
      "recoveries %u\n", mode, r->frames / wall, hist_percentile (r->delays, 0.5),
      hist_percentile (r->delays, 0.99), r->detections / wall,
      hist_percentile (r->ages, 0.5), hist_percentile (r->ages, 0.99),
      r->frames,
      r->results, r->restarts, r->recoveries);
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("- live RTSP benchmark");
  GError *err = NULL;
  Run r = { 0 };
  gchar **modes, **m;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err) || !server_path
      || seconds <= 0) {
    g_printerr ("%s\n", err ? err->message : "--server and a positive "
        "--seconds are needed (see --help)");
    g_clear_error (&err);
    g_option_context_free (ctx);
    return 2;
  }
  g_option_context_free (ctx);
  r.loop = g_main_loop_new (NULL, FALSE);
  r.delays = g_new0 (Hist, 1);
  r.ages = g_new0 (Hist, 1);
  r.window = g_array_new (FALSE, FALSE, sizeof (gdouble));
  r.server = start_server (0, &r.port);
  modes = g_strsplit (modes_opt ? modes_opt : "blocking,newest-frame", ",",
      -1);
  for (m = modes; *m; m++)
    run_mode (&r, *m);
  stop_server (r.server);
  g_strfreev (modes);
  g_free (r.delays);
  g_free (r.ages);
  g_array_free (r.window, TRUE);
  g_main_loop_unref (r.loop);
  return 0;
}
