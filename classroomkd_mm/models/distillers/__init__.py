from .classroom_distiller import ClassroomDistiller

__all__ = ['ClassroomDistiller']
