"""The mentor program protocol (mentor_program.py): the options and their
errors, the one check against the eager mentor, and which program
build_program (program_builder.py) makes."""
import logging

import pytest
import torch
import torch.nn as nn
from tests.helpers.mentor_modules import (BranchingMentor, adapter_forward,
                                          classifier, module_forward)

from classroomkd_mm.models.classroom import mentor_program, program_builder
from classroomkd_mm.models.classroom.mentor_program import (
    DEFAULT_TOLERANCE, MentorProgram, ProgramOptions,
    largest_relative_difference, program_options)
from classroomkd_mm.models.classroom.program_builder import build_program


@pytest.mark.engine_default
def test_the_default_is_auto_one_line_per_mentor():
    """The library's default: onnxruntime where installed and the mentor
    exports, else eager; one log line per mentor says which."""
    assert ProgramOptions().engine == 'auto'
    assert program_options(None).engine == 'auto'
    expected = 'onnxruntime' if mentor_program.engine_installed(
        'onnxruntime') else 'eager'
    assert program_builder.resolve_engine('auto') == expected
    # CUDA mentors: onnxruntime-gpu's CUDA provider, else eager (no
    # error for a default)
    if expected == 'onnxruntime':
        import onnxruntime
        cuda = torch.device('cuda', 0)
        gpu = 'CUDAExecutionProvider' in \
            onnxruntime.get_available_providers()
        assert program_builder.resolve_engine('auto', cuda) == (
            'onnxruntime' if gpu else 'eager')
    assert program_builder.resolve_engine('compiled', torch.device('cpu')) \
        == 'compiled'


def test_the_tests_run_mentors_eagerly_unless_they_say():
    """tests/conftest.py pins the default to eager for the other tests."""
    assert ProgramOptions().engine == 'eager'


def test_defaults_and_valid_options():
    assert program_options(None) == ProgramOptions()
    options = program_options(dict(engine='compiled', precision='bf16',
                                   tolerance=0.01, cache_dir='/tmp/c'))
    assert options == ProgramOptions('compiled', 'bf16', 0.01, '/tmp/c')
    assert program_options(options) is options


@pytest.mark.parametrize('old,replacement', [
    (dict(fold_bn=True), "'fold_bn' was removed, use engine='onnxruntime'"),
    (dict(channels_last=True), "'channels_last' was removed"),
    (dict(cast_weights=True, precision='bf16'),
     "'cast_weights' was removed, use engine='openvino', precision='bf16'"),
    (dict(compile=True), "'compile' was removed, use engine='compiled'"),
    (dict(engine='torch'), "engine='torch' was removed: use engine='eager'"),
])
def test_removed_options_name_their_replacement(old, replacement):
    with pytest.raises(ValueError, match=replacement):
        program_options(old)


@pytest.mark.parametrize('bad,match', [
    (dict(engine='tensorrt'), 'engine must be one of'),
    (dict(precision='int8'), 'precision must be one of'),
    (dict(engine='onnxruntime', precision='bf16'), "engine='openvino'"),
    (dict(engine='openvino', precision='fp16'),
     r"runs precision \['fp32', 'bf16'\]"),
    (dict(engine='eager', precision='bf16'), r"runs precision \['fp32'\]"),
    (dict(tolerance=0), r'tolerance must be a number in \(0, 1\)'),
    (dict(tolerance=True), 'tolerance must be'),
    (dict(cache_dir=3), 'cache_dir must be'),
    (dict(enigne='eager'), r"unknown keys \['enigne'\]"),
    ('eager', 'must be a dict'),
])
def test_bad_options_are_clear_errors(bad, match):
    with pytest.raises((ValueError, TypeError), match=match):
        program_options(bad)


def test_missing_engine_package_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(mentor_program, 'engine_installed', lambda e: False)
    monkeypatch.setattr(program_builder, 'engine_installed', lambda e: False)
    with pytest.raises(ValueError, match='pip install openvino'):
        program_options(dict(engine='openvino'))
    # 'auto' without onnxruntime runs eagerly
    assert program_builder.resolve_engine('auto') == 'eager'


