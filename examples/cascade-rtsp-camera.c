/* gst-cascade example cascade-rtsp: one camera's source, and its recovery.
 *
 * Each camera has a persistent branch in the pipeline (cascadedetect !
 * cascadejson ! filesink, built by cascade-rtsp.c) and a source bin that
 * is replaced whenever it fails:
 *
 *   [rtspsrc ! decodebin ! videoconvert]-src  ->  cascadedetect's sink pad
 *
 * A source fails on an error message from inside it, on an EOS from it (a
 * frozen server ends rtspsrc's stream with EOS after its timeouts: the EOS
 * is dropped at the bin's pad so that it never ends the branch), when no
 * buffer reaches the branch for --stall-timeout seconds while streaming, or
 * when a new source brings no buffer within --connect-timeout.  The failed
 * bin is unlinked from an idle probe on its pad (so that no buffer is half
 * pushed), taken out of the pipeline, and set to NULL in a thread of its
 * own (never in a streaming thread, and without holding up the main loop
 * while rtspsrc closes a connection to a server that does not answer).
 * After the back-off (--backoff-initial, doubled per failure up to
 * --backoff-max; reset by the first buffer) a new bin is added and brought
 * to the pipeline's state.  The branch, its model included, stays as it
 * is; the new source negotiates its caps with it again.
 *
 * Everything here runs in the main loop except the pad probes, the
 * pad-added and select-stream callbacks (streaming threads) and the
 * teardown threads; these touch only their own pads and elements, an
 * atomic counter, and hand the rest to the main loop.
 */
#include <stdlib.h>
#include <string.h>

#include "cascade-rtsp.h"

#define CAMERA_DATA "cascade-rtsp-camera"
#define GENERATION_DATA "cascade-rtsp-generation"

typedef struct
{
  Camera *cam;
  guint generation;
} SourceRef;

typedef struct
{
  GThread *thread;
  GstElement *bin;
  gint done;
} Teardown;

static const gchar *const state_names[] = {
  "connecting", "streaming", "stalled", "reconnecting", "stopped"
};

/* the state, in the log and as an application message on the bus */
static void
camera_set_state (Camera * cam, CameraState state, const gchar * reason)
{
  GstStructure *s;
  gdouble delay = state == CAMERA_RECONNECTING ? cam->delay : 0.0;

  cam->state = state;
  cam->state_since = g_get_monotonic_time ();

  s = gst_structure_new ("cascade-rtsp-camera",
      "camera", G_TYPE_UINT, cam->index,
      "url", G_TYPE_STRING, cam->url,
      "state", G_TYPE_STRING, state_names[state],
      "attempt", G_TYPE_UINT, cam->attempt,
      "delay", G_TYPE_DOUBLE, delay, NULL);
  if (reason)
    gst_structure_set (s, "reason", G_TYPE_STRING, reason, NULL);

  if (state == CAMERA_RECONNECTING)
    cascade_rtsp_log ("camera %u reconnecting: attempt %u in %.1f s (%s)",
        cam->index, cam->attempt, delay, reason ? reason : "");
  else
    cascade_rtsp_log ("camera %u %s%s%s", cam->index, state_names[state],
        reason ? ": " : "", reason ? reason : "");

  gst_element_post_message (cam->app->pipeline,
      gst_message_new_application (GST_OBJECT (cam->app->pipeline), s));
}

/* rtspsrc: take the video streams only */
static gboolean
select_stream_cb (GstElement * src, guint num, GstCaps * caps, gpointer data)
{
  const GstStructure *s = gst_caps_get_structure (caps, 0);

  return g_strcmp0 (gst_structure_get_string (s, "media"), "video") == 0;
}

/* rtspsrc's RTP pad: the first one into decodebin, any further video
 * stream of the camera into a fakesink */
static void
rtsp_pad_added_cb (GstElement * src, GstPad * pad, gpointer data)
{
  GstElement *dec = data;
  GstPad *sink = gst_element_get_static_pad (dec, "sink");

  if (gst_pad_is_linked (sink)) {
    GstElement *bin = GST_ELEMENT (gst_element_get_parent (src));
    GstElement *fake = gst_element_factory_make ("fakesink", NULL);
    GstPad *fsink;

    g_object_set (fake, "sync", FALSE, "async", FALSE, NULL);
    gst_bin_add (GST_BIN (bin), fake);
    fsink = gst_element_get_static_pad (fake, "sink");
    gst_pad_link (pad, fsink);
    gst_object_unref (fsink);
    gst_element_sync_state_with_parent (fake);
    gst_object_unref (bin);
  } else if (gst_pad_link (pad, sink) != GST_PAD_LINK_OK) {
    GST_WARNING_OBJECT (src, "cannot link %s:%s to decodebin",
        GST_DEBUG_PAD_NAME (pad));
  }
  gst_object_unref (sink);
}

