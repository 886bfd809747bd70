"""The distiller's checkpoint layout: the student's own names at the top of
the state dict, connectors and the skip cache beside them, no mentor. Plain
hosts load such a checkpoint into the plain student config and get the
distilled student exactly (MMPose's ``init_model``, MMPretrain's
``get_model``); a distiller resumes from it exactly; MMEngine's ``EMAHook``
with mentor skipping trains and resumes."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import (get_state_dict, load_checkpoint,
                                        save_checkpoint, weights_to_cpu)

from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils import torch_load_safely
from tests.helpers import pose_models
from tests.helpers.tiny_classifiers import classifier_cfg, feature_cfg
from tests.helpers.tiny_runs import (batch, run_config, save_mentors,
                                     write_image_folder)


def save_as_the_runner(model, path, **meta):
    save_checkpoint(dict(meta=dict(epoch=1, iter=4, **meta),
                         state_dict=weights_to_cpu(get_state_dict(model))),
                    str(path))
    return str(path)


def step(model, data):
    model.train()
    model(**model.data_preprocessor(copy.deepcopy(data), True), mode='loss')


def test_pose_checkpoint_loads_with_mmpose_init_model(mmpose_scope,
                                                     tmp_path):
    from mmpose.apis import init_model
    student_cfg = pose_models.heatmap_model(base_channels=8)
    model = pose_models.distiller(
        student_cfg, dict(peer=pose_models.heatmap_model(base_channels=16)),
        tmp_path, connectors=dict(peer=dict(
            type='ConvConnector', in_channels=64, out_channels=128)),
        feature_loss=dict(type='FeatureMSELoss'))
    with torch.no_grad():
        for p in model.student.parameters():
            p.add_(0.01 * torch.randn_like(p))  # "distilled"
    path = save_as_the_runner(model, tmp_path / 'epoch_1.pth')
    keys = torch.load(path, weights_only=True)['state_dict']
    assert set(model.student.state_dict()) <= set(keys)
    assert not any(k.startswith(('student.', 'mentors.')) for k in keys)
    assert any(k.startswith('connectors.peer.') for k in keys)

    plain = init_model(Config(dict(model=student_cfg)), path, device='cpu')
    inputs, _ = pose_models.batch(2)
    model.eval()
    with torch.no_grad():
        expected = model.student(inputs, None, mode='tensor')
        got = plain(inputs, None, mode='tensor')
    torch.testing.assert_close(got, expected, rtol=0, atol=0)


def test_classifier_checkpoint_loads_with_mmpretrain_get_model(
        mmpretrain_scope, tmp_path):
    from mmpretrain.apis import get_model
    model = MODELS.build(feature_cfg(tmp_path, mentor_skipping=None))
    step(model, batch())
    path = save_as_the_runner(model, tmp_path / 'epoch_1.pth')
    plain = get_model(Config(dict(model=classifier_cfg(4))),
                      pretrained=path)
    data = plain.data_preprocessor(batch(), False)
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(
            plain(data['inputs'], mode='tensor'),
            model.student(data['inputs'], mode='tensor'), rtol=0, atol=0)


def test_distiller_resumes_exactly_from_its_checkpoint(mmpretrain_scope,
                                                       tmp_path):
    cfg = feature_cfg(tmp_path, mentor_skipping=dict(margin=0.0))
    cfg.update(policy=dict(type='KnowledgeFilter'),
               feature_loss=dict(type='FeatureMSELoss'))
    data = batch()
    for sample_idx, sample in enumerate(data['data_samples']):
        sample.set_metainfo(dict(sample_idx=sample_idx))
    model = MODELS.build(copy.deepcopy(cfg))
    step(model, data)
    path = save_as_the_runner(model, tmp_path / 'epoch_1.pth')
    torch.manual_seed(9)
    fresh = MODELS.build(copy.deepcopy(cfg))
    load_checkpoint(fresh, path, strict=True)
    for key, value in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[key].nan_to_num(-1),
                           value.nan_to_num(-1)), key
    # a cache for other mentors is refused, naming the cause
    cfg3 = copy.deepcopy(cfg)
    cfg3['mentors']['m2'] = copy.deepcopy(cfg['mentors']['m1'])
    with pytest.raises(ValueError, match=r'cache is for 2 mentors, the '
                       r"classroom has 3 \(\['m0', 'm1', 'm2'\]\)"):
        load_checkpoint(MODELS.build(cfg3), path, strict=False)


@pytest.mark.slow
def test_ema_hook_with_mentor_skipping_trains_and_resumes(
        mmpretrain_scope, tmp_path):
    """RTMPose recipes ship EMAHook: its averaged copy of the model shares
    the classroom (mentors and skip cache are not averaged), trains with
    mentor skipping, and the run resumes; the EMA student is at the top of
    the checkpoint (what a plain host loads)."""
    from mmengine.runner import Runner
    from classroomkd_mm.apis.runner_config import prepare_runner_config
    data = write_image_folder(str(tmp_path / 'data'))
    mentors = save_mentors(str(tmp_path))
    work_dir = str(tmp_path / 'work')

    def config(max_epochs):
        cfg = Config(run_config(data, work_dir, mentors,
                                max_epochs=max_epochs,
                                custom_hooks=[dict(type='EMAHook',
                                                   momentum=0.1)]))
        cfg.model.mentor_skipping = dict(margin=0.0, reprobe_fraction=0.1)
        return prepare_runner_config(cfg)

    runner = Runner.from_cfg(config(2))
    runner.train()
    saved = torch_load_safely(osp.join(work_dir, 'epoch_2.pth'))
    assert not any(k.startswith(('student.', 'mentors.'))
                   for k in saved['state_dict'])
    assert saved['state_dict']['classroom.skip_cache.visits'].sum() > 0
    ema = saved['ema_state_dict']
    assert 'module.head.fc.weight' in ema
    assert not any('mentors' in k for k in ema)
    assert set(saved['meta']['mentor_sha256']) == {'m0', 'm1'}
    resumed = Runner.from_cfg(config(3))
    resumed._resume = True
    resumed._load_from = osp.join(work_dir, 'epoch_2.pth')
    resumed.train()
    assert osp.isfile(osp.join(work_dir, 'epoch_3.pth'))


@pytest.mark.slow
def test_resume_with_a_changed_mentor_names_it(mmpretrain_scope, tmp_path):
    from mmengine.runner import Runner
    from classroomkd_mm.apis.runner_config import prepare_runner_config
    data = write_image_folder(str(tmp_path / 'data'))
    mentors = save_mentors(str(tmp_path))
    work_dir = str(tmp_path / 'work')
    cfg = prepare_runner_config(Config(run_config(data, work_dir, mentors,
                                                  max_epochs=1)))
    Runner.from_cfg(copy.deepcopy(cfg)).train()
    changed = mentors['m1']['checkpoint']
    state = torch.load(changed, weights_only=True)
    state['meta'] = dict(retrained=True)
    torch.save(state, changed)
    cfg.train_cfg.max_epochs = 2
    cfg.resume = True
    cfg.load_from = osp.join(work_dir, 'epoch_1.pth')
    with pytest.raises(ValueError, match=r"Resume: mentor 'm1' changed "
                       r'since the checkpoint was saved: .*mentor1.pth'):
        Runner.from_cfg(cfg).train()
