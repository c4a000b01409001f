/* gst-cascade: choices made per device and per shape by measurement.
 *
 * Where an operation has several implementations (a GEMM: our CPU kernel
 * or CLBlast; a convolution: im2col + GEMM, the shifted-input kernel or
 * Winograd), the first use of a shape on a device times each candidate on
 * the real operands and keeps the fastest.  The choice is remembered for the
 * process and written to the device's file in the disk cache
 * (runtime/cache.h: tuning/<device key>.ini, one group per operation, one
 * key per shape, value "choice  name=ms name=ms ..."), so a later start
 * reads it instead of measuring again.  `cascade-tune` fills the file ahead of time.
 *
 * $CASCADE_TUNE (read by options.h) selects the policy:
 *   "measure" (default)  stored choice, else measure and store, as the
 *                        thread's allowance permits (below): a shape not
 *                        measured yet runs its built-in default meanwhile
 *   "cached"             stored choice, else the built-in default
 *   "off"                always the built-in default
 *   "force"              measure every shape again (once per process),
 *                        whatever the allowance
 *
 * The allowance (cascade_tuning_frame_begin) keeps measuring off a first
 * frame: the engine (engine.c) gives its first frame none, so that it runs
 * every unmeasured shape with its built-in default (ops/conv-choice.c,
 * blas/gemm.c) and records nothing, and each later frame a few hundred
 * milliseconds of measuring, until every shape is measured and stored.
 * A thread that never sets one (tests, tools calling operations
 * directly, `cascade-tune`) measures each shape on its first use. */
#pragma once

#include "runtime/device.h"
#include "runtime/options.h"

G_BEGIN_DECLS

/* the mode of $CASCADE_TUNE as last read (options.h) */
CascadeTuneMode cascade_tune_mode (void);

/* The stored choice for (op, key) on dev, or NULL (none, or the mode says
 * not to use it).  The string lives as long as the process. */
const gchar *cascade_tuning_lookup (CascadeDevice * dev, const gchar * op,
    const gchar * key);

/* Remembers `choice` for (op, key), with the n candidates' times, and
 * rewrites the device's file (errors writing it are logged, not fatal:
 * the cache is an optimisation). */
void cascade_tuning_record (CascadeDevice * dev, const gchar * op,
    const gchar * key, const gchar * choice, const gchar * const *names,
    const gdouble * ms, guint n);

#define CASCADE_TUNE_MAX_CANDIDATES 8

typedef struct _CascadeCtx CascadeCtx;

/* Runs candidate i of an operation (same output whatever i) */
typedef gboolean (*CascadeTuneRun) (gpointer data, guint i, GError ** error);

/* Runs the operation (op, key) once with the best of its n candidates
 * (names[i] NULL: candidate i does not apply).  The stored choice if there
 * is one; else, when the mode allows and may_measure (the operation can be
 * run again without changing its output: it does not read what it
 * writes) and the thread's allowance has room, each candidate is run
 * twice and the second run timed (once only for the candidate this process
 * already ran for the key: its kernels are compiled), the fastest
 * recorded, and its output left; else `fallback`, the built-in default.  *chosen (may
 * be NULL) is the candidate used; *measured whether they were measured. */
gboolean cascade_tune_run (CascadeCtx * ctx, const gchar * op,
    const gchar * key, const gchar * const *names, guint n, guint fallback,
    gboolean may_measure, CascadeTuneRun run, gpointer data, guint * chosen,
    gboolean * measured, GError ** error);

/* The calling thread's allowance for measuring shapes not yet measured,
 * from now on: budget_ms < 0: none needed (each shape is measured on first
 * use); 0: no measuring (the built-in default runs, nothing is recorded);
 * > 0: shapes are measured until measuring has taken budget_ms (at least
 * one shape is measured; the one that passes the budget finishes). */
void cascade_tuning_frame_begin (gdouble budget_ms);
/* Back to no limit, the counts below kept */
void cascade_tuning_frame_end (void);

/* Since the calling thread's last cascade_tuning_frame_begin (up to its
 * cascade_tuning_frame_end): how many
 * shapes were measured, and how many runs of unmeasured shapes took their
 * built-in default (in MEASURE mode, for want of allowance: those shapes
 * are measured later). */
guint cascade_tuning_frame_measured (void);
guint cascade_tuning_frame_deferred (void);

/* Path of dev's tuning file (NULL when the disk cache is off). */
gchar *cascade_tuning_path (CascadeDevice * dev);

/* Forgets what this process has measured or read (tests). */
void cascade_tuning_reset (void);

G_END_DECLS
