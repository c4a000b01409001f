#!/usr/bin/python3
"""cascadetrack in a real pipeline: the demo model through
cascadedetect interval=3 ! tee ! cascadetrack ! cascadejson on the
"enter-leave" tracking clip of models/scenes.py (shapes entering at the
borders, crossing the frame apart from each other, leaving), scored by
models/mot_eval.py against the clip's ground truth:

- the line through the middle counts exactly the clip's crossings, each
  way (scenes.line_crossings);
- the events are in the JSON with the track ID, class and timestamp;
- no ID switch, and every tracked object keeps one ID;
- on the frames between results the predicted boxes overlap the truth
  better than the repeated ones of the same run (the greedy baseline).

  test_track_pipeline.py --model demo.safetensors --work-dir DIR
"""
import argparse
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'models'))
import mot_eval  # noqa: E402
import scenes  # noqa: E402

ARGS = None
FRAMES = 110
INTERVAL = 3


class TrackPipeline(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        clip = os.path.join(ARGS.work_dir, 'enter-leave')
        scenes.write_track_clip(clip, 'enter-leave', 1, FRAMES)
        cls.clip = clip
        cls.raw = os.path.join(clip, 'raw.jsonl')
        cls.track = os.path.join(clip, 'track.jsonl')
        line = ('{"lines": [{"name": "gate", "points": [[0.5, 0], [0.5, 1]],'
                ' "direction": [1, 0]}]}')
        cmd = ['gst-launch-1.0', '-q',
               'filesrc', 'location=' + os.path.join(clip, 'frames.rgb'), '!',
               'rawvideoparse', 'format=rgb', 'width=480', 'height=320',
               'framerate=10/1', '!',
               'cascadedetect', 'model=' + ARGS.model,
               'interval=%d' % INTERVAL, 'mode=blocking', '!', 'tee', 'name=t',
               't.', '!', 'queue', '!', 'cascadejson', 'masks=false', '!',
               'filesink', 'location=' + cls.raw,
               't.', '!', 'queue', '!', 'cascadetrack', 'anchor=center',
               'zones=' + line, '!', 'cascadejson', 'masks=false', '!',
               'filesink', 'location=' + cls.track]
        env = dict(os.environ)
        if ARGS.sanitize:
            # gst-launch-1.0 is not instrumented: the sanitizer runtime of
            # the ASan plugin is preloaded (its own leaks are not ours)
            env['LD_PRELOAD'] = subprocess.run(
                ['gcc', '-print-file-name=libasan.so'], capture_output=True,
                text=True, check=True).stdout.strip()
            env['ASAN_OPTIONS'] = 'detect_leaks=0:halt_on_error=1'
        subprocess.run(cmd, check=True, timeout=500, env=env)
        cls.gt = mot_eval.load_gt(os.path.join(clip, 'gt', 'gt.txt'))
        cls.raw_lines = mot_eval.load_jsonl(cls.raw)
        cls.track_lines = mot_eval.load_jsonl(cls.track)
        cls.predicted = {r['frame'] for r in cls.raw_lines if r['repeated']}

    def test_frames(self):
        self.assertEqual(len(self.track_lines), FRAMES)
        self.assertEqual(len(self.predicted), FRAMES - (FRAMES + 2) // 3)

    def test_crossings_exact(self):
        with open(os.path.join(self.clip, 'crossings.json')) as f:
            truth = json.load(f)
        self.assertGreater(sum(truth['crossings'].values()), 2)
        self.assertEqual(mot_eval.crossings_of(self.track_lines),
                         truth['crossings'])

    def test_events_in_json(self):
        ids = {o['track_id'] for r in self.track_lines for o in r['objects']}
        n = 0
        for r in self.track_lines:
            for e in r.get('events', []):
                if e['type'] != 'line-cross':
                    continue
                n += 1
                self.assertEqual(e['name'], 'gate')
                self.assertIn(e['track_id'], ids)
                self.assertIn(e['label'], scenes.CLASSES)
                self.assertIsInstance(e['class_id'], int)
                # the PTS of a result frame at or before this frame
                self.assertLessEqual(e['timestamp'], r['pts'])
                self.assertEqual(e['timestamp'] % (INTERVAL * 100000000), 0)
        self.assertGreater(n, 2)

    def test_ids(self):
        res = mot_eval.evaluate(self.gt, mot_eval.hyps_from_track(
            self.track_lines), self.predicted)
        self.assertEqual(res['idsw'], 0, res)
        self.assertGreater(res['idf1'], 0.6, res)
        self.assertGreater(res['mota'], 0.5, res)

    def test_prediction_beats_repeating(self):
        track = mot_eval.evaluate(self.gt, mot_eval.hyps_from_track(
            self.track_lines), self.predicted)
        base = mot_eval.evaluate(self.gt, mot_eval.hyps_greedy(
            self.raw_lines), self.predicted)
        self.assertGreater(track['pred_iou'], base['pred_iou'] + 0.05,
                           (track, base))


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True)
    ap.add_argument('--work-dir', required=True)
    ap.add_argument('--sanitize', action='store_true')
    ARGS, rest = ap.parse_known_args()
    os.makedirs(ARGS.work_dir, exist_ok=True)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == '__main__':
    main()
