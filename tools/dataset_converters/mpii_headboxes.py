"""Write the head-box ``.mat`` file that ``MpiiDataset`` reads for PCKh."""
import json

import numpy as np

UPPER_NECK, HEAD_TOP = 8, 9
SC_BIAS = 0.6  # MpiiDataset: head_size = 0.6 * head-box diagonal


def headboxes_from_annotations(anns) -> np.ndarray:
    """``(2, 2, N)`` head boxes, as in MPII's ``mpii_gt_val.mat``
    (``headboxes_src[:, :, i] = [[x1, y1], [x2, y2]]``), for annotations in
    MMPose's MPII json format.

    The official boxes are hand-drawn; this makes, for each person, the square
    centred between the upper neck and the head top whose
    ``0.6 * diagonal`` equals the neck-to-top distance, so that PCKh is
    normalised by the head segment length, as PCKh is defined.
    """
    boxes = np.zeros((2, 2, len(anns)), dtype=np.float64)
    for i, ann in enumerate(anns):
        joints = np.asarray(ann['joints'], dtype=np.float64)
        neck, top = joints[UPPER_NECK], joints[HEAD_TOP]
        centre = (neck + top) / 2
        half_side = np.linalg.norm(top - neck) / (SC_BIAS * np.sqrt(2)) / 2
        boxes[:, :, i] = [centre - half_side, centre + half_side]
    return boxes


def write_mpii_headboxes(ann_file: str, out_file: str) -> str:
    """Write ``out_file`` (``.mat`` with ``headboxes_src``) for the
    annotations of ``ann_file``, in their order (``MpiiDataset`` pairs them by
    index)."""
    from scipy.io import savemat
    with open(ann_file) as f:
        anns = json.load(f)
    savemat(out_file, dict(headboxes_src=headboxes_from_annotations(anns)))
    return out_file
