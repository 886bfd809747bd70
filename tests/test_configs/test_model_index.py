"""``model-index.yml`` and every ``configs/**/metafile.yml`` (the OpenMMLab
model-zoo format): every metafile imported by the root index, every model
with its required fields and an existing config file, results (when given)
with task, dataset and metrics; and the files validate with the
``modelindex`` package where it is installed."""
import glob
import os.path as osp

import pytest
import yaml

from tests.helpers import REPO

ROOT = osp.join(REPO, 'model-index.yml')
METAFILES = sorted(glob.glob(osp.join(REPO, 'configs', '**', 'metafile.yml'),
                             recursive=True))
MODEL_FIELDS = ('Name', 'In Collection', 'Config', 'Metadata')
METADATA_FIELDS = ('Architecture', 'Training Data', 'Mentors')


def read(path):
    with open(path) as f:
        return yaml.safe_load(f)


def test_root_index_imports_every_metafile():
    assert METAFILES, 'no configs/**/metafile.yml'
    imports = read(ROOT)['Import']
    for path in imports:
        assert osp.isfile(osp.join(REPO, path)), path
    assert sorted(osp.normpath(osp.join(REPO, p)) for p in imports) == \
        [osp.normpath(p) for p in METAFILES]


@pytest.mark.parametrize('path', METAFILES,
                         ids=lambda p: osp.relpath(p, REPO))
def test_metafile_models_have_their_fields_and_configs(path):
    meta = read(path)
    collections = {c['Name'] for c in meta['Collections']}
    assert meta['Models'], path
    for model in meta['Models']:
        missing = [k for k in MODEL_FIELDS if not model.get(k)]
        assert not missing, (model.get('Name'), missing)
        missing = [k for k in METADATA_FIELDS if not model['Metadata'].get(k)]
        assert not missing, (model['Name'], missing)
        assert model['In Collection'] in collections, model['Name']
        assert osp.isfile(osp.join(REPO, model['Config'])), model['Config']
        assert model['Name'] == osp.splitext(
            osp.basename(model['Config']))[0], model['Name']
        for result in model.get('Results') or []:
            assert result.get('Task') and result.get('Dataset') and \
                result.get('Metrics'), model['Name']
        if model.get('Weights'):
            assert model['Weights'].startswith(('https://', 'http://'))


def test_modelindex_finds_no_errors():
    pytest.importorskip('modelindex')
    from modelindex.load_model_index import load
    index = load(ROOT)
    assert index.check(silent=True) == []
    assert len(index.models) == sum(
        len(read(p)['Models']) for p in METAFILES)
    for path in METAFILES:
        assert load(path).check(silent=True) == [], path
