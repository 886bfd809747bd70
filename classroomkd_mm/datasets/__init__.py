from .coco_people import CocoPeopleDataset
from .coco_style_check import (CocoFileReport, DataCheckError,
                               MissingDataError, check_coco_dataset,
                               check_coco_file, check_coco_style_data,
                               check_data_or_exit)
from .transforms import *  # noqa: F401,F403
from .transforms import __all__ as _transforms

__all__ = ['CocoPeopleDataset', 'CocoFileReport', 'DataCheckError', 'MissingDataError',
           'check_coco_dataset', 'check_coco_file', 'check_coco_style_data',
           'check_data_or_exit', *_transforms]