/* decodebin's decoded pad into videoconvert */
static void
decoded_pad_added_cb (GstElement * dec, GstPad * pad, gpointer data)
{
  GstElement *conv = data;
  GstPad *sink = gst_element_get_static_pad (conv, "sink");
  GstCaps *caps = gst_pad_get_current_caps (pad);
  gboolean video;

  if (!caps)
    caps = gst_pad_query_caps (pad, NULL);
  video = caps && gst_caps_get_size (caps) > 0 &&
      g_str_has_prefix (gst_structure_get_name (gst_caps_get_structure (caps,
              0)), "video/x-raw");
  if (video && !gst_pad_is_linked (sink)
      && gst_pad_link (pad, sink) != GST_PAD_LINK_OK)
    GST_WARNING_OBJECT (dec, "cannot link %s:%s to videoconvert",
        GST_DEBUG_PAD_NAME (pad));
  if (caps)
    gst_caps_unref (caps);
  gst_object_unref (sink);
}

static gboolean
source_eos_cb (gpointer data)
{
  SourceRef *ref = data;
  Camera *cam = ref->cam;

  if (ref->generation == cam->generation && cam->source
      && !cam->app->stopping) {
    camera_set_state (cam, CAMERA_STALLED, "end of stream from the source");
    camera_fail (cam, "end of stream");
  }
  return G_SOURCE_REMOVE;
}

/* streaming thread: the source's EOS never reaches the branch; the main
 * loop replaces the source */
static GstPadProbeReturn
source_event_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (GST_EVENT_TYPE (event) != GST_EVENT_EOS)
    return GST_PAD_PROBE_OK;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, source_eos_cb,
      g_memdup2 (data, sizeof (SourceRef)), g_free);
  return GST_PAD_PROBE_DROP;
}

static GstElement *
make_element (const gchar * factory)
{
  GstElement *e = gst_element_factory_make (factory, NULL);

  if (!e)
    cascade_rtsp_log ("no GStreamer element '%s' (gstreamer1.0-plugins-base "
        "/ -good installed?)", factory);
  return e;
}

static GstElement *
camera_make_source (Camera * cam)
{
  gchar *name = g_strdup_printf ("cam%u-source%u", cam->index,
      cam->generation);
  GstElement *bin = gst_bin_new (name);
  GstElement *src = make_element ("rtspsrc");
  GstElement *dec = make_element ("decodebin");
  GstElement *conv = make_element ("videoconvert");
  GstPad *target, *ghost;
  SourceRef ref = { cam, cam->generation };

  g_free (name);
  if (!src || !dec || !conv) {
    gst_object_unref (bin);
    if (src)
      gst_object_unref (src);
    if (dec)
      gst_object_unref (dec);
    if (conv)
      gst_object_unref (conv);
    return NULL;
  }
  /* decodebin's asynchronous preroll stays inside the bin: it must not
   * take the whole (playing) pipeline back to PAUSED */
  g_object_set (bin, "async-handling", TRUE, NULL);
  g_object_set (src, "location", cam->url, "latency", 200, NULL);
  /* checked on a scratch rtspsrc before the pipeline started */
  cascade_rtsp_set_props (G_OBJECT (src), cam->app->rtsp_props, "rtspsrc");

  gst_bin_add_many (GST_BIN (bin), src, dec, conv, NULL);
  g_signal_connect (src, "select-stream", G_CALLBACK (select_stream_cb), NULL);
  g_signal_connect (src, "pad-added", G_CALLBACK (rtsp_pad_added_cb), dec);
  g_signal_connect (dec, "pad-added", G_CALLBACK (decoded_pad_added_cb), conv);

  target = gst_element_get_static_pad (conv, "src");
  ghost = gst_ghost_pad_new ("src", target);
  gst_object_unref (target);
  gst_pad_add_probe (ghost, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
      source_event_probe, g_memdup2 (&ref, sizeof ref), g_free);
  gst_element_add_pad (bin, ghost);

  g_object_set_data (G_OBJECT (bin), CAMERA_DATA, cam);
  g_object_set_data (G_OBJECT (bin), GENERATION_DATA,
      GUINT_TO_POINTER (cam->generation));
  return bin;
}

