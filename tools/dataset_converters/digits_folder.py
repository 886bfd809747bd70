"""The UCI handwritten digits (shipped by scikit-learn) as an ImageNet-style
image folder, so mmpretrain's own ``CustomDataset`` reads it (see
``configs/_base_/datasets/digits_bs32.py``).

    python tools/dataset_converters/digits_folder.py [--out DIR]
"""
import argparse
import os
import os.path as osp

import numpy as np


def write_digits_folder(root: str, val_per_class: int = 50,
                        train_per_class: int = None, size: int = 32,
                        seed: int = 0,
                        train_subsets: dict = {'train-30pc': 30}) -> dict:
    """Write ``root/{train,val}/<digit>/<index>.png`` (``size`` x ``size``
    grayscale, bilinear upscaling of the 8x8 originals).

    The split is stratified and fixed by ``seed``: ``val_per_class`` images
    of each digit go to ``val``; the rest (or ``train_per_class`` of them)
    to ``train``. Each ``train_subsets`` entry ``name: n`` also writes
    ``root/<name>`` with the first ``n`` training images of each digit (the
    small-data setting the digits students train in). Existing files are
    kept, so calling it again is cheap.

    Returns:
        dict: number of images per split.
    """
    import cv2
    from sklearn.datasets import load_digits

    digits = load_digits()
    rng = np.random.RandomState(seed)
    counts = {'train': 0, 'val': 0, **{name: 0 for name in train_subsets}}
    for label in range(10):
        indices = np.flatnonzero(digits.target == label)
        rng.shuffle(indices)
        train = indices[val_per_class:]
        if train_per_class is not None:
            train = train[:train_per_class]
        splits = [('val', indices[:val_per_class]), ('train', train)]
        splits += [(name, train[:n]) for name, n in train_subsets.items()]
        for split, chosen in splits:
            folder = osp.join(root, split, str(label))
            os.makedirs(folder, exist_ok=True)
            for index in chosen:
                path = osp.join(folder, f'{index:04d}.png')
                if not osp.exists(path):
                    image = (digits.images[index] * (255.0 / 16.0)).astype(
                        np.float32)
                    image = cv2.resize(image, (size, size),
                                       interpolation=cv2.INTER_LINEAR)
                    cv2.imwrite(path, np.clip(image, 0, 255).astype(np.uint8))
                counts[split] += 1
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--out', default='data/generated/digits')
    parser.add_argument('--val-per-class', type=int, default=50)
    parser.add_argument('--train-per-class', type=int, default=None)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    counts = write_digits_folder(args.out, args.val_per_class,
                                 args.train_per_class, seed=args.seed)
    print(f'wrote {counts} to {args.out}')


if __name__ == '__main__':
    main()
