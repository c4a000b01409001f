/* gst-cascade: what the OpenCL driver says: info strings of platforms and
 * devices, and the enumeration of every device of every platform.  The
 * bottom of the runtime: it uses error.h only. */
#pragma once

#include <glib.h>
#include <CL/cl.h>

G_BEGIN_DECLS

/* A string property of a platform or device, stripped ("?" when the
 * driver has none); g_free it. */
gchar *cascade_cl_platform_string (cl_platform_id p, cl_platform_info what);
gchar *cascade_cl_device_string (cl_device_id d, cl_device_info what);

/* The platform of device d. */
cl_platform_id cascade_cl_device_platform (cl_device_id d);
/* "CPU", "GPU", "ACCELERATOR" or "OTHER" */
const gchar *cascade_cl_device_type_name (cl_device_id d);

/* One device, as cascade_cl_devices lists it. */
typedef struct
{
  cl_platform_id platform;
  cl_device_id device;
  gchar *label;                 /* "Platform: Device" */
  cl_device_type type;
  guint platform_index;         /* in clGetPlatformIDs' order, counting
                                   platforms without devices too */
  guint device_index;           /* in its platform */
} CascadeClDevice;

/* Every device of every platform, in platform order (a GArray of
 * CascadeClDevice that frees the labels); NULL with CASCADE_ERROR_NO_DEVICE
 * when there is none. */
GArray *cascade_cl_devices (GError ** error);

/* "index: platform: device" of every device joined by "; ", for messages
 * ("" when there is none). */
gchar *cascade_cl_device_list (void);

G_END_DECLS
