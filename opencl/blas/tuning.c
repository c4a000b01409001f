/* gst-cascade: per-device, per-shape choices by measurement, on disk */
#include "blas/tuning.h"
#include "runtime/cache.h"
#include "runtime/context.h"
#include "runtime/log.h"

#include <string.h>

/* cl_device_id -> GKeyFile of that device's choices */
static GMutex lock;
static GHashTable *files;
/* "<device>/<op>/<key>" -> 1 + the candidate this process ran unmeasured */
static GHashTable *ran;

/* a thread's allowance for measuring (cascade_tuning_frame_begin) */
typedef struct
{
  gint64 budget_us;             /* < 0: no limit */
  gint64 spent_us;
  guint measured, deferred;
} Allowance;

static GPrivate allowance_key = G_PRIVATE_INIT (g_free);

static Allowance *
allowance (void)
{
  Allowance *a = g_private_get (&allowance_key);
  if (!a) {
    a = g_new0 (Allowance, 1);
    a->budget_us = -1;
    g_private_set (&allowance_key, a);
  }
  return a;
}

void
cascade_tuning_frame_begin (gdouble budget_ms)
{
  Allowance *a = allowance ();
  a->budget_us = budget_ms < 0 ? -1 : (gint64) (budget_ms * 1000.0);
  a->spent_us = 0;
  a->measured = a->deferred = 0;
}

void
cascade_tuning_frame_end (void)
{
  allowance ()->budget_us = -1;
}

guint
cascade_tuning_frame_measured (void)
{
  return allowance ()->measured;
}

guint
cascade_tuning_frame_deferred (void)
{
  return allowance ()->deferred;
}

/* whether the allowance has room for one more shape */
static gboolean
allowance_open (const Allowance * a)
{
  if (a->budget_us < 0)
    return TRUE;
  return a->budget_us > 0 && (a->measured == 0 || a->spent_us < a->budget_us);
}

static gchar *
ran_key (CascadeDevice * dev, const gchar * op, const gchar * key)
{
  return g_strdup_printf ("%p/%s/%s", (gpointer) cascade_device_id (dev), op,
      key);
}

/* 1 + the candidate run unmeasured for (op, key) in this process, or 0 */
static guint
ran_get (CascadeDevice * dev, const gchar * op, const gchar * key)
{
  gchar *k = ran_key (dev, op, key);
  guint v;
  g_mutex_lock (&lock);
  v = ran ? GPOINTER_TO_UINT (g_hash_table_lookup (ran, k)) : 0;
  g_mutex_unlock (&lock);
  g_free (k);
  return v;
}

static void
ran_set (CascadeDevice * dev, const gchar * op, const gchar * key, guint i)
{
  g_mutex_lock (&lock);
  if (!ran)
    ran = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_hash_table_replace (ran, ran_key (dev, op, key), GUINT_TO_POINTER (i + 1));
  g_mutex_unlock (&lock);
}

CascadeTuneMode
cascade_tune_mode (void)
{
  return cascade_options_tune ();
}

gchar *
cascade_tuning_path (CascadeDevice * dev)
{
  return cascade_cache_device_path (cascade_device_id (dev), "tuning", ".ini",
      NULL);
}

/* dev's choices, read from disk on first use; call with lock held */
static GKeyFile *
device_file (CascadeDevice * dev)
{
  cl_device_id id = cascade_device_id (dev);
  GKeyFile *kf;
  gchar *path;

  if (!files)
    files = g_hash_table_new_full (NULL, NULL, NULL,
        (GDestroyNotify) g_key_file_unref);
  kf = g_hash_table_lookup (files, id);
  if (kf)
    return kf;
  kf = g_key_file_new ();
  path = cascade_tuning_path (dev);
  /* a missing or damaged file is an empty one: it only costs measuring */
  if (path && cascade_tune_mode () != CASCADE_TUNE_FORCE
      && !g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL)) {
    g_key_file_unref (kf);
    kf = g_key_file_new ();
  }
  g_free (path);
  g_hash_table_insert (files, id, kf);
  return kf;
}

const gchar *
cascade_tuning_lookup (CascadeDevice * dev, const gchar * op,
    const gchar * key)
{
  static GHashTable *interned;  /* keeps returned strings alive */
  const gchar *ret = NULL;
  gchar *value, **tok;

  if (cascade_tune_mode () == CASCADE_TUNE_OFF)
    return NULL;
  g_mutex_lock (&lock);
  value = g_key_file_get_string (device_file (dev), op, key, NULL);
  if (value) {
    tok = g_strsplit_set (g_strstrip (value), " \t", 2);
    if (tok[0] && *tok[0]) {
      if (!interned)
        interned = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
            NULL);
      ret = g_hash_table_lookup (interned, tok[0]);
      if (!ret) {
        ret = g_strdup (tok[0]);
        g_hash_table_add (interned, (gpointer) ret);
      }
    }
    g_strfreev (tok);
    g_free (value);
  }
  g_mutex_unlock (&lock);
  return ret;
}

