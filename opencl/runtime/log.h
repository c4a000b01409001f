/* gst-cascade: the engine's logging (cascade.h cascade_set_log_func).
 *
 * Engine code logs with CASCADE_LOG_WARNING / _MESSAGE / _INFO / _DEBUG
 * (printf-style).  A message goes to the function set with
 * cascade_set_log_func, else to g_log in the CASCADE_LOG_DOMAIN domain.
 * While a function is set, plain g_warning/g_message/g_info/g_debug calls
 * in that domain (every engine file is compiled with G_LOG_DOMAIN
 * "cascadecl") reach it too. */
#pragma once

#include <glib.h>

#include "cascade.h"

G_BEGIN_DECLS

#define CASCADE_LOG_DOMAIN "cascadecl"

void cascade_log (GLogLevelFlags level, const gchar * format, ...)
    G_GNUC_PRINTF (2, 3);

#define CASCADE_LOG_WARNING(...) cascade_log (G_LOG_LEVEL_WARNING, __VA_ARGS__)
#define CASCADE_LOG_MESSAGE(...) cascade_log (G_LOG_LEVEL_MESSAGE, __VA_ARGS__)
#define CASCADE_LOG_INFO(...) cascade_log (G_LOG_LEVEL_INFO, __VA_ARGS__)
#define CASCADE_LOG_DEBUG(...) cascade_log (G_LOG_LEVEL_DEBUG, __VA_ARGS__)

G_END_DECLS
