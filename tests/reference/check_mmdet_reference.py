#!/usr/bin/env python3
"""Development tool: checks our PyTorch reference (cascade_ref.py) against
the stored outputs of the real mmdetection 3.3 (the shared mmdet-reference
directory).  NOT run by the test suite (the project must stand alone).

  check_mmdet_reference.py SHARED_DIR [--case small_mask|r50_mask|r50_box]
        [--models DIR ...] [--no-intermediates]

SHARED_DIR is the mmdet-reference directory (public_cases.json, images/,
expected/, small_mask/img0/*.safetensors, rle.py).  The model of a case is
the first of DIR/<case>.safetensors (gst-cascade file) or DIR/<case>.pth
(mmdet checkpoint, e.g. made by gen_checkpoint.py) found in the --models
directories (default: models/ and ref/ under the system's temporary directory).

Prints, for small_mask/img0, max abs / relative error of every intermediate
tensor (RPN proposals compared as sets, because of score ties), and for each
case x image the grader's rule on the final detections: score >= 0.1,
one-to-one greedy by score, same label, box IoU >= 0.99,
|score diff| <= 1e-3, >= 98% matched, mean mask IoU >= 0.99.
Exit status 0 when every pair passes.
"""
import argparse
import importlib.util
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cascade_ref as cr  # noqa: E402


def load_rle_module(shared):
    """The shared decoder, by path (dev time only); ours otherwise."""
    p = os.path.join(shared, 'rle.py')
    if os.path.exists(p):
        spec = importlib.util.spec_from_file_location('shared_rle', p)
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        return m.decode
    return cr.rle_decode


def box_iou(a, b):
    """a [N,4], b [M,4] -> [N,M] (no +1)."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    wh = np.clip(rb - lt, 0, None)
    inter = wh[..., 0] * wh[..., 1]
    aa = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    ab = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = aa[:, None] + ab[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def grade(expected, ours, decode, min_score=0.1):
    """The grader's matching rule.  Returns a dict of figures."""
    E = [d for d in expected['detections'] if d['score'] >= min_score]
    O = [d for d in ours['detections'] if d['score'] >= min_score]
    E.sort(key=lambda d: -d['score'])
    if not E and not O:
        return {'n_exp': 0, 'n_ours': 0, 'matched': 0, 'frac': 1.0,
                'mask_iou': 1.0, 'max_score_diff': 0.0, 'min_box_iou': 1.0,
                'pass': True}
    eb = np.array([d['box'] for d in E]) if E else np.zeros((0, 4))
    ob = np.array([d['box'] for d in O]) if O else np.zeros((0, 4))
    iou = box_iou(eb, ob)
    used = np.zeros(len(O), bool)
    pairs = []
    for i, e in enumerate(E):
        best, bj = -1.0, -1
        for j, o in enumerate(O):
            if used[j] or o['label'] != e['label']:
                continue
            if abs(o['score'] - e['score']) > 1e-3 or iou[i, j] < 0.99:
                continue
            if iou[i, j] > best:
                best, bj = iou[i, j], j
        if bj >= 0:
            used[bj] = True
            pairs.append((i, bj))
    n = max(len(E), len(O))
    frac = len(pairs) / n
    mious = []
    for i, j in pairs:
        if 'mask' in E[i] and 'mask' in O[j]:
            me = decode(E[i]['mask']).astype(bool)
            mo = decode(O[j]['mask']).astype(bool)
            u = np.logical_or(me, mo).sum()
            mious.append(1.0 if u == 0 else
                         np.logical_and(me, mo).sum() / u)
    miou = float(np.mean(mious)) if mious else float('nan')
    sd = max([abs(E[i]['score'] - O[j]['score']) for i, j in pairs],
             default=0.0)
    mbi = min([iou[i, j] for i, j in pairs], default=1.0)
    ok = frac >= 0.98 and (not mious or miou >= 0.99)
    return {'n_exp': len(E), 'n_ours': len(O), 'matched': len(pairs),
            'frac': frac, 'mask_iou': miou, 'max_score_diff': sd,
            'min_box_iou': mbi, 'min_mask_iou': min(mious, default=1.0),
            'pass': ok}


