/* gst-cascade tests: CLBlast tuning parameters (clblast-params.h): the
 * shipped files parse and apply, damaged cache files are ignored, wrong
 * parameters are errors (never
 * crashes), a device's own file wins over the shipped one, tuning with
 * (fake) tuners writes and applies that file, and CLBlast's GEMM with the
 * tuned parameters still matches a plain loop.
 *
 * Parameters are applied once per device and process, and cannot be taken
 * back: every test that applies something runs in a subprocess of its own
 * (g_test_trap_subprocess), with a fresh $CASCADE_CACHE_DIR. */
#include "fs.h"
#include "testutil.h"
#include "blas/clblast-params.h"
#include "clblast-tune.h"
#include "blas/gemm.h"

#include <glib/gstdio.h>
#include <string.h>

static CascadeDevice *dev;
static gchar *cache_dir;

/* a fresh, empty cache directory for this process */
static void
fresh_cache (void)
{
  gchar *tmp = g_dir_make_tmp ("cascade-clblast-test-XXXXXX", NULL);
  g_assert_nonnull (tmp);
  test_setenv ("CASCADE_CACHE_DIR", tmp);
  g_free (tmp);
}

static void
in_subprocess (void)
{
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* the shipped file for PoCL's CPU device, if that is the device here */
static gboolean
is_pocl_cpu (void)
{
  gchar *name = g_ascii_strdown (cascade_device_name (dev), -1);
  gboolean yes = cascade_device_is_cpu (dev)
      && strstr (name, "portable computing language") != NULL;
  g_free (name);
  return yes;
}

static GKeyFile *
shipped (const gchar * name)
{
  guint i;
  GError *err = NULL;
  for (i = 0; cascade_clblast_defaults[i].name; i++) {
    const CascadeClblastDefault *d = &cascade_clblast_defaults[i];
    if (strcmp (d->name, name) == 0) {
      GKeyFile *kf = cascade_clblast_params_parse (d->text, strlen (d->text),
          name, &err);
      g_assert_no_error (err);
      return kf;
    }
  }
  g_assert_not_reached ();
  return NULL;
}

static void
assert_damaged (const gchar * text, const gchar * needle)
{
  GError *err = NULL;
  GKeyFile *kf = cascade_clblast_params_parse (text, strlen (text),
      "test.ini", &err);
  g_assert_null (kf);
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_assert_nonnull (strstr (err->message, "test.ini"));
  if (needle && !strstr (err->message, needle))
    g_error ("\"%s\" not in \"%s\"", needle, err->message);
  g_clear_error (&err);
}

/* every shipped file parses, has a [match] and an [Xgemm]; damaged texts
 * are errors that name the file and what is wrong */
static void
test_parse (void)
{
  static const gchar binary[] = { 'K', 'W', 'G', (gchar) 0xff, '\n', 0 };
  GKeyFile *kf;
  gchar *type;
  guint i;

  g_assert_nonnull (cascade_clblast_defaults[0].name);
  for (i = 0; cascade_clblast_defaults[i].name; i++) {
    kf = shipped (cascade_clblast_defaults[i].name);
    g_assert_true (g_key_file_has_group (kf, "match"));
    g_assert_true (g_key_file_has_group (kf, "Xgemm"));
    g_assert_cmpuint (g_key_file_get_uint64 (kf, "Xgemm", "MWG", NULL), >,
        0);
    g_key_file_unref (kf);
  }
  kf = shipped ("clblast-pocl-cpu");
  type = g_key_file_get_string (kf, "match", "device-type", NULL);
  g_assert_cmpstr (type, ==, "CPU");
  g_free (type);
  g_assert_true (cascade_clblast_params_match (dev, kf) == is_pocl_cpu ());
  g_key_file_unref (kf);

  assert_damaged ("", "no CLBlast kernel group");
  assert_damaged ("[match]\ndevice-type=CPU\n", "no CLBlast kernel group");
  assert_damaged ("garbage\x01\x02 no groups", NULL);
  assert_damaged (binary, "UTF-8");
  assert_damaged ("[Xgemm]\nKWG=abc\n", "KWG=abc");
  assert_damaged ("[Xgemm]\nKWG=-1\n", "KWG=-1");
  assert_damaged ("[Xgemm]\nKWG=99999999999\n", "KWG");
  assert_damaged ("[Xgemm]\n", "[Xgemm] has no parameters");
  assert_damaged ("[Not a kernel]\nA=1\n", "[Not a kernel]");
  assert_damaged ("[Xgemm]\nK-WG=1\n", "K-WG");
}

/* a garbage file in the device's place of the cache is a damaged cache
 * entry: ignored (cache.h), the shipped parameters apply; no crash */
static void
test_damaged (void)
{
  GError *err = NULL;
  gchar *path, *origin = NULL;
  GKeyFile *kf;
  CascadeCtx *ctx;
  guint i;
  static const gchar *garbage[] = {
    "\x7f" "ELF\x01\x02\x03 not a key file at all\n",
    "[Xgemm]\nKWG=32\nMWG=\n",
    "[Xgemm\nKWG=32\n",
  };

  if (!g_test_subprocess ()) {
    in_subprocess ();
    return;
  }
  fresh_cache ();
  path = cascade_clblast_params_path (dev);
  g_assert_nonnull (path);
  g_assert_true (g_str_has_prefix (path, g_getenv ("CASCADE_CACHE_DIR")));
  g_assert_true (g_str_has_suffix (path, ".ini"));
  for (i = 0; i < G_N_ELEMENTS (garbage) + 1; i++) {
    if (i < G_N_ELEMENTS (garbage)) {
      g_assert_true (g_file_set_contents (path, garbage[i], -1, NULL));
    } else {
      /* a directory in its place cannot be read */
      g_assert_true (g_unlink (path) == 0);
      g_assert_true (g_mkdir (path, 0700) == 0);
    }
    kf = cascade_clblast_params_lookup (dev, &origin, &err);
    g_assert_no_error (err);
    if (is_pocl_cpu ()) {
      g_assert_nonnull (kf);
      g_assert_true (g_str_has_prefix (origin, "built-in "));
    } else {
      g_assert_null (kf);
    }
    if (kf)
      g_key_file_unref (kf);
    g_clear_pointer (&origin, g_free);
    ctx = cascade_ctx_new (dev, &err);
    g_assert_no_error (err);
    cascade_ctx_free (ctx);
  }
  g_rmdir (path);
  cascade_remove_tree (g_getenv ("CASCADE_CACHE_DIR"));
  g_free (path);
}

/* groups CLBlast refuses are errors naming the group (and the parameter) */
static void
test_refused (void)
{
  GError *err = NULL;
  GKeyFile *kf;

  if (!g_test_subprocess ()) {
    in_subprocess ();
    return;
  }
  if (!is_pocl_cpu ()) {
    g_test_skip ("not PoCL's CPU device");
    return;
  }
  /* an unknown parameter next to the real ones */
  kf = shipped ("clblast-pocl-cpu");
  g_key_file_set_uint64 (kf, "Xgemm", "NOT_A_PARAMETER", 1);
  g_assert_false (cascade_clblast_params_apply_keyfile (dev, kf, "test.ini",
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
  g_assert_nonnull (strstr (err->message, "[Xgemm]"));
  g_assert_nonnull (strstr (err->message, "NOT_A_PARAMETER"));
  g_assert_nonnull (strstr (err->message, "test.ini"));
  g_clear_error (&err);
  g_key_file_unref (kf);

  /* a parameter missing */
  kf = shipped ("clblast-pocl-cpu");
  g_key_file_remove_key (kf, "Xgemm", "KWG", NULL);
  g_assert_false (cascade_clblast_params_apply_keyfile (dev, kf, "test.ini",
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
  g_assert_nonnull (strstr (err->message, "[Xgemm]"));
  g_assert_nonnull (strstr (err->message, "CLBlastMissingOverrideParameter"));
  g_clear_error (&err);
  g_key_file_unref (kf);

  /* a kernel CLBlast does not have */
  kf = g_key_file_new ();
  g_key_file_set_uint64 (kf, "Xnothing", "KWG", 32);
  g_assert_false (cascade_clblast_params_apply_keyfile (dev, kf, "test.ini",
          &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
  g_assert_nonnull (strstr (err->message, "[Xnothing]"));
  g_clear_error (&err);
  g_key_file_unref (kf);
}

/* C = 0.5 A B + 2 C through cascade_gemm against a loop in double; float
 * accumulation of k products of magnitude <= 1 */
static void
check_gemm (CascadeCtx * ctx, gsize m, gsize n, gsize k, gboolean ta,
    gboolean tb)
{
  test_check_gemm (ctx, m, n, k, ta, tb, 2e-6 * sqrt ((gdouble) k) + 1e-5,
      1e-5);
}

static void
gemm_shapes (CascadeCtx * ctx)
{
  check_gemm (ctx, 37, 131, 67, FALSE, FALSE);
  check_gemm (ctx, 64, 3136, 576, FALSE, FALSE);        /* ResNet 3x3, 56x56 */
  check_gemm (ctx, 37, 131, 67, TRUE, FALSE);
  check_gemm (ctx, 37, 131, 67, FALSE, TRUE);
  check_gemm (ctx, 3, 5, 1000, FALSE, FALSE);   /* CLBlast's direct kernel */
}

/* the shipped parameters apply on PoCL (through cascade_ctx_new) and
 * CLBlast's GEMM still computes the right thing with them */
static void
test_defaults_gemm (void)
{
  GError *err = NULL;
  CascadeCtx *ctx;
  gchar *origin = NULL;
  GKeyFile *kf;

  if (!g_test_subprocess ()) {
    in_subprocess ();
    return;
  }
  if (!is_pocl_cpu ()) {
    g_test_skip ("not PoCL's CPU device");
    return;
  }
  fresh_cache ();
  kf = cascade_clblast_params_lookup (dev, &origin, &err);
  g_assert_no_error (err);
  g_assert_nonnull (kf);
  g_assert_cmpstr (origin, ==, "built-in clblast-pocl-cpu.ini");
  g_key_file_unref (kf);
  g_free (origin);

  g_assert_null (cascade_clblast_params_applied (dev));
  test_setenv ("CASCADE_GEMM", "clblast");
  ctx = cascade_ctx_new (dev, &err);
  g_assert_no_error (err);
  g_assert_cmpint (cascade_gemm_impl (ctx), ==, CASCADE_GEMM_CLBLAST);
  origin = cascade_clblast_params_applied (dev);
  g_assert_cmpstr (origin, ==, "built-in clblast-pocl-cpu.ini");
  g_free (origin);
  /* once per device: a second call does nothing */
  g_assert_true (cascade_clblast_params_apply (dev, &err));
  g_assert_no_error (err);
  gemm_shapes (ctx);
  cascade_ctx_free (ctx);
  test_setenv ("CASCADE_GEMM", NULL);
  cascade_remove_tree (g_getenv ("CASCADE_CACHE_DIR"));
}

/* the device's own file wins over the shipped one; it needs no [match] */
static void
test_own_file (void)
{
  GError *err = NULL;
  CascadeCtx *ctx;
  GKeyFile *kf;
  gchar *path, *text, *origin;

  if (!g_test_subprocess ()) {
    in_subprocess ();
    return;
  }
  if (!is_pocl_cpu ()) {
    g_test_skip ("not PoCL's CPU device");
    return;
  }
  fresh_cache ();
  /* CLBlast 1.5.3's own defaults for Xgemm, single precision */
  kf = g_key_file_new ();
#define SET(name, v) g_key_file_set_uint64 (kf, "Xgemm", name, v)
  SET ("GEMMK", 0);
  SET ("KREG", 1);
  SET ("KWG", 32);
  SET ("KWI", 2);
  SET ("MDIMA", 8);
  SET ("MDIMC", 8);
  SET ("MWG", 32);
  SET ("NDIMB", 16);
  SET ("NDIMC", 16);
  SET ("NWG", 32);
  SET ("SA", 1);
  SET ("SB", 1);
  SET ("STRM", 0);
  SET ("STRN", 0);
  SET ("VWM", 4);
  SET ("VWN", 2);
#undef SET
  text = g_key_file_to_data (kf, NULL, NULL);
  g_key_file_unref (kf);
  path = cascade_clblast_params_path (dev);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_free (text);

  test_setenv ("CASCADE_GEMM", "clblast");
  ctx = cascade_ctx_new (dev, &err);
  g_assert_no_error (err);
  origin = cascade_clblast_params_applied (dev);
  g_assert_cmpstr (origin, ==, path);
  g_free (origin);
  check_gemm (ctx, 37, 131, 67, FALSE, FALSE);
  check_gemm (ctx, 64, 3136, 576, FALSE, FALSE);
  cascade_ctx_free (ctx);
  test_setenv ("CASCADE_GEMM", NULL);
  g_free (path);
  cascade_remove_tree (g_getenv ("CASCADE_CACHE_DIR"));
}

/* ------------------------------------------------------------------------ */
/* tuning, with fake tuners: shell scripts under the tuners' names that
 * record their arguments and leave prepared results in their directory */

static const struct
{
  const gchar *exe, *kernel;
  const gchar *files[2];        /* JSON files it writes */
} fakes[] = {
  {"clblast_tuner_xgemm", "Xgemm",
      {"clblast_xgemm_1_32.json", "clblast_xgemm_2_32.json"}},
  {"clblast_tuner_copy_fast", "Copy", {"clblast_copy_32.json"}},
  {"clblast_tuner_copy_pad", "Pad", {"clblast_pad_32.json"}},
  {"clblast_tuner_transpose_fast", "Transpose",
      {"clblast_transpose_32.json"}},
  {"clblast_tuner_transpose_pad", "Padtranspose",
      {"clblast_padtranspose_32.json"}},
  /* finds nothing (as with a too small fraction): CLBlast's defaults stay */
  {"clblast_tuner_xgemm_direct", "XgemmDirect", {NULL}},
};

/* a tuner's JSON: two results, the faster (time `best`) with the shipped
 * parameters of `kernel` plus `plus`, the other with every parameter + 1 */
static gchar *
fake_json (GKeyFile * ref, const gchar * kernel, gdouble best, guint plus)
{
  GString *s = g_string_new ("{\n  \"kernel_family\": \"fake\",\n"
      "  \"precision\": \"32\",\n  \"device\": \"x\",\n  \"results\": [\n");
  gchar **keys = g_key_file_get_keys (ref, kernel, NULL, NULL);
  guint r, i;
  g_assert_nonnull (keys);
  for (r = 0; r < 2; r++) {
    g_string_append_printf (s, "    {\n      \"kernel\": \"K\",\n      "
        "\"time\": %.3f,\n      \"parameters\": {", r ? best : best + 10);
    for (i = 0; keys[i]; i++)
      g_string_append_printf (s, "\"%s\": %" G_GUINT64_FORMAT ",", keys[i],
          g_key_file_get_uint64 (ref, kernel, keys[i], NULL) + (r ? plus : 1));
    g_string_append (s, "\"PRECISION\": 32}\n    }");
    g_string_append (s, r ? "\n" : ",\n");
  }
  g_string_append (s, "  ]\n}\n");
  g_strfreev (keys);
  return g_string_free (s, FALSE);
}

static void
test_tune_fake (void)
{
  GError *err = NULL;
  GKeyFile *ref, *kf;
  gchar *bin, *path, *text, *log, *log_path, *origin, **groups;
  CascadeCtx *ctx;
  gboolean ok;
  guint i, j;

  if (!g_test_subprocess ()) {
    in_subprocess ();
    return;
  }
  if (!is_pocl_cpu ()) {
    g_test_skip ("not PoCL's CPU device");
    return;
  }
  fresh_cache ();
  ref = shipped ("clblast-pocl-cpu");
  bin = g_build_filename (g_getenv ("CASCADE_CACHE_DIR"), "bin", NULL);
  g_assert_true (g_mkdir (bin, 0700) == 0);
  log_path = g_build_filename (bin, "calls.log", NULL);
  for (i = 0; i < G_N_ELEMENTS (fakes); i++) {
    gchar *dir = g_strdup_printf ("%s/%s.d", bin, fakes[i].exe);
    gchar *script = g_strdup_printf ("#!/bin/sh\nPATH=/usr/bin:/bin\n"
        "echo \"$(basename \"$0\") $*\" >> '%s'\n"
        "for f in '%s'/*.json; do test -f \"$f\" && cp \"$f\" . ; done\n"
        "exit 0\n", log_path, dir);
    gchar *exe = g_build_filename (bin, fakes[i].exe, NULL);
    g_assert_true (g_mkdir (dir, 0700) == 0);
    g_assert_true (g_file_set_contents (exe, script, -1, NULL));
    g_assert_true (g_chmod (exe, 0700) == 0);
    for (j = 0; j < G_N_ELEMENTS (fakes[i].files) && fakes[i].files[j]; j++) {
      /* the fastest result of all is in the second file of Xgemm; the
       * first file's best is slower and has other values */
      gchar *json = fake_json (ref, fakes[i].kernel, j ? 5.0 : 20.0,
          j || !fakes[i].files[1] ? 0 : 2);
      gchar *file = g_build_filename (dir, fakes[i].files[j], NULL);
      g_assert_true (g_file_set_contents (file, json, -1, NULL));
      g_free (file);
      g_free (json);
    }
    g_free (exe);
    g_free (script);
    g_free (dir);
  }

  /* no tuners: an error that names the package */
  g_setenv ("PATH", g_getenv ("CASCADE_CACHE_DIR"), TRUE);
  g_assert_false (cascade_clblast_tune (dev, 0.5, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (err->message, "clblast-utils"));
  g_clear_error (&err);
  g_assert_false (cascade_clblast_tune (dev, 0.0, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);
  g_assert_false (cascade_clblast_tune (dev, 2.0, &err));
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_INVALID_ARG);
  g_clear_error (&err);

  g_setenv ("PATH", bin, TRUE);
  ok = cascade_clblast_tune (dev, 0.25, &err);
  g_setenv ("PATH", "/usr/bin:/bin", TRUE);
  g_assert_no_error (err);
  g_assert_true (ok);

  /* every tuner ran once, for this device, the GEMM ones on a quarter */
  g_assert_true (g_file_get_contents (log_path, &log, NULL, NULL));
  for (i = 0; i < G_N_ELEMENTS (fakes); i++) {
    gchar *line = g_strdup_printf ("%s -platform 0 -device 0 -precision 32 "
        "-fraction %s\n", fakes[i].exe,
        g_str_has_prefix (fakes[i].kernel, "Xgemm") ? "4" : "1");
    if (!strstr (log, line))
      g_error ("\"%s\" not in the tuners' calls:\n%s", line, log);
    g_free (line);
  }
  g_free (log);

  /* the device's file holds the fastest results, and was applied */
  path = cascade_clblast_params_path (dev);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "clblast_tuner_xgemm -platform 0"));
  kf = cascade_clblast_params_parse (text, strlen (text), path, &err);
  g_assert_no_error (err);
  g_assert_true (cascade_clblast_params_match (dev, kf));
  groups = g_key_file_get_groups (ref, NULL);
  for (i = 0; groups[i]; i++) {
    gchar **keys = g_key_file_get_keys (ref, groups[i], NULL, NULL);
    if (strcmp (groups[i], "match") == 0
        || strcmp (groups[i], "XgemmDirect") == 0) {
      g_assert_false (g_key_file_has_group (kf, "XgemmDirect"));
      g_strfreev (keys);
      continue;
    }
    for (j = 0; keys[j]; j++)
      g_assert_cmpuint (g_key_file_get_uint64 (kf, groups[i], keys[j],
              NULL), ==, g_key_file_get_uint64 (ref, groups[i], keys[j],
              NULL));
    g_assert_false (g_key_file_has_key (kf, groups[i], "PRECISION", NULL));
    g_strfreev (keys);
  }
  g_strfreev (groups);
  g_key_file_unref (kf);
  g_free (text);
  origin = cascade_clblast_params_applied (dev);
  g_assert_cmpstr (origin, ==, path);
  g_free (origin);

  /* and CLBlast computes with it */
  test_setenv ("CASCADE_GEMM", "clblast");
  ctx = cascade_ctx_new (dev, &err);
  g_assert_no_error (err);
  check_gemm (ctx, 37, 131, 67, FALSE, FALSE);
  cascade_ctx_free (ctx);
  test_setenv ("CASCADE_GEMM", NULL);

  /* a tuner that fails is an error with its output */
  {
    gchar *exe = g_build_filename (bin, "clblast_tuner_copy_pad", NULL);
    g_assert_true (g_file_set_contents (exe, "#!/bin/sh\necho broken tuner "
            "output\nexit 2\n", -1, NULL));
    g_assert_true (g_chmod (exe, 0700) == 0);
    g_free (exe);
  }
  g_setenv ("PATH", bin, TRUE);
  g_assert_false (cascade_clblast_tune (dev, 0.25, &err));
  g_setenv ("PATH", "/usr/bin:/bin", TRUE);
  g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
  g_assert_nonnull (strstr (err->message, "broken tuner output"));
  g_clear_error (&err);

  /* results that are not what the tuners write: an error naming the file
   * (copy_fast runs before the broken copy_pad) */
  {
    static const gchar *bad[] = { "{ not json", "", "[1, 2]",
      "{\"precision\": \"64\", \"results\": []}"
    };
    gchar *file = g_build_filename (bin, "clblast_tuner_copy_fast.d",
        "clblast_copy_32.json", NULL);
    for (i = 0; i < G_N_ELEMENTS (bad); i++) {
      g_assert_true (g_file_set_contents (file, bad[i], -1, NULL));
      g_setenv ("PATH", bin, TRUE);
      g_assert_false (cascade_clblast_tune (dev, 0.25, &err));
      g_setenv ("PATH", "/usr/bin:/bin", TRUE);
      g_assert_error (err, CASCADE_ERROR, CASCADE_ERROR_BLAS);
      g_assert_nonnull (strstr (err->message, "clblast_copy_32.json"));
      g_clear_error (&err);
    }
    g_free (file);
  }

  g_key_file_unref (ref);
  g_free (path);
  g_free (log_path);
  g_free (bin);
  cascade_remove_tree (g_getenv ("CASCADE_CACHE_DIR"));
}

int
main (int argc, char **argv)
{
  GError *err = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  /* never the user's cache: every test runs in a temporary one */
  cache_dir = g_dir_make_tmp ("cascade-clblast-test-XXXXXX", NULL);
  g_assert_nonnull (cache_dir);
  test_setenv ("CASCADE_CACHE_DIR", cache_dir);
  dev = cascade_device_open (NULL, &err);
  if (!dev) {
    if (g_error_matches (err, CASCADE_ERROR, CASCADE_ERROR_NO_DEVICE)) {
      g_printerr ("SKIP: %s\n", err->message);
      cascade_remove_tree (cache_dir);
      return TEST_SKIP;
    }
    g_error ("%s", err->message);
  }
  g_test_add_func ("/clblast-params/parse", test_parse);
  g_test_add_func ("/clblast-params/damaged", test_damaged);
  g_test_add_func ("/clblast-params/refused", test_refused);
  g_test_add_func ("/clblast-params/defaults-gemm", test_defaults_gemm);
  g_test_add_func ("/clblast-params/own-file", test_own_file);
  g_test_add_func ("/clblast-params/tune-fake", test_tune_fake);
  ret = g_test_run ();
  cascade_device_unref (dev);
  cascade_remove_tree (cache_dir);
  g_free (cache_dir);
  return ret;
}
