"""Command-line arguments shared by ``tools/train.py`` and
``tools/test.py`` (as mmpose names them)."""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

CFG_OPTIONS_HELP = (
    'override some settings in the used config, the key-value pair in '
    'xxx=yyy format will be merged into config file. If the value to be '
    'overwritten is a list, it should be like key="[a,b]" or key=a,b. It '
    'also allows nested list/tuple values, e.g. key="[(a,b),(c,d)]". Note '
    'that the quotation marks are necessary and that no white space is '
    "allowed. For example, '--cfg-options model.backbone.depth=18 "
    "train_cfg.max_epochs=5'")


class CfgOptionsAction(DictAction):
    """MMEngine's ``DictAction``, with an argument error naming the item
    that is not ``key=value`` (MMEngine's own stops with "not enough values
    to unpack")."""

    def __call__(self, parser, namespace, values, option_string=None):
        for item in values or ():
            key, sep, _ = item.partition('=')
            if not sep or not key:
                parser.error(
                    f'{option_string} {item!r}: each setting is key=value, '
                    f'e.g. {option_string} {key or "train_cfg.max_epochs"}='
                    '<value> (no spaces around "="; quote values with '
                    'spaces or brackets)')
        super().__call__(parser, namespace, values, option_string)


def work_dir_path(path: str) -> str:
    """``--work-dir``: a folder, existing or to be made, never a file."""
    if osp.exists(path) and not osp.isdir(path):
        raise argparse.ArgumentTypeError(
            f'{path!r} is a file, not a folder: a work dir holds the logs, '
            'checkpoints and results of a run. Name a folder (it is made '
            'if missing), e.g. --work-dir work_dirs/my_run')
    parent = osp.dirname(osp.abspath(path))
    while not osp.exists(parent):
        parent = osp.dirname(parent)
    if not osp.isdir(parent):
        raise argparse.ArgumentTypeError(
            f'{path!r} cannot be made: {parent!r} is a file, not a folder. '
            'Name a work dir whose parents are folders.')
    return path


def add_cfg_options_arg(parser, **kwargs):
    """``--cfg-options key=value ...`` (:class:`CfgOptionsAction`)."""
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help=CFG_OPTIONS_HELP, **kwargs)


def add_shared_args(parser):
    """``--work-dir``, ``--show-dir``, ``--show``, ``--interval``,
    ``--wait-time``, ``--launcher`` and ``--local_rank``."""
    parser.add_argument(
        '--work-dir', type=work_dir_path,
        help='the directory to save logs, models and results')
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


def check_resume_checkpoint(runner, config_path):
    """Before ``runner.train()``: when the run resumes, the checkpoint it
    resumes from (``--resume PATH``, or the latest in the work dir for
    ``--resume``) holds the weights of the model this config builds.
    MMEngine loads any checkpoint with a missing-keys warning and then
    stops on the optimizer's parameter groups, far from the cause; this
    stops first with the cause and the fix."""
    from mmengine.model import is_model_wrapper
    from mmengine.runner import find_latest_checkpoint
    from mmengine.runner.checkpoint import CheckpointLoader
    cfg = runner.cfg
    if not cfg.get('resume'):
        return
    path = cfg.get('load_from')
    picked = ''
    if not path:
        path = find_latest_checkpoint(runner.work_dir)
        if not path:
            return  # nothing to resume: MMEngine starts a new run
        picked = f' (the latest checkpoint in {runner.work_dir})'
    if not osp.isfile(path):
        raise SystemExit(f'--resume {path}: no such file. Name a checkpoint '
                         'file, or give --resume alone to resume from the '
                         'latest checkpoint in the work dir.')
    saved = CheckpointLoader.load_checkpoint(path, map_location='cpu',
                                             logger='silent')
    state = saved.get('state_dict', saved)
    model = runner.model.module if is_model_wrapper(runner.model) \
        else runner.model
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    reshaped = sorted(
        k for k in set(expected) & set(state)
        if getattr(state[k], 'shape', None) != expected[k].shape)
    if not (missing or unexpected or reshaped):
        return

    def some(keys):
        return ', '.join(keys[:3]) + (', ...' if len(keys) > 3 else '')

    problems = []
    if missing:
        problems.append(f'{len(missing)} of the {len(expected)} weights of '
                        f'this model are not in it ({some(missing)})')
    if unexpected:
        problems.append(f'{len(unexpected)} of its weights are not in this '
                        f'model ({some(unexpected)})')
    if reshaped:
        k = reshaped[0]
        problems.append(
            f'{len(reshaped)} differ in shape ({k}: '
            f'{tuple(state[k].shape)} in the checkpoint, '
            f'{tuple(expected[k].shape)} here)')
    written_by = (saved.get('meta') or {}).get('experiment_name')
    written_by = f' (run {written_by})' if written_by else ''
    raise SystemExit(
        f'Cannot resume from {path}{picked}: it was written by another model'
        f'{written_by} than {config_path} builds: ' + '; '.join(problems) +
        '. Resume with the config that wrote it; or start a new run from '
        'its weights with --cfg-options load_from=<checkpoint> and no '
        '--resume (matching weights load, the rest are reported); or, for '
        'an auto --resume, use another --work-dir.')
