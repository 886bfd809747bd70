"""tools/demo/quiet_runs.py: inside ``quiet_console`` the console gets the
progress lines, errors and each warning once; every run's log file still has
everything (environment, config dump, hook listing); on exit all is as it
was."""
import glob
import os.path as osp
import time
import warnings

import pytest
from mmengine.logging import MMLogger

from tools.demo.quiet_runs import quiet_console

PROGRESS = 'Epoch(train) [1][2/4]  lr: 1.0000e-02  loss: 0.5000'
CONFIG_DUMP = "Config:\nmodel = dict(type='LeNet5')"


def new_logger(tmp_path, tag):
    name = f'quiet_runs_{tag}_{time.time_ns()}'
    return MMLogger.get_instance(name, log_file=str(tmp_path / f'{tag}.log'),
                                 log_level='INFO')


def log_a_run(logger):
    logger.info(CONFIG_DUMP)
    logger.info('Hooks will be executed in the following order:')
    logger.info(PROGRESS)
    logger.warning('"FileClient" will be deprecated in future.')
    logger.error('a checkpoint could not be read')


def test_console_shows_progress_and_each_warning_once(tmp_path, capsys):
    with quiet_console():
        first = new_logger(tmp_path, 'first')
        second = new_logger(tmp_path, 'second')
        log_a_run(first)
        log_a_run(second)
    console = capsys.readouterr().out
    assert 'Config:' not in console
    assert 'Hooks will be executed' not in console
    assert console.count(PROGRESS) == 2
    assert console.count('"FileClient" will be deprecated') == 1
    assert console.count('a checkpoint could not be read') == 2
    for tag in ('first', 'second'):
        with open(tmp_path / f'{tag}.log') as f:
            log = f.read()
        for text in (CONFIG_DUMP, 'Hooks will be executed', PROGRESS,
                     '"FileClient" will be deprecated',
                     'a checkpoint could not be read'):
            assert text in log, (tag, text)


def test_everything_is_restored_on_exit(tmp_path, capsys):
    before = new_logger(tmp_path, 'before')
    with quiet_console():
        during = new_logger(tmp_path, 'during')
        before.info(CONFIG_DUMP)
        during.info(CONFIG_DUMP)
    assert 'Config:' not in capsys.readouterr().out
    after = new_logger(tmp_path, 'after')
    for logger in (before, during, after):
        logger.info(CONFIG_DUMP)
        for handler in logger.handlers:
            assert not handler.filters or all(
                type(f).__name__ == 'FilterDuplicateWarning'
                for f in handler.filters)
    assert capsys.readouterr().out.count('Config:') == 3


def test_a_python_warning_is_shown_once_per_message():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        with quiet_console():
            for _ in range(3):
                warnings.warn('pkg_resources is deprecated', UserWarning)
                # what clears Python's own per-location registries
                with warnings.catch_warnings():
                    pass
            warnings.warn('another message', UserWarning)
        warnings.warn('pkg_resources is deprecated', UserWarning)
    assert [str(w.message) for w in caught] == [
        'pkg_resources is deprecated', 'another message',
        'pkg_resources is deprecated']


def test_warning_filters_are_kept():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        warnings.filterwarnings('ignore', message='ignored')
        warnings.filterwarnings('error', message='fatal')
        with quiet_console():
            warnings.warn('ignored', UserWarning)
            with pytest.raises(UserWarning, match='fatal'):
                warnings.warn('fatal', UserWarning)
    assert caught == []


@pytest.mark.slow
@pytest.mark.usefixtures('mmpretrain_scope')
def test_a_runner_logs_its_environment_config_and_hooks_to_its_file_only(
        tmp_path, capsys):
    from classroomkd_mm.apis import train_and_test
    from tests.helpers.tiny_runs import train_test_config
    cfg = train_test_config(tmp_path, max_epochs=1)
    work_dir = str(tmp_path / 'run')
    with quiet_console():
        train_and_test(cfg, work_dir, seed=0)
    console = capsys.readouterr().out
    logs = glob.glob(osp.join(work_dir, '*', '*.log'))
    assert len(logs) == 1
    with open(logs[0]) as f:
        log = f.read()
    for text in ('System environment:', 'INFO - Config:',
                 'Hooks will be executed in the following order:'):
        assert text in log
        assert text not in console
    assert 'Epoch(train) [1]' in console and 'Epoch(train) [1]' in log
    assert 'Epoch(test)' in console


def test_coco_api_prints_go_to_the_runs_log_file(tmp_path, capsys):
    from xtcocotools.coco import COCO

    from tests.helpers import REPO
    with quiet_console():
        logger = new_logger(tmp_path, 'coco')
        COCO(osp.join(REPO, 'data', 'samples', 'coco', 'test_coco.json'))
        print('| student ClassroomKD | 36.8 |')
        print('a partial line, flushed', end='', flush=True)
    console = capsys.readouterr().out
    assert 'loading annotations' not in console
    assert 'index created!' not in console
    assert '| student ClassroomKD | 36.8 |\n' in console
    assert console.endswith('a partial line, flushed')
    with open(tmp_path / 'coco.log') as f:
        log = f.read()
    assert 'loading annotations into memory...' in log
    assert 'index created!' in log
    assert '36.8' not in log
    print('loading annotations into memory...')
    assert 'loading annotations' in capsys.readouterr().out
    logger.info('after the context')
    assert 'after the context' in capsys.readouterr().out
