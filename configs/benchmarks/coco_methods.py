# Paper-scale method benchmark on COCO keypoints (needs COCO 2017 and GPUs;
# the CPU-sized pose spec is pose_synthetic_methods.py):
#   python tools/benchmark_methods.py configs/benchmarks/coco_methods.py
#
# Student: SimpleBaseline ResNet-18 (ImageNet init) with mmpose's 210-epoch
# 256x192 recipe, as in ../pose/coco/classroomkd_res18-from-hrnet-w48-w32-
# res50_8xb64-210e_coco-256x192.py. Classroom: five mmpose model-zoo
# mentors, none trained by the tool (val2017 AP as mmpose reports them):
# HRNet-W48 75.6, HRNet-W32 74.6, ResNet-101 72.8, ResNet-50 71.8,
# MobileNetV2 64.8. Not run here: this machine has no GPU and no COCO.
name = 'coco'
work_dir = 'work_dirs/benchmarks/coco'
_mmpose = 'mmpose::body_2d_keypoint/topdown_heatmap/coco/'
_zoo = ('https://download.openmmlab.com/mmpose/v1/body_2d_keypoint/'
        'topdown_heatmap/coco/')
student = _mmpose + 'td-hm_res50_8xb64-210e_coco-256x192.py'
metric = 'coco/AP'
score_scale = 100
seeds = [0, 1, 2]
student_options = {
    'model.backbone': dict(type='ResNet', depth=18, init_cfg=dict(
        type='Pretrained', checkpoint='torchvision://resnet18')),
    'model.head.in_channels': 512,
}
trainings = dict()
mentors = dict(
    hrnet_w48=dict(
        config=_mmpose + 'td-hm_hrnet-w48_8xb32-210e_coco-256x192.py',
        checkpoint=_zoo + 'td-hm_hrnet-w48_8xb32-210e_coco-256x192-'
        '0e67c616_20220913.pth'),
    hrnet_w32=dict(
        config=_mmpose + 'td-hm_hrnet-w32_8xb64-210e_coco-256x192.py',
        checkpoint=_zoo + 'td-hm_hrnet-w32_8xb64-210e_coco-256x192-'
        '81c58e40_20220909.pth'),
    res101=dict(
        config=_mmpose + 'td-hm_res101_8xb64-210e_coco-256x192.py',
        checkpoint=_zoo + 'td-hm_res101_8xb64-210e_coco-256x192-'
        '065d3625_20220926.pth'),
    res50=dict(
        config=_mmpose + 'td-hm_res50_8xb64-210e_coco-256x192.py',
        checkpoint=_zoo + 'td-hm_res50_8xb64-210e_coco-256x192-'
        '04af38ce_20220923.pth'),
    mobilenetv2=dict(
        config=_mmpose + 'td-hm_mobilenetv2_8xb64-210e_coco-256x192.py',
        checkpoint=_zoo + 'td-hm_mobilenetv2_8xb64-210e_coco-256x192-'
        '55a04c35_20221016.pth'),
)
# No mentor-quality ablation: the zoo has no COCO mentor weaker than the
# student; add snapshots of your own trainings (see cifar100_methods.py).
_classroom5 = ['hrnet_w48', 'hrnet_w32', 'res101', 'res50', 'mobilenetv2']
# The zoo pose configs' heatmap KL (logit scale 10, lambda 0.01); T = 1 for
# the baselines, T = 1 + 12 * gap for ClassroomKD.
_divergence = dict(type='HeatmapKLDivergence', logit_scale=10.0)
_fixed_t = dict(base_temperature=1.0, loss_weight=0.01,
                divergence=_divergence)
_classroom = dict(tau=12.0, base_temperature=1.0, loss_weight=0.01,
                  divergence=_divergence)
# NoKD, KD, AVER, CA-MKD, EBKD, DGKD, ClassroomKD, the ablations and
# classroom size: benchmarks/methods/standard_methods.py
standard_methods = dict(
    classroom=_classroom5, baseline_mentoring=_fixed_t,
    classroomkd_mentoring=_classroom,)
