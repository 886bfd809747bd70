"""``model-index.yml`` and every ``metafile.yml`` validate with the
``modelindex`` package (the OpenMMLab model-zoo format): no check errors,
every metafile imported by the root index, every model's config and README
present, results (when given) with task, dataset and metrics."""
import glob
import os.path as osp

import pytest

from reliability_helpers import REPO

modelindex = pytest.importorskip('modelindex')
from modelindex.load_model_index import load  # noqa: E402

ROOT = osp.join(REPO, 'model-index.yml')
METAFILES = sorted(glob.glob(osp.join(REPO, 'configs', '**', 'metafile.yml'),
                             recursive=True))
pytestmark = pytest.mark.skipif(
    not osp.isfile(ROOT) or not METAFILES,
    reason='no model-index.yml or configs/**/metafile.yml yet (the pose '
    'model zoo writes them)')


def test_root_index_has_no_check_errors():
    index = load(ROOT)
    assert index.check(silent=True) == []
    assert index.models, 'the index lists no model'


def test_every_metafile_is_imported_and_valid():
    import yaml
    index = load(ROOT)
    with open(ROOT) as f:
        imports = yaml.safe_load(f).get('Import') or []
    imported = {osp.normpath(osp.join(REPO, p)) for p in imports}
    for path in METAFILES:
        assert osp.normpath(path) in imported, f'{path} not in {ROOT}'
        meta = load(path)
        assert meta.check(silent=True) == [], path
        for model in meta.models:
            assert model.name and model.config, path
            assert osp.isfile(osp.join(REPO, model.config)), model.config
            if model.in_collection:
                names = {c.name for c in index.collections}
                assert model.in_collection in names, model.name
            for result in model.results or []:
                assert result.task and result.dataset and result.metrics, \
                    model.name
            if model.weights:
                assert model.weights.startswith(('https://', 'http://')), \
                    model.weights
