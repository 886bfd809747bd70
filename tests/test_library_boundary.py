"""The installed package is the library: nothing in ``classroomkd_mm``
imports the project's tools, benchmarks or tests (they import the library,
never the reverse)."""
import ast
import os
import os.path as osp

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
