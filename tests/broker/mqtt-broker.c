/* gst-cascade tests: a real mosquitto broker and a subscriber (see
 * mqtt-broker.h) */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>
#include <mosquitto.h>

#include "mqtt-broker.h"

#define WAIT_MS 10000

static const gchar *
program (const gchar * env, const gchar * fallback)
{
  const gchar *p = g_getenv (env);

  return p && *p ? p : fallback;
}

guint
test_free_port (void)
{
  struct sockaddr_in addr = { 0 };
  socklen_t len = sizeof addr;
  gint fd = socket (AF_INET, SOCK_STREAM, 0);
  guint port;

  fail_unless (fd >= 0);
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  fail_unless (bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0);
  fail_unless (getsockname (fd, (struct sockaddr *) &addr, &len) == 0);
  port = ntohs (addr.sin_port);
  close (fd);
  return port;
}

void
test_run (const gchar * const *argv)
{
  GError *err = NULL;
  gchar *out = NULL, *errout = NULL;
  gint status = 0;
  gboolean ok = g_spawn_sync (NULL, (gchar **) argv, NULL,
      G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &errout, &status, &err);

  fail_unless (ok, "cannot run %s: %s (install it: scripts/deps.sh test)",
      argv[0], err ? err->message : "");
  fail_unless (g_spawn_check_wait_status (status, NULL), "%s failed: %s%s",
      argv[0], out, errout);
  g_free (out);
  g_free (errout);
}

static void
write_file (const gchar * path, const gchar * text)
{
  fail_unless (g_file_set_contents (path, text, -1, NULL), "cannot write %s",
      path);
}

gchar *
test_broker_path (TestBroker * b, const gchar * name)
{
  return g_build_filename (b->dir, name, NULL);
}

/* a CA, a server certificate for 127.0.0.1 signed by it, and another CA */
static void
make_certificates (TestBroker * b)
{
  const gchar *openssl = program ("CASCADE_TEST_OPENSSL", "openssl");
  gchar *ca_key = test_broker_path (b, "ca.key");
  gchar *ca = test_broker_path (b, "ca.pem");
  gchar *key = test_broker_path (b, "server.key");
  gchar *csr = test_broker_path (b, "server.csr");
  gchar *cert = test_broker_path (b, "server.pem");
  gchar *ext = test_broker_path (b, "server.ext");
  gchar *other_key = test_broker_path (b, "other-ca.key");
  gchar *other = test_broker_path (b, "other-ca.pem");
  const gchar *ec[] = { "-newkey", "ec", "-pkeyopt",
    "ec_paramgen_curve:prime256v1", "-nodes"
  };
  const gchar *req_ca[] = { openssl, "req", "-x509", ec[0], ec[1], ec[2],
    ec[3], ec[4], "-keyout", ca_key, "-out", ca, "-days", "2", "-subj",
    "/CN=gst-cascade test CA", NULL
  };
  const gchar *req_other[] = { openssl, "req", "-x509", ec[0], ec[1], ec[2],
    ec[3], ec[4], "-keyout", other_key, "-out", other, "-days", "2", "-subj",
    "/CN=gst-cascade other CA", NULL
  };
  const gchar *req_server[] = { openssl, "req", ec[0], ec[1], ec[2], ec[3],
    ec[4], "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1", NULL
  };
  const gchar *sign[] = { openssl, "x509", "-req", "-in", csr, "-CA", ca,
    "-CAkey", ca_key, "-CAcreateserial", "-out", cert, "-days", "2",
    "-extfile", ext, NULL
  };

  write_file (ext, "basicConstraints=CA:FALSE\n"
      "subjectAltName=IP:127.0.0.1\n");
  test_run (req_ca);
  test_run (req_other);
  test_run (req_server);
  test_run (sign);
  g_free (ca_key);
  g_free (ca);
  g_free (key);
  g_free (csr);
  g_free (cert);
  g_free (ext);
  g_free (other_key);
  g_free (other);
}

TestBroker *
test_broker_new (gboolean with_tls)
{
  TestBroker *b = g_new0 (TestBroker, 1);

  b->dir = g_dir_make_tmp ("cascade-mqtt-XXXXXX", NULL);
  fail_unless (b->dir != NULL);
  b->port = test_free_port ();
  b->extra = g_strdup ("allow_anonymous true\n");
  if (with_tls) {
    do
      b->tls_port = test_free_port ();
    while (b->tls_port == b->port);
    make_certificates (b);
  }
  return b;
}

