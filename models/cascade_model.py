#!/usr/bin/python3
"""cascade-model: the mmdetection zoo by name (models/zoo.csv).

  cascade-model list                 the zoo's rows, and which are installed
  cascade-model fetch NAME [...]     download NAME's checkpoint (progress,
                                     resumed after an interruption, size and
                                     hash verified), convert it with its
                                     row's convert_flags and store it as
                                     <models dir>/NAME.safetensors
  cascade-model path NAME            where NAME is, or would be, stored

After `cascade-model fetch cascade_mask_rcnn_r50_fpn_1x_coco`,
`cascadedetect model=cascade_mask_rcnn_r50_fpn_1x_coco` finds it: the
models dir, $XDG_DATA_HOME/gst-cascade/models (~/.local/share/...), is on
cascadedetect's model search path.  The hash is the one mmdetection's file
names carry (NAME_<date>-<first 8 hex digits of the SHA-256>.pth); a file
whose size or hash differs is deleted and refused.
"""
import argparse
import csv
import hashlib
import http.client
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

PROG = 'cascade-model'
HERE = os.path.dirname(os.path.abspath(__file__))
CHUNK = 1 << 16


class FetchError(Exception):
    pass


def models_dir():
    base = os.environ.get('XDG_DATA_HOME') or \
        os.path.join(os.path.expanduser('~'), '.local', 'share')
    return os.path.join(base, 'gst-cascade', 'models')


def read_zoo(path):
    with open(path, newline='') as f:
        return {r['name']: r for r in csv.DictReader(f)}


def expected_hash(url):
    """The SHA-256 prefix that mmdetection's checkpoint names end with."""
    m = re.search(r'-([0-9a-f]{8,64})\.pth$', url)
    return m.group(1) if m else None


class Progress:
    def __init__(self, name, total, start, out):
        self.name, self.total, self.done, self.out = name, total, start, out
        self.last = 0.0

    def update(self, n, force=False):
        self.done += n
        now = time.monotonic()
        if not force and now - self.last < 0.2:
            return
        self.last = now
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = '#' * int(frac * 30)
            self.out.write('\r%s [%-30s] %5.1f%% %d/%d bytes' % (
                self.name, bar, frac * 100, self.done, self.total))
        else:
            self.out.write('\r%s %d bytes' % (self.name, self.done))
        self.out.flush()

    def finish(self):
        self.update(0, force=True)
        self.out.write('\n')


def download(url, dest, timeout=60, out=sys.stderr):
    """url -> dest, resuming dest + '.part' when the server allows ranges.
    Returns the file's size."""
    part = dest + '.part'
    have = os.path.getsize(part) if os.path.exists(part) else 0
    req = urllib.request.Request(url)
    if have:
        req.add_header('Range', 'bytes=%d-' % have)
    try:
        resp = urllib.request.urlopen(req, timeout=timeout)
    except urllib.error.HTTPError as e:
        if e.code == 416 and have:      # already complete
            return have
        raise FetchError('%s: HTTP %d %s' % (url, e.code, e.reason))
    except (urllib.error.URLError, OSError) as e:
        raise FetchError('%s: %s' % (url, getattr(e, 'reason', e)))
    with resp:
        length = resp.headers.get('Content-Length')
        if have and resp.status == 206:
            rng = resp.headers.get('Content-Range', '')
            m = re.match(r'bytes (\d+)-\d+/(\d+|\*)', rng)
            if not m or int(m.group(1)) != have:
                raise FetchError('%s: bad Content-Range %r' % (url, rng))
            total = int(m.group(2)) if m.group(2) != '*' else None
            mode = 'ab'
            print('%s: resuming at %d bytes' % (PROG, have), file=out)
        else:
            have = 0
            total = int(length) if length else None
            mode = 'wb'
        bar = Progress(os.path.basename(dest), total, have, out)
        with open(part, mode) as f:
            while True:
                try:
                    chunk = resp.read(CHUNK)
                except (http.client.HTTPException, OSError) as e:
                    bar.finish()
                    raise FetchError('%s: interrupted after %d bytes (%s): '
                                     'run fetch again to resume' % (
                                         url, bar.done, type(e).__name__))
                if not chunk:
                    break
                f.write(chunk)
                bar.update(len(chunk))
        bar.finish()
    size = os.path.getsize(part)
    if total is not None and size != total:
        raise FetchError('%s: got %d of %d bytes (interrupted: run fetch '
                         'again to resume)' % (url, size, total))
    os.replace(part, dest)
    return size


