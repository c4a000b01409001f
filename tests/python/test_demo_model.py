#!/usr/bin/python3
"""The demo model (models/demo.safetensors) through the engine
(tools/cascade-run): on fixed generated scenes, every expected object is
found with the right class, box IoU >= 0.8 and a mask that matches, and
nothing else is detected with a high score.  Fails if the model file, the
engine or the scene generator breaks.

usage: test_demo_model.py --cascade-run PATH --model PATH [--torch]
  --torch: also run tests/reference/cascade_ref.py on the same scenes
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'models'))
import scenes  # noqa: E402

BOX_IOU = 0.8       # expected objects: box IoU with the detection
MASK_IOU = 0.7      # ... and mask IoU
MIN_SCORE = 0.5     # ... found with at least this score
FP_SCORE = 0.7      # no detection above this score may lie outside every
                    # object (IoU < 0.5 with every box and less than 80% of
                    # it inside one: the model does see a circle in the hole
                    # of a ring, a detection inside the ring's box)


def obj(kind, cx, cy, r, theta, colour):
    return {'kind': kind, 'cx': cx, 'cy': cy, 'r': r, 'theta': theta,
            'colour': np.array(colour, dtype=np.float64),
            'shade': np.array([12.0, -8.0, 5.0])}


# hand-placed, non-overlapping objects of all five classes
SCENES = [
    (480, 320, 11, [obj('circle', 80, 80, 45, 0.0, (220, 40, 40)),
                    obj('square', 240, 90, 50, 0.3, (40, 60, 210)),
                    obj('triangle', 400, 100, 55, 0.5, (240, 220, 40)),
                    obj('star', 130, 230, 60, 0.2, (250, 250, 250)),
                    obj('ring', 330, 230, 55, 0.0, (30, 40, 160))]),
    (400, 400, 12, [obj('star', 300, 100, 70, 1.0, (200, 60, 200)),
                    obj('ring', 100, 110, 60, 0.0, (250, 140, 20)),
                    obj('triangle', 110, 300, 60, 2.0, (20, 30, 40)),
                    obj('square', 290, 290, 55, 0.8, (240, 240, 120)),
                    obj('circle', 205, 205, 22, 0.0, (10, 200, 230))]),
]


def make_scenes():
    out = []
    for w, h, seed, objects in SCENES:
        rng = np.random.default_rng(seed)
        bg = scenes.background(rng, h, w)
        img, inst = scenes.compose(bg, objects, rng)
        assert len(inst) == len(objects)
        out.append((img, inst))
    return out


def box_iou(a, b):
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    inter = max(iw, 0) * max(ih, 0)
    ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / ua if ua > 0 else 0.0


def inside(a, b):
    """Part of box a inside box b."""
    iw = min(a[2], b[2]) - max(a[0], b[0])
    ih = min(a[3], b[3]) - max(a[1], b[1])
    area = (a[2] - a[0]) * (a[3] - a[1])
    return max(iw, 0) * max(ih, 0) / area if area > 0 else 0.0


def check(name, dets, inst, log):
    """-> list of failure messages."""
    fails = []
    gts = [(c, scenes.tight_box(m), m) for c, m in inst]
    for c, gb, gm in gts:
        best = None
        for d in dets:
            if d['label'] != c or d['score'] < MIN_SCORE:
                continue
            iou = box_iou(d['box'], gb)
            if best is None or iou > best[0]:
                best = (iou, d)
        if best is None:
            fails.append('%s: %s at %s not detected' % (
                name, scenes.CLASSES[c], gb))
            continue
        iou, d = best
        miou = -1.0
        if 'mask' in d:
            dm = scenes.rle_decode(d['mask']).astype(bool)
            miou = float((dm & gm).sum()) / float((dm | gm).sum())
        log('  %-8s score %.3f box IoU %.3f mask IoU %.3f' % (
            scenes.CLASSES[c], d['score'], iou, miou))
        if iou < BOX_IOU:
            fails.append('%s: %s box IoU %.3f < %.2f' % (
                name, scenes.CLASSES[c], iou, BOX_IOU))
        if miou < MASK_IOU:
            fails.append('%s: %s mask IoU %.3f < %.2f' % (
                name, scenes.CLASSES[c], miou, MASK_IOU))
    for d in dets:
        if d['score'] >= FP_SCORE and not any(
                box_iou(d['box'], gb) >= 0.5 or inside(d['box'], gb) >= 0.8
                for _, gb, _ in gts):
            fails.append('%s: spurious %s (%.3f) at %s' % (
                name, scenes.CLASSES[d['label']], d['score'], d['box']))
    return fails


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cascade-run', required=True)
    ap.add_argument('--model', required=True)
    ap.add_argument('--torch', action='store_true')
    a = ap.parse_args()
    fails = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (img, inst) in enumerate(make_scenes()):
            ppm = os.path.join(tmp, 'scene%d.ppm' % i)
            scenes.write_ppm(ppm, img)
            p = subprocess.run([a.cascade_run, '-t', '0.05', a.model, ppm],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if p.returncode != 0:
                print('cascade-run failed (%d): %s' % (
                    p.returncode, p.stderr.decode(errors='replace')))
                return 1
            dets = json.loads(p.stdout)['detections']
            print('scene %d (engine): %d detections' % (i, len(dets)))
            fails += check('scene %d engine' % i, dets, inst, print)
            if a.torch:
                sys.path.insert(0, os.path.join(HERE, '..', 'reference'))
                import cascade_ref as R
                w, cfg = R.load_model(a.model)
                res = R.CascadeReference(w, cfg).run(
                    np.ascontiguousarray(img[:, :, ::-1]), keep_all=False)
                tdets = R.detections_json(res, cfg)['detections']
                print('scene %d (torch): %d detections' % (i, len(tdets)))
                fails += check('scene %d torch' % i, tdets, inst, print)
    for f in fails:
        print('FAIL', f)
    print('%d failures' % len(fails))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
