/* gst-cascade tests: a real mosquitto broker on 127.0.0.1 (a free port, its
 * own configuration, persistence and log in a temporary directory) and a
 * libmosquitto subscriber that records every message in arrival order.
 *
 * The broker's programs come from the environment (meson sets them):
 * CASCADE_TEST_MOSQUITTO, CASCADE_TEST_MOSQUITTO_PASSWD, CASCADE_TEST_OPENSSL.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gchar *dir;                   /* the temporary directory */
  guint port;                   /* plain listener */
  guint tls_port;               /* TLS listener, 0: none */
  gchar *extra;                 /* more configuration lines */
  GPid pid;                     /* 0: not running */
  guint starts;
} TestBroker;

/* A broker (not started yet) with persistence on; with_tls: a second
 * listener on tls_port with a CA and a server certificate for 127.0.0.1
 * made by openssl in dir (ca.pem, server.pem, server.key; other-ca.pem: a
 * CA that signed nothing). */
TestBroker *test_broker_new (gboolean with_tls);

/* path of name in the broker's directory (free it) */
gchar *test_broker_path (TestBroker * b, const gchar * name);

/* A password file (mosquitto_passwd) with one user; anonymous refused. */
void test_broker_add_user (TestBroker * b, const gchar * user,
    const gchar * password);

/* Starts mosquitto and waits (bounded) until its port accepts. */
void test_broker_start (TestBroker * b);

/* Stops it with sig (SIGTERM: mosquitto saves its persistence file and
 * exits) and waits (bounded) for its exit. */
void test_broker_stop (TestBroker * b, gint sig);

void test_broker_free (TestBroker * b);

/* a port of 127.0.0.1 that nothing listens on (now) */
guint test_free_port (void);

/* runs argv, fails the test unless it exits 0 */
void test_run (const gchar * const *argv);

typedef struct _TestSub TestSub;

/* A subscriber to topic (wildcards allowed) at QoS 1, connected and
 * subscribed on return.  client_id non-NULL: a persistent session
 * (clean_session false) that the broker keeps across its restarts; the
 * subscriber reconnects by itself. */
TestSub *test_sub_new (guint port, const gchar * topic,
    const gchar * client_id, const gchar * user, const gchar * password);

/* waits (bounded) until n messages arrived; returns how many did */
guint test_sub_wait (TestSub * s, guint n, guint timeout_ms);

/* the messages so far, in arrival order: "topic payload" strings */
GPtrArray *test_sub_messages (TestSub * s);

void test_sub_free (TestSub * s);

G_END_DECLS
