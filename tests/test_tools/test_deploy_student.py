"""tools/deploy_student.py: a student (plain or ClassroomKD config,
student-only or full distiller checkpoint) -> ONNX with a dynamic batch axis
and a JSON sidecar; onnxruntime's outputs equal PyTorch's; bad checkpoints,
mismatched checkpoints and unsupported heads are clear errors."""
import json
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from tests.helpers import SAMPLES
from tests.helpers.hostile_payload import REFUSED, Payload
from tests.helpers.tiny_classifiers import (PREPROCESSOR, classifier_cfg,
                                            distiller_cfg, save_checkpoint)
from tests.helpers.tiny_runs import REPO, dump_config, load_tool, \
    write_image_folder

tool = load_tool('deploy_student')

POSE_STUDENT = osp.join(REPO, 'configs', 'pose', 'samples',
                        'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py')
COCO_IMAGE = osp.join(SAMPLES, 'coco', '000000196141.jpg')


def onnx_io(path):
    import onnx
    graph = onnx.load(path).graph

    def dims(value):
        return [d.dim_param or d.dim_value
                for d in value.type.tensor_type.shape.dim]
    return ({i.name: dims(i) for i in graph.input},
            {o.name: dims(o) for o in graph.output})


def assert_ort_equals_pytorch(model, info, batch, input_order='network'):
    """A fresh onnxruntime session on ``batch`` (another batch size than the
    tool's check) gives PyTorch's tensor outputs."""
    session = tool.ort_session(info['onnx']['path'])
    names = [o['name'] for o in info['outputs']]
    with torch.no_grad():
        expected = tool.TensorOutputs(model, input_order)(batch)
    got = session.run(names, {'input': batch.numpy()})
    for e, g in zip(expected, got):
        assert g.shape == tuple(e.shape)
        np.testing.assert_allclose(g, e.numpy(), rtol=0, atol=1e-4)
    return got