def test_largest_relative_difference_by_hand():
    ref = (torch.tensor([[1.0, -4.0]]), (torch.tensor([[2.0]]), ))
    out = (torch.tensor([[1.5, -4.0]]), (torch.tensor([[1.0]]), ))
    # 0.5 / 4 on the first tensor, 1 / 2 on the second
    assert largest_relative_difference(ref, out) == pytest.approx(0.5)
    assert largest_relative_difference(ref[0], out[0]) == \
        pytest.approx(0.125)
    # scaled by another structure (a batch's largest output)
    assert largest_relative_difference(
        ref[0], out[0], torch.tensor([[10.0]])) == pytest.approx(0.05)
    assert largest_relative_difference(ref[0], out) == float('inf')
    assert largest_relative_difference(
        torch.zeros(2), torch.zeros(3)) == float('inf')
    assert largest_relative_difference(
        torch.tensor([1.0, float('nan')]),
        torch.tensor([1.0, 2.0])) == float('inf')


def test_tolerance_follows_an_enclosing_autocast():
    cpu = torch.device('cpu')
    options = ProgramOptions()
    assert mentor_program.tolerance_of(options, cpu) == \
        DEFAULT_TOLERANCE['fp32']
    with torch.autocast('cpu', dtype=torch.bfloat16):
        assert mentor_program.tolerance_of(options, cpu) == \
            DEFAULT_TOLERANCE['bf16']
    assert mentor_program.tolerance_of(ProgramOptions(tolerance=0.2),
                                       cpu) == 0.2


def test_eager_build_returns_the_eager_outputs_and_logs_one_line(logs):
    model = classifier()
    x = torch.randn(2, 3, 32, 32)
    program, outputs = build_program('m', model, adapter_forward, 'adapter',
                                     ProgramOptions(engine='eager'), x)
    assert isinstance(program, MentorProgram)
    assert (program.kind, program.needs_module) == ('eager', True)
    eager = adapter_forward(model, x)
    assert largest_relative_difference(eager, outputs) == 0
    assert largest_relative_difference(eager, program(x)) == 0
    assert [m for _, m in logs] == [program.describe()]
    assert "Mentor 'm': runs eagerly" in logs[0][1]


class _FileMentor(nn.Module):
    """A mentor given as a file, wrapped as a module without parameters."""
    mentor_program_kind = 'file'

    def forward(self, x):
        return x.mean((2, 3)), (x, )


def test_a_file_mentor_runs_as_it_is_whatever_the_engine(logs):
    x = torch.randn(2, 3, 8, 8)
    program, outputs = build_program(
        'f', _FileMentor(), module_forward, 'module',
        ProgramOptions(engine='auto'), x)
    assert program.kind == 'file' and program.needs_module
    assert torch.equal(outputs[0], x.mean((2, 3)))
    assert 'a file' in logs[0][1]


class _Wrong(MentorProgram):
    kind = 'onnxruntime'

    def __init__(self, name, mentor):
        super().__init__(name)
        self.mentor = mentor

    def __call__(self, inputs):
        outputs, features = self.mentor(inputs)
        return outputs + 1.0, features


def test_the_check_refuses_a_wrong_program(monkeypatch, logs):
    """A program that fails the check is an error with an explicit engine
    and the eager program, with one warning line, with 'auto'."""
    pytest.importorskip('onnxruntime')
    model = BranchingMentor()
    make = program_builder.make_program
    monkeypatch.setattr(
        program_builder, 'make_program', lambda kind, name, mentor, *args:
        make(kind, name, mentor, *args) if kind == 'eager'
        else _Wrong(name, mentor))
    x = torch.randn(2, 3, 8, 8)
    with pytest.raises(RuntimeError, match=(
            r"(?s)Mentor 'w' does not run on onnxruntime: on the first "
            r"batch it differs .*engine='eager'")):
        build_program('w', model, module_forward, 'module',
                      ProgramOptions(engine='onnxruntime'), x)
    program, outputs = build_program('w', model, module_forward, 'module',
                                     ProgramOptions(engine='auto'), x)
    assert program.kind == 'eager'
    assert torch.equal(outputs[0], model(x)[0])
    [(level, message)] = logs
    assert level == logging.WARNING and 'runs eagerly' in message

