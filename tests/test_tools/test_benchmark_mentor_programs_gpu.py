"""tools/benchmark_mentor_programs_gpu.py on a machine without CUDA: it
says so, writes the reason and exits 0; which option sets a machine cannot
run is said, not failed on."""
import json

import pytest
import torch

from tests.helpers.tiny_runs import load_tool


def test_without_cuda_it_skips_cleanly(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    tool = load_tool('benchmark_mentor_programs_gpu')
    out = tmp_path / 'gpu.json'
    assert tool.main(['--out', str(out)]) == 0
    assert 'no CUDA device' in json.load(open(out))['skipped']
    assert 'nothing timed' in capsys.readouterr().out


def test_options_a_machine_cannot_run_are_named(monkeypatch):
    ort = pytest.importorskip('onnxruntime')
    tool = load_tool('benchmark_mentor_programs_gpu')
    monkeypatch.setattr(ort, 'get_available_providers',
                        lambda: ['CPUExecutionProvider'])
    assert 'onnxruntime-gpu' in tool.unavailable(tool.OPTIONS['ort'])
    monkeypatch.setattr(ort, 'get_available_providers', lambda: [
        'CUDAExecutionProvider', 'CPUExecutionProvider'])
    assert tool.unavailable(tool.OPTIONS['ort']) is None
    assert 'TensorRT' in tool.unavailable(tool.OPTIONS['ort+trt16'])
    assert tool.unavailable(tool.OPTIONS['compiled']) is None
