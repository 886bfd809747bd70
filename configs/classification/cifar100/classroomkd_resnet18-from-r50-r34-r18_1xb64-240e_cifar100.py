# ClassroomKD on CIFAR-100 (32x32, mmpretrain's CIFAR100 dataset): a ResNet-18
# student with a classroom of a larger teacher and peers of different strength,
# tau = 12 and the schedule of the authors' CIFAR-100 recipe (SGD, batch 64,
# lr 0.05, decay 0.1 at epochs 150/180/210, 240 epochs, weight decay 5e-4).
#
# Mentors:
#   r50  ResNet-50, mmpretrain model zoo (79.90 top-1), downloaded by URL;
#   r34  ResNet-34, not in the zoo: train it first with
#        python tools/train.py configs/classification/cifar100/resnet34_8xb16-200e_cifar100.py
#   r18  ResNet-18 peer (same size as the student, another seed): train it with
#        python tools/train.py configs/classification/cifar100/resnet18_8xb16-200e_cifar100.py
# All share the student's CIFAR-100 normalisation (checked at build time).
_base_ = ['./resnet18_8xb16-200e_cifar100.py']
custom_imports = dict(imports=['classroomkd_mm'], allow_failed_imports=False)

model = dict(
    _delete_=True,
    type='classroomkd_mm.ClassroomDistiller',
    student=_base_.model,
    mentors=dict(
        r50=dict(
            config='mmpretrain::resnet/resnet50_8xb16_cifar100.py',
            checkpoint='https://download.openmmlab.com/mmclassification/v0/'
            'resnet/resnet50_b16x8_cifar100_20210528-67b58a1b.pth'),
        r34=dict(
            config='configs/classification/cifar100/'
            'resnet34_8xb16-200e_cifar100.py',
            checkpoint='work_dirs/resnet34_8xb16-200e_cifar100/epoch_200.pth'),
        r18=dict(
            config='configs/classification/cifar100/'
            'resnet18_8xb16-200e_cifar100.py',
            checkpoint='work_dirs/resnet18_8xb16-200e_cifar100/epoch_200.pth'),
    ),
    policy=dict(
        type='KnowledgeFilter', granularity='sample', weight_norm='active'),
    mentoring=dict(type='MentoringLoss', tau=12.0, loss_weight=1.0),
)

train_dataloader = dict(batch_size=64)
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=5e-4))
param_scheduler = dict(
    _delete_=True,
    type='MultiStepLR',
    by_epoch=True,
    milestones=[150, 180, 210],
    gamma=0.1)
train_cfg = dict(max_epochs=240)
auto_scale_lr = dict(base_batch_size=64)
