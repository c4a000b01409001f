/* gst-cascade: cascademqttsink's connection: libmosquitto on a thread of
 * its own, with the bounded queue, reconnection with back-off, and the
 * classification of failures
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _CascadeMqttClient CascadeMqttClient;

typedef enum
{
  CASCADE_MQTT_DISCONNECTED,    /* waiting for the next attempt */
  CASCADE_MQTT_CONNECTING,      /* an attempt under way */
  CASCADE_MQTT_CONNECTED,       /* CONNACK accepted */
  CASCADE_MQTT_FAILED,          /* a failure retrying cannot fix */
} CascadeMqttState;

/* what went wrong, for the element's GError code */
typedef enum
{
  CASCADE_MQTT_FAIL_NONE,
  CASCADE_MQTT_FAIL_UNREACHABLE,        /* refused, unreachable, lost,
                                           no CONNACK in time: retried */
  CASCADE_MQTT_FAIL_RESOLVE,    /* host name not resolved: retried */
  CASCADE_MQTT_FAIL_AUTH,       /* CONNACK: bad user name or password,
                                   not authorised: fatal */
  CASCADE_MQTT_FAIL_TLS,        /* handshake, certificate: fatal */
  CASCADE_MQTT_FAIL_PROTOCOL,   /* refused protocol or client id: fatal */
} CascadeMqttFailure;

typedef enum
{
  CASCADE_MQTT_NOTIFY_STATE,    /* the state changed */
  CASCADE_MQTT_NOTIFY_WARNING,  /* the first failed attempt of an outage */
  CASCADE_MQTT_NOTIFY_ERROR,    /* a fatal failure: no more attempts */
} CascadeMqttNotifyKind;

/* Called from the connection's thread, without the client's lock held. */
typedef void (*CascadeMqttNotify) (gpointer user_data,
    CascadeMqttNotifyKind kind, CascadeMqttFailure failure,
    const gchar * text);

typedef struct
{
  gchar *host;
  guint port;
  gchar *client_id;
  guint keep_alive;             /* s */
  gchar *username, *password;
  gchar *ca_file, *cert_file, *key_file;        /* TLS when ca_file */
  gboolean tls_insecure;
  gint qos;
  gboolean retain;
  gboolean clean_session;
  guint connect_timeout_ms;
  guint reconnect_delay_ms, reconnect_delay_max_ms;
  guint max_queued;
  guint64 max_queued_bytes;     /* 0: no limit */
  guint max_inflight;           /* QoS 1/2 messages awaiting their ack */
} CascadeMqttConfig;

void cascade_mqtt_config_copy (CascadeMqttConfig * dst,
    const CascadeMqttConfig * src);
void cascade_mqtt_config_clear (CascadeMqttConfig * cfg);

/* Checks and applies the configuration (TLS files, credentials) and
 * starts the connection's thread, which connects at once.  owner is used
 * for the log only.  FALSE and error on a configuration that cannot work
 * (unreadable TLS files, ...). */
CascadeMqttClient *cascade_mqtt_client_new (const CascadeMqttConfig * cfg,
    GstObject * owner, CascadeMqttNotify notify, gpointer user_data,
    GError ** error);

/* Stops the thread (a clean DISCONNECT when connected) and frees the
 * client; messages still queued are discarded. */
void cascade_mqtt_client_free (CascadeMqttClient * c);

/* Queues one message; never waits for the network.  Returns the number
 * of older messages dropped to make room, or -1 after a fatal failure.
 * When this message began an overflow, *overflow (if not NULL) gets the
 * text of the warning to post (free it). */
gint cascade_mqtt_client_publish (CascadeMqttClient * c, const gchar * topic,
    const guint8 * payload, gsize len, gchar ** overflow);

/* Waits until the first attempt has ended (up to timeout_ms): TRUE when
 * connected; FALSE with *failure and *text (free it) otherwise. */
gboolean cascade_mqtt_client_wait_connected (CascadeMqttClient * c,
    guint timeout_ms, CascadeMqttFailure * failure, gchar ** text);

/* Waits (up to timeout_ms, or until cascade_mqtt_client_unlock) until every
 * queued message has been sent and acknowledged; TRUE when it was. */
gboolean cascade_mqtt_client_drain (CascadeMqttClient * c, guint timeout_ms);
void cascade_mqtt_client_unlock (CascadeMqttClient * c, gboolean unlock);

/* The counters (the element's `stats`); c NULL: zeros, state "stopped". */
GstStructure *cascade_mqtt_client_stats (CascadeMqttClient * c);

G_END_DECLS
