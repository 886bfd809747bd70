import torch

from classroomkd_mm.models.bridges.shared_keypoints import (
    keypoint_coverage, shared_keypoint_weights)


def test_shared_weights_and_coverage_with_missing_keypoints():
    weights = torch.tensor([[1., 1., 0., 1.],     # keypoint 2 invisible
                            [0., 0., 0., 0.]])    # nothing visible
    masks = torch.tensor([[True, True, True, True],
                          [True, False, True, False]])
    shared = shared_keypoint_weights(weights, masks)
    assert shared.shape == (2, 2, 4)
    assert torch.equal(shared[0], weights)
    assert shared[1, 0].tolist() == [1., 0., 0., 0.]
    coverage = keypoint_coverage(weights, masks)
    assert torch.allclose(coverage, torch.tensor([[1., 0.], [1 / 3, 0.]]))
