import logging

import pytest

from classroomkd_mm.models.classroom import program_builder


@pytest.fixture
def logs(monkeypatch):
    """What build_program logs, as ``(level, message)``."""
    seen = []
    monkeypatch.setattr(
        program_builder, 'print_log',
        lambda msg, logger=None, level=logging.INFO: seen.append(
            (level, msg)))
    return seen
