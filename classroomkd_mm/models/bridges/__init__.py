"""Bridges: pure tensor functions that bring a mentor's outputs into the
student's output space (another head family, input size, output resolution
or keypoint set)."""
from .coordinate_rendering import (render_coordinates_as_heatmaps,
                                   render_coordinates_as_simcc)
from .crop_resize import check_same_aspect_ratio, resize_crop
from .heatmap_resampling import resample_heatmaps
from .keypoint_mapping import keypoint_mapping_index, select_keypoints
from .simcc_heatmap_conversion import (heatmaps_to_simcc, resample_simcc,
                                       simcc_to_heatmaps)

__all__ = ['check_same_aspect_ratio', 'heatmaps_to_simcc',
           'keypoint_mapping_index', 'render_coordinates_as_heatmaps',
           'render_coordinates_as_simcc', 'resample_heatmaps',
           'resample_simcc', 'resize_crop', 'select_keypoints',
           'simcc_to_heatmaps']
