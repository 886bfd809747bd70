"""Training and evaluating through MMEngine's Runner
(``classroomkd_mm.apis.train_and_test``), with results cached on disk so
that an interrupted benchmark resumes where it stopped: a finished run is
read back, an interrupted one resumes from its last checkpoint."""
import contextlib
import copy
import fcntl
import json
import os
import os.path as osp
import resource
import time
from typing import Dict, List, Optional

from mmengine.config import Config

from classroomkd_mm.apis import train_and_test
from classroomkd_mm.hooks import (DiagnosticsRecorder, SnapshotExporter,
                                  snapshot_path)
from classroomkd_mm.utils.config_files import load_config

from .spec import BenchmarkSpec

DISTILLER = 'classroomkd_mm.ClassroomDistiller'


def read_json(path: str) -> Optional[dict]:
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def write_json(path: str, data) -> None:
    """Write atomically: a half-written file never looks like a result."""
    os.makedirs(osp.dirname(path) or '.', exist_ok=True)
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f, indent=1)
    os.replace(path + '.tmp', path)


def as_floats(metrics: dict) -> Dict[str, float]:
    """The test metrics as plain floats (for JSON)."""
    return {k: float(v) for k, v in metrics.items()}


def _with_options(path: str, options: Optional[dict]) -> Config:
    cfg = load_config(path)
    if options:
        cfg.merge_from_dict(options)
    return cfg


# ---- the classroom -------------------------------------------------------
def classroom_dir(spec: BenchmarkSpec) -> str:
    return osp.join(spec.work_dir, 'classroom')


def mentor_checkpoint(spec: BenchmarkSpec, mentor: str) -> str:
    """A pretrained mentor's own checkpoint (file or URL), or the snapshot
    of its training."""
    m = spec.mentors[mentor]
    if 'model' in m:  # a model file: the file is the mentor
        return m['model'].get('file')
    if 'checkpoint' in m:
        return m['checkpoint']
    return snapshot_path(osp.join(classroom_dir(spec), m['training']),
                         m['epoch'])


def mentor_config(spec: BenchmarkSpec, mentor: str) -> str:
    """A pretrained mentor's own config (``pkg::`` paths allowed), or the
    config of its training."""
    m = spec.mentors[mentor]
    if 'model' in m:
        raise ValueError(f'Mentor {mentor!r} is a model file: it has no '
                         'config (its entry is dict(model=...)).')
    if 'config' in m:
        return m['config']
    return training_config(spec, m['training'])


