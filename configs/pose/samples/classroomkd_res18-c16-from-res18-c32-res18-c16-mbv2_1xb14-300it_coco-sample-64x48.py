# ClassroomKD on the bundled COCO sample: the ResNet-18/16 student of
# ./td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py learns from three mentors
# of other widths and backbones. The mentor checkpoints are what
# tools/demo/coco_demo.py trains first; set them with
# --cfg-options model.mentors.<name>.checkpoint=<file>.
_base_ = ['./td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py']

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
            checkpoint='work_dirs/coco_sample/mentor_res18_c32/'
            'iter_300.pth'),
        res18_c16=dict(
            model=student,
            checkpoint='work_dirs/coco_sample/mentor_res18_c16/'
            'iter_300.pth'),
        mbv2_050=dict(
            model=dict(
                student,
                backbone=dict(
                    type='MobileNetV2', widen_factor=0.5, out_indices=(4, )),
                head=dict(student.head, in_channels=48)),
            checkpoint='work_dirs/coco_sample/mentor_mbv2_050/'
            'iter_300.pth'),
    ),
    policy=dict(type='KnowledgeFilter'),
    mentoring=dict(type='MentoringLoss', tau=12.0, loss_weight=1.0))
