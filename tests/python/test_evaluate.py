#!/usr/bin/python3
"""models/evaluate.py (COCO-style AP) on hand-made cases whose AP is
worked out by hand from the COCO definition (101 recall points, greedy
matching by score, IoU thresholds 0.50:0.05:0.95)."""
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'models'))
import evaluate as E  # noqa: E402
import scenes  # noqa: E402


def gt_dict(anns, n_images=1, n_cats=2):
    out = []
    for i, a in enumerate(anns):
        a = dict(a)
        a.setdefault('iscrowd', 0)
        a['id'] = i + 1
        out.append(a)
    return {'images': [{'id': i + 1, 'width': 200, 'height': 200}
                       for i in range(n_images)],
            'annotations': out,
            'categories': [{'id': c + 1, 'name': 'c%d' % c}
                           for c in range(n_cats)]}


def box(img, cat, bbox):
    return {'image_id': img, 'category_id': cat, 'bbox': bbox}


def det(img, cat, bbox, score):
    return {'image_id': img, 'category_id': cat, 'bbox': bbox,
            'score': score}


class BoxAP(unittest.TestCase):

    def check(self, r, ap, ap50, ap75):
        self.assertAlmostEqual(r['AP'], ap, places=12)
        self.assertAlmostEqual(r['AP50'], ap50, places=12)
        self.assertAlmostEqual(r['AP75'], ap75, places=12)

    def test_perfect(self):
        g = gt_dict([box(1, 1, [10, 10, 50, 40]), box(1, 2, [80, 80, 30, 30]),
                     box(2, 1, [0, 0, 20, 20])], n_images=2)
        d = [det(1, 1, [10, 10, 50, 40], 0.9), det(1, 2, [80, 80, 30, 30], 0.8),
             det(2, 1, [0, 0, 20, 20], 0.3)]
        self.check(E.coco_ap(g, d), 1.0, 1.0, 1.0)

    def test_iou_062(self):
        # IoU 0.62: a true positive at t = 0.50, 0.55, 0.60 only
        g = gt_dict([box(1, 1, [0, 0, 100, 100])], n_cats=1)
        d = [det(1, 1, [0, 0, 62, 100], 0.5)]
        self.check(E.coco_ap(g, d), 0.3, 1.0, 0.0)

    def test_false_positive_first(self):
        # 2 gts; FP (0.9) then TP (0.8): recall 0.5 at precision 0.5 ->
        # 51 of the 101 recall points (0.00 .. 0.50) at 0.5
        g = gt_dict([box(1, 1, [0, 0, 50, 50]), box(1, 1, [100, 100, 50, 50])],
                    n_cats=1)
        d = [det(1, 1, [60, 0, 30, 30], 0.9), det(1, 1, [0, 0, 50, 50], 0.8)]
        want = 51 * 0.5 / 101
        self.check(E.coco_ap(g, d), want, want, want)

    def test_true_positive_first(self):
        # TP (0.9) then FP (0.8), 2 gts: precision 1 up to recall 0.5
        g = gt_dict([box(1, 1, [0, 0, 50, 50]), box(1, 1, [100, 100, 50, 50])],
                    n_cats=1)
        d = [det(1, 1, [0, 0, 50, 50], 0.9), det(1, 1, [60, 0, 30, 30], 0.8)]
        want = 51 / 101
        self.check(E.coco_ap(g, d), want, want, want)

    def test_greedy_by_score(self):
        # A (0.9, IoU 0.62) takes the gt at t <= 0.60 and B (0.8, IoU 1) is
        # then a false positive; at t >= 0.65 only B matches, ranked second:
        # AP_t = 1 for 3 thresholds, 0.5 for 7
        g = gt_dict([box(1, 1, [0, 0, 100, 100])], n_cats=1)
        d = [det(1, 1, [0, 0, 62, 100], 0.9), det(1, 1, [0, 0, 100, 100], 0.8)]
        self.check(E.coco_ap(g, d), (3 * 1.0 + 7 * 0.5) / 10, 1.0, 0.5)

    def test_scores_across_images(self):
        # detections of all images ranked together: image 2's FP (0.95)
        # comes before image 1's TP (0.6): one gt, precision 0.5
        g = gt_dict([box(1, 1, [0, 0, 40, 40])], n_images=2, n_cats=1)
        d = [det(1, 1, [0, 0, 40, 40], 0.6), det(2, 1, [0, 0, 40, 40], 0.95)]
        self.check(E.coco_ap(g, d), 0.5, 0.5, 0.5)

    def test_category_without_detections(self):
        # category 2 has a gt but nothing detected: mean of 1 and 0
        g = gt_dict([box(1, 1, [0, 0, 40, 40]), box(1, 2, [50, 50, 40, 40])])
        d = [det(1, 1, [0, 0, 40, 40], 0.6)]
        self.check(E.coco_ap(g, d), 0.5, 0.5, 0.5)

    def test_category_without_gt_is_not_averaged(self):
        g = gt_dict([box(1, 1, [0, 0, 40, 40])])
        d = [det(1, 1, [0, 0, 40, 40], 0.6), det(1, 2, [50, 50, 40, 40], 0.9)]
        self.check(E.coco_ap(g, d), 1.0, 1.0, 1.0)

    def test_wrong_category_is_false_positive(self):
        g = gt_dict([box(1, 1, [0, 0, 40, 40])], n_cats=1)
        d = [det(1, 2, [0, 0, 40, 40], 0.9)]
        g['categories'].append({'id': 2, 'name': 'c1'})
        self.check(E.coco_ap(g, d), 0.0, 0.0, 0.0)

    def test_max_dets(self):
        # the only TP is the 101st detection of its image: cut by maxDets
        g = gt_dict([box(1, 1, [0, 0, 40, 40])], n_cats=1)
        d = [det(1, 1, [100 + i, 100, 10, 10], 0.9 - i * 1e-3)
             for i in range(100)]
        d.append(det(1, 1, [0, 0, 40, 40], 0.1))
        self.check(E.coco_ap(g, d), 0.0, 0.0, 0.0)
        # ... but found with 101 allowed: precision 1/101 at recall 1
        r = E.coco_ap(g, d, max_dets=101)
        self.assertAlmostEqual(r['AP50'], 1 / 101, places=12)

    def test_one_detection_two_gts(self):
        # one detection can match one gt only
        g = gt_dict([box(1, 1, [0, 0, 40, 40]), box(1, 1, [0, 0, 40, 40])],
                    n_cats=1)
        d = [det(1, 1, [0, 0, 40, 40], 0.9)]
        self.check(E.coco_ap(g, d), 51 / 101, 51 / 101, 51 / 101)


