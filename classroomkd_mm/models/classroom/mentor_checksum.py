"""The sha256 a checkpoint records for each mentor, so that a resume can
tell that a mentor's weights changed since."""
import hashlib
import os.path as osp
from typing import Optional

import torch
import torch.nn as nn

from classroomkd_mm.utils.onnx_files import file_sha256


def weights_sha256(module: nn.Module) -> str:
    """sha256 over ``module``'s state dict: every entry's name, dtype, shape
    and bytes, in the state dict's order."""
    h = hashlib.sha256()
    for key, tensor in module.state_dict().items():
        data = tensor.detach().cpu().contiguous()
        h.update(f'{key} {data.dtype} {tuple(data.shape)}\n'.encode())
        if data.numel():
            h.update(data.reshape(-1).view(torch.uint8).numpy().data)
    return h.hexdigest()


def mentor_checksum(module: nn.Module, checkpoint: Optional[str]) -> dict:
    """``dict(checkpoint=..., sha256=...)`` of one mentor: the sha256 of its
    checkpoint file where it is a local file, else of its loaded weights (a
    URL's download, a mentor given as a built module)."""
    if checkpoint and '://' not in checkpoint and osp.isfile(
            osp.expanduser(checkpoint)):
        return dict(checkpoint=checkpoint,
                    sha256=file_sha256(osp.expanduser(checkpoint)))
    return dict(checkpoint=checkpoint, sha256=weights_sha256(module))
