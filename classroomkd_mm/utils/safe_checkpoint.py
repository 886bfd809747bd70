"""Safe checkpoint loading for MMEngine under torch's ``weights_only``.

Checkpoints are untrusted pickles. torch >= 2.6 refuses arbitrary globals when
``weights_only=True``, but MMEngine 0.10.7 calls ``torch.load`` without the
flag (so resuming fails on ``HistoryBuffer``) and loads URLs and model-zoo
names (``torchvision://``, ``open-mmlab://``, ``mmcls://``) through
``torch.hub.load_state_dict_from_url``, whose default is
``weights_only=False``: a file planted in the hub cache would run code.

This module replaces every checkpoint scheme MMEngine 0.10.7 registers
(local files, ``http(s)://``, ``torchvision://``/``modelzoo://``,
``open-mmlab://``/``openmmlab://``, ``mmcls://``, ``pavi://``,
``s3://``/``petrel://``) with loaders that always load with
``weights_only=True`` and a small, explicit allow-list of the plain-data
globals that MMEngine, MMPose and MMPretrain checkpoints hold. The check
itself is never disabled; a checkpoint that needs anything else is refused
with :class:`UnsafeCheckpointError`.

Downloads are cached by the full URL (``<hub>/checkpoints/<sha256(url)[:16]>/
<file name>``), so two URLs with the same file name never share weights; a
cached file is loaded exactly like a fresh download, and a file whose name
carries a hash prefix (torch hub's ``name-<sha256 prefix>.pth``) must match
it. Files that are empty, truncated or not checkpoints raise
:class:`UnreadableCheckpointError`, failed downloads
:class:`CheckpointDownloadError`, both naming the file and the fix.
"""
import hashlib
import io
import os
import os.path as osp
import pickle
import re
import urllib.error
import zipfile

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer
from mmengine.runner.checkpoint import CheckpointLoader

# torch.hub's convention (``check_hash``): ``name-<sha256 prefix>.ext``.
NAME_HASH = re.compile(r'-([a-f0-9]{8,64})\.[^.]*$')
_LEGACY_TORCH_MAGIC = b'\x80'  # a pickle stream (torch.save before 1.6)
_ZIP_MAGIC = b'PK\x03\x04'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint holds objects outside the allow-list, or does not match
    the hash its name promises."""


class UnreadableCheckpointError(ValueError):
    """A checkpoint file is empty, truncated or not a torch checkpoint."""


class CheckpointDownloadError(OSError):
    """A checkpoint URL could not be downloaded."""


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

_UNREADABLE_FIX = ('Re-download or re-copy it (an interrupted copy or '
                   'download leaves a truncated file), or point to the right '
                   'file.')


def check_readable(path: str):
    """Raise :class:`UnreadableCheckpointError` unless ``path`` starts like a
    torch checkpoint (a complete zip archive, or a legacy pickle stream)."""
    size = osp.getsize(path)
    if size == 0:
        raise UnreadableCheckpointError(
            f'Checkpoint {path!r} is empty (0 bytes). {_UNREADABLE_FIX}')
    with open(path, 'rb') as f:
        head = f.read(16)
    if head.startswith(_ZIP_MAGIC):
        if not zipfile.is_zipfile(path):
            raise UnreadableCheckpointError(
                f'Checkpoint {path!r} is truncated or corrupt ({size} bytes: '
                'a zip archive without its end). ' + _UNREADABLE_FIX)
    elif not head.startswith(_LEGACY_TORCH_MAGIC):
        raise UnreadableCheckpointError(
            f'{path!r} is not a torch checkpoint (it starts with {head!r}; '
            'a text or HTML file, e.g. an error page saved by a download?). '
            + _UNREADABLE_FIX)


def torch_load_safely(file, map_location=None):
    """``torch.load(file, weights_only=True)`` with the allow-list of plain
    data types MMEngine checkpoints hold; anything else is refused. ``file``
    is a path (checked with :func:`check_readable` first) or a file-like
    object."""
    name = file if isinstance(file, str) else getattr(file, 'name', '<bytes>')
    if isinstance(file, str):
        check_readable(file)
    with torch.serialization.safe_globals(list(CHECKPOINT_SAFE_GLOBALS)):
        try:
            return torch.load(file, map_location=map_location,
                              weights_only=True)
        except pickle.UnpicklingError as error:
            raise UnsafeCheckpointError(
                f'Refused to load checkpoint {name!r}: it holds objects that '
                'are not plain tensors and data (loaded with '
                'weights_only=True). If you trust this file and know what it '
                'holds, re-save its state_dict with plain torch.save(...), or '
                'add the needed classes to '
                'classroomkd_mm.utils.safe_checkpoint.CHECKPOINT_SAFE_GLOBALS.'
                f'\nDetails: {error}') from error
        except (RuntimeError, EOFError, KeyError, ValueError,
                zipfile.BadZipFile) as error:
            raise UnreadableCheckpointError(
                f'Checkpoint {name!r} cannot be read: it is truncated or '
                f'corrupt ({type(error).__name__}: {error}). '
                + _UNREADABLE_FIX) from error


def check_name_hash(path: str):
    """If ``path``'s name ends in ``-<hex>.ext`` (torch hub's ``check_hash``
    convention, 8 to 64 hex digits), its SHA-256 must start with them;
    otherwise refuse it. A suffix of decimal digits only reads as a date
    (``_20210208-20210208.pth``), not a hash, and is not checked."""
    match = NAME_HASH.search(osp.basename(path))
    if match is None or match.group(1).isdigit():
        return
    expected = match.group(1)
    sha256 = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            sha256.update(block)
    if not sha256.hexdigest().startswith(expected):
        raise UnsafeCheckpointError(
            f'Refused to load checkpoint {path!r}: its name promises a '
            f'SHA-256 starting with {expected}, but the file\'s is '
            f'{sha256.hexdigest()[:len(expected)]} (a damaged or replaced '
            'download). Delete the file to download it again.')


def load_from_local(filename, map_location=None):
    """MMEngine's local-file scheme, with :func:`torch_load_safely`."""
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(
            f'Checkpoint {filename!r} does not exist. Check the path (relative '
            f'paths start at {os.getcwd()!r}) or train that model first.')
    return torch_load_safely(filename, map_location)


