# A two-minute check of the benchmark machinery (not a benchmark): the digits
# spec with LeNet-5 mentors trained for 2 epochs, 1-epoch students, 2 seeds.
#   python tools/benchmark_methods.py configs/benchmarks/digits_smoke.py \
#       --methods nokd kd classroomkd kf_only classroomkd_weak
_base_ = ['./digits_methods.py']
name = 'digits_smoke'
work_dir = 'work_dirs/benchmarks/digits_smoke'
seeds = [0, 1]
_short = {'train_cfg.max_epochs': 1, 'train_cfg.val_interval': 1,
          'param_scheduler.T_max': 1}
student_options = _short
_lenet = 'configs/classification/digits/lenet5_1xb32-20e_digits-30pc.py'
_mentor = {'train_cfg.max_epochs': 2, 'train_cfg.val_interval': 2,
           'param_scheduler.T_max': 2}
trainings = dict(
    r18c16=dict(_delete_=True, config=_lenet, seed=0, options=_mentor),
    r18c8=dict(_delete_=True, config=_lenet, seed=1, options=_mentor),
)
mentors = dict(r18c16=dict(epoch=2), r18c8=dict(epoch=2),
               r18c8_e6=dict(epoch=1), r18c16_e5=dict(epoch=1),
               r18c8_e4=dict(epoch=1), r18c16_e8=dict(epoch=2))
# the ablations run the smoke's two seeds too
standard_methods = dict(ablation_seeds=[0, 1])
methods = {m: dict(seeds=[0, 1]) for m in (
    'classroomkd_none', 'aver_weak', 'kf_only_nocw_weak', 'classroomkd_t4',
    'classroomkd_nocw_t4', 'classroomkd_tau12')}
