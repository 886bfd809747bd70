# ClassroomKD on the bundled MPII sample: the ResNet-18/16 student of
# ./td-hm_res18-c16_1xb5-300it_mpii-sample-64x64.py learns from a wider
# ResNet-18 and a MobileNetV2 mentor. tools/demo/coco_demo.py trains the
# mentors first and sets their checkpoints
# (model.mentors.<name>.checkpoint).
_base_ = ['./td-hm_res18-c16_1xb5-300it_mpii-sample-64x64.py']

custom_imports = dict(imports=['classroomkd_mm'], allow_failed_imports=False)

student = _base_.model
model = dict(
    _delete_=True,
    type='classroomkd_mm.ClassroomDistiller',
    student=student,
    mentors=dict(
        res18_c32=dict(
            model=dict(
                student,
                backbone=dict(student.backbone, base_channels=32),
                head=dict(student.head, in_channels=128)),
            checkpoint='work_dirs/mpii_sample/mentor_res18_c32/'
            'iter_300.pth'),
        mbv2_050=dict(
            model=dict(
                student,
                backbone=dict(
                    type='MobileNetV2', widen_factor=0.5, out_indices=(4, )),
                head=dict(student.head, in_channels=48)),
            checkpoint='work_dirs/mpii_sample/mentor_mbv2_050/'
            'iter_300.pth'),
    ),
    policy=dict(type='KnowledgeFilter'),
    mentoring=dict(type='MentoringLoss', tau=12.0, loss_weight=1.0))
