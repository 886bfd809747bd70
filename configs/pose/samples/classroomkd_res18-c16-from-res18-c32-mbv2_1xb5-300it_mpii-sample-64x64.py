# ClassroomKD on the bundled MPII sample: the ResNet-18/16 student of
# ./td-hm_res18-c16_1xb5-300it_mpii-sample-64x64.py learns from a wider
# ResNet-18 and a MobileNetV2 mentor. tools/demo/coco_demo.py trains the
# mentors first and sets their checkpoints
# (model.mentors.<name>.checkpoint).
_base_ = ['./td-hm_res18-c16_1xb5-300it_mpii-sample-64x64.py']

custom_imports = dict(imports=['classroomkd_mm'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='classroomkd_mm.ClassroomDistiller',
    student=_base_.model,
    mentors=dict(
        res18_c32=dict(
            model=dict(
                _base_.model,
                backbone=dict(_base_.model.backbone, base_channels=32),
                head=dict(_base_.model.head, in_channels=128)),
            checkpoint='work_dirs/mpii_sample/mentor_res18_c32/'
            'iter_300.pth'),
        mbv2_050=dict(
            model=dict(
                _base_.model,
                backbone=dict(
                    type='MobileNetV2', widen_factor=0.5, out_indices=(4, )),
                head=dict(_base_.model.head, in_channels=48)),
            checkpoint='work_dirs/mpii_sample/mentor_mbv2_050/'
            'iter_300.pth'),
    ),
    policy=dict(type='KnowledgeFilter'),
    # Spatial softmax of s * heatmap / T with s = 10: at s = 1 the softmax
    # of [0, 1] heatmaps is nearly uniform for every T, so the mentors'
    # temperatures change nothing. On the COCO sample (150 iterations,
    # seeds 0/1/2) s = 10 with lambda = 0.01 gave AP 36.8/34.1/39.2 against
    # 27.5/30.2/31.9 for s = 1, lambda = 1 and 27.9/25.5/31.2 for NoKD.
    mentoring=dict(
        type='MentoringLoss',
        tau=12.0,
        loss_weight=0.01,
        divergence=dict(type='HeatmapKLDivergence', logit_scale=10.0)))