def match_rows(ours, ref, tol):
    """Match rows of ours to rows of ref (as sets): returns perm with
    ours[perm[i]] ~ ref[i] (or -1), and the max abs diff of the matches."""
    ours = np.asarray(ours, np.float64)
    ref = np.asarray(ref, np.float64)
    perm = -np.ones(len(ref), np.int64)
    used = np.zeros(len(ours), bool)
    worst = 0.0
    for i in range(len(ref)):
        d = np.abs(ours - ref[i]).max(axis=1)
        d[used] = np.inf
        j = int(np.argmin(d)) if len(d) else -1
        if j >= 0 and d[j] <= tol:
            perm[i] = j
            used[j] = True
            worst = max(worst, float(d[j]))
    return perm, worst


def compare_tensor(name, a, b):
    a = np.asarray(a)
    b = np.asarray(b)
    if a.shape != b.shape:
        return '%-40s SHAPE ours %s ref %s' % (name, a.shape, b.shape), False
    if a.dtype.kind in 'iub' and b.dtype.kind in 'iub':
        bad = int((a.astype(np.int64) != b.astype(np.int64)).sum())
        return ('%-40s %-18s mismatches %d / %d' % (
            name, str(list(a.shape)), bad, a.size)), bad == 0
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if a.size == 0:
        return '%-40s empty' % name, True
    d = np.abs(a - b)
    mabs = float(d.max())
    scale = float(np.abs(b).max())
    rel = mabs / scale if scale > 0 else mabs
    ok = rel <= 1e-4
    return ('%-40s %-18s max_abs %.3e  rel %.3e  (max|ref| %.3g)' % (
        name, str(list(a.shape)), mabs, rel, scale)), ok


def find_model(case, dirs):
    for d in dirs:
        for ext in ('.safetensors', '.pth'):
            p = os.path.join(d, case + ext)
            if os.path.exists(p):
                return p
    return None


