# Method benchmark on the real UCI handwritten digits (scikit-learn), CPU-sized.
#   python tools/benchmark_methods.py configs/benchmarks/digits_methods.py
# Classroom: a strong ResNet-18 (width 16), a peer ResNet-18 (width 8) and
# weak snapshots of both taken early in their training.
name = 'digits'
work_dir = 'work_dirs/benchmarks/digits'
prepare_data = dict(
    func='classroomkd_mm.utils.digits_folder:write_digits_folder',
    kwargs=dict(root='data/generated/digits'))

_configs = 'configs/classification/digits'
student = f'{_configs}/lenet5_1xb32-20e_digits.py'
metric = 'accuracy/top1'
seeds = [0, 1, 2, 3, 4]

trainings = dict(
    r18c16=dict(config=f'{_configs}/resnet18-c16_1xb32-10e_digits.py', seed=0),
    r18c8=dict(config=f'{_configs}/resnet18-c8_1xb32-10e_digits.py', seed=0),
)
mentors = dict(
    r18c16=dict(training='r18c16', epoch=10),
    r18c8=dict(training='r18c8', epoch=10),
    r18c8_e2=dict(training='r18c8', epoch=2),
    r18c16_e1=dict(training='r18c16', epoch=1),
)

_fixed_t = dict(base_temperature=4.0)
_classroom = dict(tau=4.0, base_temperature=1.0)
methods = dict(
    nokd=dict(mentors=[]),
    kd=dict(mentors='best', policy=dict(type='SingleMentorKD'),
            mentoring=_fixed_t),
    aver=dict(policy=dict(type='AverageMentors'), mentoring=_fixed_t),
    camkd=dict(policy=dict(type='CAMKD'), mentoring=_fixed_t),
    ebkd=dict(policy=dict(type='EntropyWeighted'), mentoring=_fixed_t),
    dgkd=dict(policy=dict(type='RandomMentorDrop', drop_num=1),
              mentoring=_fixed_t),
    classroomkd=dict(
        policy=dict(type='KnowledgeFilter', granularity='sample',
                    weight_norm='active'),
        mentoring=_classroom),
    # ablations
    kf_only=dict(group='ablations', policy=dict(type='KFOnly'),
                 mentoring=_fixed_t),
    mentoring_only=dict(group='ablations',
                        policy=dict(type='MentoringOnly'),
                        mentoring=_classroom),
    classroomkd_batch=dict(
        group='ablations',
        policy=dict(type='KnowledgeFilter', granularity='batch',
                    weight_norm='active'),
        mentoring=_classroom),
    classroomkd_none=dict(
        group='ablations',
        policy=dict(type='KnowledgeFilter', weight_norm='none'),
        mentoring=_classroom),
    # mentor quality: all weak / all strong
    classroomkd_weak=dict(group='mentor quality',
                          mentors=['r18c8_e2', 'r18c16_e1'],
                          mentoring=_classroom),
    classroomkd_strong=dict(group='mentor quality',
                            mentors=['r18c16', 'r18c8'],
                            mentoring=_classroom),
)
