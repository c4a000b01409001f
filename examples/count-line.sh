#!/bin/sh
# Counting objects that cross a line: IDs that persist between results,
# the counts drawn on the video, each crossing as an event in the JSON.
#
#   examples/count-line.sh [in-video] [out.mkv] [events.jsonl] [model.safetensors]
#
# Without an input video it makes one: models/scenes.py's "enter-leave"
# clip (shapes entering at the borders, crossing the frame and leaving;
# 480x320 at 10 fps), whose true number of crossings it prints.  The line
# is vertical through the middle of the frame; crossing it to the right is
# "forward".  The detector runs on one frame in three (interval=3); the
# tracker predicts the boxes in between.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
in=${1:-}
out=${2:-count.mkv}
json=${3:-count.jsonl}
model=${4:-}
line='{"lines": [{"name": "gate", "points": [[0.5, 0.05], [0.5, 0.95]], "direction": [1, 0]}]}'

if gst-inspect-1.0 x264enc >/dev/null 2>&1; then
  encode="x264enc tune=zerolatency ! h264parse"
else
  encode="jpegenc"
fi

if [ -z "$in" ]; then
  clip=$(mktemp -d)
  trap 'rm -rf "$clip"' EXIT
  # Debian's python3 (numpy) even when another python3 comes first in PATH
  py=/usr/bin/python3
  [ -x "$py" ] || py=python3
  "$py" "$here/../models/scenes.py" --track-clip "$clip" --scene enter-leave \
    --frames 160 >/dev/null
  echo "true crossings: $(cat "$clip/crossings.json")"
  source="filesrc location=$clip/frames.rgb ! rawvideoparse format=rgb width=480 height=320 framerate=10/1"
else
  source="filesrc location=$in ! decodebin"
fi

# shellcheck disable=SC2086
gst-launch-1.0 -e $source ! videoconvert ! \
  cascadedetect ${model:+model="$model"} interval=3 ! \
  cascadetrack anchor=center zones="$line" ! tee name=t \
  t. ! queue ! cascadeoverlay trail=20 ! videoconvert ! $encode ! \
       matroskamux ! filesink location="$out" \
  t. ! queue ! cascadejson masks=false ! filesink location="$json"

# the crossings in the JSON lines (one "line-cross" event each)
echo "counted: forward $(grep -o '"direction": "forward"' "$json" | wc -l)," \
  "backward $(grep -o '"direction": "backward"' "$json" | wc -l)"