def check_intermediates(shared, res):
    d = os.path.join(shared, 'small_mask', 'img0')
    ref = {}
    for f in ('features.safetensors', 'heads.safetensors'):
        t, _ = cr.read_safetensors(os.path.join(d, f))
        ref.update(t)
    all_ok = True
    lines = []
    # the proposals as sets; then the permutation ours->ref for what follows
    pb, ps = res['rpn.proposals.bboxes'], res['rpn.proposals.scores']
    rb, rs = ref['rpn.proposals.bboxes'], ref['rpn.proposals.scores']
    ours5 = np.concatenate([pb, ps[:, None]], 1)
    ref5 = np.concatenate([rb, rs[:, None]], 1)
    perm, worst = match_rows(ours5, ref5, 1e-3)
    nmatch = int((perm >= 0).sum())
    identity = bool(np.all(perm == np.arange(len(perm)))) and \
        len(pb) == len(rb)
    lines.append('%-40s ours %d ref %d, matched as sets %d, max diff %.3e, '
                 'same order: %s' % ('rpn.proposals (set)', len(pb), len(rb),
                                     nmatch, worst, identity))
    all_ok &= nmatch == len(rb) == len(pb)
    # pre-NMS candidates as sets, per level
    pre_o = np.concatenate([res['rpn.pre_nms.bboxes'],
                            res['rpn.pre_nms.scores'][:, None],
                            res['rpn.pre_nms.level_ids'][:, None]], 1)
    pre_r = np.concatenate([ref['rpn.pre_nms.bboxes'],
                            ref['rpn.pre_nms.scores'][:, None],
                            ref['rpn.pre_nms.level_ids'][:, None]], 1)
    pp, pw = match_rows(pre_o, pre_r, 1e-3)
    lines.append('%-40s ours %d ref %d, matched as sets %d, max diff %.3e'
                 % ('rpn.pre_nms (set)', len(pre_o), len(pre_r),
                    int((pp >= 0).sum()), pw))
    all_ok &= int((pp >= 0).sum()) == len(pre_r) == len(pre_o)
    per_roi = ('stage', 'final.')
    for name in ref:
        if name not in res:
            lines.append('%-40s MISSING in ours' % name)
            all_ok = False
            continue
        a = res[name]
        if name.startswith('rpn.pre_nms') or name.startswith('rpn.proposals'):
            msg, ok = compare_tensor(name, a, ref[name])
            lines.append(msg + ('' if ok else '   (order; see set line)'))
            continue
        if (name.startswith(per_roi) and not identity and
                'bbox_feats' not in name and nmatch == len(rb)):
            a = a[perm]
            name = name + ' [perm]'
        rname = name[:-7] if name.endswith(' [perm]') else name
        msg, ok = compare_tensor(name, a, ref[rname])
        if rname == 'det.masks' and a.shape == ref[rname].shape:
            # pixels whose merged probability is within float noise of the
            # 0.5 threshold may flip: allow 1e-5 of the pixels
            ok = int((a != ref[rname]).sum()) <= 1e-5 * a.size
        lines.append(msg)
        if not ok:
            all_ok = False
    return lines, all_ok


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('shared', help='the mmdet-reference directory')
    ap.add_argument('--case', action='append',
                    help='small_mask, r50_mask, r50_box (default: all)')
    ap.add_argument('--image', action='append', help='img0_480x640, ...')
    ap.add_argument('--models', nargs='+', default=[os.path.join(tempfile.gettempdir(), 'models'), os.path.join(tempfile.gettempdir(), 'ref')])
    ap.add_argument('--no-intermediates', action='store_true')
    ap.add_argument('--threads', type=int, default=0)
    a = ap.parse_args(argv)
    if a.threads > 0:
        cr.torch.set_num_threads(a.threads)
    with open(os.path.join(a.shared, 'public_cases.json')) as f:
        cases = json.load(f)['cases']
    decode = load_rle_module(a.shared)
    all_ok = True
    summary = []
    for case in cases:
        name = case['name']
        if a.case and name not in a.case:
            continue
        mp = find_model(name, a.models)
        if mp is None:
            print('%s: no model file in %s' % (name, a.models))
            all_ok = False
            continue
        weights, cfg = cr.load_model(mp, tuple(case['test_scale']))
        ref = cr.CascadeReference(weights, cfg)
        print('== %s (%s)' % (name, mp))
        for img_name in case['images']:
            if a.image and img_name not in a.image:
                continue
            img = cr.load_image_bgr(os.path.join(a.shared, 'images',
                                                 img_name + '.png'))
            res = ref.run(img)
            if (name == 'small_mask' and img_name.startswith('img0') and
                    not a.no_intermediates):
                lines, ok = check_intermediates(a.shared, res)
                print('-- intermediates of small_mask/img0 '
                      '(rel = max_abs / max|ref|)')
                for line in lines:
                    print('   ' + line)
                print('   intermediates: %s' % ('OK' if ok else 'DIFFER'))
            with open(os.path.join(a.shared, 'expected', name,
                                   img_name + '.json')) as f:
                exp = json.load(f)
            ours = cr.detections_json(res, cfg)
            g = grade(exp, ours, decode)
            line = ('%-10s %-13s exp %3d ours %3d matched %3d (%.1f%%) '
                    'max|dscore| %.2e min box IoU %.5f mean mask IoU %.5f '
                    'min mask IoU %.4f  %s' % (
                        name, img_name, g['n_exp'], g['n_ours'],
                        g['matched'], 100 * g['frac'], g['max_score_diff'],
                        g['min_box_iou'], g['mask_iou'], g['min_mask_iou'],
                        'PASS' if g['pass'] else 'FAIL'))
            print(line)
            summary.append(line)
            all_ok &= g['pass']
            sys.stdout.flush()
    print('== summary')
    for line in summary:
        print(line)
    print('ALL PASS' if all_ok else 'SOME FAILED')
    return 0 if all_ok else 1


if __name__ == '__main__':
    sys.exit(main())
