"""Nothing in the project turns torch's ``weights_only`` check off: no code
sets ``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD``, no call passes
``weights_only=False`` (or anything but ``True``), and every ``torch.load``
in the package, tools and benchmarks says ``weights_only=True``.

Text (docs, docstrings, comments) may name them. The positive control of
test_unsafe_checkpoints.py, which must load unsafely to prove its payload is
live, and this test's own samples are the exceptions.
"""
import pytest
import ast
import os.path as osp
import subprocess

from tests.helpers.tiny_runs import REPO

pytestmark = pytest.mark.usefixtures('mmpretrain_scope')

EXCEPTIONS = {'tests/test_utils/test_unsafe_checkpoints.py',
              'tests/test_utils/test_no_unsafe_loading.py'}
FLAG = 'TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'
SCRIPT_SUFFIXES = ('.sh', '.cfg', '.ini', '.toml', '.yml', '.yaml', '.txt',
                   '.env')


def project_files():
    out = subprocess.run(
        ['git', 'ls-files', '--cached', '--others', '--exclude-standard'],
        cwd=REPO, capture_output=True, text=True, check=True).stdout
    return sorted(f for f in set(out.split()) if osp.isfile(
        osp.join(REPO, f)) and f not in EXCEPTIONS)


def docstrings(tree):
    for node in ast.walk(tree):
        body = getattr(node, 'body', None)
        if isinstance(body, list) and body and isinstance(
                body[0], ast.Expr) and isinstance(body[0].value,
                                                  ast.Constant):
            yield body[0].value


def python_findings(path, source):
    tree = ast.parse(source, path)
    skip = set(map(id, docstrings(tree)))
    loads_weights_only = path.startswith(
        ('classroomkd_mm/', 'tools/', 'benchmarks/'))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and FLAG in node.value and id(node) not in skip:
            yield f'{path}:{node.lineno}: names {FLAG}'
        if isinstance(node, ast.Call):
            kwargs = {k.arg: k.value for k in node.keywords}
            value = kwargs.get('weights_only')
            if value is not None and not (isinstance(value, ast.Constant)
                                          and value.value is True):
                yield f'{path}:{node.lineno}: weights_only is not True'
            func = node.func
            if loads_weights_only and isinstance(func, ast.Attribute) \
                    and func.attr == 'load' and getattr(
                        func.value, 'id', None) == 'torch' and value is None:
                yield f'{path}:{node.lineno}: torch.load without ' \
                    'weights_only=True'


def test_nothing_disables_weights_only():
    findings, read = [], 0
    for path in project_files():
        full = osp.join(REPO, path)
        try:
            source = open(full, encoding='utf-8').read()
        except UnicodeDecodeError:
            continue
        if path.endswith('.py'):
            findings += python_findings(path, source)
            read += 1
        elif path.endswith(SCRIPT_SUFFIXES) or path.startswith('.ci/') or \
                osp.basename(path) in ('Dockerfile', 'Makefile'):
            findings += [f'{path}:{n}: {line.strip()}'
                         for n, line in enumerate(source.splitlines(), 1)
                         if FLAG in line or 'weights_only=False' in
                         line.replace(' ', '')]
            read += 1
    assert read > 50  # the scan saw the project
    assert not findings, '\n'.join(findings)


def test_the_scan_catches_what_it_must():
    bad = ('import os, torch\n'
           "os.environ['TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD'] = '1'\n"
           "torch.load('x.pth', weights_only=False)\n"
           "torch.load('y.pth')\n")
    found = list(python_findings('tools/bad.py', bad))
    assert len(found) == 3, found
    text = '"""Never set TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD."""\n'
    assert not list(python_findings('tools/fine.py', text))
