"""tools/benchmark_mentor_runtime.py's skip state: from one real pass, the
share ``f`` of (sample, mentor) pairs where the mentor is furthest behind
the student is marked far behind, and the distiller's steps then skip
exactly that share."""
import pytest
import torch
from mmpretrain.structures import DataSample

from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_classifiers import NUM_CLASSES, distiller_cfg
from tests.helpers.tiny_runs import load_tool

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


@pytest.mark.parametrize('fraction', [0.25, 0.75])
def test_skip_state_skips_the_set_share(tmp_path, fraction):
    tool = load_tool('benchmark_mentor_runtime')
    model = MODELS.build(distiller_cfg(
        tmp_path, mentor_skipping=dict(margin=1.0, reprobe_fraction=0.0)))
    model.train()
    g = torch.Generator().manual_seed(0)
    batch = dict(
        inputs=list(torch.randint(0, 256, (8, 3, 16, 16), generator=g)
                    .float()),
        data_samples=[DataSample(metainfo=dict(sample_idx=i)).set_gt_label(
            i % NUM_CLASSES) for i in range(8)])
    state = tool.skip_state(model, batch, fraction)
    assert (state['skip_cache.errors'] == 1e6).sum() == round(fraction * 16)
    data = model.data_preprocessor(batch, True)
    model.classroom.load_state_dict(state)
    losses = model(**data, mode='loss')
    rates = [losses[f'classroom.m{m}.skipped_rate'] for m in (0, 1)]
    assert sum(rates) / 2 == fraction
