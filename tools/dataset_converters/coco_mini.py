"""COCO-MINI (real COCO 2017 people, ``../shared/data/coco_mini``): check
that a copy is complete before anything trains on it, and the config
options that point the coco_mini configs at another copy.

    python tools/dataset_converters/coco_mini.py [ROOT]

prints what it found, or exits with what is missing and how to fix it.
"""
import argparse
import json
import os.path as osp

#: relative to the repository root, as in configs/_base_/datasets/coco_mini.py
DEFAULT_ROOT = '../shared/data/coco_mini'
SPLITS = ('train2017', 'val2017')


def annotation_file(root: str, split: str) -> str:
    return osp.join(root, 'annotations', f'person_keypoints_{split}.json')


def check_coco_mini(root: str = DEFAULT_ROOT) -> dict:
    """Raise ``FileNotFoundError`` naming what is missing under ``root`` and
    the fix, or ``ValueError`` for an annotation file that is not COCO
    keypoints; return ``{split: (images, people with keypoints)}``."""
    fix = (f'Put COCO-MINI there (train2017/, val2017/ and annotations/'
           f'person_keypoints_{{train,val}}2017.json, in COCO\'s format; '
           f'see {DEFAULT_ROOT}/README.md for what it is), or point at your '
           'copy: --data-root for tools/demo/coco_demo.py, or the options '
           'of coco_mini_options(root) (tools/dataset_converters/'
           'coco_mini.py) for a config or benchmark spec.')
    if not osp.isdir(root):
        raise FileNotFoundError(
            f'COCO-MINI data folder {osp.abspath(root)!r} does not exist. '
            + fix)
    found = {}
    for split in SPLITS:
        ann_file = annotation_file(root, split)
        for path in (ann_file, osp.join(root, split)):
            if not osp.exists(path):
                raise FileNotFoundError(
                    f'COCO-MINI at {osp.abspath(root)!r} has no '
                    f'{osp.relpath(path, root)!r}. ' + fix)
        try:
            with open(ann_file) as f:
                coco = json.load(f)
            people = sum(1 for a in coco['annotations']
                         if a.get('num_keypoints', 0) > 0)
            images = coco['images']
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(
                f'{ann_file} is not a COCO keypoint annotation file '
                f'({type(error).__name__}: {error}). ' + fix) from error
        missing = [i['file_name'] for i in images
                   if not osp.isfile(osp.join(root, split, i['file_name']))]
        if missing:
            raise FileNotFoundError(
                f'COCO-MINI at {osp.abspath(root)!r}: {len(missing)} of the '
                f'{len(images)} {split} images named in {ann_file} are '
                f'missing (first: {missing[0]}). ' + fix)
        found[split] = (len(images), people)
    return found


def coco_mini_options(root: str) -> dict:
    """``--cfg-options`` that point a configs/pose/coco_mini config (or a
    benchmark spec's ``student_options``) at the copy in ``root``."""
    root = root.rstrip('/') + '/'
    val_ann = 'annotations/person_keypoints_val2017.json'
    return {
        'train_dataloader.dataset.data_root': root,
        'val_dataloader.dataset.data_root': root,
        'test_dataloader.dataset.data_root': root,
        'val_evaluator.0.ann_file': root + val_ann,   # the CocoMetric
        'test_evaluator.0.ann_file': root + val_ann,
    }


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('root', nargs='?', default=DEFAULT_ROOT)
    args = parser.parse_args()
    try:
        found = check_coco_mini(args.root)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(str(error))
    for split, (images, people) in found.items():
        print(f'{split}: {images} images, {people} people with keypoints')