static void
camera_connect (Camera * cam)
{
  CascadeRtspApp *app = cam->app;
  GstElement *bin;
  GstPad *pad;
  GstPadLinkReturn link;

  cam->generation++;
  bin = camera_make_source (cam);
  if (!bin) {
    app->exit_code = 1;
    g_main_loop_quit (app->loop);
    return;
  }
  gst_bin_add (GST_BIN (app->pipeline), bin);
  pad = gst_element_get_static_pad (bin, "src");
  link = gst_pad_link (pad, cam->branch_pad);
  gst_object_unref (pad);
  cam->source = bin;
  g_atomic_int_set (&cam->new_buffers, 0);
  camera_set_state (cam, CAMERA_CONNECTING, cam->url);

  if (link != GST_PAD_LINK_OK)
    camera_fail (cam, "cannot link the source to the branch");
  else if (!gst_element_sync_state_with_parent (bin))
    camera_fail (cam, "the source does not start");
}

static gboolean
retry_cb (gpointer data)
{
  Camera *cam = data;

  cam->retry_id = 0;
  if (!cam->app->stopping)
    camera_connect (cam);
  return G_SOURCE_REMOVE;
}

static gpointer
teardown_thread (gpointer data)
{
  Teardown *t = data;

  gst_element_set_state (t->bin, GST_STATE_NULL);
  gst_object_unref (t->bin);
  t->bin = NULL;
  g_atomic_int_set (&t->done, 1);
  return NULL;
}

/* joins the teardown threads that are done (all of them when wait) */
void
cascade_rtsp_reap_teardowns (CascadeRtspApp * app, gboolean wait)
{
  guint i = 0;

  while (i < app->teardowns->len) {
    Teardown *t = g_ptr_array_index (app->teardowns, i);

    if (wait || g_atomic_int_get (&t->done)) {
      g_thread_join (t->thread);
      g_free (t);
      g_ptr_array_remove_index_fast (app->teardowns, i);
    } else {
      i++;
    }
  }
}

static void
camera_send_eos (Camera * cam)
{
  if (cam->eos_sent)
    return;
  cam->eos_sent = TRUE;
  gst_pad_send_event (cam->branch_pad, gst_event_new_eos ());
}

typedef struct
{
  Camera *cam;
  GstElement *bin;              /* a ref */
} DetachRef;

static DetachRef *
detach_ref_new (Camera * cam, GstElement * bin)
{
  DetachRef *d = g_new (DetachRef, 1);

  d->cam = cam;
  d->bin = gst_object_ref (bin);
  return d;
}

static void
detach_ref_free (gpointer data)
{
  DetachRef *d = data;

  gst_object_unref (d->bin);
  g_free (d);
}

/* main loop: the unlinked bin out of the pipeline, and to NULL in a thread */
static gboolean
detach_done_cb (gpointer data)
{
  DetachRef *d = data;
  CascadeRtspApp *app = d->cam->app;
  Teardown *t;

  gst_bin_remove (GST_BIN (app->pipeline), d->bin);
  t = g_new0 (Teardown, 1);
  t->bin = gst_object_ref (d->bin);
  t->thread = g_thread_new ("cascade-rtsp-teardown", teardown_thread, t);
  g_ptr_array_add (app->teardowns, t);
  if (app->stopping)
    camera_send_eos (d->cam);
  return G_SOURCE_REMOVE;
}

/* any thread: the source's pad is idle (no buffer or event being pushed):
 * unlink it from the branch */
static GstPadProbeReturn
unlink_probe (GstPad * pad, GstPadProbeInfo * info, gpointer data)
{
  DetachRef *d = data;
  GstPad *peer = gst_pad_get_peer (pad);

  if (peer) {
    gst_pad_unlink (pad, peer);
    gst_object_unref (peer);
  }
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, detach_done_cb,
      detach_ref_new (d->cam, d->bin), detach_ref_free);
  return GST_PAD_PROBE_REMOVE;
}

static void
camera_detach_source (Camera * cam)
{
  GstPad *pad;

  if (!cam->source)
    return;
  pad = gst_element_get_static_pad (cam->source, "src");
  /* runs at once when the pad is idle, else when the current push ends */
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_IDLE, unlink_probe,
      detach_ref_new (cam, cam->source), detach_ref_free);
  gst_object_unref (pad);
  cam->source = NULL;           /* the pipeline's ref goes with the bin */
}

/* the source failed: replace it after the back-off */
void
camera_fail (Camera * cam, const gchar * reason)
{
  CascadeRtspApp *app = cam->app;

  if (app->stopping || cam->state == CAMERA_RECONNECTING)
    return;
  camera_detach_source (cam);
  cam->attempt++;
  if (cam->attempt == 1)
    cam->delay = app->backoff_initial;
  else
    cam->delay = MIN (cam->delay * 2.0, app->backoff_max);
  camera_set_state (cam, CAMERA_RECONNECTING, reason);
  cam->retry_id = g_timeout_add ((guint) (cam->delay * 1000.0), retry_cb, cam);
}

