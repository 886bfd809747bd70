"""classroomkd_mm.datasets.coco_style_check: the data check every training
and testing entry runs before the Runner, on tiny corrupted copies of
COCO-MINI (issue 28's cases: NaN, negative and huge boxes, keypoint lists
cut short, a 0-byte image, empty / truncated / wrong-kind annotation files,
``~`` and a data_root without its trailing slash, dataset wrappers)."""
import json
import logging
import math
import os.path as osp

import pytest
from mmengine.config import Config

from classroomkd_mm.datasets import (DataCheckError, MissingDataError,
                                     check_coco_dataset,
                                     check_coco_style_data)
from tests.helpers.coco_copies import (COCO_MINI, annotation_path,
                                       coco_mini_copy, edit_annotations,
                                       image_of, people, replace_image)

pytestmark = [
    pytest.mark.usefixtures('mmpose_scope'),
    pytest.mark.skipif(not osp.isdir(COCO_MINI),
                       reason=f'COCO-MINI is not at {COCO_MINI}')]
VAL_ANN = 'annotations/person_keypoints_val2017.json'


def coco_dataset(root, split='train2017', **extra):
    return dict(type='CocoDataset', data_root=root,
                ann_file=f'annotations/person_keypoints_{split}.json',
                data_prefix=dict(img=f'{split}/'), **extra)


def coco_config(root, val_ann_file=None):
    """A config's data part as configs/_base_/datasets/coco_mini.py has it,
    its data_root ``root`` as given (no trailing / added)."""
    val = dict(dataset=coco_dataset(root, 'val2017', test_mode=True))
    return Config(dict(
        default_scope='mmpose',
        train_dataloader=dict(dataset=coco_dataset(root)),
        val_dataloader=val, test_dataloader=val,
        val_evaluator=[dict(type='CocoMetric',
                            ann_file=val_ann_file or osp.join(root, VAL_ANN)),
                       dict(type='PCKAccuracy')]))


@pytest.fixture
def copy(tmp_path):
    return coco_mini_copy(tmp_path / 'good')


@pytest.fixture
def logged(monkeypatch):
    """The (message, level) of each line the check logs."""
    import mmengine.logging
    lines = []
    real = mmengine.logging.print_log

    def record(msg, logger=None, level=logging.INFO):
        if level >= logging.INFO:  # not the registries' debug lines
            lines.append((msg, level))
        real(msg, logger, level)
    monkeypatch.setattr(mmengine.logging, 'print_log', record)
    return lines


def test_the_real_data_passes_with_one_log_line(logged):
    reports = check_coco_style_data(coco_config(COCO_MINI))
    assert [(r.images, r.people, r.usable) for r in reports] == [
        (80, 86, 86), (79, 68, 68)]
    assert len(logged) == 1 and logged[0][1] == logging.INFO
    assert '80 images, 86 of 86 people usable' in logged[0][0]


def test_the_count_is_what_mmpose_loads(copy):
    """Two boxes with no area inside their image (huge, far negative): mmpose
    drops those people silently; the check says so and counts what the
    loader keeps."""
    from mmpose.registry import DATASETS

    def move_boxes(coco):
        a, b = people(coco)[:2]
        a['bbox'] = [1e9, 1e9, 50.0, 80.0]
        b['bbox'] = [-1e6, -1e6, 50.0, 80.0]
        return a['id'], b['id']
    moved = edit_annotations(copy, move_boxes)
    report = check_coco_dataset(coco_dataset(copy))
    assert (report.people, report.usable) == (86, 84)
    assert len(DATASETS.build(coco_dataset(copy))) == 84
    assert all(any(f'annotation {i} ' in d and 'no area inside' in d
                   for d in report.dropped) for i in moved)


def test_dropped_people_are_one_warning(copy, logged):

    def move_box(coco):
        people(coco)[0]['bbox'] = [5e8, 10.0, 10.0, 10.0]
    edit_annotations(copy, move_box)
    check_coco_style_data(coco_config(copy), splits=('train', ))
    assert len(logged) == 1 and logged[0][1] == logging.WARNING
    assert '85 of 86 people usable' in logged[0][0]
    assert 'drops 1 people' in logged[0][0]


