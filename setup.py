from setuptools import find_packages, setup


def read_requirements(path):
    with open(path) as f:
        return [line.split('#')[0].strip() for line in f
                if line.split('#')[0].strip()]


setup(
    name='classroomkd_mm',
    version='0.1.0',
    description='ClassroomKD multi-mentor knowledge distillation for '
    'MMPose and MMPretrain',
    long_description=open('README.md').read(),
    long_description_content_type='text/markdown',
    packages=find_packages(include=['classroomkd_mm', 'classroomkd_mm.*']),
    python_requires='>=3.8',
    install_requires=read_requirements('requirements/runtime.txt'),
    extras_require={'pose': ['mmpose>=1.1.0']},
    license='Apache-2.0',
)
