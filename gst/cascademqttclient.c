/* gst-cascade: cascademqttsink's connection
 *
 * One thread per client owns the libmosquitto handle: it connects
 * (mosquitto_connect_async: name resolution and the TCP/TLS handshake
 * never run on a streaming thread), waits in poll() on the broker's socket
 * and an eventfd that a publisher writes to, runs mosquitto_loop() without
 * waiting, and hands queued messages to libmosquitto.  The publisher only
 * takes the lock, appends to the bounded queue and wakes the thread.
 *
 * Delivery: a message leaves the queue when libmosquitto takes it; with
 * QoS 1/2 at most max_inflight messages are taken before their
 * acknowledgements (on_publish) come.  Those stay in libmosquitto's own
 * session state when the connection is lost, and libmosquitto sends them
 * again (DUP) after the next CONNACK, so that nothing queued or in flight
 * is lost across broker restarts; the copy's acknowledgement counts it
 * sent, once.  Nothing is taken while libmosquitto has bytes to write.
 *
 * Reconnection: reconnect_delay_ms doubled per failed attempt up to
 * reconnect_delay_max_ms, reset by a CONNACK; no CONNACK within
 * connect_timeout_ms fails an attempt.
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include <mosquitto.h>

#include "cascademqttclient.h"
#include "cascademqttqueue.h"

GST_DEBUG_CATEGORY_EXTERN (gst_cascade_mqtt_sink_debug);
#define GST_CAT_DEFAULT gst_cascade_mqtt_sink_debug

#define POLL_MS 1000            /* the longest poll: keep-alive, timeout */

struct _CascadeMqttClient
{
  CascadeMqttConfig cfg;
  GstObject *owner;             /* for the log; not a ref */
  CascadeMqttNotify notify;
  gpointer user_data;
  struct mosquitto *mosq;
  GThread *thread;
  gint wake_fd;

  GMutex lock;
  GCond cond;
  /* under the lock */
  CascadeMqttQueue queue;
  CascadeMqttState state;
  gboolean stopping, unlocked;
  gboolean attempted;           /* the first attempt has ended */
  guint64 reconnects, failures;
  guint retry_delay_ms;         /* before the next attempt; 0: connected */
  gboolean ever_connected;
  CascadeMqttFailure last_failure;
  gchar *last_error;

  /* the thread only */
  GHashTable *inflight;         /* mids awaiting their acknowledgement */
  guint attempt;                /* failed attempts since the last CONNACK */
  gint64 next_attempt, attempt_started;
  gint connack;                 /* -1: none in this attempt */
  gboolean lost;
  gchar *log_error;             /* libmosquitto's last error line */
};

static const gchar *const state_names[] = {
  "disconnected", "connecting", "connected", "failed"
};

