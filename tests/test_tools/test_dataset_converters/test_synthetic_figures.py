"""The synthetic pose data set: deterministic, valid COCO keypoint files that
mmpose's CocoDataset reads and CocoMetric scores."""
import json
import os.path as osp

import numpy as np
import pytest

from tools.dataset_converters.synthetic_figures import (KEYPOINTS,
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


def coco_ap(root, ann_file, noise_px):
    """CocoMetric's AP of the ground truth, moved by ``noise_px``, read
    through mmpose's CocoDataset."""
    from mmpose.datasets import CocoDataset
    from mmpose.evaluation import CocoMetric
    dataset = CocoDataset(ann_file=ann_file, data_root=root,
                          data_prefix=dict(img='images/'), test_mode=True,
                          pipeline=[])
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
                                keypoint_scores=np.ones((1, 17))),
            gt_instances=dict()))
    metric.process([], samples)
    return metric.evaluate(len(samples))['coco/AP']


def test_coco_metric_scores_ground_truth_perfect(figures):
    root, files = figures
    assert coco_ap(root, files['val'], 0.0) == pytest.approx(1.0)
    assert coco_ap(root, files['val'], 3.0) < 0.8
