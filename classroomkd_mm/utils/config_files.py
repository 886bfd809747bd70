"""Config files named like ``_base_`` entries: local paths or
``package::relative/path.py`` inside an installed OpenMMLab package."""
import os.path as osp

from mmengine.config import Config


def resolve_config_path(path: str) -> str:
    """``'mmpretrain::resnet/resnet50_8xb16_cifar100.py'`` -> the file in the
    installed package's ``.mim/configs``; local paths are returned as they
    are. Unlike ``mmengine.hub.get_config`` this never installs anything."""
    if '::' not in path:
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'Config file {path!r} does not exist (relative paths start '
                'at the current directory, usually the repository root).')
        return path
    from mmengine.config.utils import (_get_external_cfg_base_path,
                                       _get_package_and_cfg_path)
    from mmengine.utils import get_installed_path, is_installed
    package, relative = _get_package_and_cfg_path(path)
    if not is_installed(package):
        raise ModuleNotFoundError(
            f'Config {path!r} lives in {package}, which is not installed: '
            f'pip install {package}.')
    return _get_external_cfg_base_path(get_installed_path(package), relative)


def project_config_path(relative: str) -> str:
    """A config shipped with classroomkd_mm: ``<package>/.mim/configs/...``
    in an installed wheel, else the checkout's ``configs/...`` (an editable
    install or a source tree on ``PYTHONPATH``)."""
    package = osp.dirname(osp.dirname(osp.abspath(__file__)))
    for root in (osp.join(package, '.mim', 'configs'),
                 osp.join(osp.dirname(package), 'configs')):
        path = osp.join(root, relative)
        if osp.isfile(path):
            return path
    raise FileNotFoundError(
        f'classroomkd_mm ships configs/{relative}, but neither '
        f'{package}/.mim/configs nor the checkout beside {package} has it: '
        'reinstall classroomkd_mm from its wheel or a full checkout.')


def load_config(path: str) -> Config:
    """``Config.fromfile`` for local and ``package::`` paths."""
    return Config.fromfile(resolve_config_path(path))
