"""CocoPeopleDataset: COCO-MINI's box-only people and a draw of the
labelled set as unlabelled samples."""
import os.path as osp

import pytest

from tests.helpers.tiny_runs import REPO

ROOT = osp.join(REPO, '..', 'shared', 'data', 'coco_mini') + '/'


def build(**kwargs):
    if not osp.isdir(ROOT):
        pytest.skip('COCO-MINI is not on this machine')
    from mmengine.registry import DATASETS
    return DATASETS.build(dict(
        type='classroomkd_mm.CocoPeopleDataset', data_root=ROOT,
        data_mode='topdown',
        ann_file='annotations/person_keypoints_train2017.json',
        data_prefix=dict(img='train2017/'), pipeline=[], **kwargs))


def labelled(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))
            if dataset.get_data_info(i)['keypoints_visible'].max() > 0]


def test_default_is_cocodataset(mmpose_scope):
    dataset = build()
    assert len(dataset) == len(labelled(dataset)) == 86


def test_box_only_people_become_unlabelled_samples(mmpose_scope):
    # 172 annotations: 86 with keypoints, 81 box-only, 5 crowd
    dataset = build(box_only_people='unlabelled')
    assert len(dataset) == 167 and len(labelled(dataset)) == 86


def test_a_draw_of_the_labelled_set(mmpose_scope):
    a = build(box_only_people='unlabelled', labelled_people=20)
    b = build(box_only_people='unlabelled', labelled_people=20,
              labelled_seed=1)
    ids_a = {d['id'] for d in labelled(a)}
    ids_b = {d['id'] for d in labelled(b)}
    assert len(a) == 167 and len(ids_a) == len(ids_b) == 20
    assert ids_a != ids_b  # another draw
    assert ids_a == {d['id'] for d in labelled(build(
        box_only_people='unlabelled', labelled_people=20))}  # reproducible
    chosen = build(labelled_people=sorted(ids_a))
    assert {d['id'] for d in labelled(chosen)} == ids_a


def test_bad_options_name_the_fix(mmpose_scope):
    with pytest.raises(ValueError, match='box_only_people'):
        build(box_only_people='keep')
    with pytest.raises(ValueError, match='has 86 people with keypoints'):
        build(labelled_people=100)
    with pytest.raises(ValueError, match='no person with keypoints'):
        build(labelled_people=[1])
