"""The main job's classification part, on real data (UCI digits).

1. Writes the scikit-learn digits as an ImageNet-style folder
   (data/generated/digits/{train,val}) read by mmpretrain's CustomDataset.
2. Trains the classroom with MMEngine's Runner: a strong ResNet-18 (width 16)
   and a peer ResNet-18 (width 8); the peer's epoch-2 snapshot is the weak
   mentor.
3. Trains the LeNet-5 student alone (NoKD) and with ClassroomKD, both on 30
   training images per digit (the small-data setting where mentors matter:
   with all 1,297 images LeNet-5 alone matches the best mentor).
4. Evaluates every network with mmpretrain's Accuracy and prints a table.

The console shows the progress lines and the table; each run's environment,
config and hooks are in its log file, ``<work-dir>/<run>/<timestamp>/
<timestamp>.log`` (tools/demo/quiet_runs.py).

Run from the repository root: ``python tools/demo/digits_demo.py``.
"""
import argparse
import os.path as osp
import sys
import time

from mmengine.config import Config

# The repository root, for the project's modules outside the installed
# package (`tools.*`); Python puts only this script's own folder on sys.path.
REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO)
import classroomkd_mm  # noqa: E402,F401
from classroomkd_mm.apis import train_and_test  # noqa: E402
from tools.dataset_converters.digits_folder import \
    write_digits_folder  # noqa: E402
from tools.demo.quiet_runs import quiet_console  # noqa: E402

CONFIGS = 'configs/classification/digits'
MENTOR_R18C16 = f'{CONFIGS}/resnet18-c16_1xb32-10e_digits.py'
MENTOR_R18C8 = f'{CONFIGS}/resnet18-c8_1xb32-10e_digits.py'
STUDENT = f'{CONFIGS}/lenet5_1xb32-20e_digits-30pc.py'
CLASSROOM = (f'{CONFIGS}/classroomkd_lenet5-from-resnet18-c16-resnet18-c8-'
             'resnet18-c8-ep2_1xb32-20e_digits-30pc.py')


def banner(text):
    print(f'\n==== {text} ====', flush=True)


def main():
    with quiet_console():
        run_demo()


def run_demo():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--work-dir', default='work_dirs/digits')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    start = time.time()
    wd = args.work_dir
    mentors_options = {
        'model.mentors.r18c16.checkpoint': f'{wd}/mentor_r18c16/epoch_10.pth',
        'model.mentors.r18c8.checkpoint': f'{wd}/mentor_r18c8/epoch_10.pth',
        'model.mentors.r18c8_early.checkpoint':
        f'{wd}/mentor_r18c8/epoch_2.pth',
    }

    banner('1/5 writing the UCI digits as an image folder')
    print(write_digits_folder('data/generated/digits'))

    results = {}
    banner('2/5 training mentor r18c16 (ResNet-18, width 16)')
    results['mentor r18c16 (ResNet-18 w16, 10 ep)'] = train_and_test(
        Config.fromfile(MENTOR_R18C16), f'{wd}/mentor_r18c16', args.seed)
    banner('3/5 training mentor r18c8 (ResNet-18, width 8)')
    results['mentor r18c8 (ResNet-18 w8, 10 ep)'] = train_and_test(
        Config.fromfile(MENTOR_R18C8), f'{wd}/mentor_r18c8', args.seed)
    results['mentor r18c8_early (same, epoch 2)'] = train_and_test(
        Config.fromfile(MENTOR_R18C8), f'{wd}/mentor_r18c8', args.seed,
        train=False, load_from=f'{wd}/mentor_r18c8/epoch_2.pth')
    banner('4/5 training the LeNet-5 student alone (NoKD)')
    results['student LeNet-5, NoKD'] = train_and_test(
        Config.fromfile(STUDENT), f'{wd}/student_nokd', args.seed)
    banner('5/5 training the LeNet-5 student with ClassroomKD')
    classroom = Config.fromfile(CLASSROOM)
    classroom.merge_from_dict(mentors_options)
    results['student LeNet-5, ClassroomKD'] = train_and_test(
        classroom, f'{wd}/student_classroomkd', args.seed)

    banner(f'Digits (val, 500 images; mentors trained on 1,297 images, '
           f'students on 300), seed {args.seed}, '
           f'{time.time() - start:.0f} s')
    print(f'| {"network":40s} | top-1 (%) |')
    print(f'|{"-" * 42}|-----------|')
    for name, metrics in results.items():
        print(f'| {name:40s} | {metrics["accuracy/top1"]:9.2f} |')
    student_ckpt = osp.join(wd, 'student_classroomkd')
    print(f'\nStudent-only checkpoints (load with the plain student config '
          f'{STUDENT}): {student_ckpt}/*_student.pth')


if __name__ == '__main__':
    main()
