/* gst-cascade: cascademqttsink's properties (one table: name, type, range,
 * default and the field it sets)
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/gst.h>

#include "cascademqttclient.h"

G_BEGIN_DECLS

typedef struct
{
  CascadeMqttConfig client;     /* what the connection uses */
  gchar *topic;                 /* "{stream}" replaced at start */
  gchar *stream_name;           /* NULL: the element's name */
  gboolean retry_at_start;
  guint drain_timeout_ms;
  guint stats_interval_ms;      /* 0: no cascade-mqtt-stats messages */
} CascadeMqttSettings;

void cascade_mqtt_settings_init (CascadeMqttSettings * s);
void cascade_mqtt_settings_clear (CascadeMqttSettings * s);

/* Installs the table's properties with ids first_id, first_id + 1, ...;
 * returns the id after the last. */
guint cascade_mqtt_props_install (GObjectClass * klass, guint first_id);

/* FALSE when prop_id is none of the table's; the caller locks. */
gboolean cascade_mqtt_props_set (CascadeMqttSettings * s, guint first_id,
    guint prop_id, const GValue * value);
gboolean cascade_mqtt_props_get (const CascadeMqttSettings * s,
    guint first_id, guint prop_id, GValue * value);

/* topic with every "{stream}" replaced by stream */
gchar *cascade_mqtt_expand_topic (const gchar * topic, const gchar * stream);

G_END_DECLS
