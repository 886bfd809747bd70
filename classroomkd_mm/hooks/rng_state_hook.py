"""Checkpoint the random number generators so that a resumed run draws the
same random numbers (augmentation, DGKD's mentor drop) as an uninterrupted
one."""
import random

import numpy as np
import torch
from mmengine.hooks import Hook

from classroomkd_mm.registry import HOOKS


def rng_state() -> dict:
    state = dict(python=random.getstate(), numpy=np.random.get_state(),
                 torch=torch.get_rng_state())
    if torch.cuda.is_available() and torch.cuda.is_initialized():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict):
    random.setstate(state['python'])
    np.random.set_state(state['numpy'])
    torch.set_rng_state(state['torch'])
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class RngStateHook(Hook):
    """Save the Python, NumPy, torch (and CUDA) generator states in every
    checkpoint (``checkpoint['rng_state']``) and restore them when a run
    resumes from it, at ``before_train`` (after MMEngine has reseeded).

    MMEngine 0.10.7 resumes model, optimizer, schedulers, the sampler's
    epoch and the seed, but not the generator states: the first epoch after
    a resume draws the random numbers of the run's first epoch, so random
    augmentation and random policies diverge from an uninterrupted run.
    Resuming from a checkpoint saved at an epoch end with this hook repeats
    the uninterrupted run exactly (on CPU with ``deterministic=True``;
    dataloader workers get their seeds from the restored torch generator;
    persistent workers keep generators no checkpoint holds). Plain
    ``load_from`` (fine-tuning) keeps the run's own seed. In distributed runs
    with ``diff_rank_seed=True`` nothing is restored (rank 0's state would
    replace every rank's).
    """

    priority = 'VERY_HIGH'

    def __init__(self):
        self._pending = None

    def before_save_checkpoint(self, runner, checkpoint: dict):
        checkpoint['rng_state'] = rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict):
        randomness = runner.cfg.get('randomness') or {}
        if not getattr(runner, '_resume', False) or (
                runner.world_size > 1
                and randomness.get('diff_rank_seed', False)):
            return
        self._pending = checkpoint.get('rng_state')

    def before_train(self, runner):
        if self._pending is not None:
            set_rng_state(self._pending)
            self._pending = None
