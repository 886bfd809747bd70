"""A mentor under torch.compile and autocast (compiled_program.py): equal to
the eager mentor in fp32, within the bf16 tolerance under autocast, one
code object per mentor (dynamo's recompile limit is per mentor). Compiling
takes tens of seconds on a small CPU: marked slow."""
import pytest
import torch
from tests.helpers.mentor_modules import adapter_forward, classifier

from classroomkd_mm.models.classroom.compiled_program import CompiledProgram
from classroomkd_mm.models.classroom.mentor_program import (
    ProgramOptions, largest_relative_difference)
from classroomkd_mm.models.classroom.program_builder import (build_program,
                                                             native_bf16_cpu)


def test_each_mentor_has_its_own_code_object():
    model = classifier()
    a = CompiledProgram('a', model, adapter_forward)
    b = CompiledProgram('b', model, adapter_forward)
    code_a, code_b = a._own_run().__func__.__code__, \
        b._own_run().__func__.__code__
    assert code_a is not code_b
    assert code_a.co_name == "mentor 'a' program"
    assert a.needs_module and a.kind == 'compiled'


@pytest.mark.slow
@pytest.mark.parametrize('precision', ['fp32', 'bf16'])
def test_compiled_equals_eager_within_its_precision(precision):
    if precision == 'bf16' and not native_bf16_cpu():
        pytest.skip('no bfloat16 kernels on this CPU')
    torch._dynamo.reset()
    model = classifier()
    x = torch.randn(4, 3, 32, 32)
    program, outputs = build_program(
        'c', model, adapter_forward, 'adapter',
        ProgramOptions(engine='compiled', precision=precision), x)
    assert isinstance(program, CompiledProgram)
    eager = adapter_forward(model, x)
    tolerance = 1e-4 if precision == 'fp32' else 5e-2
    assert program.report['max_relative_difference'] <= tolerance
    assert largest_relative_difference(eager, outputs) <= tolerance
    leaves = torch.utils._pytree.tree_leaves(outputs)
    assert all(o.dtype == torch.float32 and o.is_contiguous()
               for o in leaves)
    assert "Mentor 'c': torch.compile (inductor, " in program.describe()


def test_bf16_without_kernels_is_a_clear_error(monkeypatch):
    from classroomkd_mm.models.classroom import program_builder
    monkeypatch.setattr(program_builder, 'native_bf16_cpu', lambda: False)
    with pytest.raises(ValueError, match="Mentor 'c': .*precision='bf16' "
                       'on a CPU without bfloat16 kernels'):
        build_program('c', classifier(), adapter_forward, 'adapter',
                      ProgramOptions(engine='compiled', precision='bf16'),
                      torch.randn(2, 3, 32, 32))
    with pytest.raises(ValueError, match="Mentor 'c': .*'fp16' needs a "
                       'CUDA device'):
        build_program('c', classifier(), adapter_forward, 'adapter',
                      ProgramOptions(engine='compiled', precision='fp16'),
                      torch.randn(2, 3, 32, 32))
