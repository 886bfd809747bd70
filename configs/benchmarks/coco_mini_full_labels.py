# All 86 people labelled, with a pretrained mentor: where distillation from
# MoveNet is not expected to pay. On REAL COCO people, held out:
#   OMP_NUM_THREADS=1 .venv/bin/python tools/benchmark_methods.py \
#       configs/benchmarks/coco_mini_full_labels.py --workers 2
#
# Data, student and schedule: ./coco_mini_methods.py's (COCO-MINI: 86
# labelled train2017 people, the 81 box-only people dropped as mmpose's
# CocoDataset drops them; PCK@0.2 on the 68 held-out val2017 people, OKS AP
# kept; SimCC ResNet-18/16, 64x48, 30 epochs).
# Classroom: MoveNet SinglePose Lightning (the pretrained file mentor of
# ./coco_mini_scarce_labels.py) and the SimCC ResNet-18/32 peer trained here
# from scratch on the same 86 people (120 epochs). NoKD, KD (the best mentor
# by the metric: MoveNet), AVER, CA-MKD, EBKD, DGKD, ClassroomKD (the main
# group of benchmarks/methods/standard_methods.py), and ClassroomKD ranking
# by the decoded keypoint distance without the task-loss confidence weight
# (the variant ./coco_mini_scarce_labels.py measures). mmpose's DWPose
# distiller is left out: it takes its teacher as an mmpose config and
# checkpoint, and MoveNet is a TFLite file.
_base_ = ['./coco_mini_methods.py']
name = 'coco_mini_full_labels'
work_dir = 'work_dirs/benchmarks/coco_mini_full_labels'
trainings = dict(_delete_=True, simcc_r18c32={{_base_.trainings.simcc_r18c32}})
mentors = dict(
    _delete_=True,
    movenet=dict(model=dict(
        type='classroomkd_mm.FileMentor', preset='movenet_singlepose',
        file='../shared/data/models/movenet/'
        'movenet_singlepose_lightning_int8.tflite')),
    simcc_r18c32=dict(training='simcc_r18c32', epoch=120))
_classroom = ['movenet', 'simcc_r18c32']
_classroomkd_t = dict(tau=12.0, base_temperature=1.0, loss_weight=1.0)
standard_methods = dict(classroom=_classroom,
                        knowledge_filter=dict(type='KnowledgeFilter'))
methods = dict(
    _delete_=True,
    classroomkd_peak_nocw=dict(
        mentors=_classroom, adapter=dict(type='SimCCAdapter', error='peak'),
        policy=dict(type='KnowledgeFilter', confidence_weighting=False),
        mentoring=_classroomkd_t))
