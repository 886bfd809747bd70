"""Bad input gives a clear error that names the problem and the fix.

One test per case (the tiny models come from tests/helpers/). Checks that
live with their feature: a misspelled policy in a real distiller
(tests/test_models/test_policies/test_policies_in_distiller.py), bad policy
arguments (tests/test_models/test_policies), a SimCC mentor for a heatmap
student (test_pose_distiller.py beside this file).
"""
import pytest
import torch
from mmengine.runner.checkpoint import CheckpointLoader

from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_runs import batch
from tests.helpers.tiny_classifiers import (NUM_CLASSES, classifier_cfg,
                                            distiller_cfg, save_checkpoint)

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

SAME_OUTPUT_SPACE = "pick mentors trained on the student's dataset"


@pytest.fixture
def pose_scope():
    pytest.importorskip('mmpose')
    from mmpose.utils import register_all_modules
    register_all_modules()


def pose_distiller(student, mentor, tmp_path):
    from mmpose.registry import MODELS as POSE_MODELS
    path = str(tmp_path / 'mentor.pth')
    torch.save(dict(state_dict=POSE_MODELS.build(mentor).state_dict()), path)
    return MODELS.build(dict(
        type='classroomkd_mm.ClassroomDistiller', student=student,
        mentors=dict(mentor=dict(model=mentor, checkpoint=path))))


# ---- mentor and student disagree ------------------------------------------
def test_mentor_predicts_other_classes(tmp_path):
    cfg = distiller_cfg(tmp_path)
    path = str(tmp_path / 'ten.pth')
    save_checkpoint(classifier_cfg(8, num_classes=10), path)
    cfg['mentors']['m0'] = dict(
        model=classifier_cfg(8, num_classes=10), checkpoint=path)
    with pytest.raises(ValueError, match=r"'m0' predicts num_classes=10 but "
                       r'the student predicts num_classes=4.*' +
                       SAME_OUTPUT_SPACE):
        MODELS.build(cfg)


@pytest.mark.parametrize('what', ['keypoints', 'heatmap_size'])
def test_pose_mentor_predicts_other_keypoints_or_heatmap_size(
        what, pose_scope, tmp_path):
    from tests.helpers.pose_models import CODEC_128x96, heatmap_model
    if what == 'keypoints':  # an MPII mentor for a COCO student
        mentor, message = heatmap_model(16), r'num_keypoints=16 .*=17'
    else:
        mentor = heatmap_model(codec=dict(CODEC_128x96, heatmap_size=(48, 64)))
        message = r'heatmap_size=\(48, 64\) .*heatmap_size=\(24, 32\)'
    with pytest.raises(ValueError, match=message + '.*' + SAME_OUTPUT_SPACE):
        pose_distiller(heatmap_model(), mentor, tmp_path)


# ---- checkpoints ----------------------------------------------------------
@pytest.mark.parametrize('where', ['mentor', 'mentor_unset', 'load_from'])
def test_checkpoint_path_missing(where, tmp_path):
    missing = str(tmp_path / 'nope.pth')
    if where == 'load_from':  # load_from / resume / init_cfg all go here
        with pytest.raises(FileNotFoundError, match=r'nope.pth.* does not '
                           r'exist. Check the path'):
            CheckpointLoader.load_checkpoint(missing, 'cpu')
        return
    cfg = distiller_cfg(tmp_path)
    if where == 'mentor':
        cfg['mentors']['m1']['checkpoint'] = missing
        error, message = FileNotFoundError, (
            r"Mentor 'm1'.*does not exist. Train the mentor first, or fix "
            'the path')
    else:
        del cfg['mentors']['m1']['checkpoint']
        error, message = ValueError, (
            r"Mentor 'm1' has no `checkpoint`.*set `checkpoint=`")
    with pytest.raises(error, match=message):
        MODELS.build(cfg)


@pytest.mark.parametrize('how', ['keys', 'shapes'])
def test_checkpoint_keys_do_not_fit(how, tmp_path):
    cfg = distiller_cfg(tmp_path)
    if how == 'keys':
        wrong = str(tmp_path / 'wrong.pth')
        state = save_checkpoint(classifier_cfg(8), wrong).state_dict()
        state['head.extra.weight'] = torch.zeros(1)
        del state['head.fc.bias']
        torch.save(dict(state_dict=state), wrong)
        names = r'Missing keys \(1\): head.fc.bias. Unexpected keys \(1\): ' \
            r'head.extra.weight'
    else:  # the width-6 mentor's weights for the width-8 mentor
        wrong = cfg['mentors']['m1']['checkpoint']
        names = (r"Shape mismatches \(26\): backbone.bn1.bias \(checkpoint "
                 r"\[6\], model \[8\]\)")
    cfg['mentors']['m0']['checkpoint'] = wrong
    with pytest.raises(ValueError, match=r"Mentor 'm0': checkpoint .* does "
                       r'not match its model.*' + names +
                       r'.*Check that the mentor config is the one the '
                       'checkpoint was trained with'):
        MODELS.build(cfg)


# ---- what the distiller cannot handle -------------------------------------
@pytest.mark.parametrize('head', ['none', 'multi_label'])
def test_unsupported_head(head, tmp_path):
    cfg = distiller_cfg(tmp_path)
    if head == 'none':
        cfg['student'] = dict(
            type='ImageClassifier', _scope_='mmpretrain',
            backbone=dict(type='LeNet5'),
            data_preprocessor=dict(type='ClsDataPreprocessor'))
        name = 'NoneType'
    else:  # sigmoid scores: a softmax error and KL would be meaningless
        cfg['student']['head'] = dict(
            type='MultiLabelLinearClsHead', num_classes=NUM_CLASSES,
            in_channels=4)
        name = 'MultiLabelLinearClsHead'
    with pytest.raises(ValueError, match=r'unsupported student '
                       rf'ImageClassifier with head {name}.*Supported:.*'
                       r'Use one of those heads, or pass `adapter=`'):
        MODELS.build(cfg)


