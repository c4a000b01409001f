#!/usr/bin/env bash
# Soak (not in CI): one hour of live RTSP on loopback through the whole
# pipeline (cascadedetect mode=newest-frame ! cascadeoverlay ! cascadejson),
# the server killed and restarted every 10 minutes; every 10 s a line with
# RSS, delay p50/p99, frames, restarts and recoveries; at the end the totals.
#
#   scripts/soak-live.sh [MODEL] [SECONDS] > soak.txt  (default: demo, 3600)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/demo.safetensors}
seconds=${2:-3600}
scripts/deps.sh test >/dev/null
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
export GST_PLUGIN_PATH=$PWD/build/gst
export GST_REGISTRY=$PWD/build/bench-live-registry.bin
exec build/tools/cascade-live-bench --server build/tests/rtsp-test-server \
  -m "$model" --seconds "$seconds" --modes newest-frame --full \
  --restart-every 600 --sample-every 10
