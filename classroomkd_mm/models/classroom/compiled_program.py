"""A frozen mentor under ``torch.compile`` (inductor) and autocast: the GPU
path where onnxruntime-gpu is absent."""
import types

import torch
import torch.nn as nn
from torch import Tensor
from torch.utils._pytree import tree_map

from .mentor_program import MentorForward, MentorProgram, precision_context


class CompiledProgram(MentorProgram):
    """``forward(mentor, inputs)`` compiled by ``torch.compile``, under
    autocast of ``precision`` ('fp32': none; 'bf16' on a CPU needs oneDNN's
    bfloat16 kernels, 'fp16' CUDA), outputs float32 and contiguous. It
    shares the mentor's module (``needs_module``)."""
    kind = 'compiled'

    def __init__(self, name: str, mentor: nn.Module, forward: MentorForward,
                 precision: str = 'fp32'):
        super().__init__(name)
        self.mentor, self.forward, self.precision = mentor, forward, precision
        self.compiled = torch.compile(self._own_run())

    def _run(self, inputs: Tensor):
        with precision_context(self.precision, inputs.device):
            outputs = self.forward(self.mentor, inputs)
        return tree_map(lambda o: o.float().contiguous(), outputs)

    def _own_run(self):
        """``self._run`` on a code object of this mentor's own.

        Dynamo keeps its compiled graphs per code object, up to
        ``torch._dynamo.config.recompile_limit`` (8) of them; one shared
        code object would give every mentor architecture and input shape
        a graph of that budget, and past it the mentors run eagerly.
        """
        method = CompiledProgram._run
        code = method.__code__.replace(
            co_name=f'mentor {self.name!r} program')
        own = types.FunctionType(code, method.__globals__, code.co_name,
                                 method.__defaults__, method.__closure__)
        return types.MethodType(own, self)

    def __getstate__(self):
        state = dict(self.__dict__)
        del state['compiled']  # compiled again for the copy
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.compiled = torch.compile(self._own_run())

    def __call__(self, inputs: Tensor):
        return self.compiled(inputs)

    def runs(self) -> str:
        return f'torch.compile (inductor, {self.precision})'
