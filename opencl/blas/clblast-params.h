/* gst-cascade: CLBlast tuning parameters per device.
 *
 * CLBlast ships tuned kernel parameters for many GPUs but none for PoCL's
 * CPU device, where its defaults run GEMMs at a fraction of the device's
 * speed.  The parameters are GKeyFiles: one group per CLBlast kernel, named
 * as CLBlastOverrideParameters expects it ([Xgemm], [XgemmDirect], [Copy],
 * [Pad], [Transpose], [Padtranspose], ...), whose keys are that kernel's
 * parameters (KWG=32, ...), all for single precision; plus a [match] group
 * that says which devices a shipped file is for:
 *
 *   [match]
 *   device-type=CPU          CPU, GPU or ACCELERATOR
 *   platform-name=Portable   a substring of the platform's name
 *   device-name=EPYC         a substring of the device's name
 *
 * Every key given in [match] must fit (case is ignored; a key not listed
 * here fits no device).  A device gets, in this order: its own file in the
 * cache (written by the developer tool cascade-tune, through
 * tools/devtools/clblast-tune.h: clblast/<device key>.ini in the cache
 * directory, see runtime/cache.h), else the first shipped file
 * (opencl/blas/<name>.ini, embedded at build time) whose [match] fits,
 * else CLBlast's own defaults. */
#pragma once

#include "runtime/device.h"

G_BEGIN_DECLS

/* the group of a file that says which devices it fits */
#define CASCADE_CLBLAST_MATCH_GROUP "match"

/* Applies the parameters for dev (see above), once per OpenCL device and
 * process; later calls return TRUE at once.  Thread-safe.  The device's
 * own file is a cache entry: unreadable or damaged, it is ignored (the
 * shipped parameters apply).  A group that CLBlast refuses (an unknown
 * kernel, a missing or unknown parameter) is an error naming the file and
 * the group; nothing is remembered then, so the next call tries again. */
gboolean cascade_clblast_params_apply (CascadeDevice * dev, GError ** error);

/* The pieces of the function above, for tests and tools. */

/* The path of dev's own file in the cache (it may not exist); NULL when the
 * cache is off. */
gchar *cascade_clblast_params_path (CascadeDevice * dev);

/* Parses and checks one file (origin names it in messages): groups and keys
 * must be well formed, values unsigned integers.  NULL with an error when
 * it is damaged. */
GKeyFile *cascade_clblast_params_parse (const gchar * data, gsize len,
    const gchar * origin, GError ** error);

/* The file that applies to dev (its own, else the first shipped one whose
 * [match] fits) with its origin ("<path>" or "built-in <name>") in *origin;
 * NULL without error when there is none (a damaged own file counts as
 * none); NULL with an error only when a shipped file is damaged. */
GKeyFile *cascade_clblast_params_lookup (CascadeDevice * dev,
    gchar ** origin, GError ** error);

/* Whether the [match] group of kf fits dev (a file without one fits every
 * device). */
gboolean cascade_clblast_params_match (CascadeDevice * dev, GKeyFile * kf);

/* Applies every kernel group of kf to dev now, whether or not parameters
 * were applied before. */
gboolean cascade_clblast_params_apply_keyfile (CascadeDevice * dev,
    GKeyFile * kf, const gchar * origin, GError ** error);

/* Applies kf (from origin) to dev now and records it as what was applied
 * (the tuner's result, tools/devtools/clblast-tune.h).  Thread-safe. */
gboolean cascade_clblast_params_install (CascadeDevice * dev, GKeyFile * kf,
    const gchar * origin, GError ** error);

/* What cascade_clblast_params_apply applied to dev: the origin of the file,
 * "none" when no file fits, NULL when it has not run (newly allocated). */
gchar *cascade_clblast_params_applied (CascadeDevice * dev);

/* The shipped files (generated at build time from opencl/blas/<name>.ini by
 * opencl/embed.py), terminated by { NULL, NULL }. */
typedef struct
{
  const gchar *name;            /* file name without .ini */
  const gchar *text;            /* NUL-terminated */
} CascadeClblastDefault;

extern const CascadeClblastDefault cascade_clblast_defaults[];

G_END_DECLS
