"""Loading a checkpoint into a ClassroomDistiller keeps the configured
mentors."""
import logging

import torch
import torch.nn as nn
from mmengine.logging import print_log

MENTORS_PREFIX = 'mentors.'


def keep_configured_mentors(distiller: nn.Module):
    """Make every ``load_state_dict`` into ``distiller`` (MMEngine's
    ``load_from``, ``resume``, ``load_checkpoint``) keep the mentors' own
    weights, loaded from their ``checkpoint=`` at build: the incoming
    ``mentors.*`` entries are replaced by the configured ones (and entries of
    mentors the config does not have are dropped), with one log line when
    they differ. The student and everything else load as usual."""

    def hook(module, state_dict, prefix, local_metadata, strict,
             missing_keys, unexpected_keys, error_msgs):
        start = prefix + MENTORS_PREFIX
        own = module.mentors.state_dict(prefix=start)
        incoming = [k for k in state_dict if k.startswith(start)]
        differ = sorted({k[len(start):].split('.')[0] for k in incoming
                         if k not in own or not torch.equal(
                             state_dict[k].cpu(), own[k].cpu())})
        for key in incoming:
            del state_dict[key]
        state_dict.update(own)
        if differ:
            print_log(
                'ClassroomDistiller: the loaded checkpoint holds other '
                f'weights for mentor(s) {differ}; kept the configured '
                "mentors (their `checkpoint=` files) and loaded the rest. "
                'To distil from other mentors, change `mentors` in the '
                'config.', logger='current', level=logging.WARNING)

    distiller.register_load_state_dict_pre_hook(hook)
