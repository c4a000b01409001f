/* gst-cascade: the engine's policy from the environment, read once */
#include "runtime/options.h"
#include "runtime/log.h"

#include <string.h>

typedef struct
{
  gboolean read;
  gchar *device;
  guint64 min_mem_mb;
  gchar *cache_dir;
  CascadeTuneMode tune;
  CascadeForce gemm;
  gboolean gemm_kc_set;
  gsize gemm_kc;
  const gchar *gemm_tile;       /* a static string */
  CascadeForce conv;
  guint detect_delay_ms;
} Options;

static GMutex lock;
static Options opts;
/* variable name -> the invalid value last warned about */
static GHashTable *warned;

/* one warning per variable and value; call with lock held */
static void
invalid (const gchar * var, const gchar * value, const gchar * what)
{
  if (!warned)
    warned = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  if (g_strcmp0 (g_hash_table_lookup (warned, var), value) == 0)
    return;
  g_hash_table_replace (warned, (gpointer) var, g_strdup (value));
  CASCADE_LOG_WARNING ("%s=%s is not valid: %s", var, value, what);
}

static gboolean
is (const gchar * value, const gchar * word)
{
  return g_ascii_strcasecmp (value, word) == 0;
}

static CascadeTuneMode
read_tune (void)
{
  const gchar *env = g_getenv (CASCADE_TUNE_ENV);
  if (!env || !*env || is (env, "measure"))
    return CASCADE_TUNE_MEASURE;
  if (is (env, "cached"))
    return CASCADE_TUNE_CACHED;
  if (is (env, "force"))
    return CASCADE_TUNE_FORCE;
  if (!is (env, "off"))
    invalid (CASCADE_TUNE_ENV, env,
        "not measure, cached, off or force; using off");
  return CASCADE_TUNE_OFF;
}

/* set to anything non-empty, CASCADE_GEMM forces one implementation (the
 * device's default when the value is neither) */
static CascadeForce
read_gemm (void)
{
  const gchar *env = g_getenv (CASCADE_GEMM_ENV);
  if (!env || !*env)
    return CASCADE_FORCE_NONE;
  if (is (env, "clblast"))
    return CASCADE_FORCE_CLBLAST;
  if (is (env, "cpu"))
    return CASCADE_FORCE_CPU;
  invalid (CASCADE_GEMM_ENV, env, "not clblast or cpu; using the device's "
      "default implementation for every product, unmeasured");
  return CASCADE_FORCE_DEFAULT;
}

/* one of the tiles blas/gemm.c has, else NULL (the device's) */
static const gchar *
read_gemm_tile (void)
{
  static const gchar *const names[] = { "8x32", "12x32", "6x16", "4x24" };
  const gchar *env = g_getenv (CASCADE_GEMM_TILE_ENV);
  guint i;
  if (!env || !*env)
    return NULL;
  for (i = 0; i < G_N_ELEMENTS (names); i++)
    if (is (env, names[i]))
      return names[i];
  invalid (CASCADE_GEMM_TILE_ENV, env, "not 8x32, 12x32, 6x16 or 4x24; "
      "using the device's tiles, measured");
  return NULL;
}

/* set at all (even empty), CASCADE_CONV forces one algorithm */
static CascadeForce
read_conv (void)
{
  const gchar *env = g_getenv (CASCADE_CONV_ENV);
  if (!env)
    return CASCADE_FORCE_NONE;
  if (is (env, "im2col"))
    return CASCADE_FORCE_IM2COL;
  if (is (env, "shift"))
    return CASCADE_FORCE_SHIFT;
  if (is (env, "winograd"))
    return CASCADE_FORCE_WINOGRAD;
  if (is (env, "winograd4"))
    return CASCADE_FORCE_WINOGRAD4;
  if (*env)
    invalid (CASCADE_CONV_ENV, env, "not im2col, shift, winograd or "
        "winograd4; using the default algorithm for every convolution, "
        "unmeasured");
  return CASCADE_FORCE_DEFAULT;
}

static gboolean
read_uint (const gchar * var, guint64 max, guint64 * out)
{
  const gchar *env = g_getenv (var);
  if (!env)
    return FALSE;
  if (g_ascii_string_to_unsigned (env, 10, 0, max, out, NULL))
    return TRUE;
  invalid (var, env, "not an unsigned integer; ignored");
  return FALSE;
}

static gchar *
read_cache_dir (void)
{
  const gchar *env = g_getenv (CASCADE_CACHE_DIR_ENV);
  if (env && (is (env, "off") || strcmp (env, "0") == 0))
    return NULL;
  if (env && *env)
    return g_strdup (env);
  return g_build_filename (g_get_user_cache_dir (), "gst-cascade", NULL);
}

/* call with lock held */
static void
reload_locked (void)
{
  const gchar *device = g_getenv (CASCADE_DEVICE_ENV);
  guint64 v = 0;

  g_free (opts.device);
  g_free (opts.cache_dir);
  opts.device = device && *device ? g_strdup (device) : NULL;
  opts.min_mem_mb = read_uint (CASCADE_DEVICE_MIN_MEM_ENV, G_MAXUINT32, &v) ?
      v : 0;
  opts.cache_dir = read_cache_dir ();
  opts.tune = read_tune ();
  opts.gemm = read_gemm ();
  opts.gemm_kc_set = read_uint (CASCADE_GEMM_KC_ENV, G_MAXSIZE, &v);
  opts.gemm_kc = opts.gemm_kc_set ? (gsize) v : 0;
  opts.gemm_tile = read_gemm_tile ();
  opts.conv = read_conv ();
  opts.detect_delay_ms = read_uint (CASCADE_DETECT_DELAY_ENV, 60000, &v) ?
      (guint) v : 0;
  opts.read = TRUE;
}

void
cascade_options_reload (void)
{
  g_mutex_lock (&lock);
  reload_locked ();
  g_mutex_unlock (&lock);
}

/* the options, read on first use; returns with lock held */
static const Options *
get (void)
{
  g_mutex_lock (&lock);
  if (!opts.read)
    reload_locked ();
  return &opts;
}

gchar *
cascade_options_device (void)
{
  gchar *s = g_strdup (get ()->device);
  g_mutex_unlock (&lock);
  return s;
}

guint64
cascade_options_min_mem_mb (void)
{
  guint64 v = get ()->min_mem_mb;
  g_mutex_unlock (&lock);
  return v;
}

gchar *
cascade_options_cache_dir (void)
{
  gchar *s = g_strdup (get ()->cache_dir);
  g_mutex_unlock (&lock);
  return s;
}

CascadeTuneMode
cascade_options_tune (void)
{
  CascadeTuneMode v = get ()->tune;
  g_mutex_unlock (&lock);
  return v;
}

CascadeForce
cascade_options_gemm (void)
{
  CascadeForce v = get ()->gemm;
  g_mutex_unlock (&lock);
  return v;
}

gsize
cascade_options_gemm_kc (gsize fallback)
{
  const Options *o = get ();
  gsize v = o->gemm_kc_set ? o->gemm_kc : fallback;
  g_mutex_unlock (&lock);
  return v;
}

const gchar *
cascade_options_gemm_tile (void)
{
  const gchar *v = get ()->gemm_tile;
  g_mutex_unlock (&lock);
  return v;
}

CascadeForce
cascade_options_conv (void)
{
  CascadeForce v = get ()->conv;
  g_mutex_unlock (&lock);
  return v;
}

guint
cascade_options_detect_delay_ms (void)
{
  guint v = get ()->detect_delay_ms;
  g_mutex_unlock (&lock);
  return v;
}
