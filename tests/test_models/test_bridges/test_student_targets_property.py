"""The bridge's property: a perfect mentor of any family hands the student
its own target, for every student convention mmpose ships, and is judged
with the student's own loss of the ground truth.

Ground truth and perfect mentors come from mmpose's own codecs
(``SimCCLabel``, ``MSRAHeatmap``, ``RegressionLabel``) on the same
keypoints; the students' losses are mmpose's ``KLDiscretLoss`` and
``KeypointMSELoss`` through the adapters' per-sample errors.
"""
import numpy as np
import pytest
import torch

from classroomkd_mm.models.bridges.mentor_bridge import MentorBridge
from classroomkd_mm.models.bridges.output_space import PoseOutputSpace

CROP = (48, 64)  # the student's input (W, H)
K = 5


def keypoints(step):
    """Keypoints inside the crop on a grid of ``step`` pixels (so that
    every codec's rounding, if any, is exact)."""
    rng = np.random.default_rng(0)
    xs = rng.integers(int(6 / step), int(42 / step), K) * step
    ys = rng.integers(int(6 / step), int(58 / step), K) * step
    return np.stack([xs, ys], -1)[None].astype(np.float32)


# ---- students: (space, codec, loss) ---------------------------------------
def simcc_codec(size, sigma, normalize, ratio=2.0):
    from mmpose.codecs import SimCCLabel
    return SimCCLabel(input_size=size, sigma=sigma, simcc_split_ratio=ratio,
                      normalize=normalize, smoothing_type='gaussian')


def rtmpose_student():
    from mmpose.models.losses import KLDiscretLoss
    loss = KLDiscretLoss(beta=10., label_softmax=True, use_target_weight=True)
    sigma = (4.9 * 48 / 192, 5.66 * 64 / 256)
    label_beta = float(getattr(loss, 'label_beta', 10.))
    space = PoseOutputSpace('simcc', 'RTMCCHead', K, CROP, (96, 128), sigma,
                            10., True, label_beta)
    return space, simcc_codec(CROP, sigma, False), loss


def simcc_head_student():
    from mmpose.models.losses import KLDiscretLoss
    loss = KLDiscretLoss(beta=1., label_softmax=False,
                         use_target_weight=True)
    sigma = (6. * 48 / 192, 6. * 48 / 192)
    space = PoseOutputSpace('simcc', 'SimCCHead', K, CROP, (96, 128), sigma,
                            1., False, 1.)
    return space, simcc_codec(CROP, sigma, True), loss


def heatmap_student():
    from mmpose.codecs import MSRAHeatmap
    from mmpose.models.losses import KeypointMSELoss
    codec = MSRAHeatmap(input_size=CROP, heatmap_size=(12, 16), sigma=2.,
                        unbiased=True)
    space = PoseOutputSpace('heatmap', 'HeatmapHead', K, CROP, (12, 16), 2.)
    return space, codec, KeypointMSELoss(use_target_weight=True)


STUDENTS = dict(rtmpose=rtmpose_student, simcc_head=simcc_head_student,
                heatmap=heatmap_student)


# ---- perfect mentors: (space, outputs on the keypoints) -------------------
def _on_mentor_input(kpts, space):
    return kpts * np.array(space.input_size) / np.array(CROP)


def heatmap_mentor(kpts, size=(96, 128), grid=(24, 32), sigma=3.):
    from mmpose.codecs import MSRAHeatmap
    space = PoseOutputSpace('heatmap', 'HeatmapHead', K, size, grid, sigma)
    enc = MSRAHeatmap(input_size=size, heatmap_size=grid, sigma=sigma,
                      unbiased=True).encode(_on_mentor_input(kpts, space),
                                            np.ones(kpts.shape[:2]))
    return space, torch.from_numpy(enc['heatmaps'])[None]


def simcc_mentor(kpts, label_softmax, size=(96, 128), ratio=2.0):
    beta = 10. if label_softmax else 1.
    sigma = (4.9 * size[0] / 192, 5.66 * size[1] / 256)
    bins = tuple(int(s * ratio) for s in size)
    space = PoseOutputSpace('simcc', 'RTMCCHead', K, size, bins, sigma, beta,
                            label_softmax, beta)
    enc = simcc_codec(size, sigma, not label_softmax, ratio).encode(
        _on_mentor_input(kpts, space), np.ones(kpts.shape[:2]))
    labels = [torch.from_numpy(enc[k]) for k in ('keypoint_x_labels',
                                                 'keypoint_y_labels')]
    # the logits whose softmax(beta x) is the mentor's own training target
    if label_softmax:
        return space, tuple(labels)  # label_beta == beta
    return space, tuple(torch.log(v.clamp_min(1e-30)) / beta
                        for v in labels)


def regression_mentor(kpts, rle):
    space = PoseOutputSpace('regression', 'RLEHead' if rle else
                            'RegressionHead', K, (96, 128),
                            predicts_sigma=rle)
    coords = torch.from_numpy(kpts / np.array(CROP, np.float32))
    if rle:  # a sure RLE mentor: sigma = sigmoid(-30) ~ 1e-13
        coords = torch.cat([coords, torch.full_like(coords, -30.)], -1)
    return space, coords


