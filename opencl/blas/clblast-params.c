/* gst-cascade: CLBlast tuning parameters per device */

#include "blas/clblast-params.h"
#include "runtime/cache.h"
#include "runtime/error.h"

#include <clblast_c.h>
#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

#define SUBDIR "clblast"
#define MATCH_GROUP "match"
#define TUNER_PACKAGE "clblast-utils"
/* the tuners' name for single precision, in their JSON and file names */
#define TUNER_PRECISION "32"
/* what a tuner's output tail in an error message is cut to */
#define OUTPUT_TAIL 1500

/* cl_device_id -> origin of what was applied ("none": nothing fitted) */
static GMutex applied_lock;
static GHashTable *applied;

/* ------------------------------------------------------------------------ */
/* device strings */

static cl_platform_id
device_platform (cl_device_id d)
{
  cl_platform_id p = NULL;
  clGetDeviceInfo (d, CL_DEVICE_PLATFORM, sizeof (p), &p, NULL);
  return p;
}

static const gchar *
device_type_name (cl_device_id d)
{
  cl_device_type type = 0;
  clGetDeviceInfo (d, CL_DEVICE_TYPE, sizeof (type), &type, NULL);
  if (type & CL_DEVICE_TYPE_CPU)
    return "CPU";
  if (type & CL_DEVICE_TYPE_GPU)
    return "GPU";
  if (type & CL_DEVICE_TYPE_ACCELERATOR)
    return "ACCELERATOR";
  return "OTHER";
}

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
      have = g_strdup (device_type_name (d));
    else if (strcmp (*k, "platform-name") == 0)
      have = cascade_cl_platform_string (device_platform (d), CL_PLATFORM_NAME);
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
    g_debug ("Ignoring the CLBlast tuning file: %s", err->message);
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
    g_debug ("CLBlast parameters for %s applied from %s",
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

/* ------------------------------------------------------------------------ */
/* tuning */

typedef struct
{
  const gchar *exe;             /* a tuner of Debian's clblast-utils */
  const gchar *kernel;          /* the CLBlast kernel it tunes */
  gboolean sampled;             /* explores `fraction` of its space */
} Tuner;

static const Tuner tuners[] = {
  /* the indirect GEMM kernel (large products) and its helpers */
  {"clblast_tuner_xgemm", "Xgemm", TRUE},
  {"clblast_tuner_copy_fast", "Copy", FALSE},
  {"clblast_tuner_copy_pad", "Pad", FALSE},
  {"clblast_tuner_transpose_fast", "Transpose", FALSE},
  {"clblast_tuner_transpose_pad", "Padtranspose", FALSE},
  /* the direct GEMM kernel (small products) */
  {"clblast_tuner_xgemm_direct", "XgemmDirect", TRUE},
};

/* the platform and device indices of d, as the tuners count them */
static gboolean
device_indices (cl_device_id d, guint * pi, guint * di, GError ** error)
{
  cl_uint np = 0, i, j;
  cl_platform_id *plats;
  gboolean found = FALSE;

  if (clGetPlatformIDs (0, NULL, &np) != CL_SUCCESS)
    np = 0;
  plats = g_new0 (cl_platform_id, MAX (np, 1));
  if (np)
    clGetPlatformIDs (np, plats, NULL);
  for (i = 0; !found && i < np; i++) {
    cl_uint nd = 0;
    cl_device_id *devs;
    if (clGetDeviceIDs (plats[i], CL_DEVICE_TYPE_ALL, 0, NULL, &nd)
        != CL_SUCCESS || nd == 0)
      continue;
    devs = g_new0 (cl_device_id, nd);
    clGetDeviceIDs (plats[i], CL_DEVICE_TYPE_ALL, nd, devs, NULL);
    for (j = 0; !found && j < nd; j++) {
      if (devs[j] == d) {
        *pi = i;
        *di = j;
        found = TRUE;
      }
    }
    g_free (devs);
  }
  g_free (plats);
  if (!found)
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE,
        "The OpenCL device to tune is not among the platforms' devices");
  return found;
}

static const gchar *
tail (const gchar * s)
{
  gsize n = s ? strlen (s) : 0;
  return n > OUTPUT_TAIL ? s + n - OUTPUT_TAIL : (s ? s : "");
}

/* best: group -> (gdouble *) time in ms of the fastest result so far;
 * kf: the parameters of each group's fastest result */
