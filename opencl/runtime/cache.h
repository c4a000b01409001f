/* gst-cascade: the on-disk cache (compiled programs: program-cache.h;
 * per-shape choices: blas/tuning.h; CLBlast parameters:
 * blas/clblast-params.h).  Its directory is $CASCADE_CACHE_DIR, else
 * $XDG_CACHE_HOME/gst-cascade (g_get_user_cache_dir ()), as options.h last
 * read them.  CASCADE_CACHE_DIR=off (or "0") turns the disk cache off:
 * nothing is read or written.  Every write is atomic (a
 * temporary file renamed into place), so concurrent processes never see a
 * half-written entry; a damaged entry is ignored, never trusted. */
#pragma once

#include <glib.h>
#include <CL/cl.h>

#include "runtime/options.h"

G_BEGIN_DECLS

/* The cache directory (newly allocated), or NULL when the cache is off. */
gchar *cascade_cache_dir (void);

/* Path of `name` inside the subdirectory `sub` of the cache directory,
 * creating the subdirectory; NULL when the cache is off or it cannot be
 * created. */
gchar *cascade_cache_path (const gchar * sub, const gchar * name);

/* A short stable key: a SHA-256 prefix of parts joined by newlines. */
gchar *cascade_cache_key (const gchar * const *parts);

/* The path of one device's entry in `sub`: named by cascade_cache_key of
 * what identifies the device's compiled code (platform name and version,
 * device name, driver version, device version) followed by `extra`
 * (NULL-terminated, may be NULL), plus `suffix`.  NULL when the cache is
 * off. */
gchar *cascade_cache_device_path (cl_device_id device, const gchar * sub,
    const gchar * suffix, const gchar * const *extra);

/* Writes data to path atomically (g_file_set_contents does the temporary
 * file and rename). */
gboolean cascade_cache_write (const gchar * path, const void *data,
    gsize len, GError ** error);

G_END_DECLS
