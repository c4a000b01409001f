/* gst-cascade: cascademqttsink's properties
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <string.h>

#include "cascademqttprops.h"

#define CFG(field) G_STRUCT_OFFSET (CascadeMqttSettings, client.field)
#define SET(field) G_STRUCT_OFFSET (CascadeMqttSettings, field)

typedef enum
{
  T_STRING, T_UINT, T_INT, T_BOOLEAN, T_UINT64
} PropType;

typedef struct
{
  const gchar *name, *nick, *blurb;
  PropType type;
  glong offset;
  guint64 min, max, def;
  const gchar *sdef;
} PropSpec;

/* Every property can be set in NULL and READY; the sink reads them when it
 * starts.  Documented on the element (SECTION:element-cascademqttsink). */
static const PropSpec props[] = {
  {"host", "Host", "Broker host name or address", T_STRING, CFG (host),
      0, 0, 0, "localhost"},
  {"port", "Port", "Broker port", T_UINT, CFG (port), 1, 65535, 1883},
  {"topic", "Topic", "Topic of the JSON lines; {stream} is replaced by "
        "stream-name", T_STRING, SET (topic), 0, 0, 0,
      "cascade/{stream}/detections"},
  {"stream-name", "Stream name", "What {stream} in the topic stands for "
        "(e.g. a camera name; default: the element's name)", T_STRING,
      SET (stream_name)},
  {"qos", "QoS", "MQTT quality of service: 0 at most once, 1 at least "
        "once, 2 exactly once", T_INT, CFG (qos), 0, 2, 1},
  {"retain", "Retain", "Publish with the retain flag", T_BOOLEAN,
      CFG (retain), 0, 1, FALSE},
  {"client-id", "Client id", "MQTT client id (default: gst-cascade-PID-"
        "NAME)", T_STRING, CFG (client_id)},
  {"clean-session", "Clean session", "Ask the broker for a clean session "
        "(FALSE: the broker keeps this client id's session across "
        "connections)", T_BOOLEAN, CFG (clean_session), 0, 1, TRUE},
  {"keep-alive", "Keep-alive", "MQTT keep-alive interval, s", T_UINT,
      CFG (keep_alive), 5, 65535, 60},
  {"username", "User name", "User name (none: anonymous)", T_STRING,
      CFG (username)},
  {"password", "Password", "Password of username", T_STRING,
      CFG (password)},
  {"tls-ca-file", "TLS CA file", "PEM file of the CA(s) that signed the "
        "broker's certificate; setting it turns TLS on", T_STRING,
      CFG (ca_file)},
  {"tls-cert-file", "TLS certificate file", "PEM client certificate (with "
        "tls-key-file)", T_STRING, CFG (cert_file)},
  {"tls-key-file", "TLS key file", "PEM private key of tls-cert-file",
      T_STRING, CFG (key_file)},
  {"tls-insecure", "TLS insecure", "Do not check that the broker's "
        "certificate names host (the chain is checked still); for tests "
        "only", T_BOOLEAN, CFG (tls_insecure), 0, 1, FALSE},
  {"connect-timeout", "Connect timeout", "An attempt without the broker's "
        "CONNACK within this many ms fails", T_UINT,
      CFG (connect_timeout_ms), 100, G_MAXINT, 10000},
  {"reconnect-delay", "Reconnect delay", "Delay before the first new "
        "attempt after a failure, ms; doubled per failed attempt", T_UINT,
      CFG (reconnect_delay_ms), 1, G_MAXINT, 500},
  {"reconnect-delay-max", "Reconnect delay max", "Longest delay between "
        "attempts, ms", T_UINT, CFG (reconnect_delay_max_ms), 1, G_MAXINT,
      30000},
  {"max-queued", "Max queued", "Messages that wait for the connection at "
        "most; beyond, the oldest are dropped", T_UINT, CFG (max_queued),
      1, G_MAXINT, 1000},
  {"max-queued-bytes", "Max queued bytes", "Payload bytes that wait at "
        "most (0: no byte limit); beyond, the oldest are dropped", T_UINT64,
      CFG (max_queued_bytes), 0, G_MAXINT64, 16 << 20},
  {"max-inflight", "Max in flight", "QoS 1/2 messages sent and not yet "
        "acknowledged at most", T_UINT, CFG (max_inflight), 1, 65535, 20},
  {"retry-at-start", "Retry at start", "When the broker cannot be reached "
        "at start: TRUE start anyway and keep retrying (messages wait in "
        "the queue); FALSE fail the state change with an error", T_BOOLEAN,
      SET (retry_at_start), 0, 1, TRUE},
  {"drain-timeout", "Drain timeout", "At EOS, wait up to this many ms for "
        "the queued messages to be sent and acknowledged", T_UINT,
      SET (drain_timeout_ms), 0, G_MAXINT, 5000},
  {"stats-interval", "Stats interval", "Post a cascade-mqtt-stats element "
        "message every this many ms and at each change of the connection's "
        "state (0: never)", T_UINT, SET (stats_interval_ms), 0, G_MAXINT,
      0},
};

#define FIELD(s, p, type) ((type *) ((guint8 *) (s) + (p)->offset))

