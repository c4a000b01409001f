#!/usr/bin/env python3
"""Makes a plugin directory holding only the named system GStreamer plugins
(symbolic links), so that a test's registry scan loads exactly those and
not whatever else the machine has installed (gstreamer1.0-libav,
-plugins-bad, ...; their leaks and start-up cost are not ours).

  link-plugins.py OUT_DIR STAMP SYSTEM_PLUGIN_DIR NAME...

NAME is the plugin file's name without 'libgst' and '.so'.  A missing plugin
is an error: the tests need it (say which Debian package has it)."""
import os
import sys


def main(argv):
    out, stamp, sysdir, names = argv[1], argv[2], argv[3], argv[4:]
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.startswith('libgst') and f.endswith('.so'):
            os.unlink(os.path.join(out, f))
    for n in names:
        src = os.path.join(sysdir, 'libgst%s.so' % n)
        if not os.path.exists(src):
            sys.stderr.write('missing GStreamer plugin %s (gstreamer1.0-'
                             'plugins-base / -good / gstreamer1.0-tools?)\n'
                             % src)
            return 1
        os.symlink(src, os.path.join(out, os.path.basename(src)))
    with open(stamp, 'w') as f:
        f.write('\n'.join(names) + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
