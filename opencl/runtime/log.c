/* gst-cascade: the engine's logging, to a callback or to g_log */
#include "runtime/log.h"

static GMutex lock;
static CascadeLogFunc log_func;
static gpointer log_data;
static GDestroyNotify log_notify;
static guint handler_id;

/* the function set, and its data; FALSE when there is none */
static gboolean
current (CascadeLogFunc * func, gpointer * data)
{
  g_mutex_lock (&lock);
  *func = log_func;
  *data = log_data;
  g_mutex_unlock (&lock);
  return *func != NULL;
}

/* plain g_log calls of the engine's domain, while a function is set */
static void
domain_handler (const gchar * domain, GLogLevelFlags level,
    const gchar * message, gpointer unused)
{
  CascadeLogFunc func;
  gpointer data;
  if (current (&func, &data))
    func (level & G_LOG_LEVEL_MASK, message, data);
  else
    g_log_default_handler (domain, level, message, NULL);
}

void
cascade_set_log_func (CascadeLogFunc func, gpointer user_data,
    GDestroyNotify notify)
{
  gpointer old_data;
  GDestroyNotify old_notify;

  g_mutex_lock (&lock);
  old_data = log_data;
  old_notify = log_notify;
  log_func = func;
  log_data = user_data;
  log_notify = notify;
  if (func && !handler_id)
    handler_id = g_log_set_handler (CASCADE_LOG_DOMAIN, G_LOG_LEVEL_MASK
        | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION, domain_handler, NULL);
  else if (!func && handler_id) {
    g_log_remove_handler (CASCADE_LOG_DOMAIN, handler_id);
    handler_id = 0;
  }
  g_mutex_unlock (&lock);
  if (old_notify)
    old_notify (old_data);
}

void
cascade_log (GLogLevelFlags level, const gchar * format, ...)
{
  CascadeLogFunc func;
  gpointer data;
  va_list ap;

  va_start (ap, format);
  if (current (&func, &data)) {
    gchar *message = g_strdup_vprintf (format, ap);
    func (level, message, data);
    g_free (message);
  } else {
    g_logv (CASCADE_LOG_DOMAIN, level, format, ap);
  }
  va_end (ap);
}
