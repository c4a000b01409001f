#!/usr/bin/python3
"""The appsink examples (issue 15):

* examples/cascade-appsink.py reads every object through GObject
  introspection (GstCascade-1.0 typelib, python3-gi): the same objects,
  boxes, scores, labels, class ids, sources and masks as cascadejson gives
  for the same frames (its COCO RLE decoded here), 28x28 probabilities in
  [0, 1], the frame's flags; its command line runs and exits;
* a failed start ends both examples (C and Python) with the bus's error
  and status 1, instead of waiting for a sample forever.

  test_appsink_examples.py --model M --c-example build/examples/cascade-appsink
                           [--sanitize]
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, '..', '..', 'examples', 'cascade-appsink.py')
FAILS = []


def check(cond, msg):
    print(('ok   ' if cond else 'FAIL ') + msg)
    if not cond:
        FAILS.append(msg)
    return cond


def rle_decode(counts, h, w):
    """pycocotools' compressed RLE string -> row-major bytes of 0/1."""
    runs, p = [], 0
    while p < len(counts):
        x, k, more = 0, 0, True
        while more:
            c = ord(counts[p]) - 48
            x |= (c & 0x1f) << (5 * k)
            more = bool(c & 0x20)
            p += 1
            k += 1
            if not more and (c & 0x10):
                x |= -1 << (5 * k)
        if len(runs) > 2:
            x += runs[-2]
        runs.append(x)
    col = bytearray(h * w)
    pos, v = 0, 0
    for r in runs:
        for i in range(pos, pos + r):
            col[i] = v
        pos += r
        v ^= 1
    out = bytearray(h * w)
    for x in range(w):
        for y in range(h):
            out[y * w + x] = col[x * h + y]
    return bytes(out)


def close(a, b):
    return abs(a - b) <= 1e-5 * max(1.0, abs(a), abs(b))


def compare_with_json(model):
    spec = importlib.util.spec_from_file_location('cascade_appsink', EXAMPLE)
    ex = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ex)
    Gst = ex.Gst
    Gst.init(None)
    w, h = 160, 120
    pipeline = Gst.parse_launch(
        'videotestsrc num-buffers=3 pattern=smpte ! '
        'video/x-raw,format=RGB,width=%d,height=%d ! cascadedetect name=a '
        'model="%s" score-threshold=0.05 mode=blocking interval=2 ! '
        'tee name=t ! queue ! appsink name=sink sync=false '
        't. ! queue ! cascadejson ! appsink name=json sync=false' % (
            w, h, model))
    sink, jsink = pipeline.get_by_name('sink'), pipeline.get_by_name('json')
    frames, lines = [], []
    err = ex.pull(pipeline, sink, 0, lambda s: frames.append(
        ex.read_frame(s)))
    while True:
        s = jsink.try_pull_sample(5 * Gst.SECOND)
        if s is None:
            break
        buf = s.get_buffer()
        lines.append(json.loads(buf.extract_dup(0, buf.get_size())))
    pipeline.set_state(Gst.State.NULL)
    check(err is None, 'the pipeline ran (%s)' % err)
    check(len(frames) == 3 and len(lines) == 3, '3 frames from both sinks '
          '(%d, %d)' % (len(frames), len(lines)))
    n_obj = n_mask = 0
    for f, j in zip(frames, lines):
        check(f is not None and (f['width'], f['height']) == (w, h),
              'frame %d: a meta of %dx%d' % (j['frame'], w, h))
        check(f['repeated'] == j['repeated'], 'frame %d: repeated %s' % (
            j['frame'], f['repeated']))
        check(f['result_age'] == j['pts'] - j['result_pts'],
              'frame %d: result age %d' % (j['frame'], f['result_age']))
        go, jo = f['objects'], j['objects']
        if not check(len(go) == len(jo), 'frame %d: %d objects, JSON %d' % (
                j['frame'], len(go), len(jo))):
            continue
        for g, o in zip(go, jo):
            same = (g['label'] == o['label'] and g['class_id'] ==
                    o['label_id'] and close(g['score'], o['score']) and
                    all(close(a, b) for a, b in zip(g['box'], o['box'])) and
                    g['source'] == o.get('source') == 'a')
            if not same:
                check(False, 'object differs: %s / %s' % (
                    {k: g[k] for k in ('label', 'score', 'box', 'source')},
                    o))
            if 'mask' in o:
                n_mask += 1
                if g['mask'] != rle_decode(o['mask']['counts'], h, w):
                    check(False, 'a mask differs from the JSON\'s')
                if len(g['probs']) != 784 or not all(
                        0.0 <= p <= 1.0 for p in g['probs']):
                    check(False, '28x28 probabilities out of [0, 1]')
            n_obj += 1
    check(n_obj > 0 and n_mask == n_obj, '%d objects, %d masks compared' % (
        n_obj, n_mask))
    check(frames[1]['repeated'] and not frames[0]['repeated'],
          'interval=2: the second frame repeats the first one\'s result')


def run_examples(args, env):
    ok = subprocess.run([sys.executable, EXAMPLE, '-m', args.model, '-n',
                         '2'], env=env, capture_output=True, text=True,
                        timeout=300)
    check(ok.returncode == 0 and ok.stdout.startswith('frame 0') and
          'mask' in ok.stdout, 'cascade-appsink.py runs (rc %d)' %
          ok.returncode)
    for exe in ([args.c_example] if args.c_example else []) + [EXAMPLE]:
        cmd = ([sys.executable] if exe.endswith('.py') else []) + \
            [exe, '-m', '/nonexistent/model.safetensors']
        try:
            r = subprocess.run(cmd, env=env, capture_output=True, text=True,
                               timeout=120)
        except subprocess.TimeoutExpired:
            check(False, '%s hangs after a failed start' % exe)
            continue
        check(r.returncode == 1 and 'not found' in r.stderr,
              '%s: a failed start ends with the error (rc %d)' % (
                  os.path.basename(exe), r.returncode))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--c-example')
    ap.add_argument('--sanitize', action='store_true')
    args = ap.parse_args()
    if args.sanitize and 'LD_PRELOAD' not in os.environ:
        # python is not instrumented: the sanitizer runtime first
        lib = subprocess.run(['gcc', '-print-file-name=libasan.so'],
                             capture_output=True, text=True).stdout.strip()
        # (python's own allocations are no leaks of ours: last, to win)
        opts = os.environ.get('ASAN_OPTIONS', '')
        env = dict(os.environ, LD_PRELOAD=lib,
                   ASAN_OPTIONS=(opts + ':' if opts else '') +
                   'detect_leaks=0')
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    compare_with_json(args.model)
    run_examples(args, dict(os.environ))
    print('%d failed' % len(FAILS))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
