"""Registries of classroomkd_mm, children of MMEngine's root registries.

Because they are children of MMEngine's roots, ``type='classroomkd_mm.X'``
resolves from an mmpose config (``default_scope='mmpose'``) and from an
mmpretrain config (``default_scope='mmpretrain'``) alike, once this module is
imported (``custom_imports=dict(imports=['classroomkd_mm'])`` or our
``tools/train.py``). The ``locations`` make the registries import the modules
that register into them on first lookup.

A config read by the ``classroomkd_mm::`` prefix is built in the
``classroomkd_mm`` scope: MMEngine gives each typed dict of a package's config
``_scope_=<package>``, and the project's configs name the host's types
(``TopdownPoseEstimator``, ``CocoDataset``, ``LoadImage``, ``CocoMetric``...)
without a prefix. So every registry here, one per MMEngine root, looks a name
it does not hold up in the scope the run was started in (the config's
``default_scope``, e.g. ``mmpose``; :class:`HostRegistry`).
"""
from mmengine import registry as mmengine_registry
from mmengine.registry import DefaultScope, Registry

SCOPE = 'classroomkd_mm'


def host_scope():
    """The scope the run was started in: the newest default scope that is
    not ``classroomkd_mm`` (MMEngine stacks a temporary one while it builds a
    dict with ``_scope_``), or None."""
    for instance in reversed(list(DefaultScope._instance_dict.values())):
        if instance.scope_name != SCOPE:
            return instance.scope_name
    return None


class HostRegistry(Registry):
    """A ``classroomkd_mm`` registry: a name without a scope is its own
    module, else the host scope's (:func:`host_scope`; which falls back to
    MMEngine's root, as the host's registry would), else MMEngine's."""

    def get(self, key):
        if '.' not in key:
            self.import_from_location()
            if key in self._module_dict:
                return self._module_dict[key]
            scope = host_scope()
            host = self._get_root_registry()._search_child(scope) \
                if scope is not None else None
            if host is not None and host is not self:
                found = host.get(key)
                if found is not None:
                    return found
        return super().get(key)


def _child(root_name, locations=('classroomkd_mm', )):
    """A child of MMEngine's root registry ``root_name``. A registry needs a
    location: without one MMEngine calls
    ``classroomkd_mm.utils.register_all_modules``, which does not exist."""
    root = getattr(mmengine_registry, root_name)
    return HostRegistry(root.name, parent=root, scope=SCOPE,
                        locations=list(locations))


MODELS = _child('MODELS', ['classroomkd_mm.models'])
HOOKS = _child('HOOKS', ['classroomkd_mm.hooks'])
TRANSFORMS = _child('TRANSFORMS', ['classroomkd_mm.datasets'])
DATASETS = _child('DATASETS', ['classroomkd_mm.datasets'])
# the rest of MMEngine's roots, so a config read by prefix builds everything
HOST_ONLY_REGISTRIES = {
    name: _child(name) for name in (
        'RUNNERS', 'RUNNER_CONSTRUCTORS', 'LOOPS',
        'DATA_SAMPLERS', 'MODEL_WRAPPERS', 'WEIGHT_INITIALIZERS',
        'OPTIMIZERS', 'OPTIM_WRAPPER_CONSTRUCTORS', 'OPTIM_WRAPPERS',
        'PARAM_SCHEDULERS', 'METRICS', 'EVALUATOR', 'TASK_UTILS',
        'VISUALIZERS', 'VISBACKENDS', 'LOG_PROCESSORS', 'INFERENCERS',
        'FUNCTIONS')
}
