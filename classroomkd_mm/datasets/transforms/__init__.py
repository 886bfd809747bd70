from .fast_random_bbox_transform import FastRandomBBoxTransform

__all__ = ['FastRandomBBoxTransform']