static gboolean
read_results (const gchar * path, const gchar * kernel, GKeyFile * kf,
    GHashTable * best, GError ** error)
{
  JsonParser *parser = json_parser_new ();
  JsonNode *node;
  JsonObject *root;
  JsonArray *results;
  GError *err = NULL;
  guint i;
  gboolean ok = FALSE;

  if (!json_parser_load_from_file (parser, path, &err)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
        "Cannot read the tuner's results %s: %s", path, err->message);
    g_error_free (err);
    goto out;
  }
  node = json_parser_get_root (parser);
  root = node && JSON_NODE_HOLDS_OBJECT (node) ?
      json_node_get_object (node) : NULL;
  results = root && json_object_has_member (root, "results")
      && JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "results")) ?
      json_object_get_array_member (root, "results") : NULL;
  if (!results || g_strcmp0 (json_object_get_string_member_with_default
          (root, "precision", ""), TUNER_PRECISION) != 0) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
        "The tuner's results %s have no \"results\" array for single "
        "precision", path);
    goto out;
  }
  for (i = 0; i < json_array_get_length (results); i++) {
    JsonObject *r, *params;
    GList *names, *l;
    gdouble t, *prev;
    node = json_array_get_element (results, i);
    r = node && JSON_NODE_HOLDS_OBJECT (node) ?
        json_node_get_object (node) : NULL;
    if (!r || !json_object_has_member (r, "parameters")
        || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (r, "parameters")))
      continue;
    t = json_object_get_double_member_with_default (r, "time", 0.0);
    prev = g_hash_table_lookup (best, kernel);
    if (t <= 0.0 || (prev && *prev <= t))
      continue;
    params = json_object_get_object_member (r, "parameters");
    g_key_file_remove_group (kf, kernel, NULL);
    names = json_object_get_members (params);
    for (l = names; l; l = l->next) {
      gint64 v = json_object_get_int_member_with_default (params, l->data,
          -1);
      if (strcmp (l->data, "PRECISION") == 0 || v < 0)
        continue;
      g_key_file_set_uint64 (kf, kernel, l->data, (guint64) v);
    }
    g_list_free (names);
    g_hash_table_replace (best, (gpointer) kernel, g_memdup2 (&t, sizeof t));
  }
  ok = TRUE;
out:
  g_object_unref (parser);
  return ok;
}

/* runs one tuner in its own directory under tmp and collects its results */
static gboolean
run_tuner (const Tuner * t, const gchar * exe, const gchar * tmp, guint pi,
    guint di, gdouble fraction, GKeyFile * kf, GHashTable * best,
    GString * commands, GError ** error)
{
  gchar *dir = g_build_filename (tmp, t->exe, NULL);
  gchar plat[16], dev[16], frac[G_ASCII_DTOSTR_BUF_SIZE];
  gchar *argv[] = { (gchar *) exe, "-platform", plat, "-device", dev,
    "-precision", TUNER_PRECISION, "-fraction", frac, NULL
  };
  gchar *out = NULL, *err_text = NULL, *cmd;
  gint status = 0;
  GError *err = NULL;
  GDir *d = NULL;
  const gchar *name;
  gboolean ok = FALSE;

  g_snprintf (plat, sizeof plat, "%u", pi);
  g_snprintf (dev, sizeof dev, "%u", di);
  g_ascii_formatd (frac, sizeof frac, "%g", t->sampled ? 1.0 / fraction : 1.0);
  cmd = g_strjoinv (" ", argv);
  g_string_append_printf (commands, "  %s\n", cmd);
  g_debug ("tuning: %s", cmd);
  g_free (cmd);

  if (g_mkdir (dir, 0700) != 0) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
        "Cannot create the directory %s: %s", dir, g_strerror (errno));
    goto out;
  }
  if (!g_spawn_sync (dir, argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL, NULL,
          NULL, &out, &err_text, &status, &err)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
        "Cannot run %s: %s", exe, err->message);
    g_error_free (err);
    goto out;
  }
  if (!g_spawn_check_wait_status (status, &err)) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
        "%s failed (%s):\n%s%s", exe, err->message, tail (out),
        tail (err_text));
    g_error_free (err);
    goto out;
  }
  d = g_dir_open (dir, 0, NULL);
  while (d && (name = g_dir_read_name (d))) {
    gchar *path;
    if (!g_str_has_prefix (name, "clblast_")
        || !g_str_has_suffix (name, "_" TUNER_PRECISION ".json"))
      continue;
    path = g_build_filename (dir, name, NULL);
    ok = read_results (path, t->kernel, kf, best, error);
    g_free (path);
    if (!ok)
      goto out;
  }
  ok = TRUE;
  if (!g_key_file_has_group (kf, t->kernel)) {
    /* with a small fraction a tuner may find nothing to try */
    if (strcmp (t->kernel, "Xgemm") == 0) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
          "%s found no working parameters (fraction %g too small?):\n%s",
          exe, fraction, tail (out));
      ok = FALSE;
    } else {
      g_debug ("tuning: %s found nothing; CLBlast's defaults stay", exe);
    }
  }
