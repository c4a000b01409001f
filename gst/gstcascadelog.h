/* gst-cascade: the engine's log (cascade.h cascade_set_log_func) on the
 * `cascadecl` GStreamer debug category
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef __GST_CASCADE_LOG_H__
#define __GST_CASCADE_LOG_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Creates the `cascadecl` category and sends every engine message to it
 * (GST_DEBUG=cascadecl:4 shows program builds, cache hits and misses and
 * tuning).  Called once, from plugin_init. */
void gst_cascade_log_init (void);

G_END_DECLS

#endif /* __GST_CASCADE_LOG_H__ */
