/* gst-cascade: the engine's policy from the environment, read once.
 *
 * Every CASCADE_* variable that the engine obeys is read here, into one
 * set of options, when a device is opened or a context made (an engine is
 * both): not per GEMM or per convolution.  A value that is not valid gives
 * one warning naming the variable and what is used instead (once per
 * process and value, not per call).  README.md ("Environment variables")
 * documents them all. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CASCADE_DEVICE_ENV "CASCADE_DEVICE"
#define CASCADE_DEVICE_MIN_MEM_ENV "CASCADE_DEVICE_MIN_MEM_MB"
#define CASCADE_CACHE_DIR_ENV "CASCADE_CACHE_DIR"
#define CASCADE_TUNE_ENV "CASCADE_TUNE"
#define CASCADE_GEMM_ENV "CASCADE_GEMM"
#define CASCADE_GEMM_KC_ENV "CASCADE_GEMM_KC"
#define CASCADE_GEMM_TILE_ENV "CASCADE_GEMM_TILE"
#define CASCADE_CONV_ENV "CASCADE_CONV"
#define CASCADE_DETECT_DELAY_ENV "CASCADE_DETECT_DELAY_MS"

/* $CASCADE_TUNE (blas/tuning.h) */
typedef enum
{
  CASCADE_TUNE_MEASURE,
  CASCADE_TUNE_CACHED,
  CASCADE_TUNE_OFF,
  CASCADE_TUNE_FORCE,
} CascadeTuneMode;

/* $CASCADE_GEMM and $CASCADE_CONV: a forced implementation, or none */
typedef enum
{
  CASCADE_FORCE_NONE,           /* unset: the device's default, measured */
  CASCADE_FORCE_DEFAULT,        /* set to anything else: the default,
                                   never measured */
  CASCADE_FORCE_CLBLAST,        /* CASCADE_GEMM=clblast */
  CASCADE_FORCE_CPU,            /* CASCADE_GEMM=cpu */
  CASCADE_FORCE_IM2COL,         /* CASCADE_CONV=im2col */
  CASCADE_FORCE_SHIFT,          /* CASCADE_CONV=shift */
  CASCADE_FORCE_WINOGRAD,       /* CASCADE_CONV=winograd (where it applies) */
  CASCADE_FORCE_WINOGRAD4,      /* CASCADE_CONV=winograd4 (F(4x4), ditto) */
} CascadeForce;

/* Reads the environment again (cascade_device_open and cascade_ctx_new
 * call it; so do tests that change the environment between two calls on
 * one context).  Thread-safe. */
void cascade_options_reload (void);

/* The options as last read (read first on the first call).  Strings are
 * newly allocated. */
/* $CASCADE_DEVICE, NULL when unset or empty */
gchar *cascade_options_device (void);
/* $CASCADE_DEVICE_MIN_MEM_MB, 0 when unset */
guint64 cascade_options_min_mem_mb (void);
/* the cache directory: $CASCADE_CACHE_DIR, else
 * $XDG_CACHE_HOME/gst-cascade; NULL when CASCADE_CACHE_DIR is off or 0 */
gchar *cascade_options_cache_dir (void);
CascadeTuneMode cascade_options_tune (void);
CascadeForce cascade_options_gemm (void);
/* $CASCADE_GEMM_KC, else `fallback` */
gsize cascade_options_gemm_kc (gsize fallback);
/* $CASCADE_GEMM_TILE: "8x32", "12x32", "6x16" or "4x24", the register
 * tile of our CPU GEMM and shifted convolution (blas/gemm.h); NULL when
 * unset or not one of those (the device's own, measured per shape) */
const gchar *cascade_options_gemm_tile (void);
CascadeForce cascade_options_conv (void);
/* $CASCADE_DETECT_DELAY_MS (0..60000), 0 when unset: a testing knob that
 * makes every cascade_engine_detect take that much longer (a slow engine
 * for the tests of live behaviour) */
guint cascade_options_detect_delay_ms (void);

G_END_DECLS
