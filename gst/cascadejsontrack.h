/* gst-cascade: cascadejson's members from cascadetrack (track IDs, events)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "gstcascademeta.h"

G_BEGIN_DECLS

/* "track_id", "track_age" and "predicted" of a tracked object (nothing
 * for an untracked one) */
void gst_cascade_json_add_track (JsonBuilder * b, const GstCascadeMeta * meta,
    guint index);

/* "events" and "zones" of the frame's cascadetrack meta, if it has one:
 * the structures as JSON objects, '-' in names written as '_' */
void gst_cascade_json_add_events (JsonBuilder * b, GstBuffer * buffer);

G_END_DECLS