void
cascade_mqtt_settings_init (CascadeMqttSettings * s)
{
  guint i;

  memset (s, 0, sizeof (*s));
  for (i = 0; i < G_N_ELEMENTS (props); i++) {
    const PropSpec *p = &props[i];

    switch (p->type) {
      case T_STRING:
        *FIELD (s, p, gchar *) = g_strdup (p->sdef);
        break;
      case T_UINT:
        *FIELD (s, p, guint) = (guint) p->def;
        break;
      case T_INT:
        *FIELD (s, p, gint) = (gint) p->def;
        break;
      case T_BOOLEAN:
        *FIELD (s, p, gboolean) = (gboolean) p->def;
        break;
      case T_UINT64:
        *FIELD (s, p, guint64) = p->def;
        break;
    }
  }
}

void
cascade_mqtt_settings_clear (CascadeMqttSettings * s)
{
  cascade_mqtt_config_clear (&s->client);
  g_free (s->topic);
  g_free (s->stream_name);
  memset (s, 0, sizeof (*s));
}

guint
cascade_mqtt_props_install (GObjectClass * klass, guint first_id)
{
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      GST_PARAM_MUTABLE_READY;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (props); i++) {
    const PropSpec *p = &props[i];
    GParamSpec *spec = NULL;

    switch (p->type) {
      case T_STRING:
        spec = g_param_spec_string (p->name, p->nick, p->blurb, p->sdef,
            flags);
        break;
      case T_UINT:
        spec = g_param_spec_uint (p->name, p->nick, p->blurb, (guint) p->min,
            (guint) p->max, (guint) p->def, flags);
        break;
      case T_INT:
        spec = g_param_spec_int (p->name, p->nick, p->blurb, (gint) p->min,
            (gint) p->max, (gint) p->def, flags);
        break;
      case T_BOOLEAN:
        spec = g_param_spec_boolean (p->name, p->nick, p->blurb,
            (gboolean) p->def, flags);
        break;
      case T_UINT64:
        spec = g_param_spec_uint64 (p->name, p->nick, p->blurb, p->min,
            p->max, p->def, flags);
        break;
    }
    g_object_class_install_property (klass, first_id + i, spec);
  }
  return first_id + G_N_ELEMENTS (props);
}

gboolean
cascade_mqtt_props_set (CascadeMqttSettings * s, guint first_id,
    guint prop_id, const GValue * value)
{
  const PropSpec *p;

  if (prop_id < first_id || prop_id >= first_id + G_N_ELEMENTS (props))
    return FALSE;
  p = &props[prop_id - first_id];
  switch (p->type) {
    case T_STRING:
      g_free (*FIELD (s, p, gchar *));
      *FIELD (s, p, gchar *) = g_value_dup_string (value);
      break;
    case T_UINT:
      *FIELD (s, p, guint) = g_value_get_uint (value);
      break;
    case T_INT:
      *FIELD (s, p, gint) = g_value_get_int (value);
      break;
    case T_BOOLEAN:
      *FIELD (s, p, gboolean) = g_value_get_boolean (value);
      break;
    case T_UINT64:
      *FIELD (s, p, guint64) = g_value_get_uint64 (value);
      break;
  }
  return TRUE;
}

gboolean
cascade_mqtt_props_get (const CascadeMqttSettings * s, guint first_id,
    guint prop_id, GValue * value)
{
  const PropSpec *p;

  if (prop_id < first_id || prop_id >= first_id + G_N_ELEMENTS (props))
    return FALSE;
  p = &props[prop_id - first_id];
  switch (p->type) {
    case T_STRING:
      g_value_set_string (value, *FIELD (s, p, gchar *));
      break;
    case T_UINT:
      g_value_set_uint (value, *FIELD (s, p, guint));
      break;
    case T_INT:
      g_value_set_int (value, *FIELD (s, p, gint));
      break;
    case T_BOOLEAN:
      g_value_set_boolean (value, *FIELD (s, p, gboolean));
      break;
    case T_UINT64:
      g_value_set_uint64 (value, *FIELD (s, p, guint64));
      break;
  }
  return TRUE;
}

void
cascade_mqtt_config_copy (CascadeMqttConfig * dst,
    const CascadeMqttConfig * src)
{
  *dst = *src;
  dst->host = g_strdup (src->host);
  dst->client_id = g_strdup (src->client_id);
  dst->username = g_strdup (src->username);
  dst->password = g_strdup (src->password);
  dst->ca_file = g_strdup (src->ca_file);
  dst->cert_file = g_strdup (src->cert_file);
  dst->key_file = g_strdup (src->key_file);
}

void
cascade_mqtt_config_clear (CascadeMqttConfig * cfg)
{
  g_free (cfg->host);
  g_free (cfg->client_id);
  g_free (cfg->username);
  g_free (cfg->password);
  g_free (cfg->ca_file);
  g_free (cfg->cert_file);
  g_free (cfg->key_file);
  memset (cfg, 0, sizeof (*cfg));
}

gchar *
cascade_mqtt_expand_topic (const gchar * topic, const gchar * stream)
{
  gchar **parts = g_strsplit (topic ? topic : "", "{stream}", -1);
  gchar *out = g_strjoinv (stream, parts);

  g_strfreev (parts);
  return out;
}
