# ClassroomKD for SimCC heads: RTMPose-t learns on COCO from RTMPose-l, -m
# and -s (mmpose model zoo), with mmpose's own 420-epoch RTMPose-t recipe.
# The divergence is the KL over the x and y bins at each mentor's
# temperature. The recipe's EMAHook and mmdet.PipelineSwitchHook need mmdet.
_base_ = [
    'mmpose::body_2d_keypoint/rtmpose/coco/'
    'rtmpose-t_8xb256-420e_coco-256x192.py'
]

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