def pose_model(tmp_path, seed=0):
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(POSE_STUDENT).model)
    path = str(tmp_path / 'student.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return model.eval(), path


def test_heatmap_pose_student_onnxruntime_equals_pytorch(tmp_path):
    pytest.importorskip('mmpose')
    model, checkpoint = pose_model(tmp_path)
    info = tool.deploy_student(POSE_STUDENT, checkpoint,
                               str(tmp_path / 'out' / 'res18'),
                               image=COCO_IMAGE)
    assert info['task'] == 'pose-heatmap'
    assert info['check']['max_abs_difference'] <= 1e-4
    inputs, outputs = onnx_io(info['onnx']['path'])
    assert inputs == {'input': ['batch', 3, 64, 48]}
    assert outputs == {'heatmaps': ['batch', 17, 16, 12]}

    saved = json.load(open(str(tmp_path / 'out' / 'res18.json')))
    assert saved == json.loads(json.dumps(info))
    assert saved['input']['input_size_wh'] == [48, 64]
    assert saved['input']['channel_order'] == 'rgb'  # bgr_to_rgb=True
    assert saved['input']['mean'] == [123.675, 116.28, 103.53]
    assert saved['input']['std'] == [58.395, 57.12, 57.375]
    assert saved['decode'] == dict(codec='MSRAHeatmap',
                                   heatmap_size_wh=[12, 16])
    assert saved['keypoint_names'][0] == 'nose'
    assert saved['flip_test_in_graph'] is False
    assert saved['checkpoint']['sha256'] == tool.sha256_of(checkpoint)
    assert saved['onnx']['sha256'] == tool.sha256_of(info['onnx']['path'])

    # three real crops of the sample image, batch 3 (dynamic axis)
    x = tool.network_input(model, Config.fromfile(POSE_STUDENT), COCO_IMAGE,
                           'pose-heatmap')
    batch = torch.cat([x, x.flip(-1), x.flip(-2)])
    assert_ort_equals_pytorch(model, info, batch)


def test_a_distiller_checkpoint_exports_its_student(tmp_path):
    pytest.importorskip('mmpose')
    from classroomkd_mm.models import ClassroomDistiller
    model, checkpoint = pose_model(tmp_path, seed=3)
    student_cfg = Config.fromfile(POSE_STUDENT).model.to_dict()
    torch.manual_seed(3)
    distiller = ClassroomDistiller(
        student=student_cfg,
        mentors=dict(peer=dict(model=student_cfg, checkpoint=checkpoint)))
    distiller.student.load_state_dict(model.state_dict())
    full = str(tmp_path / 'iter_300.pth')
    torch.save(dict(state_dict=distiller.state_dict(), meta=dict()), full)
    from_full = tool.deploy_student(POSE_STUDENT, full,
                                    str(tmp_path / 'full'), image=COCO_IMAGE)
    from_student = tool.deploy_student(
        POSE_STUDENT, checkpoint, str(tmp_path / 'student'),
        image=COCO_IMAGE)
    x = torch.randn(2, 3, 64, 48)
    a, b = (tool.ort_session(info['onnx']['path']).run(
        None, {'input': x.numpy()}) for info in (from_full, from_student))
    np.testing.assert_array_equal(a[0], b[0])


def classifier_config(tmp_path, model):
    return dump_config(dict(
        model=model, default_scope='mmpretrain',
        test_dataloader=dict(dataset=dict(pipeline=[
            dict(type='LoadImageFromFile'), dict(type='PackInputs')]))),
        str(tmp_path / 'classifier.py'))


@pytest.mark.usefixtures('mmpretrain_scope')
def test_classifier_onnxruntime_equals_pytorch(tmp_path):
    data = write_image_folder(str(tmp_path / 'data'))
    model = save_checkpoint(classifier_cfg(4), str(tmp_path / 'cls.pth'),
                            seed=5).eval()
    config = classifier_config(tmp_path, classifier_cfg(4))
    out = str(tmp_path / 'cls')
    info = tool.main([config, str(tmp_path / 'cls.pth'), out, '--image',
                      osp.join(data, 'c1', '0.png'), '--input-size', '16',
                      '16'])
    assert info['task'] == 'classification'
    assert onnx_io(out + '.onnx') == ({'input': ['batch', 3, 16, 16]},
                                      {'logits': ['batch', 4]})
    assert info['input']['channel_order'] == 'bgr'  # to_rgb=False
    assert info['input']['mean'] == PREPROCESSOR['mean']
    import cv2
    images = torch.stack([
        torch.from_numpy(cv2.imread(osp.join(data, f'c{k}', '1.png')))
        .permute(2, 0, 1) for k in range(4)])
    batch = model.data_preprocessor(dict(inputs=list(images)),
                                    False)['inputs']
    logits = assert_ort_equals_pytorch(model, info, batch)[0]
    with torch.no_grad():
        scores = torch.stack([s.pred_score for s in model.test_step(
            dict(inputs=list(images)))])
    # softmax(logits) is what mmpretrain predicts
    np.testing.assert_allclose(torch.softmax(torch.from_numpy(logits), 1),
                               scores, atol=1e-5)


@pytest.mark.usefixtures('mmpretrain_scope')
def test_classroomkd_config_exports_its_student(tmp_path):
    data = write_image_folder(str(tmp_path / 'data'))
    cfg = distiller_cfg(tmp_path)
    config = classifier_config(tmp_path, cfg)
    student = save_checkpoint(classifier_cfg(4), str(tmp_path / 's.pth'),
                              seed=7).eval()
    info = tool.deploy_student(config, str(tmp_path / 's.pth'),
                               str(tmp_path / 'kd'),
                               image=osp.join(data, 'c0', '0.png'),
                               input_size=(16, 16))
    assert_ort_equals_pytorch(student, info, torch.randn(3, 3, 16, 16))


@pytest.mark.usefixtures('mmpretrain_scope')
def test_bad_checkpoints_are_clear_errors(tmp_path):
    from classroomkd_mm.utils.safe_checkpoint import (
        UnreadableCheckpointError, UnsafeCheckpointError)
    data = write_image_folder(str(tmp_path / 'data'))
    image = osp.join(data, 'c0', '0.png')
    config = classifier_config(tmp_path, classifier_cfg(4))
    out = str(tmp_path / 'never')
    with pytest.raises(FileNotFoundError, match='does not exist'):
        tool.deploy_student(config, str(tmp_path / 'missing.pth'), out,
                            image=image, input_size=(16, 16))
    good = str(tmp_path / 'good.pth')
    save_checkpoint(classifier_cfg(4), good)
    truncated = str(tmp_path / 'truncated.pth')
    with open(good, 'rb') as f, open(truncated, 'wb') as g:
        g.write(f.read()[:200])
    with pytest.raises(UnreadableCheckpointError, match='truncated'):
        tool.deploy_student(config, truncated, out, image=image,
                            input_size=(16, 16))
    hostile = str(tmp_path / 'hostile.pth')
    marker = str(tmp_path / 'ran')
    torch.save(dict(state_dict={}, meta=Payload(marker)), hostile)
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        tool.deploy_student(config, hostile, out, image=image,
                            input_size=(16, 16))
    assert not osp.exists(marker)
    wider = str(tmp_path / 'wider.pth')
    save_checkpoint(classifier_cfg(8), wider)
    with pytest.raises(ValueError, match='does not fit the student.*'
                       'shape mismatches'):
        tool.deploy_student(config, wider, out, image=image,
                            input_size=(16, 16))
    assert not osp.exists(out + '.onnx') and not osp.exists(out + '.json')


def test_an_unsupported_head_is_a_clear_error(tmp_path):
    pytest.importorskip('mmpose')
    from mmpose.registry import MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    head = dict(_delete_=True, type='RegressionHead', in_channels=64,
                num_joints=17,
                loss=dict(type='SmoothL1Loss', use_target_weight=True),
                decoder=dict(type='RegressionLabel', input_size=(48, 64)))
    options = {'model.head': head}
    cfg = Config.fromfile(POSE_STUDENT)
    cfg.merge_from_dict(options)
    path = str(tmp_path / 'rle.pth')
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), path)
    with pytest.raises(tool.DeploymentError,
                       match='RegressionHead is not supported.*SimCC heads'):
        tool.deploy_student(POSE_STUDENT, path, str(tmp_path / 'rle'),
                            image=COCO_IMAGE, cfg_options=options)


def test_outputs_beyond_the_tolerance_are_refused(tmp_path, monkeypatch):
    pytest.importorskip('mmpose')
    _, checkpoint = pose_model(tmp_path)
    real_session = tool.ort_session

    class OffByOneThousandth:
        """An ONNX Runtime session whose outputs are 1e-3 off."""

        def __init__(self, *args):
            self.session = real_session(*args)

        def run(self, *args):
            return [o + 1e-3 for o in self.session.run(*args)]

    monkeypatch.setattr(tool, 'ort_session', OffByOneThousandth)
    with pytest.raises(tool.DeploymentError,
                       match=r'differ from PyTorch\'s by up to 0\.001 '
                       r'\(tolerance 0\.0001\).*no file was written'):
        tool.deploy_student(POSE_STUDENT, checkpoint, str(tmp_path / 'off'),
                            image=COCO_IMAGE)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['student.pth']
