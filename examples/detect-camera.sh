#!/bin/sh
# A V4L2 camera, shown live with the detections drawn on it; the detections
# are also printed as bus messages (gst-launch-1.0 -m).
#
#   examples/detect-camera.sh [/dev/video0] [model.safetensors]
#
# The model runs on one frame in `interval` (the frames in between show the
# last result again) and the leaky queue drops frames rather than letting
# the camera stall when the device is slower than the camera.
set -eu

device=${1:-/dev/video0}
model=${2:-}

exec gst-launch-1.0 -m \
  v4l2src device="$device" ! videoconvert ! \
  queue max-size-buffers=2 leaky=downstream ! \
  cascadedetect ${model:+model="$model"} interval=2 post-messages=true ! \
  cascadeoverlay ! videoconvert ! autovideosink sync=false
