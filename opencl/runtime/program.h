/* gst-cascade: OpenCL programs built from the kernel sources
 * (kernel-sources.h: each <op>.cl beside its .c, embedded or read from the
 * source tree), through the disk cache of binaries (program-cache.h). */
#pragma once

#include <glib.h>
#include <CL/cl.h>

G_BEGIN_DECLS

/* Names of every kernel source file known to the library (NULL-terminated). */
const gchar *const *cascade_kernel_source_names (void);

/* Builds the program <name>.cl, with common.cl in front of it, for device
 * (device_label names it in messages): the binary from the disk cache when
 * it has a good one, else compiled from source and stored there.  The
 * build log is in the error if it fails.  Logs the build at INFO.  name
 * "<file>:<MACRO>" builds <file>.cl with MACRO defined as 1 (a variant:
 * a program of its own). */
cl_program cascade_program_build (cl_context context, cl_device_id device,
    const gchar * device_label, const gchar * name, GError ** error);

G_END_DECLS