out:
  if (d)
    g_dir_close (d);
  g_free (out);
  g_free (err_text);
  g_free (dir);
  return ok;
}

static void
remove_tree (const gchar * path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const gchar *name;
  while (d && (name = g_dir_read_name (d))) {
    gchar *child = g_build_filename (path, name, NULL);
    if (g_file_test (child, G_FILE_TEST_IS_DIR)
        && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
      remove_tree (child);
    else
      g_unlink (child);
    g_free (child);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (path);
}

gboolean
cascade_clblast_tune (CascadeDevice * dev, gdouble fraction, GError ** error)
{
  cl_device_id d = cascade_device_id (dev);
  gchar *exes[G_N_ELEMENTS (tuners)] = { NULL };
  gchar *path = NULL, *tmp = NULL, *text = NULL, *date = NULL;
  gchar *platform = NULL, *device = NULL;
  GKeyFile *kf = NULL, *check = NULL;
  GHashTable *best = NULL;
  GString *commands = g_string_new (NULL);
  GDateTime *now;
  gsize len = 0;
  guint i, pi = 0, di = 0;
  gboolean ok = FALSE;

  if (!(fraction > 0.0 && fraction <= 1.0)) {
    cascade_invalid_arg (error, "The tuning fraction %g is not in (0, 1]",
        fraction);
    goto out;
  }
  for (i = 0; i < G_N_ELEMENTS (tuners); i++) {
    exes[i] = g_find_program_in_path (tuners[i].exe);
    if (!exes[i]) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_UNSUPPORTED,
          "The CLBlast tuner %s is not installed: install the Debian "
          "package " TUNER_PACKAGE, tuners[i].exe);
      goto out;
    }
  }
  path = cascade_clblast_params_path (dev);
  if (!path) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG,
        "The cache is off (" CASCADE_CACHE_DIR_ENV "): there is nowhere to "
        "keep the tuning");
    goto out;
  }
  if (!device_indices (d, &pi, &di, error))
    goto out;
  tmp = g_dir_make_tmp ("cascade-clblast-XXXXXX", NULL);
  if (!tmp) {
    g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
        "Cannot create a temporary directory for the tuners");
    goto out;
  }

  kf = g_key_file_new ();
  platform = cascade_cl_platform_string (device_platform (d), CL_PLATFORM_NAME);
  device = cascade_cl_device_string (d, CL_DEVICE_NAME);
  g_key_file_set_string (kf, MATCH_GROUP, "device-type",
      device_type_name (d));
  g_key_file_set_string (kf, MATCH_GROUP, "platform-name", platform);
  g_key_file_set_string (kf, MATCH_GROUP, "device-name", device);
  best = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  for (i = 0; i < G_N_ELEMENTS (tuners); i++)
    if (!run_tuner (&tuners[i], exes[i], tmp, pi, di, fraction, kf, best,
            commands, error))
      goto out;

  now = g_date_time_new_now_utc ();
  date = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  g_date_time_unref (now);
  {
    gchar *comment = g_strdup_printf (" CLBlast tuning parameters (single "
        "precision) for %s: %s,\n written by cascade_clblast_tune on %s, "
        "fraction %g of the GEMM\n search spaces, with (one directory "
        "each):\n%s", platform, device, date, fraction, commands->str);
    /* GKeyFile puts a '#' in front of each line */
    g_key_file_set_comment (kf, NULL, NULL, g_strchomp (comment), NULL);
    g_free (comment);
  }
  text = g_key_file_to_data (kf, &len, NULL);
  /* what is written must read back */
  check = cascade_clblast_params_parse (text, len, path, error);
  if (!check || !cascade_cache_write (path, text, len, error))
    goto out;
  g_mutex_lock (&applied_lock);
  ok = cascade_clblast_params_apply_keyfile (dev, check, path, error);
  if (ok)
    remember (dev, g_strdup (path));
  g_mutex_unlock (&applied_lock);

out:
  for (i = 0; i < G_N_ELEMENTS (tuners); i++)
    g_free (exes[i]);
  if (tmp)
    remove_tree (tmp);
  if (best)
    g_hash_table_unref (best);
  if (kf)
    g_key_file_unref (kf);
  if (check)
    g_key_file_unref (check);
  g_string_free (commands, TRUE);
  g_free (tmp);
  g_free (text);
  g_free (date);
  g_free (platform);
  g_free (device);
  g_free (path);
  return ok;
}
