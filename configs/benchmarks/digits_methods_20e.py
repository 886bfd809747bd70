# Check of the digits benchmark's reading on the student config's own
# 20-epoch schedule (the main spec cuts it to 10 for cost), 10 seeds, the
# main methods (EBKD left out: last on every schedule) and the two
# investigation leads only:
#   python tools/benchmark_methods.py configs/benchmarks/digits_methods_20e.py \
#       --workers 2 --methods nokd kd aver camkd dgkd classroomkd \
#       classroomkd_nocw kf_only_nocw
_base_ = ['./digits_methods.py']
name = 'digits_20e'
work_dir = 'work_dirs/benchmarks/digits_20e'
seeds = list(range(10))
student_options = {'train_cfg.max_epochs': 20, 'param_scheduler.T_max': 20}
