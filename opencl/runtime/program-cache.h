/* gst-cascade: compiled OpenCL programs kept in the on-disk cache
 * (cache.h), so that a second process start loads binaries instead of
 * compiling the kernel sources again.
 *
 * An entry is <cache dir>/programs/<key>.bin, where the key covers the
 * platform name and version, the device name and version, the driver
 * version, the build options and the whole source text: anything that
 * changes the binary gives another entry.  The file is a small header
 * (magic, payload length, SHA-256 of the payload) and the driver's binary,
 * so that a truncated or damaged file is recognised before the driver sees
 * it.  Hits, misses and stores are logged at INFO (log.h); every failure
 * is logged at DEBUG and otherwise ignored: the caller builds from source
 * instead. */
#pragma once

#include <glib.h>
#include <CL/cl.h>

G_BEGIN_DECLS

/* Path of the entry for source built with options on device (newly
 * allocated; creates the programs/ directory), or NULL when the cache is
 * off (CASCADE_CACHE_DIR=off) or its directory cannot be created. */
gchar *cascade_program_cache_file (cl_device_id device, const gchar * options,
    const gchar * source);

/* The program of the cache entry, created with clCreateProgramWithBinary
 * and built for device, or NULL when there is no entry, it is damaged, or
 * the driver refuses it.  name is for the log only. */
cl_program cascade_program_cache_load (cl_context context,
    cl_device_id device, const gchar * name, const gchar * options,
    const gchar * source);

/* Stores the binary of prog, built from source with options for device
 * alone, replacing any entry (atomically).  Returns TRUE when it was
 * written; FALSE when the cache is off or anything failed. */
gboolean cascade_program_cache_store (cl_program prog, cl_device_id device,
    const gchar * name, const gchar * options, const gchar * source);

/* Writing an entry asks the driver for the program's binary, and PoCL
 * then compiles every kernel of it for any work-group size: about 8 s for
 * our programs on a 2-core Zen 4, paid by a process that builds them from
 * source (a fresh machine).  The engine defers that off its start and
 * first frame:
 *  - cascade_program_cache_defer: from now on cascade_program_cache_put
 *    queues the program (retained) instead of writing it;
 *  - cascade_program_cache_flush: ends the deferral and writes the queue
 *    on a background thread;
 *  - cascade_program_cache_wait: waits until that thread has written it.
 * Without a deferral, cascade_program_cache_put writes at once. */
void cascade_program_cache_defer (void);
void cascade_program_cache_flush (void);
void cascade_program_cache_wait (void);
/* cascade_program_cache_store, now or queued (above) */
void cascade_program_cache_put (cl_program prog, cl_device_id device,
    const gchar * name, const gchar * options, const gchar * source);

G_END_DECLS
