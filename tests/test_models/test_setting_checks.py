"""Every numeric setting of every component is checked at build (finite,
range, type), with an error naming the component and the setting."""
import pytest

from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_classifiers import distiller_cfg

BAD = [float('nan'), float('inf'), -1.0, 'high', True, None]
SETTINGS = [  # (where in the distiller config, component, setting, ok bad)
    ('mentoring', 'MentoringLoss', 'tau', (-1.0, )),
    ('mentoring', 'MentoringLoss', 'base_temperature', (0.0, -1.0)),
    ('mentoring', 'MentoringLoss', 'loss_weight', (-1.0, )),
    ('divergence', 'HeatmapKLDivergence', 'logit_scale', (0.0, -1.0)),
    ('divergence', 'SimCCKLDivergence', 'logit_scale', (0.0, -1.0)),
    ('policy', 'KnowledgeFilter', 'score_scale', (0.0, -1.0)),
    ('policy', 'MentoringOnly', 'score_scale', (0.0, -1.0)),
    ('policy', 'KFOnly', 'score_scale', (0.0, -1.0)),
    ('policy', 'CAMKD', 'score_scale', (0.0, -1.0)),
    ('policy', 'CAMKD', 'student_confidence', (-1.0, )),
    ('policy', 'SingleMentorKD', 'alpha', (-1.0, )),
    ('policy', 'SingleMentorKD', 'student_confidence', (-1.0, )),
    ('policy', 'AverageMentors', 'student_confidence', (-1.0, )),
    ('policy', 'EntropyWeighted', 'student_confidence', (-1.0, )),
    ('policy', 'RandomMentorDrop', 'student_confidence', (-1.0, )),
    ('policy', 'RandomMentorDrop', 'drop_num', (-1, 1.5)),
    ('policy', 'SingleMentorKD', 'mentor_index', (-1, 0.5)),
]

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')


def component_cfg(where, component, setting, value):
    cfg = dict(type=component, **{setting: value})
    if where == 'divergence':
        return dict(mentoring=dict(type='MentoringLoss', divergence=cfg))
    return {where: cfg}


@pytest.mark.parametrize('where,component,setting,out_of_range', SETTINGS,
                         ids=[f'{c}.{s}' for _, c, s, _ in SETTINGS])
def test_bad_values_are_refused_at_build(where, component, setting,
                                         out_of_range, tmp_path):
    optional = setting == 'score_scale'
    for value in [v for v in BAD if not (optional and v is None)] + list(
            out_of_range):
        if setting in ('drop_num', 'mentor_index') and value == -1.0:
            continue  # covered by the int -1
        cfg = component_cfg(where, component, setting, value)
        with pytest.raises(ValueError, match=rf'{component}: {setting} must '
                           r'be .*got ' + repr(value).replace('(', r'\(')
                           .replace(')', r'\)')):
            MODELS.build(distiller_cfg(tmp_path, **cfg))


@pytest.mark.parametrize('value', BAD + [-1.0])
def test_feature_loss_weight_is_checked(value):
    with pytest.raises(ValueError, match=r'FeatureMSELoss: loss_weight must '
                       r'be a finite number >= 0'):
        MODELS.build(dict(type='classroomkd_mm.FeatureMSELoss',
                          loss_weight=value))
