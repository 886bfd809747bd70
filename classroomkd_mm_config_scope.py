"""Makes ``_base_ = 'classroomkd_mm::...'`` resolve in MMEngine configs.

MMEngine 0.10 resolves a ``package::path`` config only for the packages
named in ``mmengine.config.utils.MODULE2PACKAGE`` (the OpenMMLab ones), and
it reads a config before the config's ``custom_imports`` are imported. So a
host's own entry (MMPose's ``tools/train.py``, ``mim train mmpose``) could
not read a config that inherits ``classroomkd_mm::`` even with the package
installed.

This module is deliberately outside the ``classroomkd_mm`` package and
imports nothing heavy: the wheel's ``classroomkd_mm-config-scope.pth``
imports it when Python starts and it only watches for
``mmengine.config.utils`` to be imported, then adds ``classroomkd_mm`` to
its table (:func:`register`). ``import classroomkd_mm`` calls
:func:`register` too, which covers editable installs (no ``.pth``).
Remove the ``.pth`` file from ``site-packages`` to turn the hook off.
"""
import importlib.abc
import importlib.machinery
import sys

MODULE = 'classroomkd_mm'
WATCHED = 'mmengine.config.utils'


def register(config_utils=None):
    """Add ``classroomkd_mm`` to MMEngine's ``MODULE2PACKAGE`` (idempotent);
    ``config_utils`` is the imported ``mmengine.config.utils`` module."""
    if config_utils is None:
        config_utils = sys.modules.get(WATCHED)
        if config_utils is None:
            import mmengine.config.utils as config_utils
    config_utils.MODULE2PACKAGE.setdefault(MODULE, MODULE)


class _RegisterAfterLoad(importlib.abc.Loader):

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        register(module)


class _WatchConfigUtils(importlib.abc.MetaPathFinder):
    """Finds ``mmengine.config.utils`` as Python would and registers the
    scope once it has run; every other import is left to the next finder."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != WATCHED:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _RegisterAfterLoad(spec.loader)
        return spec


def install():
    """Called by the ``.pth`` file at start-up."""
    if WATCHED in sys.modules:
        register(sys.modules[WATCHED])
    elif not any(isinstance(f, _WatchConfigUtils) for f in sys.meta_path):
        sys.meta_path.insert(0, _WatchConfigUtils())
