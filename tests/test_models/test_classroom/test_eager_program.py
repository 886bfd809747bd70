"""The eager program (eager_program.py): the mentor module itself, on the
tiny real mentors."""
import pytest
import torch
from tests.helpers.mentor_modules import MENTORS, adapter_forward

from classroomkd_mm.models.classroom.eager_program import EagerProgram
from classroomkd_mm.models.classroom.mentor_program import ProgramOptions
from classroomkd_mm.models.classroom.program_builder import build_program


@pytest.mark.parametrize('mentor', sorted(MENTORS))
def test_eager_program_is_the_mentor(mentor):
    build, shape = MENTORS[mentor]
    model = build()
    x = torch.randn(*shape)
    program, first = build_program(mentor, model, adapter_forward,
                                    'adapter', ProgramOptions(), x)
    assert isinstance(program, EagerProgram)
    assert program.report['max_relative_difference'] == 0
    with torch.no_grad():
        expected = adapter_forward(model, x)
        again = program(x[:1])
    leaves = torch.utils._pytree.tree_leaves
    assert all(torch.equal(a, b) for a, b in zip(leaves(expected),
                                                 leaves(first)))
    assert all(torch.equal(a, b) for a, b in zip(
        leaves(adapter_forward(model, x[:1])), leaves(again)))