def file_mentor(kpts, fit):
    """A mentor file (MoveNet-like): 192x192 input, (x, y, score) in
    [0, 1] of its input, the crop padded or stretched into it."""
    from classroomkd_mm.models.bridges.crop_resize import crop_placement
    space = PoseOutputSpace('regression', 'file', K, (192, 192),
                            predicts_score=True, fit=fit, source='m.onnx')
    offset, scale = crop_placement(CROP, (192, 192), fit)
    on_input = (kpts * np.array(scale) + np.array(offset)) / 192
    coords = torch.from_numpy(on_input.astype(np.float32))
    return space, torch.cat([coords, torch.ones_like(coords[..., :1])], -1)


MENTORS = dict(
    heatmap=lambda k: heatmap_mentor(k),
    heatmap_same=lambda k: heatmap_mentor(k, CROP, (12, 16), 2.),
    simcc_softmax=lambda k: simcc_mentor(k, True),
    simcc_normalised=lambda k: simcc_mentor(k, False),
    simcc_other_ratio=lambda k: simcc_mentor(k, True, CROP, 3.0),
    regression=lambda k: regression_mentor(k, False),
    rle=lambda k: regression_mentor(k, True),
    file_padded=lambda k: file_mentor(k, 'padded'),
    file_stretched=lambda k: file_mentor(k, 'stretched'),
)


def student_error(space, loss, outputs, enc):
    weights = torch.ones(1, K)
    if space.family == 'simcc':
        from classroomkd_mm.models.adapters.simcc_adapter import (
            SimCCTargets, simcc_error)
        labels = tuple(torch.from_numpy(enc[k])
                       for k in ('keypoint_x_labels', 'keypoint_y_labels'))
        return simcc_error(loss, outputs, SimCCTargets(*labels, weights))
    from classroomkd_mm.models.adapters.heatmap_adapter import heatmap_error
    gt = torch.from_numpy(enc['heatmaps'])[None]
    return heatmap_error(outputs, gt, weights)


def target_distribution(space, labels):
    """The distribution the student's KLDiscretLoss trains softmax(beta x)
    towards (normalised labels taken as they are, up to their sum)."""
    if space.label_softmax:
        return torch.softmax(space.label_beta * labels, -1)
    return labels / labels.sum(-1, keepdim=True)


def own_loss_of_the_ground_truth(space, loss, enc):
    """The student's loss of outputs that are exactly its target."""
    labels = [torch.from_numpy(enc[k]) for k in ('keypoint_x_labels',
                                                 'keypoint_y_labels')]
    if space.label_softmax:
        ideal = tuple(space.label_beta / space.logit_scale * v
                      for v in labels)
    else:
        ideal = tuple(torch.log(v.clamp_min(1e-38)) / space.logit_scale
                      for v in labels)
    return student_error(space, loss, ideal, enc)


@pytest.mark.parametrize('step', [4.0, 0.5])
@pytest.mark.parametrize('mentor', sorted(MENTORS))
@pytest.mark.parametrize('student', sorted(STUDENTS))
def test_a_perfect_mentor_hands_the_student_its_own_target(student, mentor,
                                                           step,
                                                           mmpose_scope):
    """Keypoints on a 4 px grid lie on a cell of every grid (a heatmap
    cell of the student); on a 0.5 px grid they fall between heatmap
    cells (SimCCLabel rounds to its bins: 0.5 px is a student bin, and a
    mentor bin except for the 3.0 split ratio, which is skipped there)."""
    if step == 0.5 and mentor == 'simcc_other_ratio':
        pytest.skip('SimCCLabel rounds 0.5 px to 1.5 bins: no perfect '
                    'mentor of split ratio 3 exists there')
    s_space, codec, loss = STUDENTS[student]()
    kpts = keypoints(step)
    enc = codec.encode(kpts, np.ones(kpts.shape[:2]))
    m_space, outputs = MENTORS[mentor](kpts)
    bridge = MentorBridge('m', m_space, s_space)
    bridged = bridge.to_student_space(outputs)
    error = student_error(s_space, loss, bridged, enc)
    if s_space.family == 'heatmap':
        gt = torch.from_numpy(enc['heatmaps'])[None]
        assert (bridged - gt).abs().max() < 2e-3
        assert float(error) < 1e-6  # MSE of the ground truth: 0
        return
    for axis, key in enumerate(('keypoint_x_labels', 'keypoint_y_labels')):
        target = target_distribution(s_space, torch.from_numpy(enc[key]))
        taught = torch.softmax(s_space.logit_scale * bridged[axis], -1)
        # at T = 1 the mentor's distribution is the student's target
        assert (taught - target).abs().sum(-1).max() < 0.02, axis
        assert (taught.argmax(-1) == target.argmax(-1)).all()
    reference = own_loss_of_the_ground_truth(s_space, loss, enc)
    assert torch.allclose(error, reference, atol=2e-4)
