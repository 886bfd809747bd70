"""Models from mmpose's and mmpretrain's own zoo configs (the installed
packages' .mim/configs), shrunk for the CPU: the backbone becomes a tiny
ResNet-18 of the same output stride; the head family, its codec, input size,
output grid and keypoint count stay the config's."""
import copy
import os.path as osp

import torch
from mmengine.config import Config

TINY_WIDTH = 8

BODY = 'body_2d_keypoint/'
HRNET_256 = BODY + 'topdown_heatmap/coco/td-hm_hrnet-w32_8xb64-210e_coco-256x192.py'
HRNET_384 = BODY + 'topdown_heatmap/coco/td-hm_hrnet-w32_8xb64-210e_coco-384x288.py'
RTMPOSE_T = BODY + 'rtmpose/coco/rtmpose-t_8xb256-420e_coco-256x192.py'
RLE = BODY + 'topdown_regression/coco/td-reg_res50_rle-8xb64-210e_coco-256x192.py'
WHOLEBODY = ('wholebody_2d_keypoint/rtmpose/coco-wholebody/'
             'rtmpose-m_8xb64-270e_coco-wholebody-256x192.py')
CPM = BODY + 'topdown_heatmap/coco/td-hm_cpm_8xb64-210e_coco-256x192.py'
MSPN = BODY + 'topdown_heatmap/coco/td-hm_2xmspn50_8xb32-210e_coco-256x192.py'
HOURGLASS = (BODY + 'topdown_heatmap/coco/'
             'td-hm_hourglass52_8xb32-210e_coco-256x256.py')
UDP_COMBINED = (BODY + 'topdown_heatmap/coco/'
                'td-hm_hrnet-w32_udp-regress-8xb64-210e_coco-256x192.py')
COCO_FROM_WHOLEBODY = [(i, i) for i in range(17)]


def mentor_entry(model, tmp_path, name, **extra):
    from classroomkd_mm.registry import MODELS
    path = str(tmp_path / f'{name}.pth')
    torch.save(dict(state_dict=MODELS.build(model).state_dict()), path)
    return dict(model=model, checkpoint=path, **extra)


def classroom(student, mentors, tmp_path):
    """``mentors``: ``{name: (model dict, extra entry keys)}``."""
    from classroomkd_mm.models import ClassroomDistiller
    return ClassroomDistiller(student=student, mentors={
        name: mentor_entry(model, tmp_path, name, **extra)
        for name, (model, extra) in mentors.items()})


def zoo_config(package: str, path: str) -> Config:
    module = __import__(package)
    return Config.fromfile(
        osp.join(osp.dirname(module.__file__), '.mim', 'configs', path))


def zoo_model(path: str, package: str = 'mmpose', tiny: bool = True) -> dict:
    """The model dict of ``path`` (relative to the package's configs), with
    its data preprocessor and default scope, shrunk when ``tiny``."""
    cfg = zoo_config(package, path)
    model = cfg.model.to_dict()
    if cfg.get('data_preprocessor') is not None:
        model.setdefault('data_preprocessor', cfg.data_preprocessor.to_dict())
    model['_scope_'] = cfg.get('default_scope', package)
    return shrink(model) if tiny else model


def shrink(model: dict) -> dict:
    """A tiny ResNet-18 backbone of the head's expected stride and width;
    multi-stage backbones (CPM, MSPN) keep their type with fewer channels."""
    model = copy.deepcopy(model)
    head = model['head']
    backbone = model['backbone']
    if backbone['type'] == 'CPM':
        backbone.update(feat_channels=16, num_stages=2)
        head.update(num_stages=2)
        return model
    if backbone['type'] == 'MSPN':
        backbone.update(unit_channels=16, num_blocks=[1, 1, 1, 1])
        head.update(unit_channels=16)
        return model
    stride4 = head['type'] == 'HeatmapHead' and \
        head.get('deconv_out_channels', ()) is None
    model['backbone'] = dict(type='ResNet', depth=18,
                             base_channels=TINY_WIDTH,
                             out_indices=(0, ) if stride4 else (3, ))
    head['in_channels'] = TINY_WIDTH * (1 if stride4 else 8)
    if head.get('deconv_out_channels'):
        head['deconv_out_channels'] = tuple(
            16 for _ in head['deconv_out_channels'])
    if head['type'] == 'RTMCCHead':
        head['gau_cfg'] = dict(head['gau_cfg'], hidden_dims=32)
    return model
