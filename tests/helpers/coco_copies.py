"""Copies of COCO-MINI (``../shared/data/coco_mini``) in a test's folder, to
corrupt: the annotation files are copied, the images symbolically linked (a
test that breaks an image replaces its link with a file, so the shared data
is never written)."""
import json
import os
import os.path as osp

from tests.helpers import REPO

COCO_MINI = osp.normpath(osp.join(REPO, '..', 'shared', 'data', 'coco_mini'))
SPLITS = ('train2017', 'val2017')


def coco_mini_copy(folder) -> str:
    """A COCO-MINI copy in ``folder``; returns its root (no trailing /)."""
    folder = str(folder)
    os.makedirs(osp.join(folder, 'annotations'))
    for split in SPLITS:
        name = f'person_keypoints_{split}.json'
        with open(osp.join(COCO_MINI, 'annotations', name), 'rb') as f, \
                open(osp.join(folder, 'annotations', name), 'wb') as g:
            g.write(f.read())
        os.makedirs(osp.join(folder, split))
        for image in os.listdir(osp.join(COCO_MINI, split)):
            os.symlink(osp.join(COCO_MINI, split, image),
                       osp.join(folder, split, image))
    return folder


def annotation_path(root, split='train2017') -> str:
    return osp.join(root, 'annotations', f'person_keypoints_{split}.json')


def edit_annotations(root, edit, split='train2017'):
    """Apply ``edit(coco_dict)`` to the copy's annotation file of ``split``
    (JSON written with NaN allowed); returns what ``edit`` returned."""
    path = annotation_path(root, split)
    with open(path) as f:
        coco = json.load(f)
    result = edit(coco)
    with open(path, 'w') as f:
        json.dump(coco, f)
    return result


def people(coco):
    """The annotations mmpose's top-down loader trains on (keypoints, not
    crowd)."""
    return [a for a in coco['annotations']
            if a.get('num_keypoints', 0) > 0 and not a.get('iscrowd')]


def image_of(coco, ann):
    return next(i for i in coco['images'] if i['id'] == ann['image_id'])


def replace_image(root, file_name, data: bytes, split='train2017'):
    """Replace the copy's link ``split/file_name`` by a file of ``data``."""
    path = osp.join(root, split, file_name)
    os.remove(path)
    with open(path, 'wb') as f:
        f.write(data)
    return path
