from .base_task_adapter import BaseTaskAdapter
from .classifier_adapter import ClassifierAdapter, classification_error
from .heatmap_adapter import HeatmapAdapter, HeatmapTargets, heatmap_error
from .heatmap_peak_error import heatmap_peak_error
from ..structures import NetworkEvaluation
from .simcc_adapter import SimCCAdapter, SimCCTargets, simcc_error
from .simcc_peak_error import simcc_peak_error

#: adapters tried, in order, when a distiller config names none.
AUTO_ADAPTERS = ('ClassifierAdapter', 'HeatmapAdapter', 'SimCCAdapter')

__all__ = ['AUTO_ADAPTERS', 'BaseTaskAdapter', 'ClassifierAdapter',
           'HeatmapAdapter', 'HeatmapTargets', 'NetworkEvaluation',
           'SimCCAdapter',
           'SimCCTargets', 'classification_error', 'heatmap_error',
           'heatmap_peak_error', 'simcc_error', 'simcc_peak_error']
