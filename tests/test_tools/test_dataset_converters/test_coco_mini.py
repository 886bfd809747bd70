"""tools/dataset_converters/coco_mini.py: its check is the library's
(classroomkd_mm.datasets), on ``~`` roots too, and its options point a
config at a copy whatever the root's trailing slash."""
import argparse
import math
import os.path as osp

import pytest
from mmengine.config import DictAction

from tests.helpers.coco_copies import (COCO_MINI, coco_mini_copy,
                                       edit_annotations, people)
from tools.dataset_converters.coco_mini import (cfg_options_line,
                                                check_coco_mini,
                                                coco_mini_options)

needs_data = pytest.mark.skipif(not osp.isdir(COCO_MINI),
                                reason=f'COCO-MINI is not at {COCO_MINI}')


def test_options_are_the_same_with_or_without_the_trailing_slash(
        monkeypatch, tmp_path):
    monkeypatch.setenv('HOME', str(tmp_path))
    with_slash = coco_mini_options('/data/coco_mini/')
    assert coco_mini_options('/data/coco_mini') == with_slash
    assert with_slash['val_evaluator.0.ann_file'] == \
        '/data/coco_mini/annotations/person_keypoints_val2017.json'
    home = coco_mini_options('~/coco_mini')
    assert home['train_dataloader.dataset.data_root'] == \
        str(tmp_path / 'coco_mini') + '/'


def test_the_printed_line_parses_back_to_the_options():
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(cfg_options_line('/data/coco_mini').split())
    assert args.cfg_options == coco_mini_options('/data/coco_mini')


@needs_data
@pytest.mark.usefixtures('mmpose_scope')
def test_the_check_is_the_library_one(tmp_path, monkeypatch):
    from classroomkd_mm.datasets import DataCheckError
    root = coco_mini_copy(tmp_path / 'copy')
    monkeypatch.setenv('HOME', str(tmp_path))
    assert check_coco_mini('~/copy') == {'train2017': (80, 86),
                                         'val2017': (79, 68)}

    def spoil(coco):
        a, b = people(coco)[:2]
        a['bbox'] = [2e9, 0.0, 10.0, 10.0]     # dropped by the loader
        return b
    edit_annotations(root, spoil)
    assert check_coco_mini(root)['train2017'] == (80, 85)
    ann = edit_annotations(root, lambda coco: people(coco)[1])
    edit_annotations(root, lambda coco: people(coco)[1].update(
        bbox=[math.nan, 0, 1, 1]))
    with pytest.raises(DataCheckError) as error:
        check_coco_mini(root)
    message = str(error.value)
    assert f'annotation {ann["id"]}: bbox [nan' in message
    assert 'coco_mini.py ROOT --options' in message  # COCO-MINI's own fix
