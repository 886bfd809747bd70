"""Every checkpoint scheme MMEngine knows loads through the safe loader; a
hostile file planted in the download cache is refused without running; the
cache keys on the full URL; a file whose name carries a hash must match it.
"""
import hashlib
import os
import os.path as osp
import shutil
import sys
import types

import pytest
import torch
from mmengine.runner.checkpoint import (CheckpointLoader, get_external_models,
                                        get_mmcls_models,
                                        get_torchvision_models)

from tests.helpers.checkpoint_server import serve_directory
from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils import safe_checkpoint
from classroomkd_mm.utils.safe_checkpoint import (UnsafeCheckpointError,
                                                  url_cache_path)
from tests.helpers.tiny_classifiers import classifier_cfg
from tests.helpers.hostile_payload import REFUSED, Payload

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')



@pytest.fixture
def hostile(tmp_path):
    """``(bytes, marker)``: a well-formed checkpoint whose meta runs
    ``touch <marker>`` when unpickled unsafely."""
    marker = str(tmp_path / 'payload_ran')
    path = tmp_path / 'hostile.pth'
    torch.save(dict(state_dict=MODELS.build(classifier_cfg(4)).state_dict(),
                    meta=dict(x=Payload(marker))), path)
    yield path.read_bytes(), marker
    assert not osp.exists(marker), 'the payload ran'


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """An empty torch hub dir; any download fails the test (the cache must
    be used)."""
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))

    def no_download(url, dst, *args, **kwargs):
        raise AssertionError(f'downloaded {url}: the cached file was not used')

    monkeypatch.setattr(torch.hub, 'download_url_to_file', no_download)
    return osp.join(torch.hub.get_dir(), 'checkpoints')


def plant(data, path):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def test_every_registered_scheme_is_the_safe_one():
    safe = {loader for _, loader in safe_checkpoint.SAFE_SCHEMES}
    assert set(CheckpointLoader._schemes) >= {
        '', 'http://', 'https://', 'torchvision://', 'modelzoo://',
        'open-mmlab://', 'openmmlab://', 'mmcls://', 'pavi://'}
    for prefix, loader in CheckpointLoader._schemes.items():
        assert loader in safe, f'{prefix!r} loads with {loader}'


ZOO = [('torchvision://resnet18',
        lambda: get_torchvision_models()['resnet18']),
       ('modelzoo://resnet18',
        lambda: get_torchvision_models()['resnet18']),
       ('open-mmlab://vgg16_caffe',
        lambda: get_external_models()['vgg16_caffe']),
       ('openmmlab://vgg16_caffe',
        lambda: get_external_models()['vgg16_caffe']),
       ('mmcls://resnet18', lambda: get_mmcls_models()['resnet18'])]


@pytest.mark.parametrize('name,url', ZOO, ids=[n for n, _ in ZOO])
def test_hostile_file_in_the_hub_cache_is_refused(name, url, hostile, hub):
    """Planted under the scheme's file name, both where torch hub caches it
    (``<hub>/checkpoints/<file name>``, what MMEngine 0.10.7 loads with
    ``weights_only=False``) and where the safe loader caches it: refused by
    the hash in the file's name, and the payload never runs."""
    url = url()
    plant(hostile[0], osp.join(hub, osp.basename(url)))
    plant(hostile[0], url_cache_path(url))
    with pytest.raises(UnsafeCheckpointError, match=REFUSED + '.*SHA-256'):
        CheckpointLoader.load_checkpoint(name, 'cpu')


def test_hostile_cached_file_with_a_matching_hash_is_refused(hostile, hub):
    """The name's hash matches (an attacker who names his file), so the
    weights_only check refuses it."""
    sha = hashlib.sha256(hostile[0]).hexdigest()
    for url in (f'https://example.org/zoo/mentor-{sha[:8]}.pth',
                'https://example.org/zoo/mentor.pth'):  # no hash at all
        plant(hostile[0], url_cache_path(url))
        with pytest.raises(UnsafeCheckpointError,
                           match=REFUSED + '.*weights_only=True'):
            CheckpointLoader.load_checkpoint(url, 'cpu')


def test_pavi_and_s3_schemes_load_safely(hostile, monkeypatch):
    """``pavi://`` and ``s3://`` with their clients faked (neither is
    installed): the bytes they fetch go through the safe loader."""
    class Model:
        name = 'model.pth'

        def download(self, path):
            plant(hostile[0], path)

    pavi = types.ModuleType('pavi')
    pavi.modelcloud = types.SimpleNamespace(get=lambda path: Model())
    monkeypatch.setitem(sys.modules, 'pavi', pavi)
    with pytest.raises(UnsafeCheckpointError, match=REFUSED):
        CheckpointLoader.load_checkpoint('pavi://team/model.pth', 'cpu')

    import mmengine.fileio
    backend = types.SimpleNamespace(get=lambda path: hostile[0])
    monkeypatch.setattr(mmengine.fileio, 'get_file_backend',
                        lambda *args, **kwargs: backend)
    for url in ('s3://bucket/model.pth', 'open-mmlab:s3://bucket/model.pth'):
        with pytest.raises(UnsafeCheckpointError, match=REFUSED):
            CheckpointLoader.load_checkpoint(url, 'cpu')


def state_of(seed):
    torch.manual_seed(seed)
    return MODELS.build(classifier_cfg(4)).state_dict()


def test_two_urls_with_one_file_name_are_cached_apart(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    served = tmp_path / 'served'
    for folder, seed in (('a', 0), ('b', 1)):
        (served / folder).mkdir(parents=True)
        torch.save(dict(state_dict=state_of(seed)),
                   served / folder / 'mentor.pth')
    with serve_directory(served) as base:
        urls = [f'{base}/a/mentor.pth', f'{base}/b/mentor.pth']
        loaded = [CheckpointLoader.load_checkpoint(u, 'cpu')['state_dict']
                  for u in urls]
        again = CheckpointLoader.load_checkpoint(urls[0], 'cpu')['state_dict']
    key = 'backbone.conv1.weight'
    assert torch.equal(loaded[0][key], state_of(0)[key])
    assert torch.equal(loaded[1][key], state_of(1)[key])
    assert torch.equal(again[key], state_of(0)[key])
    assert url_cache_path(urls[0]) != url_cache_path(urls[1])
    assert all(osp.isfile(url_cache_path(u)) for u in urls)


def test_a_download_must_match_the_hash_in_its_name(tmp_path, monkeypatch):
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    served = tmp_path / 'served'
    served.mkdir()
    torch.save(dict(state_dict=state_of(0)), served / 'plain.pth')
    data = (served / 'plain.pth').read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    shutil.copy(served / 'plain.pth', served / f'good-{sha[:8]}.pth')
    shutil.copy(served / 'plain.pth', served / 'bad-0123abcd.pth')
    with serve_directory(served) as base:
        CheckpointLoader.load_checkpoint(f'{base}/good-{sha[:8]}.pth', 'cpu')
        with pytest.raises(UnsafeCheckpointError,
                           match=r'SHA-256 starting with 0123abcd, but the '
                           rf"file's is {sha[:8]}.*Delete the file"):
            CheckpointLoader.load_checkpoint(f'{base}/bad-0123abcd.pth',
                                             'cpu')
