"""Write the scikit-learn digits as an ImageNet-style folder for
mmpretrain's CustomDataset (see configs/_base_/datasets/digits_bs32.py)."""
import argparse

from classroomkd_mm.utils.digits_folder import write_digits_folder


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
