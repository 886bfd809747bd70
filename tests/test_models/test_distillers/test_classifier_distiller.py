"""ClassroomDistiller with tiny real mmpretrain classifiers."""
import copy

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_classifiers import (NUM_CLASSES, classifier_cfg,
                                            distiller_cfg, save_checkpoint)
from tests.helpers.classroom_probes import mentors_of


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmpretrain')


def batch(n=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (n, 3, 16, 16), generator=g).float()
    samples = [DataSample().set_gt_label(i % NUM_CLASSES) for i in range(n)]
    return dict(inputs=list(images), data_samples=samples)


def build(cfg):
    return MODELS.build(cfg)


def test_loss_keys_and_diagnostics(tmp_path):
    model = build(distiller_cfg(tmp_path))
    data = model.data_preprocessor(batch(), training=True)
    losses = model(**data, mode='loss')
    assert {'student.loss', 'distill.loss_mentoring',
            'classroom.m0.active_rate', 'classroom.m1.active_rate',
            'classroom.student_confidence'} <= set(losses)
    assert all('loss' not in k for k in losses if k.startswith('classroom'))
    for key, value in losses.items():
        assert torch.isfinite(value).all(), key


def test_gradients_reach_student_only_and_mentors_frozen(tmp_path):
    model = build(distiller_cfg(tmp_path))
    mentor_before = copy.deepcopy(mentors_of(model).state_dict())
    student_before = copy.deepcopy(model.student.state_dict())
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5))
    model.train()
    for seed in range(3):
        model.train_step(batch(seed=seed), optim)
    assert all(not m.training for m in mentors_of(model).modules())
    assert all(not p.requires_grad for p in mentors_of(model).parameters())
    assert all(p.grad is None for p in mentors_of(model).parameters())
    for key, value in mentors_of(model).state_dict().items():
        # BN running statistics too: mentors stay in eval mode.
        assert torch.equal(value, mentor_before[key]), key
    changed = [k for k, v in model.student.state_dict().items()
               if not torch.equal(v, student_before[k])]
    assert any('backbone' in k for k in changed)
    assert any(k.startswith('head.') for k in changed)


def test_mentors_stay_in_eval_after_train_calls(tmp_path):
    model = build(distiller_cfg(tmp_path))
    model.train()
    model.eval()
    model.train(True)
    assert model.student.training
    assert not any(m.training for m in mentors_of(model).modules())


def test_predict_and_tensor_match_bare_student(tmp_path):
    model = build(distiller_cfg(tmp_path))
    model.eval()
    bare = build(classifier_cfg(4))
    bare.load_state_dict(model.student.state_dict())
    bare.eval()
    data = batch()
    with torch.no_grad():
        ours = model.test_step(data)
        theirs = bare.test_step(data)
        packed = model.data_preprocessor(data)
        assert torch.equal(model(**packed, mode='tensor'),
                           bare(**packed, mode='tensor'))
    for a, b in zip(ours, theirs):
        assert torch.equal(a.pred_score, b.pred_score)
        assert torch.equal(a.pred_label, b.pred_label)


def test_task_loss_is_confidence_weighted_per_sample(tmp_path):
    model = build(distiller_cfg(tmp_path))
    data = model.data_preprocessor(batch(), training=True)
    losses = model(**data, mode='loss')
    logits, _ = model.adapter.forward(model.student, data['inputs'])
    labels = torch.tensor([s.gt_label.item() for s in data['data_samples']])
    ce = torch.nn.functional.cross_entropy(logits, labels, reduction='none')
    expected = (torch.exp(-ce) * ce).mean()
    torch.testing.assert_close(losses['student.loss'], expected)


def test_soft_labels_from_batch_mixup(tmp_path):
    cfg = distiller_cfg(tmp_path)
    augments = dict(augments=dict(type='Mixup', alpha=1.0))
    cfg['student']['data_preprocessor'].update(batch_augments=augments)
    for mentor in cfg['mentors'].values():
        mentor['model']['data_preprocessor'].update(batch_augments=augments)
    model = build(cfg)
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train()
    data = model.data_preprocessor(batch(), training=True)
    assert 'gt_score' in data['data_samples'][0]
    log_vars = model.train_step(batch(), optim)
    assert torch.isfinite(log_vars['loss'])


# ---- mentors from a distiller checkpoint (bad input: test_bad_input.py)
def test_distiller_checkpoint_as_mentor(tmp_path):
    """A full ClassroomDistiller checkpoint (the student's names at the top,
    the classroom's skip cache beside them) can be a mentor."""
    first = build(distiller_cfg(tmp_path, mentor_skipping=dict()))
    path = str(tmp_path / 'distilled.pth')
    torch.save(dict(state_dict=first.state_dict()), path)
    cfg = distiller_cfg(tmp_path)
    cfg['mentors']['distilled'] = dict(model=classifier_cfg(4),
                                       checkpoint=path)
    second = build(cfg)
    for key, value in first.student.state_dict().items():
        assert torch.equal(second.classroom.mentor('distilled').state_dict()[key],
                           value)