def verify(path, url, row):
    want = expected_hash(url)
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    digest = h.hexdigest()
    size = os.path.getsize(path)
    want_mb = row.get('size_mb') or ''
    if want_mb and abs(size / 1e6 - float(want_mb)) > 0.05 * float(want_mb):
        os.remove(path)
        raise FetchError('%s has %d bytes, the zoo says %s MB: refused and '
                         'deleted' % (path, size, want_mb))
    if want and not digest.startswith(want):
        os.remove(path)
        raise FetchError('%s: SHA-256 %s... does not match the %s of its '
                         'name: the file is corrupt; refused and deleted '
                         '(fetch again)' % (path, digest[:len(want)], want))
    if not want:
        print('%s: note: %s names no hash; only its size was checked' % (
            PROG, url), file=sys.stderr)
    return digest


def fetch(args):
    zoo = read_zoo(args.zoo)
    row = zoo.get(args.name)
    if row is None:
        raise FetchError('%s is not a row of %s; `%s list` shows them' % (
            args.name, args.zoo, PROG))
    out_dir = args.dir or models_dir()
    os.makedirs(out_dir, exist_ok=True)
    url = row['checkpoint_url']
    pth = os.path.join(out_dir, os.path.basename(url))
    model = os.path.join(out_dir, args.name + '.safetensors')
    if not os.path.exists(pth):
        download(url, pth, timeout=args.timeout)
    digest = verify(pth, url, row)
    print('%s: %s verified (sha256 %s)' % (PROG, os.path.basename(pth),
                                           digest[:16]), file=sys.stderr)
    # the converter applies the row's convert_flags itself (--zoo-row), and
    # records them as the zoo's in the model's provenance
    cmd = [sys.executable, os.path.join(HERE, 'convert_mmdet.py'), pth,
           model, '--zoo-row', args.name, '--zoo', args.zoo]
    r = subprocess.run(cmd)
    if r.returncode != 0:
        raise FetchError('converting %s failed (%s)' % (pth, ' '.join(cmd)))
    if not args.keep_checkpoint:
        os.remove(pth)
    print(model)
    return 0


def list_rows(args):
    d = models_dir()
    for name, row in read_zoo(args.zoo).items():
        have = os.path.exists(os.path.join(d, name + '.safetensors'))
        print('%-48s box AP %-5s mask AP %-5s %s' % (
            name, row['box_ap'] or '-', row['mask_ap'] or '-',
            'installed' if have else ''))
    return 0


def path(args):
    print(os.path.join(args.dir or models_dir(), args.name + '.safetensors'))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split(
        '\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n', 1)[1])
    ap.add_argument('--zoo', default=os.path.join(HERE, 'zoo.csv'),
                    help='the zoo manifest (default: %(default)s)')
    sub = ap.add_subparsers(dest='cmd', required=True)
    sub.add_parser('list')
    f = sub.add_parser('fetch')
    f.add_argument('name')
    f.add_argument('--dir', help='store here instead of the models dir')
    f.add_argument('--keep-checkpoint', action='store_true',
                   help='keep the .pth after converting it')
    f.add_argument('--timeout', type=float, default=60,
                   help='seconds without data before giving up')
    p = sub.add_parser('path')
    p.add_argument('name')
    p.add_argument('--dir')
    args = ap.parse_args(argv)
    try:
        return {'list': list_rows, 'fetch': fetch, 'path': path}[args.cmd](
            args)
    except FetchError as e:
        print('%s: error: %s' % (PROG, e), file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main())
