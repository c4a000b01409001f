#!/usr/bin/env bash
# MQTT benchmark (BENCHMARKS.md, "MQTT"): cascadejson ! cascademqttsink to a
# mosquitto broker on 127.0.0.1 that the tool starts (tools/cascade-mqtt-bench),
# with 100-object frames: messages per second, the latency from the buffer
# at the sink to the subscriber (p50/p99), and the messages lost across three
# broker restarts (SIGTERM, then SIGKILL).  QoS 1, then the throughput and
# latency at QoS 0.
#
#   scripts/bench-mqtt.sh [OBJECTS] [RATE]   (default 100 objects, 100 frames/s)
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-100}
rate=${2:-100}
scripts/deps.sh test >/dev/null
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
export GST_PLUGIN_PATH=$PWD/build/gst
export GST_REGISTRY=$PWD/build/bench-mqtt-registry.bin
lscpu | sed -n 's/^Model name: *//p'
build/tools/cascade-mqtt-bench --objects "$objects" --rate "$rate" --qos 1 |
  sed 's/^/qos1 /'
build/tools/cascade-mqtt-bench --objects "$objects" --rate "$rate" --qos 0 \
    --seconds 0 | grep -v '^restarts' | sed 's/^/qos0 /'
