"""GPU-relevant properties of the training step, checked on the CPU:
mentors run under the student's autocast (``--amp``), and nothing in the
step synchronises host and device once per mentor."""
from unittest import mock

import pytest
import torch

from benchmarks.speed import count_host_syncs, loss_syncs
from tests.helpers.tiny_classifiers import distiller_cfg
from tests.helpers.classroom_probes import mentors_of

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def cls_batch(n=6, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    return dict(
        inputs=[torch.randint(0, 256, (3, 16, 16), generator=g).float()
                for _ in range(n)],
        data_samples=[DataSample().set_gt_label(i % 4) for i in range(n)])


def build(cfg):
    from classroomkd_mm.registry import MODELS
    return MODELS.build(cfg)


def amp_optim_wrapper(model):
    """MMEngine's real AmpOptimWrapper (what ``tools/train.py --amp`` sets);
    it refuses to be built without a GPU, so the check is mocked for the
    construction only. On the CPU its ``optim_context`` is
    ``torch.autocast('cpu', dtype=torch.bfloat16)``."""
    from mmengine.optim import AmpOptimWrapper
    with mock.patch('mmengine.optim.optimizer.amp_optimizer_wrapper.'
                    'is_cuda_available', return_value=True):
        return AmpOptimWrapper(optimizer=torch.optim.SGD(
            [p for p in model.parameters() if p.requires_grad], lr=0.01))


@pytest.mark.parametrize('policy', ['KnowledgeFilter', 'AverageMentors'])
def test_mentors_run_under_the_students_autocast(tmp_path, policy):
    model = build(distiller_cfg(tmp_path, widths=(8, 6),
                                policy=dict(type=policy)))
    model.train()
    dtypes = {}
    for name, mentor in mentors_of(model).items():
        mentor.head.register_forward_hook(
            lambda m, i, out, name=name: dtypes.__setitem__(name, out.dtype))
    ow = amp_optim_wrapper(model)
    before = {k: v.clone() for k, v in model.student.state_dict().items()}
    logs = model.train_step(cls_batch(), ow)
    # Mentors ran inside the autocast region the optimiser wrapper opened
    # around the forward (BaseModel.train_step -> optim_context).
    assert dtypes == {'m0': torch.bfloat16, 'm1': torch.bfloat16}
    assert all(torch.isfinite(v).all() for v in logs.values())
    assert all(p.grad is None for p in mentors_of(model).parameters())
    changed = [k for k, v in model.student.state_dict().items()
               if v.is_floating_point() and not torch.equal(v, before[k])]
    assert changed
    # Outside the step nothing stays in autocast.
    assert not torch.is_autocast_enabled('cpu')


def test_sync_counter_sees_the_syncs_it_should():
    x = torch.randn(5)
    with count_host_syncs() as counts:
        float(x.sum())
        bool(x[0] > 0)
        x[x > 0]
        x.tolist()
        torch.where(x > 0, x, torch.zeros_like(x)).sum()
    assert counts['aten._local_scalar_dense'] == 2
    assert counts['aten.index(bool mask)'] == 1
    assert counts['Tensor.tolist'] == 1
    assert sum(counts.values()) == 4


@pytest.mark.parametrize('policy', [
    dict(type='KnowledgeFilter'),
    dict(type='KnowledgeFilter', granularity='batch', weight_norm='none'),
    dict(type='AverageMentors'), dict(type='CAMKD'),
    dict(type='EntropyWeighted'), dict(type='RandomMentorDrop', drop_num=1),
    dict(type='KFOnly'), dict(type='MentoringOnly'),
])
def test_classification_loss_has_no_host_sync(tmp_path, policy):
    """The whole loss (student forward, mentors, errors, policy, mentoring
    loss, diagnostics) of a classifier distiller: no sync at all."""
    assert policy['type'] in _registered(), policy
    for widths in ((8, 6), (8, 6, 5)):
        model = build(distiller_cfg(tmp_path, widths=widths, policy=policy))
        model.train()
        assert dict(loss_syncs(model, cls_batch())) == {}, (policy, widths)


def _registered():
    from classroomkd_mm.registry import MODELS
    return set(MODELS.module_dict)


@pytest.mark.parametrize('kind', ['heatmap', 'simcc'])
def test_pose_loss_syncs_do_not_grow_with_mentors(tmp_path, kind):
    """Pose: the student's own head logs a PCK accuracy through numpy
    (``acc_pose``, as mmpose's heads do), once per step; the distiller adds
    nothing per mentor."""
    pytest.importorskip('mmpose')
    from mmpose.utils import register_all_modules
    from tests.helpers.pose_models import heatmap_model, simcc_model
    from tests.helpers.pose_models import batch, distiller
    register_all_modules()
    make = heatmap_model if kind == 'heatmap' else simcc_model
    counts = {}
    for n in (1, 3):
        mentors = {f'm{i}': make() for i in range(n)}
        model = distiller(make(), mentors, tmp_path)
        model.train()
        inputs, samples = batch()
        model.loss(inputs, samples)  # builds the mentors' runtime, once
        with count_host_syncs() as c:
            model.loss(inputs, samples)
        counts[n] = dict(c)
    assert counts[1] == counts[3], counts
    student_only = build(dict(type='classroomkd_mm.ClassroomDistiller',
                              student=make(), mentors=None))
    inputs, samples = batch()
    with count_host_syncs() as c:
        student_only.loss(inputs, samples)
    assert counts[1] == dict(c), (counts[1], dict(c))
