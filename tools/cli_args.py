"""Command-line arguments shared by ``tools/train.py`` and
``tools/test.py`` (as mmpose names them)."""
import os
import os.path as osp


def add_shared_args(parser):
    """``--work-dir``, ``--show-dir``, ``--show``, ``--interval``,
    ``--wait-time``, ``--launcher`` and ``--local_rank``."""
    parser.add_argument(
        '--work-dir', help='the directory to save logs, models and results')
    parser.add_argument(
        '--show-dir',
        help='directory where the visualization images will be saved.')
    parser.add_argument(
        '--show',
        action='store_true',
        help='whether to display the prediction results in a window.')
    parser.add_argument(
        '--interval',
        type=int,
        default=1,
        help='visualize per interval samples.')
    parser.add_argument(
        '--wait-time',
        type=float,
        default=1,
        help='display time of every window. (second)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    # torch.distributed.launch passes `--local-rank` with PyTorch >= 2.0.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def apply_shared_args(cfg, args):
    """Launcher, work directory (default ``./work_dirs/<config name>``) and
    the visualization hook settings, as mmpose's tools apply them."""
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.show or args.show_dir:
        hooks = cfg.default_hooks
        assert 'visualization' in hooks, 'The visualization hook must be ' \
            'included in default_hooks to use --show or --show-dir.'
        hooks.visualization.enable = True
        hooks.visualization.show = args.show
        if args.show:
            hooks.visualization.wait_time = args.wait_time
        hooks.visualization.out_dir = args.show_dir
        hooks.visualization.interval = args.interval
    return cfg
