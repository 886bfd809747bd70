"""One mentor's bridge: its crop, forward pass and outputs brought into the
student's output space."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from .coordinate_rendering import (render_coordinates_as_heatmaps,
                                   render_coordinates_as_simcc)
from .crop_resize import check_same_aspect_ratio, resize_crop
from .heatmap_resampling import resample_heatmaps
from .keypoint_mapping import keypoint_mapping_index, select_keypoints
from .output_space import PoseOutputSpace
from .simcc_heatmap_conversion import (heatmaps_to_simcc, resample_simcc,
                                       simcc_to_heatmaps)

#: the student's codec sigma when its codec names none (mmpose's default).
DEFAULT_HEATMAP_SIGMA = 2.0


class MentorBridge(nn.Module):
    """Runs one pose mentor on the student's batch and returns its outputs in
    the student's output space, with the keypoints it covers.

    In order:

    1. crop: the student's preprocessed crop, resized to the mentor's input
       size (:func:`resize_crop`; refused at build when the aspect ratios
       differ, :func:`check_same_aspect_ratio`);
    2. the mentor's own head (the last stage of a multi-stage head; an
       ``RLEHead``'s sigma through its sigmoid, as its ``predict`` does);
    3. keypoints: ``keypoint_mapping=[(mentor_index, student_index), ...]``
       selects and reorders them into the student's
       (:func:`select_keypoints`); student keypoints without a pair are
       masked out (:attr:`keypoint_mask`);
    4. representation: into the student's head family and grid:

       ======================  =========================  =====================
       mentor \\ student        heatmap (W, H)             SimCC (B_x, B_y)
       ======================  =========================  =====================
       heatmap                 :func:`resample_heatmaps`  :func:`heatmaps_to_simcc`
       SimCC                   :func:`simcc_to_heatmaps`  :func:`resample_simcc`
       regression (RLE)        :func:`render_coordinates_as_heatmaps`
                                                          :func:`render_coordinates_as_simcc`
       ======================  =========================  =====================

    A mentor of the student's family, grid, input size and keypoints passes
    through unchanged (:attr:`is_identity`). All steps are tensor ops on the
    batch's device: no host-device sync.

    Raises:
        ValueError (at build): naming the mentor, the difference and the fix,
            for a student family without a bridge, another aspect ratio,
            another keypoint count without ``keypoint_mapping``, or a
            mapping out of range.
    """

    def __init__(self, name: str, mentor: PoseOutputSpace,
                 student: PoseOutputSpace,
                 keypoint_mapping: Optional[Sequence] = None):
        super().__init__()
        if student.family not in ('heatmap', 'simcc'):
            raise ValueError(
                f'ClassroomDistiller: a student with a {student.head} '
                f'({student.family}) has no bridge from mentors; pose '
                'students must have a heatmap head or a SimCC head.')
        if (student.family, mentor.family) == ('simcc', 'regression') \
                and student.sigma is None:
            raise ValueError(
                f'Mentor {name!r} is a regression model, rendered as the '
                "SimCC student's Gaussian labels, but the student's codec "
                "has no sigma. Give the student's decoder a Gaussian sigma "
                "(SimCCLabel(smoothing_type='gaussian', sigma=...)).")
        check_same_aspect_ratio(name, mentor.input_size, student.input_size)
        if keypoint_mapping is None:
            if mentor.num_keypoints != student.num_keypoints:
                raise ValueError(
                    f'Mentor {name!r} predicts {mentor.num_keypoints} '
                    f'keypoints but the student {student.num_keypoints}, and '
                    'the mentor has no keypoint_mapping. Add '
                    '`keypoint_mapping=[(mentor_index, student_index), ...]` '
                    "to the mentor's entry (mmpose's KeypointConverter "
                    'convention), e.g. [(i, i) for i in range(17)] for a '
                    'COCO-WholeBody mentor of a COCO student.')
            index = torch.arange(student.num_keypoints)
            mask = torch.ones(student.num_keypoints, dtype=torch.bool)
        else:
            index, mask = keypoint_mapping_index(name, keypoint_mapping,
                                                 mentor.num_keypoints,
                                                 student.num_keypoints)
        self.name = name
        self.mentor_space = mentor
        self.student_space = student
        self.maps_keypoints = keypoint_mapping is not None and not (
            mentor.num_keypoints == student.num_keypoints
            and bool(mask.all())
            and torch.equal(index, torch.arange(student.num_keypoints)))
        #: some student keypoints have no mentor keypoint (a Python bool, so
        #: that the training step reads it without a host-device sync)
        self.partial = not bool(mask.all())
        self.register_buffer('keypoint_index', index, persistent=False)
        self.register_buffer('keypoint_mask', mask, persistent=False)
        self.is_identity = (
            not self.maps_keypoints and mentor.family == student.family
            and mentor.input_size == student.input_size
            and mentor.grid_size == student.grid_size
            and mentor.logit_scale == student.logit_scale)

    def describe(self) -> str:
        """One line for the log: what the bridge does."""
        m, s = self.mentor_space, self.student_space
        if self.is_identity:
            return f'mentor {self.name!r}: same output space as the student'
        return (f'mentor {self.name!r}: {m.head} {m.family} '
                f'{m.input_size[0]}x{m.input_size[1]} input, grid '
                f'{m.grid_size}, {m.num_keypoints} keypoints -> student '
                f'{s.family} {s.input_size[0]}x{s.input_size[1]}, grid '
                f'{s.grid_size}, {int(self.keypoint_mask.sum())} of '
                f'{s.num_keypoints} keypoints')

    def mentor_forward(self, mentor: nn.Module, inputs: Tensor):
        """``(outputs, features)`` of the mentor on the student's crop,
        resized to its input size: its head's outputs (heatmaps, the last
        stage's for a multi-stage head; ``(x, y)`` SimCC logits; or the
        regression head's ``(N, K, 2)`` coordinates, ``(N, K, 4)`` with the
        sigma logits for RLE) and the features the head consumed."""
        features = mentor.extract_feat(
            resize_crop(inputs, self.mentor_space.input_size))
        return self.head_outputs(mentor, features), features

    def head_outputs(self, mentor: nn.Module, features):
        """The mentor head's outputs on ``features`` (in its own space): the
        last stage's heatmaps for a multi-stage head, ``(x, y)`` logits for
        SimCC, the regression head's output as it is."""
        out = mentor.head.forward(features)
        family = self.mentor_space.family
        if family == 'heatmap' and self.mentor_space.multi_stage:
            out = out[-1]
        elif family == 'simcc':
            out = tuple(out)
        return out

    def _select(self, outputs):
        if not self.maps_keypoints:
            return outputs
        if isinstance(outputs, tuple):
            return tuple(None if o is None else select_keypoints(
                o, self.keypoint_index, self.keypoint_mask) for o in outputs)
        return select_keypoints(outputs, self.keypoint_index,
                                self.keypoint_mask)

    def to_student_space(self, outputs):
        """Mentor head outputs (:meth:`mentor_forward`) in the student's
        output space (see the class docstring)."""
        if self.mentor_space.family == 'regression':
            # RLEHead.predict's reading: coordinates, sigmoid of the sigmas
            outputs = (outputs[..., :2], outputs[..., 2:4].sigmoid()
                       if self.mentor_space.predicts_sigma else None)
        outputs = self._select(outputs)
        if self.is_identity:
            return outputs
        m, s = self.mentor_space, self.student_space
        if s.family == 'heatmap':
            sigma = DEFAULT_HEATMAP_SIGMA if s.sigma is None else s.sigma
            if m.family == 'heatmap':
                return resample_heatmaps(outputs, s.grid_size)
            if m.family == 'simcc':
                return simcc_to_heatmaps(*outputs, m.logit_scale, s.grid_size,
                                         sigma)
            return render_coordinates_as_heatmaps(*outputs, s.grid_size,
                                                  sigma)
        if m.family == 'heatmap':
            return heatmaps_to_simcc(outputs, s.grid_size)
        if m.family == 'simcc':
            return resample_simcc(*outputs, s.grid_size,
                                  m.logit_scale / s.logit_scale)
        return render_coordinates_as_simcc(*outputs, s.grid_size, s.sigma)

    def forward(self, mentor: nn.Module, inputs: Tensor):
        """The mentor's outputs in the student's output space
        (:meth:`to_student_space` of :meth:`mentor_forward`)."""
        return self.to_student_space(self.mentor_forward(mentor, inputs)[0])