def training_config(spec: BenchmarkSpec, training: str) -> str:
    """The config file of a mentor training: the spec's file, or, when the
    spec adds ``options``, that file with the options merged, written once
    into the classroom dir (mentors are rebuilt from it)."""
    settings = spec.trainings[training]
    if not settings.get('options'):
        return settings['config']
    path = osp.join(classroom_dir(spec), training, 'mentor_config.py')
    if not osp.isfile(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
        temporary = f'{path}.{os.getpid()}.py'
        _with_options(settings['config'], settings['options']).dump(
            temporary)
        os.replace(temporary, path)
    return path


@contextlib.contextmanager
def claim(work_dir: str, wait: bool = True):
    """Hold an exclusive lock on a mentor training or a run, so that
    benchmark processes started side by side share the work: each training
    and each run is done once. Yields False (without the lock) when ``wait``
    is False and another process holds it."""
    os.makedirs(work_dir, exist_ok=True)
    with open(osp.join(work_dir, '.claim.lock'), 'w') as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def classroom_needed(spec: BenchmarkSpec, methods: List[str]) -> List[str]:
    """The classroom mentors that ``methods`` distil from (every mentor if
    one of them picks the ``'best'``, which needs all scores)."""
    needed = set()
    for method in methods:
        chosen = spec.methods[method].get('mentors', 'all')
        if chosen in ('all', 'best'):
            return list(spec.mentors)
        needed.update(chosen)
    return [m for m in spec.mentors if m in needed]


def train_classroom(spec: BenchmarkSpec, progress=print,
                    mentors: Optional[List[str]] = None) -> Dict[str, float]:
    """Train every mentor training once (kept on disk: a second call skips
    it), evaluate every snapshot of the classroom with the host metric once,
    and return ``{mentor: metric}``. With ``mentors``, only those are
    trained and scored (a NoKD-only call trains nothing)."""
    mentors = list(spec.mentors) if mentors is None else mentors
    pending = {}
    for training in spec.trainings:
        epochs = [spec.mentors[m]['epoch'] for m in mentors
                  if spec.mentors[m].get('training') == training]
        if epochs:
            pending[training] = epochs
    # Train what no other process is training; wait for the rest.
    while pending:
        for wait in (False, True):
            done = [t for t in pending
                    if _train_mentor(spec, t, pending[t], wait, progress)]
            if done:
                break
        for training in done:
            del pending[training]

    scores_path = osp.join(classroom_dir(spec), 'scores.json')
    scores = read_json(scores_path) or {}
    for mentor in mentors:
        key = f'{mentor}:{mentor_checkpoint(spec, mentor)}'
        if key in scores:
            continue
        progress(f'evaluating mentor {mentor!r}')
        if 'model' in spec.mentors[mentor]:
            metrics = as_floats(_evaluate_file_mentor(spec, mentor))
        else:
            cfg = load_config(mentor_config(spec, mentor))
            metrics = as_floats(train_and_test(
                cfg, osp.join(classroom_dir(spec), '_eval'), seed=0,
                train=False, load_from=mentor_checkpoint(spec, mentor),
                log_level='WARNING'))
        # re-read: another process may have scored other mentors meanwhile
        scores = {**(read_json(scores_path) or {}), key: metrics}
        write_json(scores_path, scores)
    return {m: scores[f'{m}:{mentor_checkpoint(spec, m)}'][spec.metric] *
            spec.score_scale for m in mentors}


def _evaluate_file_mentor(spec: BenchmarkSpec, mentor: str) -> dict:
    """A mentor given as a model file, scored through its bridge into the
    student's output space (:func:`classroomkd_mm.apis.evaluate_mentor`)."""
    from classroomkd_mm.apis import evaluate_mentor
    cfg = _with_options(spec.student, spec.student_options)
    cfg.model = dict(type=DISTILLER, student=cfg.model,
                     mentors={mentor: _mentor_entry(spec, mentor)})
    return evaluate_mentor(cfg, mentor,
                           osp.join(classroom_dir(spec), '_eval'))


def _mentor_entry(spec: BenchmarkSpec, name: str) -> dict:
    """Mentor ``name``'s entry in a distiller's ``mentors``."""
    if 'model' in spec.mentors[name]:
        entry = dict(model=copy.deepcopy(spec.mentors[name]['model']))
    else:
        entry = dict(config=mentor_config(spec, name),
                     checkpoint=mentor_checkpoint(spec, name))
    mapping = spec.mentors[name].get('keypoint_mapping')
    if mapping is not None:
        entry['keypoint_mapping'] = [(int(m), int(s)) for m, s in mapping]
    return entry


def _train_mentor(spec: BenchmarkSpec, training: str, epochs: List[int],
                  wait: bool, progress) -> bool:
    """Make sure the snapshots ``epochs`` of ``training`` exist, training it
    if needed; False if another process holds it and ``wait`` is False."""
    work_dir = osp.join(classroom_dir(spec), training)
    needed = [snapshot_path(work_dir, e) for e in epochs]
    if all(osp.isfile(p) for p in needed):
        return True
    with claim(work_dir, wait) as locked:
        if not locked:
            return False
        # another process may have trained it while this one waited
        if all(osp.isfile(p) for p in needed):
            return True
        progress(f'training mentor {training!r}')
        cfg = load_config(training_config(spec, training))
        train_and_test(cfg, work_dir,
                       seed=spec.trainings[training].get('seed', 0),
                       resume=True, hooks=[SnapshotExporter(epochs)],
                       log_level='WARNING')
    missing = [p for p in needed if not osp.isfile(p)]
    if missing:
        raise RuntimeError(
            f'Mentor training {training!r} finished without {missing}; '
            'is the snapshot epoch beyond its max_epochs?')
    return True


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# ---- one method, one seed ------------------------------------------------
def method_config(spec: BenchmarkSpec, method: str,
                  mentors: List[str]) -> Config:
    """The student config turned into a ClassroomDistiller config, or, for
    a method with a ``distiller``, into that host distiller's config."""
    settings = spec.methods[method]
    cfg = _with_options(spec.student, spec.student_options)
    cfg.merge_from_dict(settings.get('options') or {})
    if settings.get('distiller'):
        return _host_distiller_config(spec, method, mentors, cfg)
    student = cfg.model
    mentor_cfgs = {name: _mentor_entry(spec, name) for name in mentors}
    model = dict(type=DISTILLER, student=student, mentors=mentor_cfgs)
    if mentors:
        model['policy'] = settings.get('policy',
                                       dict(type='KnowledgeFilter'))
        model['mentoring'] = dict(type='MentoringLoss',
                                  **settings.get('mentoring', {}))
        if settings.get('adapter'):
            model['adapter'] = settings['adapter']
        model.update(settings.get('distiller_options') or {})
    cfg.model = model
    cfg.custom_imports = dict(imports=['classroomkd_mm'],
                              allow_failed_imports=False)
    return cfg


def _host_distiller_config(spec: BenchmarkSpec, method: str,
                           mentors: List[str], cfg: Config) -> Config:
    """A host's own one-teacher distiller (mmpose's ``DWPoseDistiller``),
    built from config files as the host configures it: ``teacher_cfg`` is
    the mentor's config, ``teacher_pretrained`` its checkpoint and
    ``student_cfg`` the student config with the run's options, written once
    into the method's folder."""
    if len(mentors) != 1:
        raise ValueError(
            f'Benchmark method {method!r}: its distiller takes one teacher, '
            f'not {mentors}; set mentors=\'best\' or one classroom name.')
    path = osp.join(spec.work_dir, 'runs', method, 'student_config.py')
    if not osp.isfile(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
        temporary = f'{path}.{os.getpid()}.py'
        cfg.dump(temporary)
        os.replace(temporary, path)
    cfg.model = dict(
        spec.methods[method]['distiller'],
        teacher_cfg=mentor_config(spec, mentors[0]),
        teacher_pretrained=mentor_checkpoint(spec, mentors[0]),
        student_cfg=path,
        data_preprocessor=cfg.model.data_preprocessor)
    cfg.custom_imports = dict(imports=['classroomkd_mm'],
                              allow_failed_imports=False)
    return cfg


def run_path(spec: BenchmarkSpec, method: str, seed: int) -> str:
    return osp.join(spec.work_dir, 'runs', method, f'seed_{seed}')


def run_method(spec: BenchmarkSpec, method: str, seed: int,
               mentor_scores: Dict[str, float],
               wait: bool = True) -> Optional[dict]:
    """Distil the student with one method and seed, or read the result of a
    run that finished before. If another process is doing this run, wait
    for its result, or return None at once when ``wait`` is False."""
    work_dir = run_path(spec, method, seed)
    result_path = osp.join(work_dir, 'result.json')
    done = read_json(result_path)
    if done is not None:
        return done
    with claim(work_dir, wait) as claimed:
        if not claimed:
            return None
        return read_json(result_path) or _run_method(
            spec, method, seed, mentor_scores, work_dir, result_path)


def _run_method(spec, method, seed, mentor_scores, work_dir,
                result_path) -> dict:
    mentors = spec.method_mentors(method, mentor_scores)
    cfg = method_config(spec, method, mentors)
    recorder = DiagnosticsRecorder()
    start, cpu_start = time.time(), _cpu_seconds()
    metrics = as_floats(train_and_test(cfg, work_dir, seed=seed, resume=True,
                                    hooks=[recorder], log_level='WARNING'))
    result = dict(
        method=method,
        group=spec.methods[method].get('group', 'main'),
        seed=seed,
        mentors=mentors,
        policy=cfg.model.get('policy'),
        mentoring=cfg.model.get('mentoring'),
        metric=spec.metric,
        score=metrics[spec.metric] * spec.score_scale,
        metrics=metrics,
        diagnostics=recorder.as_dict(),
        seconds=round(time.time() - start, 1),
        # CPU time of this process (all threads): unlike wall time it does
        # not grow when other jobs share the cores.
        cpu_seconds=round(_cpu_seconds() - cpu_start, 1))
    write_json(result_path, result)
    return result
