/* gst-cascade: error domain of the engine and readable OpenCL/CLBlast codes */
#pragma once

#include <glib.h>
#include <CL/cl.h>

#include "cascade.h"

G_BEGIN_DECLS

/* CASCADE_ERROR and its codes are in cascade.h */

/* "CL_OUT_OF_RESOURCES" etc.; unknown codes give "unknown OpenCL error" */
const gchar *cascade_cl_status_string (cl_int status);
/* names of CLBlastStatusCode values (they include the OpenCL ones) */
const gchar *cascade_clblast_status_string (gint status);

/* Returns TRUE when status is CL_SUCCESS; otherwise sets error to
 * "<what> failed: <CL_NAME> (<code>)" and returns FALSE. */
gboolean cascade_cl_check (cl_int status, const gchar * what, GError ** error);
gboolean cascade_clblast_check (gint status, const gchar * what,
    GError ** error);

/* Sets CASCADE_ERROR_INVALID_ARG with a printf-style message; returns FALSE
 * (so that checks read "return cascade_invalid_arg (error, ...)"). */
gboolean cascade_invalid_arg (GError ** error, const gchar * fmt, ...)
    G_GNUC_PRINTF (2, 3);

G_END_DECLS
