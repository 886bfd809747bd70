"""Mentor programs (``classroomkd_mm.models.classroom``) in the speed
benchmarks' distillers, and the memory they hold.

Main's ``ClassroomDistiller`` has no public classroom yet: until it has
(``distiller.classroom.program(name)``, issue 25), :func:`use_programs` hands
it programs built by :func:`build_program` through its per-mentor cache, the
one place the benchmarks touch its private attributes.
"""
from typing import Dict, List

import torch

from classroomkd_mm.models.classroom.mentor_program import (build_program,
                                                            program_options)


class ProgramSlot:
    """One mentor's program, built by :func:`build_program` (and checked)
    at its first batch; called as the distiller calls its runtimes."""

    def __init__(self, name, mentor, forward, forward_id, options):
        self.name, self.mentor, self.forward = name, mentor, forward
        self.forward_id, self.options = forward_id, options
        self.program = None

    def __call__(self, inputs):
        if self.program is None:
            self.program, outputs = build_program(
                self.name, self.mentor, self.forward, self.forward_id,
                self.options, inputs)
            return outputs
        return self.program(inputs)

    @property
    def report(self) -> dict:
        return {} if self.program is None else self.program.report


class _Converts:
    """Stands in for main's ``RuntimeOptions``: the distiller asks only
    whether mentors run through a program."""

    def __init__(self, converts: bool):
        self.converts = converts


def use_programs(distiller, runtime: dict,
                 slots: Dict[str, ProgramSlot] = None
                 ) -> Dict[str, ProgramSlot]:
    """Make ``distiller`` run each of its mentors through the program of
    ``runtime`` (``mentor_runtime=dict(...)``; None or engine 'eager': the
    module, as the distiller does without it). ``slots``: programs already
    built for these mentors (shared by distillers of one option set)."""
    options = program_options(runtime)
    if options.engine == 'eager':
        distiller.mentor_runtime = _Converts(False)
        distiller._runtimes = {}
        return {}
    slots = {} if slots is None else slots
    for name, mentor in distiller.mentors.items():
        bridge = distiller.bridges[name] if name in distiller.bridges \
            else None
        if name not in slots or slots[name].mentor is not mentor:
            slots[name] = ProgramSlot(
                name, mentor,
                distiller._adapter_forward if bridge is None
                else bridge.mentor_forward,
                'adapter ' + type(distiller.adapter).__name__
                if bridge is None else f'bridge {bridge.mentor_space!r}',
                options)
    distiller.mentor_runtime = _Converts(True)
    distiller._runtimes = slots
    return slots


def held_tensors(distiller, slots: Dict[str, ProgramSlot]
                 ) -> List[torch.Tensor]:
    """The tensors of ``distiller``'s mentors that a step needs: a
    mentor's module where its program runs it (eager, compiled), none where
    the program holds all it runs (an engine: the classroom frees the
    module, ``needs_module`` False). Main's distiller still holds those
    modules; this is the account without them."""
    tensors = []
    for name, mentor in distiller.mentors.items():
        slot = slots.get(name)
        if slot is None or slot.program is None or \
                slot.program.needs_module:
            tensors += list(mentor.parameters()) + list(mentor.buffers())
    return tensors
