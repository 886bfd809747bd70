"""Bridges: pure tensor functions that bring a mentor's outputs into the
student's output space (another head family, input size, output resolution,
target convention or keypoint set), as the target the student's own loss
trains towards."""
from .coordinate_rendering import coordinate_log_labels
from .crop_resize import check_same_aspect_ratio, crop_placement, resize_crop
from .keypoint_mapping import keypoint_mapping_index, select_keypoints
from .mentor_labels import (heatmap_log_labels, heatmap_marginal_log_labels,
                            simcc_log_labels)
from .student_targets import (log_labels_as_heatmaps, log_labels_as_simcc,
                              resample_log_heatmaps, resample_log_labels)

__all__ = ['check_same_aspect_ratio', 'coordinate_log_labels',
           'crop_placement', 'heatmap_log_labels',
           'heatmap_marginal_log_labels', 'keypoint_mapping_index',
           'log_labels_as_heatmaps', 'log_labels_as_simcc',
           'resample_log_heatmaps', 'resample_log_labels', 'resize_crop',
           'select_keypoints', 'simcc_log_labels']
