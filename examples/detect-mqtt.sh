#!/bin/sh
# A V4L2 camera's detections published to an MQTT broker, one message per
# frame (cascadejson's JSON line) on cascade/<camera>/detections.
#
#   examples/detect-mqtt.sh [/dev/video0] [broker-host] [camera-name] [model.safetensors]
#
# Watch them with: mosquitto_sub -h broker-host -t 'cascade/#' -v -q 1
#
# cascadedetect (mode=auto) analyses the live camera on a worker thread;
# cascademqttsink never holds up the pipeline: while the broker is away the
# lines wait in its bounded queue (max-queued; the oldest dropped beyond,
# with a warning), and with qos=1 every queued line is delivered once the
# broker is back (reconnection with back-off).  stats-interval posts the
# sink's counters (cascade-mqtt-stats: sent, queued, dropped, reconnects,
# state) on the bus, which gst-launch-1.0 -m prints.
set -eu

device=${1:-/dev/video0}
host=${2:-localhost}
camera=${3:-cam0}
model=${4:-}

exec gst-launch-1.0 -m \
  v4l2src device="$device" ! videoconvert ! \
  cascadedetect ${model:+model="$model"} mode=auto ! \
  cascadejson masks=false ! \
  cascademqttsink host="$host" topic='cascade/{stream}/detections' \
      stream-name="$camera" qos=1 max-queued=1000 stats-interval=10000
