/* gst-cascade: cascademqttsink, JSON lines to an MQTT broker
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

/**
 * SECTION:element-cascademqttsink
 * @title: cascademqttsink
 * @see_also: cascadejson
 *
 * Publishes every line of JSON that reaches it (application/x-ndjson from
 * cascadejson, or any application/x-json, application/json, text/x-json
 * buffer: each non-empty line of a buffer is one message) to an MQTT
 * broker, with libmosquitto.  The topic is #GstCascadeMqttSink:topic with
 * `{stream}` replaced by #GstCascadeMqttSink:stream-name (a camera's
 * name, say; the element's name by default).
 *
 * The streaming thread never waits for the network: it appends to a
 * bounded queue (#GstCascadeMqttSink:max-queued messages,
 * #GstCascadeMqttSink:max-queued-bytes) that a thread of the element
 * empties into the connection.  When the queue is full the oldest
 * messages are dropped and counted, and a warning message is posted once
 * per overflow (until the queue is down to half its limits).  The
 * connection is attempted again after every failure, with a delay of
 * #GstCascadeMqttSink:reconnect-delay doubled per failed attempt up to
 * #GstCascadeMqttSink:reconnect-delay-max; the first failure of an outage
 * posts a warning.  With QoS 1 or 2 a message leaves the element's
 * accounting only when the broker acknowledged it: messages in flight when
 * the connection is lost are sent again after it is back (QoS 1 allows the
 * broker to get them twice), queued ones follow in order.
 *
 * Errors (GST_ELEMENT_ERROR): the broker refusing the credentials
 * (RESOURCE, NOT_AUTHORIZED), a TLS failure (RESOURCE, OPEN_WRITE, with
 * OpenSSL's reason), a refused protocol or client id; these are not
 * retried.  A broker that cannot be reached (refused, no route, no CONNACK
 * within #GstCascadeMqttSink:connect-timeout) or a host name that does not
 * resolve is retried, unless #GstCascadeMqttSink:retry-at-start is FALSE
 * and it happens at start: then the state change fails with RESOURCE,
 * OPEN_WRITE (NOT_FOUND for the name).
 *
 * #GstCascadeMqttSink:stats (read-only) counts sent (QoS 0: written;
 * QoS 1/2: acknowledged), queued, queued-bytes, in-flight, dropped,
 * reconnects (connections established again after a loss),
 * failed-attempts and retry-delay (ms before the next attempt), with the
 * state (disconnected, connecting, connected,
 * failed) and the last error; with #GstCascadeMqttSink:stats-interval the
 * same structure is posted as a `cascade-mqtt-stats` element message.
 *
 * Events (the tracker's zone and line events, or anything else): JSON
 * lines of events that come in the stream (cascadejson's output, or a
 * second cascademqttsink fed with event lines) are published like any
 * line; an application relays other things, such as element messages from
 * the bus, with the action signal #GstCascadeMqttSink::publish (topic,
 * payload), which goes through the same queue and never waits.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 v4l2src ! videoconvert ! cascadedetect ! cascadejson ! \
 *     cascademqttsink host=broker.local topic=cameras/{stream}/detections \
 *     stream-name=door qos=1
 * ]|
 */

#include <string.h>
#include <unistd.h>

#include "gstcascademqttsink.h"
#include "cascademqttclient.h"
#include "cascademqttprops.h"
#include "cascademqttqueue.h"

GST_DEBUG_CATEGORY (gst_cascade_mqtt_sink_debug);
#define GST_CAT_DEFAULT gst_cascade_mqtt_sink_debug

enum
{
  PROP_0,
  PROP_STATS,
  PROP_FIRST_TABLE,             /* cascademqttprops.c's, from here */
};

enum
{
  SIGNAL_PUBLISH,
  LAST_SIGNAL
};

static guint signals[LAST_SIGNAL];

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-ndjson; application/x-json; "
        "application/json; text/x-json"));

struct _GstCascadeMqttSink
{
  GstBaseSink parent;

  /* properties, under the object lock */
  CascadeMqttSettings settings;

