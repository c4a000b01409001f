/* gst-cascade: OpenCL device, context and the programs built for it */
#pragma once

#include <glib.h>
#include <CL/cl.h>

#include "runtime/options.h"
#include "runtime/program.h"

G_BEGIN_DECLS

typedef struct _CascadeDevice CascadeDevice;

/* Opens (or returns the already open, shared) device matching spec:
 *   NULL or ""   the first GPU, else the first device of any type
 *   "N"          the N-th device counting over all platforms
 *   "P:D"        device D of platform P
 *   other        the first device whose "platform device" name contains
 *                spec, ignoring case
 * $CASCADE_DEVICE, when set, replaces spec (the environment is read
 * again, options.h, on every call).  A device without OpenCL 1.2, a
 * compiler, or enough memory (512 MiB, or $CASCADE_DEVICE_MIN_MEM_MB) is
 * refused with CASCADE_ERROR_DEVICE.
 * Thread-safe; every caller asking for the same device shares one context.
 * An opened device stays open (with its compiled programs) until the
 * process ends, so that a restarted pipeline does not compile again. */
CascadeDevice *cascade_device_open (const gchar * spec, GError ** error);
CascadeDevice *cascade_device_ref (CascadeDevice * dev);
void cascade_device_unref (CascadeDevice * dev);

cl_context cascade_device_context (CascadeDevice * dev);
cl_device_id cascade_device_id (CascadeDevice * dev);
/* "Platform: Device" */
const gchar *cascade_device_name (CascadeDevice * dev);
guint64 cascade_device_max_alloc (CascadeDevice * dev);
guint64 cascade_device_global_mem (CascadeDevice * dev);
guint cascade_device_compute_units (CascadeDevice * dev);
gboolean cascade_device_is_cpu (CascadeDevice * dev);
/* CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT (at least 1): 16 on AVX-512 CPUs, 8
 * on AVX2 ones, 1 on most GPUs; what the kernels' register tiles are
 * shaped from (blas/gemm.h, devtools/peak.h) */
guint cascade_device_vector_width (CascadeDevice * dev);

/* The program built from <name>.cl (program.h), once per device on first
 * use (the build log is in the error if it fails); the binary is kept in
 * the disk cache (program-cache.h), so a later process loads it instead
 * of compiling.  The device keeps the reference; callers create their own
 * cl_kernel objects from it. */
cl_program cascade_device_program (CascadeDevice * dev, const gchar * name,
    GError ** error);

G_END_DECLS
