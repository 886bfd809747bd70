# ClassroomKD on ImageNet-1k (mmpretrain's ImageNet dataset, 224x224): a
# ResNet-18 student with a classroom of ResNet-101, ResNet-50 and ResNet-34,
# all from the mmpretrain model zoo (77.97, 76.55, 73.62 top-1). tau in 4..8
# as in the authors' ImageNet recipes; the schedule is mmpretrain's ResNet
# recipe (SGD, lr 0.1 for 256 images, steps at 30/60/90, 100 epochs).
_base_ = [
    'mmpretrain::resnet/resnet18_8xb32_in1k.py',
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
        r101=dict(
            config='mmpretrain::resnet/resnet101_8xb32_in1k.py',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet101_8xb32_in1k_20210831-539c63f8.pth'),
        r50=dict(
            config='mmpretrain::resnet/resnet50_8xb32_in1k.py',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet50_8xb32_in1k_20210831-ea4938fc.pth'),
        r34=dict(
            config='mmpretrain::resnet/resnet34_8xb32_in1k.py',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet34_8xb32_in1k_20210831-f257d4e6.pth'),
    ),
    policy=dict(
        type='KnowledgeFilter', granularity='sample', weight_norm='active'),
    mentoring=dict(type='MentoringLoss', tau=4.0, loss_weight=1.0),
)