static void
wake (CascadeMqttClient * c)
{
  guint64 one = 1;

  if (write (c->wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
    GST_WARNING_OBJECT (c->owner, "eventfd: %s", g_strerror (errno));
}

/* ---- libmosquitto's callbacks (the thread, inside mosquitto_loop) ---- */

static void
on_log (struct mosquitto *mosq, void *data, int level, const char *str)
{
  CascadeMqttClient *c = data;

  if (level & MOSQ_LOG_ERR) {
    g_free (c->log_error);
    c->log_error = g_strdup (str);
  }
  GST_CAT_LEVEL_LOG (GST_CAT_DEFAULT, (level & MOSQ_LOG_ERR) ?
      GST_LEVEL_WARNING : (level & (MOSQ_LOG_WARNING | MOSQ_LOG_NOTICE)) ?
      GST_LEVEL_INFO : GST_LEVEL_DEBUG, c->owner, "libmosquitto: %s", str);
}

static void
on_connect (struct mosquitto *mosq, void *data, int rc)
{
  ((CascadeMqttClient *) data)->connack = rc;
}

static void
on_disconnect (struct mosquitto *mosq, void *data, int rc)
{
  ((CascadeMqttClient *) data)->lost = TRUE;
}

static void
on_publish (struct mosquitto *mosq, void *data, int mid)
{
  CascadeMqttClient *c = data;

  if (!g_hash_table_remove (c->inflight, GINT_TO_POINTER (mid)))
    return;
  g_mutex_lock (&c->lock);
  c->queue.inflight--;
  c->queue.sent++;
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
}

/* ---- state changes (the thread) ---- */

static void
set_state (CascadeMqttClient * c, CascadeMqttState state,
    CascadeMqttNotifyKind kind, CascadeMqttFailure failure, gchar * text)
{
  g_mutex_lock (&c->lock);
  c->state = state;
  if (failure != CASCADE_MQTT_FAIL_NONE) {
    c->last_failure = failure;
    g_free (c->last_error);
    c->last_error = g_strdup (text);
  }
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
  if (kind != CASCADE_MQTT_NOTIFY_STATE)
    c->notify (c->user_data, kind, failure, text);
  c->notify (c->user_data, CASCADE_MQTT_NOTIFY_STATE, failure, text);
  g_free (text);
}

#define describe(c, what) \
  g_strdup_printf ("%s (%s:%u)", (what), (c)->cfg.host, (c)->cfg.port)

/* classifies a failed attempt or a lost connection (rc: libmosquitto's,
 * err: errno when rc is MOSQ_ERR_ERRNO) */
static void
fail (CascadeMqttClient * c, int rc, int err)
{
  CascadeMqttFailure f = CASCADE_MQTT_FAIL_UNREACHABLE;
  gboolean was_connected = c->connack == 0;
  gchar *text;
  guint64 delay;

  if (c->connack > 0) {
    f = (c->connack == 4 || c->connack == 5) ? CASCADE_MQTT_FAIL_AUTH :
        c->connack == 3 ? CASCADE_MQTT_FAIL_UNREACHABLE :
        CASCADE_MQTT_FAIL_PROTOCOL;
    text = g_strdup_printf ("the broker refused the connection: %s",
        mosquitto_connack_string (c->connack));
  } else if (rc == MOSQ_ERR_TLS || rc == MOSQ_ERR_TLS_HANDSHAKE
      || (c->log_error && strstr (c->log_error, "OpenSSL Error"))) {
    /* 2.0.11: MOSQ_ERR_TLS; 2.0.21: lost in the handshake, OpenSSL logged */
    f = CASCADE_MQTT_FAIL_TLS;
    text = g_strdup_printf ("TLS failure: %s",
        c->log_error ? c->log_error : "handshake failed");
  } else if (rc == MOSQ_ERR_EAI) {
    f = CASCADE_MQTT_FAIL_RESOLVE;
    text = g_strdup_printf ("cannot resolve the host name '%s'", c->cfg.host);
  } else if (rc == MOSQ_ERR_AUTH) {
    f = CASCADE_MQTT_FAIL_AUTH;
    text = g_strdup ("the broker refused the credentials");
  } else if (rc == MOSQ_ERR_PROTOCOL || rc == MOSQ_ERR_INVAL
      || rc == MOSQ_ERR_NOT_SUPPORTED) {
    f = CASCADE_MQTT_FAIL_PROTOCOL;
    text = g_strdup (mosquitto_strerror (rc));
  } else if (rc == MOSQ_ERR_ERRNO && err) {
    text = g_strdup_printf ("cannot reach the broker: %s", g_strerror (err));
  } else if (rc == -1) {
    text = g_strdup_printf ("no CONNACK within %u ms",
        c->cfg.connect_timeout_ms);
  } else {
    text = g_strdup_printf ("%s: %s", was_connected ? "connection lost" :
        "cannot reach the broker", mosquitto_strerror (rc));
  }
  c->connack = -1;
  c->lost = FALSE;
  g_clear_pointer (&c->log_error, g_free);

  if (f == CASCADE_MQTT_FAIL_AUTH || f == CASCADE_MQTT_FAIL_TLS
      || f == CASCADE_MQTT_FAIL_PROTOCOL) {
    GST_ERROR_OBJECT (c->owner, "%s", text);
    set_state (c, CASCADE_MQTT_FAILED, CASCADE_MQTT_NOTIFY_ERROR, f,
        describe (c, text));
    g_free (text);
    return;
  }

  c->attempt++;
  delay = (guint64) c->cfg.reconnect_delay_ms << MIN (c->attempt - 1, 20);
  delay = MIN (delay, c->cfg.reconnect_delay_max_ms);
  c->next_attempt = g_get_monotonic_time () + (gint64) delay * 1000;
  GST_INFO_OBJECT (c->owner, "%s: attempt %u in %" G_GUINT64_FORMAT " ms",
      text, c->attempt, delay);
  g_mutex_lock (&c->lock);
  c->failures++;
  c->retry_delay_ms = (guint) delay;
  c->attempted = TRUE;
  g_mutex_unlock (&c->lock);
  set_state (c, CASCADE_MQTT_DISCONNECTED, c->attempt == 1 ?
      CASCADE_MQTT_NOTIFY_WARNING : CASCADE_MQTT_NOTIFY_STATE, f,
      describe (c, text));
  g_free (text);
}

static void
start_attempt (CascadeMqttClient * c)
{
  gboolean first;
  int rc;

  g_mutex_lock (&c->lock);
  first = !c->attempted && !c->ever_connected && c->failures == 0;
  c->state = CASCADE_MQTT_CONNECTING;
  g_mutex_unlock (&c->lock);

  c->connack = -1;
  c->lost = FALSE;
  c->attempt_started = g_get_monotonic_time ();
  errno = 0;
  if (first)
    rc = mosquitto_connect_async (c->mosq, c->cfg.host, (int) c->cfg.port,
        (int) c->cfg.keep_alive);
  else
    rc = mosquitto_reconnect_async (c->mosq);
  if (rc != MOSQ_ERR_SUCCESS)
    fail (c, rc, errno);
  else
    GST_DEBUG_OBJECT (c->owner, "connecting to %s:%u", c->cfg.host,
        c->cfg.port);
}

static void
connected (CascadeMqttClient * c)
{
  gboolean again;

  g_mutex_lock (&c->lock);
  again = c->ever_connected;
  if (again)
    c->reconnects++;
  c->ever_connected = TRUE;
  c->attempted = TRUE;
  c->retry_delay_ms = 0;
  g_mutex_unlock (&c->lock);
  c->attempt = 0;
  GST_INFO_OBJECT (c->owner, "connected to %s:%u%s", c->cfg.host,
      c->cfg.port, again ? " again" : "");
  set_state (c, CASCADE_MQTT_CONNECTED, CASCADE_MQTT_NOTIFY_STATE,
      CASCADE_MQTT_FAIL_NONE, NULL);
}

/* hands queued messages to libmosquitto while it has nothing left to
 * write and the in-flight window has room */
static void
pump (CascadeMqttClient * c)
{
  gint qos = c->cfg.qos;

  g_mutex_lock (&c->lock);
  while (!mosquitto_want_write (c->mosq)
      && (qos == 0 || c->queue.inflight < c->cfg.max_inflight)) {
    CascadeMqttMsg *msg = cascade_mqtt_queue_pop (&c->queue);
    int mid = 0, rc;

    if (!msg)
      break;
    g_cond_broadcast (&c->cond);
    g_mutex_unlock (&c->lock);
    rc = mosquitto_publish (c->mosq, &mid, msg->topic, (int) msg->len,
        msg->payload, qos, c->cfg.retain);
    if (rc == MOSQ_ERR_SUCCESS && qos > 0)
      g_hash_table_add (c->inflight, GINT_TO_POINTER (mid));
    g_mutex_lock (&c->lock);
    if (rc != MOSQ_ERR_SUCCESS) {
      GST_DEBUG_OBJECT (c->owner, "publish: %s", mosquitto_strerror (rc));
      cascade_mqtt_queue_push_front (&c->queue, msg);
      break;
    }
    if (qos > 0)
      c->queue.inflight++;
    else
      c->queue.sent++;
    cascade_mqtt_msg_free (msg);
  }
  g_mutex_unlock (&c->lock);
}

/* one wait on the socket (or a wake-up) and one mosquitto_loop */
static void
run_once (CascadeMqttClient * c, CascadeMqttState state)
{
  struct pollfd fds[2];
  gint timeout = POLL_MS;
  gint64 now;
  guint64 count;
  int rc, err;

  fds[0].fd = mosquitto_socket (c->mosq);
  fds[0].events = POLLIN | (mosquitto_want_write (c->mosq) ? POLLOUT : 0);
  fds[1].fd = c->wake_fd;
  fds[1].events = POLLIN;
  if (state == CASCADE_MQTT_CONNECTING) {
    gint64 left = c->attempt_started + (gint64) c->cfg.connect_timeout_ms * 1000 -
        g_get_monotonic_time ();
    timeout = (gint) CLAMP (left / 1000 + 1, 0, POLL_MS);
  }
  if (fds[0].fd < 0) {
    fail (c, MOSQ_ERR_NO_CONN, 0);
    return;
  }
  if (poll (fds, 2, timeout) < 0 && errno != EINTR)
    GST_WARNING_OBJECT (c->owner, "poll: %s", g_strerror (errno));
  if (fds[1].revents & POLLIN) {
    if (read (c->wake_fd, &count, sizeof count) < 0)
      GST_LOG_OBJECT (c->owner, "eventfd: %s", g_strerror (errno));
  }

  errno = 0;
  rc = mosquitto_loop (c->mosq, 0, 1);
  err = errno;
  if (state == CASCADE_MQTT_CONNECTING && c->connack == 0 && !c->lost) {
    connected (c);
    state = CASCADE_MQTT_CONNECTED;
  }
  if (c->connack > 0 || c->lost || rc != MOSQ_ERR_SUCCESS) {
    fail (c, rc == MOSQ_ERR_SUCCESS ? MOSQ_ERR_CONN_LOST : rc, err);
    return;
  }
  now = g_get_monotonic_time ();
  if (state == CASCADE_MQTT_CONNECTING &&
      now - c->attempt_started >= (gint64) c->cfg.connect_timeout_ms * 1000) {
    mosquitto_disconnect (c->mosq);
    fail (c, -1, 0);
    return;
  }
  if (state == CASCADE_MQTT_CONNECTED)
    pump (c);
}

static gpointer
client_thread (gpointer data)
{
  CascadeMqttClient *c = data;

  g_mutex_lock (&c->lock);
  while (!c->stopping && c->state != CASCADE_MQTT_FAILED) {
    CascadeMqttState state = c->state;

    if (state == CASCADE_MQTT_DISCONNECTED
        && g_get_monotonic_time () < c->next_attempt) {
      g_cond_wait_until (&c->cond, &c->lock, c->next_attempt);
      continue;
    }
    g_mutex_unlock (&c->lock);
    if (state == CASCADE_MQTT_DISCONNECTED)
      start_attempt (c);
    else
      run_once (c, state);
    g_mutex_lock (&c->lock);
  }
  if (c->state == CASCADE_MQTT_CONNECTED) {
    g_mutex_unlock (&c->lock);
    /* a clean DISCONNECT: the broker discards no will, nothing lingers */
    if (mosquitto_disconnect (c->mosq) == MOSQ_ERR_SUCCESS)
      mosquitto_loop (c->mosq, 100, 1);
    g_mutex_lock (&c->lock);
  }
  g_mutex_unlock (&c->lock);
  return NULL;
}

static gboolean
client_configure (CascadeMqttClient * c, GError ** error)
{
  const CascadeMqttConfig *cfg = &c->cfg;
  int rc = MOSQ_ERR_SUCCESS;
  const gchar *what = NULL;

  mosquitto_log_callback_set (c->mosq, on_log);
  mosquitto_connect_callback_set (c->mosq, on_connect);
  mosquitto_disconnect_callback_set (c->mosq, on_disconnect);
  mosquitto_publish_callback_set (c->mosq, on_publish);
  mosquitto_int_option (c->mosq, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_max_inflight_messages_set (c->mosq, cfg->max_inflight);
  if (cfg->username) {
    rc = mosquitto_username_pw_set (c->mosq, cfg->username, cfg->password);
    what = "user name and password";
  }
  if (rc == MOSQ_ERR_SUCCESS && cfg->ca_file) {
    rc = mosquitto_tls_set (c->mosq, cfg->ca_file, NULL, cfg->cert_file,
        cfg->key_file, NULL);
    what = "TLS files (tls-ca-file, tls-cert-file, tls-key-file: readable? "
        "both or neither of cert and key?)";
    if (rc == MOSQ_ERR_SUCCESS)
      rc = mosquitto_tls_insecure_set (c->mosq, cfg->tls_insecure);
  } else if (rc == MOSQ_ERR_SUCCESS && (cfg->cert_file || cfg->key_file)) {
    rc = MOSQ_ERR_INVAL;
    what = "TLS client certificate without tls-ca-file";
  }
  if (rc != MOSQ_ERR_SUCCESS) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "invalid %s: %s", what, mosquitto_strerror (rc));
    return FALSE;
  }
  return TRUE;
}

CascadeMqttClient *
cascade_mqtt_client_new (const CascadeMqttConfig * cfg, GstObject * owner,
    CascadeMqttNotify notify, gpointer user_data, GError ** error)
{
  static gsize init = 0;
  CascadeMqttClient *c;

  if (g_once_init_enter (&init)) {
    mosquitto_lib_init ();
    g_once_init_leave (&init, 1);
  }
  c = g_new0 (CascadeMqttClient, 1);
  cascade_mqtt_config_copy (&c->cfg, cfg);
  c->owner = owner;
  c->notify = notify;
  c->user_data = user_data;
  c->connack = -1;
  c->state = CASCADE_MQTT_DISCONNECTED;
  g_mutex_init (&c->lock);
  g_cond_init (&c->cond);
  cascade_mqtt_queue_init (&c->queue, cfg->max_queued,
      (gsize) cfg->max_queued_bytes);
  c->inflight = g_hash_table_new (NULL, NULL);
  c->wake_fd = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC);
  c->mosq = mosquitto_new (cfg->client_id, cfg->clean_session, c);
  if (c->wake_fd < 0 || !c->mosq) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
        "cannot create the MQTT client: %s", g_strerror (errno));
    cascade_mqtt_client_free (c);
    return NULL;
  }
  if (!client_configure (c, error)) {
    cascade_mqtt_client_free (c);
    return NULL;
  }
  c->thread = g_thread_new ("cascademqtt", client_thread, c);
  return c;
}

