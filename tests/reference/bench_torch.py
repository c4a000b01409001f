#!/usr/bin/env python3
"""PyTorch (CPU) timing of the reference Cascade (Mask) R-CNN, per stage.

  bench_torch.py MODEL IMAGE [-n N] [--threads 2] [--channels-last]
                 [--blas-fc] [--test-scale W H]

MODEL: gst-cascade .safetensors (or mmdet .pth); IMAGE: PNG/JPEG or PPM.
Runs the reference (tests/reference/cascade_ref.py) once to warm up, then N
times, and prints one line per stage, parseable:

  stage <name> median_ms <x> gflops <y> gflop <z>

<y> is GFLOP/s (2 FLOPs per multiply-add of the convolutions, deconvolutions
and fully connected layers run in that stage; "nan" where nothing is
counted), <z> the GFLOP of that stage.  Stages: preprocess (resize,
normalise, pad), backbone, fpn, rpn (head convs, top-k, decode, NMS),
stage1..stageK (RoIAlign + box head + refinement), mask_heads (RoIAlign +
the mask heads + merge; mask models), postprocess (detection NMS, rescale,
mask pasting), and total (median of the per-run totals).

The fully connected layers run through oneDNN (as the convolutions do):
Debian's torch is built with the generic reference BLAS, which F.linear
would use (about 10x slower); --blas-fc measures that path instead.
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cascade_ref as cr  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('model')
    ap.add_argument('image')
    ap.add_argument('-n', type=int, default=5, help='timed runs')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--channels-last', action='store_true')
    ap.add_argument('--blas-fc', action='store_true',
                    help='F.linear (the build\'s BLAS) for the fc layers')
    ap.add_argument('--test-scale', nargs=2, type=int, metavar=('W', 'H'))
    a = ap.parse_args(argv)
    torch.set_num_threads(a.threads)
    weights, cfg = cr.load_model(a.model, a.test_scale)
    ref = cr.CascadeReference(weights, cfg)
    if a.channels_last:
        ref.use_channels_last()
    if not a.blas_fc:
        ref.use_fast_fc()
    img = cr.load_image_bgr(a.image)

    runs = []
    res = None
    for it in range(a.n + 1):
        rec = []
        state = {'t': time.perf_counter(), 'f': ref.flops.flops}

        def tick(name):
            now = time.perf_counter()
            rec.append((name, now - state['t'], ref.flops.flops - state['f']))
            state['t'] = time.perf_counter()
            state['f'] = ref.flops.flops

        t0 = time.perf_counter()
        res = ref.run(img, keep_all=False, timer=tick)
        total = time.perf_counter() - t0
        if it > 0:   # the first run is the warm-up
            runs.append((rec, total))

    # merge the raw ticks into the reported stages
    def merged(rec):
        out = {}
        for name, dt, fl in rec:
            key = {'detnms': 'postprocess', 'paste': 'postprocess'}.get(
                name, name)
            t, f = out.get(key, (0.0, 0.0))
            out[key] = (t + dt, f + fl)
        return out

    per_run = [merged(rec) for rec, _ in runs]
    order = [k for k in per_run[0]]
    order = [k for k in order if k != 'postprocess'] + ['postprocess']
    m = res['img_meta']
    print('model %s image %s input %dx%d threads %d runs %d channels_last %d'
          ' fc %s dets %d' % (os.path.basename(a.model),
                              os.path.basename(a.image), m['img_shape'][1],
                              m['img_shape'][0], a.threads, a.n,
                              int(a.channels_last),
                              'blas' if a.blas_fc else 'onednn',
                              res['det.scores'].shape[0]))
    tot_flop = 0.0
    for k in order:
        ms = statistics.median(r[k][0] for r in per_run) * 1e3
        fl = per_run[0][k][1]
        tot_flop += fl
        gfs = ('%.2f' % (fl / (ms * 1e-3) / 1e9)) if fl > 0 and ms > 0 \
            else 'nan'
        print('stage %s median_ms %.2f gflops %s gflop %.3f' % (
            k, ms, gfs, fl / 1e9))
    tms = statistics.median(t for _, t in runs) * 1e3
    print('stage total median_ms %.2f gflops %.2f gflop %.3f' % (
        tms, tot_flop / (tms * 1e-3) / 1e9, tot_flop / 1e9))
    return 0


if __name__ == '__main__':
    sys.exit(main())
