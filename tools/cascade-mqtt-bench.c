/* cascade-mqtt-bench: cascadejson ! cascademqttsink to a loopback mosquitto,
 * measured.
 *
 *   cascade-mqtt-bench [--broker /usr/sbin/mosquitto] [--objects 100]
 *       [--frames 5000] [--rate 100] [--seconds 20] [--qos 1]
 *
 * It starts mosquitto on a free port of 127.0.0.1 (persistence in a
 * temporary directory, no limit on messages kept for an offline session)
 * and a libmosquitto subscriber in this process (persistent session, the
 * same QoS), then runs pipelines of
 *   appsrc (frames with a GstCascadeMeta of --objects boxes) ! cascadejson
 *     ! cascademqttsink
 * (set_tcp_nodelay: without it the broker holds small writes to a QoS 0
 * subscriber, which sends no PUBACK, for its delayed TCP ACK) and prints
 * one line each:
 *   json_only: the same frames into cascadejson ! fakesink, frames/s (what
 *     the JSON costs, without MQTT);
 *   throughput: --frames frames pushed at once (the queue holds them all):
 *     "throughput msgs_per_s <..> bytes_per_line <..> frames <n>
 *      received <n> dropped <n>", from the first push to the last arrival;
 *   sink_only: the throughput run's lines, prepared, into appsrc !
 *     cascademqttsink (the MQTT path alone): "sink_only msgs_per_s ...";
 *   latency: --frames frames at --rate per second: "latency p50_ms <..>
 *     p99_ms <..> max_ms <..>", from the buffer reaching the sink's pad to
 *     its arrival at the subscriber (one monotonic clock);
 *   restarts (unless --seconds 0): --seconds at --rate, the broker stopped (SIGTERM, then
 *     SIGKILL in a second run) and started again three times, 0.5 s down:
 *     "restarts signal <TERM|KILL> sent <n> received <n> lost <n>
 *      duplicates <n> dropped <n> reconnects <n>". */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/app/gstappsrc.h>
#include <gst/cascade/gstcascademeta.h>
#include <mosquitto.h>

static gchar *broker_path;
static gint objects = 100, frames = 5000, rate = 100, seconds = 20, qos = 1;

static GOptionEntry entries[] = {
  {"broker", 0, 0, G_OPTION_ARG_FILENAME, &broker_path,
      "mosquitto (default /usr/sbin/mosquitto)", "PATH"},
  {"objects", 0, 0, G_OPTION_ARG_INT, &objects, "objects per frame", "N"},
  {"frames", 0, 0, G_OPTION_ARG_INT, &frames, "frames of the throughput "
        "and latency runs", "N"},
  {"rate", 0, 0, G_OPTION_ARG_INT, &rate, "frames per second of the "
        "latency and restart runs", "N"},
  {"seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "length of a restart run",
      "S"},
  {"qos", 0, 0, G_OPTION_ARG_INT, &qos, "QoS of the sink and subscriber",
      "0-2"},
  {NULL}
};

/* ---- the broker ---- */

static gchar *dir;
static guint port;
static GPid broker_pid;

static guint
free_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  gint fd = socket (AF_INET, SOCK_STREAM, 0);
  guint p;

  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) != 0
      || getsockname (fd, (struct sockaddr *) &addr, &len) != 0)
    g_error ("no free port: %s", g_strerror (errno));
  p = ntohs (addr.sin_port);
  close (fd);
  return p;
}

static gboolean
port_open (void)
{
  struct sockaddr_in addr = { 0 };
  gint fd = socket (AF_INET, SOCK_STREAM, 0);
  gboolean ok;

  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  addr.sin_port = htons (port);
  ok = connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
  close (fd);
  return ok;
}

