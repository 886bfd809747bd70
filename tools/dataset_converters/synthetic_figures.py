"""A procedurally rendered, **synthetic** pose data set in COCO keypoint format.

Each image shows one articulated figure (head, torso, two arms, two legs) with
the 17 COCO keypoints as ground truth, on a cluttered background. Pose, scale,
rotation, facing (front or back), limb colours, distractor sticks, truncation
at the image border and occluding patches are random. The person's left limbs
are drawn in warm colours and the right limbs in cool ones, so left and right
can be told apart as on a real person. Keypoints under an occluding patch are
labelled but not visible (``v = 1``); keypoints outside the image are not
labelled (``v = 0``), as in COCO. ``area`` (OKS's scale ``s^2``) is half the
box area, about the ratio of a COCO person's segment to its box: a stick
figure's own pixel area is far smaller and would make OKS much stricter than
it is on COCO people of the same size.

With ``feet=True`` every figure also has feet (a heel-to-toes triangle at
each ankle, in its leg's colour), and each split gets a second annotation
file with 23 keypoints: COCO's 17 and the 6 foot keypoints of COCO-WholeBody
and Halpe (``FOOT_KEYPOINTS``), in COCO-WholeBody's order, so that a mentor
with the larger keypoint set can be trained. Its metainfo for mmpose's
``CocoDataset`` and ``CocoMetric`` is
``configs/_base_/datasets/synthetic_figures_feet.py``. The foot keypoints
come from the ankles' geometry, without drawing from the random stream, but
the feet change the pixels, the box and the occluder's place: a ``feet``
data set is its own data set (its own root), and without ``feet`` the
output is byte for byte what it was before feet existed.

It exists so that pose distillation methods can be benchmarked on a CPU with
mmpose's own ``CocoDataset`` and ``CocoMetric``; it is not a substitute for
COCO. Every file it writes has ``synthetic`` in its name.

    python tools/dataset_converters/synthetic_figures.py \
        [--out data/generated/synthetic_figures] [--seed 0] [--feet]
"""
import argparse
import fcntl
import json
import os
import os.path as osp
import zlib

import numpy as np

KEYPOINTS = ('nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
             'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
             'left_wrist', 'right_wrist', 'left_hip', 'right_hip',
             'left_knee', 'right_knee', 'left_ankle', 'right_ankle')
#: COCO's skeleton (1-based keypoint ids), as in the COCO annotation files.
SKELETON = [[16, 14], [14, 12], [17, 15], [15, 13], [12, 13], [6, 12],
            [7, 13], [6, 7], [6, 8], [7, 9], [8, 10], [9, 11], [2, 3],
            [1, 2], [1, 3], [2, 4], [3, 5], [4, 6], [5, 7]]
#: The 6 foot keypoints of COCO-WholeBody (its keypoints 17 to 22) and
#: Halpe, after COCO's 17 in the ``feet`` annotation files.
FOOT_KEYPOINTS = ('left_big_toe', 'left_small_toe', 'left_heel',
                  'right_big_toe', 'right_small_toe', 'right_heel')
#: COCO-WholeBody's foot links (1-based): each ankle to its toes and heel.
FOOT_SKELETON = [[16, 18], [16, 19], [16, 20], [17, 21], [17, 22],
                 [17, 23]]
#: Bump when the renderer changes: written files are reused only if equal.
RENDERER_VERSION = 2


def _rotate(vector, degrees):
    a = np.deg2rad(degrees)
    c, s = np.cos(a), np.sin(a)
    return np.array([c * vector[0] - s * vector[1],
                     s * vector[0] + c * vector[1]])


