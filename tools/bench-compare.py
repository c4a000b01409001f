#!/usr/bin/python3
"""Runs the same model and image through gst-cascade's engine
(build/tools/cascade-bench) and through the PyTorch reference
(tests/reference/bench_torch.py, mmdetection's computation on oneDNN) in one
invocation and prints the per-stage medians side by side with the ratio.

  tools/bench-compare.py MODEL IMAGE.ppm [-n 5] [--build build]
      [--input-size 1333x800] [--threads 2] [--channels-last]
"""
import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)

# our stage -> the reference's
STAGES = [('preprocess', 'preprocess'), ('backbone', 'backbone'),
          ('fpn', 'fpn'), ('rpn', 'rpn'), ('stage1', 'stage1'),
          ('stage2', 'stage2'), ('stage3', 'stage3'), ('mask', 'mask_heads'),
          ('postprocess', 'postprocess'), ('total', 'total')]


def parse(text):
    out = {}
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 6 and f[0] == 'stage':
            gf = float(f[5]) if f[5] != 'nan' else float('nan')
            out[f[1]] = (float(f[3]), gf)
    return out


def peak_of(text):
    for line in text.splitlines():
        f = line.split()
        if len(f) == 2 and f[0] == 'peak_gflops':
            return float(f[1])
    return float('nan')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('model')
    ap.add_argument('image')
    ap.add_argument('-n', type=int, default=5)
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--input-size')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--channels-last', action='store_true')
    ap.add_argument('--no-masks', action='store_true')
    a = ap.parse_args()

    ours_cmd = [os.path.join(a.build, 'tools', 'cascade-bench'), a.model,
                a.image, '-n', str(a.n)]
    ref_cmd = ['/usr/bin/python3',
               os.path.join(TOP, 'tests', 'reference', 'bench_torch.py'),
               a.model, a.image, '-n', str(a.n), '--threads', str(a.threads)]
    if a.input_size:
        ours_cmd += ['--input-size', a.input_size]
        ref_cmd += ['--test-scale'] + a.input_size.split('x')
    if a.channels_last:
        ref_cmd.append('--channels-last')
    if a.no_masks:
        ours_cmd.append('--no-masks')
    print('$ ' + ' '.join(ours_cmd))
    ours_out = subprocess.run(ours_cmd, capture_output=True, text=True,
                              check=True).stdout
    print(''.join(l + '\n' for l in ours_out.splitlines()
                  if not l.startswith('stage')), end='')
    print('$ ' + ' '.join(ref_cmd))
    ref_out = subprocess.run(ref_cmd, capture_output=True, text=True,
                             check=True).stdout
    print(''.join(l + '\n' for l in ref_out.splitlines()
                  if not l.startswith('stage')), end='')
    ours, ref = parse(ours_out), parse(ref_out)
    peak = peak_of(ours_out)
    # our NMS and mask paste are their own stages; the reference counts
    # them in its postprocess
    if 'postprocess' in ours:
        ours['postprocess'] = (ours['postprocess'][0] +
                               ours.get('nms', (0, 0))[0] +
                               ours.get('paste', (0, 0))[0], float('nan'))
    print('device FMA peak %.1f GFLOP/s (%% = share of it)' % peak)
    print('%-12s %10s %8s %6s %10s %8s %6s %7s' % (
        'stage', 'ours ms', 'GFLOP/s', '%', 'torch ms', 'GFLOP/s', '%',
        'ratio'))
    for o, r in STAGES:
        if o not in ours and r not in ref:
            continue
        om, og = ours.get(o, (float('nan'), float('nan')))
        rm, rg = ref.get(r, (float('nan'), float('nan')))
        print('%-12s %10.1f %8.1f %6.1f %10.1f %8.1f %6.1f %7.2f' % (
            o, om, og, 100 * og / peak, rm, rg, 100 * rg / peak,
            om / rm if rm else float('nan')))
    return 0


if __name__ == '__main__':
    sys.exit(main())