static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
broker_start (void)
{
  gchar *conf = g_build_filename (dir, "mosquitto.conf", NULL);
  gchar *log = g_build_filename (dir, "stderr.log", NULL);
  gchar *text = g_strdup_printf ("listener %u 127.0.0.1\n"
      "allow_anonymous true\npersistence true\npersistence_location %s/\n"
      "autosave_interval 1\nmax_queued_messages 0\nset_tcp_nodelay true\n"
      "user root\n", port, dir);
  const gchar *argv[] = { broker_path, "-c", conf, NULL };
  gint fd = g_open (log, O_WRONLY | O_CREAT | O_APPEND, 0644);
  GError *err = NULL;
  gint i;

  g_file_set_contents (conf, text, -1, NULL);
  if (!g_spawn_async_with_fds (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent, NULL, &broker_pid, -1,
          fd, fd, &err))
    g_error ("cannot start %s: %s", broker_path, err->message);
  close (fd);
  for (i = 0; i < 1000 && !port_open (); i++)
    g_usleep (10000);
  if (i == 1000)
    g_error ("mosquitto is not listening (see %s)", log);
  g_free (conf);
  g_free (log);
  g_free (text);
}

static void
broker_stop (gint sig)
{
  gint status;

  kill (broker_pid, sig);
  waitpid (broker_pid, &status, 0);
  g_spawn_close_pid (broker_pid);
  broker_pid = 0;
}

static void
remove_dir (void)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const gchar *name;

  while (d && (name = g_dir_read_name (d))) {
    gchar *path = g_build_filename (dir, name, NULL);

    g_unlink (path);
    g_free (path);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

/* ---- the subscriber: first arrival per frame, per run ---- */

#define RUNS 5

typedef struct
{
  GMutex lock;
  gint64 *first[RUNS];          /* monotonic us of the first arrival */
  guint size[RUNS];
  guint unique[RUNS], total[RUNS];
  gint bytes[RUNS];             /* payload of the last message */
  gchar *sample;                /* a payload of run 0, after its frame number */
} Arrivals;

static Arrivals arrivals;

static void
on_message (struct mosquitto *m, void *data, const struct mosquitto_message
    *msg)
{
  gint64 now = g_get_monotonic_time ();
  const gchar *run = strrchr (msg->topic, '/');
  guint r = run ? (guint) atoi (run + 1) : RUNS, frame;
  const gchar *p = msg->payload;

  if (r >= RUNS || msg->payloadlen < 11 || strncmp (p, "{\"frame\": ", 10))
    return;
  frame = (guint) strtoul (p + 10, NULL, 10);
  g_mutex_lock (&arrivals.lock);
  arrivals.total[r]++;
  arrivals.bytes[r] = msg->payloadlen;
  if (r == 0 && !arrivals.sample) {
    const gchar *rest = p + 10;

    while (rest < p + msg->payloadlen && g_ascii_isdigit (*rest))
      rest++;
    arrivals.sample = g_strndup (rest, p + msg->payloadlen - rest);
  }
  if (frame < arrivals.size[r] && !arrivals.first[r][frame]) {
    arrivals.first[r][frame] = now;
    arrivals.unique[r]++;
  }
  g_mutex_unlock (&arrivals.lock);
}

static void
on_connect (struct mosquitto *m, void *data, int rc)
{
  if (rc == 0)
    mosquitto_subscribe (m, NULL, "bench/#", qos);
}

static guint
unique (guint r)
{
  guint n;

  g_mutex_lock (&arrivals.lock);
  n = arrivals.unique[r];
  g_mutex_unlock (&arrivals.lock);
  return n;
}

/* ---- the pipeline ---- */

typedef struct
{
  GstElement *pipeline, *src, *sink;
  gint64 *in;                   /* monotonic us at the sink's pad */
  guint n;
} Run;

static GstPadProbeReturn
sink_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  Run *run = data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER (info);

  if (GST_BUFFER_OFFSET (buf) < run->n)
    run->in[GST_BUFFER_OFFSET (buf)] = g_get_monotonic_time ();
  return GST_PAD_PROBE_OK;
}