def sample_skeleton(rng: np.random.RandomState, image_size: int):
    """Random keypoints ``(17, 2)`` in pixels, the torso length and whether
    the figure faces the camera."""
    torso = rng.uniform(0.16, 0.27) * image_size
    tilt = rng.normal(0, 12) if rng.rand() < 0.85 else rng.uniform(-60, 60)
    up = _rotate(np.array([0.0, -1.0]), tilt)
    right = _rotate(np.array([1.0, 0.0]), tilt)
    facing_camera = rng.rand() < 0.7
    # the person's left is on the image's right when they face the camera
    left = right if facing_camera else -right

    hip_centre = np.array([rng.uniform(0.3, 0.7), rng.uniform(0.5, 0.7)
                           ]) * image_size
    neck = hip_centre + up * torso
    head = neck + up * 0.42 * torso
    yaw = rng.uniform(-0.08, 0.08) * torso
    points = np.zeros((17, 2))
    points[0] = head - up * 0.04 * torso + right * yaw
    points[1] = head + up * 0.07 * torso + left * 0.09 * torso + right * yaw
    points[2] = head + up * 0.07 * torso - left * 0.09 * torso + right * yaw
    points[3] = head + left * 0.2 * torso
    points[4] = head - left * 0.2 * torso
    shoulder_half = rng.uniform(0.27, 0.4) * torso
    hip_half = rng.uniform(0.17, 0.25) * torso
    for side, sign in ((0, 1.0), (1, -1.0)):
        outward = sign * left
        shoulder = neck + outward * shoulder_half
        hip = hip_centre + outward * hip_half
        # angles away from "straight down", positive = away from the body
        down = -up
        turn = 1.0 if down[0] * outward[1] - down[1] * outward[0] > 0 \
            else -1.0
        upper_arm = _rotate(-up, turn * rng.uniform(-30, 170))
        elbow = shoulder + upper_arm * rng.uniform(0.5, 0.6) * torso
        forearm = _rotate(upper_arm, rng.uniform(-140, 140))
        wrist = elbow + forearm * rng.uniform(0.45, 0.55) * torso
        thigh = _rotate(-up, turn * rng.uniform(-20, 65))
        knee = hip + thigh * rng.uniform(0.55, 0.65) * torso
        shin = _rotate(thigh, rng.choice([-1.0, 1.0]) * rng.uniform(0, 110))
        ankle = knee + shin * rng.uniform(0.5, 0.6) * torso
        points[[5 + side, 7 + side, 9 + side, 11 + side, 13 + side,
                15 + side]] = [shoulder, elbow, wrist, hip, knee, ankle]
    return points, torso, facing_camera


def foot_keypoints(points: np.ndarray, torso: float) -> np.ndarray:
    """The 6 foot keypoints ``(6, 2)`` (``FOOT_KEYPOINTS``' order) of the 17
    ``points`` of ``sample_skeleton``, from the ankles alone (no random
    draw): each foot lies across the end of its shin, turned away from the
    body, of length ``0.3 * torso``::

        s = (ankle - knee) / |ankle - knee|        (the shin's direction)
        f = s rotated by 80 degrees, to the side of the foot's hip
        big toe   = ankle + torso (0.12 s + 0.20 f)
        small toe = ankle + torso (0.06 s + 0.28 f)
        heel      = ankle + torso (0.10 s - 0.07 f)
    """
    feet = np.zeros((6, 2))
    hip_axis = points[11] - points[12]     # right hip -> left hip
    for side in (0, 1):
        knee, ankle = points[13 + side], points[15 + side]
        shin = (ankle - knee) / max(np.linalg.norm(ankle - knee), 1e-6)
        outward = hip_axis if side == 0 else -hip_axis
        foot = _rotate(shin, 80.0)
        if foot @ outward < 0:
            foot = _rotate(shin, -80.0)
        feet[3 * side:3 * side + 3] = [
            ankle + torso * (0.12 * shin + 0.20 * foot),
            ankle + torso * (0.06 * shin + 0.28 * foot),
            ankle + torso * (0.10 * shin - 0.07 * foot)]
    return feet


def _colour(rng, hue_low, hue_high):
    """A BGR colour with hue in [hue_low, hue_high) (OpenCV hue, 0-180)."""
    import cv2
    hsv = np.uint8([[[rng.uniform(hue_low, hue_high) % 180,
                      rng.uniform(120, 255), rng.uniform(120, 255)]]])
    return tuple(int(c) for c in cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)[0, 0])


def _background(rng, size):
    import cv2
    low, high = rng.uniform(0, 160, 3), rng.uniform(60, 255, 3)
    ramp = np.linspace(0, 1, size)[None, :, None]
    if rng.rand() < 0.5:
        ramp = ramp.transpose(1, 0, 2)
    image = (low + (high - low) * ramp) * np.ones((size, size, 3))
    image = image + rng.normal(0, 12, (size, size, 3))
    for _ in range(rng.randint(3, 9)):   # distractor sticks and blobs
        colour = _colour(rng, 0, 180)
        if rng.rand() < 0.6:
            start = rng.uniform(0, size, 2)
            end = start + rng.uniform(-0.3, 0.3, 2) * size
            cv2.line(image, tuple(int(v) for v in start),
                     tuple(int(v) for v in end), colour,
                     int(rng.randint(1, 4)), cv2.LINE_AA)
        else:
            cv2.circle(image, tuple(int(v) for v in rng.uniform(0, size, 2)),
                       int(rng.randint(2, 7)), colour, -1, cv2.LINE_AA)
    return image


