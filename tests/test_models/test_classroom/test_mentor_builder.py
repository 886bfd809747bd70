"""Mentor checkpoints that lie: a full ClassroomKD checkpoint, empty, text,
truncated, a 404, a refused connection, ``~`` in the path, a mentor without
its own data preprocessor; and a checkpoint of the older layout (with
mentor weights) loading without touching the configured mentors."""
import copy
import glob

import pytest
import torch
from mmengine.runner.checkpoint import (get_state_dict, load_checkpoint,
                                        save_checkpoint, weights_to_cpu)

from tests.helpers.checkpoint_server import closed_port_url, serve_directory
from classroomkd_mm.models.distillers import checkpoint_layout
from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils.safe_checkpoint import (CheckpointDownloadError,
                                                  UnreadableCheckpointError)
from tests.helpers.tiny_runs import run_config, save_mentors, write_image_folder
from tests.helpers.tiny_classifiers import PREPROCESSOR, classifier_cfg, distiller_cfg
from tests.helpers.classroom_probes import mentors_of

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

FIX = 'Re-download or re-copy it'


def save_distiller(model, path):
    """What ``Runner.save_checkpoint`` writes for the model."""
    save_checkpoint(dict(meta=dict(epoch=1, iter=4),
                         state_dict=weights_to_cpu(get_state_dict(model))),
                    str(path))


def assert_same_weights(model, state_dict, prefix=''):
    for key, value in model.state_dict().items():
        torch.testing.assert_close(value, state_dict[prefix + key],
                                   rtol=0, atol=0)


def test_full_classroomkd_checkpoint_as_mentor(tmp_path):
    """A real distiller's checkpoint, saved as MMEngine saves it (the
    student under its own names, no mentors): the mentor takes the
    student's weights."""
    torch.manual_seed(3)
    trained = MODELS.build(distiller_cfg(tmp_path, mentor_skipping=dict()))
    path = tmp_path / 'epoch_1.pth'
    save_distiller(trained, path)
    keys = torch.load(path, weights_only=True)['state_dict']
    assert not any(k.startswith(('mentors.', 'student.')) for k in keys)
    assert any(k.startswith('classroom.skip_cache.') for k in keys)
    cfg = distiller_cfg(tmp_path)
    cfg['mentors']['m2'] = dict(model=classifier_cfg(4), checkpoint=str(path))
    model = MODELS.build(cfg)
    assert_same_weights(model.classroom.mentor('m2'), trained.student.state_dict())


@pytest.mark.slow
def test_checkpoint_of_a_real_run_as_mentor(tmp_path):
    """``epoch_1.pth`` written by a one-epoch Runner run."""
    from mmengine.runner import Runner
    data = write_image_folder(str(tmp_path / 'data'))
    work_dir = tmp_path / 'work'
    runner = Runner.from_cfg(run_config(data, str(work_dir),
                                        save_mentors(str(tmp_path)),
                                        max_epochs=1))
    runner.train()
    cfg = distiller_cfg(tmp_path)
    cfg['mentors']['m2'] = dict(model=classifier_cfg(4),
                                checkpoint=str(work_dir / 'epoch_1.pth'))
    model = MODELS.build(cfg)
    assert_same_weights(model.classroom.mentor('m2'),
                        runner.model.student.state_dict())


def good_bytes(tmp_path):
    path = tmp_path / 'good.pth'
    torch.save(dict(state_dict=MODELS.build(classifier_cfg(8)).state_dict()),
               path)
    return path.read_bytes()


@pytest.mark.parametrize('content,message', [
    ('empty', r'is empty \(0 bytes\)'),
    ('text', r"is not a torch checkpoint \(it starts with b'weights "),
    ('truncated', r'is truncated or corrupt'),
])
def test_unreadable_mentor_checkpoint(content, message, tmp_path):
    cfg = distiller_cfg(tmp_path)
    path = tmp_path / 'bad.pth'
    path.write_bytes({'empty': b'', 'text': b'weights go here\n',
                      'truncated': good_bytes(tmp_path)[:3000]}[content])
    cfg['mentors']['m0']['checkpoint'] = str(path)
    with pytest.raises(UnreadableCheckpointError,
                       match=rf"Mentor 'm0': .*bad.pth.* {message}.*{FIX}"):
        MODELS.build(cfg)


@pytest.mark.parametrize('failure', ['404', 'refused'])
def test_undownloadable_mentor_checkpoint(failure, tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    cfg = distiller_cfg(tmp_path)
    with serve_directory(tmp_path) as base:
        url, reason = (f'{base}/zoo/missing.pth', 'HTTP Error 404') \
            if failure == '404' else (closed_port_url(), 'refused')
        cfg['mentors']['m1']['checkpoint'] = url
        with pytest.raises(CheckpointDownloadError,
                           match=rf"Mentor 'm1': Could not download "
                           rf"checkpoint '{url}': .*{reason}.*Check the URL"):
            MODELS.build(cfg)


def test_tilde_in_a_mentor_path(tmp_path, monkeypatch):
    monkeypatch.setenv('HOME', str(tmp_path))
    cfg = distiller_cfg(tmp_path)
    cfg['mentors']['m0']['checkpoint'] = '~/mentor0.pth'
    model = MODELS.build(cfg)
    assert_same_weights(model.classroom.mentor('m0'),
                        torch.load(tmp_path / 'mentor0.pth',
                                   weights_only=True)['state_dict'])


def test_model_mentor_without_preprocessor_takes_the_students(tmp_path):
    cfg = distiller_cfg(tmp_path)
    del cfg['mentors']['m0']['model']['data_preprocessor']
    model = MODELS.build(cfg)
    mentor_pp = model.classroom.mentor('m0').data_preprocessor
    assert mentor_pp.mean.flatten().tolist() == PREPROCESSOR['mean']
    assert mentor_pp.std.flatten().tolist() == PREPROCESSOR['std']


def test_older_layout_loads_and_keeps_the_configured_mentors(
        tmp_path, monkeypatch):
    """A checkpoint of the layout before mentors left the model state
    (``student.*``, ``mentors.*``; ``Runner.load_checkpoint`` calls the same
    ``load_checkpoint``): the student is loaded, the mentors stay, one
    warning says so; the current layout holds no mentors and says
    nothing."""
    logs = []
    monkeypatch.setattr(checkpoint_layout, 'print_log',
                        lambda msg, **kwargs: logs.append(msg))
    cfg = distiller_cfg(tmp_path)
    torch.manual_seed(5)
    other = MODELS.build(copy.deepcopy(cfg))
    with torch.no_grad():
        for p in other.parameters():
            p.add_(1.0)
    old = {'student.' + k: v for k, v in other.student.state_dict().items()}
    old.update({'mentors.m0.' + k: v + 1 for k, v in
                other.classroom.mentor('m0').state_dict().items()})
    path = tmp_path / 'other.pth'
    save_checkpoint(dict(meta=dict(epoch=1, iter=4), state_dict=old),
                    str(path))

    model = MODELS.build(copy.deepcopy(cfg))
    configured = copy.deepcopy(mentors_of(model).state_dict())
    load_checkpoint(model, str(path), strict=True)
    assert_same_weights(model.student, other.student.state_dict())
    assert_same_weights(mentors_of(model), configured)
    assert len(logs) == 1 and 'holds mentor weights' in logs[0]

    logs.clear()  # the current layout: nothing to say
    save_distiller(model, path)
    load_checkpoint(MODELS.build(copy.deepcopy(cfg)), str(path), strict=True)
    assert logs == []
    assert not glob.glob(str(tmp_path / '*.tmp'))
