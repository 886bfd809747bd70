"""The mentor module itself as its program (kind 'eager'), or a mentor
given as a file, wrapped as a module, run as it is (kind 'file')."""
from torch import Tensor
import torch.nn as nn

from .mentor_program import MentorForward, MentorProgram


class EagerProgram(MentorProgram):
    """``forward(mentor, inputs)``: what the check compares every other
    program with, so it needs no check itself."""

    def __init__(self, name: str, mentor: nn.Module, forward: MentorForward,
                 kind: str = 'eager'):
        super().__init__(name)
        self.mentor, self.forward, self.kind = mentor, forward, kind

    def __call__(self, inputs: Tensor):
        return self.forward(self.mentor, inputs)

    def runs(self) -> str:
        if self.kind == 'file':
            return f'runs as given ({type(self.mentor).__name__}, a file)'
        return 'runs eagerly (the PyTorch module)'
