import os.path as osp

from setuptools import find_packages, setup

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


with open(osp.join(HERE, 'README.md')) as f:
    long_description = f.read()

setup(
    name='classroomkd_mm',
    version=read_version(),
    description='ClassroomKD multi-mentor knowledge distillation for '
    'MMPose and MMPretrain',
    long_description=long_description,
    long_description_content_type='text/markdown',
    # the library only: benchmarks/, tools/ and tests/ are not installed
    packages=find_packages(include=['classroomkd_mm', 'classroomkd_mm.*']),
    python_requires='>=3.8',
    install_requires=read_requirements('requirements.txt'),
    extras_require={'pose': ['mmpose>=1.1.0']},
    license='Apache-2.0',
)
