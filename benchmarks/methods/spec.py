"""A benchmark spec: what to train, which methods to compare, which seeds.

A spec is an MMEngine config file (see ``configs/benchmarks/``) with::

    name = 'digits'                       # names the work dir and the report
    work_dir = 'work_dirs/benchmarks/digits'
    prepare_data = dict(func='pkg.module:function', kwargs=dict(...))  # opt.
    student = '<student config>'          # the host's own config
    metric = 'accuracy/top1'              # key of the host metric to report
    score_scale = 1                       # opt.: e.g. 100 for a metric in
                                          # [0, 1] (CocoMetric's AP)
    trainings = dict(                     # mentor trainings, each run once
        r18c16=dict(config='<mentor config>', seed=0, options={}))
    mentors = dict(                       # the classroom: snapshots of
        strong=dict(training='r18c16', epoch=10),   # trainings, or
        zoo=dict(config='mmpretrain::...', checkpoint='https://...'),
                                          # pretrained mentors, or
        movenet=dict(model=dict(type='classroomkd_mm.FileMentor', ...)),
                                          # a mentor given as a model file
        feet=dict(training='feet23', epoch=10,    # a pose mentor with
                  keypoint_mapping=[(0, 0), ...]))  # another keypoint set
    standard_methods = dict(              # opt.: the shared method table
        classroom=['strong', ...],        # (standard_methods.py), plus
        baseline_mentoring=dict(base_temperature=4.0),  # `methods`
        classroomkd_mentoring=dict(tau=4.0), ablation_seeds=[0, 1, 2])
    methods = dict(                       # method -> distiller settings
        nokd=dict(mentors=[]),
        kd=dict(mentors='best', policy=dict(type='SingleMentorKD'),
                mentoring=dict(base_temperature=4.0)),
        classroomkd=dict(mentors='all', policy=dict(type='KnowledgeFilter'),
                         mentoring=dict(tau=4.0), group='main'))
    seeds = [0, 1, 2, 3, 4]
    student_options = dict(...)           # cfg options for every student run
    num_threads = 1                       # optional: torch CPU threads

A method may set ``seeds`` (a subset, or other seeds) to run fewer seeds
than the spec, e.g. for ablations, and ``distiller_options`` (further
arguments of ClassroomDistiller, e.g. ``dict(mentor_skipping=dict(
margin=1.0))``).

A method may instead name a host's own one-teacher distiller, run from the
host's code as the host configures it, e.g. mmpose's DWPose::

    dwpose=dict(mentors='best', distiller=dict(
        type='DWPoseDistiller', distill_cfg=[...]))  # mmpose's own settings

Its ``teacher_cfg``, ``teacher_pretrained``, ``student_cfg`` and
``data_preprocessor`` are filled in from the mentor and the student.

A classroom mentor may carry ``keypoint_mapping=[(mentor_index,
student_index), ...]`` (a pose mentor with another keypoint set; see
docs/heterogeneous_classroom.md): it goes with the mentor into every
method's distiller. Mentors of other head families and input sizes need
nothing: the distiller bridges them.

``mentors`` of a method is a list of classroom names, ``'all'`` or
``'best'`` (the snapshot with the highest ``metric``). ``group`` puts
methods into separate tables (ablations); default ``'main'``.
"""
import importlib
from dataclasses import dataclass, field
from typing import Dict, List, Union

from mmengine.config import Config

from .standard_methods import standard_methods

REQUIRED = ('name', 'student', 'metric', 'trainings', 'mentors', 'seeds')
METHOD_KEYS = {'mentors', 'policy', 'mentoring', 'adapter', 'group',
               'options', 'seeds', 'distiller', 'distiller_options'}


@dataclass
class BenchmarkSpec:
    name: str
    student: str
    metric: str
    trainings: Dict[str, dict]
    mentors: Dict[str, dict]
    methods: Dict[str, dict]
    seeds: List[int]
    work_dir: str
    prepare_data: dict = None
    student_options: dict = field(default_factory=dict)
    num_threads: int = None
    score_scale: float = 1.0
    source: str = None

    def method_mentors(self, method: str,
                       mentor_scores: Dict[str, float]) -> List[str]:
        """The classroom names a method distils from."""
        chosen: Union[str, List[str]] = self.methods[method].get(
            'mentors', 'all')
        if chosen == 'all':
            return list(self.mentors)
        if chosen == 'best':
            return [max(self.mentors, key=lambda m: mentor_scores[m])]
        return list(chosen)

    def method_seeds(self, method: str) -> List[int]:
        """The seeds a method runs: its own ``seeds`` or the spec's."""
        return [int(s) for s in self.methods[method].get('seeds',
                                                         self.seeds)]

    def run_prepare_data(self):
        if not self.prepare_data:
            return None
        module, _, func = self.prepare_data['func'].partition(':')
        return getattr(importlib.import_module(module),
                       func)(**self.prepare_data.get('kwargs', {}))


