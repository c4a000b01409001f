#!/usr/bin/python3
"""COCO-style box and mask AP, written from the COCO definition (no
pycocotools), and the evaluation of gst-cascade's demo model.

Definition used (that of COCOeval with the 'all' area range):
  * per image and category, detections sorted by score (descending, stable)
    and cut to maxDets = 100; ground truths with iscrowd are ignored
    (matched without counting; none in our data);
  * greedy matching per IoU threshold t in 0.50:0.05:0.95: each detection,
    best score first, takes the unmatched ground truth of highest IoU
    with IoU >= t (COCO: `iou >= t`, ties to the later-best as COCOeval's
    strict `<` test keeps the first best);
  * per category over all images: detections sorted by score (stable
    merge sort), cumulative TP/FP, recall = TP / #gt, precision =
    TP / (TP + FP), made monotone (running max from the right), sampled at
    the 101 recall points 0:0.01:1 (first index with recall >= r;
    precision 0 beyond the reached recall);
  * AP of a threshold = mean over the categories that have ground truth of
    the mean of the 101 sampled precisions; AP = mean over the 10
    thresholds; AP50 / AP75 at 0.5 / 0.75.
Box IoU uses COCO's [x, y, w, h] areas (no +1); mask IoU the pixel counts
of the RLE-decoded masks.

Library:  coco_ap(gt, dets, iou_type='bbox'|'segm') -> {'AP', 'AP50', 'AP75'}
  gt: COCO dict ('images', 'annotations', 'categories');
  dets: list of {'image_id', 'category_id', 'score', 'bbox': [x, y, w, h],
  'segmentation': RLE (for segm)}.

CLI (the demo model's figures; see models/DEMO.md):
  evaluate.py --model models/demo.safetensors -n 200 --seed 1000 \\
      [--torch] [--engine build/tools/cascade-run] [--stages 1,2,3]
      [--gst [-m M]]   (GST_PLUGIN_PATH=build/gst)
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import scenes  # noqa: E402

IOU_THRS = np.linspace(0.5, 0.95, 10)
REC_THRS = np.linspace(0.0, 1.0, 101)


# --------------------------------------------------------------------------
# IoU
# --------------------------------------------------------------------------
def box_iou_xywh(d, g):
    """(D, 4), (G, 4) [x, y, w, h] -> (D, G) IoU."""
    d = np.asarray(d, dtype=np.float64).reshape(-1, 4)
    g = np.asarray(g, dtype=np.float64).reshape(-1, 4)
    dx1, dy1 = d[:, 0] + d[:, 2], d[:, 1] + d[:, 3]
    gx1, gy1 = g[:, 0] + g[:, 2], g[:, 1] + g[:, 3]
    iw = np.minimum(dx1[:, None], gx1[None]) - np.maximum(d[:, 0:1], g[None, :, 0])
    ih = np.minimum(dy1[:, None], gy1[None]) - np.maximum(d[:, 1:2], g[None, :, 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    union = (d[:, 2] * d[:, 3])[:, None] + (g[:, 2] * g[:, 3])[None] - inter
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = np.where(union > 0, inter / union, 0.0)
    return iou


def mask_iou(dm, gm):
    """lists of bool (H, W) masks -> (D, G) IoU."""
    if not len(dm) or not len(gm):
        return np.zeros((len(dm), len(gm)))
    d = np.stack([m.reshape(-1) for m in dm]).astype(np.float64)
    g = np.stack([m.reshape(-1) for m in gm]).astype(np.float64)
    inter = d @ g.T
    union = d.sum(1)[:, None] + g.sum(1)[None] - inter
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(union > 0, inter / union, 0.0)


# --------------------------------------------------------------------------
# COCO AP
# --------------------------------------------------------------------------
def coco_ap(gt, dets, iou_type='bbox', max_dets=100, per_threshold=False):
    cats = [c['id'] for c in gt['categories']]
    img_ids = [im['id'] for im in gt['images']]
    gts = {}
    for a in gt['annotations']:
        gts.setdefault((a['image_id'], a['category_id']), []).append(a)
    dts = {}
    for d in dets:
        dts.setdefault((d['image_id'], d['category_id']), []).append(d)
    T = len(IOU_THRS)
    precision = np.full((T, len(REC_THRS), len(cats)), -1.0)
    for ci, c in enumerate(cats):
        scores_all, tp_all = [], []      # per image, then concatenated
        npig = 0
        for iid in img_ids:
            g = gts.get((iid, c), [])
            d = dts.get((iid, c), [])
            if not g and not d:
                continue
            # ground truth: non-ignored first (COCO sorts by ignore flag)
            gig = np.array([bool(a.get('iscrowd', 0)) for a in g], dtype=bool)
            gorder = np.argsort(gig, kind='mergesort')
            g = [g[i] for i in gorder]
            gig = gig[gorder]
            dorder = np.argsort([-x['score'] for x in d], kind='mergesort')
            d = [d[i] for i in dorder[:max_dets]]
            npig += int((~gig).sum())
            if iou_type == 'bbox':
                ious = box_iou_xywh([x['bbox'] for x in d],
                                    [a['bbox'] for a in g])
            else:
                ious = mask_iou([scenes.rle_decode(x['segmentation']).astype(bool)
                                 for x in d],
                                [scenes.rle_decode(a['segmentation']).astype(bool)
                                 for a in g])
            dtm = np.zeros((T, len(d)), dtype=bool)
            dtig = np.zeros((T, len(d)), dtype=bool)
            for ti, t in enumerate(IOU_THRS):
                gtm = np.zeros(len(g), dtype=bool)
                for di in range(len(d)):
                    best = min(t, 1 - 1e-10)
                    m = -1
                    for gi in range(len(g)):
                        if gtm[gi] and not gig[gi]:
                            continue
                        # stop at ignored gts once a real match exists
                        if m > -1 and not gig[m] and gig[gi]:
                            break
                        if ious[di, gi] < best:
                            continue
                        best = ious[di, gi]
                        m = gi
                    if m == -1:
                        continue
                    dtig[ti, di] = gig[m]
                    dtm[ti, di] = True
                    gtm[m] = True
            scores_all.append(np.array([x['score'] for x in d]))
            tp_all.append((dtm, dtig))
        if npig == 0:
            continue
        if scores_all:
            sc = np.concatenate(scores_all)
            tpm = np.concatenate([x[0] for x in tp_all], axis=1)
            igm = np.concatenate([x[1] for x in tp_all], axis=1)
        else:
            sc = np.zeros(0)
            tpm = igm = np.zeros((T, 0), dtype=bool)
        order = np.argsort(-sc, kind='mergesort')
        tpm, igm = tpm[:, order], igm[:, order]
        tps = np.logical_and(tpm, ~igm)
        fps = np.logical_and(~tpm, ~igm)
        tp_sum = np.cumsum(tps, axis=1).astype(np.float64)
        fp_sum = np.cumsum(fps, axis=1).astype(np.float64)
        for ti in range(T):
            tp, fp = tp_sum[ti], fp_sum[ti]
            rc = tp / npig
            pr = tp / (tp + fp + np.spacing(1))
            pr = np.maximum.accumulate(pr[::-1])[::-1] if len(pr) else pr
            q = np.zeros(len(REC_THRS))
            inds = np.searchsorted(rc, REC_THRS, side='left')
            ok = inds < len(pr)
            q[ok] = pr[inds[ok]]
            precision[ti, :, ci] = q
    per_t = []
    for ti in range(T):
        p = precision[ti]
        p = p[:, p[0] > -1] if p.size else p
        per_t.append(float(p.mean()) if p.size else -1.0)
    out = {'AP': float(np.mean(per_t)) if min(per_t) > -1 else -1.0,
           'AP50': per_t[0], 'AP75': per_t[5]}
    if per_threshold:
        out['per_threshold'] = per_t
    return out


# --------------------------------------------------------------------------
# detections of the model
# --------------------------------------------------------------------------
def dets_from_json(obj, image_id):
    """cascade-run / cascade_ref.detections_json output -> COCO results."""
    out = []
    for d in obj['detections']:
        x0, y0, x1, y1 = d['box']
        r = {'image_id': image_id, 'category_id': int(d['label']) + 1,
             'score': float(d['score']), 'bbox': [x0, y0, x1 - x0, y1 - y0]}
        if 'mask' in d:
            r['segmentation'] = d['mask']
        out.append(r)
    return out


def run_torch(model, images, num_stages=None, test_scale=None):
    sys.path.insert(0, os.path.join(HERE, '..', 'tests', 'reference'))
    import torch
    import cascade_ref as R
    torch.set_num_threads(1)
    weights, cfg = R.load_model(model, test_scale)
    if num_stages:
        cfg['roi_head']['num_stages'] = num_stages
        cfg['roi_head']['target_stds'] = cfg['roi_head']['target_stds'][
            :num_stages]
    ref = R.CascadeReference(weights, cfg)
    out = []
    for iid, img in images:
        res = ref.run(np.ascontiguousarray(img[:, :, ::-1]), keep_all=False)
        out += dets_from_json(R.detections_json(res, cfg), iid)
    return out


def run_engine(tool, model, ppms, num_stages=None, score_thr=0.05):
    out = []
    for iid, path in ppms:
        cmd = [tool, '-t', str(score_thr), model, path]
        if num_stages:
            cmd[1:1] = ['--num-stages', str(num_stages)]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, check=True)
        out += dets_from_json(json.loads(p.stdout), iid)
    return out


def run_gst(model, images, tmp, num_stages=None, score_thr=0.05):
    """A real pipeline per image: raw RGB bytes -> rawvideoparse ->
    cascadedetect -> cascadejson -> file (GST_PLUGIN_PATH must reach the
    cascade plugin)."""
    out = []
    for iid, img in images:
        h, w = img.shape[:2]
        raw = os.path.join(tmp, '%06d.rgb' % iid)
        js = os.path.join(tmp, '%06d.jsonl' % iid)
        stride = (w * 3 + 3) // 4 * 4     # GStreamer's default RGB stride
        rows = np.zeros((h, stride), dtype=np.uint8)
        rows[:, :w * 3] = img.reshape(h, w * 3)
        with open(raw, 'wb') as f:
            f.write(rows.tobytes())
        cmd = ['gst-launch-1.0', '-q', 'filesrc', 'location=' + raw,
               'blocksize=%d' % (h * stride), '!', 'rawvideoparse',
               'format=rgb', 'width=%d' % w, 'height=%d' % h,
               'framerate=1/1', '!', 'cascadedetect', 'model=' + model,
               'score-threshold=%g' % score_thr]
        if num_stages:
            cmd.append('num-stages=%d' % num_stages)
        cmd += ['!', 'cascadejson', '!', 'filesink', 'location=' + js]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        with open(js) as f:
            frame = json.loads(f.readline())
        obj = {'detections': [{'label': o['label_id'], 'score': o['score'],
                               'box': o['box'], 'mask': o['mask']}
                              if 'mask' in o else
                              {'label': o['label_id'], 'score': o['score'],
                               'box': o['box']} for o in frame['objects']]}
        out += dets_from_json(obj, iid)
        os.remove(raw)
    return out


def fmt(r):
    return 'AP %.3f  AP50 %.3f  AP75 %.3f' % (r['AP'], r['AP50'], r['AP75'])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', default=os.path.join(HERE, 'demo.safetensors'))
    ap.add_argument('-n', type=int, default=200)
    ap.add_argument('--seed', type=int, default=1000,
                    help='held-out scenes (training uses seed 0)')
    ap.add_argument('--torch', action='store_true',
                    help='evaluate through tests/reference/cascade_ref.py')
    ap.add_argument('--engine', metavar='CASCADE_RUN',
                    help='evaluate through this cascade-run binary')
    ap.add_argument('--gst', action='store_true',
                    help='evaluate through a GStreamer pipeline '
                         '(cascadedetect ! cascadejson; set GST_PLUGIN_PATH)')
    ap.add_argument('-m', type=int, default=0,
                    help='with --gst: only the first M images (0: all)')
    ap.add_argument('--stages', default='3',
                    help='comma-separated numbers of cascade stages to '
                         'evaluate (box AP for each; mask AP with 3)')
    ap.add_argument('--save', metavar='DIR',
                    help='write the images, annotations and detections here')
    ap.add_argument('--json', metavar='FILE', help='write the figures here')
    a = ap.parse_args()
    images, gt = scenes.coco_dataset(a.seed, a.n)
    ids = [im['id'] for im in gt['images']]
    tmp = a.save or tempfile.mkdtemp(prefix='cascade-eval-')
    os.makedirs(tmp, exist_ok=True)
    ppms = []
    for iid, img in zip(ids, images):
        path = os.path.join(tmp, '%06d.ppm' % iid)
        scenes.write_ppm(path, img)
        ppms.append((iid, path))
    with open(os.path.join(tmp, 'annotations.json'), 'w') as f:
        json.dump(gt, f)
    print('%d images, %d instances' % (len(images), len(gt['annotations'])))
    figures = {}
    stage_list = [int(x) for x in a.stages.split(',')]
    for name, enabled in (('torch', a.torch), ('engine', bool(a.engine)),
                          ('gst', a.gst)):
        if not enabled:
            continue
        for ns in stage_list:
            t0 = time.time()
            if name == 'torch':
                dets = run_torch(a.model, list(zip(ids, images)), ns)
            elif name == 'engine':
                dets = run_engine(a.engine, a.model, ppms, ns)
            else:
                sub = list(zip(ids, images))[:a.m or None]
                dets = run_gst(os.path.abspath(a.model), sub, tmp, ns)
            el = time.time() - t0
            key = '%s/stages%d' % (name, ns)
            g = gt
            if name == 'gst' and a.m:
                keep = set(ids[:a.m])
                g = dict(gt, images=[im for im in gt['images']
                                     if im['id'] in keep],
                         annotations=[x for x in gt['annotations']
                                      if x['image_id'] in keep])
                key += '/first%d' % a.m
            r = {'bbox': coco_ap(g, dets, 'bbox')}
            if ns == 3:
                r['segm'] = coco_ap(g, dets, 'segm')
                with open(os.path.join(tmp, 'dets-%s.json' % name), 'w') as f:
                    json.dump(dets, f)
            r['seconds'] = el
            figures[key] = r
            print('%-15s box  %s' % (key, fmt(r['bbox'])), flush=True)
            if 'segm' in r:
                print('%-15s mask %s' % (key, fmt(r['segm'])), flush=True)
            print('%-15s %.1f s for %d images' % (key, el, len(g['images'])),
                  flush=True)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(figures, f, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