void
cascade_mqtt_client_free (CascadeMqttClient * c)
{
  if (c->thread) {
    g_mutex_lock (&c->lock);
    c->stopping = TRUE;
    g_cond_broadcast (&c->cond);
    g_mutex_unlock (&c->lock);
    wake (c);
    g_thread_join (c->thread);
  }
  if (c->mosq)
    mosquitto_destroy (c->mosq);
  if (c->wake_fd >= 0)
    close (c->wake_fd);
  cascade_mqtt_queue_clear (&c->queue);
  g_hash_table_unref (c->inflight);
  g_mutex_clear (&c->lock);
  g_cond_clear (&c->cond);
  g_free (c->last_error);
  g_free (c->log_error);
  cascade_mqtt_config_clear (&c->cfg);
  g_free (c);
}

gint
cascade_mqtt_client_publish (CascadeMqttClient * c, const gchar * topic,
    const guint8 * payload, gsize len, gchar ** overflow)
{
  CascadeMqttMsg *msg = cascade_mqtt_msg_new (topic, payload, len);
  gboolean first_drop = FALSE, connected;
  guint dropped;
  guint64 total = 0;

  g_mutex_lock (&c->lock);
  if (c->state == CASCADE_MQTT_FAILED) {
    g_mutex_unlock (&c->lock);
    cascade_mqtt_msg_free (msg);
    return -1;
  }
  dropped = cascade_mqtt_queue_push (&c->queue, msg, &first_drop);
  total = c->queue.dropped;
  connected = c->state == CASCADE_MQTT_CONNECTED;
  g_mutex_unlock (&c->lock);
  if (connected)
    wake (c);
  if (first_drop && overflow)
    *overflow = g_strdup_printf ("the outgoing queue is full (max-queued "
        "%u messages, max-queued-bytes %" G_GUINT64_FORMAT "): dropping the "
        "oldest messages, %" G_GUINT64_FORMAT " dropped so far",
        c->cfg.max_queued, c->cfg.max_queued_bytes, total);
  return (gint) dropped;
}

