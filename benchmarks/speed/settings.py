"""The two settings of the speed benchmark: models (from the real mmpose and
mmpretrain configs, random weights) and one synthetic training batch.

Pose: a SimpleBaseline ResNet-18 student at 256x192 (mmpose's
``td-hm_res50`` COCO config with a ResNet-18 backbone) and mentors taken,
in order, from mmpose's SimpleBaseline ResNet-50, ResNet-101 and MobileNetV2
COCO configs (three sizes), then a second ResNet-50 and MobileNetV2 (other
seeds) for 4 and 5 mentors.

Pose, bridged (``pose_bridged``): the same student with mentors that the
distiller must bridge into its 64x48 heatmaps
(docs/heterogeneous_classroom.md), from mmpose's own COCO configs, in order:
a ResNet-50 SimpleBaseline at 384x288 (crop resize, 96x72 heatmaps
resampled), a ResNet-50 SimCC model (SimCC to heatmaps), a ResNet-50 RLE
regression model (coordinates rendered as heatmaps), a ResNet-50
COCO-WholeBody model (133 keypoints, the first 17 mapped) and a ResNet-50
SimCC model at 384x288 (resize and SimCC to heatmaps).

Classification: CIFAR-size ResNets (mmpretrain's ``ResNet_CIFAR``, 100
classes, 32x32) in the widths of the CIFAR KD literature: a ResNet-18 student
of base width 16 and mentors ResNet-34 (width 32), ResNet-50 (width 16),
ResNet-18 (width 32), ResNet-101 (width 16), ResNet-34 (width 16).
"""
import copy
import os.path as osp
from typing import Dict, List, NamedTuple, Tuple

import torch

POSE_CONFIGS = 'mmpose::body_2d_keypoint/topdown_heatmap/coco/'
POSE_STUDENT_BASE = POSE_CONFIGS + 'td-hm_res50_8xb64-210e_coco-256x192.py'
POSE_MENTORS: List[Tuple[str, str, int]] = [
    ('res50', 'td-hm_res50_8xb64-210e_coco-256x192.py', 1),
    ('res101', 'td-hm_res101_8xb64-210e_coco-256x192.py', 2),
    ('mbv2', 'td-hm_mobilenetv2_8xb64-210e_coco-256x192.py', 3),
    ('res50_b', 'td-hm_res50_8xb64-210e_coco-256x192.py', 4),
    ('mbv2_b', 'td-hm_mobilenetv2_8xb64-210e_coco-256x192.py', 5),
]

#: (name, config under mmpose's configs, seed, keypoint_mapping)
POSE_BRIDGED_MENTORS: List[Tuple[str, str, int, object]] = [
    ('res50_384', 'body_2d_keypoint/topdown_heatmap/coco/'
     'td-hm_res50_8xb64-210e_coco-384x288.py', 1, None),
    ('simcc_res50', 'body_2d_keypoint/simcc/coco/'
     'simcc_res50_8xb64-210e_coco-256x192.py', 2, None),
    ('rle_res50', 'body_2d_keypoint/topdown_regression/coco/'
     'td-reg_res50_rle-8xb64-210e_coco-256x192.py', 3, None),
    ('wholebody_res50', 'wholebody_2d_keypoint/topdown_heatmap/'
     'coco-wholebody/td-hm_res50_8xb64-210e_coco-wholebody-256x192.py', 4,
     [(i, i) for i in range(17)]),
    ('simcc_res50_384', 'body_2d_keypoint/simcc/coco/'
     'simcc_res50_8xb32-140e_coco-384x288.py', 5, None),
]

CLS_PREPROCESSOR = dict(
    type='ClsDataPreprocessor',
    num_classes=100,
    mean=[129.304, 124.070, 112.434],
    std=[68.170, 65.392, 70.418],
    to_rgb=False)
CLS_STUDENT = (18, 16)
CLS_MENTORS: List[Tuple[str, int, int]] = [
    ('r34w32', 34, 32), ('r50w16', 50, 16), ('r18w32', 18, 32),
    ('r101w16', 101, 16), ('r34w16', 34, 16)
]


class Setting(NamedTuple):
    """What the benchmark needs of one setting."""
    name: str
    student: dict  # model config
    mentors: Dict[str, dict]  # name -> dict(model=cfg, checkpoint=path)
    batch: dict  # a data batch as a dataloader yields it
    description: str


def _no_pretrained(cfg):
    """Drop ``init_cfg`` everywhere: the benchmark has no network and
    measures speed, not accuracy."""
    if isinstance(cfg, dict):
        return {k: _no_pretrained(v) for k, v in cfg.items()
                if k != 'init_cfg'}
    if isinstance(cfg, (list, tuple)):
        return type(cfg)(_no_pretrained(v) for v in cfg)
    return cfg


def _save_random_weights(model_cfg: dict, path: str, seed: int) -> str:
    """Build ``model_cfg`` with ``seed`` and save its random weights as a
    checkpoint (the distiller requires every mentor to have one)."""
    from classroomkd_mm.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(copy.deepcopy(model_cfg))
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


def _pose_student():
    from mmengine.registry import init_default_scope

    from classroomkd_mm.models.classroom.mentor_builder import \
        mentor_model_config
    init_default_scope('mmpose')
    base = mentor_model_config(
        'student', dict(config=POSE_STUDENT_BASE, checkpoint=None))
    student = _no_pretrained(base)
    student['backbone'] = dict(type='ResNet', depth=18)
    student['head'] = dict(student['head'], in_channels=512)
    return student