static Run *
run_new (guint index, guint n, guint max_queued)
{
  Run *run = g_new0 (Run, 1);
  /* run 4: prepared lines straight into the sink */
  gchar *launch = g_strdup_printf ("appsrc name=src format=time %s ! "
      "cascademqttsink name=sink host=127.0.0.1 port=%u "
      "qos=%d topic=bench/{stream} stream-name=%u max-queued=%u "
      "max-queued-bytes=0 "
      "reconnect-delay=50 reconnect-delay-max=500 drain-timeout=60000",
      index == 4 ? "caps=application/x-ndjson" : "caps=video/x-raw,"
      "format=GRAY8,width=1280,height=720,framerate=0/1 ! cascadejson",
      port, qos, index, max_queued);
  GError *err = NULL;
  GstPad *pad;

  run->pipeline = gst_parse_launch (launch, &err);
  if (!run->pipeline)
    g_error ("%s: %s", launch, err->message);
  g_free (launch);
  run->src = gst_bin_get_by_name (GST_BIN (run->pipeline), "src");
  run->sink = gst_bin_get_by_name (GST_BIN (run->pipeline), "sink");
  run->n = n;
  run->in = g_new0 (gint64, n);
  pad = gst_element_get_static_pad (run->sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, sink_probe, run, NULL);
  gst_object_unref (pad);
  g_mutex_lock (&arrivals.lock);
  arrivals.first[index] = g_new0 (gint64, n);
  arrivals.size[index] = n;
  g_mutex_unlock (&arrivals.lock);
  gst_element_set_state (run->pipeline, GST_STATE_PLAYING);
  return run;
}

static void
push_frame (Run * run, guint i)
{
  GstBuffer *buf = gst_buffer_new ();
  GstCascadeMeta *meta = gst_buffer_add_cascade_meta (buf, 1280, 720);
  gint k;

  GST_BUFFER_PTS (buf) = i * GST_SECOND / MAX (rate, 1);
  for (k = 0; k < objects; k++) {
    gfloat x = (gfloat) ((k * 37 + i * 3) % 1200), y = (gfloat) ((k * 53)
        % 640);

    gst_cascade_meta_add_object (meta, x + 0.25f, y + 0.5f, x + 64.75f,
        y + 80.125f, 0.5f + (k % 50) / 100.0f, k % 80, "person", NULL);
  }
  gst_app_src_push_buffer (GST_APP_SRC (run->src), buf);
}

static GstStructure *
run_end (Run * run, guint index)
{
  GstBus *bus = gst_element_get_bus (run->pipeline);
  GstMessage *msg;
  GstStructure *stats = NULL;
  guint i;

  gst_app_src_end_of_stream (GST_APP_SRC (run->src));
  msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg)
    gst_message_unref (msg);
  /* the subscriber's last arrivals (bounded) */
  for (i = 0; i < 3000 && unique (index) < run->n; i++)
    g_usleep (10000);
  g_object_get (run->sink, "stats", &stats, NULL);
  gst_element_set_state (run->pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (run->src);
  gst_object_unref (run->sink);
  gst_object_unref (run->pipeline);
  return stats;
}

