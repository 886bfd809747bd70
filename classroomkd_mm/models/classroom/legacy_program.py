"""Today's MentorRuntime behind build_program's signature, until the mentor
programs (mentor_program.py) land; removed when they do."""
from typing import Any, Tuple

from ..distillers.mentor_runtime import MentorRuntime, runtime_options

program_options = runtime_options


class _Eager:
    kind = 'eager'
    needs_module = True

    def __init__(self, mentor, forward):
        self.mentor, self.forward = mentor, forward

    def __call__(self, inputs):
        return self.forward(self.mentor, inputs)

    def tensors(self):
        return []


def build_program(name, mentor, forward, forward_id, options,
                  inputs) -> Tuple[Any, Any]:
    if not options.converts:
        program = _Eager(mentor, forward)
        return program, program(inputs)
    runtime = MentorRuntime(name, mentor, options, forward, forward_id)
    return runtime, runtime(inputs)
