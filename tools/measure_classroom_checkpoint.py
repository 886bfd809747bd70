"""What a ClassroomKD checkpoint holds, against the student's own.

    PYTHONPATH=$PWD python tools/measure_classroom_checkpoint.py \
        --out work_dirs/classroom_checkpoint/this.json

builds the 3-mentor pose setting of the speed benchmark (a SimpleBaseline
ResNet-18 student at 256x192, mentors from mmpose's own configs with random
weights), trains the distiller and the bare student one step each with
mmpose's Adam recipe, saves both as MMEngine's Runner does (``meta``,
``state_dict``, ``optimizer``) and reports: the checkpoint sizes and their
ratio (the target: at most 1.1), the tensors the optimizer holds (its
parameters, its state) against the student's trainable ones, and the
library's line count. It uses only the distiller's constructor, so the same
file measures another checkout: put that checkout first on ``PYTHONPATH``
(``classroomkd_mm`` and ``benchmarks`` are then imported from it).
"""
import argparse
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import tempfile

import torch


def cpu_name() -> str:
    """The CPU's model name, family and model (``/proc/cpuinfo``)."""
    fields = {}
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                key, _, value = line.partition(':')
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        return platform.processor() or platform.machine()
    return (f"{fields.get('model name')} (family {fields.get('cpu family')}"
            f" model {fields.get('model')}), {os.cpu_count()} cores")


def optimizer_tensors(optim_wrapper) -> dict:
    optimizer = optim_wrapper.optimizer
    params = [p for g in optimizer.param_groups for p in g['params']]
    state = [v for s in optimizer.state.values() for v in s.values()
             if isinstance(v, torch.Tensor)]
    return dict(params=len(params), state_tensors=len(state))


def save_as_the_runner(model, optim_wrapper, path) -> int:
    from mmengine.runner.checkpoint import get_state_dict, weights_to_cpu
    torch.save(dict(meta=dict(epoch=1, iter=1),
                    state_dict=weights_to_cpu(get_state_dict(model)),
                    optimizer=optim_wrapper.state_dict()), path)
    return os.path.getsize(path)


def library_lines(root: str) -> int:
    total = 0
    for folder, _, files in os.walk(osp.join(root, 'classroomkd_mm')):
        for name in files:
            if name.endswith('.py'):
                with open(osp.join(folder, name), 'rb') as f:
                    total += f.read().count(b'\n')
    return total


def measure(num_mentors: int) -> dict:
    import classroomkd_mm
    from mmengine.optim import build_optim_wrapper

    from benchmarks.speed.settings import pose_setting
    from classroomkd_mm.models import ClassroomDistiller
    from classroomkd_mm.registry import MODELS
    optimizer = dict(type='OptimWrapper',
                     optimizer=dict(type='Adam', lr=5e-4))
    root = osp.dirname(osp.dirname(osp.abspath(classroomkd_mm.__file__)))
    with tempfile.TemporaryDirectory() as tmp:
        setting = pose_setting(tmp, batch_size=2, num_mentors=num_mentors)
        torch.manual_seed(0)
        student = MODELS.build(dict(setting.student)).train()
        student_ow = build_optim_wrapper(student, dict(optimizer))
        student.train_step(setting.batch, student_ow)
        student_bytes = save_as_the_runner(student, student_ow,
                                           osp.join(tmp, 'student.pth'))
        torch.manual_seed(0)
        distiller = ClassroomDistiller(student=setting.student,
                                       mentors=setting.mentors).train()
        ow = build_optim_wrapper(distiller, dict(optimizer))
        distiller.train_step(setting.batch, ow)
        distiller_bytes = save_as_the_runner(distiller, ow,
                                             osp.join(tmp, 'distiller.pth'))
        trainable = sum(1 for p in student.parameters() if p.requires_grad)
        return dict(
            checkout=root,
            commit=subprocess.run(['git', '-C', root, 'rev-parse', '--short',
                                   'HEAD'], capture_output=True,
                                  text=True).stdout.strip(),
            mentors=list(setting.mentors),
            student_checkpoint_mib=student_bytes / 2**20,
            distiller_checkpoint_mib=distiller_bytes / 2**20,
            checkpoint_over_student=distiller_bytes / student_bytes,
            student_trainable_tensors=trainable,
            optimizer=optimizer_tensors(ow),
            student_optimizer=optimizer_tensors(student_ow),
            library_lines=library_lines(root))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--mentors', type=int, default=3)
    parser.add_argument('--out', default=None, help='JSON file to write')
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    result = dict(tool='tools/measure_classroom_checkpoint.py',
                  cpu=cpu_name(), torch=torch.__version__,
                  **measure(args.mentors))
    text = json.dumps(result, indent=1)
    print(text)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text + '\n')
    return result


if __name__ == '__main__':
    sys.exit(0 if main() else 1)
