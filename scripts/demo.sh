#!/usr/bin/env bash
# The main job: installs what is missing, builds gst-cascade, and runs the
# sample clip through cascadedetect ! cascadeoverlay (annotated video) and
# cascadejson (JSON lines), then says where they are and what was found.
#   scripts/demo.sh [VIDEO] [MODEL]
set -euo pipefail
cd "$(dirname "$0")/.."

video=${1:-examples/sample.webm}
model=${2:-models/demo.safetensors}
out=${CASCADE_DEMO_OUT:-demo-output}

scripts/deps.sh demo
if [ ! -f build/build.ninja ]; then
  meson setup build --buildtype=release >/dev/null
fi
ninja -C build >/dev/null

mkdir -p "$out"
export GST_PLUGIN_PATH="$PWD/build/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
echo "Running $model on $video ..."
gst-launch-1.0 -q \
  filesrc location="$video" ! decodebin ! videoconvert ! video/x-raw,format=BGRx ! \
  cascadedetect model="$model" score-threshold=0.5 ! tee name=t \
  t. ! queue ! cascadeoverlay ! videoconvert ! vp8enc deadline=1 ! webmmux ! \
       filesink location="$out/annotated.webm" \
  t. ! queue ! cascadejson ! filesink location="$out/detections.ndjson"

python3 - "$out/detections.ndjson" <<'PY'
import collections, json, sys
frames, per_class = 0, collections.Counter()
for line in open(sys.argv[1]):
    f = json.loads(line)
    frames += 1
    per_class.update(o['label'] for o in f['objects'])
total = sum(per_class.values())
print('%d frames, %d objects (%.1f per frame)' % (frames, total,
                                                 total / max(frames, 1)))
for label, n in per_class.most_common():
    print('  %-12s %d' % (label, n))
PY
echo "Annotated video: $out/annotated.webm"
echo "Detections (JSON lines): $out/detections.ndjson"
