"""Every policy through ClassroomDistiller.loss with a tiny mmpretrain
classifier: finite losses and gradients, clear config errors."""
import pytest
import torch

from classroomkd_mm.models import ClassroomDistiller
from tests.helpers.classroom_probes import mentors_of

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

POLICIES = [
    dict(type='KnowledgeFilter'),
    dict(type='KnowledgeFilter', granularity='batch', weight_norm='none'),
    dict(type='KFOnly'),
    dict(type='MentoringOnly'),
    dict(type='SingleMentorKD', mentor_index=1, alpha=0.9,
         student_confidence=0.1),
    dict(type='AverageMentors'),
    dict(type='CAMKD'),
    dict(type='EntropyWeighted'),
    dict(type='RandomMentorDrop', drop_num=1),
]


def lenet():
    return dict(
        type='mmpretrain.ImageClassifier',
        backbone=dict(type='mmpretrain.LeNet5', num_classes=-1),
        neck=dict(type='mmpretrain.GlobalAveragePooling'),
        head=dict(type='mmpretrain.LinearClsHead', num_classes=10,
                  in_channels=120,
                  loss=dict(type='mmpretrain.CrossEntropyLoss')))


@pytest.fixture(scope='module')
def mentors(tmp_path_factory):
    from mmengine.registry import MODELS, init_default_scope
    init_default_scope('mmpretrain')  # module scope: before the fixtures
    root = tmp_path_factory.mktemp('mentors')
    found = {}
    for i, name in enumerate(('strong', 'weak')):
        torch.manual_seed(i)
        path = str(root / f'{name}.pth')
        torch.save(dict(state_dict=MODELS.build(lenet()).state_dict()), path)
        found[name] = dict(model=lenet(), checkpoint=path)
    return found


@pytest.fixture(scope='module')
def batch():
    from mmpretrain.structures import DataSample
    torch.manual_seed(0)
    inputs = torch.randn(4, 1, 32, 32)
    samples = [DataSample().set_gt_label(k) for k in (0, 3, 5, 9)]
    return inputs, samples


@pytest.mark.parametrize('policy', POLICIES, ids=lambda p: p['type'])
def test_policy_trains_a_step(policy, mentors, batch):
    fixed_t = policy['type'] not in ('KnowledgeFilter', 'MentoringOnly')
    model = ClassroomDistiller(
        student=lenet(), mentors=mentors, policy=policy,
        mentoring=dict(type='MentoringLoss', tau=4.0,
                       base_temperature=4.0 if fixed_t else 1.0))
    losses = model.loss(*batch)
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()
    for p in model.student.parameters():
        assert p.grad is None or torch.isfinite(p.grad).all()
    assert all(p.grad is None for p in mentors_of(model).parameters())


def test_misspelled_policy_is_named(mentors):
    with pytest.raises(KeyError, match=r"policy type 'CAMKd'.*'CAMKD'"):
        ClassroomDistiller(student=lenet(), mentors=mentors,
                           policy=dict(type='CAMKd'))


def test_bad_policy_argument_fails_at_build(mentors):
    with pytest.raises(ValueError, match='drop_num'):
        ClassroomDistiller(student=lenet(), mentors=mentors,
                           policy=dict(type='RandomMentorDrop', drop_num=-1))


def test_single_mentor_index_checked_on_first_step(mentors, batch):
    model = ClassroomDistiller(student=lenet(), mentors=mentors,
                               policy=dict(type='SingleMentorKD',
                                           mentor_index=2))
    with pytest.raises(ValueError, match=r'mentor_index=2 .* 2 mentor'):
        model.loss(*batch)
