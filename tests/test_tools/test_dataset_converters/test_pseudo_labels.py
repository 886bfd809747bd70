"""tools/dataset_converters/pseudo_labels.py: MoveNet's keypoints as labels
of COCO-MINI's unlabelled people (a draw of 20 labelled, box-only people
unlabelled): labelled people keep their ground truth, the pseudo-labels
land on the people (checked against the ground truth the draw hid)."""
import json
import os.path as osp

import numpy as np
import pytest

from tests.helpers.tiny_runs import REPO, load_tool

CONFIG = osp.join(REPO, 'configs', 'pose', 'coco_mini',
                  'classroomkd_simcc_res18-c16-from-movenet_1xb16-120e_'
                  'coco-mini-64x48.py')
ANNOTATIONS = osp.join(REPO, '..', 'shared', 'data', 'coco_mini',
                       'annotations', 'person_keypoints_train2017.json')


@pytest.mark.slow
def test_movenet_pseudo_labels(tmp_path, monkeypatch):
    pytest.importorskip('ai_edge_litert', reason='ai-edge-litert is not '
                        'installed: the TFLite mentor cannot run')
    if not osp.isfile(ANNOTATIONS):
        pytest.skip('COCO-MINI is not on this machine')
    monkeypatch.chdir(REPO)
    out = str(tmp_path / 'pseudo.json')
    tool = load_tool('dataset_converters/pseudo_labels')
    summary = tool.main([
        CONFIG, 'movenet', out, '--cfg-options',
        'train_dataloader.dataset.type=classroomkd_mm.CocoPeopleDataset',
        'train_dataloader.dataset.labelled_people=20',
        'train_dataloader.dataset.box_only_people=unlabelled'])
    assert summary['people'] == 167 - 20
    truth = {a['id']: a for a in json.load(open(ANNOTATIONS))['annotations']}
    written = json.load(open(out))['annotations']
    same = [a for a in written if a['keypoints'] == truth[a['id']][
        'keypoints']]
    assert len(same) >= 20 + 5  # the labelled draw and the crowd boxes
    hit = total = 0
    for ann in written:
        gt = np.array(truth[ann['id']]['keypoints']).reshape(-1, 3)
        got = np.array(ann['keypoints']).reshape(-1, 3)
        both = (gt[:, 2] > 0) & (got[:, 2] > 0) & (ann not in same)
        dist = np.linalg.norm(gt[both, :2] - got[both, :2], axis=1)
        hit += int((dist <= 0.2 * max(truth[ann['id']]['bbox'][2:])).sum())
        total += int(both.sum())
    # the hidden ground truth of the 66 people with keypoints
    assert total > 200 and hit / total > 0.8
