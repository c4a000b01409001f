#!/usr/bin/env bash
# Live benchmark (BENCHMARKS.md, "Live"): RTSP on loopback at 25 fps
# (tests/live/rtsp-test-server, 640x480 RTP/JPEG over TCP) for SECONDS per
# mode through cascadedetect, blocking and newest-frame side by side in one
# run, with the shipped demo model and, when given, an R-50 model at a 640
# short side.  Prints one line per model and mode: output fps, delay
# p50/p99 (render time behind the frame's timestamp), detections per second,
# result age p50/p99.
#
#   scripts/bench-live.sh [R50_MODEL.safetensors] [SECONDS]   (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
r50=${1:-}
seconds=${2:-60}
scripts/deps.sh test >/dev/null
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
export GST_PLUGIN_PATH=$PWD/build/gst
export GST_REGISTRY=$PWD/build/bench-live-registry.bin
lscpu | sed -n 's/^Model name: *//p'
bench() { # label, model, extra options
  local label=$1 model=$2; shift 2
  build/tools/cascade-live-bench --server build/tests/rtsp-test-server \
    -m "$model" --seconds "$seconds" "$@" 2>/dev/null | grep '^mode' |
    sed "s/^/$label /"
}
bench demo models/demo.safetensors
[ -z "$r50" ] || bench r50-640 "$r50" -s 1067x640
