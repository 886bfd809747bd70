import os
import os.path as osp
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

HERE = osp.dirname(osp.abspath(__file__))


def read_requirements(path):
    with open(osp.join(HERE, path)) as f:
        return [line.split('#')[0].strip() for line in f
                if line.split('#')[0].strip()]


def read_version():
    """``__version__`` of classroomkd_mm/version.py, its one home."""
    namespace = {}
    with open(osp.join(HERE, 'classroomkd_mm', 'version.py')) as f:
        exec(f.read(), namespace)
    return namespace['__version__']


# What OpenMMLab packages ship under `<package>/.mim/` (mmpose, mmpretrain):
# `mim train|test|search classroomkd_mm` and `_base_ = 'classroomkd_mm::...'`
# read them from the installed package.
MIM_FILES = ('configs', 'tools', 'model-index.yml')
MIM_IGNORE = shutil.ignore_patterns('__pycache__', '*.pyc', '*.egg-info')
# Run at start-up from site-packages: lets MMEngine read `classroomkd_mm::`
# configs before anything imports classroomkd_mm (classroomkd_mm_config_scope).
SCOPE_PTH = ('classroomkd_mm-config-scope.pth',
             'import classroomkd_mm_config_scope; '
             'classroomkd_mm_config_scope.install()\n')


class build_py_with_mim(build_py):
    """``build_py`` that also copies :data:`MIM_FILES` into the built
    package's ``.mim/`` and writes :data:`SCOPE_PTH` beside it (wheels, and
    wheels built from the sdist). The checkout itself is never written to.
    An editable install maps the package to the checkout and gets neither
    (docs/installing.md)."""

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        mim = osp.join(self.build_lib, 'classroomkd_mm', '.mim')
        if osp.isdir(mim):
            shutil.rmtree(mim)
        os.makedirs(mim)
        for name in MIM_FILES:
            source = osp.join(HERE, name)
            target = osp.join(mim, name)
            if osp.isdir(source):
                shutil.copytree(source, target, ignore=MIM_IGNORE)
            elif osp.isfile(source):
                shutil.copyfile(source, target)
            else:
                raise FileNotFoundError(
                    f'{source} is missing: a wheel of classroomkd_mm ships '
                    f'{", ".join(MIM_FILES)} under classroomkd_mm/.mim/ '
                    '(build from a full checkout or its sdist)')
        name, line = SCOPE_PTH
        with open(osp.join(self.build_lib, name), 'w') as f:
            f.write(line)


with open(osp.join(HERE, 'README.md')) as f:
    long_description = f.read()

setup(
    name='classroomkd_mm',
    version=read_version(),
    description='ClassroomKD multi-mentor knowledge distillation for '
    'MMPose and MMPretrain',
    long_description=long_description,
    long_description_content_type='text/markdown',
    # the library, and under classroomkd_mm/.mim/ the configs, tools and
    # model index (build_py_with_mim); benchmarks/ and tests/ are not installed
    packages=find_packages(include=['classroomkd_mm', 'classroomkd_mm.*']),
    py_modules=['classroomkd_mm_config_scope'],
    cmdclass={'build_py': build_py_with_mim},
    python_requires='>=3.9',
    install_requires=read_requirements('requirements.txt'),
    # mmpose itself is installed with `pip install --no-deps mmpose==1.1.0`
    # (its chumpy requirement does not build; pip would resolve it through an
    # extra that named mmpose): docs/installing.md gives the one command.
    extras_require={
        # mmcv's CPU-only build (no mmcv.ops): mmpose 1.1.0, mmpretrain
        'cpu': ['mmcv-lite>=2.0.0,<2.2.0'],
        # mmpose 1.x's runtime needs, less chumpy and xtcocotools (whose
        # registry wheels target numpy 1: built from source, as documented)
        'pose': ['json_tricks', 'munkres', 'scipy', 'matplotlib',
                 'opencv-python', 'pillow'],
        # frozen mentors on an inference engine, the student's deployment
        'engine': ['onnx>=1.16', 'onnxruntime>=1.18', 'openvino>=2024.0',
                   'ai-edge-litert'],
        # `mim train|test|search classroomkd_mm` (openmim is installed with
        # --no-deps: its openxlab dependency pins setuptools 60)
        'mim': ['click', 'colorama', 'model-index', 'pandas', 'requests',
                'rich', 'tabulate'],
    },
    license='Apache-2.0',
)
