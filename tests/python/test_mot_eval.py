#!/usr/bin/python3
"""models/mot_eval.py on hand-made sequences whose CLEAR MOT and IDF1
figures follow from the definitions (MOT16; Ristani et al. 2016)."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'models'))
import mot_eval  # noqa: E402


def box(x, y=0, w=10, h=10):
    return [x, y, x + w, y + h]


def gt_of(rows):
    """rows: {frame: [(id, box, considered)]} -> load_gt's form"""
    return {f: ([r[0] for r in v], [r[1] for r in v], [r[2] for r in v])
            for f, v in rows.items()}


def hyp_of(rows):
    return {f: ([r[0] for r in v], [r[1] for r in v]) for f, v in rows.items()}


class MotEval(unittest.TestCase):

    def test_perfect(self):
        gt = gt_of({f: [(1, box(f), True), (2, box(50 + f), True)]
                    for f in range(10)})
        hyp = hyp_of({f: [(7, box(f)), (9, box(50 + f))] for f in range(10)})
        r = mot_eval.evaluate(gt, hyp, set())
        self.assertEqual((r['fn'], r['fp'], r['idsw'], r['gt']), (0, 0, 0, 20))
        self.assertAlmostEqual(r['mota'], 1.0)
        self.assertAlmostEqual(r['idf1'], 1.0)
        self.assertAlmostEqual(r['motp'], 1.0)

    def test_id_switch(self):
        gt = gt_of({f: [(1, box(f), True)] for f in range(10)})
        hyp = hyp_of({f: [(1 if f < 5 else 2, box(f))] for f in range(10)})
        r = mot_eval.evaluate(gt, hyp, set())
        self.assertEqual(r['idsw'], 1)
        self.assertAlmostEqual(r['mota'], 0.9)
        # the best trajectory pair shares 5 of 10 + 10 boxes
        self.assertAlmostEqual(r['idf1'], 2 * 5 / 20.0)
        self.assertAlmostEqual(r['idsw_per_100'], 10.0)

    def test_misses_and_false_positives(self):
        gt = gt_of({f: [(1, box(f), True)] for f in range(10)})
        rows = {f: [(1, box(f))] for f in range(10) if f not in (3, 4)}
        rows[6] = rows[6] + [(5, box(80))]
        # a box too far off (IoU < 0.5) is a miss and a false positive
        rows[8] = [(1, box(8 + 6))]
        r = mot_eval.evaluate(gt, hyp_of(rows), set())
        self.assertEqual((r['fn'], r['fp'], r['idsw']), (3, 2, 0))
        self.assertAlmostEqual(r['mota'], 1 - 5 / 10.0)

    def test_not_considered(self):
        # a mostly hidden box: finding it is no false positive, missing it
        # no miss
        gt = gt_of({0: [(1, box(0), True), (2, box(40), False)],
                    1: [(1, box(1), True), (2, box(41), False)]})
        hyp = hyp_of({0: [(1, box(0)), (2, box(40))], 1: [(1, box(1))]})
        r = mot_eval.evaluate(gt, hyp, set())
        self.assertEqual((r['gt'], r['hyp'], r['fn'], r['fp']), (2, 2, 0, 0))

    def test_previous_correspondence_kept(self):
        # two hypotheses on one object; the one matched before stays even
        # when the other overlaps better: no switch
        gt = gt_of({0: [(1, box(0), True)], 1: [(1, box(0), True)]})
        hyp = hyp_of({0: [(1, box(0))], 1: [(1, box(3)), (2, box(0))]})
        r = mot_eval.evaluate(gt, hyp, set())
        self.assertEqual((r['idsw'], r['fp']), (0, 1))

    def test_predicted_frame_iou(self):
        gt = gt_of({0: [(1, box(0), True)], 1: [(1, box(10), True)]})
        hyp = hyp_of({0: [(1, box(0))], 1: [(1, box(5))]})
        r = mot_eval.evaluate(gt, hyp, {1})
        self.assertAlmostEqual(r['pred_iou'], 50 / 150.0)
        self.assertEqual(r['pred_boxes'], 1)

    def test_greedy_baseline(self):
        lines = [{'frame': f, 'objects': [
            {'box': box(2 * f), 'score': 0.9},
            {'box': box(60 - 2 * f), 'score': 0.9},
            {'box': box(200), 'score': 0.2}]} for f in range(5)]
        h = mot_eval.hyps_greedy(lines)
        self.assertEqual([h[f][0] for f in range(5)], [[1, 2]] * 5)
        # a box that jumps gets a new ID
        lines.append({'frame': 5, 'objects': [{'box': box(100),
                                               'score': 0.9}]})
        self.assertEqual(mot_eval.hyps_greedy(lines)[5][0], [3])


if __name__ == '__main__':
    unittest.main(verbosity=2)
