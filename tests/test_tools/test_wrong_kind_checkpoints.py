"""tools/test.py and tools/benchmark_students.py given either kind of
checkpoint with either kind of config: the student's weights, or an error;
never a score of random weights. A ClassroomKD config is evaluated without
its mentors' checkpoints."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.runner.checkpoint import (get_state_dict, save_checkpoint,
                                        weights_to_cpu)

from classroomkd_mm.registry import MODELS
from classroomkd_mm.utils.student_weights import student_checkpoint
from tests.helpers import REPO
from tests.helpers.tiny_runs import (dump_config, load_tool, run_config,
                                 save_mentors, write_image_folder)
from tests.helpers.tiny_classifiers import classifier_cfg

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

test_tool = load_tool('test')


def with_test_loop(cfg, data_root):
    cfg.update(
        test_dataloader=dict(
            batch_size=4, num_workers=0, persistent_workers=False,
            sampler=dict(type='DefaultSampler', shuffle=False),
            dataset=dict(type='CustomDataset', data_root=data_root,
                         pipeline=[dict(type='LoadImageFromFile'),
                                   dict(type='PackInputs')])),
        test_cfg=dict(), test_evaluator=dict(type='Accuracy', topk=(1, )))
    return cfg


@pytest.fixture
def files(tmp_path):
    """Configs (distiller, plain student) and checkpoints (a real
    distiller's, its student-only file, another model's)."""
    data = write_image_folder(str(tmp_path / 'data'))
    mentors = save_mentors(str(tmp_path))
    cfg = with_test_loop(run_config(data, str(tmp_path / 'work'), mentors),
                         data)
    distiller_config = dump_config(cfg, str(tmp_path / 'distiller_cfg.py'))
    student_cfg = copy.deepcopy(cfg)
    student_cfg['model'] = classifier_cfg(4)
    student_config = dump_config(student_cfg, str(tmp_path / 'student_cfg.py'))
    torch.manual_seed(7)
    distiller = MODELS.build(cfg['model'])
    full = str(tmp_path / 'epoch_1.pth')
    save_checkpoint(dict(meta=dict(epoch=1), state_dict=weights_to_cpu(
        get_state_dict(distiller))), full)
    student_only = str(tmp_path / 'epoch_1_student.pth')
    torch.save(student_checkpoint(distiller), student_only)
    older = str(tmp_path / 'older.pth')  # the layout before mentors left
    torch.save(dict(meta=dict(epoch=1), state_dict={
        'student.' + k: v for k, v in distiller.student.state_dict().items()
    }), older)
    return dict(distiller_config=distiller_config,
                student_config=student_config, full=full, older=older,
                student_only=student_only, mentor=mentors['m0']['checkpoint'],
                student=distiller.student.state_dict(),
                work_dir=str(tmp_path / 'eval'))


def evaluated_weights(config, checkpoint, work_dir):
    runner = test_tool.build_runner(test_tool.parse_args(
        [config, checkpoint, '--work-dir', work_dir]))
    return runner, runner.model.state_dict()


def assert_student(state_dict, expected):
    assert set(state_dict) >= set(expected) - {
        k for k in expected if k.startswith('data_preprocessor.')}
    for key, value in state_dict.items():
        if key in expected:
            assert torch.equal(value, expected[key]), key


# Each config's logged case first: Runners built within the same second
# from configs of the same file name share MMEngine's logger instance (its
# name is the file name and the time), which captured the first test's
# output.
@pytest.mark.parametrize('config,checkpoint,said', [
    ('student_config', 'older', 'is a ClassroomKD checkpoint of the older '
     'layout'),
    ('distiller_config', 'older', 'is a ClassroomKD checkpoint of the older '
     'layout'),
    ('student_config', 'full', None),
    ('distiller_config', 'student_only', None),
    ('distiller_config', 'full', None),
    ('student_config', 'student_only', None),
])
def test_either_kind_gives_the_student(config, checkpoint, said, files,
                                       capsys):
    runner, weights = evaluated_weights(files[config], files[checkpoint],
                                        files['work_dir'])
    assert_student(weights, files['student'])
    assert not hasattr(runner.model, 'classroom')  # no mentor is built
    out = capsys.readouterr().out
    if said:
        assert said in out and 'WARNING' in out
    else:
        assert 'older layout' not in out


@pytest.mark.parametrize('config', ['student_config', 'distiller_config'])
def test_a_checkpoint_that_does_not_fit_is_refused(config, files):
    with pytest.raises(ValueError, match=r'Checkpoint .*mentor0.pth does not '
                       r'fit the student of .*_cfg.py: .*shape mismatches '
                       r'\([1-9].*would score random weights. Give the '
                       'config the checkpoint was trained with'):
        evaluated_weights(files[config], files['mentor'], files['work_dir'])


def test_distiller_config_needs_no_mentor_checkpoints(files, tmp_path):
    """tools/test.py end to end on a ClassroomKD config whose mentor
    checkpoints are gone."""
    import os
    for name in ('mentor0.pth', 'mentor1.pth'):
        os.remove(tmp_path / name)
    metrics = test_tool.main([files['distiller_config'], files['full'],
                              '--work-dir', files['work_dir']])
    assert 0.0 <= metrics['accuracy/top1'] <= 100.0


def test_benchmark_students_refuses_and_loads(tmp_path, monkeypatch):
    """tools/benchmark_students.py: a checkpoint of another model is an
    error naming the file; a full ClassroomKD checkpoint gives its
    student."""
    pytest.importorskip('mmpose')
    from mmengine.config import Config
    from mmpose.registry import MODELS as POSE_MODELS
    from mmpose.utils import register_all_modules
    register_all_modules()
    monkeypatch.chdir(REPO)
    tool = load_tool('benchmark_students')
    config = osp.join('configs', 'pose', 'samples',
                      'td-hm_res18-c16_1xb14-300it_coco-sample-64x48.py')
    model_cfg = Config.fromfile(config).model
    torch.manual_seed(0)
    student = POSE_MODELS.build(model_cfg)
    mentor = str(tmp_path / 'mentor.pth')
    torch.save(dict(state_dict=student.state_dict()), mentor)
    distiller = MODELS.build(dict(
        type='classroomkd_mm.ClassroomDistiller', student=model_cfg,
        mentors=dict(m=dict(model=model_cfg, checkpoint=mentor))))
    full = str(tmp_path / 'epoch_1.pth')
    save_checkpoint(dict(state_dict=weights_to_cpu(get_state_dict(
        distiller))), full)
    other = str(tmp_path / 'other.pth')
    torch.save(dict(state_dict=dict(distiller.student.state_dict(),
                                    extra=torch.zeros(1))), other)

    from mmengine.hooks import Hook

    from classroomkd_mm.apis import train_and_test

    class Capture(Hook):
        def before_test(self, runner):
            self.state = dict(runner.model.state_dict())

    def tested_weights(checkpoint):
        """What benchmark_one evaluates: ``train_and_test(train=False)``."""
        cfg = tool.load_student_config(config, checkpoint, None,
                                       str(tmp_path / 'bench'), 'x')
        capture = Capture()
        train_and_test(cfg, train=False, load_from=checkpoint,
                       hooks=[capture])
        return capture.state

    assert_student(tested_weights(full), distiller.student.state_dict())
    with pytest.raises(ValueError, match=r'other.pth does not fit.*'
                       r'unexpected keys \(1\): extra'):
        tested_weights(other)
