#!/usr/bin/env bash
# Installs the Debian 12 packages gst-cascade needs that are missing.
# Usage: scripts/deps.sh [build|test|demo]   (default: test)
set -euo pipefail

build=(gcc pkg-config meson ninja-build python3
  libglib2.0-dev libjson-glib-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd
  libclblast-dev liborc-0.4-dev liborc-0.4-dev-bin libpango1.0-dev
  gobject-introspection libgirepository1.0-dev gir1.2-gstreamer-1.0
  gir1.2-gst-plugins-base-1.0 gtk-doc-tools libmosquitto-dev)
runtime=(gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good)
# libgstrtspserver-1.0-dev: tests/live's RTSP server (its client side,
# rtspsrc, is in gstreamer1.0-plugins-good); mosquitto (the broker and
# mosquitto_passwd), openssl (certificates): tests/broker;
# mosquitto-clients: mosquitto_sub, to watch what cascademqttsink publishes;
# python3-scipy: models/mot_eval.py's optimal matchings (tracking tests and
# benchmark); python3-gi, python3-gst-1.0: the Python appsink example and
# its test
test=(python3-torch python3-torchvision python3-opencv python3-numpy valgrind
  libgstrtspserver-1.0-dev mosquitto mosquitto-clients openssl
  python3-scipy python3-gi python3-gst-1.0)

want=("${build[@]}" "${runtime[@]}")
case "${1:-test}" in
  test) want+=("${test[@]}") ;;
  build|demo) ;;
  *) echo "usage: $0 [build|test|demo]" >&2; exit 2 ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing Debian packages: ${missing[*]}"
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || echo "apt-get update failed; trying the cached package lists" >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