@pytest.mark.parametrize('role,cfg,closest', [
    ('policy', dict(policy=dict(type='KnowlegeFilter')), 'KnowledgeFilter'),
    ('divergence', dict(mentoring=dict(
        type='MentoringLoss', divergence=dict(type='LogitKLDivergnce'))),
     'LogitKLDivergence'),
    ('mentoring', dict(mentoring=dict(type='MentorLoss')), 'MentoringLoss'),
    ('adapter', dict(adapter=dict(type='ClassifierAdaptor')),
     'ClassifierAdapter'),
])
def test_unknown_component_names_the_closest(role, cfg, closest, tmp_path):
    with pytest.raises(KeyError, match=rf"unknown {role} type .*did you mean "
                       rf"'{closest}'.*custom_imports"):
        MODELS.build(distiller_cfg(tmp_path, **cfg))


def test_mentor_fed_another_normalisation(tmp_path):
    cfg = distiller_cfg(tmp_path)
    other = dict(cfg['mentors']['m0']['model']['data_preprocessor'])
    other.update(mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0])
    cfg['mentors']['m0']['model']['data_preprocessor'] = other
    with pytest.raises(ValueError, match=r"Mentor 'm0' was configured with "
                       r'input normalisation .*mean.: \[0.0, 0.0, 0.0\].*but '
                       r'the student normalises with .*127.5.*Use mentors '
                       "trained with the student's normalisation"):
        MODELS.build(cfg)


# ---- soft labels ----------------------------------------------------------
@pytest.mark.parametrize('policy', [
    'KnowledgeFilter', 'KFOnly', 'MentoringOnly', 'SingleMentorKD',
    'AverageMentors', 'CAMKD', 'EntropyWeighted', 'RandomMentorDrop'])
def test_soft_labels_work_with_every_policy(policy, tmp_path):
    """No policy needs hard labels (docs/reliability.md): the errors are
    cross-entropies against the soft target, so every policy trains on
    mixup/cutmix/label-smoothing batches."""
    model = MODELS.build(distiller_cfg(tmp_path, policy=dict(type=policy)))
    data = model.data_preprocessor(batch(soft=True), training=True)
    assert data['data_samples'][0].gt_score.shape == (NUM_CLASSES, )
    losses = model(**data, mode='loss')
    total = sum(v for k, v in losses.items() if 'loss' in k)
    assert torch.isfinite(total)
    total.backward()


def test_soft_label_entropy_cancels_in_the_ranking():
    """Why KF and CA-MKD need no hard labels: against a soft target ``y`` the error is
    ``H(y) + KL(y || q)``; ``H(y)`` is the same for the student and every
    mentor and cancels in the mask, the weights and the gaps (the student's
    confidence ``p_s`` keeps a factor ``exp(-H(y))``, documented)."""
    from classroomkd_mm.models import CAMKD, ClassroomEvidence, KnowledgeFilter
    from classroomkd_mm.models.adapters.classifier_adapter import \
        classification_error
    torch.manual_seed(0)
    target = torch.softmax(torch.randn(5, NUM_CLASSES), -1)
    logits = torch.randn(4, 5, NUM_CLASSES) * 2
    errors = torch.stack([classification_error(z, target) for z in logits])
    entropy = torch.special.entr(target).sum(-1)
    for policy in (KnowledgeFilter(), CAMKD()):  # CA-MKD: a softmax
        soft = policy(ClassroomEvidence.from_errors(errors[0], errors[1:]))
        kl_only = policy(ClassroomEvidence.from_errors(
            errors[0] - entropy, errors[1:] - entropy))
        assert torch.equal(soft.active, kl_only.active)
        torch.testing.assert_close(soft.weights, kl_only.weights)
        if soft.gaps is not None:
            torch.testing.assert_close(soft.gaps, kl_only.gaps)


# ---- an empty classroom ---------------------------------------------------
@pytest.mark.slow
def test_empty_classroom_trains_as_nokd_and_says_so_once(tmp_path):
    import glob
    from mmengine.runner import Runner
    from tests.helpers.tiny_runs import run_config, write_image_folder
    data = write_image_folder(str(tmp_path / 'data'))
    cfg = run_config(data, str(tmp_path / 'work'), mentors={}, max_epochs=2)
    runner = Runner.from_cfg(cfg)
    runner.train()  # 2 epochs x 4 iterations, 2 checkpoints

    logs = glob.glob(str(tmp_path / 'work' / '*' / '*.log'))
    text = open(logs[0]).read()
    assert text.count('the classroom is empty (no mentors)') == 1
    assert 'WARNING - ClassroomDistiller: the classroom is empty (no ' \
        'mentors), so the student trains alone (NoKD). To distil, list ' \
        'mentors' in text
    # NoKD: the loss is exactly the bare student's, nothing else is logged.
    model = runner.model
    data = model.data_preprocessor(batch(), training=True)
    losses = model(**data, mode='loss')
    assert set(losses) == {'student.loss'}
    torch.testing.assert_close(losses['student.loss'],
                               model.student(**data, mode='loss')['loss'])
