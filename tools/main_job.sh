#!/usr/bin/env bash
# The main job on real data (digits bundled, COCO-MINI in ../shared/data),
# on a fresh machine: creates .venv
# when missing, then
#   1. classification: UCI digits (scikit-learn), three mentors, the LeNet-5
#      student with NoKD and with ClassroomKD, mmpretrain's Accuracy;
#   2. pose: real COCO people with scarce labels, held out (COCO-MINI,
#      ../shared/data/coco_mini: trained on train2017 with the keypoint
#      labels of 20 of its 86 people, the rest taught by the mentors; scored
#      on val2017's 68 others): MoveNet (pretrained, a TFLite mentor file)
#      and a from-scratch peer, the SimCC student with NoKD, KD and
#      ClassroomKD over 3 seeds, mmpose's PCKAccuracy and CocoMetric, the
#      NoKD and the better distilled student-only checkpoints drawn side by
#      side on a val2017 image.
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
