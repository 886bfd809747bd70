from .base_task_adapter import BaseTaskAdapter
from .classifier_adapter import ClassifierAdapter, classification_error

#: adapters tried, in order, when a distiller config names none.
AUTO_ADAPTERS = ('ClassifierAdapter', 'HeatmapAdapter', 'SimCCAdapter')

__all__ = ['AUTO_ADAPTERS', 'BaseTaskAdapter', 'ClassifierAdapter',
           'classification_error']
