#!/usr/bin/python3
"""models/scenes.py: determinism, annotation consistency (visible masks
disjoint, boxes tight, RLE round trip), sizes and classes, occlusion and
truncation present, moving sequences."""
import json
import os
import sys
import unittest

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'models'))
import scenes  # noqa: E402


class Scenes(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.images, cls.coco = scenes.coco_dataset(7, 24)

    def test_deterministic(self):
        a, ia = scenes.make_scene([7, 3])
        b, ib = scenes.make_scene([7, 3])
        self.assertTrue((a == b).all())
        self.assertEqual(len(ia), len(ib))
        for (ca, ma), (cb, mb) in zip(ia, ib):
            self.assertEqual(ca, cb)
            self.assertTrue((ma == mb).all())
        c, _ = scenes.make_scene([8, 3])
        self.assertFalse(a.shape == c.shape and (a == c).all())

    def test_images(self):
        for img, info in zip(self.images, self.coco['images']):
            self.assertEqual(img.dtype, np.uint8)
            self.assertEqual(img.ndim, 3)
            h, w = img.shape[:2]
            self.assertTrue(240 <= h <= 480 and 240 <= w <= 480, (h, w))
            self.assertEqual((info['height'], info['width']), (h, w))
        sizes = {im.shape[:2] for im in self.images}
        self.assertGreater(len(sizes), 10)     # varied sizes
        # textured: no image is a flat colour
        for img in self.images:
            self.assertGreater(img.reshape(-1, 3).std(0).max(), 5)

    def test_annotations(self):
        coco = json.loads(json.dumps(self.coco))        # JSON-serialisable
        self.assertEqual([c['name'] for c in coco['categories']],
                         list(scenes.CLASSES))
        by_img = {}
        for a in coco['annotations']:
            by_img.setdefault(a['image_id'], []).append(a)
            self.assertIn(a['category_id'], range(1, 6))
            self.assertEqual(a['iscrowd'], 0)
        seen_cats = {a['category_id'] for a in coco['annotations']}
        self.assertEqual(seen_cats, {1, 2, 3, 4, 5})
        truncated = occluded = 0
        for img, info in zip(self.images, coco['images']):
            anns = by_img.get(info['id'], [])
            self.assertLessEqual(len(anns), 12)
            h, w = img.shape[:2]
            union = np.zeros((h, w), dtype=np.int32)
            for a in anns:
                m = scenes.rle_decode(a['segmentation'])
                self.assertEqual(m.shape, (h, w))
                self.assertEqual(int(m.sum()), a['area'])
                self.assertGreaterEqual(a['area'], scenes.MIN_VISIBLE_PX)
                ys, xs = np.nonzero(m)
                x, y, bw, bh = a['bbox']
                self.assertEqual((x, y, x + bw, y + bh),
                                 (xs.min(), ys.min(), xs.max() + 1,
                                  ys.max() + 1))
                union += m
                if x == 0 or y == 0 or x + bw == w or y + bh == h:
                    truncated += 1
                # a convex shape with a bite out of it: occluded
                if a['area'] < 0.5 * bw * bh and a['category_id'] in (2, ):
                    occluded += 1
            self.assertLessEqual(union.max(), 1)    # visible parts disjoint
        self.assertGreater(truncated, 0)
        self.assertGreater(occluded, 0)

    def test_occlusion_masks_are_visible_parts(self):
        # two overlapping squares: the earlier one loses the overlap
        rng = np.random.default_rng(0)
        bg = np.full((100, 100, 3), 128.0)
        objs = [dict(kind='square', cx=40, cy=40, r=20, theta=0,
                     colour=np.array([255., 0, 0]), shade=np.zeros(3)),
                dict(kind='square', cx=55, cy=55, r=20, theta=0,
                     colour=np.array([0., 0, 255]), shade=np.zeros(3))]
        img, inst = scenes.compose(bg, objs, rng)
        self.assertEqual(len(inst), 2)
        (c0, m0), (c1, m1) = inst
        self.assertEqual((c0, c1), (1, 1))
        self.assertFalse((m0 & m1).any())
        full0 = scenes.shape_mask('square', 40, 40, 20, 0, 100, 100)
        full1 = scenes.shape_mask('square', 55, 55, 20, 0, 100, 100)
        self.assertTrue((m1 == full1).all())
        self.assertTrue((m0 == (full0 & ~full1)).all())
        # square of circumradius 20: half side 20/sqrt(2) = 14.14
        self.assertEqual(scenes.tight_box(m1), [41.0, 41.0, 69.0, 69.0])
        # pixels of the top object have its colour (up to the noise)
        self.assertGreater(img[m1][:, 2].mean(), 230)

    def test_shapes(self):
        n = 400
        areas = {}
        for k in scenes.CLASSES:
            areas[k] = int(scenes.shape_mask(k, 200, 200, 100, 0.3, n, n).sum())
        r2 = 100.0 ** 2
        self.assertAlmostEqual(areas['circle'] / (np.pi * r2), 1, delta=0.01)
        self.assertAlmostEqual(areas['square'] / (2 * r2), 1, delta=0.01)
        self.assertAlmostEqual(areas['triangle'] / (3 * 3 ** 0.5 / 4 * r2), 1,
                               delta=0.01)
        self.assertAlmostEqual(areas['ring'] / (np.pi * r2 * (1 - 0.55 ** 2)),
                               1, delta=0.01)
        # 10 triangles (outer r, inner 0.45 r, 36 degrees apart)
        self.assertAlmostEqual(areas['star'] / (5 * 0.45 * np.sin(np.pi / 5)
                                                * r2), 1, delta=0.01)

    def test_rle_round_trip(self):
        rng = np.random.default_rng(1)
        for shape in ((1, 1), (7, 5), (31, 40)):
            for p in (0.0, 0.1, 0.5, 1.0):
                m = rng.random(shape) < p
                r = scenes.rle_encode(m)
                self.assertEqual(r['size'], list(shape))
                self.assertTrue((scenes.rle_decode(r) == m).all())
        # pycocotools' string for a known mask: column-major runs 1,2,3
        m = np.zeros((3, 2), dtype=bool)
        m.T.flat[1:3] = True           # column-major positions 1, 2
        self.assertEqual(scenes.rle_encode(m)['counts'], '123')
        # a long run and a delta-coded negative difference (counts 0, 40, 3)
        m = np.ones((8, 5), dtype=bool)
        m[5:8, 4] = False
        self.assertEqual(scenes.rle_encode(m)['counts'], '0U13')

    def test_sequence(self):
        frames = scenes.render_sequence(3, 4, 160, 120, n_objects=3)
        self.assertEqual(len(frames), 4)
        for img, inst in frames:
            self.assertEqual(img.shape, (120, 160, 3))
        self.assertFalse((frames[0][0] == frames[3][0]).all())
        again = scenes.render_sequence(3, 4, 160, 120, n_objects=3)
        self.assertTrue((frames[2][0] == again[2][0]).all())


if __name__ == '__main__':
    unittest.main()
