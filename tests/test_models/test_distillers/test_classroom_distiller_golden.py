"""The golden batch: seeded tiny classrooms (classification with Knowledge
Filtering, with mentor skipping over three steps, CA-MKD with its feature
term; a pose classroom with a SimCC and a bridged 256x192 mentor) give the
losses, diagnostics and KF decisions that main's distiller gave at 402de41,
before the mentor side moved into the classroom
(tests/helpers/golden_classroom_main.json). The bridged pose case was
recorded from that same distiller with the bridges that hand the student its
own target (issue 26, b6bb556): its mentors' outputs changed by design."""
import json
import os.path as osp

import pytest
import torch

from tests.helpers.golden_classroom import CASES, run_case

RECORDED = json.load(open(osp.join(
    osp.dirname(osp.dirname(osp.dirname(__file__))), 'helpers',
    'golden_classroom_main.json')))


@pytest.mark.parametrize('case', sorted(CASES))
def test_golden_batch_gives_recorded_losses_and_decisions(case, tmp_path):
    got = run_case(case, tmp_path)
    assert len(got) == len(RECORDED[case])
    for step, ((losses, active), (want, want_active)) in enumerate(
            zip(got, RECORDED[case])):
        assert active == want_active, f'{case} step {step}: KF decisions'
        assert set(losses) == set(want), f'{case} step {step}: logged keys'
        for key, value in want.items():
            torch.testing.assert_close(
                torch.tensor(losses[key], dtype=torch.float64),
                torch.tensor(value, dtype=torch.float64), rtol=1e-5,
                atol=1e-7, msg=f'{case} step {step}: {key}')
