"""Cost of the COCO-style data check (classroomkd_mm.datasets) on a config,
against what the Runner does with the same data anyway: mmpose building the
train and val datasets (reading and parsing the same annotation files).

    python tools/benchmark_data_check.py [CONFIG] [--repeats 7]

Prints one JSON line: the median wall seconds of the check (training's
splits, train and val; no log line) and of the two dataset builds, each on a
fresh copy of the config, and their ratio. Default CONFIG: the COCO-MINI
student (configs/pose/coco_mini/, 80 + 79 images).
"""
import argparse
import json
import os.path as osp
import platform
import statistics
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

DEFAULT_CONFIG = 'configs/pose/coco_mini/simcc_res18-c16_1xb16-120e_' \
    'coco-mini-64x48.py'


def cpu_name() -> str:
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def median_seconds(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', nargs='?', default=DEFAULT_CONFIG)
    parser.add_argument('--repeats', type=int, default=7)
    args = parser.parse_args(argv)

    from mmengine.config import Config
    from mmpose.registry import DATASETS
    from mmpose.utils import register_all_modules

    from classroomkd_mm.datasets import check_coco_style_data
    register_all_modules()
    base = Config.fromfile(args.config)

    def fresh():
        return Config(base.to_dict())

    def check():
        reports = check_coco_style_data(fresh(), ('train', 'val'), log=False)
        assert reports, f'{args.config} has no COCO-style dataset'

    def build():
        cfg = fresh()
        for split in ('train', 'val'):
            DATASETS.build(cfg[f'{split}_dataloader'].dataset)

    check(), build()  # imports and the file system cache, not timed
    check_s = median_seconds(check, args.repeats)
    build_s = median_seconds(build, args.repeats)
    result = dict(config=args.config, repeats=args.repeats,
                  check_seconds=round(check_s, 4),
                  dataset_build_seconds=round(build_s, 4),
                  check_over_build=round(check_s / build_s, 3),
                  cpu=cpu_name())
    print(json.dumps(result))
    return result


if __name__ == '__main__':
    main()