  /* < private > */
  GMutex client_lock;           /* client, topic: start/stop against
                                   publish and stats */
  CascadeMqttClient *client;
  gchar *topic;                 /* expanded */
  GstStructure *last_stats;     /* the counters when it stopped */
  gint quiet;                   /* start: its own error, no notifications */
  GstClockID stats_id;
  /* streaming thread: the start of a line whose end is still to come */
  gboolean ndjson;
  GByteArray *carry;
};

#define gst_cascade_mqtt_sink_parent_class parent_class
G_DEFINE_TYPE (GstCascadeMqttSink, gst_cascade_mqtt_sink, GST_TYPE_BASE_SINK);
GST_ELEMENT_REGISTER_DEFINE (cascademqttsink, "cascademqttsink",
    GST_RANK_NONE, GST_TYPE_CASCADE_MQTT_SINK);

static void gst_cascade_mqtt_sink_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_cascade_mqtt_sink_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_cascade_mqtt_sink_finalize (GObject * object);
static gboolean gst_cascade_mqtt_sink_start (GstBaseSink * sink);
static gboolean gst_cascade_mqtt_sink_stop (GstBaseSink * sink);
static gboolean gst_cascade_mqtt_sink_unlock (GstBaseSink * sink);
static gboolean gst_cascade_mqtt_sink_unlock_stop (GstBaseSink * sink);
static gboolean gst_cascade_mqtt_sink_event (GstBaseSink * sink,
    GstEvent * event);
static GstFlowReturn gst_cascade_mqtt_sink_render (GstBaseSink * sink,
    GstBuffer * buffer);
static gboolean gst_cascade_mqtt_sink_set_caps (GstBaseSink * sink,
    GstCaps * caps);
static gboolean publish_line (const guint8 * line, gsize len,
    gpointer data);
static gboolean gst_cascade_mqtt_sink_publish (GstCascadeMqttSink * self,
    const gchar * topic, const gchar * payload);

static void
gst_cascade_mqtt_sink_class_init (GstCascadeMqttSinkClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *sink_class = GST_BASE_SINK_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_cascade_mqtt_sink_debug, "cascademqttsink", 0,
      "cascademqttsink");

  gobject_class->set_property = gst_cascade_mqtt_sink_set_property;
  gobject_class->get_property = gst_cascade_mqtt_sink_get_property;
  gobject_class->finalize = gst_cascade_mqtt_sink_finalize;

  /**
   * GstCascadeMqttSink:stats:
   *
   * The counters since the element started (after it stopped: the last
   * ones): state, sent, queued, queued-bytes, in-flight, dropped,
   * reconnects, failed-attempts, retry-delay (ms), last-error.
   *
   * Since: 0.2
   */
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics",
          "Counters: state, sent, queued, queued-bytes, in-flight, dropped, "
          "reconnects, failed-attempts, retry-delay, last-error",
          GST_TYPE_STRUCTURE,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  cascade_mqtt_props_install (gobject_class, PROP_FIRST_TABLE);

  /**
   * GstCascadeMqttSink::publish:
   * @sink: the sink
   * @topic: (nullable): the topic (`{stream}` replaced); NULL: the
   *   element's topic
   * @payload: the message, a string
   *
   * Queues one message like a line of the stream: the hook for what does
   * not travel in buffers (a tracker's element messages, say).  Never
   * waits for the network.
   *
   * Returns: FALSE when the element is not started or has failed
   *
   * Since: 0.2
   */
  signals[SIGNAL_PUBLISH] = g_signal_new_class_handler ("publish",
      G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_cascade_mqtt_sink_publish), NULL, NULL, NULL,
      G_TYPE_BOOLEAN, 2, G_TYPE_STRING, G_TYPE_STRING);

  gst_element_class_set_static_metadata (element_class,
      "Cascade MQTT sink", "Sink/Network",
      "Publishes JSON lines (cascadejson's detections, events) to an MQTT "
      "broker, with a bounded queue, reconnection and QoS 1/2 redelivery",
      "gst-cascade developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);

  sink_class->start = GST_DEBUG_FUNCPTR (gst_cascade_mqtt_sink_start);
  sink_class->stop = GST_DEBUG_FUNCPTR (gst_cascade_mqtt_sink_stop);
  sink_class->unlock = GST_DEBUG_FUNCPTR (gst_cascade_mqtt_sink_unlock);
  sink_class->unlock_stop =
      GST_DEBUG_FUNCPTR (gst_cascade_mqtt_sink_unlock_stop);
  sink_class->event = GST_DEBUG_FUNCPTR (gst_cascade_mqtt_sink_event);
  sink_class->render = GST_DEBUG_FUNCPTR (gst_cascade_mqtt_sink_render);
  sink_class->set_caps = GST_DEBUG_FUNCPTR (gst_cascade_mqtt_sink_set_caps);
}

