"""What reaches the distiller's data samples: mmpretrain's PackInputs keeps
the dataset's ``sample_idx``, mmpose's PackPoseInputs keeps it only when its
``meta_keys`` name it (mentor skipping refuses the others, naming the fix).
And skipping through a pose distiller (heatmaps, a bridge per mentor)."""
import os.path as osp

import pytest
import torch

from classroomkd_mm.models.classroom.mentor_skipping import sample_indices
from tests.helpers import SAMPLES
from tests.helpers.pose_models import batch, distiller, heatmap_model
from tests.helpers.tiny_runs import write_image_folder

POSE_KEYS = ('id', 'img_id', 'img_path', 'category_id', 'crowd_index',
             'ori_shape', 'img_shape', 'input_size', 'input_center',
             'input_scale', 'flip', 'flip_direction', 'flip_indices',
             'raw_ann_info')


def coco(meta_keys=None):
    from mmpose.datasets import CocoDataset
    pack = dict(type='PackPoseInputs')
    if meta_keys is not None:
        pack['meta_keys'] = meta_keys
    return CocoDataset(
        data_root=osp.join(SAMPLES, 'coco'), ann_file='test_coco.json',
        data_prefix=dict(img=''), pipeline=[
            dict(type='LoadImage'), dict(type='GetBBoxCenterScale'),
            dict(type='TopdownAffine', input_size=(48, 64)), pack])


def test_mmpose_pack_keeps_sample_idx_only_when_named(mmpose_scope):
    dataset = coco(POSE_KEYS + ('sample_idx', ))
    samples = [dataset[i]['data_samples'] for i in (2, 0)]
    assert sample_indices(samples) == [2, 0]
    with pytest.raises(ValueError, match='PackPoseInputs'):
        sample_indices([coco()[1]['data_samples']])


def test_mmpretrain_pack_keeps_sample_idx(mmpretrain_scope, tmp_path):
    from mmpretrain.datasets import CustomDataset
    dataset = CustomDataset(
        data_root=write_image_folder(str(tmp_path / 'data')),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')])
    assert sample_indices([dataset[i]['data_samples']
                           for i in (3, 1)]) == [3, 1]


def test_pose_distiller_skips_only_inactive_pairs(mmpose_scope, tmp_path):
    mentors = dict(r18=heatmap_model(), mbv2=heatmap_model(width=0.25))
    plain = distiller(heatmap_model(base_channels=8), mentors, tmp_path)
    skipping = distiller(heatmap_model(base_channels=8), mentors, tmp_path,
                         mentor_skipping=dict(margin=0.05,
                                              reprobe_fraction=0.0))
    skipping.student.load_state_dict(plain.student.state_dict())
    with torch.no_grad():  # a mentor far behind the student
        for model in (plain, skipping):
            model.classroom.mentor('mbv2').head.final_layer.bias.add_(3)
    plain.train()
    skipping.train()
    inputs, samples = batch(n=6)
    for i, sample in enumerate(samples):
        sample.set_metainfo(dict(sample_idx=10 + i))
    expected = plain.loss(inputs, samples)
    skipping.loss(inputs, samples)
    got = skipping.loss(inputs, samples)
    assert expected['classroom.mbv2.active_rate'] == 0
    assert got['classroom.mbv2.skipped_rate'] == 1
    assert got['classroom.r18.skipped_rate'] == 0
    for key, value in expected.items():
        torch.testing.assert_close(got[key], value, rtol=1e-5, atol=1e-7)
