/* gst-cascade: CLBlast tuning parameters per device */

#include "blas/clblast-params.h"
#include "runtime/cache.h"
#include "runtime/clinfo.h"
#include "runtime/error.h"
#include "runtime/log.h"

#include <clblast_c.h>
#include <string.h>

#define SUBDIR "clblast"
#define MATCH_GROUP CASCADE_CLBLAST_MATCH_GROUP

/* cl_device_id -> origin of what was applied ("none": nothing fitted) */
static GMutex applied_lock;
static GHashTable *applied;

gchar *
cascade_clblast_params_path (CascadeDevice * dev)
{
  return cascade_cache_device_path (cascade_device_id (dev), SUBDIR, ".ini",
      NULL);
}

/* ------------------------------------------------------------------------ */
/* files */

static gboolean
damaged (GError ** error, const gchar * origin, const gchar * fmt, ...)
    G_GNUC_PRINTF (3, 4);

static gboolean
damaged (GError ** error, const gchar * origin, const gchar * fmt, ...)
{
  va_list ap;
  gchar *why;
  va_start (ap, fmt);
  why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
      "CLBlast tuning file %s is damaged: %s (delete it, or tune again)",
      origin, why);
  g_free (why);
  return FALSE;
}

/* CLBlast's kernel and parameter names: letters, digits and '_' */
static gboolean
is_name (const gchar * s)
{
  if (!s || !g_ascii_isalpha (*s))
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isalnum (*s) && *s != '_')
      return FALSE;
  return TRUE;
}

static gboolean
check_keyfile (GKeyFile * kf, const gchar * origin, GError ** error)
{
  gchar **groups = g_key_file_get_groups (kf, NULL), **g;
  guint kernels = 0;
  gboolean ok = TRUE;

  for (g = groups; ok && *g; g++) {
    gchar **keys = g_key_file_get_keys (kf, *g, NULL, NULL), **k;
    gboolean is_match = strcmp (*g, MATCH_GROUP) == 0;
    if (!is_match && !is_name (*g))
      ok = damaged (error, origin, "[%s] is not a CLBlast kernel name", *g);
    if (!is_match && ok && (!keys || !keys[0]))
      ok = damaged (error, origin, "[%s] has no parameters", *g);
    for (k = keys; ok && k && *k; k++) {
      gchar *v = g_key_file_get_value (kf, *g, *k, NULL);
      guint64 n;
      if (!is_match && !is_name (*k))
        ok = damaged (error, origin, "[%s] %s is not a parameter name", *g,
            *k);
      else if (!is_match && !g_ascii_string_to_unsigned (v ? v : "", 10, 0,
              G_MAXUINT32, &n, NULL))
        ok = damaged (error, origin, "[%s] %s=%s is not an unsigned integer",
            *g, *k, v ? v : "");
      g_free (v);
    }
    kernels += is_match ? 0 : 1;
    g_strfreev (keys);
  }
  if (ok && kernels == 0)
    ok = damaged (error, origin, "no CLBlast kernel group");
  g_strfreev (groups);
  return ok;
}

GKeyFile *
cascade_clblast_params_parse (const gchar * data, gsize len,
    const gchar * origin, GError ** error)
{
  GKeyFile *kf = g_key_file_new ();
  GError *err = NULL;

  if (!g_utf8_validate (data, (gssize) len, NULL)) {
    damaged (error, origin, "not UTF-8 text");
    goto failed;
  }
  if (!g_key_file_load_from_data (kf, data, len, G_KEY_FILE_NONE, &err)) {
    damaged (error, origin, "%s", err->message);
    g_error_free (err);
    goto failed;
  }
  if (!check_keyfile (kf, origin, error))
    goto failed;
  return kf;

  /* ERRORS */
failed:
  g_key_file_unref (kf);
  return NULL;
}

gboolean
cascade_clblast_params_match (CascadeDevice * dev, GKeyFile * kf)
{
  cl_device_id d = cascade_device_id (dev);
  gchar **keys, **k;
  gboolean fits = TRUE;

  if (!g_key_file_has_group (kf, MATCH_GROUP))
    return TRUE;
  keys = g_key_file_get_keys (kf, MATCH_GROUP, NULL, NULL);
  for (k = keys; fits && k && *k; k++) {
    gchar *want = g_key_file_get_string (kf, MATCH_GROUP, *k, NULL);
    gchar *have = NULL, *want_cf, *have_cf;
    if (strcmp (*k, "device-type") == 0)
      have = g_strdup (cascade_cl_device_type_name (d));
    else if (strcmp (*k, "platform-name") == 0)
      have = cascade_cl_platform_string (cascade_cl_device_platform (d),
          CL_PLATFORM_NAME);
    else if (strcmp (*k, "device-name") == 0)
      have = cascade_cl_device_string (d, CL_DEVICE_NAME);
    if (!have || !want) {
      /* a condition we do not know cannot be checked: no fit */
      fits = FALSE;
    } else {
      want_cf = g_utf8_casefold (want, -1);
      have_cf = g_utf8_casefold (have, -1);
      fits = strcmp (*k, "device-type") == 0 ?
          strcmp (want_cf, have_cf) == 0 : strstr (have_cf, want_cf) != NULL;
      g_free (want_cf);
      g_free (have_cf);
    }
    g_free (want);
    g_free (have);
  }
  g_strfreev (keys);
  return fits;
}

