"""A checkpoint crafted to run code when unpickled is refused by every path
that loads checkpoints (mentors from a file or a URL, ``load_from``,
``resume``, ``init_cfg`` pretrained weights, mmpretrain's ``get_model``,
``tools/export_student.py``), and the payload never runs."""
import os
import os.path as osp
import shutil

import pytest
import torch
from mmengine.config import Config

from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils.safe_checkpoint import UnsafeCheckpointError
from tests.helpers.tiny_runs import (load_tool, run_config, save_mentors,
                                     write_image_folder)
from tests.helpers.tiny_classifiers import classifier_cfg, distiller_cfg
from tests.helpers.hostile_payload import REFUSED, Payload

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

export_tool = load_tool('export_student')


@pytest.fixture
def evil(tmp_path):
    """``(path, marker)``: a well-formed MMEngine checkpoint (real weights)
    whose meta carries the payload."""
    marker = str(tmp_path / 'payload_ran')
    path = str(tmp_path / 'evil.pth')
    torch.manual_seed(0)
    state = MODELS.build(classifier_cfg(4)).state_dict()
    torch.save(dict(state_dict=state, meta=dict(x=Payload(marker))), path)
    yield path, marker
    assert not osp.exists(marker), 'the payload ran'


def test_the_payload_is_live(evil, tmp_path):
    """Positive control: an unsafe load (what torch < 2.6 did by default)
    does run it; the fixture's check is meaningful."""
    path, marker = evil
    torch.load(path, weights_only=False)
    assert osp.exists(marker)
    os.remove(marker)


def test_mentor_checkpoint_from_a_file(evil, tmp_path):
    cfg = distiller_cfg(tmp_path)
    cfg['mentors']['m0'] = dict(model=classifier_cfg(4), checkpoint=evil[0])
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        MODELS.build(cfg)


def test_mentor_checkpoint_from_a_url(evil, tmp_path, monkeypatch):
    downloads = []

    def fake_download(url, dst, *args, **kwargs):
        downloads.append(url)
        shutil.copy(evil[0], dst)

    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setattr(torch.hub, 'download_url_to_file', fake_download)
    cfg = distiller_cfg(tmp_path)
    cfg['mentors']['m0'] = dict(
        model=classifier_cfg(4),
        checkpoint='https://download.example.org/zoo/mentor_20240101.pth')
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        MODELS.build(cfg)
    assert downloads == [cfg['mentors']['m0']['checkpoint']]


def test_init_cfg_pretrained_weights(evil):
    cfg = classifier_cfg(4)
    cfg['init_cfg'] = dict(type='Pretrained', checkpoint=evil[0])
    model = MODELS.build(cfg)
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        model.init_weights()


def test_mmpretrain_get_model(evil):
    from mmpretrain.apis import get_model
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        get_model(Config(dict(model=classifier_cfg(4),
                              default_scope='mmpretrain')),
                  pretrained=evil[0])


@pytest.mark.parametrize('how', ['load_from', 'resume_from', 'auto_resume'])
@pytest.mark.slow
def test_runner_load_from_and_resume(how, evil, tmp_path):
    from mmengine.runner import Runner
    data = write_image_folder(str(tmp_path / 'data'))
    work_dir = tmp_path / 'work'
    cfg = run_config(data, str(work_dir), save_mentors(str(tmp_path)),
                     max_epochs=1)
    if how == 'load_from':
        cfg['load_from'] = evil[0]
    elif how == 'resume_from':
        cfg.update(resume=True, load_from=evil[0])
    else:  # --resume with no path: the work dir's last checkpoint
        work_dir.mkdir()
        shutil.copy(evil[0], work_dir / 'epoch_1.pth')
        (work_dir / 'last_checkpoint').write_text(
            str(work_dir / 'epoch_1.pth'))
        cfg['resume'] = True
    runner = Runner.from_cfg(Config(cfg))
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        runner.train()


def test_export_tool(evil, tmp_path):
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        export_tool.main([evil[0], str(tmp_path / 'published.pth')])
    assert not [f for f in os.listdir(tmp_path) if 'published' in f]
