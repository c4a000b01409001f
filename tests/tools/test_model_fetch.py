#!/usr/bin/python3
"""cascade-model fetch (models/cascade_model.py) against an HTTP server of
its own on 127.0.0.1 (a free port), serving a generated checkpoint; no
other network.  A zoo file of the test's own names the rows:

* a download cut in the middle fails, keeps the partial file, and the next
  fetch resumes it with a Range request (the server sees it) and finishes;
  the progress bar was drawn;
* the checkpoint is verified (the SHA-256 prefix of its name), converted
  with the row's flags (--zoo-row: the provenance says zoo:NAME) and stored
  as <XDG_DATA_HOME>/gst-cascade/models/NAME.safetensors, which
  `cascade-model path NAME` names;
* a file whose hash does not match its name is refused and deleted;
* an unknown name and a server that is gone are clean errors.

  test_model_fetch.py --tool models/cascade_model.py --labels coco.txt
"""
import argparse
import hashlib
import http.server
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'converter'))
import make_checkpoint as mk  # noqa: E402

FAILS = []
ZOO_HEADER = ('name,detector,backbone,depth,groups,base_width,style,lr_schd,'
              'epochs,multiscale_train,mem_gb,box_ap,mask_ap,config,'
              'checkpoint_url,size_mb,model_mb,convert_flags\n')


def check(cond, msg):
    print(('ok   ' if cond else 'FAIL ') + msg)
    if not cond:
        FAILS.append(msg)
    return cond


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, files):
        self.files = files          # path -> bytes
        self.cut_next = set()       # paths whose next full GET is cut
        self.ranges = []            # Range headers seen
        super().__init__(('127.0.0.1', 0), Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        data = self.server.files.get(self.path)
        if data is None:
            self.send_error(404)
            return
        rng = self.headers.get('Range')
        start = 0
        if rng:
            self.server.ranges.append(rng)
            start = int(rng.split('=')[1].split('-')[0])
            if start >= len(data):
                self.send_error(416)
                return
            self.send_response(206)
            self.send_header('Content-Range', 'bytes %d-%d/%d' % (
                start, len(data) - 1, len(data)))
        else:
            self.send_response(200)
        self.send_header('Content-Length', str(len(data) - start))
        self.end_headers()
        body = data[start:]
        if not rng and self.path in self.server.cut_next:
            self.server.cut_next.discard(self.path)
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)


def provenance(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
    return json.loads(header['__metadata__']['provenance'])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--labels', required=True)
    args = ap.parse_args()

    obj, _ = mk.build(dict(depth=18, meta='3.x', with_mask=True,
                           coco=mk.read_labels(args.labels)))
    with tempfile.TemporaryDirectory(prefix='cascade-fetch-') as tmp:
        pth = os.path.join(tmp, 'src.pth')
        mk.save(obj, pth)
        data = open(pth, 'rb').read()
        sha = hashlib.sha256(data).hexdigest()
        good = '/zoo/tiny_r18_20240101-%s.pth' % sha[:8]
        bad = '/zoo/tiny_bad_20240101-%s.pth' % ('0' * 8 if sha[:8] !=
                                                  '0' * 8 else '1' * 8)
        srv = Server({good: data, bad: data})
        srv.cut_next.add(good)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        base = 'http://127.0.0.1:%d' % srv.server_address[1]
        zoo = os.path.join(tmp, 'zoo.csv')
        with open(zoo, 'w') as f:
            f.write(ZOO_HEADER)
            for name, path in (('tiny_r18', good), ('tiny_bad', bad)):
                f.write('%s,CascadeMaskRCNN,R-18-FPN,18,1,4,pytorch,1x,12,no,'
                        ',,,x.py,%s%s,,,--test-scale 640x384\n' % (
                            name, base, path))
            f.write('tiny_gone,CascadeMaskRCNN,R-18-FPN,18,1,4,pytorch,1x,12,'
                    'no,,,,x.py,http://127.0.0.1:%d/x_2024-%s.pth,,,\n' % (
                        free_port(), '0' * 8))
        env = dict(os.environ, XDG_DATA_HOME=os.path.join(tmp, 'data'))
        env.pop('http_proxy', None)
        env.pop('HTTP_PROXY', None)
        tool = [sys.executable, args.tool, '--zoo', zoo]
        models = os.path.join(tmp, 'data', 'gst-cascade', 'models')

        def fetch(name):
            r = subprocess.run(tool + ['fetch', name, '--timeout', '30'],
                               env=env, capture_output=True, text=True,
                               timeout=300)
            sys.stdout.write(r.stdout)
            sys.stdout.write(r.stderr[-2000:])
            return r

        r = fetch('tiny_r18')
        check(r.returncode == 1 and 'interrupted' in r.stderr,
              'a cut download fails and says so')
        part = [p for p in os.listdir(models) if p.endswith('.part')]
        check(len(part) == 1 and 0 < os.path.getsize(
            os.path.join(models, part[0])) < len(data),
            'the partial file is kept')
        r = fetch('tiny_r18')
        check(r.returncode == 0, 'the second fetch succeeds')
        check(len(srv.ranges) == 1 and srv.ranges[0].startswith('bytes=')
              and int(srv.ranges[0][6:].rstrip('-')) > 0,
              'it resumed with a Range request (%s)' % srv.ranges)
        check('resuming at' in r.stderr and '100.0%' in r.stderr,
              'progress was drawn')
        out = os.path.join(models, 'tiny_r18.safetensors')
        check(os.path.exists(out) and r.stdout.strip().splitlines()[-1] == out,
              'stored as %s' % out)
        check(not any(p.endswith('.pth') or p.endswith('.part')
                      for p in os.listdir(models)),
              'the checkpoint is not kept')
        if os.path.exists(out):
            prov = provenance(out)
            check(prov.get('style') == 'zoo:tiny_r18' and
                  prov.get('test_scale') == 'zoo:tiny_r18',
                  "converted with the row's flags (%s)" % prov)
        p = subprocess.run(tool + ['path', 'tiny_r18'], env=env,
                           capture_output=True, text=True)
        check(p.stdout.strip() == out, 'cascade-model path names it')

        r = fetch('tiny_bad')
        check(r.returncode == 1 and 'corrupt' in r.stderr,
              'a file whose hash differs from its name is refused')
        check(not any('tiny_bad' in p for p in os.listdir(models)),
              'and deleted')
        r = fetch('nope')
        check(r.returncode == 1 and 'not a row' in r.stderr,
              'an unknown name is an error')
        r = fetch('tiny_gone')
        check(r.returncode == 1 and 'error' in r.stderr and
              'Traceback' not in r.stderr, 'a server that is gone is an '
              'error')
        srv.shutdown()
    print('%d failed' % len(FAILS))
    return 1 if FAILS else 0


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == '__main__':
    sys.exit(main())
