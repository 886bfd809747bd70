"""The synthetic pose data set: deterministic, valid COCO keypoint files that
mmpose's CocoDataset reads and CocoMetric scores; with feet, 23-keypoint
files as well, and without them the output it always had."""
import glob
import hashlib
import json
import os.path as osp

import numpy as np
import pytest

from tests.helpers import REPO
from tools.dataset_converters.synthetic_figures import (
    FOOT_KEYPOINTS, KEYPOINTS, feet_annotation_file, render_figure,
    write_synthetic_figures)

pytestmark = pytest.mark.usefixtures('mmpose_scope')

SPLITS = {'train': 12, 'train-5': 5, 'val': 10}


@pytest.fixture(scope='module')
def figures(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_figures'))
    return root, write_synthetic_figures(root, splits=SPLITS)


def load(path):
    with open(path) as f:
        return json.load(f)


def test_files_are_coco_keypoint_annotations(figures):
    root, files = figures
    assert set(files) == set(SPLITS)
    for split, path in files.items():
        assert 'synthetic' in osp.basename(path)
        coco = load(path)
        assert 'synthetic' in coco['info']['description']
        assert coco['categories'][0]['keypoints'] == list(KEYPOINTS)
        assert len(coco['images']) == len(coco['annotations']) == \
            SPLITS[split]
        for image, ann in zip(coco['images'], coco['annotations']):
            assert osp.isfile(osp.join(root, 'images', image['file_name']))
            assert ann['image_id'] == image['id']
            kpts = np.array(ann['keypoints']).reshape(17, 3)
            labelled = kpts[:, 2] > 0
            assert ann['num_keypoints'] == labelled.sum() > 0
            assert set(np.unique(kpts[:, 2])) <= {0, 1, 2}
            assert (kpts[~labelled, :2] == 0).all()
            x, y, w, h = ann['bbox']
            assert w > 0 and h > 0 and ann['area'] == pytest.approx(
                0.5 * w * h)
            # labelled keypoints lie inside the image and near the box
            inside = kpts[labelled, :2]
            assert (inside >= 0).all() and (inside < 96).all()
            assert (inside[:, 0] >= x - 3).all() and \
                (inside[:, 0] <= x + w + 3).all()


def test_subset_is_the_head_of_its_split(figures):
    _, files = figures
    train, subset = load(files['train']), load(files['train-5'])
    assert subset['annotations'] == train['annotations'][:5]
    assert subset['images'] == train['images'][:5]


def test_same_call_writes_the_same_data(figures, tmp_path):
    _, files = figures
    again = write_synthetic_figures(str(tmp_path), splits=SPLITS)
    assert load(again['val'])['annotations'] == load(
        files['val'])['annotations']
    other = write_synthetic_figures(str(tmp_path / 'seed1'), splits=SPLITS,
                                    seed=1)
    assert load(other['val'])['annotations'] != load(
        files['val'])['annotations']


def coco_ap(root, ann_file, noise_px, metainfo=None):
    """CocoMetric's AP of the ground truth, moved by ``noise_px``, read
    through mmpose's CocoDataset."""
    from mmpose.datasets import CocoDataset
    from mmpose.evaluation import CocoMetric
    dataset = CocoDataset(ann_file=ann_file, data_root=root,
                          data_prefix=dict(img='images/'), test_mode=True,
                          pipeline=[], metainfo=metainfo)
    metric = CocoMetric(ann_file=ann_file, outfile_prefix=None)
    metric.dataset_meta = dataset.metainfo
    rng = np.random.RandomState(0)
    samples = []
    for i in range(len(dataset)):
        info = dataset[i]
        keypoints = info['keypoints'] + rng.normal(
            0, noise_px, info['keypoints'].shape)
        samples.append(dict(
            id=info['id'], img_id=info['img_id'],
            pred_instances=dict(keypoints=keypoints,
                                keypoint_scores=np.ones(
                                    info['keypoints'].shape[:2])),
            gt_instances=dict()))
    metric.process([], samples)
    return metric.evaluate(len(samples))['coco/AP']


def test_coco_metric_scores_ground_truth_perfect(figures):
    root, files = figures
    assert coco_ap(root, files['val'], 0.0) == pytest.approx(1.0)
    assert coco_ap(root, files['val'], 3.0) < 0.8


#: sha256 of the annotation files and the decoded pixels of
#: ``write_synthetic_figures(root, SPLITS, seed=0)`` before the renderer
#: could draw feet: every benchmark number on the 17-keypoint figures stands
#: only while this holds.
UNCHANGED_SHA256 = \
    '152d95b3acf22a6e1510feb7158fbb1e614d859911fe70bcaa39f680e2280c0f'
SMALL_SPLITS = {'train': 6, 'train-3': 3, 'val': 4}


def test_default_output_is_byte_identical_to_before_feet(tmp_path):
    import cv2
    root = str(tmp_path)
    files = write_synthetic_figures(root, splits=SMALL_SPLITS, seed=0)
    digest = hashlib.sha256()
    for split in sorted(files):
        with open(files[split], 'rb') as f:
            digest.update(f.read())
    for path in sorted(glob.glob(osp.join(root, 'images', '*', '*.png'))):
        digest.update(cv2.imread(path).tobytes())
    assert digest.hexdigest() == UNCHANGED_SHA256
    assert not glob.glob(osp.join(root, 'annotations', '*feet*'))


def test_feet_draw_nothing_from_the_random_stream():
    plain, with_feet = np.random.RandomState(5), np.random.RandomState(5)
    for _ in range(20):
        image, ann = render_figure(plain)
        feet_image, feet_ann = render_figure(with_feet, feet=True)
        body = np.array(ann['keypoints']).reshape(17, 3)
        feet = np.array(feet_ann['keypoints']).reshape(23, 3)
        both = (body[:, 2] > 0) & (feet[:17, 2] > 0)
        assert np.array_equal(body[both, :2], feet[:17][both, :2])
        assert (image != feet_image).any()   # the feet are drawn
    assert np.array_equal(plain.get_state()[1], with_feet.get_state()[1])


@pytest.fixture(scope='module')
def figures_with_feet(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_figures_feet'))
    return root, write_synthetic_figures(root, splits=SPLITS, feet=True)


def test_feet_files_add_the_six_foot_keypoints(figures_with_feet):
    root, files = figures_with_feet
    for split, path in files.items():
        body, feet = load(path), load(feet_annotation_file(root, split))
        assert body['images'] == feet['images']
        assert body['categories'][0]['keypoints'] == list(KEYPOINTS)
        assert feet['categories'][0]['keypoints'] == \
            list(KEYPOINTS + FOOT_KEYPOINTS)
        for b, f in zip(body['annotations'], feet['annotations']):
            assert b['keypoints'] == f['keypoints'][:51]
            assert b['bbox'] == f['bbox']
            kpts = np.array(f['keypoints']).reshape(23, 3)
            assert f['num_keypoints'] == (kpts[:, 2] > 0).sum()
            assert b['num_keypoints'] == (kpts[:17, 2] > 0).sum()
            assert (kpts[kpts[:, 2] == 0, :2] == 0).all()
    # most feet are labelled, and the feet near their ankles
    val = load(feet_annotation_file(root, 'val'))['annotations']
    kpts = np.array([a['keypoints'] for a in val]).reshape(-1, 23, 3)
    assert (kpts[:, 17:, 2] > 0).mean() > 0.5
    for ankle, toes in ((15, [17, 18, 19]), (16, [20, 21, 22])):
        seen = (kpts[:, [ankle], 2] > 0) & (kpts[:, toes, 2] > 0)
        gap = np.linalg.norm(kpts[:, toes, :2] - kpts[:, [ankle], :2], axis=2)
        assert (gap[seen] < 15).all()


def test_coco_metric_scores_the_23_keypoints(figures_with_feet):
    """mmpose's CocoDataset and CocoMetric read the 23-keypoint files with
    the metainfo file of configs/_base_/datasets/."""
    root, _ = figures_with_feet
    metainfo = dict(from_file=osp.join(
        REPO, 'configs', '_base_', 'datasets', 'synthetic_figures_feet.py'))
    ann_file = feet_annotation_file(root, 'val')
    assert coco_ap(root, ann_file, 0.0, metainfo) == pytest.approx(1.0)
    assert coco_ap(root, ann_file, 3.0, metainfo) < 0.8
