/* gst-cascade: the engine's log on the `cascadecl` debug category
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "gstcascadelog.h"

#include <cascade.h>

GST_DEBUG_CATEGORY_STATIC (cascade_cl_debug);

static GstDebugLevel
gst_cascade_log_level (GLogLevelFlags level)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    return GST_LEVEL_ERROR;
  if (level & G_LOG_LEVEL_WARNING)
    return GST_LEVEL_WARNING;
  if (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO))
    return GST_LEVEL_INFO;
  return GST_LEVEL_DEBUG;
}

static void
gst_cascade_log_forward (GLogLevelFlags level, const gchar * message,
    gpointer user_data)
{
  GST_CAT_LEVEL_LOG (cascade_cl_debug, gst_cascade_log_level (level), NULL,
      "%s", message);
}

void
gst_cascade_log_init (void)
{
  GST_DEBUG_CATEGORY_INIT (cascade_cl_debug, "cascadecl", 0,
      "Cascade OpenCL engine");
  cascade_set_log_func (gst_cascade_log_forward, NULL, NULL);
}
