"""Publish the student of a ClassroomDistiller checkpoint.

    python tools/export_student.py work_dirs/run/epoch_240.pth \
        work_dirs/run/res18_classroomkd_coco-256x192.pth

reads the full distiller checkpoint (safely: ``weights_only=True`` with the
allow-list of ``classroomkd_mm.utils.safe_checkpoint``; a checkpoint that
holds code is refused), keeps the student's weights (the distiller's
connectors and classroom state left out) and plain metadata (epoch, iteration, dataset_meta; no optimizer, no
message hub, no mentors), and writes ``<out>-<sha256[:8]>.pth`` as OpenMMLab's
``tools/model_converters/publish_model.py`` names published files. The result
loads with the plain student config through mmpose's ``init_model`` and
mmpretrain's ``get_model`` / ``ImageClassificationInferencer``, and with
``torch.load(..., weights_only=True)`` and no allow-list.
"""
import argparse
import os
import os.path as osp
import sys

import torch

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))
from classroomkd_mm.utils.onnx_files import file_sha256  # noqa: E402
from classroomkd_mm.utils.safe_checkpoint import torch_load_safely  # noqa
from classroomkd_mm.utils.student_weights import (  # noqa: E402
    student_checkpoint, student_state_dict)

META_KEYS = ('epoch', 'iter', 'dataset_meta', 'mmengine_version',
             'experiment_name')


def export_student(in_file: str, out_file: str) -> str:
    """Write the published student checkpoint; returns its path."""
    checkpoint = torch_load_safely(in_file, map_location='cpu')
    state_dict = checkpoint.get('state_dict', checkpoint) \
        if isinstance(checkpoint, dict) else None
    if not isinstance(state_dict, dict) or not student_state_dict(
            state_dict):
        raise ValueError(
            f'{in_file!r} holds no student weights (no state dict with '
            'tensors), so it is not a ClassroomDistiller checkpoint. Pass '
            'the epoch_*.pth / iter_*.pth / best_*.pth that the distiller '
            'run saved.')
    source_meta = checkpoint.get('meta') or {}
    meta = {k: source_meta[k] for k in META_KEYS if k in source_meta}
    meta['source_checkpoint'] = osp.basename(in_file)
    stem = out_file[:-len('.pth')] if out_file.endswith('.pth') else out_file
    if osp.dirname(stem):
        os.makedirs(osp.dirname(stem), exist_ok=True)
    tmp = stem + '.pth.tmp'
    torch.save(student_checkpoint(state_dict, meta), tmp)
    final = f'{stem}-{file_sha256(tmp)[:8]}.pth'
    os.replace(tmp, final)
    return final


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Publish the student of a ClassroomDistiller checkpoint '
        '(student-only weights, plain meta, sha256 suffix).')
    parser.add_argument('in_file', help='full distiller checkpoint')
    parser.add_argument('out_file', help='output name; "-<sha8>.pth" is '
                        'appended')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    path = export_student(args.in_file, args.out_file)
    print(f'Published the student to {path}')
    return path


if __name__ == '__main__':
    main()