def _pose_mentor(tmp_dir, name, config, seed, keypoint_mapping=None):
    from classroomkd_mm.models.classroom.mentor_builder import \
        mentor_model_config
    model = _no_pretrained(mentor_model_config(
        name, dict(config=config, checkpoint=None)))
    path = _save_random_weights(model, osp.join(tmp_dir, name + '.pth'),
                                seed)
    mentor = dict(model=model, checkpoint=path)
    if keypoint_mapping is not None:
        mentor['keypoint_mapping'] = keypoint_mapping
    return mentor


def pose_setting(tmp_dir: str, batch_size: int = 2,
                 num_mentors: int = 5) -> Setting:
    student = _pose_student()
    mentors = {name: _pose_mentor(tmp_dir, name, POSE_CONFIGS + config, seed)
               for name, config, seed in POSE_MENTORS[:num_mentors]}
    codec = student['head']['decoder']
    return Setting('pose', student, mentors, pose_batch(codec, batch_size),
                   'COCO top-down heatmaps 256x192: SimpleBaseline '
                   'ResNet-18 student; mentors ' +
                   ', '.join(mentors))


def pose_bridged_setting(tmp_dir: str, batch_size: int = 2,
                         num_mentors: int = 5) -> Setting:
    """The pose student with mentors of other input sizes, head families
    and keypoint sets (``POSE_BRIDGED_MENTORS``), each bridged."""
    student = _pose_student()
    mentors = {
        name: _pose_mentor(tmp_dir, name, 'mmpose::' + config, seed, mapping)
        for name, config, seed, mapping in POSE_BRIDGED_MENTORS[:num_mentors]
    }
    codec = student['head']['decoder']
    return Setting('pose_bridged', student, mentors,
                   pose_batch(codec, batch_size),
                   'COCO top-down, SimpleBaseline ResNet-18 student '
                   '(256x192, 64x48 heatmaps); bridged mentors ' +
                   ', '.join(mentors))


def pose_batch(codec: dict, batch_size: int, seed: int = 0) -> dict:
    """``batch_size`` person crops with MSRA target heatmaps of random
    keypoints (some invisible), as mmpose's ``PackPoseInputs`` yields them."""
    import numpy as np
    from mmengine.structures import InstanceData, PixelData
    from mmpose.codecs import MSRAHeatmap
    from mmpose.structures import PoseDataSample
    codec = dict(codec)
    codec.pop('type')
    encoder = MSRAHeatmap(**codec)
    width, height = codec['input_size']
    rng = np.random.RandomState(seed)
    inputs, samples = [], []
    for _ in range(batch_size):
        keypoints = rng.uniform([0, 0], [width, height], (1, 17, 2))
        visible = (rng.uniform(size=(1, 17)) > 0.2).astype(np.float32)
        encoded = encoder.encode(keypoints, visible)
        sample = PoseDataSample()
        sample.gt_fields = PixelData(
            heatmaps=torch.from_numpy(encoded['heatmaps']))
        sample.gt_instance_labels = InstanceData(
            keypoint_weights=torch.from_numpy(
                encoded['keypoint_weights']).float())
        sample.set_metainfo(dict(input_size=(width, height)))
        samples.append(sample)
        inputs.append(torch.from_numpy(
            rng.randint(0, 256, (3, height, width), dtype=np.uint8)))
    return dict(inputs=inputs, data_samples=samples)


def cifar_resnet(depth: int, width: int) -> dict:
    expansion = 4 if depth >= 50 else 1
    return dict(
        type='ImageClassifier',
        _scope_='mmpretrain',
        backbone=dict(type='ResNet_CIFAR', depth=depth, stem_channels=width,
                      base_channels=width),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='LinearClsHead', num_classes=100,
                  in_channels=width * 8 * expansion,
                  loss=dict(type='CrossEntropyLoss')),
        data_preprocessor=dict(CLS_PREPROCESSOR))


def classification_setting(tmp_dir: str, batch_size: int = 32,
                           num_mentors: int = 5) -> Setting:
    from mmengine.registry import init_default_scope
    init_default_scope('mmpretrain')
    mentors = {}
    for seed, (name, depth, width) in enumerate(CLS_MENTORS[:num_mentors]):
        model = cifar_resnet(depth, width)
        path = _save_random_weights(model, osp.join(tmp_dir, name + '.pth'),
                                    seed + 1)
        mentors[name] = dict(model=model, checkpoint=path)
    return Setting('classification', cifar_resnet(*CLS_STUDENT), mentors,
                   classification_batch(batch_size),
                   'CIFAR-100 32x32: ResNet-18 (width 16) student; mentors ' +
                   ', '.join(mentors))


def classification_batch(batch_size: int, seed: int = 0) -> dict:
    from mmpretrain.structures import DataSample
    generator = torch.Generator().manual_seed(seed)
    inputs = [torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8,
                            generator=generator) for _ in range(batch_size)]
    labels = torch.randint(0, 100, (batch_size, ), generator=generator)
    samples = [DataSample().set_gt_label(int(label)) for label in labels]
    return dict(inputs=inputs, data_samples=samples)


SETTINGS = dict(pose=pose_setting, pose_bridged=pose_bridged_setting,
                classification=classification_setting)