void
test_broker_add_user (TestBroker * b, const gchar * user,
    const gchar * password)
{
  gchar *file = test_broker_path (b, "passwd");
  const gchar *argv[] = { program ("CASCADE_TEST_MOSQUITTO_PASSWD",
        "mosquitto_passwd"), "-b", "-c", file, user, password, NULL
  };

  write_file (file, "");
  test_run (argv);
  g_free (b->extra);
  b->extra = g_strdup_printf ("allow_anonymous false\npassword_file %s\n",
      file);
  g_free (file);
}

static gchar *
write_config (TestBroker * b)
{
  gchar *path = test_broker_path (b, "mosquitto.conf");
  GString *conf = g_string_new (NULL);

  /* persistence: SIGTERM saves the sessions and their queued messages;
   * no limit on what the broker keeps for an offline persistent session
   * (the default of 1000 would drop) */
  g_string_append_printf (conf, "per_listener_settings false\n"
      "listener %u 127.0.0.1\n%s"
      "persistence true\npersistence_location %s/\n"
      "autosave_interval 1\nmax_queued_messages 0\n"
      "log_dest file %s/mosquitto.log\nlog_type all\n"
      /* as root, stay root (the temporary directory is ours) */
      "user root\n", b->port, b->extra, b->dir, b->dir);
  if (b->tls_port)
    g_string_append_printf (conf, "listener %u 127.0.0.1\n"
        "cafile %s/ca.pem\ncertfile %s/server.pem\nkeyfile %s/server.key\n",
        b->tls_port, b->dir, b->dir, b->dir);
  write_file (path, conf->str);
  g_string_free (conf, TRUE);
  return path;
}

