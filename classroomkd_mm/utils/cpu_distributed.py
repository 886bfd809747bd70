"""Several processes on a machine without CUDA through MMEngine 0.10's
``pytorch`` launcher (``torchrun ... --launcher pytorch``).

Three things stop such a launch on a CPU-only machine: MMEngine 0.10.7's
``mmengine.dist.utils._init_dist_pytorch`` calls
``torch.cuda.set_device(local_rank)`` unconditionally ("Found no NVIDIA
driver"); the host runtimes (mmpose's ``default_runtime.py``) ask for the
``nccl`` backend, which has no CPU support; and ``Runner.wrap_model`` gives
``MMDistributedDataParallel`` ``device_ids=[LOCAL_RANK]``, which DDP refuses
for a CPU module.

Importing this module makes ``torch.cuda.set_device`` a no-op while CUDA is
unavailable (nothing changes on a machine with CUDA); it must be imported
before the Runner sets up the process group, so a config names it in
``custom_imports`` (read when the config is loaded). :func:`cpu_launch_config`
sets the two config keys. The project's ``tools/train.py`` and
``tools/test.py`` apply both by themselves (``prepare_runner_config``); with
MMPose's or MMPretrain's own ``tools/train.py`` a config says
(docs/installing.md)::

    custom_imports = dict(imports=['classroomkd_mm',
                                   'classroomkd_mm.utils.cpu_distributed'],
                          allow_failed_imports=False)
    env_cfg = dict(dist_cfg=dict(backend='gloo'))
    model_wrapper_cfg = dict(type='MMDistributedDataParallel',
                             device_ids=None, broadcast_buffers=False)
"""
import torch

_original_set_device = torch.cuda.set_device


def _set_device_when_cuda(device):
    """``torch.cuda.set_device`` where CUDA is available, else nothing."""
    if torch.cuda.is_available():
        _original_set_device(device)


def allow_cpu_pytorch_launch():
    """Make ``torch.cuda.set_device`` a no-op while CUDA is unavailable
    (idempotent)."""
    torch.cuda.set_device = _set_device_when_cuda


def cpu_launch_config(cfg):
    """For a distributed launch (``cfg.launcher`` not ``'none'``) on a
    machine without CUDA: the ``gloo`` backend in place of ``nccl`` and a
    DDP wrapper without ``device_ids`` (a config's own wrapper type and
    options are kept), and :func:`allow_cpu_pytorch_launch`. Any other
    config is returned as it is."""
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return cfg
    allow_cpu_pytorch_launch()
    env_cfg = cfg.get('env_cfg') or {}
    dist_cfg = dict(env_cfg.get('dist_cfg') or {})
    if dist_cfg.get('backend', 'nccl') == 'nccl':
        dist_cfg['backend'] = 'gloo'
        cfg.env_cfg = {**env_cfg, 'dist_cfg': dist_cfg}
    wrapper = dict(cfg.get('model_wrapper_cfg') or {})
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper.setdefault('broadcast_buffers', False)
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    return cfg


allow_cpu_pytorch_launch()
