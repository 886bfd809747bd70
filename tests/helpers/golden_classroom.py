"""Seeded tiny classrooms and a recorded batch for the golden test: the
losses and Knowledge Filtering's decisions that the distiller gave before
the mentor side moved into ``classroomkd_mm.models.classroom`` (values
recorded from main at 402de41; the bridged pose case from that distiller
with the bridges of b6bb556, which changed its mentors' targets by design)."""
import torch
from mmengine.registry import init_default_scope

from tests.helpers import pose_models, tiny_classifiers, tiny_runs


def _classifier(tmp_path, **kwargs):
    init_default_scope('mmpretrain')
    cfg = tiny_classifiers.distiller_cfg(tmp_path, widths=(8, 6, 5),
                                         **kwargs)
    from classroomkd_mm.registry import MODELS
    torch.manual_seed(0)
    return MODELS.build(cfg)


def _pose(tmp_path, **kwargs):
    init_default_scope('mmpose')
    mentors = dict(
        wide=pose_models.heatmap_model(base_channels=32),
        simcc=pose_models.simcc_model(channels=32),
        hires=pose_models.heatmap_model(
            base_channels=8,
            codec=dict(type='MSRAHeatmap', input_size=(192, 256),
                       heatmap_size=(48, 64), sigma=2)))
    torch.manual_seed(0)
    return pose_models.distiller(pose_models.heatmap_model(), mentors,
                                 tmp_path, **kwargs)


#: name -> (builder, kwargs, steps); every case runs ``steps`` training
#: losses on the recorded batch(es) (skipping needs several to skip).
CASES = {
    'classifier.kf': (_classifier, {}, 1),
    'classifier.kf.skipping': (_classifier, dict(
        mentor_skipping=dict(margin=0.0, reprobe_fraction=0.2)), 3),
    'classifier.camkd.feature': (_classifier, dict(
        policy=dict(type='CAMKD'),
        connectors={f'm{i}': dict(type='ConvConnector', in_channels=4,
                                  out_channels=width)
                    for i, width in enumerate((8, 6, 5))},
        feature_loss=dict(type='FeatureMSELoss', weighting='camkd'),
        ), 1),
    'pose.kf.bridged': (_pose, {}, 1),
}


def classifier_batch(step):
    from mmpretrain.structures import DataSample
    data = tiny_runs.batch(n=6, seed=step)
    samples = []
    for i, sample in enumerate(data['data_samples']):
        sample.set_metainfo(dict(sample_idx=i))
        samples.append(sample)
    return dict(inputs=data['inputs'], data_samples=samples)


class _Recording:
    """The policy, recording each plan's active mask."""

    def __init__(self, policy, plans):
        self.policy, self.plans = policy, plans

    def __getattr__(self, name):
        return getattr(self.policy, name)

    def __call__(self, evidence):
        plan = self.policy(evidence)
        self.plans.append(plan.active.tolist())
        return plan


def run_case(name, tmp_path):
    """``[(losses, active), ...]`` per step: every logged value (floats)
    and the plan's active mask (lists of bools)."""
    build, kwargs, steps = CASES[name]
    model = build(tmp_path, **kwargs)
    model.train()
    plans = []
    model.policy = _Recording(model.policy, plans)
    results = []
    for step in range(steps):
        if name.startswith('classifier'):
            data = model.data_preprocessor(classifier_batch(step), True)
            inputs, samples = data['inputs'], data['data_samples']
        else:
            inputs, samples = pose_models.batch()
        torch.manual_seed(100 + step)
        losses = model.loss(inputs, samples)
        results.append(({k: float(v) for k, v in losses.items()},
                        plans[-1]))
    return results
