# ClassroomKD for SimCC heads: RTMPose-t learns on COCO from RTMPose-l, -m
# and -s (mmpose model zoo), with mmpose's own 420-epoch RTMPose-t recipe.
# The divergence is the KL over the x and y bins at each mentor's
# temperature.
# What needs mmdet 3.x (the latest stack: tools/setup_env.sh latest): the
# CSPNeXt backbone (mmdet's registry, _scope_='mmdet'), the pipelines'
# mmdet.YOLOXHSVRandomAug and the recipe's mmdet.PipelineSwitchHook (the
# stage-2 pipeline for the last 30 epochs); mmpose >= 1.2 itself needs the
# compiled mmcv 2.x (mmcv.ops). What does not: EMAHook is MMEngine's (the
# RTMPose-s/m/l recipes use it; RTMPose-t's recipe leaves it commented out),
# and RTMCCHead, SimCCLabel, KLDiscretLoss and CocoMetric are mmpose's.
_base_ = [
    'mmpose::body_2d_keypoint/rtmpose/coco/rtmpose-t_8xb256-420e_coco-256x192.py',
    '../../_base_/classroomkd_runtime.py',
]
# the project's hooks (configs/_base_/classroomkd_runtime.py)
default_hooks = dict(_base_.classroomkd_hooks)

custom_imports = dict(imports=['classroomkd_mm'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='classroomkd_mm.ClassroomDistiller',
    student=_base_.model,
    mentors=dict(
        rtmpose_l=dict(
            config='mmpose::body_2d_keypoint/rtmpose/coco/'
            'rtmpose-l_8xb256-420e_coco-256x192.py',
            checkpoint='https://download.openmmlab.com/mmpose/v1/projects/rtmposev1/'
            'rtmpose-l_simcc-coco_pt-aic-coco_420e-256x192-1352a4d2_20230127.pth'),
        rtmpose_m=dict(
            config='mmpose::body_2d_keypoint/rtmpose/coco/'
            'rtmpose-m_8xb256-420e_coco-256x192.py',
            checkpoint='https://download.openmmlab.com/mmpose/v1/projects/rtmposev1/'
            'rtmpose-m_simcc-coco_pt-aic-coco_420e-256x192-d8dd5ca4_20230127.pth'),
        rtmpose_s=dict(
            config='mmpose::body_2d_keypoint/rtmpose/coco/'
            'rtmpose-s_8xb256-420e_coco-256x192.py',
            checkpoint='https://download.openmmlab.com/mmpose/v1/projects/rtmposev1/'
            'rtmpose-s_simcc-coco_pt-aic-coco_420e-256x192-8edcf0d7_20230127.pth'),
    ),
    policy=dict(type='KnowledgeFilter'),
    mentoring=dict(type='MentoringLoss', tau=12.0, loss_weight=1.0))
