#!/bin/sh
# A video file in, an annotated video file and one JSON line per frame out.
#
#   examples/detect-video.sh in.mp4 out.mkv detections.jsonl [model.safetensors]
#
# Decodes any file decodebin understands, runs the detector once per frame,
# splits the stream with a tee: one branch draws the detections and encodes
# them (x264 in Matroska, or JPEG in Matroska when x264enc is missing), the
# other writes the detections as newline-delimited JSON.
set -eu

in=${1:?input video file}
out=${2:?output video file (.mkv)}
json=${3:?output JSON lines file}
model=${4:-}

if gst-inspect-1.0 x264enc >/dev/null 2>&1; then
  encode="x264enc tune=zerolatency ! h264parse"
else
  encode="jpegenc"
fi

# shellcheck disable=SC2086
exec gst-launch-1.0 -e \
  filesrc location="$in" ! decodebin ! videoconvert ! \
  cascadedetect ${model:+model="$model"} ! tee name=t \
  t. ! queue ! cascadeoverlay ! videoconvert ! $encode ! matroskamux ! \
       filesink location="$out" \
  t. ! queue ! cascadejson ! filesink location="$json"
