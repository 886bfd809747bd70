"""The mentor side of the distiller: the classroom (mentors, bridges, which
pairs run) and how each frozen mentor runs (:mod:`.mentor_program` and its
implementations)."""
from .classroom import Classroom, log_empty_classroom

__all__ = ['Classroom', 'log_empty_classroom']
