"""Let MMEngine 0.10.7's ``pytorch`` launcher run on a machine without a GPU.

``mmengine.dist.utils._init_dist_pytorch`` calls
``torch.cuda.set_device(local_rank)`` unconditionally, which raises without
an NVIDIA driver. The test's config imports this module (``custom_imports``,
read when ``tools/train.py`` loads the config, before the Runner sets up the
process group) and makes that call a no-op when CUDA is unavailable; on a
GPU machine nothing changes. The DDP wrapper also needs ``device_ids=None``
for a CPU module, which the config sets with ``model_wrapper_cfg``.
"""
import torch

if not torch.cuda.is_available():
    torch.cuda.set_device = lambda device: None
