"""Mentors given as model files: a student exported by
tools/deploy_student.py (ONNX) or traced (TorchScript) and given back as a
FileMentor gives the outputs, bridged outputs and KnowledgeFilter decisions
of the same network built from its config and checkpoint; MoveNet (TFLite)
loads and runs; a file that does not match its declaration is refused at
build, naming the file and the field."""
import os.path as osp
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

from tests.helpers import SAMPLES
from tests.helpers.tiny_runs import REPO, load_tool

from classroomkd_mm.models.adapters.heatmap_adapter import (HeatmapTargets,
                                                            heatmap_error)
from classroomkd_mm.models.adapters.simcc_adapter import (SimCCTargets,
                                                          simcc_error)
from classroomkd_mm.models.bridges.mentor_bridge import MentorBridge
from classroomkd_mm.models.bridges.output_space import describe_pose_output
from classroomkd_mm.models.file_mentors import (FileMentor, ModelFileError,
                                                is_file_mentor)
from classroomkd_mm.models.policies.knowledge_filter import KnowledgeFilter
from classroomkd_mm.models.structures import ClassroomEvidence

COCO_IMAGE = osp.join(SAMPLES, 'coco', '000000196141.jpg')
STUDENTS = dict(
    heatmap=osp.join(REPO, 'configs', 'pose', 'samples',
                     'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py'),
    simcc=osp.join(REPO, 'configs', 'pose', 'coco_mini',
                   'simcc_res18-c16_1xb16-120e_coco-mini-64x48.py'))
MOVENET = osp.join(REPO, '..', 'shared', 'data', 'models', 'movenet',
                   'movenet_singlepose_lightning_int8.tflite')
MOVENET_SHA256 = ('cd7cc22fa946e5d146a7b98d496853e1'
                  '923e22828d3972d579973f27f91bb105')
PREPROCESSOR = dict(type='PoseDataPreprocessor',
                    mean=[123.675, 116.28, 103.53],
                    std=[58.395, 57.12, 57.375], bgr_to_rgb=True)
# the students' own declarations (their codecs and losses)
OUTPUTS = dict(
    heatmap=dict(kind='heatmaps', stride=4, sigma=2.0),
    simcc=dict(kind='simcc', split_ratio=2.0, sigma=(1.5, 1.5), beta=1.0,
               label_softmax=False))


def build_model(kind, seed):
    from mmpose.registry import MODELS
    torch.manual_seed(seed)
    return MODELS.build(Config.fromfile(STUDENTS[kind]).model).eval()


def declaration(kind, path, **override):
    cfg = dict(type='classroomkd_mm.FileMentor', file=path,
               input=dict(size=(48, 64), mean=PREPROCESSOR['mean'],
                          std=PREPROCESSOR['std'], channel_order='RGB',
                          fit='stretched'),
               output=dict(OUTPUTS[kind]), keypoints=17,
               data_preprocessor=PREPROCESSOR)
    cfg.update(override)
    return cfg


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """Per student kind: the network, its ONNX (deploy_student.py) and its
    TorchScript trace."""
    from mmpose.utils import register_all_modules
    register_all_modules()
    tool = load_tool('deploy_student')
    out = {}
    for kind in STUDENTS:
        folder = tmp_path_factory.mktemp(kind)
        model = build_model(kind, seed=1)
        checkpoint = str(folder / 'student.pth')
        torch.save(dict(state_dict=model.state_dict(), meta=dict()),
                   checkpoint)
        info = tool.deploy_student(STUDENTS[kind], checkpoint,
                                   str(folder / 'student'), image=COCO_IMAGE)
        traced = torch.jit.trace(tool.TensorOutputs(model).eval(),
                                 torch.randn(2, 3, 64, 48))
        script = str(folder / 'student.pt')
        traced.save(script)
        out[kind] = (model, info['onnx']['path'], script)
    return out


def targets(kind, model, n, seed=0):
    rng = np.random.default_rng(seed)
    keypoints = rng.uniform((2, 2), (46, 62), (n, 17, 2)).astype(np.float32)
    visible = (rng.uniform(size=(n, 17)) > 0.3).astype(np.float32)
    # one instance per encoding, as mmpose's pipeline does
    encs = [model.head.decoder.encode(keypoints[i:i + 1], visible[i:i + 1])
            for i in range(n)]

    def cat(key):
        return torch.cat([torch.as_tensor(e[key]).float().reshape(
            1, 17, -1) for e in encs])

    weights = cat('keypoint_weights')[..., 0]
    if kind == 'heatmap':
        return HeatmapTargets(torch.stack([
            torch.from_numpy(e['heatmaps']) for e in encs]), weights)
    return SimCCTargets(cat('keypoint_x_labels'), cat('keypoint_y_labels'),
                        weights)