static void
gst_cascade_mqtt_sink_init (GstCascadeMqttSink * self)
{
  cascade_mqtt_settings_init (&self->settings);
  g_mutex_init (&self->client_lock);
  self->carry = g_byte_array_new ();
  self->ndjson = TRUE;
  /* results go out when they are made, not at their running time */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}

static void
gst_cascade_mqtt_sink_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (object);
  gboolean ok;

  GST_OBJECT_LOCK (self);
  ok = cascade_mqtt_props_set (&self->settings, PROP_FIRST_TABLE, prop_id,
      value);
  GST_OBJECT_UNLOCK (self);
  if (!ok)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static GstStructure *
stats_structure (GstCascadeMqttSink * self)
{
  GstStructure *s = NULL;

  g_mutex_lock (&self->client_lock);
  if (self->client)
    s = cascade_mqtt_client_stats (self->client);
  else if (self->last_stats)
    s = gst_structure_copy (self->last_stats);
  g_mutex_unlock (&self->client_lock);
  if (!s)
    s = cascade_mqtt_client_stats (NULL);
  return s;
}

static void
gst_cascade_mqtt_sink_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (object);
  gboolean ok;

  if (prop_id == PROP_STATS) {
    g_value_take_boxed (value, stats_structure (self));
    return;
  }
  GST_OBJECT_LOCK (self);
  ok = cascade_mqtt_props_get (&self->settings, PROP_FIRST_TABLE, prop_id,
      value);
  GST_OBJECT_UNLOCK (self);
  if (!ok)
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_cascade_mqtt_sink_finalize (GObject * object)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (object);

  cascade_mqtt_settings_clear (&self->settings);
  if (self->last_stats)
    gst_structure_free (self->last_stats);
  g_mutex_clear (&self->client_lock);
  g_byte_array_unref (self->carry);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
post_stats (GstCascadeMqttSink * self)
{
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), stats_structure (self)));
}

/* the connection's thread */
static void
client_notify (gpointer data, CascadeMqttNotifyKind kind,
    CascadeMqttFailure failure, const gchar * text)
{
  GstCascadeMqttSink *self = data;
  gboolean stats;

  if (g_atomic_int_get (&self->quiet))
    return;
  switch (kind) {
    case CASCADE_MQTT_NOTIFY_WARNING:
      GST_ELEMENT_WARNING (self, RESOURCE, OPEN_WRITE,
          ("MQTT broker unavailable: %s", text),
          ("retrying with back-off; messages are queued"));
      break;
    case CASCADE_MQTT_NOTIFY_ERROR:
      if (failure == CASCADE_MQTT_FAIL_AUTH)
        GST_ELEMENT_ERROR (self, RESOURCE, NOT_AUTHORIZED,
            ("MQTT authentication refused: %s", text), (NULL));
      else
        GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
            ("MQTT connection failed: %s", text), ("not retried"));
      break;
    case CASCADE_MQTT_NOTIFY_STATE:
      GST_OBJECT_LOCK (self);
      stats = self->settings.stats_interval_ms > 0;
      GST_OBJECT_UNLOCK (self);
      if (stats)
        post_stats (self);
      break;
  }
}

static gboolean
stats_tick (GstClock * clock, GstClockTime t, GstClockID id, gpointer data)
{
  post_stats (GST_CASCADE_MQTT_SINK (data));
  return TRUE;
}

