# ClassroomKD on the bundled COCO sample: the ResNet-18/16 student of
# ./td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py learns from three mentors
# of other widths and backbones. The mentor checkpoints are what
# tools/demo/coco_demo.py trains first; set them with
# --cfg-options model.mentors.<name>.checkpoint=<file>.
_base_ = ['./td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py']

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
            checkpoint='work_dirs/coco_sample/mentor_res18_c32/'
            'iter_300.pth'),
        res18_c16=dict(
            model=_base_.model,
            checkpoint='work_dirs/coco_sample/mentor_res18_c16/'
            'iter_300.pth'),
        mbv2_050=dict(
            model=dict(
                _base_.model,
                backbone=dict(
                    type='MobileNetV2', widen_factor=0.5, out_indices=(4, )),
                head=dict(_base_.model.head, in_channels=48)),
            checkpoint='work_dirs/coco_sample/mentor_mbv2_050/'
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
