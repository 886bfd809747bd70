"""tools/deploy_student.py, issue 28: a shipped classification config (its
data_preprocessor at the top level) exports; a 1-channel student's sidecar
states the one channel the ONNX file takes; OUT is checked before the export
(a trailing slash, a folder, a link at OUT.onnx or OUT.json are refused with
the path and the fix); both files are written atomically."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch

from tests.helpers.tiny_classifiers import classifier_cfg, save_checkpoint
from tests.helpers.tiny_runs import REPO, dump_config, load_tool

tool = load_tool('deploy_student')
DIGITS = osp.join(REPO, 'configs', 'classification', 'digits')
SHIPPED = [osp.join(DIGITS, 'lenet5_1xb32-20e_digits-30pc.py'),
           osp.join(DIGITS, 'classroomkd_lenet5-from-resnet18-c16-resnet18-'
                    'c8-resnet18-c8-ep2_1xb32-20e_digits-30pc.py')]


def digit_image(path, seed=0):
    import cv2
    rng = np.random.RandomState(seed)
    cv2.imwrite(path, rng.randint(0, 256, (32, 32), dtype=np.uint8))
    return path


def lenet_student(tmp_path):
    """The shipped digits student (its config's top-level data
    preprocessor, as MMEngine's Runner applies it), saved."""
    from mmengine.config import Config
    from mmpretrain.registry import MODELS
    cfg = Config.fromfile(SHIPPED[0])
    model_cfg = cfg.model.to_dict()
    model_cfg['data_preprocessor'] = cfg.data_preprocessor.to_dict()
    torch.manual_seed(0)
    model = MODELS.build(model_cfg).eval()
    path = str(tmp_path / 'lenet5.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return model, path


@pytest.mark.usefixtures('mmpretrain_scope')
@pytest.mark.parametrize('config', SHIPPED,
                         ids=['lenet5', 'classroomkd-digits'])
def test_a_shipped_digits_config_exports_one_channel(tmp_path, config):
    model, checkpoint = lenet_student(tmp_path)
    image = digit_image(str(tmp_path / 'digit.png'))
    out = str(tmp_path / 'zoo' / 'lenet5')
    info = tool.main([config, checkpoint, out, '--image', image,
                      '--input-size', '32', '32'])
    # the top-level data_preprocessor: mean 85, std 110, one channel
    assert info['input']['mean'] == [85.0] and info['input']['std'] == [110.0]
    assert info['input']['shape'] == ['batch', 1, 32, 32]
    assert info['input']['channel_order'] == 'gray'
    import onnx
    graph = onnx.load(out + '.onnx').graph
    dims = [d.dim_param or d.dim_value
            for d in graph.input[0].type.tensor_type.shape.dim]
    assert dims == info['input']['shape']  # the sidecar says what it takes
    assert json.load(open(out + '.json')) == json.loads(json.dumps(info))
    batch = torch.randn(3, 1, 32, 32)
    got = tool.ort_session(out + '.onnx').run(None, {'input': batch.numpy()})
    with torch.no_grad():
        expected = model(batch, mode='tensor')
    np.testing.assert_allclose(got[0], expected.numpy(), atol=1e-4)
    assert sorted(os.listdir(tmp_path / 'zoo')) == ['lenet5.json',
                                                    'lenet5.onnx']


@pytest.mark.usefixtures('mmpretrain_scope')
def test_bgr_input_order_is_refused_for_one_channel(tmp_path):
    _, checkpoint = lenet_student(tmp_path)
    image = digit_image(str(tmp_path / 'digit.png'))
    with pytest.raises(tool.DeploymentError, match='3-channel students.*'
                       'takes 1 channel'):
        tool.deploy_student(SHIPPED[0], checkpoint, str(tmp_path / 'x'),
                            image=image, input_order='bgr',
                            input_size=(32, 32))


def classifier_setup(tmp_path):
    from tests.helpers.tiny_runs import write_image_folder
    data = write_image_folder(str(tmp_path / 'data'))
    save_checkpoint(classifier_cfg(4), str(tmp_path / 'cls.pth'), seed=5)
    config = dump_config(dict(
        model=classifier_cfg(4), default_scope='mmpretrain',
        test_dataloader=dict(dataset=dict(pipeline=[
            dict(type='LoadImageFromFile'), dict(type='PackInputs')]))),
        str(tmp_path / 'classifier.py'))
    return config, str(tmp_path / 'cls.pth'), osp.join(data, 'c1', '0.png')


def export(setup, out):
    config, checkpoint, image = setup
    return tool.deploy_student(config, checkpoint, out, image=image,
                               input_size=(16, 16))


@pytest.fixture
def never_exported(monkeypatch):
    """Fails the test if an export starts."""
    def no_export(*args, **kwargs):
        raise AssertionError('the export ran before OUT was checked')
    monkeypatch.setattr(tool, 'export_onnx', no_export)


@pytest.mark.usefixtures('mmpretrain_scope', 'never_exported')
def test_a_folder_as_out_is_refused_before_the_export(tmp_path):
    setup = classifier_setup(tmp_path)
    zoo = tmp_path / 'zoo'
    zoo.mkdir()
    for out, words in ((str(zoo) + '/', 'names a folder, not a file stem'),
                       (str(zoo), 'is a folder'),
                       (str(zoo / 'student.onnx'), 'ends in .onnx')):
        with pytest.raises(tool.DeploymentError, match=words) as error:
            export(setup, out)
        assert repr(out) in str(error.value)
        assert 'give e.g. zoo/student' in str(error.value)
    (zoo / 'student.onnx').mkdir()
    with pytest.raises(tool.DeploymentError,
                       match='student.onnx.* is not a regular file'):
        export(setup, str(zoo / 'student'))
    assert sorted(os.listdir(zoo)) == ['student.onnx']  # nothing written


@pytest.mark.usefixtures('mmpretrain_scope', 'never_exported')
@pytest.mark.parametrize('suffix', ['.json', '.onnx'])
def test_a_link_at_an_output_is_refused_and_its_target_kept(tmp_path,
                                                            suffix):
    setup = classifier_setup(tmp_path)
    target = tmp_path / 'precious.txt'
    target.write_text('keep me')
    out = str(tmp_path / 'student')
    os.symlink(target, out + suffix)
    with pytest.raises(tool.DeploymentError,
                       match='is a symbolic link.*never writes through'):
        export(setup, out)
    assert target.read_text() == 'keep me'
    assert osp.islink(out + suffix)


@pytest.mark.usefixtures('mmpretrain_scope')
def test_outputs_are_replaced_atomically(tmp_path, monkeypatch):
    """A failure after the export leaves the previous files as they were
    and no temporary file behind; a success replaces both."""
    setup = classifier_setup(tmp_path)
    out = str(tmp_path / 'student')
    for suffix in ('.onnx', '.json'):
        with open(out + suffix, 'w') as f:
            f.write('previous')
    real_dump = json.dump

    def disk_full(*args, **kwargs):
        raise OSError(28, 'No space left on device')
    monkeypatch.setattr(tool.json, 'dump', disk_full)
    with pytest.raises(OSError, match='No space left'):
        export(setup, out)
    assert sorted(os.listdir(tmp_path)) == sorted(
        ['classifier.py', 'cls.pth', 'data', 'student.json', 'student.onnx'])
    assert open(out + '.onnx').read() == open(out + '.json').read() == \
        'previous'
    monkeypatch.setattr(tool.json, 'dump', real_dump)
    info = export(setup, out)
    assert info['onnx']['sha256'] == tool.sha256_of(out + '.onnx')
    assert json.load(open(out + '.json'))['onnx']['path'] == out + '.onnx'
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(out + '.onnx').st_mode & 0o777 == 0o666 & ~umask
