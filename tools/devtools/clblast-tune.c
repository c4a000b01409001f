/* gst-cascade devtools: running CLBlast's tuners for a device */
#include "fs.h"
#include "clblast-tune.h"
#include "blas/clblast-params.h"
#include "runtime/cache.h"
#include "runtime/clinfo.h"
#include "runtime/error.h"
#include "runtime/log.h"

#include <json-glib/json-glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

#define MATCH_GROUP CASCADE_CLBLAST_MATCH_GROUP
#define TUNER_PACKAGE "clblast-utils"
/* the tuners' name for single precision, in their JSON and file names */
#define TUNER_PRECISION "32"
/* what a tuner's output tail in an error message is cut to */
#define OUTPUT_TAIL 1500

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
  GArray *all = cascade_cl_devices (NULL);
  gboolean found = FALSE;
  guint i;

  for (i = 0; !found && all && i < all->len; i++) {
    const CascadeClDevice *e = &g_array_index (all, CascadeClDevice, i);
    if (e->device == d) {
      *pi = e->platform_index;
      *di = e->device_index;
      found = TRUE;
    }
  }
  if (all)
    g_array_unref (all);
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
  CASCADE_LOG_INFO ("tuning: running %s", cmd);
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
  if (g_hash_table_contains (best, t->kernel))
    CASCADE_LOG_INFO ("tuning: %s: fastest parameters so far %.3f ms",
        t->kernel, *(gdouble *) g_hash_table_lookup (best, t->kernel));
  if (!g_key_file_has_group (kf, t->kernel)) {
    /* with a small fraction a tuner may find nothing to try */
    if (strcmp (t->kernel, "Xgemm") == 0) {
      g_set_error (error, CASCADE_ERROR, CASCADE_ERROR_BLAS,
          "%s found no working parameters (fraction %g too small?):\n%s",
          exe, fraction, tail (out));
      ok = FALSE;
    } else {
      CASCADE_LOG_INFO ("tuning: %s found nothing; CLBlast's defaults stay",
          exe);
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
  platform = cascade_cl_platform_string (cascade_cl_device_platform (d),
      CL_PLATFORM_NAME);
  device = cascade_cl_device_string (d, CL_DEVICE_NAME);
  g_key_file_set_string (kf, MATCH_GROUP, "device-type",
      cascade_cl_device_type_name (d));
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
  ok = cascade_clblast_params_install (dev, check, path, error);
  if (ok)
    CASCADE_LOG_INFO ("tuning: CLBlast parameters for %s written to %s",
        device, path);

out:
  for (i = 0; i < G_N_ELEMENTS (tuners); i++)
    g_free (exes[i]);
  if (tmp)
    cascade_remove_tree (tmp);
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
