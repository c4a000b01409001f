#!/usr/bin/python3
"""Tracking benchmark: the demo model through cascadedetect interval=N !
cascadetrack on the tracking clips of models/scenes.py, scored by
models/mot_eval.py against their ground truth, with the "repeat the last
result, greedy IoU IDs" baseline from the same run (a tee before
cascadetrack).  Prints a Markdown table.

  GST_PLUGIN_PATH=build/gst models/bench_tracking.py \\
      --model models/demo.safetensors [--frames 120] [--intervals 1,3,10] \\
      [--work DIR]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mot_eval  # noqa: E402
import scenes  # noqa: E402

LINE = ('{"lines": [{"name": "mid", "points": [[0.5, 0], [0.5, 1]], '
        '"direction": [1, 0]}]}')


def run_pipeline(clip, model, interval, out_raw, out_track, width=480,
                 height=320, fps=10):
    cmd = ['gst-launch-1.0', '-q',
           'filesrc', 'location=' + os.path.join(clip, 'frames.rgb'), '!',
           'rawvideoparse', 'format=rgb', 'width=%d' % width,
           'height=%d' % height, 'framerate=%d/1' % fps, '!',
           'cascadedetect', 'model=' + model, 'interval=%d' % interval,
           'mode=blocking', '!', 'tee', 'name=t',
           't.', '!', 'queue', '!', 'cascadejson', 'masks=false', '!',
           'filesink', 'location=' + out_raw,
           't.', '!', 'queue', '!', 'cascadetrack', 'anchor=center',
           'zones=' + LINE, '!', 'cascadejson', 'masks=false', '!',
           'filesink', 'location=' + out_track]
    t0 = time.time()
    subprocess.run(cmd, check=True)
    return time.time() - t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', required=True)
    ap.add_argument('--frames', type=int, default=120)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--intervals', default='1,3,10')
    ap.add_argument('--work')
    a = ap.parse_args()
    work = a.work or tempfile.mkdtemp(prefix='bench-track-')
    intervals = [int(x) for x in a.intervals.split(',')]
    rows, totals = [], {}
    for name in scenes.TRACK_SCENES:
        clip = os.path.join(work, name)
        scenes.write_track_clip(clip, name, a.seed, a.frames)
        gt = mot_eval.load_gt(os.path.join(clip, 'gt', 'gt.txt'))
        truth = json.load(open(os.path.join(clip, 'crossings.json')))
        for n in intervals:
            raw = os.path.join(clip, 'raw-%d.jsonl' % n)
            trk = os.path.join(clip, 'track-%d.jsonl' % n)
            secs = run_pipeline(clip, a.model, n, raw, trk)
            raw_l, trk_l = mot_eval.load_jsonl(raw), mot_eval.load_jsonl(trk)
            pred = {r['frame'] for r in raw_l if r.get('repeated')}
            res = {'tracker': mot_eval.evaluate(
                gt, mot_eval.hyps_from_track(trk_l), pred),
                'baseline': mot_eval.evaluate(
                gt, mot_eval.hyps_greedy(raw_l), pred)}
            counted = mot_eval.crossings_of(trk_l)
            rows.append((name, n, res, counted, truth['crossings'], secs))
            for who in ('tracker', 'baseline'):
                t = totals.setdefault((who, n), {})
                for k in ('gt', 'hyp', 'fn', 'fp', 'idsw'):
                    t[k] = t.get(k, 0) + res[who][k]
                if res[who]['pred_iou'] is not None:
                    t.setdefault('iou', []).append(
                        (res[who]['pred_iou'], res[who]['pred_boxes']))
                t.setdefault('idf1', []).append(
                    (res[who]['idf1'], res[who]['gt'] + res[who]['hyp']))
            print('%s interval %d: %.0f s; tracker %s; baseline %s; '
                  'crossings %s of %s' % (name, n, secs, res['tracker'],
                                          res['baseline'], counted,
                                          truth['crossings']),
                  file=sys.stderr)

    print('| clip | interval | method | MOTA | IDF1 | ID sw. | ID sw. / 100 '
          '| FN | FP | mean IoU, predicted frames | line crossings '
          '(fwd/back: counted / truth) |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for name, n, res, counted, truth, _ in rows:
        for who in ('tracker', 'baseline'):
            m = res[who]
            cross = '%d/%d : %d/%d' % (counted['forward'],
                                       counted['backward'], truth['forward'],
                                       truth['backward']) \
                if who == 'tracker' else ''
            print('| %s | %d | %s | %.3f | %.3f | %d | %.2f | %d | %d | %s '
                  '| %s |' % (name, n, who, m['mota'], m['idf1'], m['idsw'],
                              m['idsw_per_100'], m['fn'], m['fp'],
                              '-' if m['pred_iou'] is None
                              else '%.3f' % m['pred_iou'], cross))
    print()
    print('| all clips | interval | method | MOTA | IDF1 | ID sw. / 100 '
          '| mean IoU, predicted frames |')
    print('|---|---|---|---|---|---|---|')
    for n in intervals:
        for who in ('tracker', 'baseline'):
            t = totals[(who, n)]
            mota = 1.0 - (t['fn'] + t['fp'] + t['idsw']) / max(t['gt'], 1)
            idf1 = sum(v * w for v, w in t['idf1']) / max(
                sum(w for _, w in t['idf1']), 1)
            iou = t.get('iou')
            iou_s = '%.3f' % (sum(v * w for v, w in iou) / max(
                sum(w for _, w in iou), 1)) if iou else '-'
            print('| all | %d | %s | %.3f | %.3f | %.2f | %s |' % (
                n, who, mota, idf1, 100.0 * t['idsw'] / max(t['gt'], 1),
                iou_s))


if __name__ == '__main__':
    main()
