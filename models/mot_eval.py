#!/usr/bin/python3
"""Multi-object tracking metrics of cascadejson output against MOT16-style
ground truth (models/scenes.py --track-clip).

Definitions (numpy, and scipy.optimize.linear_sum_assignment for every
optimal matching):

* CLEAR MOT as in the MOT16 benchmark (Milan et al. 2016, after Bernardin
  & Stiefelhagen 2008), IoU >= 0.5 a match: per frame, hypotheses that
  match a ground-truth box marked "not considered" (conf 0: mostly hidden)
  are removed first (optimal matching against all boxes); the
  correspondences of the previous frame are kept where they still match;
  the rest is matched optimally (largest total IoU).  A considered box
  matched to another ID than at its previous match is an ID switch.
  MOTA = 1 - (FN + FP + IDSW) / GT;  MOTP = the mean IoU of the matches.
* IDF1 (Ristani et al. 2016): the optimal one-to-one matching of ground-
  truth trajectories to hypothesis trajectories that maximises IDTP, the
  frames on which a matched pair overlaps with IoU >= 0.5;
  IDF1 = 2 IDTP / (GT + hypotheses), with the same removal as above.
* IDSW per 100 track-frames: 100 IDSW / GT (a track-frame is one
  considered ground-truth box).
* mean IoU on predicted frames: on the frames that carry no result of
  their own (cascadedetect's `repeated`), every considered ground-truth
  box is matched optimally to the output boxes (largest total IoU, any
  overlap); the mean of its IoU, 0 when unmatched or uncovered.

The baseline "repeat the last result, greedy IoU IDs" is built from
cascadedetect's own output (before cascadetrack), the detections scoring
at least 0.5 (cascadetrack's default birth-score): the repeated boxes
stand still, and IDs go greedily by IoU >= 0.3 with the previous frame's
boxes, highest first.

  mot_eval.py --gt DIR/gt/gt.txt --track TRACK.jsonl [--raw RAW.jsonl]
      [--crossings DIR/crossings.json] [--json]
"""
import argparse
import json
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

MATCH_IOU = 0.5
GREEDY_IOU = 0.3


