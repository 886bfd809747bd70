# Scarce labels on REAL COCO people, with a pretrained mentor:
#   OMP_NUM_THREADS=1 .venv/bin/python tools/benchmark_methods.py \
#       configs/benchmarks/coco_mini_scarce_labels.py --workers 1
# (another draw of the labelled set: coco_mini_scarce_labels_draw1.py).
#
# Data: COCO-MINI as in ./coco_mini_methods.py, but the student keeps the
# keypoint labels of only 20 of its 86 train2017 people (a seeded draw,
# classroomkd_mm.CocoPeopleDataset(labelled_people=20)); the other 66 and the
# 81 box-only people are unlabelled samples (box_only_people='unlabelled'):
# the mentors teach them, the task loss skips them. Scored by PCKAccuracy at
# 0.2 of the box on the 68 held-out val2017 people (CocoMetric's AP kept in
# results.json).
# Student: ./coco_mini_methods.py's (SimCC ResNet-18/16, 64x48, 30 epochs).
# Classroom: MoveNet SinglePose Lightning (int8 TFLite, pretrained by Google,
# a mentor given as a model file; ../shared/data/models/movenet/) and a SimCC
# ResNet-18/32 peer trained here from scratch on the same 20 labelled people
# (120 epochs). KD distils from MoveNet; AVER and ClassroomKD from both;
# ClassroomKD as in the paper (no mentor on an unlabelled sample) and with
# KnowledgeFilter(unlabelled='reliability'); EBKD and DGKD from both (they
# teach unlabelled samples); CA-MKD from both on the labelled samples only
# (its weights need the ground truth). ClassroomKD's measured variants, with
# the reliability rule: without the task-loss confidence weight
# (confidence_weighting=False, `_nocw`), ranking by the decoded keypoint
# distance (SimCCAdapter(error='peak'), `_peak`), and both; and both with
# MoveNet alone in the classroom (`classroomkd_movenet_...`: what KF and the
# gap temperatures do where KD has the one mentor).
# Baseline: MoveNet's keypoints used offline as plain labels of the
# unlabelled people (score >= 0.3; tools/dataset_converters/pseudo_labels.py,
# written once by prepare_data), the student trained on them without
# distillation (`pseudo`).
# Needs the mentor builder to build mentor files (docs/file_mentors.md).
name = 'coco_mini_scarce_labels'
work_dir = 'work_dirs/benchmarks/coco_mini_scarce_labels'
_root = '../shared/data/coco_mini'
_configs = 'configs/pose/coco_mini'
student = f'{_configs}/simcc_res18-c16_1xb16-120e_coco-mini-64x48.py'
metric = 'PCK'
score_scale = 100
seeds = [0, 1, 2, 3, 4]
num_threads = 1
_quiet = {
    'model.test_cfg.flip_test': False,
    'train_cfg.val_interval': 1000,
    'train_cfg.val_begin': 1000,
    'default_hooks.logger.interval': 1000,
    'default_hooks.checkpoint': dict(
        interval=1000, max_keep_ckpts=1, save_best=None),
}
_scarce = {
    'train_dataloader.dataset.type': 'classroomkd_mm.CocoPeopleDataset',
    'train_dataloader.dataset.labelled_people': 20,
    'train_dataloader.dataset.labelled_seed': 0,
}
_pseudo = f'{work_dir}/pseudo_labels.json'
prepare_data = dict(
    func='tools.dataset_converters.pseudo_labels:prepare_scarce_labels',
    kwargs=dict(
        root=_root, out=_pseudo, mentor='movenet',
        config=f'{_configs}/classroomkd_simcc_res18-c16-from-movenet_'
        '1xb16-120e_coco-mini-64x48.py',
        options={**_scarce,
                 'train_dataloader.dataset.box_only_people': 'unlabelled'}))
_student_epochs = 30
student_options = {
    **_quiet, **_scarce,
    'train_dataloader.dataset.box_only_people': 'unlabelled',
    'train_cfg.max_epochs': _student_epochs,
    'param_scheduler.1.T_max': _student_epochs,
    'param_scheduler.1.end': _student_epochs,
}
trainings = dict(
    simcc_r18c32_20=dict(
        config=f'{_configs}/simcc_res18-c32_1xb16-120e_coco-mini-64x48.py',
        seed=0, options={**_quiet, **_scarce}),
)
mentors = dict(
    movenet=dict(model=dict(
        type='classroomkd_mm.FileMentor', preset='movenet_singlepose',
        file='../shared/data/models/movenet/'
        'movenet_singlepose_lightning_int8.tflite')),
    simcc_r18c32_20=dict(training='simcc_r18c32_20', epoch=120),
)
_fixed_t = dict(base_temperature=1.0, loss_weight=1.0)
_classroomkd_t = dict(tau=12.0, base_temperature=1.0, loss_weight=1.0)
methods = dict(
    nokd=dict(mentors=[]),
    kd=dict(mentors=['movenet'], policy=dict(type='SingleMentorKD'),
            mentoring=_fixed_t),
    aver=dict(mentors='all', policy=dict(type='AverageMentors'),
              mentoring=_fixed_t),
    classroomkd=dict(mentors='all', policy=dict(type='KnowledgeFilter'),
                     mentoring=_classroomkd_t),
    pseudo=dict(mentors=[], options={
        'train_dataloader.dataset.labelled_people': None,
        'train_dataloader.dataset.box_only_people': 'drop',
        'train_dataloader.dataset.data_root': '',
        'train_dataloader.dataset.ann_file': _pseudo,
        'train_dataloader.dataset.data_prefix': dict(
            img=f'{_root}/train2017/')}),
    classroomkd_reliability=dict(
        mentors='all',
        policy=dict(type='KnowledgeFilter', unlabelled='reliability'),
        mentoring=_classroomkd_t),
    ebkd=dict(mentors='all', policy=dict(type='EntropyWeighted'),
              mentoring=_fixed_t),
    dgkd=dict(mentors='all', policy=dict(type='RandomMentorDrop', drop_num=1),
              mentoring=_fixed_t),
    camkd=dict(mentors='all', policy=dict(type='CAMKD'),
               mentoring=_fixed_t),
    classroomkd_reliability_nocw=dict(
        mentors='all',
        policy=dict(type='KnowledgeFilter', unlabelled='reliability',
                    confidence_weighting=False),
        mentoring=_classroomkd_t),
    classroomkd_peak_reliability=dict(
        mentors='all', adapter=dict(type='SimCCAdapter', error='peak'),
        policy=dict(type='KnowledgeFilter', unlabelled='reliability'),
        mentoring=_classroomkd_t),
    classroomkd_peak_reliability_nocw=dict(
        mentors='all', adapter=dict(type='SimCCAdapter', error='peak'),
        policy=dict(type='KnowledgeFilter', unlabelled='reliability',
                    confidence_weighting=False),
        mentoring=_classroomkd_t),
    classroomkd_movenet_peak_reliability_nocw=dict(
        mentors=['movenet'], adapter=dict(type='SimCCAdapter', error='peak'),
        policy=dict(type='KnowledgeFilter', unlabelled='reliability',
                    confidence_weighting=False),
        mentoring=_classroomkd_t),
)