def _fail(source, message):
    raise ValueError(f'Benchmark spec {source}: {message}')


def load_spec(path: str, **overrides) -> BenchmarkSpec:
    """Read and check a spec file; ``overrides`` (e.g. ``seeds``) win."""
    cfg = Config.fromfile(path).to_dict()
    cfg.update({k: v for k, v in overrides.items() if v is not None})
    missing = [k for k in REQUIRED if k not in cfg]
    if 'methods' not in cfg and 'standard_methods' not in cfg:
        missing.append('methods')
    if missing:
        _fail(path, f'missing {missing}; see benchmarks/methods/'
              'spec.py for the format.')
    if cfg.get('standard_methods'):
        try:
            standard = standard_methods(**cfg['standard_methods'])
        except (TypeError, ValueError) as error:
            _fail(path, f'standard_methods: {error}; see benchmarks/'
                  'methods/standard_methods.py.')
        cfg['methods'] = {**standard, **cfg.get('methods', {})}
    for name, mentor in cfg['mentors'].items():
        mapping = mentor.get('keypoint_mapping')
        if mapping is not None and (
                isinstance(mapping, str) or not all(
                    isinstance(pair, (list, tuple)) and len(pair) == 2
                    for pair in mapping)):
            _fail(path, f'mentor {name!r}: keypoint_mapping must be a list '
                  'of (mentor_index, student_index) pairs, got '
                  f'{mapping!r}.')
        if 'model' in mentor:
            extra = set(mentor) - {'model', 'keypoint_mapping'}
            if extra or not isinstance(mentor['model'], dict) or \
                    'type' not in mentor['model']:
                _fail(path, f'mentor {name!r}: a mentor given as a model '
                      'file is dict(model=dict(type=\'classroomkd_mm.'
                      'FileMentor\', file=..., ...)) (and a keypoint_mapping)'
                      f', without {sorted(extra)}.')
            continue
        if 'config' in mentor or 'checkpoint' in mentor:
            if not (mentor.get('config') and mentor.get('checkpoint')) or \
                    'training' in mentor:
                _fail(path, f'mentor {name!r}: a pretrained mentor needs '
                      'both `config` and `checkpoint` (file or URL) and no '
                      '`training`.')
            continue
        if mentor.get('training') not in cfg['trainings']:
            _fail(path, f'mentor {name!r} names training '
                  f'{mentor.get("training")!r}, which is not in trainings '
                  f'{sorted(cfg["trainings"])}; or give a pretrained mentor '
                  'as dict(config=..., checkpoint=...).')
        if not isinstance(mentor.get('epoch'), int):
            _fail(path, f'mentor {name!r} needs an int `epoch` (the '
                  'snapshot of its training to use).')
    for method, settings in cfg['methods'].items():
        unknown = set(settings) - METHOD_KEYS
        if unknown:
            _fail(path, f'method {method!r} has unknown keys '
                  f'{sorted(unknown)}; allowed: {sorted(METHOD_KEYS)}.')
        chosen = settings.get('mentors', 'all')
        if isinstance(chosen, str):
            if chosen not in ('all', 'best'):
                _fail(path, f'method {method!r}: mentors={chosen!r} must be '
                      "a list of classroom names, 'all' or 'best'.")
        else:
            bad = [m for m in chosen if m not in cfg['mentors']]
            if bad:
                _fail(path, f'method {method!r} names mentors {bad} that '
                      f'are not in the classroom {sorted(cfg["mentors"])}.')
    known = {f.name for f in BenchmarkSpec.__dataclass_fields__.values()}
    extra = {k: v for k, v in cfg.items() if k in known}
    extra.setdefault('work_dir', f'work_dirs/benchmarks/{cfg["name"]}')
    extra['seeds'] = [int(s) for s in extra['seeds']]
    return BenchmarkSpec(source=path, **extra)
