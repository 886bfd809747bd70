"""The benchmark's spec checks and report, without training anything."""
import json

import pytest

from benchmarks.methods import load_spec
from benchmarks.methods.report import (paired_difference, summarise,
                                       write_report)

SPEC = '''
name = 'tiny'
student = 'student.py'
metric = 'accuracy/top1'
seeds = [0, 1]
trainings = dict(big=dict(config='big.py'))
mentors = dict(strong=dict(training='big', epoch=10),
               weak=dict(training='big', epoch=1))
methods = dict(
    nokd=dict(mentors=[]),
    kd=dict(mentors='best', policy=dict(type='SingleMentorKD')),
    classroomkd=dict(policy=dict(type='KnowledgeFilter')),
    weak_only=dict(mentors=['weak'], group='mentor quality'))
'''


def write_spec(tmp_path, text=SPEC):
    path = tmp_path / 'spec.py'
    path.write_text(text)
    return str(path)


def test_spec_mentor_choice(tmp_path):
    spec = load_spec(write_spec(tmp_path), seeds=[3])
    assert spec.seeds == [3]
    assert spec.work_dir == 'work_dirs/benchmarks/tiny'
    scores = dict(strong=97.0, weak=60.0)
    assert spec.method_mentors('kd', scores) == ['strong']
    assert spec.method_mentors('classroomkd', scores) == ['strong', 'weak']
    assert spec.method_mentors('nokd', scores) == []


@pytest.mark.parametrize('change, message', [
    ("mentors = dict(x=dict(training='nope', epoch=1))", "training 'nope'"),
    ("mentors = dict(x=dict(training='big'))", 'needs an int `epoch`'),
    ("methods = dict(a=dict(polcy=dict()))", "unknown keys \\['polcy'\\]"),
    ("methods = dict(a=dict(mentors='some'))", "'all' or 'best'"),
    ("methods = dict(a=dict(mentors=['ghost']))", "\\['ghost'\\]"),
    ("mentors = dict(x=dict(training='big', epoch=1, keypoint_mapping="
     "'0-0'))", 'keypoint_mapping must be a list of'),
    ("mentors = dict(x=dict(training='big', epoch=1, keypoint_mapping="
     "[(0, 1, 2)]))", 'keypoint_mapping must be a list of'),
])
def test_spec_errors_name_the_problem(tmp_path, change, message):
    with pytest.raises(ValueError, match=message):
        load_spec(write_spec(tmp_path, SPEC + change + '\n'))


def test_method_seeds(tmp_path):
    spec = load_spec(write_spec(tmp_path, SPEC.replace(
        "group='mentor quality')", "group='mentor quality', seeds=[0])")))
    assert spec.method_seeds('weak_only') == [0]
    assert spec.method_seeds('kd') == [0, 1]


def test_spec_missing_keys(tmp_path):
    with pytest.raises(ValueError, match="missing \\['seeds'\\]"):
        load_spec(write_spec(tmp_path, SPEC.replace('seeds = [0, 1]', '')))


def fake_results():
    runs = []
    for method, group, scores in (('nokd', 'main', [80.0, 82.0]),
                                  ('classroomkd', 'main', [85.0, 87.0]),
                                  ('weak_only', 'mentor quality', [81.0])):
        for seed, score in enumerate(scores):
            history = {} if method == 'nokd' else {
                'classroom.weak.active_rate': [0.5, 0.25],
                'classroom.weak.temperature': [3.0, None]}
            runs.append(dict(method=method, group=group, seed=seed,
                             mentors=[] if method == 'nokd' else ['weak'],
                             score=score,
                             diagnostics=dict(first_epoch=0,
                                              history=history)))
    return runs


def test_summary_and_report(tmp_path):
    spec = load_spec(write_spec(tmp_path))
    results = fake_results()
    table = summarise(results)
    assert table['classroomkd']['mean'] == 86.0
    assert table['classroomkd']['std'] == pytest.approx(1.4142, abs=1e-4)
    assert table['weak_only']['std'] == 0.0
    paths = write_report(str(tmp_path), spec, results,
                         dict(strong=97.0, weak=60.0), 'python x', 1.0)
    text = open(paths['markdown']).read()
    assert '| classroomkd | weak | 2 | 86.00 | 1.41 | +5.00 | - |' in text
    assert '| nokd | - | 2 | 81.00 | 1.41 | +0.00 | -5.00 ± 0.00 (2) |' in text
    assert '## mentor quality' in text
    saved = json.load(open(paths['json']))
    assert len(saved['runs']) == 5
    for kind in ('scores', 'diagnostics'):
        assert open(paths[kind], 'rb').read(4) == b'\x89PNG'


def test_paired_difference_over_common_seeds():
    runs = [dict(method=m, seed=seed, score=score)
            for m, scores in (('a', {0: 1.0, 1: 2.0, 2: 4.0, 3: 9.0}),
                              ('classroomkd', {0: 0.0, 1: 0.0, 2: 1.0}))
            for seed, score in scores.items()]
    mean, stderr, n = paired_difference(runs, 'a')
    # differences 1, 2, 3 (seed 3 has no partner): std 1, SE 1 / sqrt(3)
    assert (mean, n) == (2.0, 3)
    assert stderr == pytest.approx(3 ** -0.5)
    assert paired_difference(runs, 'classroomkd') is None
    assert paired_difference(runs[:1] + runs[4:5], 'a') is None