def url_cache_path(url: str, model_dir=None) -> str:
    """Where a download of ``url`` is cached: ``<model_dir>/<sha256(url)
    [:16]>/<file name>``, so two URLs with the same file name in different
    directories are cached apart (``model_dir`` defaults to
    ``<torch hub dir>/checkpoints``)."""
    from torch.hub import get_dir
    model_dir = osp.expanduser(model_dir or osp.join(get_dir(), 'checkpoints'))
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    name = osp.basename(url.split('?')[0].split('#')[0]) or 'checkpoint.pth'
    return osp.join(model_dir, key, name)


def download_checkpoint(url: str, model_dir=None, progress=False) -> str:
    """The cached file of ``url`` (downloaded by rank 0 first in distributed
    runs, written atomically by torch's ``download_url_to_file``), checked
    against the hash in its name."""
    from mmengine.dist import get_dist_info
    from torch import hub

    cached = url_cache_path(url, model_dir)
    rank, world_size = get_dist_info()
    if rank == 0 and not osp.exists(cached):
        os.makedirs(osp.dirname(cached), exist_ok=True)
        try:
            hub.download_url_to_file(url, cached, progress=progress)
        except (urllib.error.URLError, OSError, ValueError) as error:
            reason = error if isinstance(error, urllib.error.HTTPError) \
                else getattr(error, 'reason', None) or error
            raise CheckpointDownloadError(
                f'Could not download checkpoint {url!r}: {reason}. Check the '
                'URL and the network, or download the file yourself and give '
                'its local path instead.') from error
    if world_size > 1:
        torch.distributed.barrier()
    check_name_hash(cached)
    return cached


def load_from_http(filename, map_location=None, model_dir=None,
                         progress=False):
    """MMEngine's HTTP(S) scheme: :func:`download_checkpoint`, then
    :func:`torch_load_safely`."""
    return torch_load_safely(
        download_checkpoint(filename, model_dir, progress), map_location)