static guint64
stat_get (const GstStructure * s, const gchar * field)
{
  guint64 v = 0;

  gst_structure_get_uint64 (s, field, &v);
  return v;
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

static void
paced (Run * run, guint n, gint64 start)
{
  guint i;

  for (i = 0; i < n; i++) {
    gint64 due = start + (gint64) i * G_USEC_PER_SEC / rate;
    gint64 now = g_get_monotonic_time ();

    if (due > now)
      g_usleep (due - now);
    push_frame (run, i);
  }
}

static void
throughput (void)
{
  Run *run = run_new (0, frames, frames + 1);
  gint64 t0 = g_get_monotonic_time (), last = 0;
  GstStructure *stats;
  guint i;

  for (i = 0; i < (guint) frames; i++)
    push_frame (run, i);
  stats = run_end (run, 0);
  for (i = 0; i < (guint) frames; i++)
    last = MAX (last, arrivals.first[0][i]);
  printf ("throughput msgs_per_s %.0f MB_per_s %.1f bytes_per_line %d "
      "frames %d received %u dropped %" G_GUINT64_FORMAT " objects %d\n",
      unique (0) * 1e6 / MAX (last - t0, 1),
      unique (0) * (gdouble) arrivals.bytes[0] / MAX (last - t0, 1),
      arrivals.bytes[0], frames, unique (0), stat_get (stats, "dropped"),
      objects);
  gst_structure_free (stats);
  g_free (run->in);
  g_free (run);
}

/* the same frames into cascadejson ! fakesink: what the JSON costs alone */
static void
json_only (void)
{
  GstElement *pipeline = gst_parse_launch ("appsrc name=src format=time "
      "caps=video/x-raw,format=GRAY8,width=1280,height=720,framerate=0/1 ! "
      "cascadejson ! fakesink sync=false", NULL);
  GstElement *src = gst_bin_get_by_name (GST_BIN (pipeline), "src");
  GstBus *bus = gst_element_get_bus (pipeline);
  Run run = { pipeline, src, NULL, NULL, 0 };
  gint64 t0;
  GstMessage *msg;
  guint i;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  t0 = g_get_monotonic_time ();
  for (i = 0; i < (guint) frames; i++)
    push_frame (&run, i);
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  msg = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND, GST_MESSAGE_EOS);
  printf ("json_only frames_per_s %.0f frames %d\n", frames * 1e6 /
      MAX (g_get_monotonic_time () - t0, 1), frames);
  if (msg)
    gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (pipeline);
}

/* the lines of the throughput run, prepared, straight into the sink: what
 * the MQTT path takes without the JSON */
static void
sink_only (void)
{
  Run *run = run_new (4, frames, frames + 1);
  gint64 t0 = g_get_monotonic_time (), last = 0;
  GstStructure *stats;
  guint i;

  for (i = 0; i < (guint) frames; i++) {
    gchar *line = g_strdup_printf ("{\"frame\": %u%s\n", i,
        arrivals.sample ? arrivals.sample : "}");
    GstBuffer *buf = gst_buffer_new_wrapped (line, strlen (line));

    GST_BUFFER_OFFSET (buf) = i;
    gst_app_src_push_buffer (GST_APP_SRC (run->src), buf);
  }
  stats = run_end (run, 4);
  for (i = 0; i < (guint) frames; i++)
    last = MAX (last, arrivals.first[4][i]);
  printf ("sink_only msgs_per_s %.0f MB_per_s %.1f bytes_per_line %d "
      "received %u dropped %" G_GUINT64_FORMAT "\n",
      unique (4) * 1e6 / MAX (last - t0, 1),
      unique (4) * (gdouble) arrivals.bytes[4] / MAX (last - t0, 1),
      arrivals.bytes[4], unique (4), stat_get (stats, "dropped"));
  gst_structure_free (stats);
  g_free (run->in);
  g_free (run);
}

static void
latency (void)
{
  Run *run = run_new (1, frames, 1000);
  GArray *ms = g_array_new (FALSE, FALSE, sizeof (gdouble));
  GstStructure *stats;
  guint i;

  paced (run, frames, g_get_monotonic_time ());
  stats = run_end (run, 1);
  for (i = 0; i < (guint) frames; i++) {
    if (run->in[i] && arrivals.first[1][i]) {
      gdouble d = (arrivals.first[1][i] - run->in[i]) / 1000.0;

      g_array_append_val (ms, d);
    }
  }
  g_array_sort (ms, cmp_double);
  if (ms->len)
    printf ("latency p50_ms %.2f p99_ms %.2f max_ms %.2f frames %u rate %d\n",
        g_array_index (ms, gdouble, ms->len / 2),
        g_array_index (ms, gdouble, (ms->len * 99) / 100),
        g_array_index (ms, gdouble, ms->len - 1), ms->len, rate);
  g_array_unref (ms);
  gst_structure_free (stats);
  g_free (run->in);
  g_free (run);
}