static void
start_error (GstCascadeMqttSink * self, CascadeMqttFailure failure,
    const gchar * text)
{
  if (failure == CASCADE_MQTT_FAIL_AUTH)
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_AUTHORIZED,
        ("MQTT authentication refused: %s", text), (NULL));
  else if (failure == CASCADE_MQTT_FAIL_RESOLVE)
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("MQTT broker not found: %s", text), ("retry-at-start is FALSE"));
  else
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("MQTT broker unavailable at start: %s", text),
        ("retry-at-start is FALSE"));
}

static gboolean
gst_cascade_mqtt_sink_start (GstBaseSink * sink)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (sink);
  CascadeMqttSettings *s = &self->settings;
  CascadeMqttConfig cfg;
  CascadeMqttClient *client;
  CascadeMqttFailure failure = CASCADE_MQTT_FAIL_NONE;
  GError *err = NULL;
  gchar *name = gst_object_get_name (GST_OBJECT (self)), *topic, *text = NULL;
  gboolean retry;
  guint interval;

  GST_OBJECT_LOCK (self);
  cfg = s->client;              /* the strings stay the settings' */
  if (!cfg.client_id)
    cfg.client_id = g_strdup_printf ("gst-cascade-%d-%s", (gint) getpid (),
        name);
  else
    cfg.client_id = g_strdup (cfg.client_id);
  topic = cascade_mqtt_expand_topic (s->topic, s->stream_name ?
      s->stream_name : name);
  retry = s->retry_at_start;
  interval = s->stats_interval_ms;
  g_atomic_int_set (&self->quiet, !retry);
  client = cascade_mqtt_client_new (&cfg, GST_OBJECT (self), client_notify,
      self, &err);
  GST_OBJECT_UNLOCK (self);
  g_free (cfg.client_id);
  g_free (name);

  if (!client) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
        (NULL));
    g_error_free (err);
    g_free (topic);
    return FALSE;
  }
  if (!retry && !cascade_mqtt_client_wait_connected (client,
          cfg.connect_timeout_ms + 1000, &failure, &text)) {
    start_error (self, failure, text);
    cascade_mqtt_client_free (client);
    g_free (text);
    g_free (topic);
    return FALSE;
  }
  g_atomic_int_set (&self->quiet, FALSE);
  GST_INFO_OBJECT (self, "publishing to %s on %s:%u", topic, cfg.host,
      cfg.port);

  g_mutex_lock (&self->client_lock);
  self->client = client;
  self->topic = topic;
  g_clear_pointer (&self->last_stats, gst_structure_free);
  g_mutex_unlock (&self->client_lock);

  if (interval > 0) {
    GstClock *clock = gst_system_clock_obtain ();

    self->stats_id = gst_clock_new_periodic_id (clock,
        gst_clock_get_time (clock) + interval * GST_MSECOND,
        interval * GST_MSECOND);
    gst_clock_id_wait_async (self->stats_id, stats_tick,
        gst_object_ref (self), gst_object_unref);
    gst_object_unref (clock);
  }
  return TRUE;
}

static gboolean
gst_cascade_mqtt_sink_stop (GstBaseSink * sink)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (sink);
  CascadeMqttClient *client;

  if (self->stats_id) {
    gst_clock_id_unschedule (self->stats_id);
    gst_clock_id_unref (self->stats_id);
    self->stats_id = NULL;
  }
  g_byte_array_set_size (self->carry, 0);
  g_mutex_lock (&self->client_lock);
  client = self->client;
  self->client = NULL;
  g_clear_pointer (&self->topic, g_free);
  if (client) {
    g_clear_pointer (&self->last_stats, gst_structure_free);
    self->last_stats = cascade_mqtt_client_stats (client);
  }
  g_mutex_unlock (&self->client_lock);
  if (client)
    cascade_mqtt_client_free (client);
  return TRUE;
}

static gboolean
gst_cascade_mqtt_sink_unlock (GstBaseSink * sink)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (sink);

  g_mutex_lock (&self->client_lock);
  if (self->client)
    cascade_mqtt_client_unlock (self->client, TRUE);
  g_mutex_unlock (&self->client_lock);
  return TRUE;
}

