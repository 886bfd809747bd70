#!/usr/bin/env bash
# CI's install check: classroomkd_mm as a user gets it, with the host's own
# entries.
#
#   tools/check_wheel.sh DATA_DIR
#
# DATA_DIR is the COCO sample folder (test_coco.json and its 4 images, e.g.
# ../shared/data/coco beside the checkout). The script
#   1. builds the wheel from a copy of the checkout (tracked and untracked,
#      not ignored, files) and prints its size and file count;
#   2. installs it, with its [cpu,pose,mim] extras, into a fresh environment
#      of the pinned stack made from requirements/cpu_env.txt
#      (tools/setup_env.sh; pip's own cache, so a rerun downloads nothing);
#   3. from a folder outside the repository, with MMPose's own
#      tools/train.py and tools/test.py (mmpose/.mim/tools):
#      - trains .ci/wheel_check/two_mentors.py (it inherits the project's
#        recipe by the classroomkd_mm:: prefix, which inherits mmpose::) for
#        2 iterations with `mim train mmpose`, then resumes it to 3 with
#        MMPose's tools/train.py --resume;
#      - tests the last checkpoint, the full one and its *_student.pth, with
#        MMPose's tools/test.py and the plain student config
#        (.ci/wheel_check/student.py): both must give the distilled
#        student's score (the run's last validation) and the predictions of
#        the project's tools/test.py (`mim test classroomkd_mm`) on the
#        two-mentor config. The full checkpoint passes once mentors are not
#        model state and the student's names lead the checkpoint (issue 25);
#      - runs `mim search classroomkd_mm` and the wheel's .mim/tools/train.py
#        --help;
#   4. prints one summary line with the seconds each part took.
set -euo pipefail
export PIP_DISABLE_PIP_VERSION_CHECK=1
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ $# -ne 1 ] || [ ! -f "$1/test_coco.json" ]; then
    echo "usage: tools/check_wheel.sh DATA_DIR   (a folder with test_coco.json and its" \
         "images, e.g. ../shared/data/coco)" >&2
    exit 2
fi
data="$(cd "$1" && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
start=$SECONDS
step() { echo "=== [check_wheel] $*"; }

step "building the wheel"
mkdir -p "$scratch/source" "$scratch/dist"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
    xargs -0 cp --parents -t "$scratch/source" 2>/dev/null || true)
python3 -m pip wheel -q --no-deps -w "$scratch/dist" "$scratch/source" 2>&1 |
    sed -e '/is ignored: it is neither a file nor a directory/d'
wheel="$(ls "$scratch"/dist/classroomkd_mm-*.whl)"
wheel_files="$(python3 -c "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).namelist()))" "$wheel")"
wheel_kb=$(( $(stat -c %s "$wheel") / 1024 ))
step "$(basename "$wheel"): $wheel_kb KiB, $wheel_files files"
built=$SECONDS

step "a fresh pinned environment with the wheel"
venv="$scratch/venv"
CLASSROOMKD_VENV="$venv" CLASSROOMKD_PACKAGE="$wheel[cpu,pose,mim]" \
    "$root/tools/setup_env.sh" pinned
py="$venv/bin/python"
installed=$SECONDS

