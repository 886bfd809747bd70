"""Offline pseudo-labels from a mentor: the baseline any distillation from
that mentor must beat.

    python tools/dataset_converters/pseudo_labels.py CONFIG MENTOR OUT.json
        [--score-thr 0.3]

``CONFIG`` is a ClassroomKD pose config whose training set is a
``classroomkd_mm.CocoPeopleDataset`` (its draw of labelled people and its
box-only people), ``MENTOR`` one of its mentors that predicts keypoints with
a confidence (a model file with ``scores=True``, e.g. MoveNet). Every
unlabelled person of the training set is cropped as the student sees it at
test time (the config's val pipeline: no augmentation), the mentor runs on
the crop, and its keypoints, taken back to the image, become that person's
labels where its score is at least ``--score-thr`` (visibility 2; 0
elsewhere). Labelled people keep their ground truth. ``OUT.json`` is the
training annotation file with those keypoints: train on it with mmpose's
``CocoDataset`` (or ``CocoPeopleDataset`` without ``labelled_people``).
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(
    osp.abspath(__file__)))))
from classroomkd_mm.apis import bridged_mentor  # noqa: E402


def mentor_keypoints(model, inputs):
    """``(N, K, 3)`` image-free crop coordinates ``(u, v)`` in student input
    pixels and the mentor's scores."""
    bridge = model.bridge
    space = bridge.mentor_space
    if space.family != 'regression' or not space.predicts_score:
        raise SystemExit(
            f'pseudo_labels: mentor {bridge.name!r} predicts no keypoint '
            'scores (a model file with output scores=True, e.g. MoveNet); '
            'pseudo-labels need them.')
    with torch.no_grad():
        raw = bridge.mentor_forward(model.mentor, inputs)[0]
    size = raw.new_tensor(space.input_size)
    offset = raw.new_tensor(bridge.crop_offsets)
    scale = raw.new_tensor(bridge.crop_scales)
    crop = (raw[..., :2] * size - offset) / scale
    return torch.cat([crop, raw[..., 2:3]], -1)


def crop_center_and_size(sample):
    """The crop's centre and size in image pixels: mmpose 1.1 packs them as
    ``gt_instances.bbox_centers`` / ``bbox_scales``, 1.3 as the metainfo's
    ``input_center`` / ``input_scale``."""
    meta = sample.metainfo
    if 'input_center' in meta and 'input_scale' in meta:
        return (np.asarray(meta['input_center']).reshape(2),
                np.asarray(meta['input_scale']).reshape(2))
    return (np.asarray(sample.gt_instances.bbox_centers[0]),
            np.asarray(sample.gt_instances.bbox_scales[0]))


def pseudo_label(cfg: Config, name: str, out: str,
                 score_thr: float = 0.3, batch_size: int = 16) -> dict:
    """Write ``out`` (see the module docstring); returns a summary."""
    from mmengine.registry import DATASETS, DefaultScope
    if not DefaultScope.check_instance_created('pseudo_labels'):
        DefaultScope.get_instance('pseudo_labels', scope_name='mmpose')
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg.pipeline = cfg.val_dataloader.dataset.pipeline
    dataset = DATASETS.build(dataset_cfg)
    model = bridged_mentor(cfg, name)
    unlabelled = [i for i in range(len(dataset)) if not (
        dataset.get_data_info(i)['keypoints_visible'] > 0).any()]
    labels = {}
    for start in range(0, len(unlabelled), batch_size):
        batch = pseudo_collate([dataset[i] for i in
                                unlabelled[start:start + batch_size]])
        data = model.data_preprocessor(batch, False)
        predicted = mentor_keypoints(model, data['inputs'])
        for sample, kpts in zip(data['data_samples'], predicted.numpy()):
            w, h = sample.metainfo['input_size']
            center, box = crop_center_and_size(sample)
            xy = kpts[:, :2] / np.array([w, h]) * box + center - 0.5 * box
            keep = kpts[:, 2] >= score_thr
            labels[int(sample.metainfo['id'])] = (xy, keep)
    ann_file = osp.join(dataset_cfg.get('data_root', ''),
                        dataset_cfg.ann_file)
    with open(ann_file) as f:
        coco = json.load(f)
    kept = 0
    for ann in coco['annotations']:
        if ann['id'] not in labels:
            continue
        xy, keep = labels[ann['id']]
        triples = np.concatenate(
            [np.where(keep[:, None], xy, 0), 2 * keep[:, None]], -1)
        ann['keypoints'] = [round(float(v), 2) for v in triples.ravel()]
        ann['num_keypoints'] = int(keep.sum())
        kept += int(keep.sum())
    if osp.dirname(out):
        os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out, 'w') as f:
        json.dump(coco, f)
    return dict(people=len(labels), keypoints=kept, out=out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('mentor')
    parser.add_argument('out')
    parser.add_argument('--score-thr', type=float, default=0.3)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    args = parser.parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    summary = pseudo_label(cfg, args.mentor, args.out, args.score_thr)
    print(f'pseudo_labels: {summary["people"]} unlabelled people, '
          f'{summary["keypoints"]} keypoints kept (score >= '
          f'{args.score_thr}) -> {summary["out"]}')
    return summary


if __name__ == '__main__':
    main()


def prepare_scarce_labels(root: str, config: str, mentor: str, out: str,
                          options: dict) -> dict:
    """A benchmark spec's ``prepare_data``: check COCO-MINI at ``root``,
    then write the pseudo-labels of ``config``'s ``mentor`` for the draw in
    ``options`` (merged into the config) to ``out``, once."""
    from tools.dataset_converters.coco_mini import check_coco_mini
    counts = check_coco_mini(root)
    if not osp.isfile(out):
        cfg = Config.fromfile(config)
        cfg.merge_from_dict(options)
        pseudo_label(cfg, mentor, out)
    return counts