def _zoo_url(scheme: str, name: str, urls: dict) -> str:
    if name not in urls:
        raise KeyError(f'{scheme}{name} is not a model MMEngine knows under '
                       f'{scheme!r}; check the name, or give a URL or a '
                       'local path.')
    return urls[name]


def load_from_torchvision(filename, map_location=None):
    """``torchvision://<name>`` (and the deprecated ``modelzoo://``): the
    URL from MMEngine's torchvision table, loaded as HTTP."""
    from mmengine.runner.checkpoint import get_torchvision_models
    scheme = 'modelzoo://' if filename.startswith('modelzoo://') \
        else 'torchvision://'
    url = _zoo_url(scheme, filename[len(scheme):], get_torchvision_models())
    return load_from_http(url, map_location)


def load_from_openmmlab(filename, map_location=None):
    """``open-mmlab://<name>`` / ``openmmlab://<name>``: a URL (loaded as
    HTTP) or a file under MMEngine's home (loaded as a local file), from
    MMEngine's tables, deprecated names mapped as MMEngine does."""
    from mmengine.runner.checkpoint import (_get_mmengine_home,
                                            get_deprecated_model_names,
                                            get_external_models)
    scheme = 'open-mmlab://' if filename.startswith('open-mmlab://') \
        else 'openmmlab://'
    name = filename[len(scheme):]
    name = get_deprecated_model_names().get(name, name)
    url = _zoo_url(scheme, name, get_external_models())
    if url.startswith(('http://', 'https://')):
        return load_from_http(url, map_location)
    return load_from_local(osp.join(_get_mmengine_home(), url),
                                 map_location)


def load_from_mmcls(filename, map_location=None):
    """``mmcls://<name>``: MMEngine's mmcls table, loaded as HTTP, keys
    renamed as MMEngine does."""
    from mmengine.runner.checkpoint import (_process_mmcls_checkpoint,
                                            get_mmcls_models)
    url = _zoo_url('mmcls://', filename[len('mmcls://'):],
                   get_mmcls_models())
    return _process_mmcls_checkpoint(load_from_http(url, map_location))


def load_from_pavi(filename, map_location=None):
    """``pavi://``: downloaded by pavi's model cloud into a temporary
    directory, then :func:`torch_load_safely`."""
    import tempfile
    try:
        from pavi import modelcloud
    except ImportError as error:
        raise ImportError('Please install pavi to load checkpoint from '
                          'modelcloud.') from error
    model = modelcloud.get(filename[len('pavi://'):])
    with tempfile.TemporaryDirectory() as tmp_dir:
        downloaded = osp.join(tmp_dir, model.name)
        model.download(downloaded)
        return torch_load_safely(downloaded, map_location)


def load_from_ceph(filename, map_location=None, backend='petrel'):
    """``s3://`` / ``petrel://``: the bytes from MMEngine's file backend,
    then :func:`torch_load_safely`."""
    from mmengine.fileio import get_file_backend
    file_backend = get_file_backend(filename,
                                    backend_args={'backend': backend})
    with io.BytesIO(file_backend.get(filename)) as buffer:
        buffer.name = filename
        return torch_load_safely(buffer, map_location)


# Every scheme MMEngine 0.10.7 registers, with the same prefixes (and the
# same function names: MMEngine logs ``name[10:]`` as the backend).
SAFE_SCHEMES = (
    ('', load_from_local),
    (('http://', 'https://'), load_from_http),
    (('modelzoo://', 'torchvision://'), load_from_torchvision),
    (('open-mmlab://', 'openmmlab://'), load_from_openmmlab),
    ('mmcls://', load_from_mmcls),
    ('pavi://', load_from_pavi),
    ((r'(\S+\:)?s3://', r'(\S+\:)?petrel://'), load_from_ceph),
)


def register_safe_checkpoint_loaders():
    """Make every MMEngine checkpoint load (``load_from``, ``resume``,
    ``init_cfg`` pretrained weights, mentor checkpoints) go through
    :func:`torch_load_safely`, whatever the scheme."""
    for prefixes, loader in SAFE_SCHEMES:
        CheckpointLoader.register_scheme(prefixes=prefixes, loader=loader,
                                         force=True)
