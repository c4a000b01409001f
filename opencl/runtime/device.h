/* gst-cascade: OpenCL device, context and the programs built for it */
#pragma once

#include <glib.h>
#include <CL/cl.h>

G_BEGIN_DECLS

/* Environment variable that overrides any device spec given by the caller. */
#define CASCADE_DEVICE_ENV "CASCADE_DEVICE"

typedef struct _CascadeDevice CascadeDevice;

/* Opens (or returns the already open, shared) device matching spec:
 *   NULL or ""   the first GPU, else the first device of any type
 *   "N"          the N-th device counting over all platforms
 *   "P:D"        device D of platform P
 *   other        the first device whose "platform device" name contains
 *                spec, ignoring case
 * $CASCADE_DEVICE, when set, replaces spec.  A device without OpenCL 1.2,
 * a compiler, or enough memory is refused with CASCADE_ERROR_DEVICE.
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
gboolean cascade_device_has_fp16 (CascadeDevice * dev);
guint64 cascade_device_max_alloc (CascadeDevice * dev);
guint64 cascade_device_global_mem (CascadeDevice * dev);
guint cascade_device_compute_units (CascadeDevice * dev);
gboolean cascade_device_is_cpu (CascadeDevice * dev);

/* The program built from kernels/<name>.cl, compiled once per device on
 * first use (the build log is in the error if it fails); the binary is
 * kept in the disk cache (program-cache.h), so a later process loads it
 * instead of compiling.  The device keeps the reference; callers create
 * their own cl_kernel objects from it. */
cl_program cascade_device_program (CascadeDevice * dev, const gchar * name,
    GError ** error);
/* Names of every kernel source file known to the library (NULL-terminated). */
const gchar *const *cascade_kernel_source_names (void);

/* A string property of a platform or device, stripped ("?" when the
 * driver has none); g_free it. */
gchar *cascade_cl_platform_string (cl_platform_id p, cl_platform_info what);
gchar *cascade_cl_device_string (cl_device_id d, cl_device_info what);

/* Lists "index: platform: device" lines of every device, for messages. */
gchar *cascade_device_list_all (void);

G_END_DECLS
