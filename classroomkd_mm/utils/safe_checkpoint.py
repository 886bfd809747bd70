"""Safe checkpoint loading for MMEngine under torch's ``weights_only``.

Checkpoints are untrusted pickles. torch >= 2.6 refuses arbitrary globals when
``weights_only=True``, but MMEngine 0.10.7 calls ``torch.load`` without the
flag (so resuming fails on ``HistoryBuffer``) and loads URLs through
``torch.hub.load_state_dict_from_url``, whose default is ``weights_only=False``.

This module replaces MMEngine's local and HTTP(S) checkpoint loaders with ones
that always load with ``weights_only=True`` and a small, explicit allow-list of
the plain-data globals that MMEngine, MMPose and MMPretrain checkpoints hold.
The check itself is never disabled; a checkpoint that needs anything else is
refused with :class:`UnsafeCheckpointError`.
"""
import os
import os.path as osp
import pickle

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list."""


def _numpy_globals():
    core = getattr(np, '_core', None) or np.core
    names = [core.multiarray._reconstruct, core.multiarray.scalar,
             np.ndarray, np.dtype]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        names += [getattr(dtypes, n) for n in dir(dtypes)
                  if n.endswith('DType') and n[0].isupper()
                  and isinstance(getattr(dtypes, n), type)
                  and n not in ('ObjectDType', 'StringDType')]
    return names


def history_buffer_statistic(owner, name):
    """Stands in for ``builtins.getattr`` while unpickling: MMEngine's
    ``HistoryBuffer`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')``. Only those lookups are allowed; a
    general ``getattr`` would let a checkpoint reach arbitrary attributes."""
    allowed = {'min', 'max', 'current', 'mean'}
    allowed |= set(getattr(HistoryBuffer, '_statistics_methods', {}))
    if owner is HistoryBuffer and name in allowed:
        return getattr(HistoryBuffer, name)
    raise pickle.UnpicklingError(
        f'checkpoint asks for getattr({owner!r}, {name!r}), which is not a '
        'HistoryBuffer statistic')


CHECKPOINT_SAFE_GLOBALS = tuple(
    [HistoryBuffer, (history_buffer_statistic, 'builtins.getattr')] +
    _numpy_globals())


def torch_load_safely(file, map_location=None):
    """``torch.load(file, weights_only=True)`` with the allow-list of plain
    data types MMEngine checkpoints hold; anything else is refused."""
    with torch.serialization.safe_globals(list(CHECKPOINT_SAFE_GLOBALS)):
        try:
            return torch.load(file, map_location=map_location,
                              weights_only=True)
        except pickle.UnpicklingError as error:
            raise UnsafeCheckpointError(
                f'Refused to load checkpoint {file!r}: it holds objects that '
                'are not plain tensors and data (loaded with '
                'weights_only=True). If you trust this file and know what it '
                'holds, re-save its state_dict with plain torch.save(...), or '
                'add the needed classes to '
                'classroomkd_mm.utils.safe_checkpoint.CHECKPOINT_SAFE_GLOBALS.'
                f'\nDetails: {error}') from error


def load_local_checkpoint(filename, map_location=None):
    """MMEngine's local-file scheme, with :func:`torch_load_safely`."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'Checkpoint {filename!r} does not exist. Check the path (relative '
            f'paths start at {os.getcwd()!r}) or train that model first.')
    return torch_load_safely(filename, map_location)


def load_http_checkpoint(filename, map_location=None, model_dir=None,
                         progress=False):
    """MMEngine's HTTP(S) scheme: download once into the torch hub cache (rank
    0 first in distributed runs), then :func:`torch_load_safely`."""
    from mmengine.dist import get_dist_info
    from torch.hub import download_url_to_file, get_dir

    model_dir = model_dir or osp.join(get_dir(), 'checkpoints')
    os.makedirs(model_dir, exist_ok=True)
    cached = osp.join(model_dir, osp.basename(filename.split('?')[0]))
    rank, world_size = get_dist_info()
    if rank == 0 and not osp.exists(cached):
        download_url_to_file(filename, cached, progress=progress)
    if world_size > 1:
        torch.distributed.barrier()
    return torch_load_safely(cached, map_location)


def register_safe_checkpoint_loaders():
    """Make every MMEngine checkpoint load (``load_from``, ``resume``,
    ``init_cfg`` pretrained weights, mentor checkpoints) go through
    :func:`torch_load_safely` for local files and HTTP(S) URLs."""
    CheckpointLoader.register_scheme(
        prefixes='', loader=load_local_checkpoint, force=True)
    CheckpointLoader.register_scheme(
        prefixes=('http://', 'https://'), loader=load_http_checkpoint,
        force=True)
