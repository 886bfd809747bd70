#!/usr/bin/env bash
# The main job on the bundled real data, on a fresh machine: creates .venv
# when missing, then
#   1. classification: UCI digits (scikit-learn), three mentors, the LeNet-5
#      student with NoKD and with ClassroomKD, mmpretrain's Accuracy;
#   2. pose: the bundled COCO and MPII samples, mentors, NoKD and ClassroomKD
#      students, mmpose's CocoMetric and MpiiPCKAccuracy, a visualisation.
# Outputs go to work_dirs/; each part prints its table.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/setup_env.sh
.venv/bin/python tools/demo/digits_demo.py "$@"
if [ -f tools/demo/coco_demo.py ]; then
    .venv/bin/python tools/demo/coco_demo.py
fi
