"""Train and test one config through MMEngine's Runner, in-process."""
import os.path as osp
import time
from typing import Iterable, Optional

from mmengine.config import Config

from classroomkd_mm.utils.student_weights import load_student_for_evaluation
from .runner_config import is_distiller_config, prepare_runner_config


def train_and_test(cfg: Config,
                   work_dir: Optional[str] = None,
                   seed: Optional[int] = None,
                   train: bool = True,
                   resume: bool = False,
                   load_from: Optional[str] = None,
                   hooks: Iterable = (),
                   log_level: Optional[str] = None) -> dict:
    """Train ``cfg`` with ``Runner.train()`` (unless ``train`` is False),
    then evaluate it with ``Runner.test()``; returns the test metrics.

    The config gets what a ClassroomKD run needs (``prepare_runner_config``:
    the student-only checkpoint hook and the random-generator hook), so with
    ``resume=True`` an interrupted training continues from the last
    checkpoint in ``work_dir`` and ends where the uninterrupted run would
    have. ``load_from`` is the checkpoint to start from, or, with
    ``train=False``, the one to test, loaded strictly into the student
    whatever its kind (``load_student_for_evaluation``: a checkpoint that
    does not fit is an error, never a score of random weights). ``seed`` replaces the config's
    ``randomness.seed``; ``hooks`` are hook objects registered on the Runner
    after it is built. ``cfg`` itself is not modified.

    Several calls in one process are independent: each Runner gets its own
    experiment name, and its logger and visualizer take that name (MMEngine
    looks them up by it), so each run logs into its own work dir.
    """
    from mmengine.model import is_model_wrapper
    from mmengine.runner import Runner

    # The Runner writes the config text into the log, the work dir and every
    # checkpoint; formatting it with yapf costs about 1 s each time for a
    # distiller config.
    cfg = Config(cfg.to_dict(), filename=cfg.filename,
                 format_python_code=False)
    if work_dir is not None:
        cfg.work_dir = work_dir
    if seed is not None:
        cfg.randomness = {**(cfg.get('randomness') or {}), 'seed': seed}
    if log_level is not None:
        cfg.log_level = log_level
    name = cfg.get('experiment_name') or osp.basename(
        osp.normpath(cfg.get('work_dir') or 'run'))
    cfg.experiment_name = f'{name}_{time.time_ns()}'
    if isinstance(cfg.get('visualizer'), dict):
        # mmpose's default_runtime names its visualizer 'visualizer': with
        # that name every later Runner would reuse the first run's
        # visualizer (MMEngine warns) and write its scalars.json there.
        cfg.visualizer.name = cfg.experiment_name
    cfg.resume = resume and train
    test_only = not train and load_from is not None
    cfg.load_from = None if test_only else load_from
    runner = Runner.from_cfg(prepare_runner_config(cfg, training=train))
    for hook in hooks:
        runner.register_hook(hook)
    if test_only:
        # Strictly, either kind of checkpoint: never random weights.
        model = runner.model.module if is_model_wrapper(runner.model) \
            else runner.model
        distiller = is_distiller_config(cfg)
        load_student_for_evaluation(
            model.student if distiller else model, load_from,
            cfg.filename or 'the given config', distiller,
            after_load=lambda loaded: runner.call_hook(
                'after_load_checkpoint', checkpoint=loaded))
    if train:
        runner.train()
    return runner.test()
