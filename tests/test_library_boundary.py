"""The installed package is the library: nothing in ``classroomkd_mm``
imports the project's tools, benchmarks or tests (they import the library,
never the reverse), and it imports with only its runtime requirements
(requirements.txt)."""
import ast
import os
import os.path as osp
import subprocess
import sys
import textwrap

import pytest

import classroomkd_mm

PACKAGE = osp.dirname(classroomkd_mm.__file__)
OUTSIDE = ('benchmarks', 'tools', 'tests')


def imported_modules(path):
    tree = ast.parse(open(path).read(), path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.lineno, node.module


def package_files():
    for folder, _, files in os.walk(PACKAGE):
        for name in files:
            if name.endswith('.py'):
                yield osp.join(folder, name)


def test_the_package_imports_nothing_outside_it():
    files = list(package_files())
    assert len(files) > 20
    found = [f'{osp.relpath(path, PACKAGE)}:{line}: imports {module}'
             for path in files for line, module in imported_modules(path)
             if module.split('.')[0] in OUTSIDE]
    assert not found, found


def test_the_boundary_check_sees_an_import(tmp_path):
    bad = tmp_path / 'bad.py'
    bad.write_text('import os\nfrom benchmarks.methods import load_spec\n')
    assert list(imported_modules(str(bad))) == [
        (1, 'os'), (2, 'benchmarks.methods')]


#: what the library must not need to import: the data writers' scikit-learn
#: and SciPy, the hosts (mmpretrain is only needed by classification configs,
#: mmpose is the `pose` extra) and the project's modules outside the package
NOT_REQUIRED = ('sklearn', 'scipy', 'mmpretrain', 'mmpose', 'matplotlib',
                'benchmarks', 'tools', 'tests')


@pytest.mark.slow
def test_the_library_imports_with_its_runtime_requirements_only():
    """Import every module of the package except the pose transforms (the
    `pose` extra) with the modules of ``NOT_REQUIRED`` made unimportable, in
    a fresh interpreter."""
    script = textwrap.dedent(f"""
        import importlib, importlib.abc, pkgutil, sys

        class Refuse(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split('.')[0] in {NOT_REQUIRED!r}:
                    raise ImportError(f'{{name}} is not a requirement')

        sys.meta_path.insert(0, Refuse())
        import classroomkd_mm
        names = [m.name for m in pkgutil.walk_packages(
            classroomkd_mm.__path__, 'classroomkd_mm.')
            if not m.name.startswith('classroomkd_mm.datasets')]
        for name in names:
            importlib.import_module(name)
        print(len(names))
        """)
    done = subprocess.run([sys.executable, '-c', script],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 20
