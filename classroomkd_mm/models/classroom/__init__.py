"""The mentor side of the distiller: the classroom and what it runs."""
from .classroom import Classroom, log_empty_classroom

__all__ = ['Classroom', 'log_empty_classroom']
