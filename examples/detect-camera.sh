#!/bin/sh
# A V4L2 camera, shown live with the detections drawn on it; the detections
# are also printed as bus messages (gst-launch-1.0 -m).
#
#   examples/detect-camera.sh [/dev/video0] [model.safetensors or name]
#
# Without a model it uses cascadedetect's default, the demo model (found in
# the installed data dir, or in models/ by the build tree's plugin).
#
# The camera is live, so cascadedetect (mode=auto) runs the model on a worker
# thread: the video keeps the camera's rate and each frame carries the newest
# finished result (flagged repeated, with the PTS of its frame); the model
# loads and tunes for the camera's size while the video flows.  Counters go
# to the bus every 5 s (cascade-stats).
set -eu

device=${1:-/dev/video0}
model=${2:-}

exec gst-launch-1.0 -m \
  v4l2src device="$device" ! videoconvert ! \
  cascadedetect ${model:+model="$model"} mode=auto post-messages=true \
      stats-interval=5000 ! \
  cascadeoverlay ! videoconvert ! autovideosink
