"""COCO-MINI (real COCO 2017 people, ``../shared/data/coco_mini``): check
that a copy is complete before anything trains on it, and the config
options that point the coco_mini configs at another copy.

    python tools/dataset_converters/coco_mini.py [ROOT] [--options]

prints what it found (and, with ``--options``, the ``--cfg-options`` that
point a coco_mini config at ROOT), or exits with what is missing or broken
(file, image, annotation id) and how to fix it. The check is the library's
(``classroomkd_mm.datasets.check_coco_dataset``), the one ``tools/train.py``
and ``tools/test.py`` run on every COCO-style config.
"""
import argparse
import os.path as osp

#: relative to the repository root, as in configs/_base_/datasets/coco_mini.py
DEFAULT_ROOT = '../shared/data/coco_mini'
SPLITS = ('train2017', 'val2017')
FIX = (f'Put COCO-MINI there (train2017/, val2017/ and annotations/'
       f'person_keypoints_{{train,val}}2017.json, in COCO\'s format; see '
       f'{DEFAULT_ROOT}/README.md for what it is), or point at your copy: '
       '--data-root for tools/demo/coco_demo.py, or the options of '
       'coco_mini_options(root) (tools/dataset_converters/coco_mini.py '
       'ROOT --options prints them) for a config or benchmark spec.')


def annotation_file(root: str, split: str) -> str:
    return osp.join(root, 'annotations', f'person_keypoints_{split}.json')


def check_coco_mini(root: str = DEFAULT_ROOT) -> dict:
    """The library's COCO-style data check
    (``classroomkd_mm.datasets.check_coco_dataset``) on both splits of the
    copy in ``root`` (``~`` expanded). Raises its ``MissingDataError`` (a
    ``FileNotFoundError``) or ``DataCheckError`` (a ``ValueError``) naming
    the file, image and annotation and the fix; returns ``{split: (images,
    people the loader uses)}``."""
    from classroomkd_mm.datasets import (DataCheckError, MissingDataError,
                                         check_coco_dataset)
    root = osp.expanduser(root)
    if not osp.isdir(root):
        raise MissingDataError(
            f'COCO-MINI data folder {osp.abspath(root)!r} does not exist. '
            + FIX)
    found = {}
    for split in SPLITS:
        dataset = dict(type='CocoDataset', data_root=root,
                       ann_file=osp.relpath(annotation_file(root, split),
                                            root),
                       data_prefix=dict(img=f'{split}/'))
        try:
            report = check_coco_dataset(dataset, f'COCO-MINI {split}')
        except DataCheckError as error:
            raise type(error)(f'COCO-MINI at {osp.abspath(root)!r}: {error} '
                              + FIX) from None
        found[split] = (report.images, report.usable)
    return found


def coco_mini_options(root: str) -> dict:
    """``--cfg-options`` that point a configs/pose/coco_mini config (or a
    benchmark spec's ``student_options``) at the copy in ``root`` (with or
    without a trailing ``/``; ``~`` expanded)."""
    root = osp.expanduser(root).rstrip('/') + '/'
    val_ann = 'annotations/person_keypoints_val2017.json'
    return {
        'train_dataloader.dataset.data_root': root,
        'val_dataloader.dataset.data_root': root,
        'test_dataloader.dataset.data_root': root,
        'val_evaluator.0.ann_file': root + val_ann,   # the CocoMetric
        'test_evaluator.0.ann_file': root + val_ann,
    }


def cfg_options_line(root: str) -> str:
    """:func:`coco_mini_options` as one ``--cfg-options`` argument list for
    ``tools/train.py`` / ``tools/test.py``."""
    return '--cfg-options ' + ' '.join(
        f'{key}={value}' for key, value in coco_mini_options(root).items())


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', nargs='?', default=DEFAULT_ROOT)
    parser.add_argument(
        '--options', action='store_true',
        help='print the --cfg-options that point a coco_mini config at ROOT')
    args = parser.parse_args()
    try:
        found = check_coco_mini(args.root)
    except ValueError as error:  # DataCheckError, MissingDataError
        raise SystemExit(str(error))
    for split, (images, people) in found.items():
        print(f'{split}: {images} images, {people} people with keypoints '
              'the loader uses')
    if args.options:
        print(cfg_options_line(args.root))
