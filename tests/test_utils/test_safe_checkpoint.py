"""Checkpoints load with weights_only=True and a narrow allow-list."""
import os
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

import classroomkd_mm  # noqa: F401
from classroomkd_mm.utils.safe_checkpoint import (UnsafeCheckpointError,
                                                  torch_load_safely)


class Payload:

    def __reduce__(self):
        return (os.system, ('touch ' + Payload.marker, ))


def test_code_in_a_pickle_is_refused_and_never_runs(tmp_path):
    Payload.marker = str(tmp_path / 'pwned')
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, meta=Payload()), path)
    with pytest.raises(UnsafeCheckpointError, match='Refused to load'):
        CheckpointLoader.load_checkpoint(path, 'cpu')
    assert not os.path.exists(Payload.marker)


def test_getattr_is_only_allowed_for_history_buffer_statistics(tmp_path):

    class Sneaky:

        def __reduce__(self):
            from mmengine.logging import HistoryBuffer
            return (getattr, (HistoryBuffer, '__init__'))

    path = str(tmp_path / 'getattr.pth')
    torch.save(dict(x=Sneaky()), path)
    with pytest.raises(UnsafeCheckpointError, match='not a HistoryBuffer '
                       'statistic'):
        torch_load_safely(path)


def test_history_buffer_roundtrip(tmp_path):
    from mmengine.logging import HistoryBuffer, MessageHub
    hub = MessageHub.get_instance('safe-ckpt-test')
    hub.update_scalar('train/loss', 1.5)
    path = str(tmp_path / 'hub.pth')
    torch.save(dict(message_hub=hub.state_dict()), path)
    loaded = torch_load_safely(path)
    buffer = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buffer, HistoryBuffer)
    assert buffer.current() == 1.5