static void
restarts (guint index, gint sig)
{
  guint n = (guint) (seconds * rate), i, pushed = 0;
  Run *run = run_new (index, n, 100000);
  gint64 start = g_get_monotonic_time ();
  GstStructure *stats;
  guint got, total;

  for (i = 1; i <= 3; i++) {
    guint upto = i * n / 4;

    /* paced pushes up to the restart point */
    for (; pushed < upto; pushed++) {
      gint64 due = start + (gint64) pushed * G_USEC_PER_SEC / rate;
      gint64 now = g_get_monotonic_time ();

      if (due > now)
        g_usleep (due - now);
      push_frame (run, pushed);
    }
    broker_stop (sig);
    for (; pushed < upto + (guint) rate / 2; pushed++) {
      gint64 due = start + (gint64) pushed * G_USEC_PER_SEC / rate;
      gint64 now = g_get_monotonic_time ();

      if (due > now)
        g_usleep (due - now);
      push_frame (run, pushed);
    }
    broker_start ();
  }
  for (; pushed < n; pushed++) {
    gint64 due = start + (gint64) pushed * G_USEC_PER_SEC / rate;
    gint64 now = g_get_monotonic_time ();

    if (due > now)
      g_usleep (due - now);
    push_frame (run, pushed);
  }
  stats = run_end (run, index);
  g_mutex_lock (&arrivals.lock);
  got = arrivals.unique[index];
  total = arrivals.total[index];
  g_mutex_unlock (&arrivals.lock);
  printf ("restarts signal %s sent %u received %u lost %u duplicates %u "
      "dropped %" G_GUINT64_FORMAT " reconnects %" G_GUINT64_FORMAT "\n",
      sig == SIGKILL ? "KILL" : "TERM", n, got, n - got, total - got,
      stat_get (stats, "dropped"), stat_get (stats, "reconnects"));
  gst_structure_free (stats);
  g_free (run->in);
  g_free (run);
}

int
main (int argc, char **argv)
{
  GOptionContext *ctx = g_option_context_new ("- cascademqttsink measured");
  GError *err = NULL;
  struct mosquitto *sub;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err))
    g_error ("%s", err->message);
  g_option_context_free (ctx);
  if (!broker_path)
    broker_path = g_strdup ("/usr/sbin/mosquitto");
  setvbuf (stdout, NULL, _IOLBF, 0);

  dir = g_dir_make_tmp ("cascade-mqtt-bench-XXXXXX", NULL);
  port = free_port ();
  broker_start ();
  g_mutex_init (&arrivals.lock);
  mosquitto_lib_init ();
  sub = mosquitto_new ("cascade-mqtt-bench-sub", false, NULL);
  mosquitto_connect_callback_set (sub, on_connect);
  mosquitto_message_callback_set (sub, on_message);
  mosquitto_reconnect_delay_set (sub, 1, 1, false);
  if (mosquitto_connect (sub, "127.0.0.1", (int) port, 30) != MOSQ_ERR_SUCCESS
      || mosquitto_loop_start (sub) != MOSQ_ERR_SUCCESS)
    g_error ("subscriber cannot connect");
  g_usleep (300000);

  json_only ();
  throughput ();
  sink_only ();
  latency ();
  if (seconds > 0) {
    restarts (2, SIGTERM);
    restarts (3, SIGKILL);
  }

  mosquitto_disconnect (sub);
  mosquitto_loop_stop (sub, false);
  mosquitto_destroy (sub);
  broker_stop (SIGTERM);
  remove_dir ();
  return 0;
}
