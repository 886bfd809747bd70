"""tools/benchmark_students.py on tiny pose students and the bundled COCO
sample: one table of AP/AR (CocoMetric through Runner.test), parameters,
FLOPs (MMEngine's complexity analysis), CPU latency, and the network's
latency in PyTorch and in ONNX Runtime beside it, as markdown and JSON."""
import json
import os.path as osp

import pytest
import torch

from tests.helpers.tiny_runs import REPO, load_tool

# MMEngine Runner runs
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures('mmpretrain_scope')]

CONFIG = osp.join('configs', 'pose', 'samples',
                  'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py')


def student_checkpoint(path, seed):
    from mmengine.config import Config
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(osp.join(REPO, CONFIG)).model)
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return model


def test_table_of_two_students_on_the_coco_sample(tmp_path, monkeypatch):
    pytest.importorskip('mmpose')
    monkeypatch.chdir(REPO)  # the sample config's data_root is relative
    paths = [str(tmp_path / f'student_{s}.pth') for s in ('a', 'b')]
    model = student_checkpoint(paths[0], seed=0)
    student_checkpoint(paths[1], seed=1)
    out_dir = str(tmp_path / 'bench')
    tool = load_tool('benchmark_students')
    rows = tool.main(['--model', CONFIG, paths[0], '--model', CONFIG,
                      paths[1], '--out-dir', out_dir, '--runs', '3'])

    assert [r['name'] for r in rows] == ['student_a', 'student_b']
    params = sum(p.numel() for p in model.parameters())
    for row in rows:
        assert 0.0 <= row['metrics']['coco/AP'] <= 1.0
        assert 0.0 <= row['metrics']['coco/AR'] <= 1.0
        assert row['params'] == params
        # every conv weight is used at many positions of a 64x48 input
        assert row['flops'] > 10 * params
        assert row['flops'] == rows[0]['flops']
        assert row['input_shape'] == [3, 64, 48]
        assert len(row['latency_runs_ms']) == 3 and row['latency_ms'] > 0
        assert row['latency_image'].endswith('.jpg')
        # the network alone, PyTorch and its checked ONNX export
        assert len(row['torch_net_runs_ms']) == 3
        assert len(row['ort_net_runs_ms']) == 3
        assert row['torch_net_latency_ms'] > 0
        assert row['ort_net_latency_ms'] > 0
        assert osp.isfile(row['onnx']) and row['onnx'].endswith('.onnx')
        assert row['onnx_max_abs_difference'] <= 1e-4

    table = open(osp.join(out_dir, 'results.md')).read()
    assert table.splitlines()[0] == (
        '| Student | AP | AP50 | AR | Params (M) | FLOPs (G) | '
        'CPU latency (ms/img) | PyTorch net (ms/img) | '
        'ONNX Runtime net (ms/img) |')
    assert table.count('| student_') == 2
    saved = json.load(open(osp.join(out_dir, 'results.json')))
    assert saved['environment']['device'] == 'cpu'
    assert saved['environment']['threads'] == 1
    assert [s['name'] for s in saved['students']] == ['student_a',
                                                      'student_b']