run="$scratch/run"  # outside the repository
mkdir -p "$run/mentors"
cp "$root/.ci/wheel_check/two_mentors.py" "$root/.ci/wheel_check/student.py" "$run/"
cd "$run"
export OMP_NUM_THREADS=1 PYTHONNOUSERSITE=1
unset PYTHONPATH
mmpose_tools="$("$py" -c 'import mmpose, os; print(os.path.join(os.path.dirname(mmpose.__file__), ".mim", "tools"))')"
project_tools="$("$py" -c 'import classroomkd_mm, os; print(os.path.join(os.path.dirname(classroomkd_mm.__file__), ".mim", "tools"))')"
case "$("$py" -c 'import classroomkd_mm; print(classroomkd_mm.__file__)')" in
    "$venv"/*) ;;
    *) echo "[check_wheel] classroomkd_mm is not imported from the fresh environment" >&2; exit 1 ;;
esac
export CLASSROOMKD_CI_DATA="$data"  # read by the two configs

step "the two mentors' checkpoints (their initial weights, seeded)"
"$py" - > mentors.log 2>&1 <<'EOF' || { tail -40 mentors.log; exit 1; }
import torch
from mmengine.config import Config
from mmpose.registry import MODELS
from mmpose.utils import register_all_modules

register_all_modules()
cfg = Config.fromfile('two_mentors.py')
for seed, (name, mentor) in enumerate(sorted(cfg.model.mentors.items())):
    torch.manual_seed(seed)
    model = MODELS.build(mentor.model)
    model.init_weights()
    torch.save({'state_dict': model.state_dict(), 'meta': {}},
               mentor.checkpoint)
    print(name, '->', mentor.checkpoint)
EOF

step "mim train mmpose: 2 iterations; MMPose's tools/train.py --resume to 3"
"$py" -m mim train mmpose two_mentors.py --work-dir work > train.log 2>&1 ||
    { tail -60 train.log; exit 1; }
"$py" "$mmpose_tools/train.py" two_mentors.py --work-dir work --resume \
    --cfg-options train_cfg.max_iters=3 > resume.log 2>&1 || { tail -60 resume.log; exit 1; }
grep -q "resumed epoch" resume.log ||
    { echo "[check_wheel] the second run did not resume" >&2; tail -40 resume.log; exit 1; }
trained=$SECONDS

step "MMPose's tools/test.py with the plain student config; mim test classroomkd_mm"
"$py" "$mmpose_tools/test.py" student.py work/iter_3_student.pth --work-dir test_student \
    --dump student_file.pkl > test_student.log 2>&1 || { tail -40 test_student.log; exit 1; }
"$py" -m mim test classroomkd_mm two_mentors.py --checkpoint work/iter_3.pth \
    --work-dir test_project --dump project.pkl > test_project.log 2>&1 ||
    { tail -40 test_project.log; exit 1; }
"$py" "$mmpose_tools/test.py" student.py work/iter_3.pth --work-dir test_full \
    --dump full_checkpoint.pkl > test_full.log 2>&1 || { tail -40 test_full.log; exit 1; }
scores=0
"$py" - <<'EOF' || scores=$?
import pickle

import numpy as np

# the distilled student's score: the resumed run's validation after
# iteration 3 (its last `Iter(val)` line)
lines = open('resume.log').read().split('Saving checkpoint at 3 iterations')
assert len(lines) == 2, 'the resumed run did not reach iteration 3'
validations = [line for line in lines[1].splitlines()
               if 'Iter(val)' in line and 'coco/AP: ' in line]
assert validations, 'the resumed run did not validate after iteration 3'
expected = {'coco/AP': float(
    validations[-1].split('coco/AP: ')[1].split()[0])}


def predictions(path):
    with open(path, 'rb') as f:  # written by this script's own runs
        return np.concatenate([s['pred_instances']['keypoints']
                               for s in pickle.load(f)])


reference = predictions('project.pkl')
failures = []
for name, dump, log in (
        ('*_student.pth', 'student_file.pkl', 'test_student.log'),
        ('full checkpoint', 'full_checkpoint.pkl', 'test_full.log')):
    text = open(log).read()
    ap = float(text.split('coco/AP: ')[1].split()[0])
    same = np.array_equal(predictions(dump), reference)
    ok = same and abs(ap - expected['coco/AP']) < 1e-6
    print(f'[check_wheel] mmpose test.py, plain student config, {name}: '
          f'coco/AP {ap:.4f} (distilled student {expected["coco/AP"]:.4f}), '
          f'predictions {"equal" if same else "DIFFERENT"} to the project '
          f"test.py's: {'ok' if ok else 'FAILED'}")
    if not ok:
        failures.append(name)
if failures:
    raise SystemExit('[check_wheel] the plain student config does not score '
                     'the distilled student from: ' + ', '.join(failures) +
                     ' (a full checkpoint needs the student\'s names at the '
                     'top of its state dict and no mentor in it: issue 25)')
EOF
tested=$SECONDS

step "mim search classroomkd_mm; the wheel's tools/train.py --help"
"$py" -m mim search classroomkd_mm > search.log 2>&1 || { tail -20 search.log; exit 1; }
grep -q "classroomkd_res18-from-hrnet-w48-w32-res50_8xb64-210e_coco-256x192" search.log ||
    { echo "[check_wheel] mim search lists no classroomkd_mm model" >&2; tail -20 search.log; exit 1; }
"$py" "$project_tools/train.py" --help | grep -q "work-dir lock"
models="$(grep -c '^config id:' search.log || true)"

cd /
rm -rf "$scratch"  # the fresh environment (torch and all): its removal is timed too
removed=$SECONDS
verdict=passed
[ "$scores" -eq 0 ] || verdict="FAILED (the plain student config on a full checkpoint)"
echo "=== check_wheel: $verdict in $((SECONDS - start)) s (wheel $((built - start)) s, $wheel_kb KiB," \
     "$wheel_files files; fresh pinned env $((installed - built)) s; mim train mmpose + resume" \
     "$((trained - installed)) s; 3 tests $((tested - trained)) s; mim search: $models models;" \
     "mim search + removing the environment $((removed - tested)) s)"
[ "$scores" -eq 0 ]