static gboolean
gst_cascade_mqtt_sink_unlock_stop (GstBaseSink * sink)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (sink);

  g_mutex_lock (&self->client_lock);
  if (self->client)
    cascade_mqtt_client_unlock (self->client, FALSE);
  g_mutex_unlock (&self->client_lock);
  return TRUE;
}

/* at EOS: what is queued goes out before the EOS message, within
 * drain-timeout (the streaming thread waits here, and only here) */
static gboolean
gst_cascade_mqtt_sink_event (GstBaseSink * sink, GstEvent * event)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (sink);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS) {
    guint timeout;

    /* a last line without its newline */
    if (self->client)
      cascade_mqtt_split_lines (self->carry, TRUE, NULL, 0, publish_line,
          self);

    GST_OBJECT_LOCK (self);
    timeout = self->settings.drain_timeout_ms;
    GST_OBJECT_UNLOCK (self);
    /* start and stop run under the state lock, not against this */
    if (self->client && timeout > 0
        && !cascade_mqtt_client_drain (self->client, timeout)) {
      GstStructure *s = cascade_mqtt_client_stats (self->client);
      guint queued = 0, inflight = 0;

      gst_structure_get_uint (s, "queued", &queued);
      gst_structure_get_uint (s, "in-flight", &inflight);
      GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
          ("EOS: %u messages still queued and %u in flight after "
              "drain-timeout (%u ms)", queued, inflight, timeout), (NULL));
      gst_structure_free (s);
    }
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (sink, event);
}

/* the warning of an overflow that began (once per overflow) */
static void
post_overflow (GstCascadeMqttSink * self, gchar * text)
{
  if (!text)
    return;
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE, ("%s", text), (NULL));
  g_free (text);
}

/* a line of the stream into the queue; FALSE after a fatal failure */
static gboolean
publish_line (const guint8 * line, gsize len, gpointer data)
{
  GstCascadeMqttSink *self = data;
  gchar *overflow = NULL;
  gint ret = cascade_mqtt_client_publish (self->client, self->topic, line,
      len, &overflow);

  post_overflow (self, overflow);
  return ret >= 0;
}

static gboolean
gst_cascade_mqtt_sink_set_caps (GstBaseSink * sink, GstCaps * caps)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (sink);

  self->ndjson = gst_structure_has_name (gst_caps_get_structure (caps, 0),
      "application/x-ndjson");
  return TRUE;
}

static GstFlowReturn
gst_cascade_mqtt_sink_render (GstBaseSink * sink, GstBuffer * buffer)
{
  GstCascadeMqttSink *self = GST_CASCADE_MQTT_SINK (sink);
  GstMapInfo map;
  gboolean ok;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL),
        ("cannot map the buffer"));
    return GST_FLOW_ERROR;
  }
  /* the client lives from start to stop, which never run during render;
   * application/x-ndjson lets a line span buffers (as filesrc cuts them) */
  ok = cascade_mqtt_split_lines (self->carry, self->ndjson, map.data,
      map.size, publish_line, self);
  gst_buffer_unmap (buffer, &map);
  if (!ok) {
    GST_DEBUG_OBJECT (self, "the connection failed (error posted)");
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

static gboolean
gst_cascade_mqtt_sink_publish (GstCascadeMqttSink * self, const gchar * topic,
    const gchar * payload)
{
  gchar *expanded = NULL, *name, *overflow = NULL;
  gint ret = -1;

  if (!payload)
    return FALSE;
  if (topic) {
    GST_OBJECT_LOCK (self);
    name = g_strdup (self->settings.stream_name ?
        self->settings.stream_name : GST_OBJECT_NAME (self));
    GST_OBJECT_UNLOCK (self);
    expanded = cascade_mqtt_expand_topic (topic, name);
    g_free (name);
  }
  g_mutex_lock (&self->client_lock);
  if (self->client)
    ret = cascade_mqtt_client_publish (self->client,
        expanded ? expanded : self->topic, (const guint8 *) payload,
        strlen (payload), &overflow);
  g_mutex_unlock (&self->client_lock);
  post_overflow (self, overflow);
  g_free (expanded);
  return ret >= 0;
}