void
camera_start (Camera * cam)
{
  cam->attempt = 0;
  cam->delay = 0.0;
  camera_connect (cam);
}

static gchar *
describe_caps (GstPad * pad)
{
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const GstStructure *s;
  gint w = 0, h = 0, n = 0, d = 1;
  gchar *str;

  if (!caps)
    return g_strdup ("no caps yet");
  s = gst_caps_get_structure (caps, 0);
  gst_structure_get_int (s, "width", &w);
  gst_structure_get_int (s, "height", &h);
  gst_structure_get_fraction (s, "framerate", &n, &d);
  str = g_strdup_printf ("%dx%d %s %d/%d", w, h,
      GST_STR_NULL (gst_structure_get_string (s, "format")), n, d);
  gst_caps_unref (caps);
  return str;
}

/* main loop, every tick: buffers seen since the last one, and the stall
 * and connect timeouts */
void
camera_tick (Camera * cam)
{
  CascadeRtspApp *app = cam->app;
  guint n = (guint) g_atomic_int_and ((guint *) & cam->new_buffers, 0);
  gint64 now = g_get_monotonic_time ();
  gchar *reason;

  if (n > 0) {
    cam->buffers += n;
    cam->last_buffer = now;
    if (cam->state == CAMERA_CONNECTING && cam->source) {
      cam->attempt = 0;
      cam->delay = 0.0;
      reason = describe_caps (cam->branch_pad);
      camera_set_state (cam, CAMERA_STREAMING, reason);
      g_free (reason);
    }
  }
  if (cam->state == CAMERA_STREAMING
      && now - cam->last_buffer > (gint64) (app->stall_timeout * 1e6)) {
    reason = g_strdup_printf ("no buffer for %.1f s", app->stall_timeout);
    camera_set_state (cam, CAMERA_STALLED, reason);
    camera_fail (cam, reason);
    g_free (reason);
  } else if (cam->state == CAMERA_CONNECTING
      && now - cam->state_since > (gint64) (app->connect_timeout * 1e6)) {
    reason = g_strdup_printf ("no picture within %.1f s",
        app->connect_timeout);
    camera_fail (cam, reason);
    g_free (reason);
  }
}

/* whether msg comes from one of cam's source bins; *stale when that bin
 * has been replaced already */
gboolean
camera_owns_message (Camera * cam, GstMessage * msg, gboolean * stale)
{
  GstObject *o = GST_MESSAGE_SRC (msg) ? gst_object_ref (GST_MESSAGE_SRC (msg))
      : NULL;
  gboolean found = FALSE;

  while (o && !found) {
    GstObject *parent;

    if (g_object_get_data (G_OBJECT (o), CAMERA_DATA) == cam) {
      guint gen = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (o),
              GENERATION_DATA));

      *stale = gen != cam->generation || cam->source == NULL;
      found = TRUE;
    }
    parent = gst_object_get_parent (o);
    gst_object_unref (o);
    o = parent;
  }
  if (o)
    gst_object_unref (o);
  return found;
}

/* the application stops: the source off, EOS into the branch */
void
camera_stop (Camera * cam)
{
  if (cam->retry_id) {
    g_source_remove (cam->retry_id);
    cam->retry_id = 0;
  }
  camera_set_state (cam, CAMERA_STOPPED, NULL);
  if (cam->source)
    camera_detach_source (cam);         /* sends the EOS once unlinked */
  else
    camera_send_eos (cam);
}

/* --mqtt HOST[:PORT]: the camera's cascademqttsink, topic
 * cascade/camN/detections unless --mqtt-props sets another */
GstElement *
camera_make_mqtt (Camera * cam)
{
  CascadeRtspApp *app = cam->app;
  GstElement *mqtt = gst_element_factory_make ("cascademqttsink", NULL);
  gchar **hp = g_strsplit (app->mqtt, ":", 2);
  gchar *stream = g_strdup_printf ("cam%u", cam->index);

  if (mqtt) {
    /* like the filesink: no preroll (the source bins come and go) */
    g_object_set (mqtt, "host", hp[0], "stream-name", stream, "async", FALSE,
        NULL);
    if (hp[1])
      g_object_set (mqtt, "port", (guint) atoi (hp[1]), NULL);
    if (!cascade_rtsp_set_props (G_OBJECT (mqtt), app->mqtt_props,
            "cascademqttsink"))
      g_clear_object (&mqtt);
  } else {
    g_printerr ("no cascademqttsink (the plugin was built without "
        "libmosquitto?)\n");
  }
  g_strfreev (hp);
  g_free (stream);
  return mqtt;
}
