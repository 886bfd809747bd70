from .coco_people import CocoPeopleDataset  # noqa: F401
from .transforms import *  # noqa: F401,F403
