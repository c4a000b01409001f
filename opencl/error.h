/* gst-cascade: error domain of the engine and readable OpenCL/CLBlast codes */
#pragma once

#include <glib.h>
#include <CL/cl.h>

G_BEGIN_DECLS

#define CASCADE_ERROR (cascade_error_quark ())

typedef enum
{
  CASCADE_ERROR_NO_DEVICE,      /* no OpenCL platform/device, or none matches */
  CASCADE_ERROR_DEVICE,         /* the device lacks a needed feature or memory */
  CASCADE_ERROR_BUILD,          /* an OpenCL program did not compile */
  CASCADE_ERROR_CL,             /* an OpenCL call failed */
  CASCADE_ERROR_BLAS,           /* a CLBlast call failed */
  CASCADE_ERROR_MODEL,          /* the model file is unreadable or damaged */
  CASCADE_ERROR_INVALID_ARG,    /* a bad frame, shape or parameter */
  CASCADE_ERROR_UNSUPPORTED,    /* a format or architecture we do not run */
} CascadeErrorCode;

GQuark cascade_error_quark (void);

/* "CL_OUT_OF_RESOURCES" etc.; unknown codes give "unknown OpenCL error" */
const gchar *cascade_cl_status_string (cl_int status);
/* names of CLBlastStatusCode values (they include the OpenCL ones) */
const gchar *cascade_clblast_status_string (gint status);

/* Returns TRUE when status is CL_SUCCESS; otherwise sets error to
 * "<what> failed: <CL_NAME> (<code>)" and returns FALSE. */
gboolean cascade_cl_check (cl_int status, const gchar * what, GError ** error);
gboolean cascade_clblast_check (gint status, const gchar * what,
    GError ** error);

G_END_DECLS
