# Mentor skipping against the unskipped method, on the digits spec's
# classroom (configs/benchmarks/digits_methods.py): ClassroomKD with the five
# mentors of the main table, with and without `mentor_skipping`, 3 seeds.
#   python tools/benchmark_methods.py configs/benchmarks/digits_skipping.py
# Results and paired differences: docs/benchmarks.md (mentor skipping).
name = 'digits_skipping'
work_dir = 'work_dirs/benchmarks/digits_skipping'
prepare_data = dict(
    func='tools.dataset_converters.digits_folder:write_digits_folder',
    kwargs=dict(root='data/generated/digits'))

_configs = 'configs/classification/digits'
student = f'{_configs}/lenet5_1xb32-20e_digits-30pc.py'
metric = 'accuracy/top1'
seeds = [0, 1, 2]
num_threads = 1
student_options = {
    'train_cfg.max_epochs': 10,
    'param_scheduler.T_max': 10,
    'train_cfg.val_interval': 1000,
    'train_cfg.val_begin': 1000,
    'default_hooks.logger.interval': 1000,
    'default_hooks.checkpoint': dict(
        interval=1000, max_keep_ckpts=1, save_best=None),
}
trainings = dict(
    r18c16=dict(config=f'{_configs}/resnet18-c16_1xb32-10e_digits.py', seed=0),
    r18c8=dict(config=f'{_configs}/resnet18-c8_1xb32-10e_digits.py', seed=0),
)
mentors = dict(
    r18c16=dict(training='r18c16', epoch=10),
    r18c8=dict(training='r18c8', epoch=10),
    r18c8_e6=dict(training='r18c8', epoch=6),
    r18c16_e5=dict(training='r18c16', epoch=5),
    r18c8_e4=dict(training='r18c8', epoch=4),
)
_classroom5 = ['r18c16', 'r18c8', 'r18c8_e6', 'r18c16_e5', 'r18c8_e4']
_kf = dict(type='KnowledgeFilter', granularity='sample', weight_norm='active')
_mentoring = dict(tau=4.0, base_temperature=1.0)   # the spec's ClassroomKD
methods = dict(
    classroomkd=dict(mentors=_classroom5, policy=_kf, mentoring=_mentoring),
    classroomkd_skip=dict(
        mentors=_classroom5, policy=_kf, mentoring=_mentoring,
        distiller_options=dict(
            mentor_skipping=dict(margin=1.0, reprobe_fraction=0.1))),
)