void
cascade_tuning_record (CascadeDevice * dev, const gchar * op,
    const gchar * key, const gchar * choice, const gchar * const *names,
    const gdouble * ms, guint n)
{
  GString *v = g_string_new (choice);
  GKeyFile *kf, *disk;
  gchar *path, *data;
  GError *err = NULL;
  gsize len;
  guint i;

  for (i = 0; i < n; i++)
    g_string_append_printf (v, " %s=%.3f", names[i], ms[i]);
  g_mutex_lock (&lock);
  kf = device_file (dev);
  g_key_file_set_string (kf, op, key, v->str);
  path = cascade_tuning_path (dev);
  if (path) {
    /* merge into what other processes may have written meanwhile */
    disk = g_key_file_new ();
    if (!g_key_file_load_from_file (disk, path, G_KEY_FILE_KEEP_COMMENTS,
            NULL)) {
      g_key_file_unref (disk);
      disk = g_key_file_new ();
      g_key_file_set_comment (disk, NULL, NULL, " gst-cascade: fastest "
          "implementation per shape on one device, measured (tuning.h)", NULL);
    }
    g_key_file_set_string (disk, op, key, v->str);
    data = g_key_file_to_data (disk, &len, NULL);
    if (!cascade_cache_write (path, data, len, &err)) {
      CASCADE_LOG_DEBUG ("Could not write the tuning cache: %s",
          err->message);
      g_clear_error (&err);
    }
    g_free (data);
    g_key_file_unref (disk);
  }
  g_mutex_unlock (&lock);
  g_free (path);
  g_string_free (v, TRUE);
}

void
cascade_tuning_reset (void)
{
  g_mutex_lock (&lock);
  if (files)
    g_hash_table_remove_all (files);
  if (ran)
    g_hash_table_remove_all (ran);
  g_mutex_unlock (&lock);
}

/* one timed run of candidate i.  An untimed run first compiles its
 * kernels, unless it has run before (warm); a warm run that measured a
 * nested operation (a GEMM inside im2col) is timed again. */
static gboolean
time_run (CascadeCtx * ctx, CascadeTuneRun run, gpointer data, guint i,
    gboolean warm, gdouble * ms, GError ** error)
{
  Allowance *a = allowance ();
  guint nested = a->measured;
  gint64 t0;
  if (!cascade_ctx_finish (ctx, error))
    return FALSE;
  if (!warm && (!run (data, i, error) || !cascade_ctx_finish (ctx, error)))
    return FALSE;
  t0 = g_get_monotonic_time ();
  if (!run (data, i, error) || !cascade_ctx_finish (ctx, error))
    return FALSE;
  if (warm && a->measured != nested) {
    t0 = g_get_monotonic_time ();
    if (!run (data, i, error) || !cascade_ctx_finish (ctx, error))
      return FALSE;
  }
  *ms = (g_get_monotonic_time () - t0) / 1000.0;
  return TRUE;
}

/* a measurement and the choice made, at INFO */
static void
log_choice (CascadeDevice * dev, const gchar * op, const gchar * key,
    const gchar * choice, const gchar * const *names, const gdouble * ms,
    guint n)
{
  GString *times = g_string_new (NULL);
  guint i;
  for (i = 0; i < n; i++)
    g_string_append_printf (times, " %s=%.3f ms", names[i], ms[i]);
  CASCADE_LOG_INFO ("tuning: %s %s on %s: measured%s; chose %s", op, key,
      cascade_device_name (dev), times->str, choice);
  g_string_free (times, TRUE);
}

gboolean
cascade_tune_run (CascadeCtx * ctx, const gchar * op, const gchar * key,
    const gchar * const *names, guint n, guint fallback, gboolean may_measure,
    CascadeTuneRun run, gpointer data, guint * chosen, gboolean * measured,
    GError ** error)
{
  CascadeDevice *dev = cascade_ctx_device (ctx);
  CascadeTuneMode mode = cascade_tune_mode ();
  const gchar *stored = cascade_tuning_lookup (dev, op, key);
  const gchar *tnames[CASCADE_TUNE_MAX_CANDIDATES];
  gdouble ms[CASCADE_TUNE_MAX_CANDIDATES];
  guint i, m = 0, best = fallback, last = fallback;
  gdouble best_ms = G_MAXDOUBLE;
  guint dummy_chosen, warm;
  gboolean dummy_measured, ok;
  Allowance *a = allowance ();
  gint64 t0;

  g_return_val_if_fail (n <= CASCADE_TUNE_MAX_CANDIDATES && fallback < n
      && names[fallback], FALSE);
  chosen = chosen ? chosen : &dummy_chosen;
  measured = measured ? measured : &dummy_measured;
  *measured = FALSE;
  for (i = 0; stored && i < n; i++)
    if (names[i] && strcmp (names[i], stored) == 0) {
      *chosen = i;
      return run (data, i, error);
    }
  *chosen = fallback;
  if (!may_measure || mode == CASCADE_TUNE_OFF || mode == CASCADE_TUNE_CACHED)
    return run (data, fallback, error);
  if (mode == CASCADE_TUNE_MEASURE && !allowance_open (a)) {
    /* measured on a later frame; its kernels are then compiled */
    a->deferred++;
    if (ran_get (dev, op, key) != fallback + 1) {
      ran_set (dev, op, key, fallback);
      CASCADE_LOG_DEBUG ("tuning: %s %s: %s (built-in default), measured "
          "later", op, key, names[fallback]);
    }
    return run (data, fallback, error);
  }
  warm = ran_get (dev, op, key);
  t0 = g_get_monotonic_time ();
  for (i = 0; i < n; i++) {
    if (!names[i])
      continue;
    if (!time_run (ctx, run, data, i, warm == i + 1, &ms[m], error))
      return FALSE;
    tnames[m] = names[i];
    if (ms[m] < best_ms) {
      best_ms = ms[m];
      best = i;
    }
    last = i;
    m++;
  }
  cascade_tuning_record (dev, op, key, names[best], tnames, ms, m);
  log_choice (dev, op, key, names[best], tnames, ms, m);
  *chosen = best;
  *measured = TRUE;
  a->measured++;
  /* the output is the last candidate's: make it the chosen one's */
  ok = best == last || run (data, best, error);
  a->spent_us += g_get_monotonic_time () - t0;
  return ok;
}