static void
die_with_parent (gpointer data)
{
  /* a test that fails (its process exits) takes the broker with it */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
port_open (guint port)
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

void
test_broker_start (TestBroker * b)
{
  gchar *conf = write_config (b);
  const gchar *argv[] = { program ("CASCADE_TEST_MOSQUITTO", "mosquitto"),
    "-c", conf, NULL
  };
  gchar *errlog = test_broker_path (b, "stderr.log");
  gint errfd = g_open (errlog, O_WRONLY | O_CREAT | O_APPEND, 0644);
  GError *err = NULL;
  gint i;

  /* its output (a warning about running as root, say) in a file */
  fail_unless (b->pid == 0);
  fail_unless (errfd >= 0);
  fail_unless (g_spawn_async_with_fds (NULL, (gchar **) argv, NULL,
          G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, die_with_parent,
          NULL, &b->pid, -1, errfd, errfd, &err),
      "cannot start %s: %s (install mosquitto: scripts/deps.sh test)",
      argv[0], err ? err->message : "");
  close (errfd);
  g_free (errlog);
  for (i = 0; i < WAIT_MS / 10; i++) {
    gint status;

    if (port_open (b->port) && (!b->tls_port || port_open (b->tls_port)))
      break;
    fail_if (waitpid (b->pid, &status, WNOHANG) == b->pid,
        "mosquitto exited at start (see %s/mosquitto.log)", b->dir);
    g_usleep (10000);
  }
  fail_unless (i < WAIT_MS / 10, "mosquitto not listening after %d ms",
      WAIT_MS);
  b->starts++;
  g_free (conf);
}

void
test_broker_stop (TestBroker * b, gint sig)
{
  gint i, status;

  if (!b->pid)
    return;
  kill (b->pid, sig);
  for (i = 0; i < WAIT_MS / 10; i++) {
    if (waitpid (b->pid, &status, WNOHANG) == b->pid)
      break;
    g_usleep (10000);
  }
  if (i == WAIT_MS / 10) {
    kill (b->pid, SIGKILL);
    waitpid (b->pid, &status, 0);
  }
  g_spawn_close_pid (b->pid);
  b->pid = 0;
  fail_unless (i < WAIT_MS / 10, "mosquitto did not stop within %d ms",
      WAIT_MS);
}

void
test_broker_free (TestBroker * b)
{
  GDir *dir;
  const gchar *name;

  test_broker_stop (b, SIGTERM);
  dir = g_dir_open (b->dir, 0, NULL);
  while (dir && (name = g_dir_read_name (dir))) {
    gchar *path = test_broker_path (b, name);

    g_unlink (path);
    g_free (path);
  }
  if (dir)
    g_dir_close (dir);
  g_rmdir (b->dir);
  g_free (b->dir);
  g_free (b->extra);
  g_free (b);
}

/* ---- the subscriber ---- */

struct _TestSub
{
  struct mosquitto *mosq;
  gchar *topic;
  GMutex lock;
  GCond cond;
  GPtrArray *messages;
  gboolean subscribed;
};

static void
sub_on_connect (struct mosquitto *mosq, void *data, int rc)
{
  TestSub *s = data;

  /* again after every reconnection: harmless for a kept session */
  if (rc == 0)
    mosquitto_subscribe (mosq, NULL, s->topic, 1);
}

static void
sub_on_subscribe (struct mosquitto *mosq, void *data, int mid, int n,
    const int *granted)
{
  TestSub *s = data;

  g_mutex_lock (&s->lock);
  s->subscribed = TRUE;
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

static void
sub_on_message (struct mosquitto *mosq, void *data,
    const struct mosquitto_message *m)
{
  TestSub *s = data;
  gchar *text = g_strdup_printf ("%s %.*s", m->topic, m->payloadlen,
      (const gchar *) m->payload);

  g_mutex_lock (&s->lock);
  g_ptr_array_add (s->messages, text);
  g_cond_broadcast (&s->cond);
  g_mutex_unlock (&s->lock);
}

TestSub *
test_sub_new (guint port, const gchar * topic, const gchar * client_id,
    const gchar * user, const gchar * password)
{
  TestSub *s = g_new0 (TestSub, 1);
  gint64 deadline = g_get_monotonic_time () + WAIT_MS * 1000;
  gint rc;

  mosquitto_lib_init ();
  g_mutex_init (&s->lock);
  g_cond_init (&s->cond);
  s->messages = g_ptr_array_new_with_free_func (g_free);
  s->topic = g_strdup (topic);
  s->mosq = mosquitto_new (client_id, client_id == NULL, s);
  fail_unless (s->mosq != NULL);
  if (user)
    mosquitto_username_pw_set (s->mosq, user, password);
  mosquitto_connect_callback_set (s->mosq, sub_on_connect);
  mosquitto_subscribe_callback_set (s->mosq, sub_on_subscribe);
  mosquitto_message_callback_set (s->mosq, sub_on_message);
  mosquitto_reconnect_delay_set (s->mosq, 1, 1, false);
  rc = mosquitto_connect (s->mosq, "127.0.0.1", (int) port, 30);
  fail_unless (rc == MOSQ_ERR_SUCCESS, "subscriber: %s",
      mosquitto_strerror (rc));
  fail_unless (mosquitto_loop_start (s->mosq) == MOSQ_ERR_SUCCESS);
  g_mutex_lock (&s->lock);
  while (!s->subscribed && g_cond_wait_until (&s->cond, &s->lock, deadline));
  g_mutex_unlock (&s->lock);
  fail_unless (s->subscribed, "subscriber: no SUBACK within %d ms", WAIT_MS);
  return s;
}

guint
test_sub_wait (TestSub * s, guint n, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint got;

  g_mutex_lock (&s->lock);
  while (s->messages->len < n
      && g_cond_wait_until (&s->cond, &s->lock, deadline));
  got = s->messages->len;
  g_mutex_unlock (&s->lock);
  return got;
}

GPtrArray *
test_sub_messages (TestSub * s)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_free);
  guint i;

  g_mutex_lock (&s->lock);
  for (i = 0; i < s->messages->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (s->messages, i)));
  g_mutex_unlock (&s->lock);
  return copy;
}

void
test_sub_free (TestSub * s)
{
  mosquitto_disconnect (s->mosq);
  mosquitto_loop_stop (s->mosq, FALSE);
  mosquitto_destroy (s->mosq);
  g_ptr_array_unref (s->messages);
  g_mutex_clear (&s->lock);
  g_cond_clear (&s->cond);
  g_free (s->topic);
  g_free (s);
}
