/* gst-cascade: cascademqttsink, JSON lines to an MQTT broker
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */
#pragma once

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define GST_TYPE_CASCADE_MQTT_SINK (gst_cascade_mqtt_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstCascadeMqttSink, gst_cascade_mqtt_sink, GST,
    CASCADE_MQTT_SINK, GstBaseSink)

GST_ELEMENT_REGISTER_DECLARE (cascademqttsink);

G_END_DECLS