def render_figure(rng: np.random.RandomState, image_size: int = 96,
                  feet: bool = False):
    """One image (BGR uint8) and its COCO annotation fields: 17 keypoints,
    or with ``feet`` the figure with feet and 23 keypoints (COCO's and
    ``FOOT_KEYPOINTS``). ``feet`` draws nothing more from ``rng``."""
    import cv2
    points, torso, facing_camera = sample_skeleton(rng, image_size)
    if feet:
        points = np.concatenate([points, foot_keypoints(points, torso)])
    image = _background(rng, image_size)
    mask = np.zeros((image_size, image_size), np.uint8)
    width = max(2, int(round(0.12 * torso)))
    skin = _colour(rng, 5, 20)
    body = _colour(rng, 0, 180)
    warm = _colour(rng, 160, 200)    # the person's left limbs
    cool = _colour(rng, 85, 130)     # the person's right limbs
    p = [tuple(int(round(v)) for v in point) for point in points]

    def draw(target, colour):
        # the far side first: the right side when facing the camera
        for side, limb_colour in ((1, cool), (0, warm)) if facing_camera \
                else ((0, warm), (1, cool)):
            for a, b in ((5, 7), (7, 9), (11, 13), (13, 15)):
                cv2.line(target, p[a + side], p[b + side],
                         colour or limb_colour, width, cv2.LINE_AA)
            if feet:   # heel, big toe, small toe
                cv2.fillConvexPoly(
                    target, np.array([p[19 + 3 * side], p[17 + 3 * side],
                                      p[18 + 3 * side]]),
                    colour or limb_colour, cv2.LINE_AA)
        cv2.fillConvexPoly(target, np.array([p[5], p[6], p[12], p[11]]),
                           colour or body, cv2.LINE_AA)
        cv2.circle(target, tuple(int(v) for v in (points[3] + points[4]) / 2),
                   max(2, int(0.21 * torso)), colour or skin, -1,
                   cv2.LINE_AA)

    draw(image, None)
    draw(mask, (1, ))
    visibility = np.full(len(points), 2)
    if facing_camera:
        for k in (0, 1, 2):
            cv2.circle(image, p[k], max(1, width // 3), (20, 20, 20), -1,
                       cv2.LINE_AA)
    else:
        visibility[[0, 1, 2]] = 0   # the face is hidden: not annotated

    ys, xs = np.nonzero(mask)
    if rng.rand() < 0.35:   # an occluding patch over part of the figure
        centre = np.array([xs.mean(), ys.mean()]) + rng.normal(0, torso, 2)
        half = rng.uniform(0.25, 0.6, 2) * torso
        x0, y0 = (centre - half).astype(int)
        x1, y1 = (centre + half).astype(int)
        cv2.rectangle(image, (x0, y0), (x1, y1), _colour(rng, 0, 180), -1)
        covered = ((points[:, 0] >= x0) & (points[:, 0] <= x1) &
                   (points[:, 1] >= y0) & (points[:, 1] <= y1))
        visibility[covered & (visibility > 0)] = 1

    inside = ((points >= 0) & (points <= image_size - 1)).all(axis=1)
    visibility[~inside] = 0
    image = cv2.GaussianBlur(image, (3, 3), rng.uniform(0.1, 0.9))
    image = np.clip(image + rng.normal(0, 6, image.shape), 0, 255)

    # the box of the whole figure, occluded parts included, as COCO's
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    keypoints = np.concatenate([points, visibility[:, None]], axis=1)
    keypoints[visibility == 0, :2] = 0
    annotation = dict(
        bbox=[float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
        area=float(0.5 * (x1 - x0) * (y1 - y0)),
        keypoints=[round(float(v), 2) for v in keypoints.reshape(-1)],
        num_keypoints=int((visibility > 0).sum()),
        iscrowd=0,
        category_id=1)
    return image.astype(np.uint8), annotation


def feet_annotation_file(root: str, split: str) -> str:
    """The 23-keypoint annotation file of ``split`` in a ``feet`` root."""
    return osp.join(root, 'annotations',
                    f'synthetic_figures_feet_{split}.json')


def write_synthetic_figures(root: str, splits: dict = None,
                            image_size: int = 96, seed: int = 0,
                            feet: bool = False) -> dict:
    """Render the splits into ``root`` in COCO layout::

        root/images/<split>/synthetic_<split>_<index>.png
        root/annotations/synthetic_figures_<split>.json        (17 keypoints)
        root/annotations/synthetic_figures_feet_<split>.json   (with feet: 23)

    ``splits`` maps a split name to its number of images (default: ``train``
    2,000, ``train-800`` the first 800 of ``train``, ``val`` 500). A split
    named ``<base>-<n>`` is the first ``n`` images of ``<base>`` and shares
    its image files. Every split is drawn from its own stream of ``seed``,
    so the same call always writes the same data; a second call with the
    same arguments finds the files and returns at once.

    Returns:
        dict: ``{split: annotation file}``.
    """
    splits = splits or {'train': 2000, 'train-800': 800, 'val': 500}
    stamp_path = osp.join(root, 'synthetic_figures_stamp.json')
    stamp = dict(version=RENDERER_VERSION, splits=splits,
                 image_size=image_size, seed=seed)
    if feet:
        stamp['feet'] = True
    files = {s: osp.join(root, 'annotations', f'synthetic_figures_{s}.json')
             for s in splits}
    every_file = list(files.values()) + (
        [feet_annotation_file(root, s) for s in splits] if feet else [])

    def written():
        if osp.isfile(stamp_path) and all(map(osp.isfile, every_file)):
            with open(stamp_path) as f:
                return json.load(f) == stamp
        return False

    if written():
        return files
    os.makedirs(root, exist_ok=True)
    # processes started side by side render once: the others wait here
    with open(osp.join(root, '.writing.lock'), 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not written():
            _render_splits(root, splits, image_size, seed, files, feet)
            with open(stamp_path, 'w') as f:
                json.dump(stamp, f)
    return files


def _coco_only(annotation):
    """A 23-keypoint annotation cut to COCO's 17 keypoints."""
    keypoints = annotation['keypoints'][:3 * len(KEYPOINTS)]
    return dict(annotation, keypoints=keypoints,
                num_keypoints=int(sum(v > 0 for v in keypoints[2::3])))


def _render_splits(root, splits, image_size, seed, files, feet=False):
    """Draw the images and write one annotation file per split (two with
    ``feet``: COCO's 17 keypoints and the 23 with the feet)."""
    import cv2

    categories = [dict(id=1, name='person', supercategory='person',
                       keypoints=list(KEYPOINTS), skeleton=SKELETON)]
    feet_categories = [dict(categories[0],
                            keypoints=list(KEYPOINTS + FOOT_KEYPOINTS),
                            skeleton=SKELETON + FOOT_SKELETON)]
    os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
    rendered = {}
    for split, count in sorted(splits.items(),
                               key=lambda item: '-' in item[0]):
        base, _, subset = split.rpartition('-')
        if subset.isdigit() and base in rendered:
            images, annotations = rendered[base]
            images, annotations = images[:count], annotations[:count]
        else:
            rng = np.random.RandomState([seed, zlib.crc32(split.encode())])
            images, annotations = [], []
            folder = osp.join(root, 'images', split)
            os.makedirs(folder, exist_ok=True)
            for i in range(count):
                name = f'synthetic_{split}_{i:05d}.png'
                image, annotation = render_figure(rng, image_size, feet)
                cv2.imwrite(osp.join(folder, name), image)
                images.append(dict(id=i + 1, file_name=f'{split}/{name}',
                                   width=image_size, height=image_size))
                annotations.append(dict(annotation, id=i + 1,
                                        image_id=i + 1))
            rendered[split] = (images, annotations)
        info = dict(description='synthetic articulated figures '
                    '(procedurally rendered, not COCO)',
                    version=RENDERER_VERSION)
        with open(files[split], 'w') as f:
            json.dump(dict(info=info, images=images,
                           annotations=[_coco_only(a) for a in annotations]
                           if feet else annotations,
                           categories=categories), f)
        if feet:
            with open(feet_annotation_file(root, split), 'w') as f:
                json.dump(dict(info=dict(info, description=info[
                    'description'] + ', with feet'), images=images,
                    annotations=annotations, categories=feet_categories), f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--out', default='data/generated/synthetic_figures')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--feet', action='store_true',
                        help='draw feet and also write 23-keypoint files')
    args = parser.parse_args()
    files = write_synthetic_figures(args.out, seed=args.seed, feet=args.feet)
    for split, path in files.items():
        print(f'{split}: {path}')
        if args.feet:
            print(f'{split} (23 keypoints): '
                  f'{feet_annotation_file(args.out, split)}')


if __name__ == '__main__':
    main()