@pytest.mark.parametrize('bbox,words', [
    ([math.nan, 10.0, 50.0, 80.0], 'not four finite numbers'),
    ([10.0, 10.0, math.inf, 80.0], 'not four finite numbers'),
    ([10.0, 10.0, 50.0], 'not four finite numbers'),
    ([10.0, 10.0, -50.0, 80.0], 'negative width or height'),
])
def test_a_bad_box_is_named_by_file_image_and_annotation(copy, bbox, words):
    def spoil(coco):
        ann = people(coco)[3]
        ann['bbox'] = bbox
        return ann['id'], image_of(coco, ann)['file_name']
    ann_id, file_name = edit_annotations(copy, spoil)
    with pytest.raises(DataCheckError, match=words) as error:
        check_coco_style_data(coco_config(copy))
    message = str(error.value)
    assert annotation_path(copy) in message
    assert f'image {file_name}, annotation {ann_id}:' in message
    assert 'fix or remove that annotation' in message


@pytest.mark.parametrize('length', [48, 50, 54])
def test_a_keypoint_list_of_another_length_is_refused(copy, length):
    def cut(coco):
        ann = people(coco)[5]
        ann['keypoints'] = (ann['keypoints'] * 2)[:length]
        return ann['id']
    ann_id = edit_annotations(copy, cut)
    with pytest.raises(DataCheckError) as error:
        check_coco_style_data(coco_config(copy))
    assert f'annotation {ann_id}: keypoints has {length} values, not the ' \
        '51 finite numbers of 17 keypoints' in str(error.value)


def test_the_declared_keypoint_count_comes_from_the_metainfo(copy):
    """A dataset whose metainfo declares 16 keypoints refuses COCO's 51."""
    mpii_info = dict(from_file='configs/_base_/datasets/mpii.py')
    with pytest.raises(DataCheckError, match='not the 48 finite numbers of '
                       '16 keypoints'):
        check_coco_dataset(coco_dataset(copy, metainfo=mpii_info))


@pytest.mark.parametrize('data,words', [
    (b'', 'is empty \\(0 bytes\\)'),
    (b'<html>not found</html>', 'is no image OpenCV decodes'),
])
def test_an_empty_or_undecodable_image_is_named(copy, data, words):
    with open(annotation_path(copy)) as f:
        coco = json.load(f)
    image = image_of(coco, people(coco)[0])
    path = replace_image(copy, image['file_name'], data)
    with pytest.raises(DataCheckError, match=words) as error:
        check_coco_style_data(coco_config(copy))
    assert f'image {image["file_name"]} (id {image["id"]}) at {path}' in \
        str(error.value)
    assert osp.getsize(osp.join(COCO_MINI, 'train2017',
                                image['file_name'])) > 0  # shared: intact


def test_a_missing_image_is_a_missing_data_problem(copy):
    import os
    with open(annotation_path(copy, 'val2017')) as f:
        name = json.load(f)['images'][7]['file_name']
    os.remove(osp.join(copy, 'val2017', name))
    with pytest.raises(DataCheckError, match=f'image {name} .* is missing'):
        check_coco_style_data(coco_config(copy))


@pytest.mark.parametrize('text,words', [
    ('', 'is empty'),
    ('{"images": [', 'not valid JSON, truncated'),
    ('<?xml version="1.0"?>', 'not valid JSON'),
    ('[1, 2, 3]', 'not a COCO keypoint annotation file: it holds list'),
    ('{"info": {}}', 'not a COCO keypoint annotation file'),
])
def test_a_broken_annotation_file_is_named(copy, text, words):
    with open(annotation_path(copy), 'w') as f:
        f.write(text)
    with pytest.raises(DataCheckError, match=words) as error:
        check_coco_style_data(coco_config(copy))
    assert repr(annotation_path(copy)) in str(error.value)
    assert 'train_dataloader.dataset' in str(error.value)


