"""The sha256 recorded for each mentor: of its checkpoint file, or of its
weights where it has no local file."""
import torch
import torch.nn as nn

from classroomkd_mm.models.classroom.mentor_checksum import (mentor_checksum,
                                                             weights_sha256)
from classroomkd_mm.utils.onnx_files import file_sha256


def test_file_and_weights_checksums(tmp_path):
    torch.manual_seed(0)
    module = nn.Linear(3, 2)
    path = str(tmp_path / 'm.pth')
    torch.save(dict(state_dict=module.state_dict()), path)
    record = mentor_checksum(module, path)
    assert record == dict(checkpoint=path, sha256=file_sha256(path))
    torch.save(dict(state_dict=module.state_dict(), meta=dict(x=1)), path)
    assert mentor_checksum(module, path)['sha256'] != record['sha256']

    by_weights = mentor_checksum(module, None)
    assert by_weights == dict(checkpoint=None,
                              sha256=weights_sha256(module))
    assert mentor_checksum(module, 'https://x/m.pth')['sha256'] == \
        by_weights['sha256']
    with torch.no_grad():
        module.bias[0] += 1
    assert weights_sha256(module) != by_weights['sha256']
