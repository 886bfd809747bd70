"""One mentor's bridge: its crop, forward pass and outputs brought into the
student's output space, as the target the student's own loss trains
towards."""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
from torch import Tensor

from .coordinate_rendering import coordinate_log_labels
from .crop_resize import check_same_aspect_ratio, crop_placement, resize_crop
from .keypoint_mapping import (check_same_keypoints, keypoint_mapping_index,
                               select_keypoints)
from .mentor_labels import heatmap_log_labels, heatmap_marginal_log_labels, \
    simcc_log_labels
from .output_space import PoseOutputSpace
from .student_targets import (AxisPlacement, log_labels_as_heatmaps,
                              log_labels_as_simcc, resample_log_heatmaps,
                              match_width, resample_log_labels,
                              score_weighted_heatmaps, score_weighted_simcc)

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
    4. representation: the mentor's outputs read back as its codec's
       log-label (:mod:`.mentor_labels`: heatmaps, SimCC logits through the
       target convention of its ``KLDiscretLoss``; coordinates rendered
       with the student codec's sigma, :func:`coordinate_log_labels`),
       narrowed or widened to the student codec's sigma
       (:func:`match_width`) and moved onto the student's grid by
       quadratic interpolation (:func:`resample_log_labels`), and handed over
       as the student's own target (:mod:`.student_targets`): heatmaps for
       a ``KeypointMSELoss`` student, SimCC logits whose
       ``softmax(beta x)`` is the target of the student's
       ``KLDiscretLoss`` (``label_softmax`` or normalised labels). A
       perfect mentor of any family gives the student's own target, and is
       judged with the student's own loss of the ground truth. A mentor
       file's per-keypoint confidence ``s`` weights its target
       (:func:`score_weighted_simcc`, :func:`score_weighted_heatmaps`).

    A mentor given as a model file (``PoseOutputSpace.fit`` set, e.g.
    :class:`~classroomkd_mm.models.file_mentors.FileMentor`) takes the
    student's crop and fits it itself (padded or stretched,
    :func:`crop_placement`); its grid and coordinates are read through the
    same placement. A mentor of the student's family, grid, input size,
    target convention and keypoints passes through unchanged (:attr:`is_identity`). All steps are tensor ops on the
    batch's device: no host-device sync.

    Raises:
        ValueError (at build): naming the mentor, the difference and the fix,
            for a student family without a bridge, another aspect ratio,
            another keypoint count without ``keypoint_mapping``, or a
            mapping out of range, many-to-one (unless opted in), or, where
            ``keypoint_names=(mentor_names, student_names)`` are both known
            (``keypoint_mapping.keypoint_names`` of each model), pairing
            keypoints of different names (unless opted in).
    """

    def __init__(self, name: str, mentor: PoseOutputSpace,
                 student: PoseOutputSpace,
                 keypoint_mapping: Optional[Sequence] = None,
                 keypoint_names: Tuple[Optional[Sequence[str]],
                                       Optional[Sequence[str]]] = (None, None)
                 ):
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
        if mentor.fit is None:
            check_same_aspect_ratio(name, mentor.input_size,
                                    student.input_size)
            offsets = (0.0, 0.0)
            scales = tuple(m / s for m, s in zip(mentor.input_size,
                                                 student.input_size))
        else:
            offsets, scales = crop_placement(student.input_size,
                                             mentor.input_size, mentor.fit)
        #: per axis: crop pixel ``u`` lies at mentor input pixel
        #: ``offset + scale * u``
        self.crop_offsets, self.crop_scales = offsets, scales
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
            check_same_keypoints(name, *keypoint_names)
            index = torch.arange(student.num_keypoints)
            mask = torch.ones(student.num_keypoints, dtype=torch.bool)
        else:
            index, mask = keypoint_mapping_index(name, keypoint_mapping,
                                                 mentor.num_keypoints,
                                                 student.num_keypoints,
                                                 *keypoint_names)
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
            and offsets == (0.0, 0.0) and scales == (1.0, 1.0)
            and not mentor.predicts_score
            and mentor.grid_size == student.grid_size
            and (mentor.sigma == student.sigma or None in (mentor.sigma,
                                                           student.sigma))
            and (student.family == 'heatmap' or (
                mentor.logit_scale, mentor.label_softmax,
                mentor.label_beta) == (student.logit_scale,
                                       student.label_softmax,
                                       student.label_beta)))
        if mentor.family != 'regression':
            self.placements = tuple(
                AxisPlacement(
                    off * m_len / m_in,
                    scale * s_in / s_len * m_len / m_in)
                for off, scale, m_len, m_in, s_len, s_in in zip(
                    offsets, scales, mentor.grid_size, mentor.input_size,
                    student.grid_size, student.input_size))

    def describe(self) -> str:
        """One line for the log: what the bridge does."""
        m, s = self.mentor_space, self.student_space
        if self.is_identity:
            return f'mentor {self.name!r}: same output space as the student'
        source = '' if m.source is None else f' file {m.source} ({m.fit}),'
        return (f'mentor {self.name!r}:{source} {m.head} {m.family} '
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
        sigma logits for RLE) and the features the head consumed. A mentor
        file takes the crop as it is (it fits it itself) and has no
        features (``()``)."""
        if self.mentor_space.fit is not None:
            return mentor(inputs), ()
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

    def _student_sigmas(self):
        s = self.student_space
        if s.family == 'heatmap':
            sigma = DEFAULT_HEATMAP_SIGMA if s.sigma is None else s.sigma
            return (sigma, sigma)
        return s.sigma

    def _log_labels(self, outputs):
        """The mentor's outputs as log-labels on the student's grid:
        ``(log_x, log_y, log_amplitude)``, or for a heatmap mentor of a
        heatmap student ``(log_heatmap, None, log_amplitude)``."""
        m, s = self.mentor_space, self.student_space
        student_sigmas = self._student_sigmas()
        if m.family == 'regression':
            coords, sigmas = outputs[0], outputs[1]
            # crop pixel u = (input pixel - offset) / scale
            size = coords.new_tensor(m.input_size, dtype=torch.float32)
            crop = coords.new_tensor(s.input_size, dtype=torch.float32)
            offset = coords.new_tensor(self.crop_offsets, dtype=torch.float32)
            scale = coords.new_tensor(self.crop_scales, dtype=torch.float32)
            coords = (coords.float() * size - offset) / (scale * crop)
            if sigmas is not None:
                sigmas = sigmas.float() * size / (scale * crop)
            return coordinate_log_labels(coords, sigmas, s.grid_size,
                                         student_sigmas)
        mentor_sigmas = (m.sigma, m.sigma) if m.family == 'heatmap' else (
            m.sigma or (None, None))
        # the student codec's sigma in mentor cells, per axis
        targets = [None if ss is None else ss * p.step
                   for ss, p in zip(student_sigmas, self.placements)]
        if m.family == 'heatmap' and s.family == 'heatmap':
            log_shape, amplitude = heatmap_log_labels(outputs)
            for dim, ms, t in ((-1, mentor_sigmas[0], targets[0]),
                               (-2, mentor_sigmas[1], targets[1])):
                log_shape = match_width(log_shape, ms, t, dim)
            return (resample_log_heatmaps(log_shape, s.grid_size,
                                          self.placements), None, amplitude)
        if m.family == 'heatmap':
            log_x, log_y, amplitude = heatmap_marginal_log_labels(outputs)
        else:
            log_x, log_y = (simcc_log_labels(o, m.logit_scale,
                                             m.label_softmax, m.label_beta)
                            for o in outputs)
            amplitude = torch.zeros(log_x.shape[:-1], device=log_x.device)
        return tuple(
            resample_log_labels(match_width(v, ms, t), length, p)
            for v, ms, t, length, p in zip(
                (log_x, log_y), mentor_sigmas, targets, s.grid_size,
                self.placements)) + (amplitude, )

    def to_student_space(self, outputs):
        """Mentor head outputs (:meth:`mentor_forward`) in the student's
        output space, as the student's own target (see the class
        docstring)."""
        m, s = self.mentor_space, self.student_space
        scores = None
        if m.family == 'regression':
            # RLEHead.predict's reading: coordinates, sigmoid of the sigmas
            if m.predicts_score:
                scores = outputs[..., 2]
            outputs = (outputs[..., :2], outputs[..., 2:4].sigmoid()
                       if m.predicts_sigma else None)
        outputs = self._select(outputs)
        if scores is not None:
            scores = self._select(scores)
        if self.is_identity:
            return outputs
        log_x, log_y, amplitude = self._log_labels(outputs)
        if s.family == 'heatmap':
            target = (torch.exp(amplitude[..., None, None] + log_x)
                      if log_y is None else
                      log_labels_as_heatmaps(log_x, log_y, amplitude))
            if scores is not None:
                target = score_weighted_heatmaps(target, scores)
            return target
        target = log_labels_as_simcc((log_x, log_y), amplitude,
                                     s.logit_scale, s.label_softmax,
                                     s.label_beta)
        if scores is not None:
            target = score_weighted_simcc(target, scores, s.logit_scale)
        return target

    def forward(self, mentor: nn.Module, inputs: Tensor):
        """The mentor's outputs in the student's output space
        (:meth:`to_student_space` of :meth:`mentor_forward`)."""
        return self.to_student_space(self.mentor_forward(mentor, inputs)[0])