def test_missing_files_and_folders_are_file_not_found(copy, tmp_path):
    with pytest.raises(MissingDataError, match='Image folder') as error:
        check_coco_style_data(coco_config(str(tmp_path / 'nothing')))
    assert isinstance(error.value, FileNotFoundError)
    import os
    os.remove(annotation_path(copy))
    with pytest.raises(MissingDataError, match=r'Annotation file .*'
                       'person_keypoints_train2017.json\' does not exist'):
        check_coco_style_data(coco_config(copy))


def test_a_home_relative_root_is_expanded(copy, tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    cfg = coco_config('~/good', val_ann_file='~/good/' + VAL_ANN)
    reports = check_coco_style_data(cfg)
    assert [r.usable for r in reports] == [86, 68]
    # expanded in the config, so the Runner's dataset and metric read it
    assert cfg.train_dataloader.dataset.data_root == copy
    assert cfg.val_evaluator[0].ann_file == osp.join(copy, VAL_ANN)


def test_a_root_without_its_trailing_slash(copy):
    # mmengine joins data_root and ann_file / data_prefix with os.path.join:
    # the datasets are fine without the slash ...
    assert [r.usable for r in check_coco_style_data(coco_config(copy))] == \
        [86, 68]
    # ... but a path built as data_root + 'annotations/...' is not
    glued = copy + VAL_ANN     # '.../goodannotations/...'
    with pytest.raises(MissingDataError) as error:
        check_coco_style_data(coco_config(copy, val_ann_file=glued))
    message = str(error.value)
    assert repr(glued) in message and 'val_evaluator.0' in message
    assert repr(osp.join(copy, VAL_ANN)) + ' exists' in message
    assert 'trailing "/"' in message


def test_wrappers_are_looked_into(copy, tmp_path):
    broken = coco_mini_copy(tmp_path / 'broken')
    edit_annotations(broken, lambda coco: people(coco)[0].update(
        bbox=[math.nan] * 4))
    cfg = Config(dict(default_scope='mmpose', train_dataloader=dict(
        dataset=dict(type='RepeatDataset', times=2, dataset=dict(
            type='CombinedDataset', metainfo=dict(
                from_file='configs/_base_/datasets/coco.py'),
            datasets=[coco_dataset(copy), coco_dataset(broken)],
            pipeline=[])))))
    with pytest.raises(DataCheckError) as error:
        check_coco_style_data(cfg)
    assert 'train_dataloader.dataset.dataset.datasets.1' in str(error.value)
    assert annotation_path(broken) in str(error.value)


def test_other_datasets_are_not_checked(tmp_path):
    cfg = Config(dict(default_scope='mmpretrain', train_dataloader=dict(
        dataset=dict(type='CustomDataset', data_root=str(tmp_path / 'no')))))
    assert check_coco_style_data(cfg) == []


def test_only_the_entry_s_splits_are_checked(copy, tmp_path):
    cfg = coco_config(copy)
    cfg.test_dataloader = dict(dataset=coco_dataset(str(tmp_path / 'gone')))
    assert len(check_coco_style_data(cfg, splits=('train', 'val'))) == 2
    with pytest.raises(MissingDataError, match='gone'):
        check_coco_style_data(cfg, splits=('test', ))


SAMPLES_COCO = osp.join(osp.dirname(COCO_MINI), 'coco')


@pytest.mark.skipif(not osp.isfile(osp.join(SAMPLES_COCO, 'test_coco.json')),
                    reason=f'the COCO sample is not at {SAMPLES_COCO}')
def test_an_empty_image_prefix_means_the_data_root():
    # mmengine joins data_root to an empty data_prefix.img too: the images
    # lie beside the annotation file (as in the COCO sample, CI's wheel check)
    report = check_coco_dataset(dict(
        type='CocoDataset', data_root=SAMPLES_COCO + '/',
        ann_file='test_coco.json', data_prefix=dict(img=''), test_mode=True))
    assert report is not None