def per_sample_errors(kind, model, outputs, target):
    if kind == 'heatmap':
        return heatmap_error(outputs, target.heatmaps,
                             target.keypoint_weights)
    return simcc_error(model.head.loss_module, outputs, target)


@pytest.mark.parametrize('fmt', ['onnx', 'torchscript'])
@pytest.mark.parametrize('kind', sorted(STUDENTS))
def test_a_deployed_student_as_a_file_mentor_is_the_same_mentor(
        kind, fmt, exported, mmpose_scope):
    model, onnx_path, script = exported[kind]
    path = onnx_path if fmt == 'onnx' else script
    from classroomkd_mm.registry import MODELS
    mentor = MODELS.build(declaration(kind, path))
    assert is_file_mentor(mentor) and not list(mentor.parameters())
    assert len(mentor.weights_sha256) == 64

    torch.manual_seed(0)
    inputs = torch.randn(6, 3, 64, 48)
    with torch.no_grad():
        expected = model(inputs, None, mode='tensor')
    got = mentor(inputs)
    expected = expected if kind == 'simcc' else (expected, )
    got = got if kind == 'simcc' else (got, )
    for e, g in zip(expected, got):
        assert g.shape == e.shape
        torch.testing.assert_close(g, e, rtol=0, atol=1e-4)

    # through the bridges into a student of the same space: both identity
    student_space = describe_pose_output('The student', model)
    from_file = MentorBridge('file', describe_pose_output('m', mentor),
                             student_space)
    from_model = MentorBridge('model', student_space, student_space)
    assert from_file.is_identity and from_model.is_identity

    # KnowledgeFilter decides the same with either: against a student whose
    # errors lie 25% either side of the mentor's, it is active on half
    target = targets(kind, model, len(inputs))
    errors = [per_sample_errors(kind, model, bridge(m, inputs), target)
              for bridge, m in ((from_model, model), (from_file, mentor))]
    torch.testing.assert_close(errors[1], errors[0], rtol=1e-4, atol=1e-6)
    e_s = errors[0] * torch.tensor([0.8, 1.25] * 3)
    plans = [KnowledgeFilter()(ClassroomEvidence.from_errors(
        e_s, e[None], score_scale=e_s.mean())) for e in errors]
    assert plans[0].active.tolist() == [[False, True] * 3]
    assert torch.equal(plans[0].active, plans[1].active)
    torch.testing.assert_close(plans[0].weights, plans[1].weights, rtol=0,
                               atol=1e-4)


def litert():
    try:
        import ai_edge_litert.interpreter  # noqa: F401
    except ImportError:
        pytest.skip('ai-edge-litert is not installed (pip install '
                    'ai-edge-litert, requirements/*_env.txt): the TFLite '
                    'mentor cannot run')


def test_movenet_loads_and_runs(mmpose_scope):
    litert()
    if not osp.isfile(MOVENET):
        pytest.skip(f'{MOVENET} is not on this machine')
    from classroomkd_mm.registry import MODELS
    mentor = MODELS.build(dict(type='classroomkd_mm.FileMentor',
                               preset='movenet_singlepose', file=MOVENET,
                               data_preprocessor=PREPROCESSOR))
    assert mentor.weights_sha256 == MOVENET_SHA256
    assert mentor.batch_size == 1  # one image per call
    space = describe_pose_output('m', mentor)
    assert (space.family, space.input_size, space.fit,
            space.predicts_score) == ('regression', (192, 192), 'padded',
                                      True)
    # a person-like crop: the real COCO sample, through the student's
    # preprocessing
    import cv2
    image = cv2.resize(cv2.imread(COCO_IMAGE), (48, 64))
    crop = torch.from_numpy(image[..., ::-1].copy()).permute(2, 0, 1)[None]
    mean = torch.tensor(PREPROCESSOR['mean']).view(1, 3, 1, 1)
    std = torch.tensor(PREPROCESSOR['std']).view(1, 3, 1, 1)
    inputs = (crop.float() - mean) / std
    out = mentor(torch.cat([inputs, inputs.flip(-1)]))
    assert out.shape == (2, 17, 3) and torch.isfinite(out).all()
    # coordinates in [0, 1] of its input; the padded crop spans x in
    # [24, 168] of 192: the keypoints stay on the person's side of it
    assert (out[..., :2] >= 0).all() and (out[..., :2] <= 1).all()
    assert ((out[..., 2] >= 0) & (out[..., 2] <= 1)).all()
    student = describe_pose_output('s', build_model('simcc', 0))
    bridged = MentorBridge('movenet', space, student)(mentor, inputs)
    assert [b.shape for b in bridged] == [(1, 17, 96), (1, 17, 128)]