class MaskAP(unittest.TestCase):

    def test_masks(self):
        h, w = 20, 30
        gm = np.zeros((h, w), dtype=bool)
        gm[2:12, 3:13] = True                   # 100 px
        half = gm.copy()
        half[2:7, 3:13] = False                 # 50 px inside: IoU 0.5
        g = gt_dict([dict(box(1, 1, [3, 2, 10, 10]),
                          segmentation=scenes.rle_encode(gm))], n_cats=1)
        d = [dict(det(1, 1, [3, 2, 10, 10], 0.9),
                  segmentation=scenes.rle_encode(half))]
        r = E.coco_ap(g, d, 'segm')
        # the box is perfect, the mask matches at t = 0.5 only
        self.assertAlmostEqual(r['AP'], 0.1, places=12)
        self.assertAlmostEqual(r['AP50'], 1.0, places=12)
        self.assertAlmostEqual(r['AP75'], 0.0, places=12)
        self.assertAlmostEqual(E.coco_ap(g, d, 'bbox')['AP'], 1.0, places=12)
        d[0]['segmentation'] = scenes.rle_encode(gm)
        self.assertAlmostEqual(E.coco_ap(g, d, 'segm')['AP'], 1.0, places=12)

    def test_mask_iou(self):
        a = np.zeros((8, 8), dtype=bool)
        b = np.zeros((8, 8), dtype=bool)
        a[0:4, 0:4] = True
        b[2:6, 2:6] = True
        self.assertAlmostEqual(E.mask_iou([a], [b])[0, 0], 4 / 28)


class Json(unittest.TestCase):

    def test_dets_from_json(self):
        m = np.zeros((5, 6), dtype=bool)
        m[1:3, 2:5] = True
        obj = {'detections': [{'label': 2, 'score': 0.7,
                               'box': [2.0, 1.0, 5.0, 3.0],
                               'mask': scenes.rle_encode(m)}]}
        r = E.dets_from_json(obj, 7)
        self.assertEqual(r[0]['category_id'], 3)
        self.assertEqual(r[0]['image_id'], 7)
        self.assertEqual(r[0]['bbox'], [2.0, 1.0, 3.0, 2.0])
        self.assertTrue((scenes.rle_decode(r[0]['segmentation']) == m).all())


if __name__ == '__main__':
    unittest.main()
