"""The command-line mistakes of tools/train.py and tools/test.py stop with
a message naming the cause and the fix, not a traceback: a --work-dir that
is a file, a --cfg-options item without '=', a --resume from a checkpoint
of another model; and --help says what tools/train.py adds to the host's
training."""
import os.path as osp

import pytest

from tests.helpers.tiny_classifiers import classifier_cfg
from tests.helpers.tiny_runs import (dump_config, load_tool, run_config,
                                     save_mentors, train_in_subprocess,
                                     write_image_folder)


@pytest.fixture(scope='module')
def train_tool():
    return load_tool('train')


@pytest.fixture(scope='module')
def test_tool():
    return load_tool('test')


def test_help_says_what_training_adds(train_tool, capsys):
    with pytest.raises(SystemExit) as stop:
        train_tool.parse_args(['--help'])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for words in ('work-dir lock', '_student.pth', 'RNG state',
                  'classroomkd_runtime.py', 'never twice'):
        assert words in text, words


@pytest.mark.parametrize('tool', ['train_tool', 'test_tool'])
def test_cfg_options_without_equals_names_the_item(tool, request, capsys):
    module = request.getfixturevalue(tool)
    extra = ['ckpt.pth'] if tool == 'test_tool' else []
    with pytest.raises(SystemExit) as stop:
        module.parse_args(['cfg.py', *extra, '--cfg-options',
                           'train_cfg.max_epochs=2', 'randomness.seed'])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "'randomness.seed'" in err and 'key=value' in err
    assert 'randomness.seed=<value>' in err
    assert 'Traceback' not in err and 'unpack' not in err


@pytest.mark.parametrize('tool', ['train_tool', 'test_tool'])
def test_work_dir_that_is_a_file_is_refused(tool, request, tmp_path,
                                            capsys):
    module = request.getfixturevalue(tool)
    extra = ['ckpt.pth'] if tool == 'test_tool' else []
    a_file = tmp_path / 'notes.txt'
    a_file.write_text('x')
    for work_dir, says in ((a_file, 'is a file, not a folder'),
                           (a_file / 'run', 'cannot be made')):
        with pytest.raises(SystemExit) as stop:
            module.parse_args(['cfg.py', *extra, '--work-dir',
                               str(work_dir)])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert says in err and str(a_file) in err, err
    ok = module.parse_args(['cfg.py', *extra, '--work-dir',
                            str(tmp_path / 'new' / 'run')])
    assert ok.work_dir == str(tmp_path / 'new' / 'run')


@pytest.mark.slow  # two tools/train.py runs
def test_resume_from_another_models_checkpoint_names_the_cause(tmp_path):
    data = write_image_folder(str(tmp_path / 'data'), per_class=2)
    mentors = save_mentors(str(tmp_path))
    first = run_config(data, str(tmp_path / 'a'), mentors, max_epochs=1)
    trained = train_in_subprocess(dump_config(first,
                                              str(tmp_path / 'a.py')))
    assert trained.returncode == 0, trained.stderr[-3000:]
    checkpoint = osp.join(tmp_path, 'a', 'epoch_1.pth')
    assert osp.isfile(checkpoint)

    other = run_config(data, str(tmp_path / 'b'), mentors, max_epochs=2)
    other['model']['student'] = classifier_cfg(6)  # a wider student
    config_b = dump_config(other, str(tmp_path / 'b.py'))
    proc = train_in_subprocess(config_b, '--resume', checkpoint)
    assert proc.returncode != 0
    err = proc.stderr
    assert f'Cannot resume from {checkpoint}' in err, err[-3000:]
    assert 'another model' in err and 'differ in shape' in err
    assert config_b in err and 'load_from=' in err
    assert 'Traceback' not in err and 'parameter group' not in err


@pytest.mark.slow  # subprocesses
@pytest.mark.parametrize('tool', ['train.py', 'test.py'])
def test_the_tools_import_the_installed_package_first(tool, tmp_path):
    """An installed classroomkd_mm (here a stand-in on PYTHONPATH, ahead of
    site-packages as an installed one is ahead of nothing) is the one the
    tools import; the checkout only provides what is not installed."""
    import subprocess
    import sys

    from tests.helpers import REPO
    stand_in = tmp_path / 'site' / 'classroomkd_mm'
    stand_in.mkdir(parents=True)
    (stand_in / '__init__.py').write_text(
        "raise SystemExit('the installed classroomkd_mm was imported')\n")
    proc = subprocess.run(
        [sys.executable, osp.join(REPO, 'tools', tool), '--help'],
        cwd=str(tmp_path), capture_output=True, text=True, timeout=120,
        env={'PATH': '/usr/bin:/bin', 'PYTHONPATH': str(tmp_path / 'site')})
    assert 'the installed classroomkd_mm was imported' in proc.stderr, \
        proc.stderr[-2000:]