GKeyFile *
cascade_clblast_params_lookup (CascadeDevice * dev, gchar ** origin,
    GError ** error)
{
  gchar *path = cascade_clblast_params_path (dev), *data = NULL;
  gsize len = 0;
  GError *err = NULL;
  GKeyFile *kf = NULL;
  guint i;

  *origin = NULL;
  /* the device's own file is a cache entry (cache.h): one that cannot be
   * read or is damaged is ignored, never trusted, and the shipped
   * parameters apply as if it were not there */
  if (path && g_file_get_contents (path, &data, &len, &err)) {
    kf = cascade_clblast_params_parse (data, len, path, &err);
    g_free (data);
    if (kf) {
      *origin = path;
      return kf;
    }
  }
  if (err && !g_error_matches (err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    CASCADE_LOG_DEBUG ("Ignoring the CLBlast tuning file: %s",
        err->message);
  g_clear_error (&err);
  g_free (path);

  for (i = 0; cascade_clblast_defaults[i].name; i++) {
    const CascadeClblastDefault *def = &cascade_clblast_defaults[i];
    gchar *name = g_strdup_printf ("built-in %s.ini", def->name);
    kf = cascade_clblast_params_parse (def->text, strlen (def->text), name,
        error);
    if (!kf) {
      g_free (name);
      return NULL;
    }
    if (cascade_clblast_params_match (dev, kf)) {
      *origin = name;
      return kf;
    }
    g_key_file_unref (kf);
    g_free (name);
  }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* applying */

static CLBlastStatusCode
override (cl_device_id d, const gchar * kernel, gchar ** keys,
    const gsize * values, gsize n)
{
  return CLBlastOverrideParameters (d, kernel, CLBlastPrecisionSingle, n,
      (const char **) keys, values);
}

/* CLBlast refuses a group that lacks one of the kernel's parameters but
 * ignores names it does not know.  A name it does not know is a mistake (a
 * typo, or a file for another CLBlast version): find them by leaving each
 * name out in turn; a name that is not missed is unknown. */
static gboolean
apply_group (cl_device_id d, GKeyFile * kf, const gchar * group,
    const gchar * origin, GError ** error)
{
  gsize n = 0, i, j;
  gchar **keys = g_key_file_get_keys (kf, group, &n, NULL);
  gsize *values = g_new0 (gsize, MAX (n, 1));
  gchar **others = g_new0 (gchar *, n + 1);
  gsize *other_values = g_new0 (gsize, MAX (n, 1));
  gchar *what;
  gboolean ok;

  for (i = 0; i < n; i++)
    values[i] = (gsize) g_key_file_get_uint64 (kf, group, keys[i], NULL);

  what = g_strdup_printf ("CLBlastOverrideParameters for [%s] of %s", group,
      origin);
  ok = cascade_clblast_check (override (d, group, keys, values, n), what,
      error);
  for (i = 0; ok && n > 1 && i < n; i++) {
    gsize m = 0;
    for (j = 0; j < n; j++) {
      if (j == i)
        continue;
      others[m] = keys[j];
      other_values[m++] = values[j];
    }
    if (override (d, group, others, other_values, m) == CLBlastSuccess) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
          "%s failed: CLBlast has no parameter %s for the kernel %s", what,
          keys[i], group);
      ok = FALSE;
    }
  }
  /* the probes above left one name out: set the whole group again */
  if (ok && n > 1)
    ok = cascade_clblast_check (override (d, group, keys, values, n), what,
        error);
  g_free (what);
  g_free (other_values);
  g_free (others);
  g_free (values);
  g_strfreev (keys);
  return ok;
}

gboolean
cascade_clblast_params_apply_keyfile (CascadeDevice * dev, GKeyFile * kf,
    const gchar * origin, GError ** error)
{
  gchar **groups = g_key_file_get_groups (kf, NULL), **g;
  gboolean ok = TRUE;

  for (g = groups; ok && *g; g++)
    if (strcmp (*g, MATCH_GROUP) != 0)
      ok = apply_group (cascade_device_id (dev), kf, *g, origin, error);
  g_strfreev (groups);
  if (ok)
    CASCADE_LOG_INFO ("CLBlast parameters for %s applied from %s",
        cascade_device_name (dev), origin);
  return ok;
}

/* records what was applied to the device; takes origin */
static void
remember (CascadeDevice * dev, gchar * origin)
{
  if (!applied)
    applied = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL,
        g_free);
  g_hash_table_replace (applied, cascade_device_id (dev), origin);
}

gboolean
cascade_clblast_params_apply (CascadeDevice * dev, GError ** error)
{
  GKeyFile *kf = NULL;
  gchar *origin = NULL;
  GError *err = NULL;
  gboolean ok = TRUE;

  g_mutex_lock (&applied_lock);
  if (applied && g_hash_table_contains (applied, cascade_device_id (dev)))
    goto out;
  kf = cascade_clblast_params_lookup (dev, &origin, &err);
  if (err)
    ok = FALSE;
  else if (kf)
    ok = cascade_clblast_params_apply_keyfile (dev, kf, origin, &err);
  if (ok)
    remember (dev, origin ? g_steal_pointer (&origin) : g_strdup ("none"));
  else
    g_propagate_error (error, err);
out:
  g_mutex_unlock (&applied_lock);
  if (kf)
    g_key_file_unref (kf);
  g_free (origin);
  return ok;
}

gchar *
cascade_clblast_params_applied (CascadeDevice * dev)
{
  gchar *origin = NULL;
  g_mutex_lock (&applied_lock);
  if (applied)
    origin = g_strdup (g_hash_table_lookup (applied,
            cascade_device_id (dev)));
  g_mutex_unlock (&applied_lock);
  return origin;
}

gboolean
cascade_clblast_params_install (CascadeDevice * dev, GKeyFile * kf,
    const gchar * origin, GError ** error)
{
  gboolean ok;
  g_mutex_lock (&applied_lock);
  ok = cascade_clblast_params_apply_keyfile (dev, kf, origin, error);
  if (ok)
    remember (dev, g_strdup (origin));
  g_mutex_unlock (&applied_lock);
  return ok;
}