def iou_matrix(a, b):
    """a (n, 4), b (m, 4) as x1 y1 x2 y2 -> (n, m) IoU."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)))
    iw = np.minimum(a[:, None, 2], b[None, :, 2]) - \
        np.maximum(a[:, None, 0], b[None, :, 0])
    ih = np.minimum(a[:, None, 3], b[None, :, 3]) - \
        np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)


def match(iou, thr):
    """Optimal matching maximising total IoU over pairs with IoU >= thr
    (> 0 when thr is 0) -> list of (i, j)."""
    if iou.size == 0:
        return []
    w = np.where(iou >= thr if thr > 0 else iou > 0, iou, 0.0)
    rows, cols = linear_sum_assignment(w, maximize=True)
    return [(i, j) for i, j in zip(rows, cols) if w[i, j] > 0]


def load_gt(path):
    """-> {frame (0-based): (ids, boxes, considered)}"""
    frames = {}
    for line in open(path):
        v = line.strip().split(',')
        if len(v) < 7:
            continue
        f, gid = int(v[0]) - 1, int(v[1])
        x, y, w, h = map(float, v[2:6])
        ids, boxes, cons = frames.setdefault(f, ([], [], []))
        ids.append(gid)
        boxes.append([x, y, x + w, y + h])
        cons.append(int(float(v[6])) != 0)
    return frames


def load_jsonl(path):
    return [json.loads(line) for line in open(path) if line.strip()]


def hyps_from_track(lines):
    """-> {frame: (ids, boxes)} of the objects with a track_id"""
    out = {}
    for rec in lines:
        objs = [o for o in rec['objects'] if 'track_id' in o]
        out[rec['frame']] = ([o['track_id'] for o in objs],
                             [o['box'] for o in objs])
    return out


def hyps_greedy(lines, min_score=0.5):
    """the baseline: cascadedetect's boxes scoring at least min_score (the
    tracker's birth-score, so that both see the same detections), IDs
    greedy by IoU with the previous frame"""
    out, prev_ids, prev_boxes, next_id = {}, [], [], 1
    for rec in lines:
        boxes = [o['box'] for o in rec['objects'] if o['score'] >= min_score]
        iou = iou_matrix(boxes, prev_boxes)
        ids = [None] * len(boxes)
        used = set()
        for k in np.argsort(-iou, axis=None) if iou.size else []:
            i, j = divmod(int(k), iou.shape[1])
            if iou[i, j] < GREEDY_IOU:
                break
            if ids[i] is None and j not in used:
                ids[i] = prev_ids[j]
                used.add(j)
        for i in range(len(ids)):
            if ids[i] is None:
                ids[i], next_id = next_id, next_id + 1
        out[rec['frame']] = (ids, boxes)
        prev_ids, prev_boxes = ids, boxes
    return out


def evaluate(gt, hyps, predicted_frames):
    """CLEAR MOT, IDF1 and the predicted frames' mean IoU (see above)."""
    n_gt = n_hyp = fn = fp = idsw = 0
    ious, last, prev = [], {}, {}
    pair = {}                   # (gt id, hyp id) -> frames with IoU >= .5
    pred_iou = []
    for f in sorted(set(gt) | set(hyps)):
        gids, gboxes, cons = gt.get(f, ([], [], []))
        hids, hboxes = hyps.get(f, ([], []))
        cons = np.asarray(cons, dtype=bool)
        iou = iou_matrix(gboxes, hboxes)
        # hypotheses on boxes that are not considered: removed
        drop = {j for i, j in match(iou, MATCH_IOU) if not cons[i]}
        keep = [j for j in range(len(hids)) if j not in drop]
        gi = [i for i in range(len(gids)) if cons[i]]
        sub = iou[np.ix_(gi, keep)] if gi and keep else np.zeros((len(gi),
                                                                  len(keep)))
        n_gt += len(gi)
        n_hyp += len(keep)
        # previous correspondences that still hold
        pairs, used_g, used_h = [], set(), set()
        for a, i in enumerate(gi):
            h = prev.get(gids[i])
            for b, j in enumerate(keep):
                if hids[j] == h and sub[a, b] >= MATCH_IOU and b not in used_h:
                    pairs.append((a, b))
                    used_g.add(a)
                    used_h.add(b)
                    break
        rest_g = [a for a in range(len(gi)) if a not in used_g]
        rest_h = [b for b in range(len(keep)) if b not in used_h]
        for a, b in match(sub[np.ix_(rest_g, rest_h)], MATCH_IOU):
            pairs.append((rest_g[a], rest_h[b]))
        cur = {}
        for a, b in pairs:
            g, h = gids[gi[a]], hids[keep[b]]
            if g in last and last[g] != h:
                idsw += 1
            last[g] = h
            cur[g] = h
            ious.append(sub[a, b])
        prev = cur
        fn += len(gi) - len(pairs)
        fp += len(keep) - len(pairs)
        for a in range(len(gi)):
            for b in range(len(keep)):
                if sub[a, b] >= MATCH_IOU:
                    k = (gids[gi[a]], hids[keep[b]])
                    pair[k] = pair.get(k, 0) + 1
        if f in predicted_frames and gi:
            full = iou[np.ix_(gi, list(range(len(hids))))] if hids else \
                np.zeros((len(gi), 0))
            got = np.zeros(len(gi))
            for a, b in match(full, 0.0):
                got[a] = full[a, b]
            pred_iou.extend(got.tolist())
    idtp = 0
    if pair:
        g_ids = sorted({k[0] for k in pair})
        h_ids = sorted({k[1] for k in pair})
        w = np.zeros((len(g_ids), len(h_ids)))
        for (g, h), n in pair.items():
            w[g_ids.index(g), h_ids.index(h)] = n
        r, c = linear_sum_assignment(w, maximize=True)
        idtp = int(w[r, c].sum())
    return {
        'gt': n_gt, 'hyp': n_hyp, 'fn': fn, 'fp': fp, 'idsw': idsw,
        'mota': 1.0 - (fn + fp + idsw) / max(n_gt, 1),
        'motp': float(np.mean(ious)) if ious else 0.0,
        'idf1': 2.0 * idtp / max(n_gt + n_hyp, 1),
        'idsw_per_100': 100.0 * idsw / max(n_gt, 1),
        'pred_iou': float(np.mean(pred_iou)) if pred_iou else None,
        'pred_boxes': len(pred_iou),
    }


def crossings_of(lines):
    out = {'forward': 0, 'backward': 0}
    for rec in lines:
        for e in rec.get('events', []):
            if e.get('type') == 'line-cross':
                out[e['direction']] += 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--gt', required=True)
    ap.add_argument('--track', required=True, help='cascadejson after '
                    'cascadetrack')
    ap.add_argument('--raw', help='cascadejson after cascadedetect (the '
                    'baseline, and which frames are predicted)')
    ap.add_argument('--crossings', help='crossings.json of the clip')
    ap.add_argument('--json', action='store_true')
    a = ap.parse_args()
    gt = load_gt(a.gt)
    track = load_jsonl(a.track)
    raw = load_jsonl(a.raw) if a.raw else None
    src = raw if raw is not None else track
    predicted = {r['frame'] for r in src if r.get('repeated')}
    res = {'tracker': evaluate(gt, hyps_from_track(track), predicted)}
    if raw is not None:
        res['baseline'] = evaluate(gt, hyps_greedy(raw), predicted)
    if a.crossings:
        res['crossings'] = {'truth': json.load(open(a.crossings))[
            'crossings'], 'counted': crossings_of(track)}
    if a.json:
        json.dump(res, sys.stdout)
        print()
        return
    for name in ('tracker', 'baseline'):
        if name not in res:
            continue
        m = res[name]
        print('%-8s MOTA %.3f  MOTP %.3f  IDF1 %.3f  IDSW %d (%.2f/100)  '
              'FN %d  FP %d  GT %d  predicted-frame IoU %s' % (
                  name, m['mota'], m['motp'], m['idf1'], m['idsw'],
                  m['idsw_per_100'], m['fn'], m['fp'], m['gt'],
                  '-' if m['pred_iou'] is None else '%.3f' % m['pred_iou']))
    if 'crossings' in res:
        print('crossings: truth %(truth)s, counted %(counted)s' %
              res['crossings'])


if __name__ == '__main__':
    main()
