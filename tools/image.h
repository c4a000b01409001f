/* gst-cascade tools: reading PPM (P6) images into CascadeFrames */
#pragma once

#include "cascade.h"

/* Reads a binary PPM (P6, maxval 255) as an RGB frame; the pixels are
 * owned by *pixels (g_free). */
gboolean tool_read_ppm (const gchar * path, CascadeFrame * frame,
    guint8 ** pixels, GError ** error);