gboolean
cascade_mqtt_client_wait_connected (CascadeMqttClient * c, guint timeout_ms,
    CascadeMqttFailure * failure, gchar ** text)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean ok;

  g_mutex_lock (&c->lock);
  while (!c->attempted && c->state != CASCADE_MQTT_FAILED
      && g_cond_wait_until (&c->cond, &c->lock, deadline));
  ok = c->state == CASCADE_MQTT_CONNECTED;
  if (!ok) {
    *failure = c->last_failure ? c->last_failure :
        CASCADE_MQTT_FAIL_UNREACHABLE;
    *text = g_strdup (c->last_error ? c->last_error :
        "no answer from the broker");
  }
  g_mutex_unlock (&c->lock);
  return ok;
}

gboolean
cascade_mqtt_client_drain (CascadeMqttClient * c, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  gboolean empty;

  g_mutex_lock (&c->lock);
  while (!(empty = cascade_mqtt_queue_length (&c->queue) == 0
          && c->queue.inflight == 0) && !c->unlocked
      && c->state != CASCADE_MQTT_FAILED
      && g_cond_wait_until (&c->cond, &c->lock, deadline));
  g_mutex_unlock (&c->lock);
  return empty;
}

void
cascade_mqtt_client_unlock (CascadeMqttClient * c, gboolean unlock)
{
  g_mutex_lock (&c->lock);
  c->unlocked = unlock;
  g_cond_broadcast (&c->cond);
  g_mutex_unlock (&c->lock);
}

