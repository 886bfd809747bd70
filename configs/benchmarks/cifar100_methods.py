# Paper-scale method benchmark on CIFAR-100 (needs the data set and a GPU;
# the CPU-sized specs are digits_methods.py and pose_synthetic_methods.py):
#   python tools/benchmark_methods.py configs/benchmarks/cifar100_methods.py
#
# Student: ResNet-18 with the authors' CIFAR-100 recipe (SGD, batch 64, lr
# 0.05, weight decay 5e-4, decay 0.1 at epochs 150/180/210, 240 epochs), as
# in ../classification/cifar100/classroomkd_resnet18-from-r50-r34-r18_1xb64-
# 240e_cifar100.py. Classroom: ResNet-50 from mmpretrain's model zoo
# (79.90 top-1) and ResNet-34 / ResNet-18 trained by the tool (200 epochs,
# mmpretrain's recipe), with early snapshots of them as weaker mentors.
# Not run here: this machine has no GPU and no CIFAR-100.
name = 'cifar100'
work_dir = 'work_dirs/benchmarks/cifar100'
_configs = 'configs/classification/cifar100'
student = f'{_configs}/resnet18_8xb16-200e_cifar100.py'
metric = 'accuracy/top1'
seeds = [0, 1, 2]
student_options = {
    'train_dataloader.batch_size': 64,
    'optim_wrapper.optimizer': dict(type='SGD', lr=0.05, momentum=0.9,
                                    weight_decay=5e-4),
    'param_scheduler': dict(type='MultiStepLR', by_epoch=True,
                            milestones=[150, 180, 210], gamma=0.1),
    'train_cfg.max_epochs': 240,
    'auto_scale_lr.base_batch_size': 64,
}
trainings = dict(
    r34=dict(config=f'{_configs}/resnet34_8xb16-200e_cifar100.py', seed=0),
    r18=dict(config=f'{_configs}/resnet18_8xb16-200e_cifar100.py', seed=1),
)
mentors = dict(
    r50=dict(config='mmpretrain::resnet/resnet50_8xb16_cifar100.py',
             checkpoint='https://download.openmmlab.com/mmclassification/'
             'v0/resnet/resnet50_b16x8_cifar100_20210528-67b58a1b.pth'),
    r34=dict(training='r34', epoch=200),
    r18=dict(training='r18', epoch=200),
    r34_e20=dict(training='r34', epoch=20),      # weak
    r18_e10=dict(training='r18', epoch=10),      # very weak
    r18_e40=dict(training='r18', epoch=40),      # weak
    r34_e150=dict(training='r34', epoch=150),    # strong (quality abl.)
)
_classroom5 = ['r50', 'r34', 'r18', 'r34_e20', 'r18_e10']
# Fixed T = 4 for the baselines (the usual CIFAR-100 KD setting); the
# authors' tau = 12 for ClassroomKD.
_fixed_t = dict(base_temperature=4.0)
_classroom = dict(tau=12.0, base_temperature=1.0)
# NoKD, KD, AVER, CA-MKD, EBKD, DGKD, ClassroomKD, the ablations and
# classroom size: benchmarks/methods/standard_methods.py
standard_methods = dict(
    classroom=_classroom5, baseline_mentoring=_fixed_t,
    classroomkd_mentoring=_classroom,
    strong=['r50', 'r34', 'r34_e150'], weak=['r18_e40', 'r34_e20', 'r18_e10'])
