"""Mentors see the student's preprocessed batch: another normalisation is
refused, the same one (or none) passes."""
import pytest

from classroomkd_mm.models.classroom.preprocessor_check import \
    check_same_normalisation
from classroomkd_mm.registry import MODELS
from tests.helpers.tiny_classifiers import PREPROCESSOR, classifier_cfg


def test_normalisations_compared(mmpretrain_scope):
    student = MODELS.build(classifier_cfg(4))
    check_same_normalisation('m', MODELS.build(classifier_cfg(8)), student)
    other = MODELS.build(classifier_cfg(8, preprocessor=dict(
        PREPROCESSOR, mean=[0.0, 0.0, 0.0])))
    with pytest.raises(ValueError, match=r"Mentor 'm'.*normalis"):
        check_same_normalisation('m', other, student)
