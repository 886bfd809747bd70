#!/usr/bin/env bash
# The main job on real data (digits bundled, COCO-MINI in ../shared/data),
# on a fresh machine: creates .venv
# when missing, then
#   1. classification: UCI digits (scikit-learn), three mentors, the LeNet-5
#      student with NoKD and with ClassroomKD, mmpretrain's Accuracy;
#   2. pose: real COCO people held out (COCO-MINI, ../shared/data/coco_mini:
#      trained on train2017's 86 people, scored on val2017's 68 others),
#      SimCC and heatmap mentors, the SimCC student with NoKD and with
#      ClassroomKD over 5 seeds, mmpose's PCKAccuracy and CocoMetric, a
#      visualisation of the student-only checkpoint on a val2017 image.
# Outputs go to work_dirs/; each part prints its table. Arguments go to the
# digits part.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tools/setup_env.sh
.venv/bin/python tools/demo/digits_demo.py "$@"
if [ -f tools/demo/coco_demo.py ]; then
    .venv/bin/python tools/demo/coco_demo.py
fi
