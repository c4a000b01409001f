#!/usr/bin/env bash
# Proves the GStreamer >= 1.24 build on Debian 13 (trixie, GStreamer 1.26):
# makes a trixie root from Debian's packages with mmdebstrap (a Debian 12
# package, installed when missing), installs there what scripts/deps.sh
# installs plus the analytics library and objectdetectionoverlay
# (libgstreamer-plugins-bad1.0-dev, gstreamer1.0-plugins-bad), copies the
# working tree in and runs scripts/test.sh in it (both builds of the whole
# suite, with the analytics tests that only such a build has), then the
# analytics tests of the >= 1.24 build (build-124: no SegmentationMtd).
# Fails when a test fails or when the analytics tests did not pass in all
# three builds.  .ci/run runs it after the Debian 12 suite.
#
#   scripts/debian13.sh ROOT [COMMAND...]
#
# ROOT: a directory outside the repository; made when it does not hold a
# trixie root yet, reused (packages updated) when it does.  COMMAND: run in
# the copied tree instead of scripts/test.sh (for development), e.g.
#   scripts/debian13.sh /var/tmp/trixie meson test -C build-tests --suite analytics
# Runs as root (re-runs itself through sudo).  Prints the time of each stage.
# DEBIAN13_MIRROR overrides http://deb.debian.org/debian.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 ROOT [COMMAND...]" >&2
  exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
  exec sudo -- "$0" "$@"
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
root=$(realpath -m "$1")
shift
mirror=${DEBIAN13_MIRROR:-http://deb.debian.org/debian}
extra=(libgstreamer-plugins-bad1.0-dev gstreamer1.0-plugins-bad)
t0=$(date +%s)
stage() { echo "== debian13.sh +$(($(date +%s) - t0))s: $*"; }

case "$root/" in
  "$repo"/*) echo "ROOT must be outside the repository" >&2; exit 2 ;;
esac

if ! command -v mmdebstrap >/dev/null; then
  stage "installing mmdebstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap
fi

if ! grep -qs '^VERSION_CODENAME=trixie' "$root/etc/os-release"; then
  stage "mmdebstrap trixie $root"
  mkdir -p "$(dirname "$root")"
  # the root directory must be empty or absent
  [ -d "$root" ] && rmdir "$root"
  mmdebstrap --variant=apt --include="$(IFS=,; echo "${extra[*]}")" \
    trixie "$root" "$mirror"
fi

# /proc, /dev and /sys for PoCL (CPU and memory information, shm); undone
# on exit whatever happens
mounted=()
cleanup() {
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[i]}" || echo "could not unmount ${mounted[i]}" >&2
  done
}
trap cleanup EXIT
bind() { # what, where, mount options...
  local what=$1 where=$root$2; shift 2
  mountpoint -q "$where" && return 0
  mkdir -p "$where"
  mount "$@" "$what" "$where"
  mounted+=("$where")
}
bind proc /proc -t proc
bind /dev /dev --rbind --make-rslave
bind /sys /sys --rbind --make-rslave
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

# The build directories of a previous run stay, and meson rebuilds what
# changed.  ninja goes by modification times, so the tree is unpacked beside
# and only the files whose contents differ are copied over, with the time
# of the copy: unpacked with the repository's (older) times, a changed
# source looked older than its stale object, which was kept (and linked
# against newer headers: the "live pipeline that never finished" of an
# earlier run was such a mixed build).
stage "copying the working tree to $root/src/gst-cascade"
dest=$root/src/gst-cascade
incoming=$root/src/.incoming
rm -rf "$incoming"
mkdir -p "$dest" "$incoming"
git -C "$repo" ls-files -z --cached --others --exclude-standard \
  | (cd "$repo" && tar --null -T - -cf - --ignore-failed-read) \
  | tar -xf - -C "$incoming"
(cd "$incoming" && find . -type f -print0) | while IFS= read -r -d '' f; do
  if ! cmp -s "$incoming/$f" "$dest/$f"; then
    mkdir -p "$(dirname "$dest/$f")"
    rm -f "$dest/$f"
    cp --preserve=mode "$incoming/$f" "$dest/$f"
  fi
done
# what the tree no longer has goes (the build directories stay)
(cd "$dest" && find . -mindepth 1 \( -path './build*' -prune \) -o -type f \
  -print0) | while IFS= read -r -d '' f; do
  [ -e "$incoming/$f" ] || rm -f "$dest/$f"
done
rm -rf "$incoming"

in_root() {
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    DEBIAN_FRONTEND=noninteractive "$@"
}

stage "packages (scripts/deps.sh test, ${extra[*]})"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends "${extra[@]}" >/dev/null
in_root bash -c 'cd /src/gst-cascade && scripts/deps.sh test' >/dev/null
in_root dpkg-query -W -f '${Package} ${Version}\n' libgstreamer1.0-0 \
  libgstreamer-plugins-bad1.0-0 pocl-opencl-icd python3-torch

if [ $# -gt 0 ]; then
  stage "running: $*"
  in_root bash -c 'cd /src/gst-cascade && "$@"' sh "$@"
  stage "done"
  exit 0
fi

stage "scripts/test.sh"
status=0
in_root bash -c 'cd /src/gst-cascade && scripts/test.sh' || status=1

# the >= 1.24 path (no SegmentationMtd), which no Debian release has: built
# against 1.26 with the masks switched off, its analytics tests run
stage "the >= 1.24 build (build-124: -Danalytics_masks=disabled)"
in_root bash -c 'cd /src/gst-cascade \
  && { [ -d build-124 ] || meson setup build-124 -Danalytics=enabled \
         -Danalytics_masks=disabled >/dev/null; } \
  && ninja -C build-124 >/dev/null \
  && meson test -C build-124 --suite analytics --print-errorlogs' \
  || status=1

# the tests that only a build with gstreamer-analytics-1.0 has must have
# passed in all three builds
python3 - "$root/src/gst-cascade" <<'PY' || status=1
import json, os, sys
want = {'analytics_meta', 'analytics_objectdetectionoverlay', 'analytics_track'}
bad = False
for d in ('build-tests', 'build-asan', 'build-124'):
    log = os.path.join(sys.argv[1], d, 'meson-logs', 'testlog.json')
    ok = set()
    if os.path.exists(log):
        for line in open(log):
            t = json.loads(line)
            # "project:suite / name"
            name = t.get('name', '').split(' / ')[-1]
            if name in want and t.get('result') == 'OK':
                ok.add(name)
    if ok != want:
        print('debian13.sh: %s: analytics tests not passed: %s'
              % (d, ', '.join(sorted(want - ok))))
        bad = True
sys.exit(1 if bad else 0)
PY
stage "done, status $status"
exit $status
