#!/bin/sh
# A still image in (PNG or JPEG), the annotated image (PNG) and its
# detections (one JSON line) out.
#
#   examples/detect-image.sh in.jpg out.png detections.json [model.safetensors]
#
# imagefreeze is not needed: the pipeline handles one frame and stops at EOS.
set -eu

in=${1:?input image}
out=${2:?output PNG}
json=${3:?output JSON file}
model=${4:-}

exec gst-launch-1.0 -e \
  filesrc location="$in" ! decodebin ! videoconvert ! \
  cascadedetect ${model:+model="$model"} score-threshold=0.3 ! tee name=t \
  t. ! queue ! cascadeoverlay line-width=3 ! videoconvert ! pngenc ! \
       filesink location="$out" \
  t. ! queue ! cascadejson ! filesink location="$json"
