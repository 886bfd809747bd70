"""Mentor programs in the speed benchmarks' distillers, and the memory they
hold, through the classroom's public API (``distiller.classroom``)."""
from typing import Dict, List

import torch


def use_programs(distiller, runtime: dict,
                 programs: Dict[str, object] = None) -> Dict[str, object]:
    """Make ``distiller`` run each of its mentors through the program of
    ``runtime`` (``mentor_runtime=dict(...)``) from its next batch on;
    ``programs``: those already built for the same mentor modules (shared by
    the distillers of one option set). Returns the dict of its programs
    (:meth:`Classroom.use_programs`)."""
    return distiller.classroom.use_programs(runtime, programs)


def held_tensors(distiller) -> List[torch.Tensor]:
    """The tensors of ``distiller``'s mentors that a step needs: a
    mentor's module where its program runs it (eager, compiled) or where no
    program is built yet, none where the program holds all it runs (an
    engine: the classroom frees the module, ``needs_module`` False)."""
    classroom = distiller.classroom
    tensors = []
    for name in classroom.names:
        program, mentor = classroom.program(name), classroom.mentor(name)
        if mentor is not None and (program is None or getattr(
                program, 'needs_module', True)):
            tensors += list(mentor.parameters()) + list(mentor.buffers())
    return tensors
