"""The COCO-MINI configs (configs/pose/coco_mini, configs/_base_/datasets/
coco_mini.py) build with mmpose, read the real data where it is
(../shared/data/coco_mini) through mmpose's CocoDataset, point at another
copy with coco_mini_options, and a missing or broken copy gives an error
naming the folder and the fix. (The benchmark spec's methods:
tests/test_benchmarks/test_methods/test_coco_mini_spec.py.)"""
import glob
import json
import os.path as osp
import shutil

import pytest

from tests.helpers import REPO
from tools.dataset_converters.coco_mini import (annotation_file,
                                                check_coco_mini,
                                                coco_mini_options)

pytestmark = pytest.mark.usefixtures('mmpose_scope')

CONFIGS = sorted(glob.glob(osp.join(REPO, 'configs', 'pose', 'coco_mini',
                                    '*.py')))
DATA = osp.normpath(osp.join(REPO, '..', 'shared', 'data', 'coco_mini'))
needs_data = pytest.mark.skipif(
    not osp.isdir(DATA), reason=f'COCO-MINI is not at {DATA}')


def config(path, root=None):
    from classroomkd_mm.utils.config_files import load_config
    cfg = load_config(path)
    cfg.merge_from_dict(coco_mini_options(root or DATA))
    return cfg


def test_configs_exist_in_both_head_families():
    names = [osp.basename(p) for p in CONFIGS]
    assert any(n.startswith('td-hm_') for n in names)
    assert any(n.startswith('simcc_') for n in names)


@pytest.mark.parametrize('path', CONFIGS,
                         ids=[osp.basename(p) for p in CONFIGS])
def test_config_builds_and_reads_coco_mini_with_mmpose(path):
    from mmengine.config import Config
    from mmpose.registry import DATASETS, MODELS
    raw = Config.fromfile(path)
    # the default: the shared folder, relative to the repository root
    assert raw.train_dataloader.dataset.data_root == \
        '../shared/data/coco_mini/'
    assert raw.val_dataloader.dataset.bbox_file is None
    assert raw.val_evaluator[0].type == 'CocoMetric'
    assert raw.val_evaluator[0].ann_file.endswith(
        'annotations/person_keypoints_val2017.json')
    assert raw.val_evaluator[1].type == 'PCKAccuracy'
    augment = [t['type'] for t in raw.train_dataloader.dataset.pipeline]
    assert 'RandomFlip' in augment and 'RandomHalfBody' in augment
    assert 'classroomkd_mm.FastRandomBBoxTransform' in augment
    model = MODELS.build(raw.model)
    assert model.head.__class__.__name__ == (
        'SimCCHead' if 'simcc' in path else 'HeatmapHead')
    if not osp.isdir(DATA):
        pytest.skip(f'COCO-MINI is not at {DATA}')
    cfg = config(path)
    train = DATASETS.build(cfg.train_dataloader.dataset)
    val = DATASETS.build(cfg.val_dataloader.dataset)
    assert len(train) == 86  # the people with keypoints
    assert len(val) == 68  # the held-out people, each with its GT box
    sample = train[0]
    width, height = cfg.codec['input_size']
    assert tuple(sample['inputs'].shape) == (3, height, width)


@needs_data
def test_check_coco_mini_counts_the_real_data():
    assert check_coco_mini(DATA) == {'train2017': (80, 86),
                                     'val2017': (79, 68)}


def test_missing_folder_names_it_and_the_fix(tmp_path):
    missing = tmp_path / 'coco_mini'
    with pytest.raises(FileNotFoundError) as error:
        check_coco_mini(str(missing))
    message = str(error.value)
    assert str(missing) in message and 'does not exist' in message
    assert '--data-root' in message and 'coco_mini_options' in message


@needs_data
def test_incomplete_or_broken_copy_is_refused(tmp_path):
    copy = tmp_path / 'coco_mini'
    shutil.copytree(DATA, copy)
    image = next((copy / 'val2017').iterdir())
    image.unlink()
    with pytest.raises(FileNotFoundError, match=image.name):
        check_coco_mini(str(copy))
    shutil.copy(osp.join(DATA, 'val2017', image.name), image)
    with open(annotation_file(str(copy), 'train2017'), 'w') as f:
        f.write('{"images": [')  # truncated
    with pytest.raises(ValueError, match='not a COCO keypoint'):
        check_coco_mini(str(copy))
    shutil.copy(annotation_file(DATA, 'train2017'),
                annotation_file(str(copy), 'train2017'))
    (copy / 'annotations' / 'person_keypoints_val2017.json').unlink()
    with pytest.raises(FileNotFoundError, match='person_keypoints_val2017'):
        check_coco_mini(str(copy))


@needs_data
def test_options_point_a_config_at_another_copy(tmp_path):
    from mmpose.registry import DATASETS
    copy = tmp_path / 'elsewhere'
    shutil.copytree(DATA, copy)
    with open(annotation_file(str(copy), 'train2017')) as f:
        coco = json.load(f)
    keep = next(a['image_id'] for a in coco['annotations']
                if a['num_keypoints'] > 0)
    coco['annotations'] = [a for a in coco['annotations']
                           if a['image_id'] == keep]
    with open(annotation_file(str(copy), 'train2017'), 'w') as f:
        json.dump(coco, f)
    cfg = config(CONFIGS[0], str(copy))
    assert cfg.test_evaluator[0].ann_file.startswith(str(copy))
    train = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(train) == sum(1 for a in coco['annotations']
                             if a['num_keypoints'] > 0)
