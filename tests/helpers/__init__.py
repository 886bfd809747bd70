"""Helpers shared by the tests: tiny real models (``tiny_classifiers``,
``pose_models``), small Runner configs and subprocess runs (``tiny_runs``),
and hooks that subprocess runs import by name (``kill_hook``,
``dist_probe_hook``)."""
import os.path as osp

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SAMPLES = osp.join(REPO, 'data', 'samples')
