#!/usr/bin/python3
"""Development check of the C engine against mmdetection's own outputs in
../shared/mmdet-reference (not run by the test suite, which must stand
alone).

  tools/compare_mmdet.py SHARED/mmdet-reference BUILD --case small_mask \
      --model small_mask.safetensors [--image img0_480x640]

For every image of the case it runs build/tools/cascade-run on the PNG
(converted to PPM) and grades the final detections the way the reference
README describes (score >= 0.1 matched one-to-one, same label, IoU >= 0.99,
|score diff| <= 1e-3, >= 98% matched, mean mask IoU >= 0.99).  With
--intermediates (small_mask img0 only) it also runs the network from
mmdetection's stored input tensor and prints the relative error of every
intermediate tensor."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np


def read_safetensors(path):
    with open(path, 'rb') as f:
        data = f.read()
    n = int.from_bytes(data[:8], 'little')
    header = json.loads(data[8:8 + n])
    base = 8 + n
    dt = {'F32': np.float32, 'F16': np.float16, 'I64': np.int64,
          'I32': np.int32, 'U8': np.uint8, 'F64': np.float64}
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        b, e = v['data_offsets']
        out[k] = np.frombuffer(data[base + b:base + e],
                               dtype=dt[v['dtype']]).reshape(v['shape'])
    return out


def write_ppm(png, ppm):
    from PIL import Image
    im = Image.open(png).convert('RGB')
    with open(ppm, 'wb') as f:
        f.write(b'P6\n%d %d\n255\n' % im.size)
        f.write(im.tobytes())
    return im.size


def rle_decode(counts, h, w):
    # pycocotools compressed string -> column-major runs -> mask
    cnts, p, m = [], 0, 0
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
        if m > 2:
            x += cnts[m - 2]
        cnts.append(x)
        m += 1
    flat = np.zeros(h * w, np.uint8)
    pos, val = 0, 0
    for c in cnts:
        flat[pos:pos + c] = val
        pos += c
        val ^= 1
    return flat.reshape(w, h).T


def iou(a, b):
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    u = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / u if u > 0 else 0.0


def grade(ours, ref, h, w):
    ref_d = [d for d in ref if d['score'] >= 0.1]
    used = set()
    matched, mask_ious, worst_score = 0, [], 0.0
    for r in ref_d:
        best, bi = None, -1
        for i, o in enumerate(ours):
            if i in used or o['label'] != r['label']:
                continue
            if abs(o['score'] - r['score']) > 1e-3:
                continue
            v = iou(o['box'], r['box'])
            if v >= 0.99 and (best is None or v > best):
                best, bi = v, i
        if bi < 0:
            continue
        used.add(bi)
        matched += 1
        worst_score = max(worst_score, abs(ours[bi]['score'] - r['score']))
        if 'mask' in r and 'mask' in ours[bi]:
            a = rle_decode(r['mask']['counts'], h, w).astype(bool)
            b = rle_decode(ours[bi]['mask']['counts'], h, w).astype(bool)
            u = (a | b).sum()
            mask_ious.append((a & b).sum() / u if u else 1.0)
    frac = matched / len(ref_d) if ref_d else 1.0
    miou = float(np.mean(mask_ious)) if mask_ious else 1.0
    return len(ref_d), matched, frac, miou, worst_score


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('shared')
    ap.add_argument('build')
    ap.add_argument('--case', required=True)
    ap.add_argument('--model', required=True)
    ap.add_argument('--image', action='append')
    ap.add_argument('--intermediates', action='store_true')
    a = ap.parse_args()
    run = os.path.join(a.build, 'tools', 'cascade-run')
    cases = json.load(open(os.path.join(a.shared, 'public_cases.json')))
    case = [c for c in cases['cases'] if c['name'] == a.case][0]
    ok = True
    tmp = tempfile.mkdtemp()
    for img in a.image or case['images']:
        ppm = os.path.join(tmp, img + '.ppm')
        w, h = write_ppm(os.path.join(a.shared, 'images', img + '.png'), ppm)
        out = subprocess.run([run, a.model, ppm], capture_output=True,
                             text=True)
        if out.returncode:
            print(out.stderr)
            return 1
        ours = json.loads(out.stdout)['detections']
        ref = json.load(open(os.path.join(a.shared, 'expected', a.case,
                                          img + '.json')))['detections']
        n, m, frac, miou, ws = grade(ours, ref, h, w)
        good = frac >= 0.98 and miou >= 0.99
        ok &= good
        print('%s %s: %d/%d matched (%.1f%%), mean mask IoU %.4f, worst '
              'score diff %.2e, ours %d dets, mmdet %d -> %s'
              % (a.case, img, m, n, 100 * frac, miou, ws, len(ours), len(ref),
                 'PASS' if good else 'FAIL'))
    if a.intermediates:
        d = os.path.join(a.shared, a.case, 'img0')
        refs = read_safetensors(os.path.join(d, 'features.safetensors'))
        refs.update(read_safetensors(os.path.join(d, 'heads.safetensors')))
        raw = os.path.join(tmp, 'input.f32')
        refs['input_tensor'].astype(np.float32).tofile(raw)
        cap = os.path.join(tmp, 'cap.safetensors')
        ppm = os.path.join(tmp, case['images'][0] + '.ppm')
        # the mask heads alone on mmdetection's own detections too: masks
        # move by ~2 per pixel of box shift, more than the chain's float32
        # noise in the boxes allows for a 1e-4 comparison
        mb = os.path.join(tmp, 'mask_boxes.f32')
        np.concatenate([refs['mask.rois'][:, 1:5].astype(np.float32),
                        refs['mask.det_labels'].astype(np.float32)[:, None]],
                       axis=1).astype(np.float32).tofile(mb)
        out = subprocess.run([run, a.model, ppm, '--input-tensor', raw,
                              '--capture', cap, '--mask-boxes', mb],
                             capture_output=True, text=True)
        if out.returncode:
            print(out.stderr)
            return 1
        ours = read_safetensors(cap)
        # RPN scores tie, and torch's sort is not stable: align our proposal
        # rows (and everything per RoI after them) with mmdetection's
        po = ours['rpn.proposals.bboxes'].astype(np.float64)
        pr = refs['rpn.proposals.bboxes'].astype(np.float64)
        perm = None
        if po.shape == pr.shape:
            d = np.abs(pr[:, None, :] - po[None, :, :]).sum(-1)
            perm = d.argmin(1)
            print('proposals: %d of %d rows matched to < 1e-3 px; %d rows '
                  'in another order' % ((d.min(1) < 1e-3).sum(), len(pr),
                                        (perm != np.arange(len(pr))).sum()))
        per_roi = ('rpn.proposals.', 'stage', 'final.cls_score',
                   'final.pre_nms', 'final.bbox_pred')
        for k in sorted(ours):
            rk = 'mask.merged_probs_28x28' if k == 'mask.given_boxes_probs' \
                else k
            if rk not in refs:
                continue
            o = ours[k].astype(np.float64)
            r = refs[rk].astype(np.float64)
            if k.startswith('stage') and k.endswith('.rois'):
                r = r[:, 1:]
            if perm is not None and k.startswith(per_roi) and \
                    len(o) == len(perm):
                o = o[perm]
            if o.shape != r.shape:
                print('%-32s shape ours %s mmdet %s' % (k, o.shape, r.shape))
                continue
            err = np.abs(o - r)
            rel = err.max() / max(np.abs(r).max(), 1e-12)
            # per element, with a floor of 1e-3 * max|ref| for values near 0
            rel_el = (err / np.maximum(np.abs(r), 1e-3 * np.abs(r).max())).max()
            print('%-32s max abs %.3e  rel to max|ref| %.3e  elementwise '
                  '%.3e' % (k, err.max(), rel, rel_el))
        # the stored resized image, from the PNG through our preprocessing
        cap2 = os.path.join(tmp, 'cap2.safetensors')
        subprocess.run([run, a.model, ppm, '--capture', cap2],
                       capture_output=True, check=True)
        o = read_safetensors(cap2)['pipeline_resized_uint8_bgr_chw']
        r = refs['pipeline_resized_uint8_bgr_chw']
        diff = np.abs(o.astype(int) - r.astype(int))
        print('resized u8: max diff %d, %.4f%% of values differ' %
              (diff.max(), 100.0 * (diff > 0).mean()))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