def test_tflite_without_litert_is_a_clear_error(monkeypatch, mmpose_scope):
    if not osp.isfile(MOVENET):
        pytest.skip(f'{MOVENET} is not on this machine')
    monkeypatch.setitem(sys.modules, 'ai_edge_litert', None)
    monkeypatch.setitem(sys.modules, 'ai_edge_litert.interpreter', None)
    with pytest.raises(ImportError, match='install the package '
                       '`ai-edge-litert`'):
        FileMentor(MOVENET, preset='movenet_singlepose',
                   data_preprocessor=PREPROCESSOR)


@pytest.mark.parametrize('change,message', [
    (dict(keypoints=16), r"student\.onnx'?: keypoints \(simcc_x rows\) "
     r'declares 16 but the file has 17'),
    (dict(input=dict(size=(64, 64), mean=PREPROCESSOR['mean'],
                     std=PREPROCESSOR['std'])),
     r'its input is \?x3x64x48 but `input.size`/`input.layout` declare'),
    (dict(input=dict(size=(48, 64), dtype='uint8')),
     r'its input is float32 but `input.dtype` declares uint8'),
    (dict(output=dict(kind='heatmaps')),
     r"output.kind='heatmaps' \(outputs\) declares 1 but the file has 2"),
    (dict(output=dict(kind='simcc', split_ratio=3.0)),
     r'SimCC outputs have \(96, 128\) bins, not input size x '
     r'output.split_ratio'),
    (dict(output=dict(kind='coordinates', scores=True)),
     r'declares 1 but the file has 2'),
    (dict(output=dict(kind='simcc', spread=2)),
     r'`output` has unknown fields \[.spread.\]'),
    (dict(input=dict(size=(48, 64), fit='cropped')),
     r'`input.fit` is .cropped.; use one of'),
])
def test_a_file_unlike_its_declaration_is_refused(change, message, exported,
                                                  mmpose_scope):
    _, onnx_path, _ = exported['simcc']
    with pytest.raises(ModelFileError, match=message) as error:
        FileMentor(**{k: v for k, v in declaration(
            'simcc', onnx_path, **change).items() if k != 'type'})
    assert onnx_path in str(error.value)


@pytest.mark.parametrize('content,message', [
    (b'', 'is empty'),
    (b'\x08\x07garbage' * 10, 'could not be loaded as onnx'),
])
def test_broken_files_are_refused(content, message, tmp_path, mmpose_scope):
    path = tmp_path / 'broken.onnx'
    path.write_bytes(content)
    with pytest.raises(ModelFileError, match=message):
        FileMentor(str(path), **{k: v for k, v in declaration(
            'simcc', '').items() if k not in ('type', 'file')})


def test_unknown_and_missing_files(tmp_path):
    with pytest.raises(ModelFileError, match=r"unknown model file type "
                       r"'\.bin'"):
        FileMentor(str(tmp_path / 'm.bin'), data_preprocessor=PREPROCESSOR)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        FileMentor(str(tmp_path / 'm.onnx'), data_preprocessor=PREPROCESSOR)
    with pytest.raises(ValueError, match='unknown preset'):
        FileMentor(MOVENET, preset='movenet_multipose',
                   data_preprocessor=PREPROCESSOR)


@pytest.mark.parametrize('preset,input_order', [
    ('rtmpose_mmdeploy', 'network'), ('rtmpose_rtmlib', 'bgr')])
def test_rtmpose_presets_read_both_input_conventions(preset, input_order,
                                                     tmp_path, mmpose_scope):
    """The SimCC student exported as mmdeploy feeds it (RGB) and as rtmlib
    does (BGR, mean/std as listed): the one-line presets (the student's
    size and head overridden) give its outputs."""
    tool = load_tool('deploy_student')
    model = build_model('simcc', seed=3)
    checkpoint = str(tmp_path / 'student.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)
    info = tool.deploy_student(STUDENTS['simcc'], checkpoint,
                               str(tmp_path / 'student'), image=COCO_IMAGE,
                               input_order=input_order)
    mentor = FileMentor(info['onnx']['path'], preset=preset,
                        input=dict(size=(48, 64)),
                        output=dict(OUTPUTS['simcc']),
                        data_preprocessor=PREPROCESSOR)
    assert mentor.input_decl.channel_order == (
        'BGR' if preset == 'rtmpose_rtmlib' else 'RGB')
    inputs = torch.randn(3, 3, 64, 48)
    with torch.no_grad():
        expected = model(inputs, None, mode='tensor')
    for e, g in zip(expected, mentor(inputs)):
        torch.testing.assert_close(g, e, rtol=0, atol=1e-4)