static GstStructure *
stats_new (const gchar * state, const CascadeMqttQueue * q, guint64 reconnects,
    guint64 failures, guint retry_delay_ms, const gchar * error)
{
  return gst_structure_new ("cascade-mqtt-stats",
      "state", G_TYPE_STRING, state,
      "sent", G_TYPE_UINT64, q->sent,
      "queued", G_TYPE_UINT, cascade_mqtt_queue_length (q),
      "queued-bytes", G_TYPE_UINT64, (guint64) q->bytes,
      "in-flight", G_TYPE_UINT, q->inflight,
      "dropped", G_TYPE_UINT64, q->dropped,
      "reconnects", G_TYPE_UINT64, reconnects,
      "failed-attempts", G_TYPE_UINT64, failures,
      "retry-delay", G_TYPE_UINT, retry_delay_ms,
      "last-error", G_TYPE_STRING, error ? error : "", NULL);
}

GstStructure *
cascade_mqtt_client_stats (CascadeMqttClient * c)
{
  GstStructure *s;

  if (!c) {
    CascadeMqttQueue empty;

    cascade_mqtt_queue_init (&empty, 1, 0);
    return stats_new ("stopped", &empty, 0, 0, 0, NULL);
  }
  g_mutex_lock (&c->lock);
  s = stats_new (state_names[c->state], &c->queue, c->reconnects,
      c->failures, c->retry_delay_ms, c->last_error);
  g_mutex_unlock (&c->lock);
  return s;
}
